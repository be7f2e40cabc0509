/* timestamp/tst_check.c: checks an RFC 3161 response before its token is used, and reads a token's genTime.
 * Explicit checks come first so each failure has its own message (wrong nonce, imprint mismatch, ...). */
#include "tsa_internal.h"
#include "core/clock_internal.h"
#include "core/error_internal.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

static const char *const pki_status_names[] = {"granted", "grantedWithMods",   "rejection",
					       "waiting", "revocationWarning", "revocationNotification"};

/* RFC 3161 PKIFailureInfo bit numbers and names. */
static const struct {
	int bit;
	const char *name;
} failure_names[] = {{0, "badAlg"},
		     {2, "badRequest"},
		     {5, "badDataFormat"},
		     {14, "timeNotAvailable"},
		     {15, "unacceptedPolicy"},
		     {16, "unacceptedExtension"},
		     {17, "addInfoNotAvailable"},
		     {25, "systemFailure"}};

/* Fails unless status is granted (0) or grantedWithMods (1); the reason carries the TSA's text and failure bits. */
static int check_status(TS_RESP *resp, char *reason, size_t size)
{
	TS_STATUS_INFO *si = TS_RESP_get_status_info(resp);
	const STACK_OF(ASN1_UTF8STRING) *text = TS_STATUS_INFO_get0_text(si);
	const ASN1_BIT_STRING *fail = TS_STATUS_INFO_get0_failure_info(si);
	long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(si));
	char failures[128] = "", txt[121] = "";
	size_t i, used = 0;

	if (status == 0 || status == 1)
		return 1;
	for (i = 0; fail != NULL && i < sizeof(failure_names) / sizeof(failure_names[0]); i++)
		if (ASN1_BIT_STRING_get_bit(fail, failure_names[i].bit) && used < sizeof(failures))
			used += (size_t)snprintf(failures + used, sizeof(failures) - used, "%s%s", used ? "," : "",
						 failure_names[i].name);
	/* The TSA's free text is untrusted: one printable line of it at most. */
	if (sk_ASN1_UTF8STRING_num(text) > 0) {
		const ASN1_UTF8STRING *t = sk_ASN1_UTF8STRING_value(text, 0);
		const unsigned char *d = ASN1_STRING_get0_data(t);
		int n = ASN1_STRING_length(t);

		for (i = 0; i < (size_t)n && i < sizeof(txt) - 1; i++)
			txt[i] = d[i] >= 0x20 && d[i] < 0x7f ? (char)(d[i] & 0x7f) : '?';
		txt[i] = '\0';
	}
	snprintf(reason, size, "request refused: status %s%s%s%s%s%s%s",
		 status >= 0 && status <= 5 ? pki_status_names[status] : "unknown", failures[0] ? " (" : "", failures,
		 failures[0] ? ")" : "", txt[0] ? ": \"" : "", txt, txt[0] ? "\"" : "");
	return 0;
}

/* RFC 3161 2.3: the TSA certificate must carry extendedKeyUsage with exactly id-kp-timeStamping, critical. */
static int check_tsa_eku(X509 *tsa_cert, char *reason, size_t size)
{
	int idx = X509_get_ext_by_NID(tsa_cert, NID_ext_key_usage, -1);
	EXTENDED_KEY_USAGE *eku = NULL;
	int ok = 0;

	if (idx < 0) {
		snprintf(reason, size, "TSA certificate has no extendedKeyUsage");
		return 0;
	}
	if (!X509_EXTENSION_get_critical(X509_get_ext(tsa_cert, idx))) {
		snprintf(reason, size, "TSA certificate's extendedKeyUsage is not critical");
		return 0;
	}
	eku = X509_get_ext_d2i(tsa_cert, NID_ext_key_usage, NULL, NULL);
	ok = eku != NULL && sk_ASN1_OBJECT_num(eku) == 1 && OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)) == NID_time_stamp;
	if (!ok)
		snprintf(reason, size, "TSA certificate's extendedKeyUsage is not exactly timeStamping");
	EXTENDED_KEY_USAGE_free(eku);
	return ok;
}

/* The token as the TSA sent it, located in the response without re-encoding (a re-encoded token could differ
 * byte-wise from what the TSA signed if it used BER somewhere).
 * TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken ContentInfo OPTIONAL } */
