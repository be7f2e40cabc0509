/* xml/xades_ats.c: the input of a xadesv141:ArchiveTimeStamp (ETSI EN 319 132-1 clause 5.5.2.2), computed by one
 * function for the extender that requests the token and the verifier that checks it, so the two cannot disagree. */
#include "xml_verify_internal.h"

#include <string.h>

#include <openssl/evp.h>
#include <xmlsec/buffer.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

static int feed_c14n(EVP_MD_CTX *ctx, xmlNodePtr el, const xmlChar *alg, char *why, size_t why_len)
{
	xmlChar *c14n = NULL;
	int n = es_xv_c14n_subtree(el->doc, el, alg, &c14n);

	if (n < 0 || EVP_DigestUpdate(ctx, c14n, (size_t)n) != 1) {
		snprintf(why, why_len, "cannot canonicalise <%s> (line %ld) with %s", (const char *)el->name,
			 xmlGetLineNo(el), alg != NULL ? (const char *)alg : "C14N 1.0");
		xmlFree(c14n);
		return -1;
	}
	xmlFree(c14n);
	return 0;
}

/* Step 1: each ds:Reference of SignedInfo processed as XML-DSig does, the octets it digests (after its transforms,
 * all of which end in a canonicalisation here) taken in order. xmlsec keeps them when asked to. */
static int feed_references(EVP_MD_CTX *ctx, xmlNodePtr sig, int dirfd, char *why, size_t why_len)
{
	xmlNodePtr si = es_xv_child(sig, NS_DS, "SignedInfo"), ref;
	xmlSecDSigCtxPtr dsig = xmlSecDSigCtxCreate(NULL);
	int rc = -1;

	if (si == NULL || dsig == NULL) {
		snprintf(why, why_len, "no ds:SignedInfo");
		goto cleanup;
	}
	dsig->operation = xmlSecTransformOperationVerify;
	dsig->flags |= XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES;
	dsig->enabledReferenceUris = xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument;
	if (dirfd >= 0)
		dsig->enabledReferenceUris |= xmlSecTransformUriTypeLocal | xmlSecTransformUriTypeRemote;
	es_xv_io_use_dir(dirfd);
	for (ref = si->children; ref != NULL; ref = ref->next) {
		xmlSecDSigReferenceCtxPtr rctx;
		xmlSecBufferPtr buf;
		int ok;

		if (!es_xv_is_el(ref, NS_DS, "Reference"))
			continue;
		rctx = xmlSecDSigReferenceCtxCreate(dsig, xmlSecDSigReferenceOriginSignedInfo);
		ok = rctx != NULL && xmlSecDSigReferenceCtxProcessNode(rctx, ref) >= 0 &&
		     (buf = xmlSecDSigReferenceCtxGetPreDigestBuffer(rctx)) != NULL &&
		     EVP_DigestUpdate(ctx, xmlSecBufferGetData(buf), xmlSecBufferGetSize(buf)) == 1;
		if (rctx != NULL)
			xmlSecDSigReferenceCtxDestroy(rctx);
		if (!ok) {
			snprintf(why, why_len, "cannot process the ds:Reference at line %ld", xmlGetLineNo(ref));
			goto cleanup;
		}
	}
	rc = 0;
cleanup:
	es_xv_io_use_dir(-1);
	if (dsig != NULL)
		xmlSecDSigCtxDestroy(dsig);
	return rc;
}

int es_xades_ats_digest(xmlNodePtr sig, xmlNodePtr before, const xmlChar *alg, const EVP_MD *md, int dirfd,
			unsigned char *out, unsigned int *out_len, char *why, size_t why_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	xmlNodePtr qp = NULL, usp, n, obj;
	int rc = -1;

	snprintf(why, why_len, "out of memory");
	if (ctx == NULL || EVP_DigestInit_ex(ctx, md, NULL) != 1)
		goto cleanup;
	for (obj = sig->children; obj != NULL && qp == NULL; obj = obj->next)
		if (es_xv_is_el(obj, NS_DS, "Object"))
			qp = es_xv_child(obj, NS_XADES, "QualifyingProperties");
	usp = es_xv_child(es_xv_child(qp, NS_XADES, "UnsignedProperties"), NS_XADES, "UnsignedSignatureProperties");
	if (usp == NULL) {
		snprintf(why, why_len, "no xades:UnsignedSignatureProperties");
		goto cleanup;
	}
	if (feed_references(ctx, sig, dirfd, why, why_len) != 0)
		goto cleanup;
	/* Step 2: SignedInfo, SignatureValue and KeyInfo, in this order. */
	if ((n = es_xv_child(sig, NS_DS, "SignedInfo")) == NULL || feed_c14n(ctx, n, alg, why, why_len) != 0 ||
	    (n = es_xv_child(sig, NS_DS, "SignatureValue")) == NULL || feed_c14n(ctx, n, alg, why, why_len) != 0)
		goto cleanup;
	if ((n = es_xv_child(sig, NS_DS, "KeyInfo")) != NULL && feed_c14n(ctx, n, alg, why, why_len) != 0)
		goto cleanup;
	/* Step 3: every unsigned signature property before this time-stamp, as they stand: validation data added
	 * after it is not covered (a later time-stamp covers it). */
	for (n = usp->children; n != NULL && n != before; n = n->next)
		if (n->type == XML_ELEMENT_NODE && feed_c14n(ctx, n, alg, why, why_len) != 0)
			goto cleanup;
	if (before != NULL && n != before) {
		snprintf(why, why_len, "the time-stamp is not in xades:UnsignedSignatureProperties");
		goto cleanup;
	}
	/* Step 4: the other ds:Object elements (the one holding the QualifyingProperties is left out). */
	for (obj = sig->children; obj != NULL; obj = obj->next)
		if (es_xv_is_el(obj, NS_DS, "Object") && es_xv_child(obj, NS_XADES, "QualifyingProperties") == NULL &&
		    feed_c14n(ctx, obj, alg, why, why_len) != 0)
			goto cleanup;
	if (EVP_DigestFinal_ex(ctx, out, out_len) != 1)
		goto cleanup;
	rc = 0;
cleanup:
	EVP_MD_CTX_free(ctx);
	return rc;
}
