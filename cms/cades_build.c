/* cms/cades_build.c: detached CMS SignedData (CAdES/PAdES baseline B-B and B-T) over a digest the caller supplies.
 * The private key stays in the signer: we encode the signed attributes, hash them and ask the signer to sign. */
#include "cades_internal.h"
#include "eseal/cms.h"
#include "core/error_internal.h"
#include "pki/ecdsa_sig.h"

#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <string.h>

/* Bytes the signature-time-stamp unsigned attribute adds around the token ([1] SET OF, Attribute SEQUENCE,
 * OID, SET), plus room for the outer length fields to grow by a byte each. */
#define ES_TST_ATTR_OVERHEAD 64
/* Slack for what the dry run cannot predict exactly (ECDSA DER size, time encodings). */
#define ES_CMS_MARGIN 256
/* ECDSA-Sig-Value around raw r||s: SEQUENCE + two INTEGER headers + two possible leading zero bytes. */
#define ES_ECDSA_DER_OVERHEAD 16

static const EVP_MD *opts_md(const eseal_cms_options *opts)
{
	return opts != NULL && opts->md != NULL ? opts->md : EVP_sha256();
}

static int cert_in(STACK_OF(X509) * certs, X509 *x)
{
	int i;

	for (i = 0; i < sk_X509_num(certs); i++)
		if (X509_cmp(sk_X509_value(certs, i), x) == 0)
			return 1;
	return 0;
}

/* SignedData with one SignerInfo (v1, issuerAndSerialNumber), its signed attributes and algorithm
 * identifiers, and the certificates; everything but the signature value. */
static int build_unsigned(const eseal_signer *signer, const eseal_cms_options *opts, const EVP_MD *md,
			  const unsigned char *digest, size_t digest_len, CMS_ContentInfo **cms_out,
			  CMS_SignerInfo **si_out, eseal_error *err)
{
	X509 *cert = eseal_signer_certificate(signer);
	STACK_OF(X509) *chain = eseal_signer_chain(signer);
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si = NULL;
	STACK_OF(X509) *added = NULL;
	int i, rc = ESEAL_OK;

	*cms_out = NULL;
	if (cert == NULL)
		return es_error_set(err, ESEAL_E_CONFIG, "signer has no certificate");
	cms = CMS_ContentInfo_new();
	if (cms == NULL || !CMS_SignedData_init(cms) || !CMS_set_detached(cms, 1)) {
		rc = es_error_set_ossl(err, ESEAL_E_INTERNAL, "cannot create CMS SignedData");
		goto cleanup;
	}
	/* CMS_add1_signer only needs a key to check it matches the certificate; the certificate's own public
	 * key does. CMS_PARTIAL: nothing is signed here, CMS_NOATTR is not set so signedAttrs exists. */
	si = CMS_add1_signer(cms, cert, X509_get0_pubkey(cert), md, CMS_PARTIAL | CMS_NOSMIMECAP | CMS_NOCERTS);
	if (si == NULL) {
		rc = es_error_set_ossl(err, ESEAL_E_CRYPTO, "cannot add the SignerInfo");
		goto cleanup;
	}
	rc = es_cades_add_signed_attrs(si, cert, digest, digest_len, opts != NULL && opts->add_signing_time,
				       opts != NULL ? opts->signing_time : 0, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	if ((rc = es_cades_set_sig_alg(si, eseal_signer_scheme(signer), md, err)) != ESEAL_OK)
		goto cleanup;
	/* Signing certificate first, then its chain; CMS_add1_cert refuses duplicates, so skip them. */
	if ((added = sk_X509_new_null()) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	for (i = -1; i < sk_X509_num(chain); i++) {
		X509 *x = i < 0 ? cert : sk_X509_value(chain, i);

		if (cert_in(added, x))
			continue;
		if (!CMS_add1_cert(cms, x) || !sk_X509_push(added, x)) {
			rc = es_error_set_ossl(err, ESEAL_E_INTERNAL, "cannot add a certificate to the CMS");
			goto cleanup;
		}
	}
	*cms_out = cms;
	*si_out = si;
	cms = NULL;
cleanup:
	sk_X509_free(added);
	CMS_ContentInfo_free(cms);
	return rc;
}

/* Holds for B-B up to the margin. For B-T it rests on the TSA's size hint: a TSA never heard from before whose
 * token exceeds the default hint, or a fallback TSA with bigger tokens, can exceed it; so callers compare the
 * DER they get with what they reserved (the PDF sealer then seals again with more room). */
size_t eseal_cms_max_size(const eseal_signer *signer, const eseal_cms_options *opts)
{
	const EVP_MD *md = opts_md(opts);
	unsigned char digest[EVP_MAX_MD_SIZE] = {0};
	unsigned char *filler = NULL;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si = NULL;
	size_t sig_max = eseal_signer_max_signature_size(signer);
	size_t total = 0;
	int len;

	/* A dry run: the same structure with a dummy signature of the largest size the key can produce, so the
	 * bound follows the real certificates and attributes instead of guessed constants. */
	if (eseal_signer_scheme(signer) == ESEAL_SCHEME_ECDSA)
		sig_max += ES_ECDSA_DER_OVERHEAD;
	if (build_unsigned(signer, opts, md, digest, (size_t)EVP_MD_get_size(md), &cms, &si, NULL) != ESEAL_OK)
		goto fallback;
	if ((filler = OPENSSL_malloc(sig_max)) == NULL)
		goto fallback;
	memset(filler, 0xff, sig_max);
	if (!ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), filler, (int)sig_max))
		goto fallback;
	len = i2d_CMS_ContentInfo(cms, NULL);
	if (len <= 0)
		goto fallback;
	total = (size_t)len + ES_CMS_MARGIN;
	goto done;
fallback:
	/* Cannot happen with a working signer; a large bound is safer than a wrong one. */
	total = 65536;
done:
	if (opts != NULL && opts->tsa != NULL)
		total += eseal_tsa_token_size_hint(opts->tsa) + ES_TST_ATTR_OVERHEAD;
	OPENSSL_free(filler);
	CMS_ContentInfo_free(cms);
	return total;
}

