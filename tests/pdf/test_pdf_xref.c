/* tests/pdf/test_pdf_xref.c: our own reading of the cross-reference chain (pdf/pdf_xref.c) on files built here byte
 * by byte: tables, streams with the PNG predictor, hybrid files, updates; what QPDF would read differently or not at
 * all (loops, repeated or indirect keys, names with #xx); caps; and the capped decoder (pdf/pdf_decode.c). */
#include "eseal/error.h"
#include "pdf/pdf_decode.h"
#include "pdf/pdf_xref.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

typedef struct {
	unsigned char *p;
	size_t len, cap;
	size_t off[64]; /* offset of object n */
} pdf;

static void put(pdf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void putf(pdf *b, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	put(b, tmp, (size_t)n);
}

static void obj(pdf *b, int n, const char *body)
{
	b->off[n] = b->len;
	putf(b, "%d 0 obj\n%s\nendobj\n", n, body);
}

/* A stream object whose data are the zlib compression of data[len]. */
static void flate_obj(pdf *b, int n, const char *dict, const unsigned char *data, size_t len)
{
	uLongf zl = compressBound((uLong)len);
	unsigned char *z = malloc(zl);

	assert_non_null(z);
	assert_int_equal(compress2(z, &zl, data, (uLong)len, 9), Z_OK);
	b->off[n] = b->len;
	putf(b, "%d 0 obj\n<< %s /Filter /FlateDecode /Length %lu >>\nstream\n", n, dict, (unsigned long)zl);
	put(b, z, zl);
	putf(b, "\nendstream\nendobj\n");
	free(z);
}

/* A table for objects first..last (0 free, the others as recorded), its trailer (extra inside) and startxref. */
static size_t table(pdf *b, int first, int last, const char *extra)
{
	size_t at = b->len;
	int i;

	putf(b, "xref\n%d %d\n", first, last - first + 1);
	for (i = first; i <= last; i++)
		putf(b, i == 0 ? "0000000000 65535 f\r\n" : "%010zu 00000 n\r\n", b->off[i]);
	putf(b, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%zu\n%%%%EOF\n", last + 1, extra, at);
	return at;
}

static void base(pdf *b)
{
	memset(b, 0, sizeof(*b));
	putf(b, "%%PDF-1.7\n");
	obj(b, 1, "<< /Type /Catalog /Pages 2 0 R >>");
	obj(b, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
	obj(b, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>");
}

static int scan(pdf *b, es_pdf_xref **x, char *why)
{
	return es_pdf_xref_scan(b->p, -1, b->len, x, why, 512);
}

static void test_classic_table(void **state)
{
	pdf b;
	es_pdf_xref *x = NULL;
	char why[512];

	(void)state;
	base(&b);
	table(&b, 0, 3, "");
	assert_int_equal(scan(&b, &x, why), ESEAL_OK);
	assert_int_equal(x->n_sections, 1);
	assert_int_equal(x->sections[0].is_stream, 0);
	assert_int_equal(x->n_objects, 4);
	assert_int_equal(x->objects[2].num, 2);
	assert_int_equal(x->objects[2].type, 1);
	assert_int_equal(x->objects[2].offset, (long long)b.off[2]);
	assert_int_equal(x->objects[0].type, 0);
	assert_memory_equal(b.p + x->sections[0].trailer_start, "<< /Size 4", 10);
	assert_int_equal(x->encrypted, 0);
	es_pdf_xref_free(x);
	free(b.p);
}

static void test_update_chain_newest_first(void **state)
{
	pdf b;
	es_pdf_xref *x = NULL;
	char why[512], extra[64];
	size_t first;

	(void)state;
	base(&b);
	first = table(&b, 0, 3, "");
	obj(&b, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 20 20] >>");
	snprintf(extra, sizeof(extra), "/Prev %zu", first);
	table(&b, 3, 3, extra);
	assert_int_equal(scan(&b, &x, why), ESEAL_OK);
	assert_int_equal(x->n_sections, 2);
	assert_int_equal(x->sections[0].prev, (long long)first);
	assert_int_equal(x->sections[0].n, 1);
	assert_int_equal(x->sections[1].start, (long long)first);
	assert_int_equal(x->sections[1].prev, -1);
	assert_int_equal(x->objects[x->sections[0].first].offset, (long long)b.off[3]);
	es_pdf_xref_free(x);
	free(b.p);
}

/* How object stream 4 is written: plainly, or so that the sizing pass must not keep its data for the readers. */
enum objstm_kind { OBJSTM_PLAIN, OBJSTM_PARMS, OBJSTM_BYTES_BEFORE_END, OBJSTM_INDIRECT_LENGTH };

static void objstm_obj(pdf *b, enum objstm_kind kind, const unsigned char *data, size_t len)
{
	uLongf zl = compressBound((uLong)len);
	unsigned char *z = malloc(zl);

	assert_non_null(z);
	assert_int_equal(compress2(z, &zl, data, (uLong)len, 9), Z_OK);
	b->off[4] = b->len;
	if (kind == OBJSTM_INDIRECT_LENGTH)
		putf(b, "4 0 obj\n<< /Type /ObjStm /N 2 /First 8 /Filter /FlateDecode /Length 8 0 R >>\nstream\n");
	else
		putf(b, "4 0 obj\n<< /Type /ObjStm /N 2 /First 8 /Filter /FlateDecode %s/Length %lu >>\nstream\n",
		     kind == OBJSTM_PARMS ? "/DecodeParms << /Predictor 12 /Columns 4 >> " : "", (unsigned long)zl);
	put(b, z, zl);
	putf(b, "%s\nendstream\nendobj\n", kind == OBJSTM_BYTES_BEFORE_END ? "xx" : "");
	free(z);
}

/* Rows [type 1][offset 4][gen/index 2] with the PNG Up predictor, as most writers do; object 4 holds 5 and 6. */
static void xref_stream_file_kind(pdf *b, int hybrid_free, size_t *xref_at, enum objstm_kind kind)
{
	unsigned char rows[8 * 8], prev[7] = {0}, row[7], *r = rows;
	unsigned char objstm[] = "5 0 6 7 (five) (six)";
	int i, k, n = 0;
	long long v[8][3];
	char dict[256];

	base(b);
	objstm_obj(b, kind, objstm, sizeof(objstm) - 1);
	v[n][0] = 0, v[n][1] = 0, v[n++][2] = 65535;
	for (i = 1; i <= 4; i++)
		v[n][0] = 1, v[n][1] = (long long)b->off[i], v[n++][2] = 0;
	v[n][0] = hybrid_free ? 0 : 2, v[n][1] = 4, v[n++][2] = 0;
	v[n][0] = 2, v[n][1] = 4, v[n++][2] = 1;
	v[n][0] = 1, v[n][1] = (long long)b->len, v[n++][2] = 0; /* the stream itself, object 7 */
	for (i = 0; i < n; i++) {
		row[0] = (unsigned char)v[i][0];
		for (k = 0; k < 4; k++)
			row[1 + k] = (unsigned char)(v[i][1] >> (8 * (3 - k)));
		row[5] = (unsigned char)(v[i][2] >> 8);
		row[6] = (unsigned char)v[i][2];
		*r++ = 2; /* Up */
		for (k = 0; k < 7; k++)
			*r++ = (unsigned char)(row[k] - prev[k]);
		memcpy(prev, row, 7);
	}
	*xref_at = b->len;
	snprintf(dict, sizeof(dict),
		 "/Type /XRef /Size 8 /Root 1 0 R /W [1 4 2] /DecodeParms << /Predictor 12 /Columns 7 >>");
	flate_obj(b, 7, dict, rows, (size_t)(r - rows));
}

static void xref_stream_file(pdf *b, int hybrid_free, size_t *xref_at)
{
	xref_stream_file_kind(b, hybrid_free, xref_at, OBJSTM_PLAIN);
}

/* The sizing pass keeps an object stream's decoded data for the readers only when they would read those very bytes
 * so (es_pdf_objstm_data): not with /DecodeParms, bytes before "endstream", an indirect /Length, or a file read
 * through its descriptor. */
static void test_objstm_data_kept(void **state)
{
	static const char data[] = "5 0 6 7 (five) (six)";
	enum objstm_kind kinds[] = {OBJSTM_PLAIN, OBJSTM_PARMS, OBJSTM_BYTES_BEFORE_END, OBJSTM_INDIRECT_LENGTH};
	const es_pdf_objstm_data *k;
	pdf b;
	es_pdf_xref *x = NULL;
	char why[512], path[] = "/tmp/eseal-xref-XXXXXX";
	size_t at, i;
	int fd;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		xref_stream_file_kind(&b, 0, &at, kinds[i]);
		putf(&b, "startxref\n%zu\n%%%%EOF\n", at);
		assert_int_equal(scan(&b, &x, why), ESEAL_OK);
		k = es_pdf_xref_kept(x, 4, b.off[4]);
		if (kinds[i] == OBJSTM_PLAIN) {
			assert_non_null(k);
			assert_int_equal(k->len, sizeof(data) - 1);
			assert_memory_equal(k->data, data, k->len);
			assert_null(es_pdf_xref_kept(x, 4, b.off[4] + 1));
			assert_null(es_pdf_xref_kept(x, 5, b.off[4]));
		} else {
			assert_null(k);
		}
		es_pdf_xref_free(x);
		x = NULL;
		if (kinds[i] == OBJSTM_PLAIN) {
			fd = mkstemp(path);
			assert_true(fd >= 0);
			assert_int_equal(write(fd, b.p, b.len), (ssize_t)b.len);
			assert_int_equal(es_pdf_xref_scan(NULL, fd, b.len, &x, why, sizeof(why)), ESEAL_OK);
			assert_null(es_pdf_xref_kept(x, 4, b.off[4]));
			es_pdf_xref_free(x);
			x = NULL;
			close(fd);
			unlink(path);
		}
		free(b.p);
	}
}

static void test_xref_stream_with_predictor(void **state)
{
	pdf b;
	es_pdf_xref *x = NULL;
	char why[512];
	size_t at;

	(void)state;
	xref_stream_file(&b, 0, &at);
	putf(&b, "startxref\n%zu\n%%%%EOF\n", at);
	assert_int_equal(scan(&b, &x, why), ESEAL_OK);
	assert_int_equal(x->n_sections, 1);
	assert_int_equal(x->sections[0].is_stream, 1);
	assert_int_equal(x->n_objects, 8);
	assert_int_equal(x->objects[3].offset, (long long)b.off[3]);
	assert_int_equal(x->objects[6].type, 2);
	assert_int_equal(x->objects[6].offset, 4);
	assert_int_equal(x->objects[6].gen, 1);
	assert_int_equal(x->n_objstm, 1);
	assert_int_equal(x->objstm[0], 4);
	assert_true(x->decoded >= 8 * 7 + 20);
	es_pdf_xref_free(x);
	free(b.p);
}

/* A table whose trailer names the stream with /XRefStm (objects 5 and 6 free in the table, compressed in the
 * stream): both sections are read, the stream right after its table. */
static void test_hybrid_file(void **state)
{
	pdf b;
	es_pdf_xref *x = NULL;
	char why[512], extra[64];
	size_t at;

	(void)state;
	xref_stream_file(&b, 0, &at);
	snprintf(extra, sizeof(extra), "/XRefStm %zu", at);
	table(&b, 0, 4, extra);
	assert_int_equal(scan(&b, &x, why), ESEAL_OK);
	assert_int_equal(x->n_sections, 2);
	assert_int_equal(x->sections[0].xref_stm, (long long)at);
	assert_int_equal(x->sections[1].hybrid, 1);
	assert_int_equal(x->n_objstm, 1);
	es_pdf_xref_free(x);
	free(b.p);
}

static void expect_refused(pdf *b, const char *reason)
{
	es_pdf_xref *x = NULL;
	char why[512];

	assert_int_equal(scan(b, &x, why), ESEAL_E_INPUT);
	assert_null(x);
	if (strstr(why, reason) == NULL)
		fail_msg("'%s' does not say '%s'", why, reason);
	free(b->p);
}

static void test_loop_refused(void **state)
{
	pdf b;
	char extra[64];

	(void)state;
	base(&b);
	/* /Prev names the table itself */
	snprintf(extra, sizeof(extra), "/Prev %zu", b.len);
	table(&b, 0, 3, extra);
	expect_refused(&b, "loops back");
}

static void test_repeated_or_indirect_prev_refused(void **state)
{
	pdf b;
	char extra[64];

	(void)state;
	base(&b);
	snprintf(extra, sizeof(extra), "/Prev %zu /Prev 9", b.len);
	table(&b, 0, 3, extra);
	expect_refused(&b, "has /Prev 2 times");
	base(&b);
	table(&b, 0, 3, "/Prev 3 0 R");
	expect_refused(&b, "/Prev that is not a direct integer");
	/* a name with #xx escapes is the same key to QPDF */
	base(&b);
	table(&b, 0, 3, "/Pr#65v 3 0 R");
	expect_refused(&b, "/Prev that is not a direct integer");
}

/* Strings and comments in a trailer hide nothing and reveal nothing. */
static void test_trailer_strings(void **state)
{
	pdf b;
	es_pdf_xref *x = NULL;
	char why[512];

	(void)state;
	base(&b);
	table(&b, 0, 3, "/Note (>> /Prev 99 \\) \\( (nested) >>) %/Prev 98\n /ID [<0A0B> <0c0d>]");
	assert_int_equal(scan(&b, &x, why), ESEAL_OK);
	assert_int_equal(x->n_sections, 1);
	assert_int_equal(x->sections[0].prev, -1);
	es_pdf_xref_free(x);
	free(b.p);
}

static void test_startxref_only_in_the_tail(void **state)
{
	pdf b;
	char pad[2048];

	(void)state;
	base(&b);
	table(&b, 0, 3, "");
	memset(pad, ' ', sizeof(pad));
	put(&b, pad, sizeof(pad)); /* QPDF looks in the last 1054 bytes only */
	expect_refused(&b, "no startxref");
}

/* Object 1 in object stream 4, followed by zeros bytes: NULs (white space), or with numbers "0 0 0 ...". */
static void objstm_file_fill(pdf *b, size_t zeros, const char *filter, int numbers)
{
	unsigned char *data = calloc(1, zeros + 32);
	size_t at, i;

	assert_non_null(data);
	memcpy(data, "1 0 << /Type /Catalog >> ", 25);
	for (i = 0; numbers && i < zeros; i++)
		data[25 + i] = i % 2 ? ' ' : '0';
	base(b);
	if (filter == NULL) {
		flate_obj(b, 4, "/Type /ObjStm /N 1 /First 4", data, zeros + 25);
	} else {
		b->off[4] = b->len;
		putf(b,
		     "4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter %s /Length 4 >>\nstream\nabcd\nendstream\nendobj\n",
		     filter);
	}
	/* a hybrid table: object 1 compressed in object stream 4 */
	{
		unsigned char rows[] = {2, 0, 0, 0, 4, 0, 0};
		char extra[64];

		at = b->len;
		b->off[5] = at;
		putf(b, "5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Index [1 1] /Length 7 >>\nstream\n");
		put(b, rows, sizeof(rows));
		putf(b, "\nendstream\nendobj\n");
		snprintf(extra, sizeof(extra), "/XRefStm %zu", at);
		table(b, 0, 4, extra);
	}
	free(data);
}

static void objstm_file(pdf *b, size_t zeros, const char *filter)
{
	objstm_file_fill(b, zeros, filter, 0);
}

static void test_objstm_bomb_refused(void **state)
{
	pdf b;
	es_pdf_xref *x = NULL;
	char why[512];

	(void)state;
	objstm_file(&b, (size_t)1 << 20, NULL);
	assert_int_equal(scan(&b, &x, why), ESEAL_OK); /* 1 MB: within the 8 MB a small file may decode to */
	assert_true(x->decoded > (size_t)1 << 20);
	es_pdf_xref_free(x);
	free(b.p);
	objstm_file(&b, (size_t)20 << 20, NULL);
	assert_true(b.len < 100000);
	expect_refused(&b, "object stream 4 (at offset");
	objstm_file(&b, 0, "/LZWDecode");
	expect_refused(&b, "uses filter /LZWDecode");
	objstm_file(&b, 0, "[/FlateDecode /FlateDecode]");
	expect_refused(&b, "chain of filters");
	/* 100000 numbers: fine; 200000 (400 kB decoded, far under the size cap): too many objects for QPDF to hold */
	objstm_file_fill(&b, 200000, NULL, 1);
	assert_int_equal(scan(&b, &x, why), ESEAL_OK);
	assert_in_range(x->tokens, 100000, 100010);
	es_pdf_xref_free(x);
	free(b.p);
	objstm_file_fill(&b, 400000, NULL, 1);
	expect_refused(&b, "holds more than 131072 tokens");
}

/* A cross-reference stream with more data than its entries need, and one declaring more entries than the file
 * could define. */
static void test_xref_stream_caps(void **state)
{
	pdf b;
	unsigned char *rows = calloc(1, 100000);
	char dict[128];
	size_t at;

	(void)state;
	assert_non_null(rows);
	base(&b);
	at = b.len;
	rows[0] = 1; /* object 3, in the file at offset 0 (as good as free) */
	snprintf(dict, sizeof(dict), "/Type /XRef /Size 4 /Root 1 0 R /W [1 4 2] /Index [3 1]");
	flate_obj(&b, 5, dict, rows, 100000);
	putf(&b, "startxref\n%zu\n%%%%EOF\n", at);
	expect_refused(&b, "decodes to more than the 7 bytes its entries need");
	base(&b);
	at = b.len;
	snprintf(dict, sizeof(dict), "/Type /XRef /Size 300000 /Root 1 0 R /W [1 4 2]");
	flate_obj(&b, 5, dict, rows, 7);
	putf(&b, "startxref\n%zu\n%%%%EOF\n", at);
	expect_refused(&b, "declares 300000 objects: at most 262144");
	free(rows);
}

/* ---- the decoder ---- */

static int count_sink(void *ctx, const unsigned char *p, size_t n)
{
	(void)p;
	*(size_t *)ctx += n;
	return 0;
}

static void test_decoder_cap_is_exact(void **state)
{
	unsigned char in[1000], z[2000];
	uLongf zl = sizeof(z);
	es_pdf_filter f = ES_PDF_FILTER_INIT;
	es_pdf_decoder *d;
	size_t seen = 0;

	(void)state;
	memset(in, 'a', sizeof(in));
	assert_int_equal(compress2(z, &zl, in, sizeof(in), 9), Z_OK);
	f.flate = 1;
	d = es_pdf_decoder_new(&f, 0, 1000, count_sink, &seen);
	assert_int_equal(es_pdf_decoder_write(d, z, zl), ES_PDF_DECODE_OK);
	assert_int_equal(es_pdf_decoder_finish(d), ES_PDF_DECODE_OK);
	assert_int_equal(es_pdf_decoder_count(d), 1000);
	assert_int_equal(seen, 1000);
	assert_true(es_pdf_decoder_ended(d));
	es_pdf_decoder_free(d);
	d = es_pdf_decoder_new(&f, 0, 999, NULL, NULL);
	assert_int_equal(es_pdf_decoder_write(d, z, zl), ES_PDF_DECODE_TOO_BIG);
	assert_true(es_pdf_decoder_count(d) <= 999);
	es_pdf_decoder_free(d);
	/* damaged data: what came out before counts, and the error is reported */
	z[zl / 2] ^= 0xff;
	d = es_pdf_decoder_new(&f, 0, 5000, NULL, NULL);
	es_pdf_decoder_write(d, z, zl);
	assert_int_not_equal(es_pdf_decoder_finish(d), ES_PDF_DECODE_TOO_BIG);
	es_pdf_decoder_free(d);
}

typedef struct {
	unsigned char p[64];
	size_t n;
} collected;

static int collect(void *ctx, const unsigned char *p, size_t len)
{
	collected *c = ctx;

	if (c->n + len > sizeof(c->p))
		return -1;
	memcpy(c->p + c->n, p, len);
	c->n += len;
	return 0;
}

/* The PNG predictors (Sub, Paeth, Up, Average) over rows of 3 pixels of 2 bytes, against values worked by hand. */
static void test_png_predictors(void **state)
{
	static const unsigned char enc[] = {
		1, 10, 20, 5, 5, 5, 5, /* Sub */
		4, 1,  1,  1, 1, 1, 1, /* Paeth */
		2, 0,  0,  0, 0, 0, 0, /* Up */
		3, 1,  1,  1, 1, 1, 1, /* Average */
	};
	static const unsigned char want[] = {10, 20, 15, 25, 20, 30, 11, 21, 16, 26, 21, 31,
					     11, 21, 16, 26, 21, 31, 6,  11, 12, 19, 17, 26};
	unsigned char z[200];
	uLongf zl = sizeof(z);
	es_pdf_filter f = {1, 12, 2, 8, 3};
	es_pdf_decoder *d;
	collected c = {{0}, 0};

	(void)state;
	assert_int_equal(compress2(z, &zl, enc, sizeof(enc), 9), Z_OK);
	d = es_pdf_decoder_new(&f, 1, 100, collect, &c);
	assert_int_equal(es_pdf_decoder_write(d, z, zl), ES_PDF_DECODE_OK);
	assert_int_equal(es_pdf_decoder_finish(d), ES_PDF_DECODE_OK);
	assert_int_equal(es_pdf_decoder_count(d), sizeof(want));
	es_pdf_decoder_free(d);
	assert_int_equal(c.n, sizeof(want));
	assert_memory_equal(c.p, want, sizeof(want));
	/* without the predictor only the inflated bytes are counted (an upper bound) */
	d = es_pdf_decoder_new(&f, 0, 100, NULL, NULL);
	es_pdf_decoder_write(d, z, zl);
	assert_int_equal(es_pdf_decoder_finish(d), ES_PDF_DECODE_OK);
	assert_int_equal(es_pdf_decoder_count(d), sizeof(enc));
	es_pdf_decoder_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classic_table),
		cmocka_unit_test(test_update_chain_newest_first),
		cmocka_unit_test(test_xref_stream_with_predictor),
		cmocka_unit_test(test_objstm_data_kept),
		cmocka_unit_test(test_hybrid_file),
		cmocka_unit_test(test_loop_refused),
		cmocka_unit_test(test_repeated_or_indirect_prev_refused),
		cmocka_unit_test(test_trailer_strings),
		cmocka_unit_test(test_startxref_only_in_the_tail),
		cmocka_unit_test(test_objstm_bomb_refused),
		cmocka_unit_test(test_xref_stream_caps),
		cmocka_unit_test(test_decoder_cap_is_exact),
		cmocka_unit_test(test_png_predictors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
