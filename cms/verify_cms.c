/* cms/verify_cms.c: the core validation of one CMS/CAdES signature given the digest of what it signs (the format
 * verifiers compute that digest): integrity, signing certificate identification, e-Seal profile, chain, signature
 * time-stamp, revocation and time, in the order of ETSI EN 319 102-1. Knows nothing of PDF or XML. */
#include "verify_cms.h"

#include "ess_check.h"
#include "sig_value.h"
#include "core/clock_internal.h"
#include "core/error_internal.h"
#include "pki/cert_cache.h"
#include "pki/cert_profile.h"
#include "pki/cms_der.h"
#include "pki/chain.h"
#include "pki/chain_revocation.h"
#include "pki/crypto_suite.h"
#include "pki/evidence.h"
#include "pki/report.h"
#include "pki/verifier.h"
#include "timestamp/tst_verify.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <string.h>

/* der's SignedData with its certificates taken from the verifier's cache (the files of a batch carry the same ones)
 * instead of parsed again, and *end where its ContentInfo ends; NULL whenever that is not plainly the same thing as
 * d2i_CMS_ContentInfo of der (then the caller parses der itself): not DER this module writes back byte for byte, a
 * certificate choice other than a Certificate, a certificate given twice, anything OpenSSL refuses. */
static CMS_ContentInfo *parse_with_cached_certs(const eseal_verifier *v, const unsigned char *der, size_t len,
						const unsigned char **end)
{
	const unsigned char *p = der;
	unsigned char *again = NULL, *bare = NULL, tag;
	size_t again_len, bare_len, n_certs, i;
	CMS_ContentInfo *cms = NULL;
	es_cms_der c;
	es_der whole;
	X509 *x;
	char why[160];
	int rc;

	if (v == NULL || v->cert_cache == NULL || es_der_read(&p, der + len, &whole, &tag, NULL) != 0 || tag != 0x30)
		return NULL;
	if (es_cms_der_parse(whole.p, whole.len, &c, why, sizeof(why)) != 0)
		return NULL;
	if (c.certs.n == 0 || es_cms_der_encode(&c, &again, &again_len) != 0 || again_len != whole.len ||
	    memcmp(again, whole.p, whole.len) != 0)
		goto cleanup;
	for (i = 0; i < c.certs.n; i++)
		if (c.certs.v[i].p[0] != 0x30)
			goto cleanup;
	n_certs = c.certs.n;
	c.certs.n = 0;
	rc = es_cms_der_encode(&c, &bare, &bare_len);
	c.certs.n = n_certs;
	if (rc != 0)
		goto cleanup;
	p = bare;
	if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)bare_len)) == NULL || p != bare + bare_len)
		goto fail;
	for (i = 0; i < c.certs.n; i++) {
		/* (CMS_add0_cert refuses a certificate already there, as the caller's own parse would keep both) */
		if ((x = es_cert_cache_get(v->cert_cache, c.certs.v[i].p, c.certs.v[i].len)) == NULL)
			goto fail;
		if (!CMS_add0_cert(cms, x)) {
			X509_free(x);
			goto fail;
		}
	}
	*end = whole.p + whole.len;
	goto cleanup;
fail:
	CMS_ContentInfo_free(cms);
	cms = NULL;
cleanup:
	ERR_clear_error();
	free(again);
	free(bare);
	es_cms_der_clear(&c);
	return cms;
}

CMS_ContentInfo *es_cms_parse_signed(const eseal_verifier *v, const unsigned char *der, size_t len,
				     eseal_seal_report *s)
{
	const unsigned char *p = der;
	CMS_ContentInfo *cms = parse_with_cached_certs(v, der, len, &p);

	if (cms == NULL) {
		p = der;
		cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	}
	ERR_clear_error();
	if (cms == NULL || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "the seal is not a DER CMS SignedData");
		CMS_ContentInfo_free(cms);
		return NULL;
	}
	/* PDF /Contents is zero-padded after the DER; anything else after it is not part of any signature. */
	for (; p < der + len; p++) {
		if (*p != 0) {
			es_seal_warn(s, "non-zero bytes after the CMS structure are ignored");
			break;
		}
	}
	return cms;
}