static int locate_token(const unsigned char *der, size_t der_len, const unsigned char **tok, size_t *tok_len)
{
	const unsigned char *p = der, *end, *start;
	long len;
	int tag, cls, ret;

	ret = ASN1_get_object(&p, &len, &tag, &cls, (long)der_len);
	if ((ret & 0x80) || ret != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE)
		return 0; /* error, or indefinite length (ret 0x21): a DER-only TSA answer is what we accept */
	end = p + len;
	ret = ASN1_get_object(&p, &len, &tag, &cls, end - p);
	if ((ret & 0x80) || ret != V_ASN1_CONSTRUCTED)
		return 0;
	p += len;
	start = p;
	ret = ASN1_get_object(&p, &len, &tag, &cls, end - p);
	if ((ret & 0x80) || ret != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE || p + len != end)
		return 0;
	*tok = start;
	*tok_len = (size_t)(end - start);
	return 1;
}

/* What OpenSSL said when the signature check failed, as a short reason. */
static void signature_reason(char *reason, size_t size)
{
	unsigned long e = ERR_peek_error();
	const char *data = NULL;
	int flags = 0;
	char ossl[256];

	ERR_peek_error_data(&data, &flags);
	ERR_error_string_n(e, ossl, sizeof(ossl));
	if (ERR_GET_LIB(e) == ERR_LIB_TS && ERR_GET_REASON(e) == TS_R_CERTIFICATE_VERIFY_ERROR)
		snprintf(reason, size, "TSA certificate not trusted (%s)",
			 (flags & ERR_TXT_STRING) && data != NULL ? data : ossl);
	else if (ERR_GET_LIB(e) == ERR_LIB_ESS ||
		 (ERR_GET_LIB(e) == ERR_LIB_TS && ERR_GET_REASON(e) == TS_R_ESS_SIGNING_CERTIFICATE_ERROR))
		snprintf(reason, size, "ESS certificate id does not match the TSA certificate (%s)", ossl);
	else
		snprintf(reason, size, "bad signature (%s)", ossl);
	ERR_clear_error();
}

static int check_signature(TS_RESP *resp, X509 *tsa_cert, X509_STORE *store, char *reason, size_t size)
{
	TS_VERIFY_CTX *ctx = NULL;
	X509_STORE *own = NULL;
	int ok = 0;

	if (store == NULL) {
		/* No trust anchors configured: trust the included TSA certificate itself, so the signature, the ESS
		 * id and the certificate's purpose are still checked but no chain is built. */
		own = X509_STORE_new();
		if (own == NULL || !X509_STORE_add_cert(own, tsa_cert) ||
		    !X509_STORE_set_flags(own, X509_V_FLAG_PARTIAL_CHAIN))
			goto oom;
		store = own;
	} else if (!X509_STORE_up_ref(store)) {
		goto oom;
	}
	ctx = TS_VERIFY_CTX_new();
	if (ctx == NULL) {
		X509_STORE_free(store);
		goto oom;
	}
	TS_VERIFY_CTX_set_store(ctx, store); /* ctx owns the reference now */
	TS_VERIFY_CTX_set_flags(ctx, TS_VFY_SIGNATURE);
	ERR_clear_error();
	if (TS_RESP_verify_response(ctx, resp) == 1)
		ok = 1;
	else
		signature_reason(reason, size);
	TS_VERIFY_CTX_free(ctx);
	return ok;
oom:
	X509_STORE_free(own);
	snprintf(reason, size, "out of memory");
	return 0;
}

