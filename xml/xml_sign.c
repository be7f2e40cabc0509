/* xml/xml_sign.c: the XAdES ds:Signature: template, References digested by xmlsec, SignedInfo canonicalised by
 * xmlsec's exclusive C14N transform and signed by the core's signer (the key never comes here), B-T time-stamp. */
#include "xml_sign.h"

#include "xml_internal.h"
#include "core/error_internal.h"

#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/membuf.h>
#include <xmlsec/nodeset.h>
#include <xmlsec/templates.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

/* The UBL 2.1 DSig extension's exclusion: every node outside sig:UBLDocumentSignatures (OASIS UBL 2.1, 5.2). */
#define UBL_DSIG_XPATH                                                                                          \
	"count(ancestor-or-self::sig:UBLDocumentSignatures | here()/ancestor::sig:UBLDocumentSignatures[1]) > " \
	"count(ancestor-or-self::sig:UBLDocumentSignatures)"
#define NS_UBL_SIG "urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2"

char *es_xml_base64(const unsigned char *data, size_t len)
{
	char *out = OPENSSL_malloc(4 * ((len + 2) / 3) + 1);

	if (out != NULL)
		EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

int es_xml_new_id(char *buf, size_t size, const char *prefix, eseal_error *err)
{
	unsigned char rnd[8];
	size_t n;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return es_error_set_ossl(err, ESEAL_E_CRYPTO, "cannot draw a random signature id");
	n = (size_t)snprintf(buf, size, "%s", prefix);
	for (size_t i = 0; i < sizeof(rnd) && n + 2 < size; i++, n += 2)
		snprintf(buf + n, size - n, "%02x", rnd[i]);
	return ESEAL_OK;
}

typedef struct alg_names {
	xmlSecTransformId digest_id;
	const char *sig_href;
} alg_names;

static int pick_algorithms(const EVP_MD *md, eseal_sig_scheme scheme, alg_names *a, const char *path, eseal_error *err)
{
	static const char *const rsa[] = {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
					  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
					  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"};
	static const char *const pss[] = {"http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
					  "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1",
					  "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1"};
	static const char *const ec[] = {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
					 "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
					 "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"};
	int i;

	switch (EVP_MD_get_type(md)) {
	case NID_sha256:
		i = 0;
		a->digest_id = xmlSecTransformSha256Id;
		break;
	case NID_sha384:
		i = 1;
		a->digest_id = xmlSecTransformSha384Id;
		break;
	case NID_sha512:
		i = 2;
		a->digest_id = xmlSecTransformSha512Id;
		break;
	default:
		return es_error_set(err, ESEAL_E_USAGE,
				    "%s: digest %s is not usable for XAdES (sha256, sha384, sha512)", path,
				    EVP_MD_get0_name(md));
	}
	switch (scheme) {
	case ESEAL_SCHEME_RSA_PKCS1: a->sig_href = rsa[i]; break;
	case ESEAL_SCHEME_RSA_PSS: a->sig_href = pss[i]; break;
	case ESEAL_SCHEME_ECDSA: a->sig_href = ec[i]; break;
	default: return es_error_set(err, ESEAL_E_CONFIG, "%s: the signer's signature scheme is unknown", path);
	}
	return ESEAL_OK;
}

int es_xml_c14n_node(xmlNodePtr node, unsigned char **out, size_t *out_len, es_xml_errors *cap, const char *path,
		     eseal_error *err)
{
	xmlSecTransformCtxPtr ctx = xmlSecTransformCtxCreate();
	xmlSecNodeSetPtr nodes = NULL;
	xmlSecTransformPtr mem = NULL;
	xmlSecBufferPtr buf = NULL;
	int rc = ESEAL_OK;

	*out = NULL;
	*out_len = 0;
	if (ctx == NULL || xmlSecTransformCtxCreateAndAppend(ctx, xmlSecTransformExclC14NId) == NULL ||
	    (mem = xmlSecTransformCtxCreateAndAppend(ctx, xmlSecTransformMemBufId)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot set up canonicalisation: %s", path,
				  es_xml_errors_reason(cap, "xmlsec failure"));
		goto cleanup;
	}
	/* Same node set xmlsec uses for SignedInfo when it verifies: the subtree, comments included (C14N without
	 * comments then drops them). */
	nodes = xmlSecNodeSetGetChildren(node->doc, node, 1, 0);
	if (nodes == NULL || xmlSecTransformCtxXmlExecute(ctx, nodes) < 0 ||
	    (buf = xmlSecTransformMemBufGetBuffer(mem)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: canonicalisation of %s failed: %s", path,
				  (const char *)node->name, es_xml_errors_reason(cap, "xmlsec failure"));
		goto cleanup;
	}
	*out_len = xmlSecBufferGetSize(buf);
	*out = OPENSSL_malloc(*out_len + 1);
	if (*out == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
		goto cleanup;
	}
	memcpy(*out, xmlSecBufferGetData(buf), *out_len);
cleanup:
	if (nodes != NULL)
		xmlSecNodeSetDestroy(nodes);
	if (ctx != NULL)
		xmlSecTransformCtxDestroy(ctx);
	return rc;
}

/* Registers an Id attribute as an XML ID so that "#id" References resolve through xmlsec's id() lookup. */
static int set_id(xmlNodePtr node, const char *id, const char *path, eseal_error *err)
{
	xmlAttrPtr attr = xmlSetProp(node, BAD_CAST "Id", BAD_CAST id);

	if (attr == NULL || xmlAddID(NULL, node->doc, BAD_CAST id, attr) == NULL)
		return es_error_set(err, ESEAL_E_INPUT, "%s: cannot register Id '%s' (already used in the document?)",
				    path, id);
	return ESEAL_OK;
}

static int add_key_info(xmlNodePtr sig, eseal_signer *signer, const char *path, eseal_error *err)
{
	STACK_OF(X509) *chain = eseal_signer_chain(signer);
	xmlNodePtr ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
	xmlNodePtr x509 = ki != NULL ? xmlSecTmplKeyInfoAddX509Data(ki) : NULL;
	int n = chain != NULL ? sk_X509_num(chain) : 0;

	if (x509 == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot build ds:KeyInfo", path);
	for (int i = -1; i < n; i++) {
		X509 *cert = i < 0 ? eseal_signer_certificate(signer) : sk_X509_value(chain, i);
		unsigned char *der = NULL;
		char *b64 = NULL;
		int len = cert != NULL ? i2d_X509(cert, &der) : -1;
		xmlNodePtr node = NULL;

		if (len > 0 && (b64 = es_xml_base64(der, (size_t)len)) != NULL &&
		    /* xmlSecTmplX509DataAddCertificate allows only one; the chain needs several. */
		    (node = xmlSecAddChild(x509, xmlSecNodeX509Certificate, xmlSecDSigNs)) != NULL)
			xmlNodeSetContent(node, BAD_CAST b64);
		OPENSSL_free(der);
		OPENSSL_free(b64);
		if (node == NULL)
			return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot add a certificate to ds:KeyInfo", path);
	}
	return ESEAL_OK;
}

/* Adds the data References and the SignedProperties Reference to SignedInfo; ref_ids receive their Ids. */
static int add_references(xmlNodePtr sig, const es_xml_sign_request *req, xmlSecTransformId digest_id, char **ref_ids,
			  const char *sp_id, const char *path, eseal_error *err)
{
	static const xmlChar *ubl_ns[] = {BAD_CAST "sig", BAD_CAST NS_UBL_SIG, NULL};
	char uri[160];
	xmlNodePtr ref = NULL;

	for (size_t i = 0; i < req->n_refs; i++) {
		const es_xml_ref *r = &req->refs[i];
		xmlNodePtr t;
		int ok = 1;

		ref = xmlSecTmplSignatureAddReference(sig, digest_id, BAD_CAST ref_ids[i],
						      BAD_CAST(r->kind == ES_XML_REF_DETACHED ? r->uri : ""), NULL);
		if (ref == NULL)
			return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot build ds:Reference", path);
		if (r->kind == ES_XML_REF_ENVELOPED) {
			ok = xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) != NULL;
		} else if (r->kind == ES_XML_REF_UBL) {
			t = xmlSecTmplReferenceAddTransform(ref, xmlSecTransformXPathId);
			ok = t != NULL && xmlSecTmplTransformAddXPath(t, BAD_CAST UBL_DSIG_XPATH, ubl_ns) == 0;
		}
		if (ok && r->kind != ES_XML_REF_DETACHED)
			ok = xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) != NULL;
		if (!ok)
			return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot build ds:Transforms", path);
	}
	snprintf(uri, sizeof(uri), "#%s", sp_id);
	ref = xmlSecTmplSignatureAddReference(sig, digest_id, NULL, BAD_CAST uri, BAD_CAST ES_TYPE_SIGNED_PROPS);
	if (ref == NULL || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot build the SignedProperties reference", path);
	return ESEAL_OK;
}

/* The UBL DSig XPath keeps every node outside the sig:UBLDocumentSignatures holding this signature. xmlsec's XPath
 * transform evaluates it over "(//. | //@* | //namespace::*)", whose node-set merges are quadratic (90 s for a
 * 1 MB invoice), so the same node set is built from xmlsec's tree node sets instead: the document without
 * comments (what URI="" yields) minus that subtree, canonicalised and digested by xmlsec's own transforms. The
 * Reference still names the spec's XPath: verifiers evaluate that. */
static int digest_ubl_reference(xmlNodePtr sig, xmlNodePtr ref, xmlSecTransformId digest_id, const char *path,
				es_xml_errors *cap, eseal_error *err)
{
	xmlNodePtr uds = sig->parent;
	xmlNodePtr dv = xmlSecFindChild(ref, xmlSecNodeDigestValue, xmlSecDSigNs);
	xmlSecTransformCtxPtr ctx = xmlSecTransformCtxCreate();
	xmlSecNodeSetPtr nodes = NULL, outside = NULL;
	xmlSecTransformPtr dt = NULL, mem = NULL;
	xmlSecBufferPtr buf = NULL;
	char *b64 = NULL;
	int rc = ESEAL_OK;

	while (uds != NULL && !(uds->type == XML_ELEMENT_NODE && uds->ns != NULL &&
				xmlStrEqual(uds->name, BAD_CAST "UBLDocumentSignatures") &&
				xmlStrEqual(uds->ns->href, BAD_CAST NS_UBL_SIG)))
		uds = uds->parent;
	if (uds == NULL || dv == NULL || ctx == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: UBL signature is not inside sig:UBLDocumentSignatures",
				  path);
		goto cleanup;
	}
	if (xmlSecTransformCtxCreateAndAppend(ctx, xmlSecTransformExclC14NId) == NULL ||
	    (dt = xmlSecTransformCtxCreateAndAppend(ctx, digest_id)) == NULL ||
	    (mem = xmlSecTransformCtxCreateAndAppend(ctx, xmlSecTransformMemBufId)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot set up the UBL reference digest", path);
		goto cleanup;
	}
	dt->operation = xmlSecTransformOperationSign;
	nodes = xmlSecNodeSetGetChildren(sig->doc, NULL, 0, 0);
	outside = xmlSecNodeSetGetChildren(sig->doc, uds, 1, 1);
	if (nodes == NULL || outside == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
		goto cleanup;
	}
	nodes = xmlSecNodeSetAdd(nodes, outside, xmlSecNodeSetIntersection);
	outside = NULL; /* now part of nodes */
	if (nodes == NULL || xmlSecTransformCtxXmlExecute(ctx, nodes) < 0 ||
	    (buf = xmlSecTransformMemBufGetBuffer(mem)) == NULL ||
	    (b64 = es_xml_base64(xmlSecBufferGetData(buf), xmlSecBufferGetSize(buf))) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: UBL reference digest failed: %s", path,
				  es_xml_errors_reason(cap, "xmlsec failure"));
		goto cleanup;
	}
	xmlNodeSetContent(dv, BAD_CAST b64);
cleanup:
	OPENSSL_free(b64);
	if (outside != NULL)
		xmlSecNodeSetDestroy(outside);
	if (nodes != NULL)
		xmlSecNodeSetDestroy(nodes);
	if (ctx != NULL)
		xmlSecTransformCtxDestroy(ctx);
	return rc;
}

/* Fills every DigestValue: detached files from the caller's digest, the rest by xmlsec running the Reference's
 * own transforms exactly as a verifier will (no remote or local URIs: only this document). */
static int digest_references(xmlNodePtr sig, const es_xml_sign_request *req, xmlSecTransformId digest_id,
			     es_xml_errors *cap, eseal_error *err)
{
	xmlNodePtr si = xmlSecFindChild(sig, xmlSecNodeSignedInfo, xmlSecDSigNs);
	xmlSecDSigCtxPtr dsig = xmlSecDSigCtxCreate(NULL);
	size_t i = 0;
	int rc = ESEAL_OK;

	if (si == NULL || dsig == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot set up xmlsec", req->path);
		goto cleanup;
	}
	dsig->operation = xmlSecTransformOperationSign;
	dsig->enabledReferenceUris = xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument;
	for (xmlNodePtr cur = xmlSecGetNextElementNode(si->children); cur != NULL;
	     cur = xmlSecGetNextElementNode(cur->next)) {
		xmlSecDSigReferenceCtxPtr rctx = NULL;

		if (!xmlSecCheckNodeName(cur, xmlSecNodeReference, xmlSecDSigNs))
			continue;
		if (i < req->n_refs && req->refs[i].kind == ES_XML_REF_DETACHED) {
			xmlNodePtr dv = xmlSecFindChild(cur, xmlSecNodeDigestValue, xmlSecDSigNs);
			char *b64 = es_xml_base64(req->refs[i].digest, req->refs[i].digest_len);

			if (dv != NULL && b64 != NULL)
				xmlNodeSetContent(dv, BAD_CAST b64);
			OPENSSL_free(b64);
			if (dv == NULL || b64 == NULL) {
				rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot set a DigestValue", req->path);
				goto cleanup;
			}
			i++;
			continue;
		}
		if (i < req->n_refs && req->refs[i].kind == ES_XML_REF_UBL) {
			rc = digest_ubl_reference(sig, cur, digest_id, req->path, cap, err);
			if (rc != ESEAL_OK)
				goto cleanup;
			i++;
			continue;
		}
		rctx = xmlSecDSigReferenceCtxCreate(dsig, xmlSecDSigReferenceOriginSignedInfo);
		if (rctx == NULL || xmlSecDSigReferenceCtxProcessNode(rctx, cur) < 0) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: computing a ds:Reference digest failed: %s",
					  req->path, es_xml_errors_reason(cap, "xmlsec failure"));
			if (rctx != NULL)
				xmlSecDSigReferenceCtxDestroy(rctx);
			goto cleanup;
		}
		xmlSecDSigReferenceCtxDestroy(rctx);
		i++;
	}