/* Signs the encoded signed attributes with the signer and stores the value (ECDSA as DER Ecdsa-Sig-Value). */
static int sign_attrs(eseal_signer *signer, CMS_SignerInfo *si, const EVP_MD *md, eseal_error *err)
{
	unsigned char *attrs = NULL, *sig = NULL, *sig_der = NULL;
	size_t attrs_len = 0, sig_len = 0, sig_der_len = 0;
	unsigned char hash[EVP_MAX_MD_SIZE];
	unsigned int hash_len = 0;
	int rc;

	if ((rc = es_cades_encode_signed_attrs(si, &attrs, &attrs_len, err)) != ESEAL_OK)
		goto cleanup;
	if (!EVP_Digest(attrs, attrs_len, hash, &hash_len, md, NULL)) {
		rc = es_error_set_ossl(err, ESEAL_E_CRYPTO, "cannot hash the signed attributes");
		goto cleanup;
	}
	if ((rc = eseal_signer_sign_digest(signer, md, hash, hash_len, &sig, &sig_len, err)) != ESEAL_OK)
		goto cleanup;
	if (eseal_signer_scheme(signer) == ESEAL_SCHEME_ECDSA) {
		if (!es_ecdsa_raw_to_der(sig, sig_len, &sig_der, &sig_der_len)) {
			rc = es_error_set(err, ESEAL_E_CRYPTO,
					  "signer returned a malformed ECDSA signature (%zu bytes)", sig_len);
			goto cleanup;
		}
		OPENSSL_free(sig);
		sig = sig_der;
		sig_len = sig_der_len;
		sig_der = NULL;
	}
	if (!ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig, (int)sig_len)) {
		rc = es_error_set_ossl(err, ESEAL_E_INTERNAL, "cannot store the signature value");
		goto cleanup;
	}
	/* Check our own work with OpenSSL's verifier (its own attribute encoding, the certificate's key): a token
	 * fault, a wrong key object or a parameter mismatch must never leave as a seal nobody can verify. */
	if (CMS_SignerInfo_verify(si) != 1) {
		rc = es_error_set_ossl(err, ESEAL_E_CRYPTO,
				       "the signature the signer returned does not verify with the certificate");
		goto cleanup;
	}
	rc = ESEAL_OK;
cleanup:
	OPENSSL_free(attrs);
	OPENSSL_free(sig);
	OPENSSL_free(sig_der);
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}

/* B-T: RFC 3161 token over the signature value's octets (EN 319 122-1 5.3), as unsigned attribute
 * id-aa-signatureTimeStampToken whose value is the TimeStampToken ContentInfo as received. */
static int add_timestamp(eseal_tsa *tsa, CMS_SignerInfo *si, eseal_error *err)
{
	ASN1_OCTET_STRING *sigval = CMS_SignerInfo_get0_signature(si);
	unsigned char *token = NULL;
	size_t token_len = 0;
	int rc;

	rc = eseal_tsa_stamp(tsa, ASN1_STRING_get0_data(sigval), (size_t)ASN1_STRING_length(sigval), &token, &token_len,
			     err);
	if (rc != ESEAL_OK)
		goto cleanup;
	if (!CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE, token, (int)token_len))
		rc = es_error_set_ossl(err, ESEAL_E_INTERNAL, "cannot add the signature-time-stamp attribute");
cleanup:
	OPENSSL_free(token);
	return rc;
}

eseal_status eseal_cms_sign_digest(eseal_signer *signer, const eseal_cms_options *opts, const unsigned char *digest,
				   size_t digest_len, unsigned char **der, size_t *der_len, eseal_error *err)
{
	const EVP_MD *md = opts_md(opts);
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si = NULL;
	int len, rc;

	eseal_error_clear(err);
	*der = NULL;
	*der_len = 0;
	if (digest == NULL || digest_len != (size_t)EVP_MD_get_size(md))
		return es_error_set(err, ESEAL_E_USAGE, "digest of %zu bytes given for %s (%d bytes expected)",
				    digest_len, EVP_MD_get0_name(md), EVP_MD_get_size(md));
	if ((rc = build_unsigned(signer, opts, md, digest, digest_len, &cms, &si, err)) != ESEAL_OK)
		goto cleanup;
	if ((rc = sign_attrs(signer, si, md, err)) != ESEAL_OK)
		goto cleanup;
	if (opts != NULL && opts->tsa != NULL && (rc = add_timestamp(opts->tsa, si, err)) != ESEAL_OK)
		goto cleanup;
	len = i2d_CMS_ContentInfo(cms, der);
	if (len <= 0) {
		*der = NULL;
		rc = es_error_set_ossl(err, ESEAL_E_INTERNAL, "cannot encode the CMS SignedData");
		goto cleanup;
	}
	*der_len = (size_t)len;
	rc = ESEAL_OK;
cleanup:
	CMS_ContentInfo_free(cms);
	return rc;
}
