/* tests/fuzz/fuzz_tsa_response.c: libFuzzer target for the TSA's answer (untrusted bytes off the network): the RFC
 * 3161 client's response checks (es_tst_check_response, as the HTTP path calls it) and the verifier's token checks. */
#include "fuzz_common.h"
#include "timestamp/tsa_internal.h"

#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_init();
}

/* The request the client would have sent. matching: imprint, nonce and policy copied from the response itself, so
 * that the checks behind the comparisons (signer, EKU, signature, ESS id, DER token location) are reached; else a
 * fixed request that a mutated response almost never matches, for the mismatch paths. */
static TS_REQ *request_for(TS_TST_INFO *tst, int matching)
{
	static const unsigned char fixed[32] = {0x5a};
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *mi = NULL;
	X509_ALGOR *alg = NULL;
	ASN1_INTEGER *nonce = NULL;
	int ok = req != NULL && TS_REQ_set_version(req, 1) && TS_REQ_set_cert_req(req, 1);

	if (ok && matching && tst != NULL) {
		/* Copying re-encodes the mutated fields, which can fail on a value d2i accepted (an odd imprint
		 * algorithm, an OID or INTEGER that does not survive the round trip): then the mismatch request. */
		if (TS_REQ_set_msg_imprint(req, TS_TST_INFO_get_msg_imprint(tst)) &&
		    (TS_TST_INFO_get_nonce(tst) == NULL || TS_REQ_set_nonce(req, TS_TST_INFO_get_nonce(tst))) &&
		    (TS_TST_INFO_get_policy_id(tst) == NULL ||
		     TS_REQ_set_policy_id(req, TS_TST_INFO_get_policy_id(tst))))
			return req;
		TS_REQ_free(req);
		ERR_clear_error();
		return request_for(NULL, 0);
	}
	if (ok) {
		mi = TS_MSG_IMPRINT_new();
		alg = X509_ALGOR_new();
		nonce = ASN1_INTEGER_new();
		ok = mi != NULL && alg != NULL && nonce != NULL;
		if (ok)
			X509_ALGOR_set_md(alg, EVP_sha256());
		ok = ok && TS_MSG_IMPRINT_set_algo(mi, alg) && TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)fixed, 32) &&
		     TS_REQ_set_msg_imprint(req, mi) && ASN1_INTEGER_set(nonce, 4242) && TS_REQ_set_nonce(req, nonce);
	}
	TS_MSG_IMPRINT_free(mi);
	X509_ALGOR_free(alg);
	ASN1_INTEGER_free(nonce);
	if (!ok) {
		TS_REQ_free(req);
		abort(); /* only out of memory gets here: the fixed request is always encodable */
	}
	return req;
}

static void check(const uint8_t *data, size_t size, TS_REQ *req, X509_STORE *store, int must_fail)
{
	const unsigned char *tok = NULL;
	size_t tok_len = 0;
	char reason[ES_TSA_REASON_MAX];
	time_t t;
	eseal_error err;

	if (!es_tst_check_response(data, size, req, store, &tok, &tok_len, reason, sizeof(reason))) {
		/* Every refusal must say why: the reason ends up in the user's one-line error. */
		if (reason[0] == '\0' || strlen(reason) >= sizeof(reason))
			abort();
		return;
	}
	if (must_fail || tok < data || tok_len == 0 || tok + tok_len > data + size)
		abort();
	eseal_error_clear(&err);
	(void)eseal_tst_gen_time(tok, tok_len, &t, &err);
}

/* The verifier's side, on the token as carried by the response (even one the client would refuse): with the
 * offline verifier (no anchors) and with one that trusts the token's own signer, so the signature is reached. */
static void verify_token(PKCS7 *p7, TS_TST_INFO *tst)
{
	unsigned char *der = NULL;
	int len = p7 != NULL ? i2d_PKCS7(p7, &der) : -1;
	const ASN1_OCTET_STRING *imprint = tst != NULL ? TS_MSG_IMPRINT_get_msg(TS_TST_INFO_get_msg_imprint(tst)) :
							 NULL;
	STACK_OF(X509) *signers = NULL;
	struct eseal_verifier trusting = *fuzz_verifier;
	STACK_OF(X509) *chain = NULL;
	time_t gen = 0;
	char why[256];

	if (len <= 0 || imprint == NULL)
		goto cleanup;
	(void)es_tst_imprint_md(der, (size_t)len);
	(void)es_tst_verify_digest(fuzz_verifier, der, (size_t)len, imprint->data, (size_t)imprint->length, NULL, &gen,
				   &chain, why, sizeof(why));
	sk_X509_pop_free(chain, X509_free);
	chain = NULL;
	signers = PKCS7_get0_signers(p7, NULL, 0);
	ERR_clear_error();
	if (signers == NULL || sk_X509_num(signers) < 1 || (trusting.store = X509_STORE_new()) == NULL)
		goto cleanup;
	X509_STORE_set_flags(trusting.store, X509_V_FLAG_PARTIAL_CHAIN);
	if (X509_STORE_add_cert(trusting.store, sk_X509_value(signers, 0)))
		(void)es_tst_verify_digest(&trusting, der, (size_t)len, imprint->data, (size_t)imprint->length, NULL,
					   &gen, &chain, why, sizeof(why));
	sk_X509_pop_free(chain, X509_free);
	X509_STORE_free(trusting.store);
cleanup:
	sk_X509_free(signers);
	OPENSSL_free(der);
	ERR_clear_error();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	TS_RESP *resp = NULL;
	TS_TST_INFO *tst = NULL;
	TS_REQ *req = NULL;
	X509_STORE *empty = NULL;

	if (size == 0)
		return 0;
	/* The harness reads the response on its own only to learn what a matching request would have been. */
	resp = d2i_TS_RESP(NULL, &p, (long)size);
	tst = resp != NULL ? TS_RESP_get_tst_info(resp) : NULL;

	req = request_for(tst, 1);
	check(data, size, req, NULL, 0);
	/* Trust anchors that cannot contain the signer: must never pass. */
	if ((empty = X509_STORE_new()) == NULL)
		abort();
	check(data, size, req, empty, 1);
	TS_REQ_free(req);
	req = request_for(NULL, 0);
	check(data, size, req, NULL, 0);
	TS_REQ_free(req);

	if (resp != NULL)
		verify_token(TS_RESP_get_token(resp), tst);
	X509_STORE_free(empty);
	TS_RESP_free(resp);
	ERR_clear_error();
	return 0;
}
