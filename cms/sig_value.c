/* cms/sig_value.c: the signature value of a SignerInfo over its signed attributes as received: producers that do
 * not sort the SET OF, or write a length in more bytes than DER, sign those bytes, and OpenSSL re-encodes them. */
#include "sig_value.h"

#include "cms_der.h"

#include <openssl/err.h>
#include <openssl/evp.h>
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

int es_cms_sig_verify_received(const unsigned char *der, size_t len, CMS_SignerInfo *si, X509 *signer,
			       const EVP_MD *md)
{
	ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	unsigned char *tbs = NULL;
	es_der attrs;
	int ok = 0;

	if (mctx == NULL || sig == NULL || !received_signed_attrs(der, len, &attrs) ||
	    (tbs = malloc(attrs.len)) == NULL)
		goto cleanup;
	memcpy(tbs, attrs.p, attrs.len);
	tbs[0] = 0x31; /* [0] IMPLICIT SET OF → SET OF */
	ok = EVP_DigestVerifyInit(mctx, NULL, md, NULL, X509_get0_pubkey(signer)) == 1 &&
	     EVP_DigestVerify(mctx, sig->data, (size_t)sig->length, tbs, attrs.len) == 1;
cleanup:
	free(tbs);
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return ok;
}
