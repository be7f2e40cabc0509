/* tests/verify/test_tsa_revocation.c: when a TSA certificate's revocation voids a time-stamp (ETSI EN 319 102-1,
 * RFC 3161 section 4): revoked at or before genTime always; after it only for keyCompromise, cACompromise or no reason.
 * And a token whose genTime precedes its TSA certificate's notBefore, or follows its notAfter, proves nothing
 * (es_tst_verify_digest: -1, no chain at genTime), while one inside the validity hands out the TSA's chain, also
 * once the TSA certificate has expired since (OpenSSL's TSA code makes the tokens). */
#include "core/error_internal.h"
#include "pki/chain_revocation.h"
#include "pki/revocation.h"
#include "pki/verifier.h"
#include "timestamp/tst_verify.h"
#include "tests/lib/test_pki.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/ts.h>
#include <openssl/x509v3.h>

static void test_before_gen_time(void **state)
{
	(void)state;
	assert_true(es_tsa_revocation_voids(1000, OCSP_REVOKED_STATUS_SUPERSEDED, 2000));
	assert_true(es_tsa_revocation_voids(1000, OCSP_REVOKED_STATUS_CESSATIONOFOPERATION, 2000));
	assert_true(es_tsa_revocation_voids(2000, OCSP_REVOKED_STATUS_UNSPECIFIED, 2000)); /* same second */
	assert_true(es_tsa_revocation_voids(0, OCSP_REVOKED_STATUS_SUPERSEDED, 2000));     /* unreadable time */
}

static void test_after_gen_time(void **state)
{
	(void)state;
	assert_false(es_tsa_revocation_voids(3000, OCSP_REVOKED_STATUS_SUPERSEDED, 2000));
	assert_false(es_tsa_revocation_voids(3000, OCSP_REVOKED_STATUS_CESSATIONOFOPERATION, 2000));
	assert_false(es_tsa_revocation_voids(3000, OCSP_REVOKED_STATUS_AFFILIATIONCHANGED, 2000));
	assert_false(es_tsa_revocation_voids(3000, OCSP_REVOKED_STATUS_UNSPECIFIED, 2000));
	assert_true(es_tsa_revocation_voids(3000, OCSP_REVOKED_STATUS_KEYCOMPROMISE, 2000));
	assert_true(es_tsa_revocation_voids(3000, OCSP_REVOKED_STATUS_CACOMPROMISE, 2000));
	assert_true(es_tsa_revocation_voids(3000, ES_REV_REASON_NONE, 2000));
}

#define DAY 86400L

static int fixed_time(TS_RESP_CTX *ctx, void *data, long *sec, long *usec)
{
	(void)ctx;
	*sec = (long)*(time_t *)data;
	*usec = 0;
	return 1;
}

/* A DER time-stamp token over digest (SHA-256) by tsa/key with genTime gen, the TSA certificate included. */
static unsigned char *make_token(X509 *tsa, EVP_PKEY *key, const unsigned char *digest, time_t gen, int *len)
{
	TS_RESP_CTX *ctx = TS_RESP_CTX_new();
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_OBJECT *policy = OBJ_txt2obj("1.3.6.1.4.1.99999.3.1", 1);
	BIO *bio = BIO_new(BIO_s_mem());
	TS_RESP *resp = NULL;
	unsigned char *der = NULL;

	assert_non_null(ctx);
	assert_non_null(bio);
	assert_int_equal(X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL), 1);
	assert_int_equal(TS_MSG_IMPRINT_set_algo(mi, alg), 1);
	assert_int_equal(TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)digest, 32), 1);
	assert_int_equal(TS_REQ_set_version(req, 1), 1);
	assert_int_equal(TS_REQ_set_msg_imprint(req, mi), 1);
	assert_int_equal(TS_REQ_set_cert_req(req, 1), 1);
	assert_int_equal(i2d_TS_REQ_bio(bio, req), 1);
	assert_int_equal(TS_RESP_CTX_set_signer_cert(ctx, tsa), 1);
	assert_int_equal(TS_RESP_CTX_set_signer_key(ctx, key), 1);
	assert_int_equal(TS_RESP_CTX_set_def_policy(ctx, policy), 1);
	assert_int_equal(TS_RESP_CTX_add_md(ctx, EVP_sha256()), 1);
	TS_RESP_CTX_set_time_cb(ctx, fixed_time, &gen);
	resp = TS_RESP_create_response(ctx, bio);
	assert_non_null(resp);
	assert_non_null(TS_RESP_get_token(resp));
	*len = i2d_PKCS7(TS_RESP_get_token(resp), &der);
	assert_true(*len > 0);
	TS_RESP_free(resp);
	ASN1_OBJECT_free(policy);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	TS_REQ_free(req);
	BIO_free(bio);
	TS_RESP_CTX_free(ctx);
	return der;
}

/* The TSA certificate became valid a day ago: a token of two days ago has no chain at its genTime and proves no
 * time (-1 = INDETERMINATE for the callers); one of an hour ago verifies and hands out TSA cert .. root. */
