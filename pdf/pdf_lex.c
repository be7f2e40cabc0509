/* pdf/pdf_lex.c: PDF tokens as QPDF's tokenizer splits them (white space, comments, names with #xx escapes, nested
 * literal strings) and dictionaries read one level deep: what the structure reader needs, refusing what is odd. */
#include "pdf_lex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32
#define MAX_KEYS 4096

/* Each byte's class, looked up once per byte of every token (the lexer's inner loops). */
#define SPACE 1
#define DELIM 2
static const unsigned char byte_class[256] = {
	[0] = SPACE,   ['\t'] = SPACE, ['\n'] = SPACE, ['\v'] = SPACE, ['\f'] = SPACE, ['\r'] = SPACE,
	[' '] = SPACE, ['('] = DELIM,  [')'] = DELIM,  ['<'] = DELIM,  ['>'] = DELIM,  ['['] = DELIM,
	[']'] = DELIM, ['{'] = DELIM,  ['}'] = DELIM,  ['/'] = DELIM,  ['%'] = DELIM,
};

int es_lex_is_space(unsigned char c)
{
	return byte_class[c] == SPACE;
}

static int is_space(unsigned char c)
{
	return byte_class[c] == SPACE;
}

static int is_delim(unsigned char c)
{
	return byte_class[c] == DELIM;
}

/* Neither white space nor a delimiter: part of a number, keyword or name. */
static int is_regular(unsigned char c)
{
	return byte_class[c] == 0;
}

static int hexv(unsigned char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 :
				      -1;
}

size_t es_lex_count_tokens(const unsigned char *p, size_t n, unsigned char *prev)
{
	size_t i, count = 0;
	unsigned char b = *prev;

	for (i = 0; i < n; i++) {
		if (!is_space(p[i]) && (is_delim(p[i]) || !is_regular(b)))
			count++;
		b = p[i];
	}
	*prev = b;
	return count;
}

void es_lex_init(es_lex *lx, const unsigned char *p, size_t len, size_t pos)
{
	lx->p = p;
	lx->len = len;
	lx->pos = pos;
}

static void skip_space(es_lex *lx)
{
	while (lx->pos < lx->len) {
		if (is_space(lx->p[lx->pos])) {
			lx->pos++;
		} else if (lx->p[lx->pos] == '%') {
			while (lx->pos < lx->len && lx->p[lx->pos] != '\r' && lx->p[lx->pos] != '\n')
				lx->pos++;
		} else {
			break;
		}
	}
}

/* A run of regular characters: an integer, a real or a keyword. */
static es_tok_type regular(es_lex *lx, es_tok *t)
{
	const unsigned char *p = lx->p;
	size_t s = lx->pos, i = s, digits = 0, dots = 0, n;
	long long v = 0;

	while (i < lx->len && is_regular(p[i]))
		i++;
	lx->pos = i;
	t->end = i;
	n = i - s;
	for (i = s; i < t->end; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			digits++;
		else if (p[i] == '.')
			dots++;
		else if (!((p[i] == '+' || p[i] == '-') && i == s))
			break;
	}
	if (i == t->end && digits > 0 && dots <= 1) {
		if (dots == 1 || digits > 18)
			return t->type = ES_TOK_REAL;
		for (i = s + (p[s] == '+' || p[s] == '-'); i < t->end; i++)
			v = v * 10 + (p[i] - '0');
		t->ival = p[s] == '-' ? -v : v;
		return t->type = ES_TOK_INT;
	}
	if (n < ES_LEX_TEXT) {
		memcpy(t->text, p + s, n);
		t->text[n] = '\0';
	}
	return t->type = ES_TOK_WORD;
}

static es_tok_type name(es_lex *lx, es_tok *t)
{
	const unsigned char *p = lx->p;
	size_t i = lx->pos + 1, o = 1;
	int hi, lo, too_long = 0;
	unsigned char c;

	t->text[0] = '/';
	while (i < lx->len && is_regular(p[i])) {
		c = p[i++];
		if (c == '#' && i + 1 < lx->len && (hi = hexv(p[i])) >= 0 && (lo = hexv(p[i + 1])) >= 0) {
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
			if (c == 0) {
				lx->pos = t->end = i;
				return t->type = ES_TOK_BAD; /* QPDF refuses a NUL in a name */
			}
		}
		if (o < ES_LEX_TEXT - 1)
			t->text[o++] = (char)c;
		else
			too_long = 1;
	}
	t->text[too_long ? 0 : o] = '\0';
	lx->pos = t->end = i;
	return t->type = ES_TOK_NAME;
}

static es_tok_type literal_string(es_lex *lx, es_tok *t)
{
	size_t i = lx->pos + 1;
	int depth = 1;

	while (i < lx->len && depth > 0) {
		if (lx->p[i] == '\\')
			i++;
		else if (lx->p[i] == '(')
			depth++;
		else if (lx->p[i] == ')')
			depth--;
		i++;
	}
	lx->pos = t->end = i > lx->len ? lx->len : i;
	return t->type = depth == 0 ? ES_TOK_STRING : ES_TOK_BAD;
}

