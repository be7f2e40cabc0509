/* pdf/pdf_objread.c: objects of an unencrypted file in memory read by number through our own cross-reference chain,
 * object streams decoded by our capped decoder (only those asked for), values lexed where they lie. */
#include "pdf_objread.h"
#include "pdf_decode.h"
#include "pdf_xref_internal.h"
#include "core/input_release.h"

#include <stdlib.h>
#include <string.h>

#define MAX_OBJSTMS 64   /* decoded object streams kept: values read point into them */
#define MAX_DUP_DEPTH 32 /* nesting the duplicated-key check follows */
#define CACHED 8          /* objects kept as read: a seal asks for the catalog and the page tree's nodes again and again */

typedef struct {
	unsigned int num;
	size_t order;     /* position in the reader's order: the first wins */
	long long offset; /* type 1: of "num gen obj"; type 2: the object stream's number */
	unsigned int gen; /* type 1: the generation the entry gives */
	unsigned char type;
} entry_ix;

typedef struct {
	unsigned int num;
	unsigned char *data;
	size_t len, first;
	long long *pairs; /* object number, offset: n pairs from the stream's header */
	size_t n;
	int bad; /* could not be read: none of its objects can be */
} objstm;

/* An object read before: lexing it again costs three passes over its bytes (the value, its entries, the check for
 * keys given twice), and a page tree node's /Kids can hold a thousand references. */
typedef struct {
	long long num, gen;
	es_pdf_val val; /* (points into buf or a kept object stream, which live as long as the reader) */
} cached;

struct es_pdf_objs {
	const unsigned char *buf;
	size_t len;
	const es_pdf_xref *x;
	entry_ix *ix; /* by number, then reader order */
	size_t n_ix;
	objstm stm[MAX_OBJSTMS];
	size_t n_stm;
	cached cache[CACHED];
	size_t n_cached, next_slot;
};

static int by_num_order(const void *a, const void *b)
{
	const entry_ix *x = a, *y = b;

	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

static int hybrid(const es_pdf_xref *x)
{
	size_t i;

	for (i = 0; i < x->n_sections; i++)
		if (x->sections[i].hybrid)
			return 1;
	return 0;
}

/* The index of x's entries over buf, whatever the file (the caller knows what it may read with it). */
static es_pdf_objs *index_new(const unsigned char *buf, size_t len, const es_pdf_xref *x)
{
	es_pdf_objs *r;
	size_t i;

	if ((r = calloc(1, sizeof(*r))) == NULL || (r->ix = malloc(x->n_objects * sizeof(*r->ix))) == NULL) {
		free(r);
		return NULL;
	}
	for (i = 0; i < x->n_objects; i++) {
		r->ix[i].num = x->objects[i].num;
		r->ix[i].order = i;
		r->ix[i].offset = x->objects[i].offset;
		r->ix[i].gen = x->objects[i].gen;
		r->ix[i].type = x->objects[i].type;
	}
	r->n_ix = x->n_objects;
	es_xref_sort(r->ix, r->n_ix, sizeof(*r->ix), by_num_order);
	r->buf = buf;
	r->len = len;
	r->x = x;
	return r;
}

es_pdf_objs *es_pdf_objs_new(const unsigned char *buf, size_t len, const es_pdf_xref *x)
{
	if (x == NULL || x->encrypted || x->n_objects == 0 || x->n_sections == 0 || hybrid(x))
		return NULL;
	return index_new(buf, len, x);
}

void es_pdf_objs_free(es_pdf_objs *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n_stm; i++) {
		free(r->stm[i].data);
		free(r->stm[i].pairs);
	}
	for (i = 0; i < r->n_cached; i++)
		es_pdf_val_free(&r->cache[i].val);
	free(r->ix);
	free(r);
}

/* The entry QPDF uses for num (the first in the reader's order), or NULL. */
static const entry_ix *effective(const es_pdf_objs *r, long long num)
{
	size_t lo = 0, hi = r->n_ix, i;

	if (num <= 0 || num > 0xffffffffLL)
		return NULL;
	/* (a cross-reference stream QPDF read is, to QPDF, the object its "num gen obj" names, whatever the entries say
	 * of that number: ours to leave to QPDF) */
	for (i = 0; i < r->x->n_sections; i++)
		if (r->x->sections[i].stream_num == num)
			return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->ix[mid].num < (unsigned int)num)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == r->n_ix || r->ix[lo].num != (unsigned int)num)
		return NULL;
	return &r->ix[lo];
}