const EVP_MD *es_cms_signer_md(CMS_ContentInfo *cms, eseal_seal_report *s)
{
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	X509_ALGOR *dig = NULL;
	const EVP_MD *md;

	if (sis == NULL || sk_CMS_SignerInfo_num(sis) < 1) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "CMS SignedData without SignerInfo");
		return NULL;
	}
	CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(sis, 0), NULL, NULL, &dig, NULL);
	md = dig != NULL ? EVP_get_digestbyobj(dig->algorithm) : NULL;
	if (md == NULL)
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "unknown digest algorithm in SignerInfo");
	return md;
}

void es_validate_signing_cert(const eseal_verifier *v, X509 *cert, STACK_OF(X509) * untrusted, const es_evidence *ev,
			      time_t poe, eseal_seal_report *s)
{
	STACK_OF(X509) *chain = NULL;
	time_t now = es_verifier_time(v);
	time_t not_after = es_asn1_time_t(X509_get0_notAfter(cert)),
	       not_before = es_asn1_time_t(X509_get0_notBefore(cert));
	char b1[32], b2[32];
	int rc;

	if (sk_X509_num(v->anchors) == 0) {
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND,
			     "no trust anchors given: the origin cannot be confirmed");
		return;
	}
	rc = es_chain_build(v, cert, untrusted, now, X509_PURPOSE_ANY, &chain);
	if (rc == X509_V_ERR_CERT_HAS_EXPIRED) {
		if (poe != 0 && poe <= not_after && poe >= not_before) {
			rc = es_chain_build(v, cert, untrusted, poe, X509_PURPOSE_ANY, &chain);
			s->relies_on_poe = rc == X509_V_OK;
			if (rc == X509_V_OK)
				es_seal_warn(s,
					     "signing certificate expired on %s; the time-stamp (%s) proves the seal "
					     "existed while it was valid",
					     es_fmt_time(not_after, b1, sizeof(b1)), es_fmt_time(poe, b2, sizeof(b2)));
		} else if (poe != 0 && poe > not_after) {
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_EXPIRED,
				     "signing certificate expired on %s, before the time-stamp %s",
				     es_fmt_time(not_after, b1, sizeof(b1)), es_fmt_time(poe, b2, sizeof(b2)));
			return;
		} else {
			es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_OUT_OF_BOUNDS_NO_POE,
				     "a certificate of the chain has expired (signing certificate valid until %s) and "
				     "no time-stamp proves the seal existed before",
				     es_fmt_time(not_after, b1, sizeof(b1)));
			return;
		}
	}
	if (rc == X509_V_ERR_CERT_NOT_YET_VALID) {
		es_seal_fail(s, poe != 0 && poe < not_before ? ESEAL_TOTAL_FAILED : ESEAL_INDETERMINATE,
			     ESEAL_SUB_NOT_YET_VALID, "signing certificate not valid before %s",
			     es_fmt_time(not_before, b1, sizeof(b1)));
		return;
	}
	if (rc != X509_V_OK) {
		switch (rc) {
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
		case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		case X509_V_ERR_CERT_UNTRUSTED:
			es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND,
				     "no certificate chain to a trust anchor: %s", X509_verify_cert_error_string(rc));
			break;
		case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
			es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_CERTIFICATE_CHAIN_GENERAL_FAILURE,
				     "certificate chain invalid: %s", X509_verify_cert_error_string(rc));
			break;
		default:
			es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_CHAIN_CONSTRAINTS_FAILURE,
				     "certificate chain rejected: %s", X509_verify_cert_error_string(rc));
		}
		return;
	}
	es_seal_set_chain(s, chain);
	es_chain_revocation(v, chain, untrusted, ev, poe, NULL, s, NULL);
	sk_X509_pop_free(chain, X509_free);
}

/* Signed attribute value by NID as its ASN1_TYPE, or NULL. */
static ASN1_TYPE *signed_attr(CMS_SignerInfo *si, int nid, int is_signed)
{
	int idx = is_signed ? CMS_signed_get_attr_by_NID(si, nid, -1) : CMS_unsigned_get_attr_by_NID(si, nid, -1);
	X509_ATTRIBUTE *a;

	if (idx < 0)
		return NULL;
	a = is_signed ? CMS_signed_get_attr(si, idx) : CMS_unsigned_get_attr(si, idx);
	return a != NULL ? X509_ATTRIBUTE_get0_type(a, 0) : NULL;
}