static es_tok_type hex_string(es_lex *lx, es_tok *t)
{
	size_t i = lx->pos + 1;

	while (i < lx->len && (hexv(lx->p[i]) >= 0 || is_space(lx->p[i])))
		i++;
	if (i < lx->len && lx->p[i] == '>') {
		lx->pos = t->end = i + 1;
		return t->type = ES_TOK_STRING;
	}
	lx->pos = t->end = i;
	return t->type = ES_TOK_BAD;
}

es_tok_type es_lex_next(es_lex *lx, es_tok *t)
{
	unsigned char c, d;

	/* (not the whole token: text past its terminating NUL is never read) */
	t->type = ES_TOK_EOF;
	t->ival = 0;
	t->text[0] = '\0';
	skip_space(lx);
	t->start = t->end = lx->pos;
	if (lx->pos >= lx->len)
		return t->type = ES_TOK_EOF;
	c = lx->p[lx->pos];
	d = lx->pos + 1 < lx->len ? lx->p[lx->pos + 1] : 0;
	if (c == '/')
		return name(lx, t);
	if (c == '(')
		return literal_string(lx, t);
	if (c == '<' && d == '<') {
		lx->pos = t->end = lx->pos + 2;
		return t->type = ES_TOK_DICT_OPEN;
	}
	if (c == '<')
		return hex_string(lx, t);
	if (c == '>' && d == '>') {
		lx->pos = t->end = lx->pos + 2;
		return t->type = ES_TOK_DICT_CLOSE;
	}
	lx->pos = t->end = lx->pos + 1;
	if (c == '[')
		return t->type = ES_TOK_ARRAY_OPEN;
	if (c == ']')
		return t->type = ES_TOK_ARRAY_CLOSE;
	if (c == '{' || c == '}')
		return t->type = ES_TOK_BRACE;
	if (c == ')' || c == '>')
		return t->type = ES_TOK_BAD;
	lx->pos--;
	return regular(lx, t);
}

/* Tokens lexed ahead and not taken yet. Whether an integer starts a reference ("n g R") shows only in the two tokens
 * after it, and a container's end only in the token after each element; lexing those again when they turn out to be
 * the next values would lex an array of numbers (a font's /Widths) three times over. So they wait here, in order. */
typedef struct ahead {
	es_tok t[2];
	size_t n;
	size_t end; /* where the last token taken ends */
} ahead;

static es_tok_type take(es_lex *lx, ahead *a, es_tok *t)
{
	if (a->n > 0) {
		*t = a->t[0];
		a->t[0] = a->t[1];
		a->n--;
	} else {
		es_lex_next(lx, t);
	}
	a->end = t->end;
	return t->type;
}

/* Puts t, just taken, back in front: a caller never holds more than the two tokens it took. */
static void give_back(ahead *a, const es_tok *t, size_t end_before)
{
	a->t[1] = a->t[0];
	a->t[0] = *t;
	a->n++;
	a->end = end_before;
}

/* Leaves the lexer right after the last token taken (where the tokens waiting would be lexed again), as reading
 * token by token would. */
static void settle(es_lex *lx, ahead *a)
{
	lx->pos = a->end;
	a->n = 0;
}

/* One value; an integer followed by "G R" is a reference (as QPDF reads it). Nested containers are walked to find
 * their end. Returns -1 (why set) when damaged, else 1 when a reference is (or is inside) the value, 0 when not. */
