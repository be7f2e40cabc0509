/* tests/seal/test_seal_memory.c: eseal_sealer_seal_memory and eseal_sealer_seal_fd for PDF, XML and CAdES at B-T with
 * the fixture's SoftHSM key and TSA, each result verified from memory (eseal_verify_memory) and, on disk, by pdfsig,
 * xmlsec1 and openssl cms; errors name the caller's document and leave no working directory behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eseal/eseal.h"
#include "eseal/verify.h"
#include "tsa_test_util.h"

typedef struct {
	char *dir, *tmp; /* the test's directory, and the $TMPDIR the library's working directories go to */
	eseal_sealer *sealer;
	eseal_verifier *verifier;
} fixture;

static fixture fx;

static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *buf = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd >= 0 && fstat(fd, &st) == 0 && (buf = malloc((size_t)st.st_size + 1)) != NULL &&
	    read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	*len = buf != NULL ? (size_t)st.st_size : 0;
	if (fd >= 0)
		close(fd);
	return buf;
}

static unsigned char *sample(const char *name, size_t *len)
{
	char path[4096];
	const char *s = getenv("ESEAL_SAMPLES");

	snprintf(path, sizeof(path), "%s/documents/%s", s != NULL ? s : "samples", name);
	return slurp(path, len);
}

/* An error as a caller's stack leaves it: garbage, so that a field the library forgets to set shows. */
static void dirty(eseal_error *err)
{
	memset(err, 0xA5, sizeof(*err));
}

/* The library's working directories under $TMPDIR are gone once a call returns. */
static void assert_no_workdir(void)
{
	DIR *d = opendir(fx.tmp);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "eseal-", 6) == 0) {
			fprintf(stderr, "left behind: %s/%s\n", fx.tmp, e->d_name);
			n++;
		}
	closedir(d);
	assert_int_equal(n, 0);
}