/* signing-certificate-v2 (or v1): binds the signature to one certificate so it cannot be swapped. Its first entry
 * names the signer; producers may add the chain's certificates (or the signer again), as RFC 5035 allows. */
static int check_signing_cert_attr(const eseal_verifier *v, CMS_SignerInfo *si, X509 *signer,
				   STACK_OF(X509) * untrusted, eseal_seal_report *s)
{
	ASN1_TYPE *t[2] = {signed_attr(si, NID_id_smime_aa_signingCertificateV2, 1),
			   signed_attr(si, NID_id_smime_aa_signingCertificate, 1)};
	/* Later entries may name any certificate of the chain, the trust anchor included. */
	STACK_OF(X509) *certs = sk_X509_dup(untrusted);
	char why[256];
	int i, unknown = 0, n, ok = 0;

	if (t[0] == NULL && t[1] == NULL) {
		es_seal_warn(s, "no signing-certificate-v2 attribute: not a CAdES/PAdES baseline signature");
		goto cleanup;
	}
	for (i = 0; certs != NULL && i < sk_X509_num(v->anchors); i++)
		if (!sk_X509_push(certs, sk_X509_value(v->anchors, i)))
			break;
	/* When both are present each is evaluated on its own, as RFC 5035 asks. */
	for (i = 0; i < 2; i++) {
		if (t[i] == NULL)
			continue;
		switch (t[i]->type != V_ASN1_SEQUENCE
				? ES_ESS_MALFORMED
				: es_ess_check(t[i]->value.sequence->data, (size_t)t[i]->value.sequence->length, i == 0,
					       signer, certs, &n, why, sizeof(why))) {
		case ES_ESS_OK:
			unknown += n;
			break;
		case ES_ESS_MALFORMED:
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
				     "malformed signing-certificate attribute");
			goto cleanup;
		default:
			es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_NO_SIGNING_CERTIFICATE_FOUND,
				     "signing-certificate-v2 attribute does not match the signing certificate: %s", why);
			goto cleanup;
		}
	}
	if (unknown > 0)
		es_seal_warn(s, "the signing-certificate attribute names %d certificate(s) neither the seal nor the "
			     "trust anchors hold", unknown);
	ok = 1;
cleanup:
	sk_X509_free(certs);
	return ok;
}

/* Without signed attributes the signature is over the data digest itself (old PKCS#7 style). */
static int verify_raw(CMS_SignerInfo *si, X509 *signer, const EVP_MD *md, const unsigned char *digest,
		      size_t digest_len)
{
	ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(signer), NULL);
	int ok = ctx != NULL && EVP_PKEY_verify_init(ctx) == 1 && EVP_PKEY_CTX_set_signature_md(ctx, md) == 1 &&
		 EVP_PKEY_verify(ctx, sig->data, (size_t)sig->length, digest, digest_len) == 1;

	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

static void check_crypto_strength(const EVP_MD *md, X509 *signer, eseal_seal_report *s)
{
	char why[128];

	if (es_crypto_retired(md, NULL, why, sizeof(why)))
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_CRYPTO_CONSTRAINTS_FAILURE, "%s", why);
	if (es_crypto_retired(NULL, X509_get0_pubkey(signer), why, sizeof(why)))
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_CRYPTO_CONSTRAINTS_FAILURE, "%s", why);
}