static int value(es_lex *lx, ahead *a, es_dict_entry *e, int depth, char *why, size_t why_len)
{
	es_tok t, t2, t3;
	size_t end;
	int has_ref = 0, r;

	if (depth > MAX_DEPTH) {
		snprintf(why, why_len, "objects nested deeper than %d levels", MAX_DEPTH);
		return -1;
	}
	take(lx, a, &t);
	if (e != NULL) {
		e->start = t.start;
		e->type = ES_VAL_OTHER;
	}
	switch (t.type) {
	case ES_TOK_INT:
		end = a->end;
		if (take(lx, a, &t2) == ES_TOK_INT && take(lx, a, &t3) == ES_TOK_WORD && strcmp(t3.text, "R") == 0) {
			has_ref = 1;
			if (e != NULL) {
				e->type = ES_VAL_REF;
				e->num = t.ival;
				e->gen = t2.ival;
			}
		} else {
			if (t2.type == ES_TOK_INT)
				give_back(a, &t3, end);
			give_back(a, &t2, end);
			if (e != NULL) {
				e->type = ES_VAL_INT;
				e->num = t.ival;
			}
		}
		break;
	case ES_TOK_NAME:
		if (e != NULL) {
			e->type = ES_VAL_NAME;
			memcpy(e->name, t.text, sizeof(e->name));
		}
		break;
	case ES_TOK_REAL:
	case ES_TOK_STRING: break;
	case ES_TOK_WORD:
		if (strcmp(t.text, "true") != 0 && strcmp(t.text, "false") != 0 && strcmp(t.text, "null") != 0) {
			snprintf(why, why_len, "unexpected keyword '%s' in a dictionary", t.text);
			return -1;
		}
		if (e != NULL && strcmp(t.text, "null") == 0)
			e->type = ES_VAL_NULL;
		break;
	case ES_TOK_ARRAY_OPEN:
	case ES_TOK_DICT_OPEN:
		for (;;) {
			end = a->end;
			take(lx, a, &t2);
			if (t2.type == (t.type == ES_TOK_ARRAY_OPEN ? ES_TOK_ARRAY_CLOSE : ES_TOK_DICT_CLOSE))
				break;
			if (t2.type == ES_TOK_EOF) {
				snprintf(why, why_len, "unterminated %s",
					 t.type == ES_TOK_ARRAY_OPEN ? "array" : "dictionary");
				return -1;
			}
			if (t.type == ES_TOK_DICT_OPEN && t2.type != ES_TOK_NAME) {
				snprintf(why, why_len, "dictionary key that is not a name");
				return -1;
			}
			if (t.type == ES_TOK_ARRAY_OPEN)
				give_back(a, &t2, end);
			if ((r = value(lx, a, NULL, depth + 1, why, why_len)) < 0)
				return -1;
			has_ref |= r;
		}
		if (e != NULL)
			e->type = t.type == ES_TOK_ARRAY_OPEN ? ES_VAL_ARRAY : ES_VAL_DICT;
		break;
	default:
		snprintf(why, why_len, t.type == ES_TOK_EOF ? "a value is missing" : "a token no reader agrees on");
		return -1;
	}
	if (e != NULL) {
		e->end = a->end;
		e->has_ref = has_ref;
	}
	return has_ref;
}

int es_lex_value(es_lex *lx, es_dict_entry *e, char *why, size_t why_len)
{
	ahead a = {.n = 0, .end = lx->pos};
	int rc;

	why[0] = '\0';
	memset(e, 0, sizeof(*e));
	rc = value(lx, &a, e, 0, why, why_len);
	settle(lx, &a);
	return rc < 0 ? -1 : 0;
}

int es_lex_dict(es_lex *lx, es_dict *d, char *why, size_t why_len)
{
	ahead a = {.n = 0};
	es_tok t;
	es_dict_entry *ne;

	why[0] = '\0';
	es_lex_next(lx, &t);
	a.end = lx->pos;
	if (t.type != ES_TOK_DICT_OPEN) {
		snprintf(why, why_len, "a dictionary was expected");
		goto fail;
	}
	for (;;) {
		if (take(lx, &a, &t) == ES_TOK_DICT_CLOSE)
			break;
		if (t.type != ES_TOK_NAME) {
			snprintf(why, why_len,
				 t.type == ES_TOK_EOF ? "unterminated dictionary" :
							"dictionary key that is not a name");
			goto fail;
		}
		if (d->n == d->cap) {
			if (d->cap >= MAX_KEYS) {
				snprintf(why, why_len, "a dictionary with more than %d keys", MAX_KEYS);
				goto fail;
			}
			ne = realloc(d->e, (d->cap ? d->cap * 2 : 16) * sizeof(*ne));
			if (ne == NULL) {
				snprintf(why, why_len, "out of memory");
				goto fail;
			}
			d->e = ne;
			d->cap = d->cap ? d->cap * 2 : 16;
		}
		ne = &d->e[d->n];
		memset(ne, 0, sizeof(*ne));
		memcpy(ne->key, t.text, sizeof(ne->key));
		if (value(lx, &a, ne, 0, why, why_len) < 0)
			goto fail;
		d->n++;
	}
	settle(lx, &a);
	return 0;
fail:
	settle(lx, &a);
	/* A failed read leaves nothing to free: callers bail out on the error without owning a half-read dictionary. */
	es_dict_free(d);
	return -1;
}

const es_dict_entry *es_dict_get(const es_dict *d, const char *key, int *count)
{
	const es_dict_entry *found = NULL;
	size_t i;
	int n = 0;

	for (i = 0; i < d->n; i++) {
		if (d->e[i].key[0] != '\0' && strcmp(d->e[i].key, key) == 0) {
			found = &d->e[i];
			n++;
		}
	}
	if (count != NULL)
		*count = n;
	return found;
}

void es_dict_free(es_dict *d)
{
	free(d->e);
	memset(d, 0, sizeof(*d));
}

long es_dict_int_array(const es_lex *lx, const es_dict_entry *e, long long *out, size_t max)
{
	es_lex a;
	es_tok t;
	size_t n = 0;

	if (e == NULL || e->type != ES_VAL_ARRAY || e->has_ref)
		return -1;
	es_lex_init(&a, lx->p, e->end, e->start);
	if (es_lex_next(&a, &t) != ES_TOK_ARRAY_OPEN)
		return -1;
	while (es_lex_next(&a, &t) == ES_TOK_INT) {
		if (n == max)
			return -1;
		out[n++] = t.ival;
	}
	return t.type == ES_TOK_ARRAY_CLOSE ? (long)n : -1;
}
