/* pdf/pdf_xref.c: the cross-reference chain read the way QPDF 11 reads it with recovery off (startxref in the last
 * 1054 bytes, tables, streams, /Prev, /XRefStm), so that whatever QPDF will inflate has been sized by us first.
 * Where we cannot tell what QPDF would do, the file is refused rather than guessed at. */
#include "pdf_xref_internal.h"

#include "eseal/error.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAIL 1054       /* QPDF looks for startxref in the last 1054 bytes */
#define XREF_SLACK 4096 /* bytes a cross-reference stream may hold beyond its entries */

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* QPDF keeps about 100 bytes per entry, and a compressed cross-reference stream declares millions in a few kB. */
static int too_many(es_xref_scan *s, const char *what, unsigned long long n)
{
	return es_xref_refuse(
		s, ESEAL_E_INPUT,
		"%s declares %llu objects%s: at most %zu in a file of %zu bytes (one per 4 bytes, or %zu)", what, n,
		s->x->n_objects > 0 ? " more" : "", s->max_objects - s->x->n_objects, s->len, ES_PDF_XREF_OBJECTS_MIN);
}

void es_xref_qpdf_warns(es_xref_scan *s, const char *warning)
{
	if (s->x->qpdf_warning == NULL)
		s->x->qpdf_warning = warning;
}

static int add_section(es_xref_scan *s, size_t start, int is_stream, int hybrid)
{
	es_pdf_xref *x = s->x;
	es_pdf_xref_section *ns;

	if (x->n_sections == ES_PDF_XREF_MAX_SECTIONS)
		return es_xref_refuse(s, ESEAL_E_INPUT, "more than %d cross-reference sections",
				      ES_PDF_XREF_MAX_SECTIONS);
	if (x->n_sections == s->cap_sections) {
		ns = realloc(x->sections, (s->cap_sections ? s->cap_sections * 2 : 8) * sizeof(*ns));
		if (ns == NULL)
			return es_xref_refuse(s, ESEAL_E_INTERNAL, "out of memory");
		x->sections = ns;
		s->cap_sections = s->cap_sections ? s->cap_sections * 2 : 8;
	}
	ns = &x->sections[x->n_sections++];
	memset(ns, 0, sizeof(*ns));
	ns->start = (long long)start;
	ns->prev = ns->xref_stm = ns->stream_num = -1;
	ns->is_stream = is_stream;
	ns->hybrid = hybrid;
	ns->first = x->n_objects;
	return 0;
}

static int add_object(es_xref_scan *s, long long num, int type, long long f1, long long f2)
{
	es_pdf_xref *x = s->x;
	es_pdf_xref_object *no;

	/* QPDF keeps object numbers, generations and object stream numbers in an int and fails beyond. */
	if (num < 0 || num > INT_MAX || f2 < 0 || f2 > INT_MAX || (type == 2 && (f1 < 0 || f1 > INT_MAX)))
		return es_xref_refuse(s, ESEAL_E_INPUT, "cross-reference entry out of range (object %lld)", num);
	if (x->n_objects == s->max_objects)
		return too_many(s, "the cross-reference chain", x->n_objects + 1);
	if (x->n_objects == s->cap_objects) {
		size_t cap = s->cap_objects ? s->cap_objects * 2 : 1024;

		no = realloc(x->objects, cap * sizeof(*no));
		if (no == NULL)
			return es_xref_refuse(s, ESEAL_E_INTERNAL, "out of memory");
		x->objects = no;
		s->cap_objects = cap;
	}
	no = &x->objects[x->n_objects++];
	no->num = (unsigned int)num;
	no->type = (unsigned char)type;
	no->offset = f1;
	no->gen = type == 0 && f2 > 65535 ? 0 : (unsigned int)f2;
	x->sections[x->n_sections - 1].n++;
	return 0;
}

static int trailer_keys(es_xref_scan *s, const es_dict *d, const char *what, size_t off, int is_table, int first,
			long long *prev, long long *xref_stm);

/* ---- cross-reference streams ---- */

typedef struct rows {
	es_xref_scan *s;
	int w[3];
	size_t esize, rows, expected, cur, in_chunk, n_index, have;
	long long *index;
	unsigned char part[24];
} rows;