int es_pdf_objs_entry(const es_pdf_objs *r, long long num, int *type, long long *offset)
{
	const entry_ix *o = effective(r, num);

	if (o == NULL)
		return 0;
	*type = o->type;
	*offset = o->offset;
	return 1;
}

/* The lexer after "num gen obj" at off, or -1 when something else is there. */
static int object_header(const es_pdf_objs *r, long long off, long long num, long long gen, es_lex *lx)
{
	es_tok a, b, w;

	if (r->buf == NULL || off <= 0 || (unsigned long long)off >= r->len)
		return -1;
	es_lex_init(lx, r->buf, r->len, (size_t)off);
	if (es_lex_next(lx, &a) != ES_TOK_INT || es_lex_next(lx, &b) != ES_TOK_INT || es_lex_next(lx, &w) != ES_TOK_WORD ||
	    strcmp(w.text, "obj") != 0 || a.ival != num || b.ival != gen)
		return -1;
	return 0;
}

static int append(void *ctx, const unsigned char *data, size_t len)
{
	objstm *s = ctx;
	unsigned char *n;
	size_t cap = s->n; /* (the capacity, while decoding) */

	if (s->len + len > cap) {
		cap = (s->len + len) * 2;
		if ((n = realloc(s->data, cap)) == NULL)
			return -1;
		s->data = n;
		s->n = cap;
	}
	memcpy(s->data + s->len, data, len);
	s->len += len;
	return 0;
}

/* Decodes object stream s->num (the chain's type-1 entry) with its header: 0, or -1. Only what es_pdf_xref_scan has
 * sized comes here: a direct /Length, no filter or one FlateDecode without parameters. */
static int load_objstm(es_pdf_objs *r, objstm *s)
{
	const entry_ix *o = effective(r, s->num);
	const es_dict_entry *len_e, *filter, *parms, *n_e, *first_e, *type;
	const es_pdf_objstm_data *kept;
	es_pdf_filter f = ES_PDF_FILTER_INIT;
	es_pdf_decoder *dec = NULL;
	es_dict d = {0};
	es_lex lx;
	es_tok t, a, b;
	char why[160];
	size_t start, i;
	int rc = -1;

	if (o == NULL || o->type != 1 || o->gen != 0 || object_header(r, o->offset, s->num, 0, &lx) != 0 ||
	    es_lex_dict(&lx, &d, why, sizeof(why)) != 0 || es_lex_next(&lx, &t) != ES_TOK_WORD ||
	    strcmp(t.text, "stream") != 0)
		goto cleanup;
	len_e = es_dict_get(&d, "/Length", NULL);
	filter = es_dict_get(&d, "/Filter", NULL);
	parms = es_dict_get(&d, "/DecodeParms", NULL);
	n_e = es_dict_get(&d, "/N", NULL);
	first_e = es_dict_get(&d, "/First", NULL);
	type = es_dict_get(&d, "/Type", NULL);
	/* (QPDF refuses an object stream of another /Type) */
	if (type == NULL || type->type != ES_VAL_NAME || strcmp(type->name, "/ObjStm") != 0 ||
	    es_pdf_dict_has_dup(r->buf, &d) != 0)
		goto cleanup;
	if (len_e == NULL || len_e->type != ES_VAL_INT || n_e == NULL || n_e->type != ES_VAL_INT ||
	    first_e == NULL || first_e->type != ES_VAL_INT || n_e->num < 0 || n_e->num > 1000000 || first_e->num < 0 ||
	    (parms != NULL && parms->type != ES_VAL_NULL))
		goto cleanup;
	if (filter != NULL && !(filter->type == ES_VAL_NAME && es_pdf_filter_name(&f, filter->name)))
		goto cleanup;
	/* (QPDF warns about an odd line end after "stream", and fails without "endstream" after /Length bytes) */
	start = es_xref_data_start(&lx, lx.pos);
	if (es_xref_data_start_odd(&lx, lx.pos) || start > r->len || (unsigned long long)len_e->num > r->len - start)
		goto cleanup;
	es_lex_init(&lx, r->buf, r->len, start + (size_t)len_e->num);
	if (es_lex_next(&lx, &t) != ES_TOK_WORD || strcmp(t.text, "endstream") != 0 || es_lex_next(&lx, &t) != ES_TOK_WORD ||
	    strcmp(t.text, "endobj") != 0)
		goto cleanup;
	s->n = 0;
	if ((kept = es_pdf_xref_kept(r->x, s->num, (size_t)o->offset)) != NULL) {
		/* (the sizing pass read these very bytes so: no need to inflate them again) */
		if (append(s, kept->data, kept->len) != 0 || (size_t)first_e->num > s->len)
			goto cleanup;
	} else if ((dec = es_pdf_decoder_new(&f, 1, r->x->limit, append, s)) == NULL ||
		   es_pdf_decoder_write(dec, r->buf + start, (size_t)len_e->num) != ES_PDF_DECODE_OK ||
		   es_pdf_decoder_finish(dec) != ES_PDF_DECODE_OK || (size_t)first_e->num > s->len) {
		goto cleanup;
	}
	s->first = (size_t)first_e->num;
	s->n = 0;
	if ((s->pairs = malloc(((size_t)n_e->num + 1) * 2 * sizeof(*s->pairs))) == NULL)
		goto cleanup;
	es_lex_init(&lx, s->data, s->first, 0);
	for (i = 0; i < (size_t)n_e->num; i++) {
		if (es_lex_next(&lx, &a) != ES_TOK_INT || es_lex_next(&lx, &b) != ES_TOK_INT || a.ival < 0 ||
		    b.ival < 0 || (unsigned long long)b.ival > s->len - s->first)
			goto cleanup;
		s->pairs[2 * i] = a.ival;
		s->pairs[2 * i + 1] = b.ival;
	}
	s->n = i;
	rc = 0;
cleanup:
	if (rc != 0)
		s->n = 0;
	es_pdf_decoder_free(dec);
	es_dict_free(&d);
	return rc;
}

