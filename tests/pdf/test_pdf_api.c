/* tests/pdf/test_pdf_api.c: eseal_pdf_seal through the library API (development key file, no CLI): PDF text
 * strings, option handling the CLI does not reach, overwrite rules, and concurrent visible seals; pdfsig judges. */
#include "eseal/eseal.h"
#include "pdf/pdf_internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];
static char report[512];
static eseal_signer *signer;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

static const char *memfind(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return hay + i;
	return NULL;
}

/* Number of signatures pdfsig reports as valid (the referee, not our code), if exactly one of them (the seal just
 * made) covers the whole file and every other says it does not; else -1. */
static int pdfsig_valid(const char *path)
{
	char cmd[1024], line[512];
	FILE *p;
	int n = 0, total = 0, partial = 0;

	snprintf(cmd, sizeof(cmd), "pdfsig '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	while (fgets(line, sizeof(line), p) != NULL) {
		if (strstr(line, "Signature is Valid") != NULL)
			n++;
		if (strstr(line, "- Total document signed") != NULL)
			total++;
		if (strstr(line, "- Not total document signed") != NULL)
			partial++;
	}
	pclose(p);
	return total == 1 && partial == n - 1 ? n : -1;
}

static int setup(void **state)
{
	const char *te = getenv("ESEAL_TESTENV"), *samples = getenv("ESEAL_SAMPLES");
	char key[512], chain[512];
	eseal_signer_options so;
	eseal_error err = {0};

	if (te == NULL || samples == NULL || eseal_init(&err) != ESEAL_OK)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/eseal-pdfapi.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(report, sizeof(report), "%s/documents/report.pdf", samples);
	snprintf(key, sizeof(key), "%s/pki/dev-eseal.key", te);
	snprintf(chain, sizeof(chain), "%s/pki/dev-chain.pem", te);
	memset(&so, 0, sizeof(so));
	so.key = key;
	so.cert_file = chain;
	if (eseal_signer_open(&signer, &so, &err) != ESEAL_OK) {
		fprintf(stderr, "signer: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	eseal_signer_free(signer);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return -1;
	eseal_cleanup();
	return 0;
}

static void test_detect(void **state)
{
	unsigned char buf[1200];

	assert_true(eseal_pdf_detect((const unsigned char *)"%PDF-1.7\n", 9));
	assert_false(eseal_pdf_detect((const unsigned char *)"<?xml version", 13));
	assert_false(eseal_pdf_detect(NULL, 0));
	memset(buf, ' ', sizeof(buf));
	memcpy(buf + 500, "%PDF-1.4", 8);
	assert_true(eseal_pdf_detect(buf, sizeof(buf)));
	memset(buf, ' ', sizeof(buf));
	memcpy(buf + 1100, "%PDF-1.4", 8); /* readers only look at the first 1024 bytes */
	assert_false(eseal_pdf_detect(buf, sizeof(buf)));
}

static void check_text(const char *utf8, const char *want)
{
	es_buf b = {0};

	es_pdf_text_string(&b, NULL, utf8);
	assert_false(b.oom);
	assert_string_equal(b.data, want);
	es_buf_free(&b);
}

static void test_text_strings(void **state)
{
	es_buf b = {0};

	check_text("Approved", "(Approved)");
	check_text("a(b)c\\", "(a\\(b\\)c\\\\)");
	check_text("東京", "<FEFF67714EAC>");
	check_text("\xf0\x9f\x98\x80", "<FEFFD83DDE00>"); /* outside the BMP: a surrogate pair */
	check_text("x\xffy", "<FEFF0078FFFD0079>");       /* invalid UTF-8 cannot break the string */
	check_text("line\nbreak", "<FEFF006C0069006E0065000A0062007200650061006B>");
	es_buf_real(&b, 12.5);
	es_buf_puts(&b, " ");
	es_buf_real(&b, 0.00001);
	es_buf_puts(&b, " ");
	es_buf_real(&b, -3);
	es_buf_puts(&b, " ");
	es_buf_real(&b, 595.2756);
	assert_string_equal(b.data, "12.5 0 -3 595.2756");
	es_buf_free(&b);
}

static void test_seal_options(void **state)
{
	eseal_pdf_options o;
	eseal_error err = {0};
	char out[512];
	char *orig = NULL, *sealed = NULL, *again = NULL;
	size_t orig_len = 0, sealed_len = 0, again_len = 0;

	snprintf(out, sizeof(out), "%s/options.pdf", dir);
	memset(&o, 0, sizeof(o));
	o.signer = signer;
	o.reason = "Check (draft) \\ ok";
	o.location = "Tokyo";
	o.contact = "担当: 佐藤";
	assert_int_equal(eseal_pdf_seal(report, out, &o, &err), ESEAL_OK);
	orig = slurp(report, &orig_len);
	sealed = slurp(out, &sealed_len);
	assert_non_null(orig);
	assert_non_null(sealed);
	assert_true(sealed_len > orig_len);
	assert_memory_equal(orig, sealed, orig_len);
	assert_non_null(memfind(sealed, sealed_len, "/Reason (Check \\(draft\\) \\\\ ok)"));
	assert_non_null(memfind(sealed, sealed_len, "/ContactInfo <FEFF"));
	assert_non_null(memfind(sealed, sealed_len, "/SubFilter /ETSI.CAdES.detached"));
	assert_int_equal(pdfsig_valid(out), 1);

	/* An existing output is kept unless overwrite is asked for. */
	assert_int_not_equal(eseal_pdf_seal(report, out, &o, &err), ESEAL_OK);
	again = slurp(out, &again_len);
	assert_int_equal(again_len, sealed_len);
	assert_memory_equal(again, sealed, sealed_len);
	free(again);
	eseal_error_clear(&err);
	o.overwrite = 1;
	assert_int_equal(eseal_pdf_seal(report, out, &o, &err), ESEAL_OK);
	assert_int_equal(pdfsig_valid(out), 1);
	free(orig);
	free(sealed);
}

static void test_seal_usage_errors(void **state)
{
	eseal_pdf_options o;
	eseal_error err = {0};
	char out[512];
	struct stat st;

	snprintf(out, sizeof(out), "%s/usage.pdf", dir);
	memset(&o, 0, sizeof(o));
	assert_int_equal(eseal_pdf_seal(report, out, &o, &err), ESEAL_E_USAGE); /* no signer */
	eseal_error_clear(&err);
	o.signer = signer;
	o.visible = 1;
	o.rect[2] = 1;
	o.rect[3] = 1;
	assert_int_equal(eseal_pdf_seal(report, out, &o, &err), ESEAL_E_USAGE);
	assert_non_null(strstr(err.message, "report.pdf"));
	eseal_error_clear(&err);
	/* NaN fails every comparison: a check written as "x < 0 ||" would let it through as a seal nobody sees. */
	o.rect[0] = NAN;
	o.rect[1] = 10;
	o.rect[2] = 100;
	o.rect[3] = 50;
	assert_int_equal(eseal_pdf_seal(report, out, &o, &err), ESEAL_E_USAGE);
	assert_non_null(strstr(err.message, "outside the page"));
	eseal_error_clear(&err);
	o.rect[0] = 10;
	o.rect[1] = NAN;
	assert_int_equal(eseal_pdf_seal(report, out, &o, &err), ESEAL_E_USAGE);
	assert_non_null(strstr(err.message, "outside the page"));
	eseal_error_clear(&err);
	o.rect[0] = o.rect[1] = o.rect[2] = o.rect[3] = 0;
	o.page = -2;
	assert_int_equal(eseal_pdf_seal(report, out, &o, &err), ESEAL_E_USAGE);
	assert_non_null(strstr(err.message, "page"));
	assert_int_not_equal(stat(out, &st), 0);
}

/* An estimate that proves too small costs a second pass with room for the real signature, never a cut one. */
static void test_reserve_too_small(void **state)
{
	eseal_pdf_options o;
	eseal_error err = {0};
	char out[512];
	char *sealed = NULL;
	size_t len = 0;
	const char *contents;
	size_t zeros = 0;

	snprintf(out, sizeof(out), "%s/small-reserve.pdf", dir);
	memset(&o, 0, sizeof(o));
	o.signer = signer;
	assert_int_equal(es_pdf_seal_reserving(report, out, &o, 64, &err), ESEAL_OK);
	assert_int_equal(pdfsig_valid(out), 1);
	sealed = slurp(out, &len);
	assert_non_null(sealed);
	contents = memfind(sealed, len, "/Contents <");
	assert_non_null(contents);
	/* Resealed with 2048 bytes to spare after the signature: zero padding follows the DER. */
	for (contents = strchr(contents, '>'); contents[-1 - (long)zeros] == '0'; zeros++)
		;
	assert_true(zeros >= 4000);
	free(sealed);
}

typedef struct {
	int index;
	int rc;
	char out[512];
	char message[ESEAL_ERROR_MESSAGE_MAX];
} job;

static void *seal_thread(void *arg)
{
	job *j = arg;
	eseal_pdf_options o;
	eseal_error err = {0};

	memset(&o, 0, sizeof(o));
	o.signer = signer;
	o.visible = 1;
	o.page = j->index % 2 ? -1 : 1;
	j->rc = eseal_pdf_seal(report, j->out, &o, &err);
	snprintf(j->message, sizeof(j->message), "%s", err.message);
	return NULL;
}

/* The signer is shared by threads in batch sealing; QPDF, Cairo and Pango state must not be. */
static void test_concurrent_visible(void **state)
{
	pthread_t t[4];
	job jobs[4];
	int i;

	for (i = 0; i < 4; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		jobs[i].index = i;
		snprintf(jobs[i].out, sizeof(jobs[i].out), "%s/thread%d.pdf", dir, i);
		assert_int_equal(pthread_create(&t[i], NULL, seal_thread, &jobs[i]), 0);
	}
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (i = 0; i < 4; i++) {
		if (jobs[i].rc != ESEAL_OK)
			fprintf(stderr, "thread %d: %s\n", i, jobs[i].message);
		assert_int_equal(jobs[i].rc, ESEAL_OK);
		assert_int_equal(pdfsig_valid(jobs[i].out), 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_text_strings),
		cmocka_unit_test(test_seal_options),
		cmocka_unit_test(test_seal_usage_errors),
		cmocka_unit_test(test_reserve_too_small),
		cmocka_unit_test(test_concurrent_visible),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