int es_tst_check_response(const unsigned char *resp_der, size_t resp_len, TS_REQ *req, X509_STORE *store,
			  const unsigned char **token, size_t *token_len, char *reason, size_t size)
{
	const unsigned char *p = resp_der;
	TS_RESP *resp = NULL;
	TS_TST_INFO *tst = NULL;
	TS_MSG_IMPRINT *want = TS_REQ_get_msg_imprint(req), *got = NULL;
	const ASN1_INTEGER *want_nonce = TS_REQ_get_nonce(req), *got_nonce = NULL;
	ASN1_OBJECT *want_policy = TS_REQ_get_policy_id(req);
	STACK_OF(X509) *signers = NULL;
	PKCS7 *p7 = NULL;
	int ok = 0;

	reason[0] = '\0';
	resp = d2i_TS_RESP(NULL, &p, (long)resp_len);
	if (resp == NULL) {
		snprintf(reason, size, "answer is not an RFC 3161 TimeStampResp (%zu bytes of garbage)", resp_len);
		goto cleanup;
	}
	if (p != resp_der + resp_len) {
		snprintf(reason, size, "answer has %zu bytes of trailing garbage after the TimeStampResp",
			 (size_t)(resp_der + resp_len - p));
		goto cleanup;
	}
	if (!check_status(resp, reason, size))
		goto cleanup;
	p7 = TS_RESP_get_token(resp);
	tst = TS_RESP_get_tst_info(resp);
	if (p7 == NULL || tst == NULL) {
		snprintf(reason, size, "status granted but no time-stamp token");
		goto cleanup;
	}
	if (TS_TST_INFO_get_version(tst) != 1) {
		snprintf(reason, size, "unsupported TSTInfo version %ld", TS_TST_INFO_get_version(tst));
		goto cleanup;
	}
	got = TS_TST_INFO_get_msg_imprint(tst);
	if (OBJ_cmp(TS_MSG_IMPRINT_get_algo(want)->algorithm, TS_MSG_IMPRINT_get_algo(got)->algorithm) != 0 ||
	    ASN1_STRING_cmp(TS_MSG_IMPRINT_get_msg(want), TS_MSG_IMPRINT_get_msg(got)) != 0) {
		snprintf(reason, size, "message imprint mismatch (the token is for other data)");
		goto cleanup;
	}
	got_nonce = TS_TST_INFO_get_nonce(tst);
	if (want_nonce != NULL && (got_nonce == NULL || ASN1_INTEGER_cmp(want_nonce, got_nonce) != 0)) {
		snprintf(reason, size, "wrong nonce (the answer is not for this request: replay or mix-up)");
		goto cleanup;
	}
	if (want_policy != NULL && OBJ_cmp(want_policy, TS_TST_INFO_get_policy_id(tst)) != 0) {
		snprintf(reason, size, "token policy differs from the requested policy");
		goto cleanup;
	}
	/* certReq was true, so the TSA certificate must be in the token. */
	signers = PKCS7_get0_signers(p7, NULL, 0);
	if (signers == NULL || sk_X509_num(signers) != 1) {
		ERR_clear_error();
		snprintf(reason, size, "token does not carry exactly one TSA signer certificate");
		goto cleanup;
	}
	if (!check_tsa_eku(sk_X509_value(signers, 0), reason, size))
		goto cleanup;
	if (!check_signature(resp, sk_X509_value(signers, 0), store, reason, size))
		goto cleanup;
	if (!locate_token(resp_der, resp_len, token, token_len)) {
		snprintf(reason, size, "time-stamp token is not DER encoded");
		goto cleanup;
	}
	ok = 1;
cleanup:
	sk_X509_free(signers);
	TS_RESP_free(resp);
	ERR_clear_error();
	return ok;
}

eseal_status eseal_tst_gen_time(const unsigned char *token, size_t token_len, time_t *gen_time, eseal_error *err)
{
	const unsigned char *p = token;
	PKCS7 *p7 = NULL;
	TS_TST_INFO *tst = NULL;
	const ASN1_GENERALIZEDTIME *t = NULL;
	int rc = ESEAL_OK;

	eseal_error_clear(err);
	p7 = d2i_PKCS7(NULL, &p, (long)token_len);
	if (p7 == NULL || (tst = PKCS7_to_TS_TST_INFO(p7)) == NULL) {
		rc = es_error_set_ossl(err, ESEAL_E_INPUT, "time-stamp token: not an RFC 3161 TimeStampToken");
		goto cleanup;
	}
	t = TS_TST_INFO_get_time(tst);
	if ((*gen_time = es_asn1_time_t(t)) == 0) {
		rc = es_error_set_ossl(err, ESEAL_E_INPUT, "time-stamp token: unreadable genTime");
		goto cleanup;
	}
cleanup:
	TS_TST_INFO_free(tst);
	PKCS7_free(p7);
	return rc;
}