static void test_gen_time_before_not_before(void **state)
{
	EVP_PKEY *root_key = EVP_EC_gen("P-256"), *tsa_key = EVP_EC_gen("P-256");
	time_t now = time(NULL);
	X509 *root = test_make_cert(root_key, "Test Root", NULL, NULL, now - 10 * DAY, now + 365 * DAY, 1, NULL);
	X509 *tsa = test_make_cert(tsa_key, "Test TSA", root, root_key, now - DAY, now + 365 * DAY, 0, NULL);
	struct eseal_verifier v;
	unsigned char digest[32], *tok;
	STACK_OF(X509) *chain = NULL;
	char why[512] = "";
	time_t gen = 0;
	int len;

	(void)state;
	memset(digest, 0x5a, sizeof(digest));
	test_verifier_with_root(&v, root);

	tok = make_token(tsa, tsa_key, digest, now - 2 * DAY, &len);
	assert_int_equal(es_tst_verify_digest(&v, tok, (size_t)len, digest, 32, NULL, &gen, &chain, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "no chain for the TSA certificate at the token's genTime"));
	assert_non_null(strstr(why, "not yet valid"));
	assert_int_equal(gen, 0);
	assert_null(chain);
	OPENSSL_free(tok);

	tok = make_token(tsa, tsa_key, digest, now - 3600, &len);
	assert_int_equal(es_tst_verify_digest(&v, tok, (size_t)len, digest, 32, NULL, &gen, &chain, why, sizeof(why)),
			 1);
	assert_int_equal(gen, now - 3600);
	assert_int_equal(sk_X509_num(chain), 2);
	assert_int_equal(X509_cmp(sk_X509_value(chain, 0), tsa), 0);
	assert_int_equal(X509_cmp(sk_X509_value(chain, 1), root), 0);
	sk_X509_pop_free(chain, X509_free);
	OPENSSL_free(tok);

	test_verifier_clear(&v);
	X509_free(tsa);
	X509_free(root);
	EVP_PKEY_free(tsa_key);
	EVP_PKEY_free(root_key);
}

/* The TSA certificate expired two days ago: a token of five days ago still verifies (the time it proves is checked
 * against that expiry by the callers, with proofs of existence); one made a day ago, after the expiry, proves
 * nothing. OpenSSL's own token check judges the chain at the real current time and would void both. */
static void test_tsa_expired_since(void **state)
{
	EVP_PKEY *root_key = EVP_EC_gen("P-256"), *tsa_key = EVP_EC_gen("P-256");
	time_t now = time(NULL);
	X509 *root = test_make_cert(root_key, "Test Root", NULL, NULL, now - 30 * DAY, now + 365 * DAY, 1, NULL);
	X509 *tsa = test_make_cert(tsa_key, "Test TSA", root, root_key, now - 10 * DAY, now - 2 * DAY, 0, NULL);
	struct eseal_verifier v;
	unsigned char digest[32], *tok;
	STACK_OF(X509) *chain = NULL;
	char why[512] = "";
	time_t gen = 0;
	int len;

	(void)state;
	memset(digest, 0xa5, sizeof(digest));
	test_verifier_with_root(&v, root);

	tok = make_token(tsa, tsa_key, digest, now - 5 * DAY, &len);
	assert_int_equal(es_tst_verify_digest(&v, tok, (size_t)len, digest, 32, NULL, &gen, &chain, why, sizeof(why)),
			 1);
	assert_int_equal(gen, now - 5 * DAY);
	assert_int_equal(sk_X509_num(chain), 2);
	sk_X509_pop_free(chain, X509_free);
	chain = NULL;
	OPENSSL_free(tok);

	tok = make_token(tsa, tsa_key, digest, now - DAY, &len);
	assert_int_equal(es_tst_verify_digest(&v, tok, (size_t)len, digest, 32, NULL, &gen, &chain, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "no chain for the TSA certificate at the token's genTime"));
	assert_non_null(strstr(why, "expired"));
	assert_int_equal(gen, 0);
	assert_null(chain);
	OPENSSL_free(tok);

	/* Its signature is still checked: the last byte of the token is the TSA's signature value's. */
	tok = make_token(tsa, tsa_key, digest, now - 5 * DAY, &len);
	tok[len - 1] ^= 1;
	assert_int_equal(es_tst_verify_digest(&v, tok, (size_t)len, digest, 32, NULL, &gen, &chain, why, sizeof(why)),
			 0);
	assert_non_null(strstr(why, "signature invalid"));
	assert_null(chain);
	OPENSSL_free(tok);

	test_verifier_clear(&v);
	X509_free(tsa);
	X509_free(root);
	EVP_PKEY_free(tsa_key);
	EVP_PKEY_free(root_key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_before_gen_time),
		cmocka_unit_test(test_after_gen_time),
		cmocka_unit_test(test_gen_time_before_not_before),
		cmocka_unit_test(test_tsa_expired_since),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
