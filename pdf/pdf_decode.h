/* pdf/pdf_decode.h: stream data decoded by our own code with a hard cap on its size. QPDF's decoders have none, so
 * what eseal decodes itself (DSS entries) and what it must size before QPDF decodes it (object streams) come here. */
#ifndef ES_PDF_DECODE_H
#define ES_PDF_DECODE_H

#include <stddef.h>

#include <qpdf/qpdf-c.h>

/* The one filter we decode, FlateDecode (or none), with the predictor of its /DecodeParms. Other filters are refused:
 * validation data is DER, object and cross-reference streams are written with FlateDecode. */
typedef struct es_pdf_filter {
	int flate;     /* 1: FlateDecode; 0: the data are not encoded */
	int predictor; /* 1 none, 2 TIFF, 10..15 PNG */
	int colors, bpc, columns;
} es_pdf_filter;

#define ES_PDF_FILTER_INIT    \
	{                     \
		0, 1, 1, 8, 1 \
	}

enum {
	ES_PDF_DECODE_OK = 0,
	ES_PDF_DECODE_TOO_BIG = -1, /* more than the cap came out: decoding stopped there */
	ES_PDF_DECODE_BAD = -2,     /* damaged data, or a filter or predictor we do not decode */
	ES_PDF_DECODE_NOMEM = -3
};

/* 1 when name ("/FlateDecode", its abbreviation "/Fl") is the filter we decode; sets f->flate. */
int es_pdf_filter_name(es_pdf_filter *f, const char *name);
/* Checks the predictor parameters (as QPDF would use them); ES_PDF_DECODE_OK or BAD with why filled. */
int es_pdf_filter_check(const es_pdf_filter *f, char *why, size_t why_len);

/* Receives decoded bytes; non-zero stops decoding (reported as BAD). */
typedef int (*es_pdf_sink)(void *ctx, const unsigned char *data, size_t len);

typedef struct es_pdf_decoder es_pdf_decoder;

/* A streaming decoder. With predict, the predictor is applied and its output counted; without, only the inflated
 * bytes are counted (an upper bound of the predicted size), which is all a size check needs. sink may be NULL (the
 * output is only counted). Decoding fails with TOO_BIG as soon as more than cap bytes came out. As QPDF does, input
 * after the end of the Flate stream is ignored, a bad checksum ends it, and a truncated one is kept. */
es_pdf_decoder *es_pdf_decoder_new(const es_pdf_filter *f, int predict, size_t cap, es_pdf_sink sink, void *ctx);
/* Feeds encoded bytes. Returns ES_PDF_DECODE_OK or the first failure (which sticks). */
int es_pdf_decoder_write(es_pdf_decoder *d, const unsigned char *in, size_t len);
/* After the last write: flushes a partial predictor row. Returns as es_pdf_decoder_write. */
int es_pdf_decoder_finish(es_pdf_decoder *d);
/* Bytes that came out so far. */
size_t es_pdf_decoder_count(const es_pdf_decoder *d);
/* 1 once the Flate stream has ended (further input is ignored). */
int es_pdf_decoder_ended(const es_pdf_decoder *d);
/* Names what went wrong after a failure ("damaged Flate data: ...", "more than N bytes"). */
const char *es_pdf_decoder_why(const es_pdf_decoder *d);
void es_pdf_decoder_free(es_pdf_decoder *d);

/* The data of stream (read raw from QPDF: decrypted, not decoded) decoded by us with at most cap bytes into *out
 * (malloc'd, *len bytes). The data are sized before anything is kept, so refusing a bomb costs time (inflating up
 * to cap) but no memory. Returns ES_PDF_DECODE_*; on failure *out is NULL, *len how many bytes came out before it
 * (the work done), and why says what (the filter, the cap). */
int es_pdf_stream_decode(qpdf_data q, qpdf_oh stream, size_t cap, unsigned char **out, size_t *len, char *why,
			 size_t why_len);
/* As es_pdf_stream_decode, in one pass into a buffer that grows as the data come (to twice their size at most): for
 * data es_pdf_xref_scan has already sized against its caps (object streams), where sizing them again costs a second
 * inflate and protects nothing. */
int es_pdf_stream_decode_sized(qpdf_data q, qpdf_oh stream, size_t cap, unsigned char **out, size_t *len, char *why,
			       size_t why_len);

#endif
