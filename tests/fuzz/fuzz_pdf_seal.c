/* tests/fuzz/fuzz_pdf_seal.c: libFuzzer target for the PAdES sealer over a hostile PDF (structure checks, pages,
 * form and fields, visible stamp, incremental writer). Input: option bytes[, field name '\n'], PDF (README.md). */
#include "fuzz_seal_common.h"

#include <cairo.h>
#include <qpdf/qpdf-c.h>

#include "eseal/pdf.h"

enum {
	OPT_VISIBLE = 0x01,
	OPT_PAGE = 0x06, /* first, last, 2nd, 1st given explicitly */
	OPT_FIELD = 0x08,
	OPT_CERTIFY = 0x30,
	OPT_RECT = 0x40,
	OPT_PASSWORD = 0x80,
	/* second byte */
	OPT_MD = 0x03,    /* SHA-256, SHA-384, SHA-512, SHA-256 */
	OPT_IMAGE = 0x04, /* with a seal image beside the stamp (visible only) */
	OPT_RECT_KIND = 0x18,
	OPT_TEXTS = 0x20 /* reason, location, contact */
};

#define MAX_FIELD_NAME 256

static char image_path[192];

/* A small PNG for the seal image option (made once, like the key). */
static void make_image(void)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 24, 16);
	cairo_t *cr = cairo_create(s);

	cairo_set_source_rgba(cr, 0.8, 0.1, 0.1, 0.7);
	cairo_arc(cr, 12, 8, 7, 0, 6.3);
	cairo_fill(cr);
	cairo_destroy(cr);
	snprintf(image_path, sizeof(image_path), "%s/seal.png", fuzz_env.dir);
	if (cairo_surface_write_to_png(s, image_path) != CAIRO_STATUS_SUCCESS)
		fuzz_die(image_path, NULL);
	cairo_surface_destroy(s);
}