static const objstm *get_objstm(es_pdf_objs *r, long long num)
{
	objstm *s;
	size_t i;

	if (num <= 0 || num > 0xffffffffLL)
		return NULL;
	for (i = 0; i < r->n_stm; i++)
		if (r->stm[i].num == (unsigned int)num)
			return r->stm[i].bad ? NULL : &r->stm[i];
	if (r->n_stm == MAX_OBJSTMS)
		return NULL;
	s = &r->stm[r->n_stm++];
	memset(s, 0, sizeof(*s));
	s->num = (unsigned int)num;
	s->bad = load_objstm(r, s) != 0;
	return s->bad ? NULL : s;
}

/* The value at lx into *out with a dictionary's entries; a dictionary giving a key twice is refused (QPDF's copy and
 * ours would differ). */
static int read_value(const unsigned char *p, es_lex *lx, es_pdf_val *out)
{
	char why[160];
	es_tok t;
	size_t i, at = lx->pos;

	memset(out, 0, sizeof(*out));
	out->p = p;
	if (es_lex_next(lx, &t) != ES_TOK_DICT_OPEN) {
		lx->pos = at;
		return es_lex_value(lx, &out->v, why, sizeof(why)) != 0 ? -1 : 0;
	}
	/* A dictionary is read once, by its entries (a page tree node's /Kids is long): what es_lex_value would say of
	 * it follows from them. */
	lx->pos = at;
	if (es_lex_dict(lx, &out->d, why, sizeof(why)) != 0)
		return -1;
	out->v.type = ES_VAL_DICT;
	out->v.start = t.start;
	out->v.end = lx->pos;
	for (i = 0; i < out->d.n; i++)
		out->v.has_ref |= out->d.e[i].has_ref;
	if (es_pdf_dict_has_dup(p, &out->d) != 0) {
		es_pdf_val_free(out);
		return -1;
	}
	return 0;
}

int es_pdf_objs_trailer(es_pdf_objs *r, es_pdf_val *out)
{
	const es_pdf_xref_section *sec = &r->x->sections[0];
	es_lex lx;

	memset(out, 0, sizeof(*out));
	if (sec->trailer_start < 0 || sec->trailer_end > (long long)r->len || sec->trailer_start >= sec->trailer_end)
		return -1;
	es_lex_init(&lx, r->buf, (size_t)sec->trailer_end, (size_t)sec->trailer_start);
	if (read_value(r->buf, &lx, out) != 0)
		return -1;
	if (out->v.type != ES_VAL_DICT) {
		es_pdf_val_free(out);
		return -1;
	}
	return 0;
}