static int on_rows(void *ctx, const unsigned char *p, size_t n)
{
	rows *r = ctx;
	size_t take, k, j;
	long long f[3], obj;
	int i;

	while (n > 0) {
		take = r->esize - r->have < n ? r->esize - r->have : n;
		memcpy(r->part + r->have, p, take);
		r->have += take;
		p += take;
		n -= take;
		if (r->have < r->esize)
			break;
		r->have = 0;
		if (r->rows++ >= r->expected)
			continue; /* beyond the entries: QPDF ignores them (it has been counted) */
		for (i = 0, k = 0; i < 3; i++) {
			f[i] = (i == 0 && r->w[0] == 0) ? 1 : 0;
			for (j = 0; j < (size_t)r->w[i]; j++)
				f[i] = (long long)((unsigned long long)f[i] << 8 | r->part[k++]);
		}
		/* QPDF's walk through /Index: a sub-section of count 0 still takes one entry. */
		obj = r->index[r->cur] + (long long)r->in_chunk;
		if (++r->in_chunk >= (size_t)r->index[r->cur + 1]) {
			r->cur += 2;
			r->in_chunk = 0;
		}
		if (f[0] < 0 || f[0] > 2)
			return es_xref_refuse(r->s, ESEAL_E_INPUT, "cross-reference stream entry of unknown type %lld",
					      f[0]);
		if (add_object(r->s, obj, (int)f[0], f[1], f[0] == 0 ? 0 : f[2]) < 0)
			return -1;
	}
	return 0;
}

