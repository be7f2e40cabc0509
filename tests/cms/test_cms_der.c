/* tests/cms/test_cms_der.c: the DER view of a SignedData gives nothing to its caller when it refuses one, however far
 * it got (certificates or unsigned attributes already listed): a verifier calls it on every hostile signature. */
#include "pki/cms_der.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

static const unsigned char oid_signed_data[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};
static const unsigned char oid_data[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};

/* Appends tag, a short length and the content; every test value is under 128 bytes. */
static size_t tlv(unsigned char *out, unsigned char tag, const unsigned char *content, size_t n)
{
	assert_true(n < 128);
	out[0] = tag;
	out[1] = (unsigned char)n;
	memcpy(out + 2, content, n);
	return n + 2;
}

/* A ContentInfo whose SignedData lists two certificates and then holds signer_info as its only SignerInfo. */
static size_t content_info(unsigned char *out, const unsigned char *signer_info, size_t si_len)
{
	static const unsigned char version[] = {0x02, 0x01, 0x01}, digest_algs[] = {0x31, 0x00};
	static const unsigned char two_certs[] = {0x30, 0x00, 0x30, 0x00};
	unsigned char sd[128], tmp[128], body[128];
	size_t n = 0, m;

	memcpy(sd, version, sizeof(version));
	n = sizeof(version);
	memcpy(sd + n, digest_algs, sizeof(digest_algs));
	n += sizeof(digest_algs);
	n += tlv(sd + n, 0x30, oid_data, sizeof(oid_data));
	n += tlv(sd + n, 0xa0, two_certs, sizeof(two_certs));
	n += tlv(sd + n, 0x31, signer_info, si_len);
	m = tlv(tmp, 0x30, sd, n);
	memcpy(body, oid_signed_data, sizeof(oid_signed_data));
	n = sizeof(oid_signed_data);
	n += tlv(body + n, 0xa0, tmp, m);
	return tlv(out, 0x30, body, n);
}

static void assert_refused_and_empty(const unsigned char *der, size_t len)
{
	es_cms_der c;
	char why[128] = "";

	assert_int_equal(es_cms_der_parse(der, len, &c, why, sizeof(why)), -1);
	assert_true(why[0] != '\0');
	/* Under AddressSanitizer a list left behind is also reported as a leak. */
	assert_null(c.certs.v);
	assert_int_equal(c.certs.n, 0);
	assert_null(c.uattrs.v);
	assert_int_equal(c.uattrs.n, 0);
}

static void test_truncated_signer_info_after_certs(void **state)
{
	static const unsigned char si[] = {0x30, 0x03, 0x02, 0x01, 0x01};
	unsigned char der[256];

	(void)state;
	assert_refused_and_empty(der, content_info(der, si, sizeof(si)));
}

static void test_malformed_unsigned_attrs(void **state)
{
	/* version, sid, digestAlgorithm, signatureAlgorithm, signature, then [1] with one attribute and a torn TLV */
	static const unsigned char si[] = {0x30, 0x14, 0x02, 0x01, 0x01, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00,
					   0x04, 0x01, 0x00, 0xa1, 0x06, 0x30, 0x00, 0x30, 0x00, 0x30, 0x05};
	unsigned char der[256];

	(void)state;
	assert_refused_and_empty(der, content_info(der, si, sizeof(si)));
}

static void test_well_formed_is_kept(void **state)
{
	static const unsigned char si[] = {0x30, 0x15, 0x02, 0x01, 0x01, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00,
					   0x04, 0x01, 0x00, 0xa1, 0x07, 0x30, 0x00, 0x30, 0x00, 0x30, 0x01, 0x00};
	unsigned char der[256];
	size_t len;
	es_cms_der c;
	char why[128] = "";

	(void)state;
	len = content_info(der, si, sizeof(si));
	assert_int_equal(es_cms_der_parse(der, len, &c, why, sizeof(why)), 0);
	assert_int_equal(c.certs.n, 2);
	assert_int_equal(c.uattrs.n, 3);
	es_cms_der_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncated_signer_info_after_certs),
		cmocka_unit_test(test_malformed_unsigned_attrs),
		cmocka_unit_test(test_well_formed_is_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