/* Object (num, gen) into *out; with is_stream, a stream's dictionary too (*is_stream set), else a stream fails. */
static int read_object(es_pdf_objs *r, long long num, long long gen, es_pdf_val *out, int *is_stream)
{
	const entry_ix *o = effective(r, num);
	const objstm *s;
	es_lex lx;
	es_tok t;
	size_t i, at = 0;
	int found = 0;

	memset(out, 0, sizeof(*out));
	if (o == NULL || o->type == 0 || gen < 0)
		return -1;
	if (o->type == 1) {
		/* (QPDF looks an object up by number and generation: "5 1 R" is null when the entry is 5 0) */
		if ((long long)o->num != num || (long long)o->gen != gen ||
		    object_header(r, o->offset, num, gen, &lx) != 0 || read_value(r->buf, &lx, out) != 0)
			return -1;
		/* (a stream, or an object QPDF reads with a warning) */
		if (es_lex_next(&lx, &t) == ES_TOK_WORD && strcmp(t.text, "endobj") == 0)
			return 0;
		if (is_stream != NULL && t.type == ES_TOK_WORD && strcmp(t.text, "stream") == 0 &&
		    out->v.type == ES_VAL_DICT) {
			*is_stream = 1;
			return 0;
		}
		es_pdf_val_free(out);
		return -1;
	}
	/* In an object stream: QPDF takes the offset its header gives the number (the entry's index aside). */
	if (gen != 0 || (s = get_objstm(r, o->offset)) == NULL)
		return -1;
	for (i = 0; i < s->n; i++)
		if (s->pairs[2 * i] == num) {
			if (found++)
				return -1;
			at = s->first + (size_t)s->pairs[2 * i + 1];
		}
	if (!found || at >= s->len)
		return -1;
	es_lex_init(&lx, s->data, s->len, at);
	return read_value(s->data, &lx, out);
}

/* The first type-1 entry pointing at no header of its object: of those QPDF uses, or (all) of every entry. */
static long long first_damaged(const es_pdf_objs *r, int all)
{
	const entry_ix *o;
	es_lex lx;
	size_t i;

	if (r->buf == NULL)
		return 0;
	for (i = 0; i < r->n_ix; i++) {
		o = &r->ix[i];
		/* (an entry QPDF does not use, it does not read; one in use at offset 0 QPDF takes as null, and Poppler
		 * rebuilds its table on it: damaged too) */
		if (o->type != 1 || (!all && ((i > 0 && r->ix[i - 1].num == o->num) || effective(r, o->num) != o)))
			continue;
		/* (a header after each large drawing of a big file: its folios are given back as they add up) */
		es_input_release_turn();
		if (object_header(r, o->offset, o->num, o->gen, &lx) != 0)
			return o->num;
	}
	return 0;
}

long long es_pdf_objs_damaged(const es_pdf_objs *r)
{
	return first_damaged(r, 0);
}

long long es_pdf_xref_damaged(const unsigned char *buf, size_t len, const es_pdf_xref *x)
{
	es_pdf_objs *r;
	long long bad;

	/* (object headers are not encrypted; which of a hybrid file's entries QPDF uses, this index does not know
	 * exactly, so there every in-use entry of every section must point at its object) */
	if (x == NULL || x->n_objects == 0 || x->n_sections == 0)
		return 0;
	if ((r = index_new(buf, len, x)) == NULL)
		return -1;
	bad = first_damaged(r, hybrid(x));
	es_pdf_objs_free(r);
	return bad;
}

int es_pdf_objs_get_head(es_pdf_objs *r, long long num, long long gen, es_pdf_val *out, int *is_stream)
{
	*is_stream = 0;
	return read_object(r, num, gen, out, is_stream);
}

/* *to as a value of its own: the entries copied (es_pdf_val_free frees them). 0, or -1 out of memory. */
static int val_copy(const es_pdf_val *from, es_pdf_val *to)
{
	*to = *from;
	memset(&to->d, 0, sizeof(to->d));
	if (from->d.n == 0)
		return 0;
	if ((to->d.e = malloc(from->d.n * sizeof(*to->d.e))) == NULL)
		return -1;
	memcpy(to->d.e, from->d.e, from->d.n * sizeof(*to->d.e));
	to->d.n = to->d.cap = from->d.n;
	return 0;
}