cleanup:
	if (dsig != NULL)
		xmlSecDSigCtxDestroy(dsig);
	return rc;
}

/* SignatureValue = signer(hash(C14N(SignedInfo))). */
static int sign_signed_info(xmlNodePtr sig, xmlNodePtr sv, const es_xml_sign_request *req, const EVP_MD *md,
			    es_xml_errors *cap, eseal_error *err)
{
	xmlNodePtr si = xmlSecFindChild(sig, xmlSecNodeSignedInfo, xmlSecDSigNs);
	unsigned char *c14n = NULL, *value = NULL;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	size_t c14n_len = 0, value_len = 0;
	char *b64 = NULL;
	int rc;

	rc = es_xml_c14n_node(si, &c14n, &c14n_len, cap, req->path, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	if (EVP_Digest(c14n, c14n_len, digest, &dlen, md, NULL) != 1) {
		rc = es_error_set_ossl(err, ESEAL_E_CRYPTO, "%s: digest of SignedInfo failed", req->path);
		goto cleanup;
	}
	rc = eseal_signer_sign_digest(req->opts->signer, md, digest, dlen, &value, &value_len, err);
	if (rc != ESEAL_OK) {
		es_error_prefix(err, "%s", req->path);
		goto cleanup;
	}
	b64 = es_xml_base64(value, value_len);
	if (b64 == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", req->path);
		goto cleanup;
	}
	xmlNodeSetContent(sv, BAD_CAST b64);
cleanup:
	OPENSSL_free(c14n);
	OPENSSL_free(value);
	OPENSSL_free(b64);
	return rc;
}

/* B-T: a time-stamp token over the exclusive-C14N form of ds:SignatureValue (EN 319 132-1, 5.3). */
static int add_signature_timestamp(xmlNodePtr sv, xmlNodePtr qp, const char *sig_id, const es_xml_sign_request *req,
				   es_xml_errors *cap, eseal_error *err)
{
	unsigned char *c14n = NULL, *token = NULL;
	size_t c14n_len = 0, token_len = 0;
	char ts_id[160];
	int rc;

	rc = es_xml_c14n_node(sv, &c14n, &c14n_len, cap, req->path, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	rc = eseal_tsa_stamp(req->opts->tsa, c14n, c14n_len, &token, &token_len, err);
	if (rc != ESEAL_OK) {
		es_error_prefix(err, "%s", req->path);
		goto cleanup;
	}
	snprintf(ts_id, sizeof(ts_id), "%s-SignatureTimeStamp", sig_id);
	rc = es_xades_add_timestamp(qp, ts_id, token, token_len, err);
cleanup:
	OPENSSL_free(c14n);
	OPENSSL_free(token);
	return rc;
}

int es_xml_sign(const es_xml_sign_request *req, xmlNodePtr *sig_out, es_xml_errors *cap, eseal_error *err)
{
	const EVP_MD *md = req->opts->md != NULL ? req->opts->md : EVP_sha256();
	eseal_sig_scheme scheme = eseal_signer_scheme(req->opts->signer);
	char sig_id[96], sp_id[160], sv_id[160];
	char **ref_ids = NULL;
	alg_names alg = {0}; /* zeroed: -O2 cannot see that pick_algorithms() fills it whenever it returns ESEAL_OK */
	xmlNodePtr sig = NULL, sv = NULL, qp = NULL;
	int rc;

	rc = pick_algorithms(md, scheme, &alg, req->path, err);
	if (rc != ESEAL_OK)
		return rc;
	if (req->require_rsa_pkcs1 && (scheme != ESEAL_SCHEME_RSA_PKCS1 || EVP_MD_get_type(md) != NID_sha256))
		return es_error_set(err, ESEAL_E_CONFIG,
				    "%s: FatturaPA accepts only rsa-sha256 signatures; this key/profile would use %s",
				    req->path, alg.sig_href);
	if (req->sig_id != NULL)
		snprintf(sig_id, sizeof(sig_id), "%s", req->sig_id);
	else if ((rc = es_xml_new_id(sig_id, sizeof(sig_id), "Signature-", err)) != ESEAL_OK)
		return rc;
	snprintf(sp_id, sizeof(sp_id), "%s-SignedProperties", sig_id);
	snprintf(sv_id, sizeof(sv_id), "%s-SignatureValue", sig_id);
	ref_ids = OPENSSL_zalloc((req->n_refs + 1) * sizeof(*ref_ids));
	if (ref_ids == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", req->path);
	for (size_t i = 0; i < req->n_refs; i++) {
		ref_ids[i] = OPENSSL_malloc(200);
		if (ref_ids[i] == NULL) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", req->path);
			goto cleanup;
		}
		snprintf(ref_ids[i], 200, "%s-Reference-%zu", sig_id, i);
	}

	/* SignatureMethod is written by URI: xmlsec never computes the signature, the signer does, so algorithms
	 * this xmlsec lacks a transform for (RSA-PSS) are as good as any. */
	sig = xmlSecTmplSignatureCreateNsPref(req->doc, xmlSecTransformExclC14NId, xmlSecTransformRsaSha256Id, NULL,
					      BAD_CAST "ds");
	if (sig == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot build ds:Signature", req->path);
		goto cleanup;
	}
	if (req->parent != NULL)
		xmlAddChild(req->parent, sig);
	else
		xmlDocSetRootElement(req->doc, sig);
	xmlSetProp(xmlSecTmplSignatureGetSignMethodNode(sig), BAD_CAST "Algorithm", BAD_CAST alg.sig_href);
	rc = set_id(sig, sig_id, req->path, err);
	if (rc == ESEAL_OK)
		rc = add_references(sig, req, alg.digest_id, ref_ids, sp_id, req->path, err);
	if (rc == ESEAL_OK)
		rc = add_key_info(sig, req->opts->signer, req->path, err);
	if (rc == ESEAL_OK)
		rc = es_xades_add_props(sig, sig_id, req->refs, ref_ids, req->n_refs, req->opts, &qp, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	sv = xmlSecFindChild(sig, xmlSecNodeSignatureValue, xmlSecDSigNs);
	if (sv == NULL || (rc = set_id(sv, sv_id, req->path, err)) != ESEAL_OK) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: ds:SignatureValue missing", req->path);
		goto cleanup;
	}
	xmlNodePtr sp = xmlSecFindNode(qp, BAD_CAST "SignedProperties", BAD_CAST ES_NS_XADES);
	if (sp == NULL || (rc = set_id(sp, sp_id, req->path, err)) != ESEAL_OK) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: SignedProperties missing", req->path);
		goto cleanup;
	}
	rc = digest_references(sig, req, alg.digest_id, cap, err);
	if (rc == ESEAL_OK)
		rc = sign_signed_info(sig, sv, req, md, cap, err);
	if (rc == ESEAL_OK && req->opts->tsa != NULL)
		rc = add_signature_timestamp(sv, qp, sig_id, req, cap, err);
	if (rc == ESEAL_OK && sig_out != NULL)
		*sig_out = sig;
cleanup:
	for (size_t i = 0; ref_ids != NULL && i < req->n_refs; i++)
		OPENSSL_free(ref_ids[i]);
	OPENSSL_free(ref_ids);
	return rc;
}
