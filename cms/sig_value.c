/* cms/sig_value.c: the signature value of a SignerInfo over its signed attributes as received: producers that do
 * not sort the SET OF, or write a length in more bytes than DER, sign those bytes, and OpenSSL re-encodes them. */
#include "sig_value.h"

#include "pki/cms_der.h"
#include "pki/ecdsa_sig.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

/* The [0] signedAttrs element of the first SignerInfo, as it stands in der. */
static int received_signed_attrs(const unsigned char *der, size_t len, es_der *attrs)
{
	const unsigned char *p = der;
	es_cms_der c;
	es_der whole, e;
	unsigned char tag;
	char why[128];
	int i, ok = 0;

	/* A PDF's /Contents is zero-padded after the DER. */
	if (es_der_read(&p, der + len, &whole, NULL, NULL) != 0 ||
	    es_cms_der_parse(der, whole.len, &c, why, sizeof(why)) != 0)
		return 0;
	p = c.si_signed.p;
	/* version, sid, digestAlgorithm, then [0] signedAttrs when present */
	for (i = 0; i < 4 && es_der_read(&p, c.si_signed.p + c.si_signed.len, &e, &tag, NULL) == 0; i++)
		if (i == 3 && tag == 0xa0) {
			*attrs = e;
			ok = 1;
		}
	es_cms_der_clear(&c);
	return ok;
}

/* BSI TR-03111 ecdsa-plain-signatures: the value is r||s, not an Ecdsa-Sig-Value; the OID names the hash. */
static const EVP_MD *plain_ecdsa_md(const ASN1_OBJECT *alg)
{
	static const struct {
		const char *oid, *md;
	} plain[] = {{"0.4.0.127.0.7.1.1.4.1.2", "SHA224"},
		     {"0.4.0.127.0.7.1.1.4.1.3", "SHA256"},
		     {"0.4.0.127.0.7.1.1.4.1.4", "SHA384"},
		     {"0.4.0.127.0.7.1.1.4.1.5", "SHA512"}};
	char oid[64];
	size_t i;

	if (OBJ_obj2txt(oid, sizeof(oid), alg, 1) <= 0)
		return NULL;
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(oid, plain[i].oid) == 0)
			return EVP_get_digestbyname(plain[i].md);
	return NULL;
}

/* RSASSA-PSS-params (RFC 4055 3.1, defaults SHA-1, MGF1 with SHA-1, salt 20, trailer 1): the hash may differ from
 * the SignerInfo's digestAlgorithm (RFC 4056 leaves it to the parameters), which OpenSSL's CMS refuses. */
static int pss_params(const X509_ALGOR *alg, const EVP_MD **md, const EVP_MD **mgf1, int *salt)
{
	RSA_PSS_PARAMS *pss = alg->parameter != NULL ?
				      ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), alg->parameter) :
				      NULL;
	X509_ALGOR *mh = NULL;
	long n;
	int ok = 0;

	if (pss == NULL)
		return 0;
	*md = pss->hashAlgorithm != NULL ? EVP_get_digestbyobj(pss->hashAlgorithm->algorithm) : EVP_sha1();
	*mgf1 = EVP_sha1();
	if (pss->maskGenAlgorithm != NULL) {
		if (OBJ_obj2nid(pss->maskGenAlgorithm->algorithm) != NID_mgf1 ||
		    pss->maskGenAlgorithm->parameter == NULL ||
		    (mh = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR), pss->maskGenAlgorithm->parameter)) ==
			    NULL)
			goto cleanup;
		*mgf1 = EVP_get_digestbyobj(mh->algorithm);
	}
	n = pss->saltLength != NULL ? ASN1_INTEGER_get(pss->saltLength) : 20;
	if (pss->trailerField != NULL && ASN1_INTEGER_get(pss->trailerField) != 1)
		goto cleanup;
	if (*md == NULL || *mgf1 == NULL || n < 0 || n > 1024)
		goto cleanup;
	*salt = (int)n;
	ok = 1;
cleanup:
	X509_ALGOR_free(mh);
	RSA_PSS_PARAMS_free(pss);
	return ok;
}

static int weak(const EVP_MD *md)
{
	return md != NULL && (EVP_MD_get_type(md) == NID_md5 || EVP_MD_get_type(md) == NID_sha1);
}

int es_cms_sig_verify_received(const unsigned char *der, size_t len, CMS_SignerInfo *si, X509 *signer, const EVP_MD *md)
{
	ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	X509_ALGOR *sigalg = NULL;
	const EVP_MD *vmd = md, *mgf1 = NULL;
	unsigned char *tbs = NULL, *der_sig = NULL;
	const unsigned char *sv;
	size_t sv_len;
	es_der attrs;
	int ok = 0, nid, salt = 0;

	if (mctx == NULL || sig == NULL || !received_signed_attrs(der, len, &attrs) ||
	    (tbs = malloc(attrs.len)) == NULL)
		goto cleanup;
	memcpy(tbs, attrs.p, attrs.len);
	tbs[0] = 0x31; /* [0] IMPLICIT SET OF → SET OF */
	sv = sig->data;
	sv_len = (size_t)sig->length;
	CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &sigalg);
	nid = sigalg != NULL ? OBJ_obj2nid(sigalg->algorithm) : NID_undef;
	if (nid == NID_rsassaPss) {
		if (!pss_params(sigalg, &vmd, &mgf1, &salt) || weak(vmd) || weak(mgf1))
			goto cleanup;
	} else if (sigalg != NULL && (vmd = plain_ecdsa_md(sigalg->algorithm)) != NULL) {
		if (!es_ecdsa_raw_to_der(sv, sv_len, &der_sig, &sv_len))
			goto cleanup;
		sv = der_sig;
	} else if (nid == NID_ED25519 || nid == NID_ED448) {
		vmd = NULL;
	} else {
		vmd = md;
	}
	if (EVP_DigestVerifyInit(mctx, &pctx, vmd, NULL, X509_get0_pubkey(signer)) != 1)
		goto cleanup;
	if (nid == NID_rsassaPss &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, mgf1) != 1 || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) != 1))
		goto cleanup;
	ok = EVP_DigestVerify(mctx, sv, sv_len, tbs, attrs.len) == 1;
cleanup:
	OPENSSL_free(der_sig);
	free(tbs);
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return ok;
}