static void check_signature_tst(const eseal_verifier *v, CMS_SignerInfo *si, const es_evidence *ev,
				eseal_seal_report *s, es_cms_result *res)
{
	ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
	STACK_OF(X509) *tsa_chain = NULL;
	ASN1_TYPE *t = NULL, *other;
	char why[512];
	time_t gen = 0;
	int ok, idx = -1;

	/* A value that is not a ContentInfo (some producers wrap the token in an OCTET STRING) is no time-stamp RFC
	 * 5126 knows: it proves nothing, but it is outside the signed data and breaks nothing either. The first token
	 * that is one is judged. */
	while ((idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, idx)) >= 0) {
		other = X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, idx), 0);
		if (other != NULL && other->type == V_ASN1_SEQUENCE) {
			if (t == NULL)
				t = other;
		} else {
			es_seal_warn(s, "a signature-time-stamp attribute whose value is not a time-stamp token (%s) "
				     "is ignored", other != NULL ? ASN1_tag2str(other->type) : "empty");
		}
	}
	if (t == NULL)
		return;
	if (es_tst_non_x509_certs(t->value.sequence->data, (size_t)t->value.sequence->length) > 0)
		es_seal_warn(s, "signature time-stamp: certificates that are not X.509 certificates (attribute "
			     "certificates) in the token are ignored");
	ok = es_tst_verify(v, t->value.sequence->data, (size_t)t->value.sequence->length, sig->data,
			   (size_t)sig->length, ev, &gen, &tsa_chain, why, sizeof(why));
	if (ok == 1) {
		/* A token whose TSA was revoked before its genTime proves nothing: the seal then has no proven time. */
		if (es_tst_check_revocation(v, t->value.sequence->data, (size_t)t->value.sequence->length, tsa_chain, ev,
					    gen, "signature time-stamp", s)) {
			s->timestamp_time = gen;
			res->has_signature_tst = 1;
		}
	} else if (ok == 0) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_HASH_FAILURE,
			     "signature time-stamp invalid: %s (a time-stamp over a different signature?)", why);
	} else {
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND, "signature time-stamp: %s",
			     why);
	}
	sk_X509_pop_free(tsa_chain, X509_free);
}

