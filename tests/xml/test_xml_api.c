/* tests/xml/test_xml_api.c: the XAdES sealer's library API directly: XML detection, argument errors, SHA-384
 * with the development key file (checked by xmlsec1), no overwrite of an existing output, missing detached input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eseal/eseal.h"

static char dir[] = "/tmp/eseal-unit-xml-XXXXXX";
static char te[1024];
static eseal_signer *signer;

static void path_in(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static int setup(void **state)
{
	eseal_error err;
	eseal_signer_options so;
	char key[1200], chain[1200];
	const char *env = getenv("ESEAL_TESTENV");

	(void)state;
	assert_non_null(env);
	snprintf(te, sizeof(te), "%s", env);
	assert_non_null(mkdtemp(dir));
	eseal_error_clear(&err);
	assert_int_equal(eseal_init(&err), ESEAL_OK);
	snprintf(key, sizeof(key), "%s/pki/dev-eseal.key", te);
	snprintf(chain, sizeof(chain), "%s/pki/dev-chain.pem", te);
	memset(&so, 0, sizeof(so));
	so.key = key;
	so.cert_file = chain;
	if (eseal_signer_open(&signer, &so, &err) != ESEAL_OK)
		fail_msg("dev signer: %s", err.message);
	return 0;
}

static int teardown(void **state)
{
	char cmd[200];

	(void)state;
	eseal_signer_free(signer);
	eseal_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_detect(void **state)
{
	(void)state;
	assert_true(eseal_xml_detect((const unsigned char *)"<?xml version=\"1.0\"?><a/>", 26));
	assert_true(eseal_xml_detect((const unsigned char *)"\xEF\xBB\xBF<?xml", 8));
	assert_true(eseal_xml_detect((const unsigned char *)"\n  <Invoice>", 12));
	assert_true(eseal_xml_detect((const unsigned char *)"<!DOCTYPE r>", 12));
	assert_false(eseal_xml_detect((const unsigned char *)"%PDF-1.7\n", 9));
	assert_false(eseal_xml_detect((const unsigned char *)"PK\x03\x04", 4));
	assert_false(eseal_xml_detect((const unsigned char *)"< not xml", 9));
	assert_false(eseal_xml_detect((const unsigned char *)"<", 1));
	assert_false(eseal_xml_detect(NULL, 0));
	/* A binary file that happens to start like markup (1 in ~400 random files) stays a CAdES file. */
	{
		unsigned char bin[1024];
		unsigned int seed = 7, k, i, hits = 0;

		for (k = 0; k < 2000; k++) {
			for (i = 0; i < sizeof(bin); i++)
				bin[i] = (unsigned char)(rand_r(&seed) >> 7);
			bin[0] = '<';
			bin[1] = 'a';
			hits += (unsigned)eseal_xml_detect(bin, sizeof(bin));
		}
		assert_int_equal(hits, 0);
	}
	/* UTF-16 with byte order marks (LE, BE) and without ("<?" in either order). */
	assert_true(eseal_xml_detect((const unsigned char *)"\xFF\xFE<\0?\0x\0m\0l\0", 10));
	assert_true(eseal_xml_detect((const unsigned char *)"\xFE\xFF\0<\0a\0>", 8));
	assert_true(eseal_xml_detect((const unsigned char *)"<\0?\0x\0", 6));
	assert_true(eseal_xml_detect((const unsigned char *)"\0<\0?\0x", 6));
	assert_false(eseal_xml_detect((const unsigned char *)"\xFF\xFEP\0K\0", 6));
}

static void test_usage(void **state)
{
	eseal_xml_options o;
	eseal_error err;

	(void)state;
	memset(&o, 0, sizeof(o));
	eseal_error_clear(&err);
	assert_int_equal(eseal_xml_seal("a.xml", "b.xml", NULL, &err), ESEAL_E_USAGE);
	eseal_error_clear(&err);
	assert_int_equal(eseal_xml_seal("a.xml", "b.xml", &o, &err), ESEAL_E_USAGE);
	assert_non_null(strstr(err.message, "no signer"));
	eseal_error_clear(&err);
	o.signer = signer;
	assert_int_equal(eseal_xml_seal_detached(NULL, 0, "b.xml", &o, &err), ESEAL_E_USAGE);
}

static void test_sha384_and_no_overwrite(void **state)
{
	eseal_xml_options o;
	eseal_error err;
	char in[1200], out[1200], cmd[4000];
	char *text = NULL;

	(void)state;
	path_in(in, sizeof(in), "in.xml");
	path_in(out, sizeof(out), "out.xml");
	write_file(in, "<?xml version=\"1.0\"?>\n<doc xmlns=\"urn:x\"><v>1</v></doc>\n");
	memset(&o, 0, sizeof(o));
	o.signer = signer;
	o.md = EVP_sha384();
	eseal_error_clear(&err);
	if (eseal_xml_seal(in, out, &o, &err) != ESEAL_OK)
		fail_msg("seal: %s", err.message);
	text = read_all(out);
	assert_non_null(strstr(text, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"));
	assert_non_null(strstr(text, "<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#sha384\"/>"));
	snprintf(cmd, sizeof(cmd),
		 "xmlsec1 --verify --trusted-pem '%s/pki/root.pem' --untrusted-pem '%s/pki/ca.pem' "
		 "--id-attr:Id 'http://uri.etsi.org/01903/v1.3.2#:SignedProperties' '%s' >/dev/null 2>&1",
		 te, te, out);
	assert_int_equal(system(cmd), 0);
	/* An existing output is never replaced unless asked, and stays as it was. */
	o.md = NULL;
	eseal_error_clear(&err);
	assert_int_equal(eseal_xml_seal(in, out, &o, &err), ESEAL_E_IO);
	assert_non_null(strstr(err.message, "out.xml"));
	{
		char *again = read_all(out);

		assert_string_equal(again, text);
		free(again);
	}
	o.overwrite = 1;
	eseal_error_clear(&err);
	assert_int_equal(eseal_xml_seal(in, out, &o, &err), ESEAL_OK);
	free(text);
}

static void test_detached_missing_input(void **state)
{
	eseal_xml_options o;
	eseal_error err;
	char a[1200], missing[1200], out[1200];
	const char *ins[2];
	struct stat st;

	(void)state;
	path_in(a, sizeof(a), "a.bin");
	path_in(missing, sizeof(missing), "missing.bin");
	path_in(out, sizeof(out), "det.xml");
	write_file(a, "binary-ish");
	ins[0] = a;
	ins[1] = missing;
	memset(&o, 0, sizeof(o));
	o.signer = signer;
	eseal_error_clear(&err);
	assert_int_equal(eseal_xml_seal_detached(ins, 2, out, &o, &err), ESEAL_E_IO);
	assert_non_null(strstr(err.message, "missing.bin"));
	assert_int_not_equal(stat(out, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_sha384_and_no_overwrite),
		cmocka_unit_test(test_detached_missing_input),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
