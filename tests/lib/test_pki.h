/* tests/lib/test_pki.h: certificates and verifiers made in memory for the C unit tests (cmocka): a CA or leaf
 * certificate with the given validity, and a verifier trusting one root as eseal_verifier_open builds it. */
#ifndef ES_TEST_PKI_H
#define ES_TEST_PKI_H

#include "pki/verifier.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/x509v3.h>

/* A certificate for key named cn, issued by issuer/issuer_key (NULL: self-signed), valid [not_before, not_after]: a
 * CA (basicConstraints CA:TRUE, keyCertSign) or a leaf with the extended key usage leaf_eku (e.g. "timeStamping"). */
static inline X509 *test_make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, time_t not_before,
				   time_t not_after, int ca, const char *leaf_eku)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	char eku[64];
	const char *exts[][2] = {{"basicConstraints", ca ? "critical,CA:TRUE" : "critical,CA:FALSE"},
				 {ca ? "keyUsage" : "extendedKeyUsage", ca ? "critical,keyCertSign,cRLSign" : eku}};
	size_t i;

	snprintf(eku, sizeof(eku), "critical,%s", leaf_eku != NULL ? leaf_eku : "timeStamping");
	assert_non_null(x);
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++), 1);
	assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), not_before));
	assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), not_after));
	assert_int_equal(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
						    (const unsigned char *)cn, -1, -1, 0),
			 1);
	assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(issuer != NULL ? issuer : x)), 1);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		ext = X509V3_EXT_conf(NULL, &v3, exts[i][0], exts[i][1]);
		assert_non_null(ext);
		assert_int_equal(X509_add_ext(x, ext, -1), 1);
		X509_EXTENSION_free(ext);
	}
	assert_true(X509_sign(x, issuer_key != NULL ? issuer_key : key, EVP_sha256()) > 0);
	return x;
}

/* A verifier trusting root alone, offline, built as eseal_verifier_open builds it (without its caches). */
static inline void test_verifier_with_root(struct eseal_verifier *v, X509 *root)
{
	memset(v, 0, sizeof(*v));
	v->store = X509_STORE_new();
	v->store_any_time = X509_STORE_new();
	v->anchors = sk_X509_new_null();
	v->offline = 1;
	assert_non_null(v->store);
	assert_non_null(v->store_any_time);
	assert_non_null(v->anchors);
	X509_STORE_set_flags(v->store, X509_V_FLAG_PARTIAL_CHAIN);
	X509_STORE_set_flags(v->store_any_time, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
	assert_int_equal(X509_STORE_add_cert(v->store, root), 1);
	assert_int_equal(X509_STORE_add_cert(v->store_any_time, root), 1);
	assert_true(sk_X509_push(v->anchors, root) > 0);
}

static inline void test_verifier_clear(struct eseal_verifier *v)
{
	sk_X509_free(v->anchors);
	X509_STORE_free(v->store);
	X509_STORE_free(v->store_any_time);
}

#endif
