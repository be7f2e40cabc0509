/* timestamp/tst_verify.c: validation of an RFC 3161 time-stamp token found in a seal: message imprint over the
 * right bytes, TSA signature, TSA certificate chain to the verifier's anchors with the timeStamping EKU, at the
 * token's genTime too, and the revocation of that chain. */
#include "tst_verify.h"

#include "core/clock_internal.h"
#include "core/error_internal.h"
#include "pki/chain.h"
#include "pki/chain_revocation.h"
#include "pki/cms_der.h"
#include "pki/crypto_suite.h"
#include "pki/evidence.h"
#include "pki/report.h"
#include "pki/verifier.h"

#include <openssl/err.h>
#include <openssl/ts.h>
#include <stdlib.h>
#include <string.h>

/* The token without the CertificateChoices that are not X.509 certificates (attribute certificates, RFC 5652
 * 10.2.2): OpenSSL's PKCS#7 reads only X.509 ones, and the TSA's signature does not cover the certificates field.
 * *n counts what was left out. Returns the rewritten DER (malloc'd) or NULL when there is nothing to leave out. */
static unsigned char *x509_certs_only(const unsigned char *token, size_t len, size_t *out_len, int *n)
{
	es_cms_der c;
	unsigned char *out = NULL;
	char why[128];
	size_t i, kept = 0;

	*n = 0;
	if (es_cms_der_parse(token, len, &c, why, sizeof(why)) != 0)
		return NULL;
	for (i = 0; i < c.certs.n; i++)
		if (c.certs.v[i].p[0] == 0x30)
			c.certs.v[kept++] = c.certs.v[i];
		else
			(*n)++;
	c.certs.n = kept;
	if (*n > 0 && es_cms_der_encode(&c, &out, out_len) != 0)
		out = NULL;
	es_cms_der_clear(&c);
	return out;
}

static TS_TST_INFO *token_info(const unsigned char *token, size_t len, PKCS7 **p7out)
{
	const unsigned char *p = token;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)len);
	TS_TST_INFO *info;
	unsigned char *x509_only = NULL;
	size_t x509_only_len = 0;
	int n;

	if (p7 == NULL && (x509_only = x509_certs_only(token, len, &x509_only_len, &n)) != NULL) {
		p = x509_only;
		p7 = d2i_PKCS7(NULL, &p, (long)x509_only_len);
	}
	info = p7 != NULL ? PKCS7_to_TS_TST_INFO(p7) : NULL;
	if (info == NULL) {
		PKCS7_free(p7);
		p7 = NULL;
	}
	*p7out = p7;
	free(x509_only);
	ERR_clear_error();
	return info;
}

int es_tst_non_x509_certs(const unsigned char *token, size_t len)
{
	const unsigned char *p = token;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)len);
	unsigned char *x509_only = NULL;
	size_t x509_only_len = 0;
	int n = 0;

	if (p7 == NULL)
		x509_only = x509_certs_only(token, len, &x509_only_len, &n);
	PKCS7_free(p7);
	free(x509_only);
	ERR_clear_error();
	return n;
}

const EVP_MD *es_tst_imprint_md(const unsigned char *token, size_t token_len)
{
	PKCS7 *p7 = NULL;
	TS_TST_INFO *info = token_info(token, token_len, &p7);
	const EVP_MD *md = NULL;

	if (info != NULL)
		md = EVP_get_digestbyobj(TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(info))->algorithm);
	TS_TST_INFO_free(info);
	PKCS7_free(p7);
	return md;
}

/* The chain of the token's signer at genTime gen, from the certificates the token and the file carry: a TSA whose
 * certificate was not (yet, or any more) valid at the time it states cannot vouch for that time. */
static int chain_at_gen_time(const eseal_verifier *v, PKCS7 *p7, const es_evidence *ev, time_t gen,
			     STACK_OF(X509) * *chain, char *why, size_t why_len)
{
	STACK_OF(X509) *untrusted = ev != NULL ? X509_chain_up_ref(ev->certs) : sk_X509_new_null();
	STACK_OF(X509) *signers = NULL, *own = PKCS7_type_is_signed(p7) ? p7->d.sign->cert : NULL;
	char b[32];
	int i, rc = -1;

	for (i = 0; untrusted != NULL && i < sk_X509_num(own); i++)
		if (X509_up_ref(sk_X509_value(own, i)) && !sk_X509_push(untrusted, sk_X509_value(own, i)))
			X509_free(sk_X509_value(own, i));
	signers = untrusted != NULL ? PKCS7_get0_signers(p7, untrusted, 0) : NULL;
	if (signers == NULL || sk_X509_num(signers) < 1) {
		snprintf(why, why_len, "TSA certificate not found");
		goto cleanup;
	}
	rc = es_chain_build(v, sk_X509_value(signers, 0), untrusted, gen, X509_PURPOSE_ANY, chain);
	if (rc != X509_V_OK)
		snprintf(why, why_len,
			 "no chain for the TSA certificate at the token's genTime %s (%s): the time is not "
			 "proven",
			 es_fmt_time(gen, b, sizeof(b)), X509_verify_cert_error_string(rc));
cleanup:
	sk_X509_free(signers);
	sk_X509_pop_free(untrusted, X509_free);
	ERR_clear_error();
	return rc == X509_V_OK;
}