static void cleanup_image(void)
{
	unlink(image_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_seal_init(0);
	make_image();
	atexit(cleanup_image); /* runs before the directory's own cleanup */
	return 0;
}

/* Every object the update defines is defined once: a second "N G obj" for the same N in one revision leaves each
 * reader to pick a copy (the writer's own objects start on a line of their own, so a scan of the lines finds them). */
static void check_objects_once(const unsigned char *out, size_t out_len, size_t from)
{
	long long seen[64], num;
	size_t n = 0, i, k, p;

	for (p = from; p < out_len; p++) {
		if (out[p - 1] != '\n' || out[p] < '0' || out[p] > '9')
			continue;
		for (num = 0, i = p; i < out_len && out[i] >= '0' && out[i] <= '9' && num < 100000000; i++)
			num = num * 10 + (out[i] - '0');
		if (i >= out_len || out[i] != ' ')
			continue;
		for (i++; i < out_len && out[i] >= '0' && out[i] <= '9'; i++)
			;
		if (out_len - i < 5 || memcmp(out + i, " obj\n", 5) != 0)
			continue;
		for (k = 0; k < n; k++)
			if (seen[k] == num)
				fuzz_output_bug("the update defines an object twice", out, out_len, NULL);
		if (n < sizeof(seen) / sizeof(seen[0]))
			seen[n++] = num;
	}
}

/* Whether out[off] starts the header "num gen obj". */
static int object_at(const unsigned char *out, size_t out_len, unsigned long long off, long long num, long long gen)
{
	char want[64];
	int n = snprintf(want, sizeof(want), "%lld %lld obj", num, gen);

	return off < out_len && out_len - off >= (size_t)n && memcmp(out + off, want, (size_t)n) == 0;
}

static unsigned long long read_uint(const unsigned char **p, const unsigned char *end)
{
	unsigned long long v = 0;

	while (*p < end && (**p == ' ' || **p == '\n' || **p == '\r'))
		(*p)++;
	while (*p < end && **p >= '0' && **p <= '9' && v < (1ULL << 60))
		v = v * 10 + (unsigned long long)(*(*p)++ - '0');
	return v;
}

/* The update's own cross-reference section (a table or a stream, as the writer makes them) must point at the
 * objects it names, with their numbers and generations: else readers take other objects than the ones written. */
static void check_xref_section(const unsigned char *out, size_t out_len, size_t from)
{
	const unsigned char *end = out + out_len, *p, *q, *data;
	unsigned long long sx, start, count, i, w, k, off, gen;
	const char *bad = NULL;

	p = memmem(out + from, out_len - from, "startxref", 9);
	while (p != NULL && (q = memmem(p + 9, (size_t)(end - p - 9), "startxref", 9)) != NULL)
		p = q;
	if (p == NULL)
		fuzz_output_bug("the update has no startxref", out, out_len, NULL);
	p += 9;
	sx = read_uint(&p, end);
	if (sx < from || sx >= out_len)
		fuzz_output_bug("the update's startxref is outside the update", out, out_len, NULL);
	p = out + sx;
	if (end - p > 5 && memcmp(p, "xref\n", 5) == 0) {
		for (p += 5; bad == NULL && end - p > 7 && memcmp(p, "trailer", 7) != 0;) {
			start = read_uint(&p, end);
			count = read_uint(&p, end);
			p++;
			for (i = 0; i < count && bad == NULL; i++, p += 20) {
				if (end - p < 20) {
					bad = "a truncated cross-reference table";
					break;
				}
				q = p;
				off = read_uint(&q, end);
				gen = read_uint(&q, end);
				if (!object_at(out, out_len, off, (long long)(start + i), (long long)gen))
					bad = "a cross-reference entry that does not point at its object";
			}
		}
	} else if ((q = memmem(p, (size_t)(end - p), "/Index [", 8)) != NULL &&
		   (data = memmem(p, (size_t)(end - p), "/W [1 ", 6)) != NULL) {
		data += 6;
		w = read_uint(&data, end);
		data = memmem(p, (size_t)(end - p), ">>\nstream\n", 10);
		if (data == NULL || w < 1 || w > 8)
			bad = "a cross-reference stream the writer would not make";
		for (q += 8, data = data != NULL ? data + 10 : end; bad == NULL && q < end && *q != ']';) {
			start = read_uint(&q, end);
			count = read_uint(&q, end);
			for (i = 0; i < count && bad == NULL; i++, data += 3 + w) {
				if ((size_t)(end - data) < 3 + w)
					bad = "a truncated cross-reference stream";
				else {
					for (off = 0, k = 0; k < w; k++)
						off = off << 8 | data[1 + k];
					gen = (unsigned long long)data[1 + w] << 8 | data[2 + w];
					if (data[0] != 1 ||
					    !object_at(out, out_len, off, (long long)(start + i), (long long)gen))
						bad = "a cross-reference stream entry that does not point at its object";
				}
			}
			while (q < end && *q == ' ')
				q++;
		}
	} else {
		bad = "no cross-reference section at the update's startxref";
	}
	if (bad != NULL) {
		fprintf(stderr, "fuzz: %s\n", bad);
		fuzz_output_bug("the update's cross-reference section is wrong", out, out_len, NULL);
	}
}

/* Whether QPDF (without recovery) lists the pages of buf. The sealer follows the page tree only down to the page it
 * seals (pdf/pdf_struct.c: resolving every page would cost a big file its speed), so a branch QPDF cannot follow
 * elsewhere (a kid that is no page, say) is the input's and stays as it was. */
static int qpdf_lists_pages(const void *buf, size_t len, const char *password)
{
	qpdf_data q = qpdf_init();
	int ok;

	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	qpdf_set_attempt_recovery(q, QPDF_FALSE);
	ok = !(qpdf_read_memory(q, "input.pdf", buf, (unsigned long long)len, password) & QPDF_ERRORS) &&
	     qpdf_get_num_pages(q) >= 1 && !qpdf_has_error(q);
	if (qpdf_has_error(q))
		(void)qpdf_get_error(q); /* taken, or qpdf_cleanup prints it */
	qpdf_cleanup(&q);
	return ok;
}

/* The output must be the input with something appended, and QPDF (without recovery, as the sealer opened the
 * input) must read it, and list its pages when it listed the input's: a broken cross-reference section or trailer
 * in our update is a writer bug. */
static void check_output(const uint8_t *pdf, size_t pdf_len, const unsigned char *out, size_t out_len,
			 const char *password)
{
	qpdf_data q;
	QPDF_ERROR_CODE qrc;
	eseal_report *r;

	if (out_len <= pdf_len || memcmp(out, pdf, pdf_len) != 0)
		fuzz_output_bug("the sealed output does not start with the unchanged input", out, out_len, NULL);
	check_objects_once(out, out_len, pdf_len + 1);
	check_xref_section(out, out_len, pdf_len);
	q = qpdf_init();
	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	qpdf_set_attempt_recovery(q, QPDF_FALSE);
	qrc = qpdf_read_memory(q, "sealed.pdf", (const char *)out, (unsigned long long)out_len, password);
	/* The sealer refuses an input QPDF warns about while reading its structure; our section must add none. */
	if (!(qrc & QPDF_ERRORS) && qpdf_more_warnings(q)) {
		fprintf(stderr, "fuzz: QPDF: %s\n", qpdf_get_error_full_text(q, qpdf_next_warning(q)));
		fuzz_output_bug("QPDF warns about the sealed output's structure", out, out_len, NULL);
	}
	if ((qrc & QPDF_ERRORS) || ((qpdf_get_num_pages(q) < 1 || qpdf_has_error(q)) &&
				     qpdf_lists_pages(pdf, pdf_len, password))) {
		fprintf(stderr, "fuzz: QPDF: %s\n",
			qpdf_has_error(q) ? qpdf_get_error_full_text(q, qpdf_get_error(q)) : "no pages");
		fuzz_output_bug("QPDF cannot read the sealed output", out, out_len, NULL);
	}
	if (qpdf_has_error(q))
		(void)qpdf_get_error(q); /* the input's own broken branch (qpdf_lists_pages) */
	qpdf_cleanup(&q);
	if ((r = es_report_new("sealed.pdf")) == NULL)
		return;
	es_pdf_verify(fuzz_verifier, out, out_len, r);
	fuzz_check_report(r, 1, out, out_len);
	fuzz_render(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const double rects[4][4] = {{36, 36, 180, 70}, {0, 0, 4, 4}, {300, 500, 250, 200}, {-0.5, 10, 600, 80}};
	char field[MAX_FIELD_NAME + 1];
	eseal_pdf_options o;
	eseal_error err;
	const uint8_t *pdf, *nl;
	unsigned char *out;
	size_t pdf_len, out_len = 0;
	int rc;
	uint8_t a, b;

	if (size < 3)
		return 0;
	a = data[0];
	b = data[1];
	pdf = data + 2;
	pdf_len = size - 2;
	memset(&o, 0, sizeof(o));
	if (a & OPT_FIELD) {
		nl = memchr(pdf, '\n', pdf_len < MAX_FIELD_NAME ? pdf_len : MAX_FIELD_NAME + 1);
		if (nl == NULL)
			return 0;
		memcpy(field, pdf, (size_t)(nl - pdf));
		field[nl - pdf] = '\0';
		o.field = field;
		pdf_len -= (size_t)(nl - pdf) + 1;
		pdf = nl + 1;
	}
	o.signer = fuzz_env.signer;
	o.md = (b & OPT_MD) == 1 ? EVP_sha384() : (b & OPT_MD) == 2 ? EVP_sha512() : EVP_sha256();
	o.visible = a & OPT_VISIBLE;
	/* A named field fixes page and place; giving them too is a usage error the target need not repeat. */
	if (o.field == NULL) {
		o.page = (int[]){0, -1, 2, 1}[(a & OPT_PAGE) >> 1];
		if (a & OPT_RECT)
			memcpy(o.rect, rects[(b & OPT_RECT_KIND) >> 3], sizeof(o.rect));
	}
	o.certify = (eseal_certify)((a & OPT_CERTIFY) >> 4);
	o.password = (a & OPT_PASSWORD) ? "fuzz" : NULL;
	o.image = (b & OPT_IMAGE) ? image_path : NULL;
	if (b & OPT_TEXTS) {
		o.reason = "Fuzz \xe2\x80\x94 r\xc3\xa9sum\xc3\xa9 (seal)";
		o.location = "Tokyo \xe6\x9d\xb1\xe4\xba\xac";
		o.contact = "fuzz@example.invalid";
	}
	o.overwrite = 1;
	eseal_error_clear(&err);
	fuzz_write_input(pdf, pdf_len);
	rc = eseal_pdf_seal(fuzz_env.in, fuzz_env.out, &o, &err);
	fuzz_check_failure(rc, &err);
	if (rc == ESEAL_OK) {
		out = fuzz_read_output(&out_len);
		check_output(pdf, pdf_len, out, out_len, o.password);
		free(out);
	}
	unlink(fuzz_env.out);
	return 0;
}