static int group_setup(void **state)
{
	eseal_profile *p = NULL;
	eseal_verifier_options vo = ESEAL_VERIFIER_OPTIONS_INIT;
	const char *trust[1];
	eseal_error err;
	char conf[4096];

	(void)state;
	if ((fx.dir = tu_mkdtemp()) == NULL || asprintf(&fx.tmp, "%s/tmp", fx.dir) < 0 || mkdir(fx.tmp, 0700) != 0)
		return -1;
	setenv("TMPDIR", fx.tmp, 1);
	snprintf(conf, sizeof(conf), "%s", tu_env("eseal.conf"));
	dirty(&err);
	if (eseal_init(&err) != ESEAL_OK || eseal_profile_load(&p, conf, "demo", &err) != ESEAL_OK ||
	    eseal_sealer_open(&fx.sealer, p, &err) != ESEAL_OK) {
		fprintf(stderr, "setup: %s\n", err.message);
		eseal_profile_free(p);
		return -1;
	}
	eseal_profile_free(p);
	trust[0] = tu_env("pki/root.pem");
	vo.trust_files = trust;
	vo.n_trust_files = 1;
	if (eseal_verifier_open(&fx.verifier, &vo, &err) != ESEAL_OK) {
		fprintf(stderr, "setup: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	eseal_verifier_free(fx.verifier);
	eseal_sealer_free(fx.sealer);
	tu_rmtree(fx.dir);
	free(fx.dir);
	free(fx.tmp);
	eseal_cleanup();
	return 0;
}

/* Verifies buf from memory: one seal of that format at B-T, TOTAL-PASSED. */
static void assert_verifies(const char *name, const unsigned char *buf, size_t len, const unsigned char *data,
			    size_t data_len, const char *format)
{
	eseal_report *r = NULL;
	eseal_error err;

	dirty(&err);
	assert_int_equal(eseal_verify_memory(fx.verifier, name, buf, len, data, data_len, &r, &err), ESEAL_OK);
	assert_int_equal(err.status, ESEAL_OK);
	assert_non_null(r);
	if (eseal_report_overall(r) != ESEAL_TOTAL_PASSED || r->n_seals != 1) {
		char *text = eseal_report_to_text(r);

		fprintf(stderr, "%s", text != NULL ? text : "");
		eseal_string_free(text);
	}
	assert_int_equal(r->n_seals, 1);
	assert_int_equal(eseal_report_overall(r), ESEAL_TOTAL_PASSED);
	assert_string_equal(r->seals[0].format, format);
	assert_string_equal(r->seals[0].level, "B-T");
	assert_string_equal(r->file, name);
	eseal_report_free(r);
}

/* Seals doc from memory to memory; returns the sealed bytes (eseal_bytes_free). */
static unsigned char *seal(const char *name, const unsigned char *doc, size_t len, eseal_format want, size_t *out_len)
{
	unsigned char *copy = malloc(len), *out = NULL;
	eseal_seal_result res;
	eseal_error err;

	assert_non_null(copy);
	memcpy(copy, doc, len);
	dirty(&err);
	if (eseal_sealer_seal_memory(fx.sealer, name, doc, len, NULL, &out, out_len, &res, &err) != ESEAL_OK)
		fail_msg("sealing %s: %s", name, err.message);
	/* The library set the whole error: status, reason and message. */
	assert_int_equal(err.status, ESEAL_OK);
	assert_int_equal(err.reason, ESEAL_REASON_NONE);
	assert_string_equal(err.message, "");
	assert_int_equal(res.format, want);
	assert_memory_equal(copy, doc, len); /* the input is only read */
	free(copy);
	assert_no_workdir();
	return out;
}

static void test_xml_memory_to_memory(void **state)
{
	size_t len, out_len;
	unsigned char *doc = sample("invoice-ubl.xml", &len), *out;
	char path[4096];

	(void)state;
	assert_non_null(doc);
	out = seal("invoice-ubl.xml", doc, len, ESEAL_FORMAT_XML, &out_len);
	assert_non_null(strstr((const char *)out, "<ds:SignatureValue"));
	assert_verifies("invoice-ubl.xml", out, out_len, NULL, 0, "XAdES");
	snprintf(path, sizeof(path), "%s/sealed.xml", fx.dir);
	assert_int_equal(tu_write_file(path, out, out_len), 0);
	assert_int_equal(tu_run("xmlsec1 --verify --enabled-reference-uris empty,same-doc --trusted-pem %s "
				"--untrusted-pem %s --id-attr:Id 'http://uri.etsi.org/01903/v1.3.2#:SignedProperties' "
				"%s >&2",
				tu_env("pki/root.pem"), tu_env("pki/chain.pem"), path),
			 0);
	eseal_bytes_free(out);
	free(doc);
}

static void test_pdf_memory_to_memory(void **state)
{
	size_t len, out_len;
	unsigned char *doc = sample("report.pdf", &len), *out;
	char path[4096];

	(void)state;
	assert_non_null(doc);
	out = seal("report.pdf", doc, len, ESEAL_FORMAT_PDF, &out_len);
	/* An incremental update: the original bytes come first, unchanged. */
	assert_true(out_len > len);
	assert_memory_equal(out, doc, len);
	assert_verifies("report.pdf", out, out_len, NULL, 0, "PAdES");
	snprintf(path, sizeof(path), "%s/sealed.pdf", fx.dir);
	assert_int_equal(tu_write_file(path, out, out_len), 0);
	assert_int_equal(tu_run("qpdf --check %s >/dev/null && pdfsig %s | grep -q 'Signature Validation: Signature is Valid'",
				path, path),
			 0);
	eseal_bytes_free(out);
	free(doc);
}

static void test_cades_memory_to_memory(void **state)
{
	size_t len, out_len;
	unsigned char *doc = sample("site-plan.png", &len), *out;
	char data[4096], p7s[4096];

	(void)state;
	assert_non_null(doc);
	out = seal("site-plan.png", doc, len, ESEAL_FORMAT_CADES, &out_len);
	assert_true(out_len > 0 && out[0] == 0x30); /* DER SEQUENCE: the detached .p7s, not the document */
	assert_verifies("site-plan.png.p7s", out, out_len, doc, len, "CAdES");
	snprintf(data, sizeof(data), "%s/site-plan.png", fx.dir);
	snprintf(p7s, sizeof(p7s), "%s/site-plan.png.p7s", fx.dir);
	assert_int_equal(tu_write_file(data, doc, len), 0);
	assert_int_equal(tu_write_file(p7s, out, out_len), 0);
	assert_int_equal(tu_run("openssl cms -verify -binary -inform DER -in %s -content %s -CAfile %s -purpose any "
				"-out /dev/null",
				p7s, data, tu_env("pki/root.pem")),
			 0);
	eseal_bytes_free(out);
	free(doc);
}

static void test_fd(void **state)
{
	size_t len, out_len;
	unsigned char *doc = sample("invoice-ubl.xml", &len), *out;
	char path[4096];
	eseal_error err;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/fd.xml", fx.dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#", 1), 1); /* written from the descriptor's position on */
	dirty(&err);
	assert_int_equal(eseal_sealer_seal_fd(fx.sealer, NULL, doc, len, NULL, fd, NULL, &err), ESEAL_OK);
	assert_int_equal(err.status, ESEAL_OK);
	close(fd);
	out = slurp(path, &out_len);
	assert_non_null(out);
	assert_int_equal(out[0], '#');
	assert_verifies("fd.xml", out + 1, out_len - 1, NULL, 0, "XAdES");
	assert_no_workdir();
	free(out);
	free(doc);
}

