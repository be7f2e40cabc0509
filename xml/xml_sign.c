/* xml/xml_sign.c: the XAdES ds:Signature: xmlsec's template, References digested over their exclusive C14N, SignedInfo
 * canonicalised the same way and signed by the core's signer (the key never comes here), B-T time-stamp. */
#include "xml_sign.h"

#include "xml_internal.h"
#include "core/error_internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <xmlsec/crypto.h>
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
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[8];
	size_t n;

	/* An Id must be unique, not secret: the kernel's generator is one system call, where OpenSSL's DRBG costs
	 * several microseconds per call, once per seal. */
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd) && RAND_bytes(rnd, sizeof(rnd)) != 1)
		return es_error_set_ossl(err, ESEAL_E_CRYPTO, "cannot draw a random signature id");
	n = (size_t)snprintf(buf, size, "%s", prefix);
	for (size_t i = 0; i < sizeof(rnd) && n + 2 < size; i++) {
		buf[n++] = hex[rnd[i] >> 4];
		buf[n++] = hex[rnd[i] & 15];
	}
	if (n < size)
		buf[n] = '\0';
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
			xmlNodeAddContent(node, BAD_CAST b64);
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

static int set_digest_value(xmlNodePtr ref, const unsigned char *digest, size_t len)
{
	xmlNodePtr dv = xmlSecFindChild(ref, xmlSecNodeDigestValue, xmlSecDSigNs);
	char *b64 = dv != NULL ? es_xml_base64(digest, len) : NULL;

	if (b64 == NULL)
		return -1;
	/* The template's value elements are empty, and base64 has no '&': adding the text is setting it, without
	 * xmlNodeSetContent's parse for entity references. */
	xmlNodeAddContent(dv, BAD_CAST b64);
	OPENSSL_free(b64);
	return 0;
}

/* The UBL DSig XPath keeps every node outside the sig:UBLDocumentSignatures holding this signature. xmlsec's XPath
 * transform evaluates it over "(//. | //@* | //namespace::*)", whose node-set merges are quadratic (90 s for a
 * 1 MB invoice), so the same node set is canonicalised directly: the document without comments (what URI=""
 * yields) minus that subtree. The Reference still names the spec's XPath: verifiers evaluate that. */
static xmlNodePtr ubl_signatures_of(xmlNodePtr parent)
{
	xmlNodePtr uds = parent;

	while (uds != NULL && !(uds->type == XML_ELEMENT_NODE && uds->ns != NULL &&
				xmlStrEqual(uds->name, BAD_CAST "UBLDocumentSignatures") &&
				xmlStrEqual(uds->ns->href, BAD_CAST NS_UBL_SIG)))
		uds = uds->parent;
	return uds;
}

/* Fills every DigestValue: detached files from the caller's digest, the rest over the node sets xmlsec builds for
 * the Reference's own transforms (URI="" and enveloped-signature: the document without comments minus the
 * ds:Signature; "#id": that element's subtree), canonicalised by the exclusive C14N a verifier runs. The
 * ds:Signature is not in req->doc yet (see es_xml_sign): the document as it stands is what enveloped-signature
 * leaves of it once the signature is there. */
