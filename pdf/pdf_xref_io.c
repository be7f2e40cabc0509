/* pdf/pdf_xref_io.c: how the structure reader reads the file: a bounded window at a time (from memory, or pread on a
 * descriptor), dictionaries whose structural keys must be direct and said once, stream data fed to our decoder. */
#include "pdf_xref_internal.h"
#include "pdf_objread.h"

#include "eseal/error.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FEED 65536
#define MB(n) ((double)(n) / (1024.0 * 1024.0))

int es_xref_qspace(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v';
}

int es_xref_refuse(es_xref_scan *s, int rc, const char *fmt, ...)
{
	va_list ap;

	if (s->rc == ESEAL_OK) {
		s->rc = rc;
		va_start(ap, fmt);
		vsnprintf(s->why, s->why_len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Up to ES_XREF_WIN bytes at off (fewer at the end of the file). Valid until the next call. */
const unsigned char *es_xref_view(es_xref_scan *s, size_t off, size_t *got)
{
	size_t want, done = 0;
	ssize_t n;

	*got = 0;
	if (off >= s->len || s->rc != ESEAL_OK)
		return (const unsigned char *)"";
	want = s->len - off < ES_XREF_WIN ? s->len - off : ES_XREF_WIN;
	if (s->mem != NULL) {
		*got = want;
		return s->mem + off;
	}
	if (s->win_len > 0 && off >= s->win_off && off + want <= s->win_off + s->win_len) {
		*got = want;
		return s->win + (off - s->win_off);
	}
	s->win_len = 0;
	while (done < want) {
		n = pread(s->fd, s->win + done, want - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			es_xref_refuse(s, ESEAL_E_IO, "cannot read at offset %zu: %s", off + done,
				       n < 0 ? strerror(errno) : "the file became shorter");
			return (const unsigned char *)"";
		}
		done += (size_t)n;
	}
	s->win_off = off;
	s->win_len = want;
	*got = want;
	return s->win;
}

/* A lexer over the bytes at off: token offsets are relative to off. *cut: the view stops before the file does. */
void es_xref_lex_at(es_xref_scan *s, size_t off, es_lex *lx, int *cut)
{
	size_t got;
	const unsigned char *p = es_xref_view(s, off, &got);

	es_lex_init(lx, p, got, 0);
	*cut = off + got < s->len;
}

/* Where the next token starts (the lexer does not move). */
size_t es_xref_next_start(es_lex *lx)
{
	size_t save = lx->pos;
	es_tok t;

	es_lex_next(lx, &t);
	lx->pos = save;
	return t.start;
}

/* ---- dictionaries ---- */

/* The keys whose values we act on may not occur twice: QPDF keeps the last, other readers the first. */
int es_xref_once(es_xref_scan *s, const es_dict *d, const char *key, const char *what, size_t off,
		 const es_dict_entry **e)
{
	int n;

	*e = es_dict_get(d, key, &n);
	if (n > 1)
		return es_xref_refuse(s, ESEAL_E_INPUT, "the %s at offset %zu has %s %d times", what, off, key, n);
	return 0;
}

/* A direct integer value into *v; absent (e NULL) or null leaves *v as it is. */
int es_xref_opt_int(es_xref_scan *s, const es_dict_entry *e, const char *what, size_t off, long long *v)
{
	if (e == NULL || e->type == ES_VAL_NULL)
		return 0;
	if (e->type != ES_VAL_INT)
		return es_xref_refuse(s, ESEAL_E_INPUT, "the %s at offset %zu has a %s that is not a direct integer",
				      what, off, e->key);
	*v = e->num;
	return 0;
}

int es_xref_read_dict(es_xref_scan *s, es_lex *lx, int cut, es_dict *d, const char *what, size_t off)
{
	char why[160];

	if (es_lex_dict(lx, d, why, sizeof(why)) == 0) {
		/* QPDF keeps the last of a key given twice, other readers the first, and it warns about it whenever it
		 * parses the dictionary: a trailer of the chain, a cross-reference or object stream's dictionary. */
		if (es_pdf_dict_has_dup(lx->p, d) != 0)
			es_xref_qpdf_warns(s, "dictionary has duplicated key");
		return 0;
	}
	if (cut && lx->pos >= lx->len)
		return es_xref_refuse(s, ESEAL_E_INPUT, "the %s at offset %zu is larger than %zu bytes", what, off,
				      ES_XREF_WIN);
	return es_xref_refuse(s, ESEAL_E_INPUT, "damaged %s at offset %zu: %s", what, off, why);
}

/* A predictor parameter, clamped to what es_pdf_filter_check refuses when out of range. */
static long long param(const es_dict *d, const char *key, long long dflt)
{
	const es_dict_entry *e = es_dict_get(d, key, NULL);

	if (e == NULL || e->type != ES_VAL_INT)
		return dflt;
	return e->num < 0 ? -1 : e->num > INT_MAX ? INT_MAX : e->num;
}

/* /Filter and /DecodeParms of a stream we size: none, or one FlateDecode (its predictor only matters when the rows
 * are read, i.e. for cross-reference streams). */
int es_xref_stream_filter(es_xref_scan *s, const es_lex *lx, const es_dict *d, const char *what, size_t off,
			  es_pdf_filter *f)
{
	const es_dict_entry *fe, *pe;
	es_pdf_filter init = ES_PDF_FILTER_INIT;
	es_lex sub;
	es_tok t;
	es_dict pd = {0};
	char why[160], name[ES_LEX_TEXT] = "";
	int have_name = 0;

	*f = init;
	if (es_xref_once(s, d, "/Filter", what, off, &fe) < 0 || es_xref_once(s, d, "/DecodeParms", what, off, &pe) < 0)
		return -1;
	if ((fe != NULL && fe->has_ref) || (pe != NULL && pe->has_ref))
		return es_xref_refuse(s, ESEAL_E_INPUT, "%s has an indirect /Filter or /DecodeParms", what);
	if (fe != NULL && fe->type == ES_VAL_NAME) {
		memcpy(name, fe->name, sizeof(name));
		have_name = 1;
	} else if (fe != NULL && fe->type == ES_VAL_ARRAY) {
		es_lex_init(&sub, lx->p, fe->end, fe->start);
		es_lex_next(&sub, &t); /* [ */
		if (es_lex_next(&sub, &t) == ES_TOK_NAME) {
			memcpy(name, t.text, sizeof(name));
			have_name = 1;
			if (es_lex_next(&sub, &t) != ES_TOK_ARRAY_CLOSE)
				return es_xref_refuse(s, ESEAL_E_INPUT,
						      "%s uses a chain of filters, which eseal does not decode", what);
		} else if (t.type != ES_TOK_ARRAY_CLOSE) {
			return es_xref_refuse(s, ESEAL_E_INPUT, "%s has a damaged /Filter", what);
		}
	} else if (fe != NULL && fe->type != ES_VAL_NULL) {
		return es_xref_refuse(s, ESEAL_E_INPUT, "%s has a damaged /Filter", what);
	}
	if (have_name && !es_pdf_filter_name(f, name))
		return es_xref_refuse(s, ESEAL_E_INPUT, "%s uses filter %s; eseal decodes only FlateDecode there", what,
				      name[0] ? name : "(a very long name)");
	if (pe == NULL || !f->flate)
		return 0;
	es_lex_init(&sub, lx->p, pe->end, pe->start);
	if (pe->type == ES_VAL_ARRAY) {
		es_lex_next(&sub, &t);
		if (es_lex_next(&sub, &t) != ES_TOK_DICT_OPEN)
			return 0;
		sub.pos = t.start;
	} else if (pe->type != ES_VAL_DICT) {
		return 0;
	}
	if (es_lex_dict(&sub, &pd, why, sizeof(why)) != 0) {
		es_dict_free(&pd);
		return es_xref_refuse(s, ESEAL_E_INPUT, "%s has damaged /DecodeParms: %s", what, why);
	}
	f->predictor = (int)param(&pd, "/Predictor", 1);
	f->colors = (int)param(&pd, "/Colors", 1);
	f->bpc = (int)param(&pd, "/BitsPerComponent", 8);
	f->columns = (int)param(&pd, "/Columns", 1);
	es_dict_free(&pd);
	return 0;
}

/* Where a stream's data start, after the "stream" keyword ending at rel (as QPDF takes the line end after it). */
size_t es_xref_data_start(const es_lex *lx, size_t rel)
{
	size_t i = rel;

	while (i < lx->len) {
		unsigned char c = lx->p[i++];

		if (c == '\n')
			break;
		if (c == '\r') {
			if (i < lx->len && lx->p[i] == '\n')
				i++;
			break;
		}
		if (!es_xref_qspace(c)) {
			i--;
			break;
		}
	}
	return i;
}

int es_xref_data_start_odd(const es_lex *lx, size_t rel)
{
	if (rel < lx->len && lx->p[rel] == '\n')
		return 0;
	return !(rel + 1 < lx->len && lx->p[rel] == '\r' && lx->p[rel + 1] == '\n');
}

/* ---- sizing stream data ---- */

/* Feeds file bytes [from, to) to d until it ends or fails. */
void es_xref_feed(es_xref_scan *s, es_pdf_decoder *d, size_t from, size_t to)
{
	const unsigned char *p;
	size_t got, n;

	while (from < to && s->rc == ESEAL_OK && !es_pdf_decoder_ended(d)) {
		p = es_xref_view(s, from, &got);
		n = to - from < got ? to - from : got;
		if (n > FEED)
			n = FEED;
		if (n == 0 || es_pdf_decoder_write(d, p, n) != ES_PDF_DECODE_OK)
			break;
		from += n;
	}
}

size_t es_xref_budget(const es_xref_scan *s)
{
	return s->x->limit - s->x->decoded;
}

/* "8 MB", "14 kB": sizes in messages. */
const char *es_xref_human(size_t n, char *buf, size_t len)
{
	if (n >= ((size_t)1 << 20) && n % ((size_t)1 << 20) == 0)
		snprintf(buf, len, "%zu MB", n >> 20);
	else if (n >= ((size_t)1 << 20))
		snprintf(buf, len, "%.1f MB", MB(n));
	else
		snprintf(buf, len, "%zu kB", (n + 1023) / 1024);
	return buf;
}

void es_xref_bomb_message(const es_pdf_xref *x, const char *what, char *why, size_t why_len)
{
	char a[32], b[32];

	snprintf(why, why_len,
		 "%s decodes to more than %s (the limit for the object and cross-reference streams of a %s file; a "
		 "decompression bomb?)",
		 what, es_xref_human(x->limit, a, sizeof(a)), es_xref_human(x->file_size, b, sizeof(b)));
}

void es_xref_too_big(es_xref_scan *s, const char *what)
{
	char why[512];

	es_xref_bomb_message(s->x, what, why, sizeof(why));
	es_xref_refuse(s, ESEAL_E_INPUT, "%s", why);
}

void es_xref_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	const char *p = base;
	size_t i;

	for (i = 1; i < n; i++)
		if (cmp(p + (i - 1) * size, p + i * size) > 0) {
			qsort(base, n, size, cmp);
			return;
		}
}