int es_tst_chain(const eseal_verifier *v, const unsigned char *token, size_t token_len, time_t *gen_time,
		 STACK_OF(X509) * *chain, STACK_OF(X509) * *untrusted, char *why, size_t why_len)
{
	PKCS7 *p7 = NULL;
	TS_TST_INFO *info = token_info(token, token_len, &p7);
	int ok = 0;

	*chain = NULL;
	*untrusted = NULL;
	if (info == NULL || (*gen_time = es_asn1_time_t(TS_TST_INFO_get_time(info))) == 0) {
		snprintf(why, why_len, "not an RFC 3161 time-stamp token with a readable genTime");
		goto cleanup;
	}
	if (!chain_at_gen_time(v, p7, NULL, *gen_time, chain, why, why_len))
		goto cleanup;
	*untrusted = p7->d.sign->cert != NULL ? X509_chain_up_ref(p7->d.sign->cert) : sk_X509_new_null();
	if (*untrusted == NULL) {
		snprintf(why, why_len, "out of memory");
		goto cleanup;
	}
	ok = 1;
cleanup:
	if (!ok) {
		sk_X509_pop_free(*chain, X509_free);
		*chain = NULL;
	}
	TS_TST_INFO_free(info);
	PKCS7_free(p7);
	ERR_clear_error();
	return ok;
}

int es_tst_verify_digest(const eseal_verifier *v, const unsigned char *token, size_t token_len,
			 const unsigned char *digest, size_t digest_len, const es_evidence *ev, time_t *gen_time,
			 STACK_OF(X509) * *tsa_chain, char *why, size_t why_len)
{
	PKCS7 *p7 = NULL;
	TS_TST_INFO *info = token_info(token, token_len, &p7);
	TS_VERIFY_CTX *ctx = NULL;
	STACK_OF(X509) *untrusted = NULL, *chain = NULL;
	const ASN1_OCTET_STRING *imprint;
	unsigned long e;
	time_t gen;
	int ok = 0;

	*gen_time = 0;
	if (tsa_chain != NULL)
		*tsa_chain = NULL;
	if (info == NULL) {
		snprintf(why, why_len, "not a time-stamp token");
		goto cleanup;
	}
	imprint = TS_MSG_IMPRINT_get_msg(TS_TST_INFO_get_msg_imprint(info));
	if (digest == NULL || (size_t)imprint->length != digest_len || memcmp(imprint->data, digest, digest_len) != 0) {
		snprintf(why, why_len, "message imprint does not match the time-stamped data");
		goto cleanup;
	}
	ctx = TS_VERIFY_CTX_new();
	untrusted = ev != NULL ? X509_chain_up_ref(ev->certs) : sk_X509_new_null();
	if (ctx == NULL || untrusted == NULL || !X509_STORE_up_ref(v->store_any_time)) {
		snprintf(why, why_len, "out of memory");
		ok = -1;
		goto cleanup;
	}
	/* The context takes ownership of the store reference and the stack. The chain's validity period is
	 * chain_at_gen_time's: an expired TSA certificate does not void what it stamped while it was valid. */
	TS_VERIFY_CTX_set_store(ctx, v->store_any_time);
	TS_VERIFY_CTX_set_certs(ctx, untrusted);
	untrusted = NULL;
	TS_VERIFY_CTX_set_flags(ctx, TS_VFY_SIGNATURE | TS_VFY_VERSION);
	if (TS_RESP_verify_token(ctx, p7) != 1) {
		e = ERR_peek_last_error();
		/* A TSA we cannot chain is "don't know"; a bad signature or ESS id is tampering. */
		if (ERR_GET_LIB(e) == ERR_LIB_TS && ERR_GET_REASON(e) == TS_R_CERTIFICATE_VERIFY_ERROR)
			ok = -1;
		snprintf(why, why_len, "TSA %s (%s)", ok < 0 ? "certificate not trusted" : "signature invalid",
			 e != 0 ? ERR_reason_error_string(e) : "unknown reason");
		goto cleanup;
	}
	gen = es_asn1_time_t(TS_TST_INFO_get_time(info));
	if (gen == 0) {
		snprintf(why, why_len, "unreadable genTime");
		goto cleanup;
	}
	/* TS_RESP_verify_token judged the chain at no time; the token speaks for genTime. */
	if (!chain_at_gen_time(v, p7, ev, gen, &chain, why, why_len)) {
		ok = -1;
		goto cleanup;
	}
	*gen_time = gen;
	if (tsa_chain != NULL) {
		*tsa_chain = chain;
		chain = NULL;
	}
	ok = 1;
cleanup:
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(untrusted, X509_free);
	TS_VERIFY_CTX_free(ctx);
	TS_TST_INFO_free(info);
	PKCS7_free(p7);
	ERR_clear_error();
	return ok;
}