static int digest_references(xmlNodePtr sig, xmlNodePtr sp, const es_xml_sign_request *req, const EVP_MD *md,
			     es_xml_errors *cap, eseal_error *err)
{
	xmlNodePtr si = xmlSecFindChild(sig, xmlSecNodeSignedInfo, xmlSecDSigNs);
	size_t i = 0;

	if (si == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: ds:SignedInfo missing", req->path);
	for (xmlNodePtr cur = xmlSecGetNextElementNode(si->children); cur != NULL;
	     cur = xmlSecGetNextElementNode(cur->next)) {
		const es_xml_ref *r = i < req->n_refs ? &req->refs[i] : NULL;
		unsigned char digest[EVP_MAX_MD_SIZE];
		unsigned int dlen = 0;
		xmlNodePtr inside = NULL, outside = NULL;

		if (!xmlSecCheckNodeName(cur, xmlSecNodeReference, xmlSecDSigNs))
			continue;
		i++;
		if (r != NULL && r->kind == ES_XML_REF_DETACHED) {
			if (set_digest_value(cur, r->digest, r->digest_len) != 0)
				return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot set a DigestValue", req->path);
			continue;
		}
		if (r == NULL) {
			inside = sp; /* the SignedProperties Reference follows the data References */
		} else if (r->kind == ES_XML_REF_UBL &&
			   (outside = ubl_signatures_of(req->parent)) == NULL) {
			return es_error_set(err, ESEAL_E_INTERNAL,
					    "%s: UBL signature is not inside sig:UBLDocumentSignatures", req->path);
		}
		if (es_xml_c14n_digest(r == NULL ? sig->doc : req->doc, inside, outside, md, digest, &dlen) != 0 ||
		    set_digest_value(cur, digest, dlen) != 0)
			return es_error_set(err, ESEAL_E_INTERNAL, "%s: computing a ds:Reference digest failed: %s",
					    req->path, es_xml_errors_reason(cap, "canonicalisation failure"));
	}
	return ESEAL_OK;
}

/* SignatureValue = signer(hash(C14N(SignedInfo))). */
static int sign_signed_info(xmlNodePtr sig, xmlNodePtr sv, const es_xml_sign_request *req, const EVP_MD *md,
			    es_xml_errors *cap, eseal_error *err)
{
	xmlNodePtr si = xmlSecFindChild(sig, xmlSecNodeSignedInfo, xmlSecDSigNs);
	unsigned char *value = NULL;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	size_t value_len = 0;
	char *b64 = NULL;
	int rc;

	if (si == NULL || es_xml_c14n_digest(sig->doc, si, NULL, md, digest, &dlen) != 0) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: canonicalisation of SignedInfo failed: %s", req->path,
				  es_xml_errors_reason(cap, "canonicalisation failure"));
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
	xmlNodeAddContent(sv, BAD_CAST b64);
cleanup:
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

/* Moves the signed ds:Signature from its own document under req->parent; moving drops its Ids from that document,
 * so they are registered again in req->doc, which refuses one the document already uses. */
static int join_document(xmlNodePtr sig, xmlNodePtr sv, xmlNodePtr sp, const es_xml_sign_request *req,
			 const char *const ids[3], eseal_error *err)
{
	xmlNodePtr nodes[3] = {sig, sv, sp};

	xmlUnlinkNode(sig);
	if (xmlAddChild(req->parent, sig) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot place ds:Signature", req->path);
	for (int i = 0; i < 3; i++) {
		xmlAttrPtr attr = xmlHasProp(nodes[i], BAD_CAST "Id");

		if (attr == NULL || xmlAddID(NULL, req->doc, BAD_CAST ids[i], attr) == NULL)
			return es_error_set(err, ESEAL_E_INPUT,
					    "%s: cannot register Id '%s' (already used in the document?)", req->path,
					    ids[i]);
	}
	return ESEAL_OK;
}

int es_xml_sign(const es_xml_sign_request *req, xmlNodePtr *sig_out, es_xml_errors *cap, eseal_error *err)
{
	const EVP_MD *md = req->opts->md != NULL ? req->opts->md : EVP_sha256();
	eseal_sig_scheme scheme = eseal_signer_scheme(req->opts->signer);
	char sig_id[96], sp_id[160], sv_id[160];
	char **ref_ids = NULL;
	alg_names alg = {0}; /* zeroed: -O2 cannot see that pick_algorithms() fills it whenever it returns ESEAL_OK */
	xmlNodePtr sig = NULL, sv = NULL, qp = NULL;
	xmlDocPtr own = NULL;
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

	/* An enveloped signature is built and signed as the root of a document of its own, and joins req->doc signed:
	 * xmlC14NExecute visits every node of a document, in the node set or not, so SignedProperties and SignedInfo
	 * are canonicalised without walking the sealed document twice more. Their exclusive C14N does not depend on
	 * where they stand: every element is ds: or xades:, declared on the signature itself, and exclusive C14N
	 * takes no xml: attribute from ancestors. */
	if (req->parent != NULL && (own = xmlNewDoc(BAD_CAST "1.0")) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", req->path);
		goto cleanup;
	}
	/* SignatureMethod is written by URI: xmlsec never computes the signature, the signer does, so algorithms
	 * this xmlsec lacks a transform for (RSA-PSS) are as good as any. */
	sig = xmlSecTmplSignatureCreateNsPref(own != NULL ? own : req->doc, xmlSecTransformExclC14NId,
					      xmlSecTransformRsaSha256Id, NULL, BAD_CAST "ds");
	if (sig == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot build ds:Signature", req->path);
		goto cleanup;
	}
	xmlDocSetRootElement(sig->doc, sig);
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
	rc = digest_references(sig, sp, req, md, cap, err);
	if (rc == ESEAL_OK)
		rc = sign_signed_info(sig, sv, req, md, cap, err);
	if (rc == ESEAL_OK && req->opts->tsa != NULL)
		rc = add_signature_timestamp(sv, qp, sig_id, req, cap, err);
	if (rc == ESEAL_OK && own != NULL) {
		const char *ids[3] = {sig_id, sv_id, sp_id};

		rc = join_document(sig, sv, sp, req, ids, err);
	}
	if (rc == ESEAL_OK && sig_out != NULL)
		*sig_out = sig;
cleanup:
	xmlFreeDoc(own); /* with the signature unless it joined req->doc */
	for (size_t i = 0; ref_ids != NULL && i < req->n_refs; i++)
		OPENSSL_free(ref_ids[i]);
	OPENSSL_free(ref_ids);
	return rc;
}