int es_pdf_objs_get(es_pdf_objs *r, long long num, long long gen, es_pdf_val *out)
{
	es_pdf_val keep;
	cached *c;
	size_t i;

	for (i = 0; i < r->n_cached; i++)
		if (r->cache[i].num == num && r->cache[i].gen == gen)
			return val_copy(&r->cache[i].val, out);
	/* (what could not be read is not kept: asking again fails again) */
	if (read_object(r, num, gen, out, NULL) != 0)
		return -1;
	if (val_copy(out, &keep) != 0)
		return 0; /* (kept another time) */
	if (r->n_cached < CACHED) {
		c = &r->cache[r->n_cached++];
	} else {
		c = &r->cache[r->next_slot];
		r->next_slot = (r->next_slot + 1) % CACHED;
		es_pdf_val_free(&c->val);
	}
	c->num = num;
	c->gen = gen;
	c->val = keep;
	return 0;
}

/* v as it is written (a reference stays one). */
static int direct(const es_pdf_val *v, es_pdf_val *out)
{
	es_lex lx;

	if (v->v.type == ES_VAL_NULL) {
		memset(out, 0, sizeof(*out));
		out->p = v->p;
		out->v.type = ES_VAL_NULL;
		return 0;
	}
	es_lex_init(&lx, v->p, v->v.end, v->v.start);
	return read_value(v->p, &lx, out);
}

int es_pdf_val_resolve(es_pdf_objs *r, const es_pdf_val *v, es_pdf_val *out, long long *num, long long *gen)
{
	if (num != NULL)
		*num = 0;
	if (gen != NULL)
		*gen = 0;
	if (v->v.type == ES_VAL_REF) {
		if (num != NULL)
			*num = v->v.num;
		if (gen != NULL)
			*gen = v->v.gen;
		return es_pdf_objs_get(r, v->v.num, v->v.gen, out);
	}
	return direct(v, out);
}

int es_pdf_val_key(es_pdf_objs *r, const es_pdf_val *dict, const char *key, int resolve, es_pdf_val *out,
		   long long *num, long long *gen)
{
	const es_dict_entry *e = dict->v.type == ES_VAL_DICT ? es_dict_get(&dict->d, key, NULL) : NULL;
	es_pdf_val v;

	if (num != NULL)
		*num = 0;
	if (gen != NULL)
		*gen = 0;
	memset(out, 0, sizeof(*out));
	out->p = dict->p;
	if (e == NULL) {
		out->v.type = ES_VAL_NULL;
		return dict->v.type == ES_VAL_DICT ? 0 : -1;
	}
	memset(&v, 0, sizeof(v));
	v.p = dict->p;
	v.v = *e;
	return resolve ? es_pdf_val_resolve(r, &v, out, num, gen) : direct(&v, out);
}

int es_pdf_val_next(const es_pdf_val *a, size_t *pos, es_pdf_val *out)
{
	es_lex lx;
	es_tok t;

	memset(out, 0, sizeof(*out));
	if (a->v.type != ES_VAL_ARRAY)
		return -1;
	es_lex_init(&lx, a->p, a->v.end, *pos ? *pos : a->v.start);
	if (*pos == 0 && es_lex_next(&lx, &t) != ES_TOK_ARRAY_OPEN)
		return -1;
	*pos = lx.pos;
	if (es_lex_next(&lx, &t) == ES_TOK_ARRAY_CLOSE)
		return 0;
	lx.pos = *pos;
	if (read_value(a->p, &lx, out) != 0)
		return -1;
	*pos = lx.pos;
	return 1;
}

void es_pdf_val_free(es_pdf_val *v)
{
	es_dict_free(&v->d);
}

static int hex_digit(unsigned char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 :
				      -1;
}

int es_pdf_val_string_bytes(const es_pdf_val *v, unsigned char **raw, size_t *n)
{
	const unsigned char *s = v->p + v->v.start, *e = v->p + v->v.end;
	unsigned char *b;
	size_t k = 0;
	int hi = -1, h;

	*raw = NULL;
	*n = 0;
	if (v->v.type != ES_VAL_OTHER || e - s < 2 || (*s != '(' && *s != '<') || (s[0] == '<' && s[1] == '<'))
		return 0;
	if ((b = malloc((size_t)(e - s))) == NULL)
		return -1;
	if (*s == '(') {
		for (s++, e--; s < e; s++) {
			if (*s == '\\' || *s == '\r' || *s == '\n')
				goto fail;
			b[k++] = *s;
		}
	} else {
		for (s++, e--; s < e; s++) {
			if ((h = hex_digit(*s)) < 0 && *s != '\0' && strchr(" \t\r\n\f", *s) != NULL)
				continue;
			if (h < 0)
				goto fail;
			if (hi < 0) {
				hi = h;
				continue;
			}
			b[k++] = (unsigned char)(hi << 4 | h);
			hi = -1;
		}
		if (hi >= 0)
			b[k++] = (unsigned char)(hi << 4);
	}
	*raw = b;
	*n = k;
	return 1;
fail:
	free(b);
	return -1;
}

