/* tests/pdf/test_pdf_render.c: Poppler's rendering of pages from memory: page count and size, ink where pdftoppm (the
 * referee, run on the same file) finds ink, and refusals for garbage, a missing page and an oversized image. */
#include "eseal/eseal.h"
#include "pdf/pdf_render.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static char *sample(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/documents/%s", getenv("ESEAL_SAMPLES"), name);
	return path;
}

/* Pixels darker than mid-grey in our rendering. */
static long ink_ours(const es_image *s)
{
	int w = s->width, h = s->height, stride = s->stride, x, y;
	const unsigned char *d = s->px;
	long ink = 0;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			const unsigned char *px = d + y * stride + 4 * x; /* B G R A, little-endian ARGB32 */

			if ((px[0] + px[1] + px[2]) / 3 < 128)
				ink++;
		}
	return ink;
}

/* The same count in pdftoppm's grey rendering of page 1 at dpi. */
static long ink_pdftoppm(const char *pdf, int dpi, int *w, int *h)
{
	char cmd[8192];
	FILE *p;
	int maxval, c;
	long ink = 0, i;

	snprintf(cmd, sizeof(cmd), "pdftoppm -gray -r %d -f 1 -l 1 '%s'", dpi, pdf);
	assert_non_null(p = popen(cmd, "r"));
	assert_int_equal(fscanf(p, "P5 %d %d %d", w, h, &maxval), 3);
	fgetc(p);
	for (i = 0; i < (long)*w * *h && (c = fgetc(p)) != EOF; i++)
		if (c < 128)
			ink++;
	assert_int_equal(pclose(p), 0);
	return ink;
}

static void test_renders_like_pdftoppm(void **state)
{
	eseal_error err;
	es_pdf_render *r;
	es_image s;
	unsigned char *data;
	size_t len;
	double w, h;
	long ours, theirs;
	int pw, ph;

	(void)state;
	eseal_error_clear(&err);
	data = slurp(sample("report.pdf"), &len);
	assert_int_equal(es_pdf_render_open(data, len, NULL, "report.pdf", &r, &err), ESEAL_OK);
	assert_int_equal(es_pdf_render_page_count(r), 2);
	assert_int_equal(es_pdf_render_page_size(r, 0, &w, &h, &err), ESEAL_OK);
	assert_true(w > 594 && w < 596 && h > 841 && h < 843);
	assert_int_equal(es_pdf_render_page(r, 0, 100, &s, &err), ESEAL_OK);
	theirs = ink_pdftoppm(sample("report.pdf"), 100, &pw, &ph);
	assert_int_equal(s.width, pw);
	assert_int_equal(s.height, ph);
	ours = ink_ours(&s);
	/* Same library, different rasteriser settings (anti-aliasing): close, not equal. A blank page would be 0. */
	print_message("ink: ours %ld, pdftoppm %ld\n", ours, theirs);
	assert_true(theirs > 100);
	assert_true(ours > theirs * 8 / 10 && ours < theirs * 12 / 10);
	es_image_clear(&s);
	es_pdf_render_free(r);
	free(data);
}

static void test_refusals(void **state)
{
	static const unsigned char garbage[] = "%PDF-1.7\nnot really\n";
	eseal_error err;
	es_pdf_render *r;
	es_image s;
	unsigned char *data;
	size_t len;

	(void)state;
	eseal_error_clear(&err);
	assert_int_equal(es_pdf_render_open(garbage, sizeof(garbage) - 1, NULL, "garbage.pdf", &r, &err), ESEAL_E_INPUT);
	assert_null(r);
	assert_non_null(strstr(err.message, "garbage.pdf"));

	data = slurp(sample("report.pdf"), &len);
	assert_int_equal(es_pdf_render_open(data, len, NULL, "report.pdf", &r, &err), ESEAL_OK);
	eseal_error_clear(&err);
	assert_int_equal(es_pdf_render_page(r, 2, 72, &s, &err), ESEAL_E_INPUT);
	assert_null(s.px);
	assert_non_null(strstr(err.message, "no page 3"));
	eseal_error_clear(&err);
	/* A4 at 2400 dpi is 7,800 x 11,000 pixels: over the cap, refused rather than allocating 340 MB. */
	assert_int_equal(es_pdf_render_page(r, 0, 2400, &s, &err), ESEAL_E_INPUT);
	assert_null(s.px);
	es_pdf_render_free(r);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_renders_like_pdftoppm),
		cmocka_unit_test(test_refusals),
	};
	eseal_error err;

	eseal_error_clear(&err);
	if (eseal_init(&err) != ESEAL_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