static int read_xref_stream(es_xref_scan *s, size_t off, int hybrid, long long *prev)
{
	es_lex lx;
	es_tok t1, t2, t3;
	es_dict d = {0};
	const es_dict_entry *type, *length, *w, *index, *size;
	es_pdf_filter f;
	es_pdf_decoder *dec = NULL;
	rows r;
	long long wv[8], len_v = 0, size_v = 0, *idx = NULL;
	size_t start, end, i, n_entries, expected, cap, dstart;
	unsigned long long declared = 0;
	long n;
	int cut, rc = -1, drc, first = s->x->n_sections == 0;
	char what[80];

	memset(&r, 0, sizeof(r));
	snprintf(what, sizeof(what), "cross-reference stream at offset %zu", off);
	es_xref_lex_at(s, off, &lx, &cut);
	if (es_lex_next(&lx, &t1) != ES_TOK_INT || es_lex_next(&lx, &t2) != ES_TOK_INT ||
	    es_lex_next(&lx, &t3) != ES_TOK_WORD || strcmp(t3.text, "obj") != 0) {
		es_xref_refuse(s, ESEAL_E_INPUT, "no cross-reference table or stream at offset %zu", off);
		goto cleanup;
	}
	dstart = es_xref_next_start(&lx);
	if (es_xref_read_dict(s, &lx, cut, &d, what, off) < 0 || add_section(s, off, 1, hybrid) < 0)
		goto cleanup;
	s->x->sections[s->x->n_sections - 1].stream_num = t1.ival;
	s->x->sections[s->x->n_sections - 1].trailer_start = (long long)(off + dstart);
	s->x->sections[s->x->n_sections - 1].trailer_end = (long long)(off + lx.pos);
	if (es_lex_next(&lx, &t1) != ES_TOK_WORD || strcmp(t1.text, "stream") != 0) {
		es_xref_refuse(s, ESEAL_E_INPUT, "no cross-reference table or stream at offset %zu", off);
		goto cleanup;
	}
	start = off + es_xref_data_start(&lx, t1.end);
	if (es_xref_data_start_odd(&lx, t1.end))
		es_xref_qpdf_warns(s, "stream keyword not followed by a line end");
	if (es_xref_once(s, &d, "/Type", what, off, &type) < 0 ||
	    es_xref_once(s, &d, "/Length", what, off, &length) < 0 || es_xref_once(s, &d, "/W", what, off, &w) < 0 ||
	    es_xref_once(s, &d, "/Index", what, off, &index) < 0 ||
	    es_xref_once(s, &d, "/Size", what, off, &size) < 0 ||
	    trailer_keys(s, &d, what, off, 0, first, prev, NULL) < 0)
		goto cleanup;
	if (type == NULL || type->type != ES_VAL_NAME || strcmp(type->name, "/XRef") != 0) {
		es_xref_refuse(s, ESEAL_E_INPUT, "no cross-reference table or stream at offset %zu", off);
		goto cleanup;
	}
	len_v = size_v = -1;
	if (es_xref_opt_int(s, length, what, off, &len_v) < 0 || es_xref_opt_int(s, size, what, off, &size_v) < 0)
		goto cleanup;
	if (len_v < 0 || size_v < 0) {
		es_xref_refuse(s, ESEAL_E_INPUT, "%s lacks /Length or /Size", what);
		goto cleanup;
	}
	if ((size_t)len_v > s->len - start) {
		es_xref_refuse(s, ESEAL_E_INPUT, "%s: /Length %lld goes past the end of the file", what, len_v);
		goto cleanup;
	}
	end = start + (size_t)len_v;
	es_xref_lex_at(s, end, &lx, &cut);
	if (es_lex_next(&lx, &t1) != ES_TOK_WORD || strcmp(t1.text, "endstream") != 0) {
		es_xref_refuse(s, ESEAL_E_INPUT, "%s: no endstream after its /Length bytes", what);
		goto cleanup;
	}
	s->x->sections[s->x->n_sections - 1].end = (long long)(end + t1.end);
	if (es_lex_next(&lx, &t1) != ES_TOK_WORD || strcmp(t1.text, "endobj") != 0)
		es_xref_qpdf_warns(s, "expected endobj");
	es_xref_lex_at(s, off, &lx, &cut); /* back to the dictionary's bytes for the arrays */
	n = es_dict_int_array(&lx, w, wv, 8);
	if (n < 3) {
		es_xref_refuse(s, ESEAL_E_INPUT, "%s: /W is not an array of direct integers", what);
		goto cleanup;
	}
	for (i = 0; i < 3; i++) {
		if (wv[i] < 0 || wv[i] > 8) {
			es_xref_refuse(s, ESEAL_E_INPUT, "%s: /W holds %lld", what, wv[i]);
			goto cleanup;
		}
		r.w[i] = (int)wv[i];
		r.esize += (size_t)wv[i];
	}
	if (r.esize == 0) {
		es_xref_refuse(s, ESEAL_E_INPUT, "%s: /W gives entries of 0 bytes", what);
		goto cleanup;
	}
	idx = malloc(((index != NULL ? index->end - index->start : 0) / 2 + 2) * sizeof(*idx));
	if (idx == NULL) {
		es_xref_refuse(s, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	if (index == NULL) {
		idx[0] = 0;
		idx[1] = size_v;
		r.n_index = 2;
	} else {
		n = es_dict_int_array(&lx, index, idx, (index->end - index->start) / 2 + 2);
		if (n < 2 || n % 2 != 0) {
			es_xref_refuse(s, ESEAL_E_INPUT, "%s: /Index is not an even array of direct integers", what);
			goto cleanup;
		}
		r.n_index = (size_t)n;
	}
	for (i = 0; i < r.n_index; i += 2) {
		if (idx[i] < 0 || idx[i + 1] < 0) {
			es_xref_refuse(s, ESEAL_E_INPUT, "%s: /Index holds a negative number", what);
			goto cleanup;
		}
		declared += (unsigned long long)idx[i + 1]; /* both below 2^63: no overflow */
		if (declared > LLONG_MAX)
			declared = LLONG_MAX;
	}
	if (declared > s->max_objects - s->x->n_objects) {
		too_many(s, what, declared);
		goto cleanup;
	}
	n_entries = (size_t)declared;
	if (es_xref_stream_filter(s, &lx, &d, what, off, &f) < 0)
		goto cleanup;
	expected = r.esize * n_entries;
	cap = expected + XREF_SLACK < es_xref_budget(s) ? expected + XREF_SLACK : es_xref_budget(s);
	r.s = s;
	r.index = idx;
	r.expected = n_entries;
	dec = es_pdf_decoder_new(&f, 1, cap, on_rows, &r);
	if (dec == NULL) {
		es_xref_refuse(s, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	es_xref_feed(s, dec, start, end);
	drc = es_pdf_decoder_finish(dec);
	if (s->rc != ESEAL_OK)
		goto cleanup;
	if (drc == ES_PDF_DECODE_TOO_BIG && cap == expected + XREF_SLACK) {
		es_xref_refuse(s, ESEAL_E_INPUT,
			       "%s decodes to more than the %zu bytes its entries need (a decompression bomb?)", what,
			       expected);
		goto cleanup;
	}
	if (drc == ES_PDF_DECODE_TOO_BIG) {
		es_xref_too_big(s, what);
		goto cleanup;
	}
	if (drc != ES_PDF_DECODE_OK || es_pdf_decoder_count(dec) < expected) {
		es_xref_refuse(s, ESEAL_E_INPUT, "%s is damaged (%s)", what,
			       drc != ES_PDF_DECODE_OK ? es_pdf_decoder_why(dec) : "fewer bytes than its entries need");
		goto cleanup;
	}
	if (es_pdf_decoder_count(dec) > expected)
		es_xref_qpdf_warns(s, "Cross-reference stream data has the wrong size");
	s->x->decoded += es_pdf_decoder_count(dec);
	rc = 0;
cleanup:
	es_pdf_decoder_free(dec);
	free(idx);
	es_dict_free(&d);
	return rc;
}

/* ---- cross-reference tables ---- */

/* At most max bytes at pos into buf, cut at a NUL (QPDF reads the line into a C string). */
static void line_at(es_xref_scan *s, size_t pos, char *buf, size_t max)
{
	size_t got, i;
	const unsigned char *p = es_xref_view(s, pos, &got);

	for (i = 0; i < got && i < max && p[i] != 0; i++)
		buf[i] = (char)p[i];
	buf[i] = '\0';
}

/* Past the line that starts at pos: after its first CR or LF and every CR and LF that follows (the end of the file
 * when there is none), as QPDF's readLine leaves the file. *eol: where the line ends. */
static size_t next_line(es_xref_scan *s, size_t pos, size_t *eol)
{
	size_t got, i;
	const unsigned char *p;
	int seen = 0;

	*eol = s->len;
	while (pos < s->len && s->rc == ESEAL_OK) {
		p = es_xref_view(s, pos, &got);
		for (i = 0; i < got; i++) {
			if (p[i] == '\r' || p[i] == '\n') {
				if (!seen)
					*eol = pos + i;
				seen = 1;
			} else if (seen) {
				return pos + i;
			}
		}
		pos += got;
	}
	return s->len;
}

/* Up to 18 digits at l + *i (QPDF fails on numbers that overflow; we stop earlier). */
static int digits(const char *l, size_t *i, long long *v)
{
	size_t n = 0;

	*v = 0;
	while (is_digit((unsigned char)l[*i])) {
		if (++n > 18)
			return 0;
		*v = *v * 10 + (l[(*i)++] - '0');
	}
	return n > 0;
}

/* QPDF's parse_xrefFirst: "obj count", then white space (line ends included); the bytes used, or 0. */
static size_t parse_first(const char *l, long long *obj, long long *count)
{
	size_t i = 0;

	while (es_xref_qspace((unsigned char)l[i]))
		i++;
	if (!digits(l, &i, obj) || !es_xref_qspace((unsigned char)l[i]))
		return 0;
	while (es_xref_qspace((unsigned char)l[i]))
		i++;
	if (!digits(l, &i, count))
		return 0;
	while (es_xref_qspace((unsigned char)l[i]))
		i++;
	return i;
}

/* QPDF's parse_xrefEntry: "offset gen n|f" with some slack about spaces, which QPDF accepts with a warning (so
 * does an offset not of 10 digits or a generation not of 5): *odd is then set. */
static int parse_entry(const char *l, long long *f1, long long *f2, char *type, int *odd)
{
	size_t i = 0, at;

	*odd = 0;
	while (es_xref_qspace((unsigned char)l[i]))
		i++;
	*odd |= i > 0;
	at = i;
	if (!digits(l, &i, f1) || !es_xref_qspace((unsigned char)l[i]))
		return 0;
	*odd |= i - at != 10 || es_xref_qspace((unsigned char)l[i + 1]);
	while (es_xref_qspace((unsigned char)l[i]))
		i++;
	at = i;
	if (!digits(l, &i, f2) || !es_xref_qspace((unsigned char)l[i]))
		return 0;
	*odd |= i - at != 5 || es_xref_qspace((unsigned char)l[i + 1]);
	while (es_xref_qspace((unsigned char)l[i]))
		i++;
	*type = l[i];
	return l[i] == 'n' || l[i] == 'f';
}

/* The keys of a trailer (or cross-reference stream dictionary) that decide which bytes QPDF reads next. QPDF
 * resolves references there while it reads the chain, so they must be direct. */
static int trailer_keys(es_xref_scan *s, const es_dict *d, const char *what, size_t off, int is_table, int first,
			long long *prev, long long *xref_stm)
{
	const es_dict_entry *e;

	if (es_xref_once(s, d, "/Prev", what, off, &e) < 0 || es_xref_opt_int(s, e, what, off, prev) < 0)
		return -1;
	if (*prev < 0 || (*prev > 0 && (size_t)*prev >= s->len))
		return es_xref_refuse(s, ESEAL_E_INPUT, "the %s at offset %zu has /Prev %lld outside the file", what,
				      off, *prev);
	if (is_table &&
	    (es_xref_once(s, d, "/XRefStm", what, off, &e) < 0 || es_xref_opt_int(s, e, what, off, xref_stm) < 0))
		return -1;
	if (is_table && *xref_stm >= 0 && (*xref_stm == 0 || (size_t)*xref_stm >= s->len))
		return es_xref_refuse(s, ESEAL_E_INPUT, "the %s at offset %zu has /XRefStm %lld outside the file", what,
				      off, *xref_stm);
	if (!first)
		return 0;
	if (es_xref_once(s, d, "/Size", what, off, &e) < 0)
		return -1;
	if (e == NULL || e->type != ES_VAL_INT)
		return es_xref_refuse(s, ESEAL_E_INPUT, "the %s at offset %zu has no direct integer /Size", what, off);
	s->size = e->num;
	if (es_xref_once(s, d, "/Encrypt", what, off, &e) < 0)
		return -1;
	if (e != NULL && e->type != ES_VAL_NULL) {
		s->x->encrypted = 1;
		/* QPDF reads the encryption dictionary while it opens the file: nothing in it may be resolved. */
		if (e->type == ES_VAL_REF) {
			s->enc_num = e->num;
			s->enc_gen = e->gen;
			s->enc_ref = 1;
		} else if (e->has_ref) {
			return es_xref_refuse(s, ESEAL_E_INPUT, "the encryption dictionary holds indirect references");
		}
		if (es_xref_once(s, d, "/ID", what, off, &e) < 0)
			return -1;
		if (e != NULL && e->has_ref)
			return es_xref_refuse(s, ESEAL_E_INPUT, "the trailer's /ID holds indirect references");
	}
	return 0;
}

static int read_table(es_xref_scan *s, size_t off, size_t pos, long long *prev)
{
	es_lex lx, after;
	es_tok t;
	es_dict d = {0};
	char line[51], entry[31];
	long long obj, count, k, f1, f2, xref_stm = -1;
	char what[80];
	size_t used, eol, dstart, at;
	int cut, first = s->x->n_sections == 0, rc = -1, odd;
	char type;

	if (add_section(s, off, 0, 0) < 0)
		return -1;
	for (;;) {
		line_at(s, pos, line, 50);
		if ((used = parse_first(line, &obj, &count)) == 0)
			return es_xref_refuse(s, ESEAL_E_INPUT,
					      "the cross-reference table at offset %zu is damaged (offset %zu)", off,
					      pos);
		pos += used;
		if ((unsigned long long)count > s->max_objects - s->x->n_objects) {
			snprintf(what, sizeof(what), "the cross-reference table at offset %zu", off);
			return too_many(s, what, (unsigned long long)count);
		}
		for (k = 0; k < count; k++) {
			line_at(s, pos, entry, 30);
			at = pos;
			pos = next_line(s, pos, &eol);
			if (eol - at < 30)
				entry[eol - at < strlen(entry) ? eol - at : strlen(entry)] = '\0';
			if (!parse_entry(entry, &f1, &f2, &type, &odd))
				return es_xref_refuse(
					s, ESEAL_E_INPUT,
					"the cross-reference table at offset %zu has an invalid entry for object %lld",
					off, obj + k);
			if (odd)
				es_xref_qpdf_warns(s, "accepting invalid xref table entry");
			if (add_object(s, obj + k, type == 'n' ? 1 : 0, f1, f2) < 0)
				return -1;
		}
		es_xref_lex_at(s, pos, &lx, &cut);
		if (es_lex_next(&lx, &t) == ES_TOK_WORD && strcmp(t.text, "trailer") == 0) {
			pos += t.end;
			break;
		}
		if (s->rc != ESEAL_OK)
			return -1;
	}
	es_xref_lex_at(s, pos, &lx, &cut);
	dstart = es_xref_next_start(&lx);
	if (es_xref_read_dict(s, &lx, cut, &d, "trailer", pos) < 0)
		goto cleanup;
	/* QPDF reads a dictionary followed by "stream" as a stream's: that table then has no trailer dictionary to it */
	after = lx;
	if (es_lex_next(&after, &t) == ES_TOK_WORD && strcmp(t.text, "stream") == 0) {
		es_xref_refuse(s, ESEAL_E_INPUT,
			       "the trailer of the cross-reference table at offset %zu is followed by the keyword "
			       "\"stream\" (read as a stream, not as a trailer dictionary)",
			       off);
		goto cleanup;
	}
	s->x->sections[s->x->n_sections - 1].trailer_start = (long long)(pos + dstart);
	s->x->sections[s->x->n_sections - 1].trailer_end = s->x->sections[s->x->n_sections - 1].end =
		(long long)(pos + lx.pos);
	if (trailer_keys(s, &d, "trailer", pos, 1, first, prev, &xref_stm) < 0)
		goto cleanup;
	s->x->sections[s->x->n_sections - 1].prev = *prev > 0 ? *prev : -1;
	s->x->sections[s->x->n_sections - 1].xref_stm = xref_stm;
	if (xref_stm > 0) {
		long long ignored = 0; /* QPDF follows the table's /Prev, not the stream's */

		if (read_xref_stream(s, (size_t)xref_stm, 1, &ignored) < 0)
			goto cleanup;
	}
	rc = 0;
cleanup:
	es_dict_free(&d);
	return rc;
}

/* One section at off (a startxref or /Prev): a table when "xref" follows the white space there, else a stream. */
static int read_section(es_xref_scan *s, size_t off, long long *prev)
{
	size_t got, i = 0, skip = 4;
	const unsigned char *p = es_xref_view(s, off, &got);

	while (i < got && es_xref_qspace(p[i]))
		i++;
	if (got - i >= 5 && memcmp(p + i, "xref", 4) == 0 && es_xref_qspace(p[i + 4])) {
		/* As QPDF: the table is read from off plus what follows "xref" (white space before it is not added). */
		if (i > 0)
			es_xref_qpdf_warns(s, "extraneous whitespace seen before xref");
		while (skip < 6 && i + skip < got && es_xref_qspace(p[i + skip]))
			skip++;
		return read_table(s, off, off + skip, prev);
	}
	return read_xref_stream(s, off, 0, prev);
}

/* QPDF's last check of the chain: /Size is one past the highest object number any entry names. */
static void check_size(es_xref_scan *s)
{
	unsigned int max = 0;
	size_t i;

	for (i = 0; i < s->x->n_objects; i++)
		if (s->x->objects[i].num > max)
			max = s->x->objects[i].num;
	if (s->size < 1 || s->size - 1 != (long long)max)
		es_xref_qpdf_warns(s, "reported number of objects (/Size) is not one plus the highest object number");
}

static int find_startxref(es_xref_scan *s)
{
	size_t start = s->len > TAIL ? s->len - TAIL : 0, got, i;
	const unsigned char *p = es_xref_view(s, start, &got);
	es_lex lx;
	es_tok t;

	for (i = got >= 9 ? got - 8 : 0; i-- > 0;) {
		if (memcmp(p + i, "startxref", 9) != 0)
			continue;
		es_lex_init(&lx, p, got, i);
		if (es_lex_next(&lx, &t) != ES_TOK_WORD || strcmp(t.text, "startxref") != 0 ||
		    es_lex_next(&lx, &t) != ES_TOK_INT)
			continue;
		if (t.ival <= 0 || (size_t)t.ival >= s->len)
			return es_xref_refuse(s, ESEAL_E_INPUT, "startxref %lld is outside the file", t.ival);
		s->x->startxref = t.ival;
		return 0;
	}
	return s->rc != ESEAL_OK ? -1 : es_xref_refuse(s, ESEAL_E_INPUT, "no startxref in the last %d bytes", TAIL);
}

static int read_chain(es_xref_scan *s)
{
	long long off = s->x->startxref, prev;
	size_t i;

	while (off > 0) {
		prev = 0;
		if (read_section(s, (size_t)off, &prev) < 0)
			return -1;
		for (i = 0; prev > 0 && i < s->x->n_sections; i++)
			if (!s->x->sections[i].hybrid && s->x->sections[i].start == prev)
				return es_xref_refuse(s, ESEAL_E_INPUT,
						      "the cross-reference chain loops back to offset %lld", prev);
		off = prev;
	}
	return 0;
}

int es_pdf_xref_scan(const unsigned char *buf, int fd, size_t len, es_pdf_xref **out, char *why, size_t why_len)
{
	es_xref_scan s;

	memset(&s, 0, sizeof(s));
	*out = NULL;
	why[0] = '\0';
	s.mem = buf;
	s.fd = fd;
	s.len = len;
	s.why = why;
	s.why_len = why_len;
	s.rc = ESEAL_OK;
	s.max_objects = len / 4 > ES_PDF_XREF_OBJECTS_MIN ? len / 4 : ES_PDF_XREF_OBJECTS_MIN;
	s.x = calloc(1, sizeof(*s.x));
	if (s.x == NULL || (buf == NULL && (s.win = malloc(ES_XREF_WIN)) == NULL)) {
		free(s.x);
		snprintf(why, why_len, "out of memory");
		return ESEAL_E_INTERNAL;
	}
	s.x->limit = len > ((size_t)-1) / ES_PDF_XREF_DECODED_RATIO ? (size_t)-1 : len * ES_PDF_XREF_DECODED_RATIO;
	s.x->file_size = len;
	s.x->token_limit = len > ((size_t)-1) / ES_PDF_XREF_TOKENS_PER_BYTE ? (size_t)-1 :
									      len * ES_PDF_XREF_TOKENS_PER_BYTE;
	if (s.x->token_limit < ES_PDF_XREF_TOKENS_MIN)
		s.x->token_limit = ES_PDF_XREF_TOKENS_MIN;
	if (s.x->limit < ES_PDF_XREF_DECODED_MIN)
		s.x->limit = ES_PDF_XREF_DECODED_MIN;
	if (find_startxref(&s) == 0 && read_chain(&s) == 0) {
		check_size(&s);
		es_xref_check_objstms(&s);
	}
	free(s.win);
	free(s.in_objstm);
	if (s.rc != ESEAL_OK) {
		es_pdf_xref_free(s.x);
		return s.rc;
	}
	*out = s.x;
	return ESEAL_OK;
}

void es_pdf_xref_free(es_pdf_xref *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->n_kept; i++)
		free(x->kept[i].data);
	free(x->kept);
	free(x->sections);
	free(x->objects);
	free(x->objstm);
	free(x);
}

const es_pdf_objstm_data *es_pdf_xref_kept(const es_pdf_xref *x, unsigned int num, size_t offset)
{
	size_t i;

	for (i = 0; x != NULL && i < x->n_kept; i++)
		if (x->kept[i].num == num && x->kept[i].offset == offset)
			return &x->kept[i];
	return NULL;
}