int es_pdf_val_rect(const unsigned char *p, const es_dict_entry *e, double out[4])
{
	es_lex lx;
	es_tok t;
	double v[4];
	char num[ES_LEX_TEXT], *end;
	int k;

	if (e->has_ref)
		return -1;
	if (e->type != ES_VAL_ARRAY)
		return 0;
	es_lex_init(&lx, p, e->end, e->start);
	es_lex_next(&lx, &t); /* [ */
	for (k = 0; k < 5; k++) {
		es_lex_next(&lx, &t);
		if (t.type == ES_TOK_ARRAY_CLOSE)
			break;
		if (k == 4)
			return 0;
		if (t.type == ES_TOK_INT) {
			v[k] = (double)t.ival;
		} else if (t.type == ES_TOK_REAL && t.end - t.start < sizeof(num)) {
			memcpy(num, p + t.start, t.end - t.start);
			num[t.end - t.start] = '\0';
			v[k] = strtod(num, &end);
			/* (no '.': an integer too large for 64 bits, which QPDF reads its own way) */
			if (*end != '\0' || strchr(num, '.') == NULL || strpbrk(num, "eExX") != NULL)
				return -1;
		} else if (t.type == ES_TOK_REAL) {
			return -1;
		} else {
			return 0; /* (a name, string, array ...: not a number to QPDF either) */
		}
	}
	if (k != 4)
		return 0;
	out[0] = v[0] < v[2] ? v[0] : v[2];
	out[2] = v[0] < v[2] ? v[2] : v[0];
	out[1] = v[1] < v[3] ? v[1] : v[3];
	out[3] = v[1] < v[3] ? v[3] : v[1];
	return 1;
}

static int has_dup_in(const unsigned char *p, size_t start, size_t end, int depth);

static int dict_dup(const unsigned char *p, const es_dict *d, int depth)
{
	size_t i;
	int n, rc = 0;

	for (i = 0; rc == 0 && i < d->n; i++) {
		/* (a key of ES_LEX_TEXT characters or more is read as "": two such keys may be one, only QPDF can tell) */
		if (d->e[i].key[0] == '\0')
			return -1;
		es_dict_get(d, d->e[i].key, &n);
		if (n > 1)
			rc = 1;
		else if (d->e[i].type == ES_VAL_DICT || d->e[i].type == ES_VAL_ARRAY)
			rc = has_dup_in(p, d->e[i].start, d->e[i].end, depth + 1);
	}
	return rc;
}

/* dict_dup for every dictionary in p[start, end). */
static int has_dup_in(const unsigned char *p, size_t start, size_t end, int depth)
{
	es_lex lx;
	es_tok t;
	es_dict d = {0};
	char why[160];
	int rc = 0;

	if (depth > MAX_DUP_DEPTH)
		return -1;
	/* (no "<<" in the bytes, no dictionary: an annotation's /Rect or /Border, a font's /Widths; a damaged token
	 * cannot be there either, the value was read whole) */
	if (memmem(p + start, end - start, "<<", 2) == NULL)
		return 0;
	es_lex_init(&lx, p, end, start);
	while (rc == 0 && es_lex_next(&lx, &t) != ES_TOK_EOF) {
		if (t.type == ES_TOK_BAD)
			return -1;
		if (t.type != ES_TOK_DICT_OPEN)
			continue;
		lx.pos = t.start;
		if (es_lex_dict(&lx, &d, why, sizeof(why)) != 0)
			return -1;
		rc = dict_dup(p, &d, depth);
		es_dict_free(&d);
	}
	return rc;
}

int es_pdf_dict_has_dup(const unsigned char *p, const es_dict *d)
{
	return dict_dup(p, d, 0);
}
