/* pdf/pdf_decode.c: our FlateDecode (zlib, with the PNG and TIFF predictors) that stops as soon as its output passes
 * a cap, streaming into a sink, so sizing a stream costs constant memory and a bomb only as long as its cap. */
#include "pdf_decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define OUT_CHUNK 16384
#define MAX_ROW_BYTES (1u << 20)

struct es_pdf_decoder {
	es_pdf_filter f;
	int predict, rc, ended;
	size_t cap, count;
	es_pdf_sink sink;
	void *ctx;
	z_stream z;
	int z_open;
	/* predictor: the row being filled (PNG: its type byte first), the row being decoded, the one above it */
	unsigned char *row, *cur, *prev;
	size_t row_len, bpp, pos;
	char why[160];
	unsigned char out[OUT_CHUNK];
};

int es_pdf_filter_name(es_pdf_filter *f, const char *name)
{
	f->flate = strcmp(name, "/FlateDecode") == 0 || strcmp(name, "/Fl") == 0;
	return f->flate;
}

int es_pdf_filter_check(const es_pdf_filter *f, char *why, size_t why_len)
{
	if (!f->flate || f->predictor == 1)
		return ES_PDF_DECODE_OK;
	if (f->predictor != 2 && (f->predictor < 10 || f->predictor > 15)) {
		snprintf(why, why_len, "unknown /Predictor %d", f->predictor);
		return ES_PDF_DECODE_BAD;
	}
	if (f->colors < 1 || f->colors > 32 || f->columns < 1 ||
	    (f->bpc != 1 && f->bpc != 2 && f->bpc != 4 && f->bpc != 8 && f->bpc != 16) ||
	    ((size_t)f->columns * (size_t)f->colors * (size_t)f->bpc + 7) / 8 > MAX_ROW_BYTES) {
		snprintf(why, why_len,
			 "predictor parameters out of range (/Colors %d /BitsPerComponent %d /Columns %d)", f->colors,
			 f->bpc, f->columns);
		return ES_PDF_DECODE_BAD;
	}
	if (f->predictor == 2 && f->bpc != 8) {
		snprintf(why, why_len, "TIFF predictor with %d bits per component not decoded", f->bpc);
		return ES_PDF_DECODE_BAD;
	}
	return ES_PDF_DECODE_OK;
}

static int fail(es_pdf_decoder *d, int rc, const char *what)
{
	if (d->rc == ES_PDF_DECODE_OK) {
		d->rc = rc;
		snprintf(d->why, sizeof(d->why), "%s", what);
	}
	return d->rc;
}

/* The end of the line: counted against the cap, then handed to the sink. */
static int emit(es_pdf_decoder *d, const unsigned char *p, size_t n)
{
	if (n > d->cap - d->count) {
		snprintf(d->why, sizeof(d->why), "more than %zu bytes", d->cap);
		d->rc = ES_PDF_DECODE_TOO_BIG;
		return d->rc;
	}
	d->count += n;
	if (d->sink != NULL && n > 0 && d->sink(d->ctx, p, n) != 0)
		return fail(d, ES_PDF_DECODE_BAD, "refused by its reader");
	return ES_PDF_DECODE_OK;
}