static void test_errors(void **state)
{
	size_t len;
	unsigned char *doc = sample("invoice-ubl.xml", &len), *out = (unsigned char *)"x";
	size_t out_len = 7;
	eseal_error err;

	(void)state;
	/* Named .pdf but XML: refused as a file would be, in the caller's name, never the working copy's path. */
	dirty(&err);
	assert_int_equal(eseal_sealer_seal_memory(fx.sealer, "in/box/letter.pdf", doc, len, NULL, &out, &out_len, NULL,
						  &err),
			 ESEAL_E_INPUT);
	assert_int_equal(err.status, ESEAL_E_INPUT);
	assert_int_equal(err.reason, ESEAL_REASON_FORMAT_MISMATCH);
	assert_true(strncmp(err.message, "letter.pdf: named .pdf but not a PDF", 36) == 0);
	assert_null(strstr(err.message, fx.tmp));
	assert_null(strstr(err.message, "--"));
	assert_null(out);
	assert_int_equal(out_len, 0);
	assert_no_workdir();

	/* Larger than ESEAL_DOCUMENT_MAX: refused before a byte is read. */
	dirty(&err);
	assert_int_equal(eseal_sealer_seal_memory(fx.sealer, "huge.pdf", doc, ESEAL_DOCUMENT_MAX + 1, NULL, &out,
						  &out_len, NULL, &err),
			 ESEAL_E_INPUT);
	assert_non_null(strstr(err.message, "huge.pdf"));
	assert_int_equal(err.reason, ESEAL_REASON_NONE);
	assert_null(out);

	/* Verification from memory of what is no seal: a report naming it, not a crash or a pass. */
	{
		eseal_report *r = NULL;

		dirty(&err);
		eseal_verify_memory(fx.verifier, "plain.xml", doc, len, NULL, 0, &r, &err);
		assert_non_null(r);
		assert_int_not_equal(eseal_report_overall(r), ESEAL_TOTAL_PASSED);
		eseal_report_free(r);
	}
	free(doc);
}

/* A profile with the detached placement makes detached XAdES, which names files: refused from memory. */
static void test_detached_refused(void **state)
{
	eseal_profile *p = NULL;
	eseal_sealer *s = NULL;
	size_t len, out_len;
	unsigned char *doc = sample("invoice-ubl.xml", &len), *out = NULL;
	eseal_error err;

	(void)state;
	dirty(&err);
	assert_int_equal(eseal_profile_load(&p, tu_env("eseal.conf"), "demo-bb", &err), ESEAL_OK);
	assert_int_equal(eseal_profile_set(p, "placement", "detached", &err), ESEAL_OK);
	assert_int_equal(eseal_sealer_open(&s, p, &err), ESEAL_OK);
	assert_int_equal(eseal_sealer_seal_memory(s, "a.xml", doc, len, NULL, &out, &out_len, NULL, &err), ESEAL_E_USAGE);
	assert_non_null(strstr(err.message, "detached"));
	assert_null(out);
	assert_no_workdir();
	eseal_sealer_free(s);
	eseal_profile_free(p);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml_memory_to_memory), cmocka_unit_test(test_pdf_memory_to_memory),
		cmocka_unit_test(test_cades_memory_to_memory), cmocka_unit_test(test_fd),
		cmocka_unit_test(test_errors), cmocka_unit_test(test_detached_refused),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