void es_cms_verify_signer(const eseal_verifier *v, CMS_ContentInfo *cms, const unsigned char *der, size_t der_len,
			  const unsigned char *digest, size_t digest_len, const es_evidence *ev, eseal_seal_report *s,
			  es_cms_result *res)
{
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	STACK_OF(X509) *cms_certs = NULL, *untrusted = NULL;
	STACK_OF(X509_CRL) *cms_crls = NULL;
	es_evidence *all = es_evidence_new();
	CMS_SignerInfo *si;
	ASN1_OCTET_STRING *md_attr;
	ASN1_TYPE *t;
	const EVP_MD *md = es_cms_signer_md(cms, s);
	X509 *signer = NULL;
	char b1[32], b2[32];
	int i;

	memset(res, 0, sizeof(*res));
	if (md == NULL || all == NULL)
		goto cleanup;
	si = sk_CMS_SignerInfo_value(sis, 0);
	if (sk_CMS_SignerInfo_num(sis) > 1)
		es_seal_warn(s, "CMS holds %d SignerInfos; only the first is a PAdES/CAdES seal",
			     sk_CMS_SignerInfo_num(sis));
	if (CMS_get0_eContentType(cms) == NULL || OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data)
		es_seal_warn(s, "encapsulated content type is not id-data");
	if (CMS_get0_content(cms) != NULL && *CMS_get0_content(cms) != NULL)
		es_seal_warn(s, "CMS is not detached: it carries its own content");

	/* Every certificate the file offers is a candidate intermediate, never an anchor. */
	cms_certs = CMS_get1_certs(cms);
	cms_crls = CMS_get1_crls(cms);
	for (i = 0; ev != NULL && i < sk_X509_num(ev->certs); i++)
		if (X509_up_ref(sk_X509_value(ev->certs, i)) && !sk_X509_push(all->certs, sk_X509_value(ev->certs, i)))
			X509_free(sk_X509_value(ev->certs, i));
	for (i = 0; i < sk_X509_num(cms_certs); i++)
		if (X509_up_ref(sk_X509_value(cms_certs, i)) && !sk_X509_push(all->certs, sk_X509_value(cms_certs, i)))
			X509_free(sk_X509_value(cms_certs, i));
	for (i = 0; ev != NULL && i < sk_X509_CRL_num(ev->crls); i++)
		if (X509_CRL_up_ref(sk_X509_CRL_value(ev->crls, i)))
			sk_X509_CRL_push(all->crls, sk_X509_CRL_value(ev->crls, i));
	for (i = 0; i < sk_X509_CRL_num(cms_crls); i++)
		if (X509_CRL_up_ref(sk_X509_CRL_value(cms_crls, i)))
			sk_X509_CRL_push(all->crls, sk_X509_CRL_value(cms_crls, i));
	for (i = 0; ev != NULL && i < sk_OCSP_RESPONSE_num(ev->ocsps); i++) {
		OCSP_RESPONSE *o = ASN1_item_dup(ASN1_ITEM_rptr(OCSP_RESPONSE), sk_OCSP_RESPONSE_value(ev->ocsps, i));
		if (o != NULL && !sk_OCSP_RESPONSE_push(all->ocsps, o))
			OCSP_RESPONSE_free(o);
	}
	untrusted = all->certs;

	for (i = 0; i < sk_X509_num(untrusted) && signer == NULL; i++)
		if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(untrusted, i)) == 0)
			signer = sk_X509_value(untrusted, i);
	if (signer == NULL) {
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_NO_SIGNING_CERTIFICATE_FOUND,
			     "the signing certificate is not in the seal");
		goto cleanup;
	}
	X509_up_ref(signer);
	res->signer = signer;
	es_cert_profile(signer, s);
	check_crypto_strength(md, signer, s);

	/* Integrity: the digest of what the format says is signed, then the signature value. */
	if (CMS_signed_get_attr_count(si) > 0) {
		md_attr =
			CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING);
		if (md_attr == NULL) {
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "no message-digest attribute");
			goto cleanup;
		}
		if ((size_t)md_attr->length != digest_len || memcmp(md_attr->data, digest, digest_len) != 0)
			es_seal_fail(
				s, ESEAL_TOTAL_FAILED, ESEAL_SUB_HASH_FAILURE,
				"the signed data does not match the message-digest attribute: the data was changed "
				"after sealing");
		CMS_SignerInfo_set1_signer_cert(si, signer);
		/* OpenSSL verifies over its re-encoding of the attributes; the signer signed the bytes it wrote. */
		if (CMS_SignerInfo_verify(si) != 1 && !es_cms_sig_verify_received(der, der_len, si, signer, md))
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_SIG_CRYPTO_FAILURE,
				     "the signature value does not verify with the signing certificate's key");
		ERR_clear_error();
		t = signed_attr(si, NID_pkcs9_contentType, 1);
		if (t == NULL || t->type != V_ASN1_OBJECT || OBJ_obj2nid(t->value.object) != NID_pkcs7_data)
			es_seal_warn(s, "content-type attribute missing or not id-data");
		t = signed_attr(si, NID_pkcs9_signingTime, 1);
		if (t != NULL && (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME) &&
		    s->signing_time == 0)
			s->signing_time = es_asn1_time_t((const ASN1_TIME *)t->value.utctime);
		res->has_signing_cert_attr = check_signing_cert_attr(v, si, signer, untrusted, s);
	} else {
		es_seal_warn(s, "no signed attributes: not a CAdES signature");
		if (!verify_raw(si, signer, md, digest, digest_len))
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_SIG_CRYPTO_FAILURE,
				     "the signature value does not match the signed data");
	}
	if (s->indication == ESEAL_TOTAL_FAILED)
		goto cleanup; /* integrity broken: nothing else can make it valid */

	check_signature_tst(v, si, all, s, res);
	if (res->has_signature_tst && s->signing_time != 0 && s->signing_time > s->timestamp_time + 300)
		es_seal_warn(s, "claimed signing time %s is later than the time-stamp %s",
			     es_fmt_time(s->signing_time, b1, sizeof(b1)),
			     es_fmt_time(s->timestamp_time, b2, sizeof(b2)));
	es_validate_signing_cert(v, signer, untrusted, all, res->has_signature_tst ? s->timestamp_time : 0, s);
	if (res->has_signing_cert_attr)
		es_seal_set_str(&s->level, res->has_signature_tst ? "B-T" : "B-B");
cleanup:
	sk_X509_pop_free(cms_certs, X509_free);
	sk_X509_CRL_pop_free(cms_crls, X509_CRL_free);
	es_evidence_free(all);
	ERR_clear_error();
}