static unsigned char paeth(unsigned char a, unsigned char b, unsigned char c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* One full row: undo its predictor into cur (prev holds the row above, PNG) and emit it. */
static int predict_row(es_pdf_decoder *d)
{
	int png = d->f.predictor >= 10;
	size_t n = png ? d->row_len - 1 : d->row_len, i, bpp = d->bpp;
	const unsigned char *in = png ? d->row + 1 : d->row;
	unsigned char *cur = d->cur, *prev = d->prev, *tmp, left, up, ul;

	for (i = 0; i < n; i++) {
		left = i >= bpp ? cur[i - bpp] : 0;
		up = prev[i];
		ul = i >= bpp ? prev[i - bpp] : 0;
		if (!png) {
			cur[i] = (unsigned char)(in[i] + left); /* TIFF 2, 8 bits per component */
			continue;
		}
		switch (d->row[0]) {
		case 1: cur[i] = (unsigned char)(in[i] + left); break;
		case 2: cur[i] = (unsigned char)(in[i] + up); break;
		case 3: cur[i] = (unsigned char)(in[i] + ((left + up) >> 1)); break;
		case 4: cur[i] = (unsigned char)(in[i] + paeth(left, up, ul)); break;
		default: /* 0, and unknown types as QPDF takes them: the bytes as they are */ cur[i] = in[i]; break;
		}
	}
	d->pos = 0;
	tmp = d->prev;
	d->prev = d->cur;
	d->cur = tmp;
	return emit(d, d->prev, n);
}

/* Inflated bytes: through the predictor (row by row) or straight out. */
static int stage2(es_pdf_decoder *d, const unsigned char *p, size_t n)
{
	size_t take;

	if (!d->predict)
		return emit(d, p, n);
	while (n > 0 && d->rc == ES_PDF_DECODE_OK) {
		take = d->row_len - d->pos < n ? d->row_len - d->pos : n;
		memcpy(d->row + d->pos, p, take);
		d->pos += take;
		p += take;
		n -= take;
		if (d->pos == d->row_len)
			predict_row(d);
	}
	return d->rc;
}

es_pdf_decoder *es_pdf_decoder_new(const es_pdf_filter *f, int predict, size_t cap, es_pdf_sink sink, void *ctx)
{
	es_pdf_decoder *d = calloc(1, sizeof(*d));
	size_t bits;

	if (d == NULL)
		return NULL;
	d->f = *f;
	d->predict = predict && f->flate && f->predictor != 1;
	d->cap = cap;
	d->sink = sink;
	d->ctx = ctx;
	if (d->predict) {
		if (es_pdf_filter_check(f, d->why, sizeof(d->why)) != ES_PDF_DECODE_OK) {
			d->rc = ES_PDF_DECODE_BAD;
			return d;
		}
		bits = (size_t)f->colors * (size_t)f->bpc;
		d->bpp = (bits + 7) / 8;
		d->row_len = ((size_t)f->columns * bits + 7) / 8 + (f->predictor >= 10 ? 1 : 0);
		d->row = calloc(1, d->row_len);
		d->cur = calloc(1, d->row_len);
		d->prev = calloc(1, d->row_len);
		if (d->row == NULL || d->cur == NULL || d->prev == NULL)
			fail(d, ES_PDF_DECODE_NOMEM, "out of memory");
	}
	if (f->flate) {
		if (inflateInit(&d->z) != Z_OK)
			fail(d, ES_PDF_DECODE_NOMEM, "out of memory");
		else
			d->z_open = 1;
	}
	return d;
}

int es_pdf_decoder_write(es_pdf_decoder *d, const unsigned char *in, size_t len)
{
	int zr;
	size_t got, used;
	uInt step;

	if (d->rc != ES_PDF_DECODE_OK || d->ended)
		return d->rc;
	if (!d->f.flate)
		return emit(d, in, len);
	while (len > 0 && !d->ended) {
		step = len > (1u << 30) ? (1u << 30) : (uInt)len;
		d->z.next_in = (unsigned char *)(size_t)in; /* zlib does not write through next_in */
		d->z.avail_in = step;
		for (;;) {
			d->z.next_out = d->out;
			d->z.avail_out = sizeof(d->out);
			zr = inflate(&d->z, Z_SYNC_FLUSH);
			/* Other readers (QPDF among them) take a bad Adler-32 as the end of the data. */
			if (zr == Z_DATA_ERROR && d->z.msg != NULL && strcmp(d->z.msg, "incorrect data check") == 0)
				zr = Z_STREAM_END;
			got = sizeof(d->out) - d->z.avail_out;
			if (got > 0 && stage2(d, d->out, got) != ES_PDF_DECODE_OK)
				return d->rc;
			if (zr == Z_STREAM_END) {
				d->ended = 1;
				break;
			}
			if (zr != Z_OK && zr != Z_BUF_ERROR)
				return fail(d, ES_PDF_DECODE_BAD, d->z.msg != NULL ? d->z.msg : "damaged Flate data");
			if (d->z.avail_out != 0)
				break; /* with a sync flush, room left means the input is used up */
		}
		used = step - d->z.avail_in;
		if (used == 0 && !d->ended)
			break;
		in += used;
		len -= used;
	}
	return d->rc;
}

int es_pdf_decoder_finish(es_pdf_decoder *d)
{
	/* A partial last row is completed with zeros and decoded, as QPDF's predictors do. */
	if (d->rc == ES_PDF_DECODE_OK && d->predict && d->pos > 0) {
		memset(d->row + d->pos, 0, d->row_len - d->pos);
		predict_row(d);
	}
	return d->rc;
}

size_t es_pdf_decoder_count(const es_pdf_decoder *d)
{
	return d->count;
}

int es_pdf_decoder_ended(const es_pdf_decoder *d)
{
	return d->ended;
}

const char *es_pdf_decoder_why(const es_pdf_decoder *d)
{
	return d->why;
}

void es_pdf_decoder_free(es_pdf_decoder *d)
{
	if (d == NULL)
		return;
	if (d->z_open)
		inflateEnd(&d->z);
	free(d->row);
	free(d->cur);
	free(d->prev);
	free(d);
}

/* ---- a QPDF stream decoded by us ---- */

typedef struct {
	unsigned char *p;
	size_t len, cap;
} fixed_buf;

static int to_buf(void *ctx, const unsigned char *data, size_t len)
{
	fixed_buf *b = ctx;

	if (len > b->cap - b->len)
		return -1;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

/* A buffer that grows (doubling) as the data come: for data already sized against a cap. */
static int to_growing(void *ctx, const unsigned char *data, size_t len)
{
	fixed_buf *b = ctx;
	size_t nc = b->cap ? b->cap : 4096;
	unsigned char *np;

	while (len > nc - b->len)
		nc *= 2;
	if (nc != b->cap) {
		if ((np = realloc(b->p, nc)) == NULL)
			return -1;
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

static int int_key(qpdf_data q, qpdf_oh dict, const char *key, int dflt)
{
	qpdf_oh v = qpdf_oh_get_key(q, dict, key);

	return qpdf_oh_is_integer(q, v) ? qpdf_oh_get_int_value_as_int(q, v) : dflt;
}

/* /Filter and /DecodeParms of a stream dictionary: none, or one FlateDecode. */
static int qpdf_filter(qpdf_data q, qpdf_oh dict, es_pdf_filter *f, char *why, size_t why_len)
{
	qpdf_oh filter = qpdf_oh_get_key(q, dict, "/Filter"), parms = qpdf_oh_get_key(q, dict, "/DecodeParms");
	es_pdf_filter init = ES_PDF_FILTER_INIT;
	int n;

	*f = init;
	if (qpdf_oh_is_array(q, filter)) {
		n = qpdf_oh_get_array_n_items(q, filter);
		if (n > 1) {
			snprintf(why, why_len, "a chain of %d filters is not decoded", n);
			return ES_PDF_DECODE_BAD;
		}
		filter = n == 1 ? qpdf_oh_get_array_item(q, filter, 0) : qpdf_oh_new_null(q);
		if (qpdf_oh_is_array(q, parms))
			parms = qpdf_oh_get_array_n_items(q, parms) > 0 ? qpdf_oh_get_array_item(q, parms, 0) :
									  qpdf_oh_new_null(q);
	}
	if (qpdf_oh_is_null(q, filter))
		return ES_PDF_DECODE_OK;
	if (!qpdf_oh_is_name(q, filter) || !es_pdf_filter_name(f, qpdf_oh_get_name(q, filter))) {
		snprintf(why, why_len, "filter %s is not decoded (only FlateDecode)",
			 qpdf_oh_is_name(q, filter) ? qpdf_oh_get_name(q, filter) : "(not a name)");
		return ES_PDF_DECODE_BAD;
	}
	if (qpdf_oh_is_dictionary(q, parms)) {
		f->predictor = int_key(q, parms, "/Predictor", 1);
		f->colors = int_key(q, parms, "/Colors", 1);
		f->bpc = int_key(q, parms, "/BitsPerComponent", 8);
		f->columns = int_key(q, parms, "/Columns", 1);
	}
	return es_pdf_filter_check(f, why, why_len);
}

/* Decodes raw into sink (NULL: only counts) with at most cap bytes out. */
static int decode_raw(const es_pdf_filter *f, const unsigned char *raw, size_t raw_len, size_t cap, es_pdf_sink sink,
		      void *ctx, size_t *count, char *why, size_t why_len)
{
	es_pdf_decoder *d = es_pdf_decoder_new(f, 1, cap, sink, ctx);
	int rc;

	if (d == NULL) {
		snprintf(why, why_len, "out of memory");
		return ES_PDF_DECODE_NOMEM;
	}
	es_pdf_decoder_write(d, raw, raw_len);
	rc = es_pdf_decoder_finish(d);
	if (rc != ES_PDF_DECODE_OK)
		snprintf(why, why_len, "%s", es_pdf_decoder_why(d));
	*count = es_pdf_decoder_count(d);
	es_pdf_decoder_free(d);
	return rc;
}

/* es_pdf_stream_decode and es_pdf_stream_decode_sized (sized: one pass into a growing buffer). */
static int stream_decode(qpdf_data q, qpdf_oh stream, size_t cap, int sized, unsigned char **out, size_t *len,
			 char *why, size_t why_len)
{
	es_pdf_filter f;
	fixed_buf b = {0};
	unsigned char *raw = NULL;
	size_t raw_len = 0, n = 0;
	int rc;

	*out = NULL;
	*len = 0;
	why[0] = '\0';
	if ((rc = qpdf_filter(q, qpdf_oh_get_dict(q, stream), &f, why, why_len)) != ES_PDF_DECODE_OK)
		goto cleanup;
	/* Raw: QPDF decrypts (when the file is encrypted) but does not decode. */
	if (qpdf_oh_get_stream_data(q, stream, qpdf_dl_none, NULL, &raw, &raw_len) & QPDF_ERRORS) {
		snprintf(why, why_len, "its data cannot be read");
		rc = ES_PDF_DECODE_BAD;
		goto cleanup;
	}
	if (sized) {
		if ((rc = decode_raw(&f, raw, raw_len, cap, to_growing, &b, &n, why, why_len)) != ES_PDF_DECODE_OK) {
			*len = n;
			goto cleanup;
		}
		*out = b.p;
		*len = b.len;
		b.p = NULL;
		goto cleanup;
	}
	/* Sized first, kept nowhere; then decoded into a buffer of exactly that size: a bomb costs no memory. */
	if ((rc = decode_raw(&f, raw, raw_len, cap, NULL, NULL, &n, why, why_len)) != ES_PDF_DECODE_OK) {
		*len = n;
		goto cleanup;
	}
	b.cap = n;
	b.p = malloc(n > 0 ? n : 1);
	if (b.p == NULL) {
		snprintf(why, why_len, "out of memory");
		rc = ES_PDF_DECODE_NOMEM;
		goto cleanup;
	}
	if ((rc = decode_raw(&f, raw, raw_len, n, to_buf, &b, &n, why, why_len)) != ES_PDF_DECODE_OK)
		goto cleanup;
	*out = b.p;
	*len = b.len;
	b.p = NULL;
cleanup:
	free(raw);
	free(b.p);
	return rc;
}

int es_pdf_stream_decode(qpdf_data q, qpdf_oh stream, size_t cap, unsigned char **out, size_t *len, char *why,
			 size_t why_len)
{
	return stream_decode(q, stream, cap, 0, out, len, why, why_len);
}

int es_pdf_stream_decode_sized(qpdf_data q, qpdf_oh stream, size_t cap, unsigned char **out, size_t *len, char *why,
			       size_t why_len)
{
	return stream_decode(q, stream, cap, 1, out, len, why, why_len);
}
