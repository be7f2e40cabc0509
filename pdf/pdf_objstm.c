/* pdf/pdf_objstm.c: the object streams the cross-reference chain names, sized before QPDF decodes one: every
 * definition of each (QPDF takes one of them), inflated without keeping the output; encrypted files once QPDF has
 * decrypted them. Also what QPDF reads before we could size anything must not sit in an object stream. */
#include "pdf_xref_internal.h"

#include "eseal/error.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- object streams ---- */

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

typedef struct cand {
	unsigned int num;
	long long off;
} cand;

/* In file order (repeats side by side): reading a descriptor, the next stream is often in the window already. */
static int cmp_cand(const void *a, const void *b)
{
	const cand *x = a, *y = b;

	return x->off != y->off ? (x->off < y->off ? -1 : 1) : x->num < y->num ? -1 : x->num > y->num;
}

static int has_num(const unsigned int *v, size_t n, long long num)
{
	unsigned int k;

	if (num < 0 || num > UINT_MAX)
		return 0;
	k = (unsigned int)num;
	return bsearch(&k, v, n, sizeof(*v), cmp_uint) != NULL;
}

/* Sorts v[0..*n) and drops repeats. */
static void sort_unique(unsigned int *v, size_t *n)
{
	size_t i, o = 0;

	es_xref_sort(v, *n, sizeof(*v), cmp_uint);
	for (i = 0; i < *n; i++)
		if (o == 0 || v[o - 1] != v[i])
			v[o++] = v[i];
	*n = o;
}

/* The verdict on an object stream just sized: over the size or token limit, or fine. */
static int size_result(const es_pdf_xref *x, int drc, int over_tokens, const char *what, char *why, size_t why_len)
{
	char size[32];

	if (drc == ES_PDF_DECODE_NOMEM) {
		snprintf(why, why_len, "out of memory");
		return ESEAL_E_INTERNAL;
	}
	if (over_tokens) {
		snprintf(
			why, why_len,
			"%s holds more than %zu tokens (the limit for the object streams of a %s file: QPDF keeps each "
			"number and name as an object of its own; a decompression bomb?)",
			what, x->token_limit, es_xref_human(x->file_size, size, sizeof(size)));
		return ESEAL_E_INPUT;
	}
	if (drc == ES_PDF_DECODE_TOO_BIG) {
		es_xref_bomb_message(x, what, why, why_len);
		return ESEAL_E_INPUT;
	}
	return ESEAL_OK;
}

/* Counts the tokens of the decoded data as they come (when counting), stopping the decoder once there are too many;
 * and keeps the data (when keeping) until they pass what one stream may keep. */
typedef struct tokens {
	es_pdf_xref *x;
	unsigned char prev;
	int over;
	int counting;
	int keeping;
	unsigned char *kept;
	size_t kept_len, kept_cap;
} tokens;

static void keep_bytes(tokens *t, const unsigned char *p, size_t n)
{
	unsigned char *nk;
	size_t cap;

	if (t->kept_len + n > ES_PDF_XREF_KEEP_ONE || t->x->kept_bytes + t->kept_len + n > ES_PDF_XREF_KEEP_ALL) {
		t->keeping = 0;
		return;
	}
	if (t->kept_len + n > t->kept_cap) {
		for (cap = t->kept_cap ? t->kept_cap : 65536; cap < t->kept_len + n; cap *= 2)
			;
		if ((nk = realloc(t->kept, cap)) == NULL) {
			t->keeping = 0;
			return;
		}
		t->kept = nk;
		t->kept_cap = cap;
	}
	memcpy(t->kept + t->kept_len, p, n);
	t->kept_len += n;
}

static int count_tokens(void *ctx, const unsigned char *p, size_t n)
{
	tokens *t = ctx;

	if (t->keeping)
		keep_bytes(t, p, n);
	if (!t->counting)
		return 0;
	t->x->tokens += es_lex_count_tokens(p, n, &t->prev);
	t->over = t->x->tokens > t->x->token_limit;
	return t->over ? -1 : 0;
}

/* Whether the readers may take this definition's decoded data from the sizing pass: it reads as both read it (see
 * es_pdf_objstm_data), in a file held in memory, not yet kept. d: its dictionary; lx: the lexer that read it,
 * relative to off, with stream_end the end of "stream"; [start, start + len): the data. */
