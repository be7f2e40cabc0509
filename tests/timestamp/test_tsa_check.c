/* tests/timestamp/test_tsa_check.c: the response checks that a well-behaved TSA server cannot exercise: a token
 * whose certificate was swapped for one with the same issuer, serial and key but other content (ESS cert id must
 * catch it) or with a non-critical EKU. Responses are made here with OpenSSL's own TSA code and the fixture's key. */
#include "tsa_test_util.h"
#include "eseal/eseal.h"
#include "timestamp/tsa_internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

static X509 *tsa_cert;
static EVP_PKEY *tsa_key;

static int group_setup(void **state)
{
	eseal_error err = {0};
	FILE *f;

	if (eseal_init(&err) != ESEAL_OK)
		return -1;
	if ((f = fopen(tu_env("pki/tsa.pem"), "r")) == NULL)
		return -1;
	tsa_cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if ((f = fopen(tu_env("pki/tsa.key"), "r")) == NULL)
		return -1;
	tsa_key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return tsa_cert != NULL && tsa_key != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
	X509_free(tsa_cert);
	EVP_PKEY_free(tsa_key);
	eseal_cleanup();
	return 0;
}

static TS_REQ *make_req(const unsigned char *digest)
{
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_INTEGER *nonce = ASN1_INTEGER_new();

	assert_non_null(req);
	X509_ALGOR_set_md(alg, EVP_sha256());
	assert_true(TS_MSG_IMPRINT_set_algo(mi, alg) && TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)digest, 32) &&
		    TS_REQ_set_version(req, 1) && TS_REQ_set_msg_imprint(req, mi) && ASN1_INTEGER_set(nonce, 4242) &&
		    TS_REQ_set_nonce(req, nonce) && TS_REQ_set_cert_req(req, 1));
	TS_MSG_IMPRINT_free(mi);
	X509_ALGOR_free(alg);
	ASN1_INTEGER_free(nonce);
	return req;
}

/* A response from OpenSSL's TSA code signed with the fixture's TSA key; if swap is given, the token's certificate
 * set is replaced by it afterwards (certificates are outside the signature). DER, OPENSSL_malloc'd. */
static unsigned char *make_resp(TS_REQ *req, X509 *swap, int *len)
{
	TS_RESP_CTX *ctx = TS_RESP_CTX_new();
	TS_RESP *resp = NULL;
	BIO *in = BIO_new(BIO_s_mem());
	unsigned char *der = NULL;
	PKCS7 *p7;

	assert_non_null(ctx);
	assert_true(i2d_TS_REQ_bio(in, req));
	assert_true(TS_RESP_CTX_set_signer_cert(ctx, tsa_cert) && TS_RESP_CTX_set_signer_key(ctx, tsa_key) &&
		    TS_RESP_CTX_set_def_policy(ctx, OBJ_txt2obj("1.3.6.1.4.1.99999.3.1", 1)) &&
		    TS_RESP_CTX_add_md(ctx, EVP_sha256()) && TS_RESP_CTX_set_ess_cert_id_digest(ctx, EVP_sha256()));
	resp = TS_RESP_create_response(ctx, in);
	assert_non_null(resp);
	if (swap != NULL) {
		p7 = TS_RESP_get_token(resp);
		sk_X509_pop_free(p7->d.sign->cert, X509_free);
		p7->d.sign->cert = NULL;
		assert_true(PKCS7_add_certificate(p7, swap));
	}
	*len = i2d_TS_RESP(resp, &der);
	assert_true(*len > 0);
	TS_RESP_free(resp);
	TS_RESP_CTX_free(ctx);
	BIO_free(in);
	return der;
}

/* Same issuer, serial and key as the TSA certificate, other content; signed with the TSA key (only the no-anchor
 * path can get this far, where the included certificate is its own anchor, so nobody checks who signed it). */
static X509 *twin(int eku_critical)
{
	X509 *x = X509_dup(tsa_cert);
	int idx = X509_get_ext_by_NID(x, NID_ext_key_usage, -1);

	assert_non_null(x);
	assert_true(idx >= 0);
	assert_true(X509_gmtime_adj(X509_getm_notAfter(x), 86400 * 30) != NULL);
	assert_true(X509_EXTENSION_set_critical(X509_get_ext(x, idx), eku_critical));
	assert_true(X509_sign(x, tsa_key, EVP_sha256()) > 0);
	return x;
}

static int check(const unsigned char *der, int len, TS_REQ *req, char *reason, size_t size)
{
	const unsigned char *tok = NULL;
	size_t tok_len = 0;
	int ok = es_tst_check_response(der, (size_t)len, req, NULL, &tok, &tok_len, reason, size);

	fprintf(stderr, "check: %s\n", ok ? "ok" : reason);
	if (ok) {
		/* The token is located inside the response, as received. */
		assert_true(tok > der && tok + tok_len == der + len);
	}
	return ok;
}

static void test_control_untouched_passes(void **state)
{
	unsigned char digest[32] = {7};
	TS_REQ *req = make_req(digest);
	char reason[ES_TSA_REASON_MAX];
	int len;
	unsigned char *der = make_resp(req, NULL, &len);

	assert_true(check(der, len, req, reason, sizeof(reason)));
	OPENSSL_free(der);
	TS_REQ_free(req);
}

/* A token whose certificate was swapped for twin(eku_critical) must be refused with the given reason. */
static void swapped_cert_refused(int eku_critical, const char *want)
{
	unsigned char digest[32] = {8};
	TS_REQ *req = make_req(digest);
	X509 *x = twin(eku_critical);
	char reason[ES_TSA_REASON_MAX];
	int len;
	unsigned char *der = make_resp(req, x, &len);

	assert_false(check(der, len, req, reason, sizeof(reason)));
	assert_non_null(strstr(reason, want));
	OPENSSL_free(der);
	X509_free(x);
	TS_REQ_free(req);
}

static void test_ess_cert_id_mismatch(void **state)
{
	swapped_cert_refused(1, "ESS certificate id");
}

static void test_eku_not_critical(void **state)
{
	swapped_cert_refused(0, "not critical");
}

static void test_trailing_bytes_refused(void **state)
{
	unsigned char digest[32] = {10};
	TS_REQ *req = make_req(digest);
	char reason[ES_TSA_REASON_MAX];
	int len;
	unsigned char *der = make_resp(req, NULL, &len);
	unsigned char *longer = OPENSSL_malloc((size_t)len + 1);

	memcpy(longer, der, (size_t)len);
	longer[len] = 0;
	assert_false(check(longer, len + 1, req, reason, sizeof(reason)));
	assert_non_null(strstr(reason, "trailing garbage"));
	OPENSSL_free(longer);
	OPENSSL_free(der);
	TS_REQ_free(req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_untouched_passes),
		cmocka_unit_test(test_ess_cert_id_mismatch),
		cmocka_unit_test(test_eku_not_critical),
		cmocka_unit_test(test_trailing_bytes_refused),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
