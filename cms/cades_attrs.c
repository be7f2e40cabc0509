/* cms/cades_attrs.c: the CAdES signed attributes and the signature algorithm identifier of a SignerInfo.
 * We build them ourselves because CMS_SignerInfo_sign would add signing-time unconditionally (PAdES forbids it). */
#include "cades_internal.h"
#include "core/error_internal.h"

#include <openssl/asn1t.h>
#include <openssl/cms.h>
#include <openssl/ess.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

/* SignedAttributes as the signature covers them: a universal SET OF, sorted into DER order on encoding
 * (RFC 5652 5.4). Defined at the end of the file, where its macros cannot upset the formatter. */
typedef STACK_OF(X509_ATTRIBUTE) ES_SIGNED_ATTRS;
const ASN1_ITEM *ES_SIGNED_ATTRS_it(void); /* what DECLARE_ASN1_ITEM would say */

static int add_ess_cert_v2(CMS_SignerInfo *si, X509 *cert, eseal_error *err)
{
	ESS_SIGNING_CERT_V2 *sc = NULL;
	unsigned char *der = NULL;
	int len, rc = ESEAL_OK;

	/* SHA-256 is the RFC 5035 default hash, so the encoding omits hashAlgorithm; issuerSerial pins the
	 * certificate against substitution by another one with the same key. */
	sc = OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), cert, NULL, 1);
	if (sc == NULL || (len = i2d_ESS_SIGNING_CERT_V2(sc, &der)) <= 0 ||
	    !CMS_signed_add1_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, V_ASN1_SEQUENCE, der, len))
		rc = es_error_set_ossl(err, ESEAL_E_CRYPTO, "cannot build the signing-certificate-v2 attribute");
	OPENSSL_free(der);
	ESS_SIGNING_CERT_V2_free(sc);
	return rc;
}

int es_cades_add_signed_attrs(CMS_SignerInfo *si, X509 *cert, const unsigned char *digest, size_t digest_len,
			      int add_signing_time, time_t signing_time, eseal_error *err)
{
	ASN1_TIME *t = NULL;
	int rc = ESEAL_OK;

	if (!CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1) ||
	    !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, digest, (int)digest_len)) {
		rc = es_error_set_ossl(err, ESEAL_E_CRYPTO, "cannot build the content-type/message-digest attributes");
		goto cleanup;
	}
	if (add_signing_time) {
		/* ASN1_TIME_set picks UTCTime for 1950-2049 and GeneralizedTime otherwise, as RFC 5652 11.3 says. */
		t = ASN1_TIME_set(NULL, signing_time != 0 ? signing_time : time(NULL));
		if (t == NULL || !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, t->type, t, -1)) {
			rc = es_error_set_ossl(err, ESEAL_E_CRYPTO, "cannot build the signing-time attribute");
			goto cleanup;
		}
	}
	rc = add_ess_cert_v2(si, cert, err);
cleanup:
	ASN1_TIME_free(t);
	return rc;
}