static int plain(const es_xref_scan *s, const es_dict *d, const es_lex *lx, size_t stream_end, size_t start,
		 long long len, const es_pdf_filter *f, unsigned int num, size_t off)
{
	const es_dict_entry *type = es_dict_get(d, "/Type", NULL), *parms = es_dict_get(d, "/DecodeParms", NULL);
	es_lex after;
	es_tok t;

	if (s->mem == NULL || s->x->encrypted || len < 0 || (size_t)len > s->len - start || f->predictor != 1 ||
	    (parms != NULL && parms->type != ES_VAL_NULL) || type == NULL || type->type != ES_VAL_NAME ||
	    strcmp(type->name, "/ObjStm") != 0 || es_xref_data_start_odd(lx, stream_end) ||
	    es_pdf_xref_kept(s->x, num, off) != NULL)
		return 0;
	es_lex_init(&after, s->mem, s->len, start + (size_t)len);
	return es_lex_next(&after, &t) == ES_TOK_WORD && strcmp(t.text, "endstream") == 0 &&
	       es_lex_next(&after, &t) == ES_TOK_WORD && strcmp(t.text, "endobj") == 0;
}

/* Stores t's data as the decoded object stream num at off (the data move to x); nothing when out of memory. */
static void store_kept(es_pdf_xref *x, tokens *t, unsigned int num, size_t off)
{
	es_pdf_objstm_data *nk = realloc(x->kept, (x->n_kept + 1) * sizeof(*nk));

	if (nk == NULL)
		return;
	x->kept = nk;
	nk[x->n_kept].num = num;
	nk[x->n_kept].offset = off;
	nk[x->n_kept].data = t->kept;
	nk[x->n_kept].len = t->kept_len;
	x->n_kept++;
	x->kept_bytes += t->kept_len;
	t->kept = NULL;
}

/* Decodes raw[0..len) (an object stream's data) without keeping it, adding to x->decoded and x->tokens. Returns
 * ESEAL_OK, or ESEAL_E_INPUT with why naming what (as "<what> decodes to more than ..."). Damaged data stop QPDF's
 * decoder where they stop ours: what came out until then is what counts. */
static int size_data(es_pdf_xref *x, const es_pdf_filter *f, const char *what, const unsigned char *raw, size_t len,
		     char *why, size_t why_len)
{
	tokens t = {x, ' ', 0, 1, 0, NULL, 0, 0};
	es_pdf_decoder *d = es_pdf_decoder_new(f, 0, x->limit - x->decoded, count_tokens, &t);
	int drc;

	if (d == NULL) {
		snprintf(why, why_len, "out of memory");
		return ESEAL_E_INTERNAL;
	}
	es_pdf_decoder_write(d, raw, len);
	drc = es_pdf_decoder_finish(d);
	x->decoded += es_pdf_decoder_count(d);
	es_pdf_decoder_free(d);
	return size_result(x, drc, t.over, what, why, why_len);
}

