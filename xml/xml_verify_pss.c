/* xml/xml_verify_pss.c: the RSA-PSS SignatureMethods xmlsec 1.2 lacks (RFC 6931: sha*-rsa-MGF1 and rsa-pss with
 * pss:RSAPSSParams), checked with OpenSSL over the canonical SignedInfo; xmlsec still checks the References. */
#include "xml_verify_internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#define NS_PSS "http://www.w3.org/2007/05/xmldsig-more#"
#define PSS_WITH_PARAMS NS_PSS "rsa-pss"
#define PSS_MGF1 NS_PSS "MGF1"

/* XML-DSig digest URIs (xmlenc, xmldsig-more, xmldsig) to OpenSSL; NULL for any other. */
static const EVP_MD *digest_of(xmlNodePtr dm)
{
	xmlChar *alg = dm != NULL ? xmlGetProp(dm, BAD_CAST "Algorithm") : NULL;
	static const struct {
		const char *uri;
		const char *name;
	} known[] = {
		{"http://www.w3.org/2001/04/xmlenc#sha256", "SHA256"},
		{"http://www.w3.org/2001/04/xmldsig-more#sha384", "SHA384"},
		{"http://www.w3.org/2001/04/xmlenc#sha512", "SHA512"},
		{"http://www.w3.org/2001/04/xmldsig-more#sha224", "SHA224"},
		{"http://www.w3.org/2000/09/xmldsig#sha1", "SHA1"},
		{"http://www.w3.org/2007/05/xmldsig-more#sha3-256", "SHA3-256"},
		{"http://www.w3.org/2007/05/xmldsig-more#sha3-384", "SHA3-384"},
		{"http://www.w3.org/2007/05/xmldsig-more#sha3-512", "SHA3-512"},
	};
	const EVP_MD *md = NULL;
	size_t i;

	for (i = 0; alg != NULL && i < sizeof(known) / sizeof(known[0]); i++)
		if (xmlStrEqual(alg, BAD_CAST known[i].uri))
			md = EVP_get_digestbyname(known[i].name);
	xmlFree(alg);
	return md;
}

/* A non-negative decimal of at most 4 digits (salt lengths are bytes of a hash), or -1. */
static int small_number(xmlNodePtr n)
{
	xmlChar *text = n != NULL ? xmlNodeGetContent(n) : NULL;
	const char *p = (const char *)text;
	int v = 0, digits = 0;

	for (; p != NULL && *p == ' '; p++)
		;
	for (; p != NULL && *p >= '0' && *p <= '9' && digits < 5; p++, digits++)
		v = v * 10 + (*p - '0');
	for (; p != NULL && *p == ' '; p++)
		;
	if (p == NULL || *p != '\0' || digits == 0 || digits > 4)
		v = -1;
	xmlFree(text);
	return v;
}

/* The parameters a SignatureMethod names: RFC 6931 2.3.10 (hash, MGF1 with it, salt its length, trailer 1) or
 * 2.3.11 (pss:RSAPSSParams, each element optional: SHA-256, MGF1 with DigestMethod, salt the digest's length,
 * trailer 1). 0 if it is no PSS method, 1 with the parameters, -1 with why. */