int es_tst_verify(const eseal_verifier *v, const unsigned char *token, size_t token_len, const unsigned char *data,
		  size_t data_len, const es_evidence *ev, time_t *gen_time, STACK_OF(X509) * *tsa_chain, char *why,
		  size_t why_len)
{
	const EVP_MD *md = es_tst_imprint_md(token, token_len);
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	*gen_time = 0;
	if (tsa_chain != NULL)
		*tsa_chain = NULL;
	if (md == NULL) {
		snprintf(why, why_len, "not a time-stamp token or unknown imprint algorithm");
		return 0;
	}
	if (EVP_Digest(data, data_len, digest, &dlen, md, NULL) != 1) {
		snprintf(why, why_len, "digest failed");
		return 0;
	}
	return es_tst_verify_digest(v, token, token_len, digest, dlen, ev, gen_time, tsa_chain, why, why_len);
}

/* The digest of the token's own signature (its SignerInfo), or NULL. */
static const EVP_MD *token_signer_md(const unsigned char *token, size_t token_len)
{
	const unsigned char *p = token;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)token_len);
	STACK_OF(PKCS7_SIGNER_INFO) *sis = p7 != NULL && PKCS7_type_is_signed(p7) ? PKCS7_get_signer_info(p7) : NULL;
	X509_ALGOR *dig = NULL;
	const EVP_MD *md = NULL;

	if (sk_PKCS7_SIGNER_INFO_num(sis) > 0) {
		PKCS7_SIGNER_INFO_get0_algs(sk_PKCS7_SIGNER_INFO_value(sis, 0), NULL, &dig, NULL);
		md = dig != NULL ? EVP_get_digestbyobj(dig->algorithm) : NULL;
	}
	PKCS7_free(p7);
	ERR_clear_error();
	return md;
}

/* A time-stamp proves its time only while every certificate of its TSA's chain is valid and not revoked (a later
 * revocation for a harmless reason leaves it valid until then) and while its algorithms are acceptable: one made
 * with a retired digest or too short a TSA key is owed a renewal at once (its own genTime). */
static time_t proves_until(const unsigned char *token, size_t token_len, STACK_OF(X509) * chain, time_t gen,
			   time_t revoked_at)
{
	time_t until = 0, t;
	char why[128];
	int i;

	for (i = 0; i < sk_X509_num(chain); i++) {
		t = es_asn1_time_t(X509_get0_notAfter(sk_X509_value(chain, i)));
		if (t != 0 && (until == 0 || t < until))
			until = t;
	}
	if (revoked_at != 0 && (until == 0 || revoked_at < until))
		until = revoked_at;
	if (es_crypto_retired(es_tst_imprint_md(token, token_len), NULL, why, sizeof(why)) ||
	    es_crypto_retired(token_signer_md(token, token_len), NULL, why, sizeof(why)) ||
	    es_crypto_retired(NULL, X509_get0_pubkey(sk_X509_value(chain, 0)), why, sizeof(why)))
		until = gen;
	return until;
}

int es_tst_check_revocation(const eseal_verifier *v, const unsigned char *token, size_t token_len,
			    STACK_OF(X509) * tsa_chain, const es_evidence *ev, time_t gen, const char *what,
			    eseal_seal_report *s)
{
	time_t revoked_at = 0;

	if (sk_X509_num(tsa_chain) < 1) {
		es_seal_warn(s, "%s: TSA certificate not found: its revocation was not checked", what);
		return 1;
	}
	if (!es_chain_revocation(v, tsa_chain, ev != NULL ? ev->certs : NULL, ev, gen, what, s, &revoked_at))
		return 0;
	es_seal_note_timestamp(s, gen, proves_until(token, token_len, tsa_chain, gen, revoked_at));
	return 1;
}