/* One definition (type-1 entry) of object stream num at off: checked, and (unencrypted files) sized. */
static int size_objstm(es_xref_scan *s, unsigned int num, size_t off)
{
	es_lex lx;
	es_tok t1, t2, t3;
	es_dict d = {0};
	const es_dict_entry *length, *type;
	es_pdf_filter f;
	es_pdf_decoder *dec = NULL;
	long long len_v = -1;
	size_t start, end;
	int cut, rc = -1, drc, fin;
	char what[64], why[512];
	tokens t = {NULL, ' ', 0, 0, 0, NULL, 0, 0};

	/* What QPDF cannot read as "n g obj" it does not decode (offset 0 and object 0 are null to it). */
	if (off == 0 || off >= s->len)
		return 0;
	es_xref_lex_at(s, off, &lx, &cut);
	if (es_lex_next(&lx, &t1) != ES_TOK_INT || es_lex_next(&lx, &t2) != ES_TOK_INT ||
	    es_lex_next(&lx, &t3) != ES_TOK_WORD || strcmp(t3.text, "obj") != 0 || t1.ival == 0)
		return 0;
	snprintf(what, sizeof(what), "object stream %u (at offset %zu)", num, off);
	if (es_lex_next(&lx, &t1) != ES_TOK_DICT_OPEN)
		return 0; /* not a stream: QPDF says so and decodes nothing */
	lx.pos = t1.start;
	if (es_xref_read_dict(s, &lx, cut, &d, what, off) < 0)
		goto cleanup;
	if (es_lex_next(&lx, &t1) != ES_TOK_WORD || strcmp(t1.text, "stream") != 0) {
		rc = 0;
		goto cleanup;
	}
	start = off + es_xref_data_start(&lx, t1.end);
	if (es_xref_once(s, &d, "/Length", what, off, &length) < 0 ||
	    es_xref_once(s, &d, "/Type", what, off, &type) < 0 || es_xref_stream_filter(s, &lx, &d, what, off, &f) < 0)
		goto cleanup;
	if (type != NULL && type->has_ref) {
		es_xref_refuse(s, ESEAL_E_INPUT, "%s has an indirect /Type", what);
		goto cleanup;
	}
	if (length != NULL && length->type == ES_VAL_INT && length->num >= 0)
		len_v = length->num;
	/* QPDF resolves an indirect /Length while it reads the stream: in an encrypted file, before we size anything. */
	if (s->x->encrypted && length != NULL && length->type == ES_VAL_REF &&
	    has_num(s->in_objstm, s->n_in_objstm, length->num)) {
		es_xref_refuse(s, ESEAL_E_INPUT, "%s has its /Length in an object stream", what);
		goto cleanup;
	}
	rc = 0;
	if (s->x->encrypted)
		goto cleanup; /* sized once decrypted: es_pdf_xref_check_qpdf */
	/* An unknown /Length: inflating up to the end of the file counts at least what QPDF's shorter read gives. */
	end = len_v >= 0 && (size_t)len_v < s->len - start ? start + (size_t)len_v : s->len;
	t.x = s->x;
	t.counting = s->count_tokens;
	t.keeping = plain(s, &d, &lx, t1.end, start, len_v, &f, num, off);
	dec = es_pdf_decoder_new(&f, 0, es_xref_budget(s), count_tokens, &t);
	if (dec == NULL) {
		rc = es_xref_refuse(s, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	es_xref_feed(s, dec, start, end);
	drc = fin = es_pdf_decoder_finish(dec);
	s->x->decoded += es_pdf_decoder_count(dec);
	if (s->rc != ESEAL_OK) {
		rc = -1;
	} else if ((drc = size_result(s->x, drc, t.over, what, why, sizeof(why))) != ESEAL_OK) {
		rc = es_xref_refuse(s, drc, "%s", why);
	} else if (t.keeping && fin == ES_PDF_DECODE_OK) {
		store_kept(s->x, &t, num, off);
	}
cleanup:
	free(t.kept);
	es_pdf_decoder_free(dec);
	es_dict_free(&d);
	return rc;
}

/* The encryption dictionary QPDF reads while opening: not in an object stream, no reference inside. */
static int check_encrypt(es_xref_scan *s)
{
	const es_pdf_xref_object *o;
	es_lex lx;
	es_tok t;
	es_dict d = {0};
	size_t i, k;
	int cut;

	if (!s->enc_ref)
		return 0;
	if (has_num(s->in_objstm, s->n_in_objstm, s->enc_num))
		return es_xref_refuse(s, ESEAL_E_INPUT, "the encryption dictionary is in an object stream");
	for (i = 0; i < s->x->n_objects; i++) {
		o = &s->x->objects[i];
		if (o->type != 1 || o->num != s->enc_num || o->gen != s->enc_gen || o->offset <= 0 ||
		    (size_t)o->offset >= s->len)
			continue;
		es_xref_lex_at(s, (size_t)o->offset, &lx, &cut);
		es_lex_next(&lx, &t);
		es_lex_next(&lx, &t);
		if (es_lex_next(&lx, &t) != ES_TOK_WORD || strcmp(t.text, "obj") != 0)
			continue;
		if (es_xref_read_dict(s, &lx, cut, &d, "encryption dictionary", (size_t)o->offset) < 0)
			return -1;
		for (k = 0; k < d.n; k++)
			if (d.e[k].has_ref) {
				es_dict_free(&d);
				return es_xref_refuse(s, ESEAL_E_INPUT,
						      "the encryption dictionary holds indirect references");
			}
		es_dict_free(&d);
	}
	return 0;
}

/* Sizes each definition of the object streams once, in file order. */
static int size_candidates(es_xref_scan *s, const cand *c, size_t nc)
{
	size_t i;

	for (i = 0; i < nc; i++) {
		if (i > 0 && c[i].num == c[i - 1].num && c[i].off == c[i - 1].off)
			continue;
		if (c[i].off > 0 && size_objstm(s, c[i].num, (size_t)c[i].off) < 0)
			return -1;
	}
	return 0;
}

int es_xref_check_objstms(es_xref_scan *s)
{
	es_pdf_xref *x = s->x;
	cand *c = NULL;
	size_t i, n2 = 0, nc = 0, base;
	int rc = -1;

	for (i = 0; i < x->n_objects; i++)
		n2 += x->objects[i].type == 2;
	s->in_objstm = malloc((n2 + 1) * sizeof(*s->in_objstm));
	x->objstm = malloc((n2 + 1) * sizeof(*x->objstm));
	if (s->in_objstm == NULL || x->objstm == NULL)
		return es_xref_refuse(s, ESEAL_E_INTERNAL, "out of memory");
	for (i = 0, n2 = 0; i < x->n_objects; i++) {
		if (x->objects[i].type != 2)
			continue;
		s->in_objstm[n2] = x->objects[i].num;
		x->objstm[n2++] = (unsigned int)x->objects[i].offset;
	}
	s->n_in_objstm = x->n_objstm = n2;
	sort_unique(s->in_objstm, &s->n_in_objstm);
	sort_unique(x->objstm, &x->n_objstm);
	if (check_encrypt(s) < 0)
		return -1;
	/* Every definition of each object stream in any section: the one QPDF takes is among them. */
	for (i = 0; i < x->n_objects; i++)
		nc += x->objects[i].type == 1 && x->objects[i].gen == 0 &&
		      has_num(x->objstm, x->n_objstm, x->objects[i].num);
	c = malloc((nc + 1) * sizeof(*c));
	if (c == NULL)
		return es_xref_refuse(s, ESEAL_E_INTERNAL, "out of memory");
	for (i = 0, nc = 0; i < x->n_objects; i++) {
		if (x->objects[i].type == 1 && x->objects[i].gen == 0 &&
		    has_num(x->objstm, x->n_objstm, x->objects[i].num)) {
			c[nc].num = x->objects[i].num;
			c[nc++].off = x->objects[i].offset;
		}
	}
	es_xref_sort(c, nc, sizeof(*c), cmp_cand);
	for (i = 0; i < x->n_objstm; i++) {
		if (has_num(s->in_objstm, s->n_in_objstm, x->objstm[i])) {
			es_xref_refuse(s, ESEAL_E_INPUT, "object stream %u is itself in an object stream",
				       x->objstm[i]);
			goto cleanup;
		}
	}
	/* A token takes at least a byte: while the object streams decode to no more bytes than the token cap, counting
	 * cannot refuse anything. So they are first only inflated, and inflated again with their tokens counted only
	 * when they decode to more (a third of the time of sealing a 36-page manual went into counting). */
	base = x->decoded;
	s->count_tokens = 0;
	if (size_candidates(s, c, nc) < 0)
		goto cleanup;
	if (x->decoded - base > x->token_limit) {
		x->decoded = base;
		s->count_tokens = 1;
		if (size_candidates(s, c, nc) < 0)
			goto cleanup;
	} else {
		x->tokens = x->decoded - base;
	}
	rc = 0;
cleanup:
	free(c);
	return rc;
}

int es_pdf_xref_check_qpdf(es_pdf_xref *x, qpdf_data q, char *why, size_t why_len)
{
	es_pdf_filter f;
	es_pdf_filter init = ES_PDF_FILTER_INIT;
	qpdf_oh oh, dict, filter;
	unsigned char *raw;
	size_t i, raw_len;
	int rc = ESEAL_OK;
	char what[64];

	for (i = 0; x->encrypted && i < x->n_objstm && rc == ESEAL_OK; i++) {
		oh = qpdf_get_object_by_id(q, (int)x->objstm[i], 0);
		if (!qpdf_oh_is_stream(q, oh)) {
			qpdf_oh_release(q, oh);
			continue;
		}
		dict = qpdf_oh_get_dict(q, oh);
		filter = qpdf_oh_get_key(q, dict, "/Filter");
		if (qpdf_oh_is_array(q, filter) && qpdf_oh_get_array_n_items(q, filter) == 1) {
			qpdf_oh item = qpdf_oh_get_array_item(q, filter, 0);

			qpdf_oh_release(q, filter);
			filter = item;
		}
		f = init;
		/* (Anything but FlateDecode was refused by the scan, which saw every definition of this stream.) */
		if (qpdf_oh_is_name(q, filter))
			es_pdf_filter_name(&f, qpdf_oh_get_name(q, filter));
		raw = NULL;
		raw_len = 0;
		if (!(qpdf_oh_get_stream_data(q, oh, qpdf_dl_none, NULL, &raw, &raw_len) & QPDF_ERRORS)) {
			snprintf(what, sizeof(what), "object stream %u", x->objstm[i]);
			rc = size_data(x, &f, what, raw, raw_len, why, why_len);
		}
		free(raw);
		if (qpdf_has_error(q))
			qpdf_get_error(q);
		qpdf_oh_release(q, filter);
		qpdf_oh_release(q, dict);
		qpdf_oh_release(q, oh);
	}
	return rc;
}