static int pss_params(xmlNodePtr method, const EVP_MD **md, const EVP_MD **mgf1, int *salt, char *why, size_t why_len)
{
	static const struct {
		const char *uri;
		const char *name;
	} fixed[] = {
		{NS_PSS "sha224-rsa-MGF1", "SHA224"},     {NS_PSS "sha256-rsa-MGF1", "SHA256"},
		{NS_PSS "sha384-rsa-MGF1", "SHA384"},     {NS_PSS "sha512-rsa-MGF1", "SHA512"},
		{NS_PSS "sha3-256-rsa-MGF1", "SHA3-256"}, {NS_PSS "sha3-384-rsa-MGF1", "SHA3-384"},
		{NS_PSS "sha3-512-rsa-MGF1", "SHA3-512"},
	};
	xmlChar *alg = xmlGetProp(method, BAD_CAST "Algorithm");
	xmlNodePtr params, mgf, n;
	xmlChar *mgf_alg = NULL;
	int rc = 0, trailer;
	size_t i;

	for (i = 0; alg != NULL && i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (xmlStrEqual(alg, BAD_CAST fixed[i].uri)) {
			*md = *mgf1 = EVP_get_digestbyname(fixed[i].name);
			*salt = *md != NULL ? EVP_MD_get_size(*md) : -1;
			rc = *md != NULL ? 1 : -1;
			if (rc < 0)
				snprintf(why, why_len, "%s: digest not available", (const char *)alg);
			goto cleanup;
		}
	if (alg == NULL || !xmlStrEqual(alg, BAD_CAST PSS_WITH_PARAMS))
		goto cleanup;
	rc = -1;
	params = es_xv_child(method, NS_PSS, "RSAPSSParams");
	n = params != NULL ? es_xv_child(params, NS_DS, "DigestMethod") : NULL;
	*md = n != NULL ? digest_of(n) : EVP_sha256();
	if (*md == NULL) {
		snprintf(why, why_len, "RSA-PSS: unsupported ds:DigestMethod in pss:RSAPSSParams");
		goto cleanup;
	}
	mgf = params != NULL ? es_xv_child(params, NS_PSS, "MaskGenerationFunction") : NULL;
	mgf_alg = mgf != NULL ? xmlGetProp(mgf, BAD_CAST "Algorithm") : NULL;
	if (mgf != NULL && (mgf_alg == NULL || !xmlStrEqual(mgf_alg, BAD_CAST PSS_MGF1))) {
		snprintf(why, why_len, "RSA-PSS: mask generation function %s is not MGF1",
			 mgf_alg != NULL ? (const char *)mgf_alg : "(none)");
		goto cleanup;
	}
	n = mgf != NULL ? es_xv_child(mgf, NS_DS, "DigestMethod") : NULL;
	*mgf1 = n != NULL ? digest_of(n) : *md;
	if (*mgf1 == NULL) {
		snprintf(why, why_len, "RSA-PSS: unsupported ds:DigestMethod for MGF1");
		goto cleanup;
	}
	n = params != NULL ? es_xv_child(params, NS_PSS, "SaltLength") : NULL;
	*salt = n != NULL ? small_number(n) : EVP_MD_get_size(*md);
	n = params != NULL ? es_xv_child(params, NS_PSS, "TrailerField") : NULL;
	trailer = n != NULL ? small_number(n) : 1;
	if (*salt < 0 || trailer != 1) {
		snprintf(why, why_len, "RSA-PSS: %s", *salt < 0 ? "unreadable pss:SaltLength" :
								  "pss:TrailerField other than 1 (0xBC)");
		goto cleanup;
	}
	rc = 1;
cleanup:
	xmlFree(alg);
	xmlFree(mgf_alg);
	return rc;
}

int es_xv_pss_verify(xmlDocPtr doc, xmlNodePtr sig, EVP_PKEY *pk, int *valid, char *what, size_t what_len)
{
	xmlNodePtr si = es_xv_child(sig, NS_DS, "SignedInfo");
	xmlNodePtr method = si != NULL ? es_xv_child(si, NS_DS, "SignatureMethod") : NULL;
	xmlNodePtr cm = si != NULL ? es_xv_child(si, NS_DS, "CanonicalizationMethod") : NULL;
	xmlNodePtr sv = es_xv_child(sig, NS_DS, "SignatureValue");
	xmlChar *c14n_alg = NULL, *c14n = NULL, *b64 = NULL;
	unsigned char *value = NULL;
	size_t value_len = 0;
	const EVP_MD *md = NULL, *mgf1 = NULL;
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int salt = 0, rc, n;

	*valid = 0;
	what[0] = '\0';
	if (method == NULL)
		return 0;
	rc = pss_params(method, &md, &mgf1, &salt, what, what_len);
	if (rc <= 0)
		return rc;
	rc = -1;
	c14n_alg = cm != NULL ? xmlGetProp(cm, BAD_CAST "Algorithm") : NULL;
	b64 = sv != NULL ? xmlNodeGetContent(sv) : NULL;
	value = es_xv_b64_decode(b64, &value_len);
	if (value == NULL || (n = es_xv_c14n_subtree(doc, si, c14n_alg, &c14n)) < 0) {
		snprintf(what, what_len, "RSA-PSS: unreadable ds:SignatureValue or ds:CanonicalizationMethod");
		goto cleanup;
	}
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA && EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA_PSS) {
		snprintf(what, what_len, "RSA-PSS SignatureMethod with a key that is not RSA");
		goto cleanup;
	}
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestVerifyInit(ctx, &pctx, md, NULL, pk) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, mgf1) <= 0 || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) <= 0) {
		snprintf(what, what_len, "RSA-PSS: OpenSSL refuses the parameters (%s, MGF1 %s, salt %d)",
			 EVP_MD_get0_name(md), EVP_MD_get0_name(mgf1), salt);
		goto cleanup;
	}
	*valid = EVP_DigestVerify(ctx, value, value_len, c14n, (size_t)n) == 1;
	snprintf(what, what_len, "RSA-PSS (%s, MGF1 %s, salt %d)", EVP_MD_get0_name(md), EVP_MD_get0_name(mgf1),
		 salt);
	rc = 1;
cleanup:
	EVP_MD_CTX_free(ctx);
	xmlFree(c14n_alg);
	xmlFree(c14n);
	xmlFree(b64);
	free(value);
	return rc;
}