int es_cades_encode_signed_attrs(CMS_SignerInfo *si, unsigned char **der, size_t *der_len, eseal_error *err)
{
	STACK_OF(X509_ATTRIBUTE) *attrs = NULL;
	X509_ATTRIBUTE *a = NULL;
	int i, len, rc = ESEAL_OK;

	*der = NULL;
	/* Take the attributes out, encode them as a DER SET OF (which sorts the stack too), and put them back in
	 * that order. OpenSSL's in-memory verifier re-encodes in stack order (as received), so the SignerInfo must
	 * hold them sorted, or what we sign and what it checks differ as soon as signing-time is present. */
	if ((attrs = sk_X509_ATTRIBUTE_new_null()) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	while (CMS_signed_get_attr_count(si) > 0) {
		if ((a = CMS_signed_delete_attr(si, 0)) == NULL || !sk_X509_ATTRIBUTE_push(attrs, a)) {
			X509_ATTRIBUTE_free(a);
			rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
			goto cleanup;
		}
	}
	len = ASN1_item_i2d((ASN1_VALUE *)attrs, der, ASN1_ITEM_rptr(ES_SIGNED_ATTRS));
	if (len <= 0) {
		rc = es_error_set_ossl(err, ESEAL_E_CRYPTO, "cannot encode the signed attributes");
		goto cleanup;
	}
	*der_len = (size_t)len;
	for (i = 0; i < sk_X509_ATTRIBUTE_num(attrs); i++)
		if (!CMS_signed_add1_attr(si, sk_X509_ATTRIBUTE_value(attrs, i))) {
			rc = es_error_set_ossl(err, ESEAL_E_INTERNAL, "cannot store the signed attributes");
			goto cleanup;
		}
cleanup:
	if (rc != ESEAL_OK) {
		OPENSSL_free(*der);
		*der = NULL;
	}
	sk_X509_ATTRIBUTE_pop_free(attrs, X509_ATTRIBUTE_free);
	return rc;
}

/* RFC 4055 RSASSA-PSS-params with every field explicit except trailerField (always 1): hash, MGF1 over the
 * same hash, salt length = hash length, which is what the signer's PSS mechanism uses. */
static int set_pss(X509_ALGOR *alg, const EVP_MD *md)
{
	RSA_PSS_PARAMS *pss = NULL;
	X509_ALGOR *mgf_hash = NULL;
	ASN1_STRING *mgf_param = NULL, *pss_param = NULL;
	int ok = 0;

	if ((pss = RSA_PSS_PARAMS_new()) == NULL || (pss->hashAlgorithm = X509_ALGOR_new()) == NULL ||
	    (pss->maskGenAlgorithm = X509_ALGOR_new()) == NULL || (pss->saltLength = ASN1_INTEGER_new()) == NULL ||
	    (mgf_hash = X509_ALGOR_new()) == NULL)
		goto cleanup;
	X509_ALGOR_set_md(pss->hashAlgorithm, md);
	X509_ALGOR_set_md(mgf_hash, md);
	if (ASN1_item_pack(mgf_hash, ASN1_ITEM_rptr(X509_ALGOR), &mgf_param) == NULL)
		goto cleanup;
	if (!X509_ALGOR_set0(pss->maskGenAlgorithm, OBJ_nid2obj(NID_mgf1), V_ASN1_SEQUENCE, mgf_param))
		goto cleanup;
	mgf_param = NULL;
	if (!ASN1_INTEGER_set(pss->saltLength, EVP_MD_get_size(md)) ||
	    ASN1_item_pack(pss, ASN1_ITEM_rptr(RSA_PSS_PARAMS), &pss_param) == NULL)
		goto cleanup;
	if (!X509_ALGOR_set0(alg, OBJ_nid2obj(NID_rsassaPss), V_ASN1_SEQUENCE, pss_param))
		goto cleanup;
	pss_param = NULL;
	ok = 1;
cleanup:
	ASN1_STRING_free(mgf_param);
	ASN1_STRING_free(pss_param);
	X509_ALGOR_free(mgf_hash);
	RSA_PSS_PARAMS_free(pss);
	return ok;
}

int es_cades_set_sig_alg(CMS_SignerInfo *si, eseal_sig_scheme scheme, const EVP_MD *md, eseal_error *err)
{
	X509_ALGOR *alg = NULL;
	int sig_nid = NID_undef;

	CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &alg);
	switch (scheme) {
	case ESEAL_SCHEME_RSA_PKCS1:
		/* rsaEncryption with NULL parameters: what RFC 5754 and every CMS verifier accept. */
		if (!X509_ALGOR_set0(alg, OBJ_nid2obj(NID_rsaEncryption), V_ASN1_NULL, NULL))
			goto fail;
		return ESEAL_OK;
	case ESEAL_SCHEME_RSA_PSS:
		if (!set_pss(alg, md))
			goto fail;
		return ESEAL_OK;
	case ESEAL_SCHEME_ECDSA:
		/* RFC 5758: ecdsa-with-SHAxxx, parameters absent. */
		if (!OBJ_find_sigid_by_algs(&sig_nid, EVP_MD_get_type(md), NID_X9_62_id_ecPublicKey) ||
		    !X509_ALGOR_set0(alg, OBJ_nid2obj(sig_nid), V_ASN1_UNDEF, NULL))
			goto fail;
		return ESEAL_OK;
	case ESEAL_SCHEME_AUTO: break;
	}
	return es_error_set(err, ESEAL_E_INTERNAL, "signer reported no signature scheme");
fail:
	return es_error_set_ossl(err, ESEAL_E_CRYPTO, "cannot set the signature algorithm identifier");
}

/* Unformatted to the end of the file: the macro leaves no statement end the formatter could see. */
/* clang-format off */
ASN1_ITEM_TEMPLATE(ES_SIGNED_ATTRS) =
	/* cppcheck-suppress unknownMacro */
	ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SET_ORDER, 0, ES_SIGNED_ATTRS, X509_ATTRIBUTE)
ASN1_ITEM_TEMPLATE_END(ES_SIGNED_ATTRS)
