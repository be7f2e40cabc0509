/* xml/xml_verify.c: XAdES / XML-DSig verification of every ds:Signature of a document. Parsing is hardened (no
 * network, no DTD loading, entity declarations refused); xmlsec checks SignedInfo and the References with a
 * whitelist of transforms and only same-document URIs (or plain relative names of files beside the signature file,
 * read through xml_verify_io.c), using the key of the KeyInfo certificate; we check that the References cover what
 * a reader sees (no wrapping: a referenced Id carried by one element only; an element referenced by Id that is not
 * the root is reported as the part covered, unless moved or shadowed by another of its name; detached files count
 * only for a detached signature file; an enveloping signature covers its ds:Objects and checked ds:Manifest
 * entries) and that what they leave unsigned holds no content (xml_verify_scope.c), then XAdES
 * (SignedProperties, SigningCertificate(V2), SigningTime, DataObjectFormat, SignatureTimeStamp) and the certificate
 * via the core. */
#include "xml_verify.h"

#include "xml_verify_internal.h"
#include "cms/verify_cms.h"
#include "core/error_internal.h"
#include "pki/cert_profile.h"
#include "pki/evidence.h"
#include "pki/report.h"
#include "pki/verifier.h"
#include "timestamp/tst_verify.h"

#include <ctype.h>
#include <fcntl.h>
#include <unistd.h>
#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>


typedef struct {
	xmlNodePtr target;
	int with_comments;
} c14n_vis;

static int is_inside(xmlNodePtr n, xmlNodePtr ancestor)
{
	for (; n != NULL; n = n->parent)
		if (n == ancestor)
			return 1;
	return 0;
}

/* C14N visibility: the target's subtree; a namespace node counts as part of its element (parent), an attribute
 * as part of the element carrying it. */
static int in_subtree(void *ud, xmlNodePtr node, xmlNodePtr parent)
{
	c14n_vis *v = ud;

	if (node != NULL && node->type == XML_COMMENT_NODE && !v->with_comments)
		return 0;
	if (node == NULL || node->type == XML_NAMESPACE_DECL)
		return is_inside(parent, v->target);
	return is_inside(node->type == XML_ATTRIBUTE_NODE ? node->parent : node, v->target);
}

int es_xv_c14n_subtree(xmlDocPtr doc, xmlNodePtr target, const xmlChar *alg, xmlChar **out)
{
	c14n_vis vis = {target, 0};
	xmlOutputBufferPtr ob = NULL;
	int mode = XML_C14N_1_0, n;

	*out = NULL;
	if (alg == NULL || xmlStrEqual(alg, BAD_CAST "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"))
		mode = XML_C14N_1_0;
	else if (xmlStrEqual(alg, BAD_CAST "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"))
		mode = XML_C14N_1_0, vis.with_comments = 1;
	else if (xmlStrEqual(alg, BAD_CAST "http://www.w3.org/2001/10/xml-exc-c14n#"))
		mode = XML_C14N_EXCLUSIVE_1_0;
	else if (xmlStrEqual(alg, BAD_CAST "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"))
		mode = XML_C14N_EXCLUSIVE_1_0, vis.with_comments = 1;
	else if (xmlStrEqual(alg, BAD_CAST "http://www.w3.org/2006/12/xml-c14n11"))
		mode = XML_C14N_1_1;
	else
		return -1;
	ob = xmlAllocOutputBuffer(NULL);
	if (ob == NULL)
		return -1;
	if (xmlC14NExecute(doc, in_subtree, &vis, mode, NULL, vis.with_comments, ob) < 0) {
		xmlOutputBufferClose(ob);
		return -1;
	}
	n = (int)xmlBufUse(ob->buffer);
	*out = xmlStrndup(xmlBufContent(ob->buffer), n);
	xmlOutputBufferClose(ob);
	return *out != NULL ? n : -1;
}

static int enable_transforms(xmlSecDSigCtxPtr d)
{
	xmlSecTransformId ref[] = {xmlSecTransformInclC14NId,
				   xmlSecTransformInclC14NWithCommentsId,
				   xmlSecTransformInclC14N11Id,
				   xmlSecTransformExclC14NId,
				   xmlSecTransformExclC14NWithCommentsId,
				   xmlSecTransformEnvelopedId,
				   xmlSecTransformSha256Id,
				   xmlSecTransformSha384Id,
				   xmlSecTransformSha512Id,
				   xmlSecTransformSha1Id,
				   xmlSecTransformBase64Id,
				   xmlSecTransformXPathId,
				   xmlSecTransformXPath2Id};
	xmlSecTransformId sig[] = {xmlSecTransformInclC14NId,
				   xmlSecTransformInclC14NWithCommentsId,
				   xmlSecTransformInclC14N11Id,
				   xmlSecTransformExclC14NId,
				   xmlSecTransformExclC14NWithCommentsId,
				   xmlSecTransformRsaSha256Id,
				   xmlSecTransformRsaSha384Id,
				   xmlSecTransformRsaSha512Id,
				   xmlSecTransformRsaSha1Id,
				   xmlSecTransformEcdsaSha256Id,
				   xmlSecTransformEcdsaSha384Id,
				   xmlSecTransformEcdsaSha512Id};
	size_t i;

	for (i = 0; i < sizeof(ref) / sizeof(ref[0]); i++)
		if (xmlSecDSigCtxEnableReferenceTransform(d, ref[i]) < 0)
			return -1;
	for (i = 0; i < sizeof(sig) / sizeof(sig[0]); i++)
		if (xmlSecDSigCtxEnableSignatureTransform(d, sig[i]) < 0)
			return -1;
	return 0;
}

X509 *es_xv_pick_signer(STACK_OF(X509) * keyinfo_certs, xmlNodePtr sp, eseal_seal_report *s, int *bound)
{
	return es_xv_pick_signer_among(keyinfo_certs, NULL, sp, s, bound);
}

/* The first certificate of certs whose digest (evp) is want, or NULL. */
static X509 *cert_by_digest(STACK_OF(X509) * certs, const EVP_MD *evp, const unsigned char *want, size_t want_len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	int i;

	for (i = 0; i < sk_X509_num(certs); i++)
		if (X509_digest(sk_X509_value(certs, i), evp, md, &mdlen) == 1 && mdlen == want_len &&
		    memcmp(md, want, want_len) == 0)
			return sk_X509_value(certs, i);
	return NULL;
}

X509 *es_xv_pick_signer_among(STACK_OF(X509) * keyinfo_certs, STACK_OF(X509) * more, xmlNodePtr sp,
			      eseal_seal_report *s, int *bound)
{
	xmlNodePtr sc = sp != NULL ? es_xv_find(sp, NS_XADES, "SigningCertificateV2") : NULL;
	xmlNodePtr cd, dm, dv;
	xmlChar *alg = NULL, *val = NULL;
	unsigned char *want = NULL;
	size_t want_len = 0;
	const EVP_MD *evp = NULL;
	X509 *found = NULL;

	*bound = 0;
	if (sc == NULL && sp != NULL)
		sc = es_xv_find(sp, NS_XADES, "SigningCertificate");
	if (sc == NULL)
		return sk_X509_num(keyinfo_certs) > 0 ? sk_X509_value(keyinfo_certs, 0) : NULL;
	cd = es_xv_find(sc, NS_XADES, "CertDigest");
	dm = cd != NULL ? es_xv_child(cd, NS_DS, "DigestMethod") : NULL;
	dv = cd != NULL ? es_xv_child(cd, NS_DS, "DigestValue") : NULL;
	alg = dm != NULL ? xmlGetProp(dm, BAD_CAST "Algorithm") : NULL;
	val = dv != NULL ? xmlNodeGetContent(dv) : NULL;
	if (alg != NULL) {
		const char *a = (const char *)alg;
		evp = strstr(a, "sha512") ? EVP_sha512() :
		      strstr(a, "sha384") ? EVP_sha384() :
		      strstr(a, "sha256") ? EVP_sha256() :
		      strstr(a, "sha1")   ? EVP_sha1() :
					    NULL;
	}
	want = es_xv_b64_decode(val, &want_len);
	if (evp == NULL || want == NULL) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "malformed xades:SigningCertificate");
		goto cleanup;
	}
	found = cert_by_digest(keyinfo_certs, evp, want, want_len);
	if (found == NULL && more != NULL)
		found = cert_by_digest(more, evp, want, want_len);
	if (found == NULL)
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_NO_SIGNING_CERTIFICATE_FOUND,
			     more != NULL ? "xades:SigningCertificateV2 names no certificate of ds:KeyInfo, "
					    "xades:CertificateValues or the trust anchors" :
					    "xades:SigningCertificateV2 names no certificate of ds:KeyInfo");
	else
		*bound = 1;
cleanup:
	xmlFree(alg);
	xmlFree(val);
	free(want);
	return found;
}

static int is_ubl_xpath(xmlNodePtr transform)
{
	xmlNodePtr xp = es_xv_child(transform, NS_DS, "XPath");
	xmlChar *text = xp != NULL ? xmlNodeGetContent(xp) : NULL;
	xmlNsPtr ns = xp != NULL ? xmlSearchNs(xp->doc, xp, BAD_CAST "sig") : NULL;
	char norm[512];
	size_t i, j = 0;
	int ok;

	for (i = 0; text != NULL && text[i] != '\0' && j + 1 < sizeof(norm); i++)
		if (!isspace(text[i]) || (j > 0 && norm[j - 1] != ' ' && !isspace(text[i + 1])))
			norm[j++] = isspace(text[i]) ? ' ' : (char)text[i];
	norm[j] = '\0';
	ok = text != NULL && ns != NULL && xmlStrEqual(ns->href, BAD_CAST NS_UBL_SIG) && strcmp(norm, UBL_XPATH) == 0;
	xmlFree(text);
	return ok;
}

/* What xmlsec digests of a whole-document Reference other than the usual URI="" or root Id with the enveloped
 * transform (left ""): the document's nodes, its comments only through an XPointer URI and a C14N WithComments,
 * less this signature or, through the XPath, every ds:Signature. */
static void describe_whole(char *out, size_t len, const xmlChar *uri, int form, int comments, int all_sigs,
			   const char *how)
{
	int xpointer = form == ES_XV_URI_WHOLE_COMMENTS || form == ES_XV_URI_ELEMENT_COMMENTS;

	if (!xpointer && how[0] == '\0')
		return;
	snprintf(out, len, "the whole document (URI \"%.60s\"%s)%s%s%s%s", uri != NULL ? (const char *)uri : "",
		 form == ES_XV_URI_ELEMENT || form == ES_XV_URI_ELEMENT_COMMENTS ? ": its root" : "",
		 xpointer && comments ? " with its comments" : "",
		 how[0] == '\0' ? "" : all_sigs ? " but every ds:Signature in it (" : " but this ds:Signature (", how,
		 how[0] == '\0' ? "" : ")");
}

/* The first element of the document other than el and its descendants with el's name and namespace, or NULL. */
static xmlNodePtr same_name_outside(xmlNodePtr n, xmlNodePtr el)
{
	xmlNodePtr found;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || n == el)
			continue;
		if (xmlStrEqual(n->name, el->name) &&
		    ((n->ns == NULL && el->ns == NULL) ||
		     (n->ns != NULL && el->ns != NULL && xmlStrEqual(n->ns->href, el->ns->href))))
			return n;
		if ((found = same_name_outside(n->children, el)) != NULL)
			return found;
	}
	return NULL;
}

/* A Reference by Id to an element of the document that is not its root signs that element only, which the report
 * says. It is wrapping when the element is not where the seal left it: the Reference takes the signature out of
 * it (enveloped-signature transform) but the signature is not inside it any more, or another element of its name
 * that it does not cover (a forged root holding the signed one, a copy) is where a reader would look. */
static int check_partial(xmlDocPtr doc, xmlNodePtr sig, xmlNodePtr el, const xmlChar *uri, int enveloped,
			 eseal_seal_report *s)
{
	xmlNodePtr other = same_name_outside(xmlDocGetRootElement(doc), el);

	if (enveloped && !is_inside(sig, el)) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "Reference %s signs element <%s> (line %ld), which is not the document root, with the "
			     "enveloped-signature transform, yet the signature is not inside it: the signed element was "
			     "moved (signature wrapping?)",
			     (const char *)uri, (const char *)el->name, xmlGetLineNo(el));
		return -1;
	}
	if (other != NULL) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "Reference %s signs element <%s> (line %ld), which is not the document root, and another "
			     "<%s> (line %ld%s) that it does not cover stands in the document: a reader may take that one "
			     "for the signed element (signature wrapping?)",
			     (const char *)uri, (const char *)el->name, xmlGetLineNo(el), (const char *)other->name,
			     xmlGetLineNo(other), other == xmlDocGetRootElement(doc) ? ", the root" : "");
		return -1;
	}
	return 0;
}

/* "/Invoice/Body": the element's place by local names, for the report. */
static void element_path(xmlNodePtr el, char *out, size_t len)
{
	char tail[256];

	out[0] = '\0';
	for (; el != NULL && el->type == XML_ELEMENT_NODE; el = el->parent) {
		snprintf(tail, sizeof(tail), "%s", out);
		if ((size_t)snprintf(out, len, "/%s%s", (const char *)el->name, tail) >= len) {
			snprintf(out, len, ".../%s", (const char *)el->name);
			return;
		}
	}
}

/* The ds:Object that is el or holds it, or NULL. */
static xmlNodePtr object_of(xmlNodePtr el, xmlNodePtr sig)
{
	for (; el != NULL && el != sig; el = el->parent)
		if (el->parent == sig && es_xv_is_el(el, NS_DS, "Object"))
			return el;
	return NULL;
}

/* "ds:Object Id "x"" or "<Invoice> in ds:Object Id "x"", appended to out. */
static size_t name_object_content(xmlNodePtr el, xmlNodePtr sig, char *out, size_t len)
{
	xmlNodePtr obj = object_of(el, sig);
	xmlChar *id = obj != NULL ? xmlGetProp(obj, BAD_CAST "Id") : NULL;
	int n;

	if (el == obj)
		n = snprintf(out, len, "ds:Object Id \"%s\"", id != NULL ? (const char *)id : "");
	else
		n = snprintf(out, len, "<%s> (line %ld) in ds:Object Id \"%s\"", (const char *)el->name,
			     xmlGetLineNo(el), id != NULL ? (const char *)id : "");
	xmlFree(id);
	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

/* The base64 transform reads only the text of its node set: an element inside the decoded content would stand
 * there unsigned (or change the decoding in ways a reader does not see), so the content must be text only. */
static int check_base64_target(xmlNodePtr el, xmlNodePtr sig, const xmlChar *uri, eseal_seal_report *s)
{
	xmlNodePtr ch;

	if (object_of(el, sig) == NULL) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "Reference %s: the base64 transform is accepted only on the content of a ds:Object of the "
			     "signature (it reads only the text of what it is given)",
			     (const char *)uri);
		return -1;
	}
	for (ch = el->children; ch != NULL; ch = ch->next)
		if (ch->type == XML_ELEMENT_NODE) {
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
				     "Reference %s decodes base64 text, but element <%s> (line %ld) stands in it, which the "
				     "transform does not sign",
				     (const char *)uri, (const char *)ch->name, xmlGetLineNo(ch));
			return -1;
		}
	return 0;
}

/* A ds:Manifest Reference this verifier can check: one element of the signature's ds:Objects by Id, through
 * canonicalisation and base64 (of text only) transforms. NULL, or why not. */
static const char *manifest_ref_unchecked(xmlDocPtr doc, xmlNodePtr sig, xmlNodePtr ref)
{
	xmlChar *uri = xmlGetProp(ref, BAD_CAST "URI");
	xmlNodePtr el = NULL, t, ch;
	const char *why = NULL;
	int form = es_xv_uri_target(doc, uri, &el), b64 = 0;

	if (form == ES_XV_URI_AMBIGUOUS)
		why = "its Id is used by two elements";
	else if ((form != ES_XV_URI_ELEMENT && form != ES_XV_URI_ELEMENT_COMMENTS) || el == NULL ||
		 object_of(el, sig) == NULL)
		why = "it names nothing inside the signature's ds:Objects";
	for (t = es_xv_child(es_xv_child(ref, NS_DS, "Transforms"), NS_DS, "Transform"); t != NULL && why == NULL;
	     t = t->next) {
		xmlChar *alg = es_xv_is_el(t, NS_DS, "Transform") ? xmlGetProp(t, BAD_CAST "Algorithm") : NULL;

		if (alg != NULL && xmlStrEqual(alg, BAD_CAST DS_BASE64))
			b64 = 1;
		else if (alg != NULL && strstr((const char *)alg, "c14n") == NULL)
			why = "a transform other than canonicalisation or base64";
		xmlFree(alg);
	}
	for (ch = el != NULL && b64 && why == NULL ? el->children : NULL; ch != NULL; ch = ch->next)
		if (ch->type == XML_ELEMENT_NODE)
			why = "its base64 content holds elements";
	xmlFree(uri);
	return why;
}

/* The elements a ds:Manifest's checkable References name inside this signature count as signed for the
 * unsigned-area check (their digests are checked after the signature verifies: check_manifests); what the others
 * name stays unsigned. */
static void note_manifest_targets(xmlDocPtr doc, xmlNodePtr sig, xmlNodePtr manifest, es_xv_cover *cover)
{
	xmlNodePtr ref, el;
	xmlChar *uri;
	int form;

	for (ref = manifest->children; ref != NULL; ref = ref->next) {
		if (!es_xv_is_el(ref, NS_DS, "Reference"))
			continue;
		uri = xmlGetProp(ref, BAD_CAST "URI");
		form = es_xv_uri_target(doc, uri, &el);
		if ((form == ES_XV_URI_ELEMENT || form == ES_XV_URI_ELEMENT_COMMENTS) && el != NULL &&
		    manifest_ref_unchecked(doc, sig, ref) == NULL && cover->n_inside < ES_XV_MAX_COVERED)
			cover->inside[cover->n_inside++] = el;
		xmlFree(uri);
	}
}

/* A detached data file digested here, beside xmlsec, which stops at the first Reference that fails: a delivery
 * folder's recipient is told every file that changed, not the first. 1 when the file's digest is not the
 * Reference's (named in s as HASH_FAILURE); 0 when it matches or the algorithm is left to xmlsec alone. */
static int detached_changed(xmlNodePtr ref, int fd, const char *path, eseal_seal_report *s)
{
	xmlNodePtr dm = es_xv_child(ref, NS_DS, "DigestMethod"), dv = es_xv_child(ref, NS_DS, "DigestValue");
	xmlChar *alg = dm != NULL ? xmlGetProp(dm, BAD_CAST "Algorithm") : NULL, *val = NULL;
	const EVP_MD *md = NULL;
	unsigned char buf[65536], got[EVP_MAX_MD_SIZE], want[EVP_MAX_MD_SIZE + 3];
	unsigned int got_len = 0;
	EVP_MD_CTX *ctx = NULL;
	ssize_t n;
	int want_len, changed = 0;
	size_t vlen, k, j;

	if (alg != NULL && xmlStrEqual(alg, BAD_CAST "http://www.w3.org/2001/04/xmlenc#sha256"))
		md = EVP_sha256();
	else if (alg != NULL && xmlStrEqual(alg, BAD_CAST "http://www.w3.org/2001/04/xmldsig-more#sha384"))
		md = EVP_sha384();
	else if (alg != NULL && xmlStrEqual(alg, BAD_CAST "http://www.w3.org/2001/04/xmlenc#sha512"))
		md = EVP_sha512();
	val = dv != NULL ? xmlNodeGetContent(dv) : NULL;
	if (md == NULL || val == NULL || (ctx = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(ctx, md, NULL) != 1)
		goto cleanup;
	/* base64 with the white space XML allows inside DigestValue taken out */
	vlen = strlen((const char *)val);
	for (k = 0, j = 0; k < vlen; k++)
		if (val[k] != ' ' && val[k] != '\n' && val[k] != '\r' && val[k] != '\t')
			val[j++] = val[k];
	val[j] = '\0';
	if (j == 0 || j % 4 != 0 || j / 4 * 3 > sizeof(want))
		goto cleanup;
	want_len = EVP_DecodeBlock(want, val, (int)j);
	if (want_len < 0)
		goto cleanup;
	want_len -= (j >= 1 && val[j - 1] == '=') + (j >= 2 && val[j - 2] == '=');
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
			goto cleanup;
	if (n < 0 || EVP_DigestFinal_ex(ctx, got, &got_len) != 1)
		goto cleanup;
	if ((unsigned int)want_len != got_len || CRYPTO_memcmp(want, got, got_len) != 0) {
		changed = 1;
		xmlChar *uri = xmlGetProp(ref, BAD_CAST "URI");
		/* A name holding '%' is shown with its URI too: which file was meant is then unambiguous. */
		int escaped = uri != NULL && strchr(path, '%') != NULL;

		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_HASH_FAILURE,
			     "file %s%s%s%s changed after sealing (its digest differs from the seal's)", path,
			     escaped ? " (Reference URI=\"" : "", escaped ? (const char *)uri : "", escaped ? "\")" : "");
		xmlFree(uri);
	}
cleanup:
	EVP_MD_CTX_free(ctx);
	xmlFree(val);
	xmlFree(alg);
	return changed;
}

/* A signature of an ASiC container's META-INF/signatures*.xml (EN 319 162-1 A.5): a child of the root
 * asic:XAdESSignatures, which holds nothing but signatures; its data files are the container's. */
static int asic_signature(xmlDocPtr doc, xmlNodePtr sig)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);

	return root != NULL && sig->parent == root && es_xv_is_el(root, NS_ASIC, "XAdESSignatures");
}

/* Coverage: a Reference names the whole document (URI="" enveloped), the root by Id, a part of the signature (its
 * SignedProperties, an Object, a Manifest) or an element of the document by Id (then the seal covers that part
 * only, and says so: cover->partial). Detached data files
 * (plain relative URIs, read below dirfd) are "the document" only of a detached signature file, whose root is the
 * ds:Signature: pasted into an invoice, a genuine detached signature would otherwise lend its verdict to content
 * it never signed. */
static int check_references(xmlDocPtr doc, xmlNodePtr sig, xmlNodePtr signed_props, int dirfd, eseal_seal_report *s,
			    int *sp_referenced, es_xv_cover *cover)
{
	xmlNodePtr si = es_xv_child(sig, NS_DS, "SignedInfo"), ref, tr, t;
	int covers = 0, detached = 0, unsafe = 0, bad_transform = 0, wrapped = 0, all_sigs, comments, form, enveloped;
	int base64, partial_env[ES_XV_MAX_COVERED];
	xmlNodePtr partial_ref[ES_XV_MAX_COVERED];
	size_t i;
	char *path = NULL, how[128];
	xmlNodePtr el;

	*sp_referenced = 0;
	memset(cover, 0, sizeof(*cover));
	for (ref = si != NULL ? si->children : NULL; ref != NULL; ref = ref->next) {
		xmlChar *uri, *type;

		if (!es_xv_is_el(ref, NS_DS, "Reference"))
			continue;
		uri = xmlGetProp(ref, BAD_CAST "URI");
		type = xmlGetProp(ref, BAD_CAST "Type");
		tr = es_xv_child(ref, NS_DS, "Transforms");
		/* Any transform other than canonicalisation and those taking signatures out (the enveloped-signature
		 * one and its XPath spellings; UBL's exclusion of its signature container, on the whole-document
		 * Reference only: on a Reference to an element inside the container it would digest nothing) could
		 * leave chosen content out of what is digested. */
		all_sigs = 0;
		enveloped = 0;
		base64 = 0;
		comments = 0;
		how[0] = '\0';
		for (t = tr != NULL ? tr->children : NULL; t != NULL; t = t->next) {
			xmlChar *alg = es_xv_is_el(t, NS_DS, "Transform") ? xmlGetProp(t, BAD_CAST "Algorithm") : NULL;
			int ubl = alg != NULL && uri != NULL && uri[0] == '\0' &&
				  xmlStrEqual(alg, BAD_CAST XPATH_TRANSFORM) && is_ubl_xpath(t);
			char t_how[128] = "";
			int b64 = alg != NULL && xmlStrEqual(alg, BAD_CAST DS_BASE64);
			int kind = alg != NULL && !ubl && !b64 ? es_xv_transform_kind(t, sig, t_how, sizeof(t_how)) :
								 ES_XV_T_C14N;

			if (ubl)
				cover->ubl = 1;
			if (kind == ES_XV_T_ALL_SIGNATURES)
				all_sigs = 1;
			if (kind == ES_XV_T_ENVELOPED)
				enveloped = 1;
			/* Decoding base64 text: only on a ds:Object's text (checked once the target is known). */
			if (b64)
				base64 = 1;
			if (t_how[0] != '\0')
				snprintf(how, sizeof(how), "%s", t_how);
			if (kind == ES_XV_T_C14N && alg != NULL)
				comments = strstr((const char *)alg, "WithComments") != NULL;
			if (kind == ES_XV_T_OTHER) {
				es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
					     "Reference %s uses transform %s that can leave content unsigned",
					     uri != NULL ? (const char *)uri : "(no URI)", (const char *)alg);
				bad_transform = 1;
			}
			xmlFree(alg);
		}
		if (all_sigs)
			cover->all_signatures = 1;
		form = es_xv_uri_target(doc, uri, &el);
		if (base64 && (form != ES_XV_URI_ELEMENT || el == NULL)) {
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
				     "Reference %s uses transform %s that can leave content unsigned",
				     uri != NULL ? (const char *)uri : "(no URI)", DS_BASE64);
			bad_transform = 1;
		} else if (form == ES_XV_URI_WHOLE || form == ES_XV_URI_WHOLE_COMMENTS ||
		    ((form == ES_XV_URI_ELEMENT || form == ES_XV_URI_ELEMENT_COMMENTS) &&
		     el == xmlDocGetRootElement(doc))) {
			covers = 1;
			describe_whole(cover->scope, sizeof(cover->scope), uri, form, comments, all_sigs, how);
		} else if (form == ES_XV_URI_ELEMENT || form == ES_XV_URI_ELEMENT_COMMENTS) {
			if (el == NULL) {
				es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_SIGNED_DATA_NOT_FOUND,
					     "Reference %s names no element", (const char *)uri);
			} else if (is_inside(el, sig)) {
				/* SignedProperties, KeyInfo, an Object: part of the signature itself, harmless to sign. */
				if (cover->n_inside < ES_XV_MAX_COVERED)
					cover->inside[cover->n_inside++] = el;
				if (base64 && check_base64_target(el, sig, uri, s) != 0)
					bad_transform = 1;
				if (es_xv_is_el(el, NS_DS, "Manifest") && object_of(el, sig) != NULL) {
					if (cover->n_manifests < ES_XV_MAX_COVERED)
						cover->manifests[cover->n_manifests++] = el;
					note_manifest_targets(doc, sig, el, cover);
					if (type == NULL || !xmlStrEqual(type, BAD_CAST DS_MANIFEST_TYPE))
						es_seal_warn(s, "ds:Manifest referenced without Type=\"%s\"",
							     DS_MANIFEST_TYPE);
				} else if (object_of(el, sig) != NULL && el != signed_props &&
					   !is_inside(el, signed_props) && cover->n_objects < ES_XV_MAX_COVERED) {
					cover->object_b64[cover->n_objects] = base64;
					cover->objects[cover->n_objects++] = el;
				}
				if (el == signed_props && (type == NULL || !xmlStrEqual(type, BAD_CAST XADES_SP_TYPE)))
					es_seal_warn(s, "SignedProperties referenced without Type=\"%s\"", XADES_SP_TYPE);
				if (el == signed_props)
					*sp_referenced = 1;
			} else if (cover->n_partial < ES_XV_MAX_COVERED) {
				/* Judged once it is known whether another Reference covers the whole document. */
				partial_ref[cover->n_partial] = ref;
				partial_env[cover->n_partial] = enveloped;
				cover->partial[cover->n_partial++] = el;
			} else {
				unsafe++;
				es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_SIGNED_DATA_NOT_FOUND,
					     "more than %d References name elements of the document", ES_XV_MAX_COVERED);
			}
		} else if (form == ES_XV_URI_AMBIGUOUS) {
			/* Not handed to xmlsec: it would pick one of the two. */
			const char *id = (const char *)uri + 1;
			int id_len = (int)strlen(id);

			if (strncmp(id, "xpointer(id(", 12) == 0) {
				id += 13;
				id_len = (int)strcspn(id, "'\"");
			}
			wrapped = 1;
			unsafe++;
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
				     "Reference %s: Id \"%.*s\" is used by two elements: the Reference could resolve to a "
				     "copy of the data (signature wrapping)",
				     (const char *)uri, id_len, id);
		} else if (form == ES_XV_URI_EMPTY_FRAGMENT) {
			unsafe++;
			es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_SIGNED_DATA_NOT_FOUND,
				     "Reference URI=\"#\": an empty fragment names nothing in XML-DSig (URI=\"\" is the whole "
				     "document, \"#id\" one element; xmlsec reads \"#\" as xpointer(id('')) and fails): what "
				     "it signs is unknown");
		} else if (uri != NULL && uri[0] == '#') {
			/* Any other XPointer is an expression xmlsec would evaluate: not dereferenced. */
			unsafe++;
			es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_SIGNED_DATA_NOT_FOUND,
				     "Reference %s: an XPointer form that is not verified (only #id, #xpointer(/) and "
				     "#xpointer(id('id')))",
				     (const char *)uri);
		} else if (dirfd >= 0 && uri != NULL && tr == NULL &&
			   (path = es_xv_detached_path((const char *)uri)) != NULL) {
			/* Opened as xmlsec's reader will open it (xml_verify_io.c), not merely looked up. */
			const char *why = NULL;
			int fd = es_xv_open_beneath(dirfd, path, &why);

			if (fd >= 0) {
				if (detached_changed(ref, fd, path, s))
					cover->detached_changed = 1;
				close(fd);
				detached = 1; /* the whole data file, no transform */
				es_seal_add_file(s, path);
			} else {
				unsafe++;
				es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_SIGNED_DATA_NOT_FOUND,
					     "detached data file %s not read: %s (only regular files below the data directory: "
					     "the signature file's, the one given or the container's; reached without symbolic links)",
					     (const char *)uri, why);
			}
			free(path);
			path = NULL;
		} else {
			unsafe++;
			es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_SIGNED_DATA_NOT_FOUND,
				     "Reference to external data %s cannot be verified (only transform-free relative "
				     "file names beside the signature file are read)",
				     uri != NULL ? (const char *)uri : "(no URI)");
		}
		xmlFree(uri);
		xmlFree(type);
	}
	if (detached && (sig == xmlDocGetRootElement(doc) || asic_signature(doc, sig)))
		covers = 1;
	/* An enveloping signature is the document: what it signs is in its ds:Objects (the rest is its own parts,
	 * held to the unsigned-area rules). */
	if ((cover->n_objects > 0 || cover->n_manifests > 0) && sig == xmlDocGetRootElement(doc))
		covers = 1;
	/* A Reference whose data could not be read (or might be filtered) leaves the coverage unproven. */
	if (bad_transform || unsafe || wrapped)
		covers = 0;
	s->covers_whole_document = covers;
	/* Elements of the document named by Id: the seal covers those only, and the report says so. */
	if (covers)
		cover->n_partial = 0;
	for (i = 0; i < cover->n_partial; i++) {
		xmlChar *uri = xmlGetProp(partial_ref[i], BAD_CAST "URI");

		if (check_partial(doc, sig, cover->partial[i], uri, partial_env[i], s) != 0)
			wrapped = 1;
		xmlFree(uri);
	}
	if (wrapped) {
		s->covers_whole_document = 0;
		cover->n_partial = 0;
		return unsafe;
	}
	if (!covers && cover->n_partial > 0)
		return unsafe;
	if (!covers && !unsafe && !bad_transform && detached)
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "the document's own content is not sealed: the signature's References name only files "
			     "beside it, and it is not a detached signature file (a detached signature pasted into "
			     "another document?)");
	else if (!covers && !unsafe && !bad_transform)
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "no Reference covers the whole document: what a reader sees is not what was sealed");
	return unsafe;
}

/* The xades:DataObjectFormat naming ref_id (ObjectReference="#ref_id") with a non-empty MimeType, or NULL. */
static xmlNodePtr data_object_format(xmlNodePtr sdop, const xmlChar *ref_id)
{
	xmlNodePtr dof;

	for (dof = es_xv_child(sdop, NS_XADES, "DataObjectFormat"); dof != NULL; dof = dof->next) {
		xmlChar *target = es_xv_is_el(dof, NS_XADES, "DataObjectFormat") ?
					  xmlGetProp(dof, BAD_CAST "ObjectReference") :
					  NULL;
		xmlNodePtr mime = es_xv_child(dof, NS_XADES, "MimeType");
		xmlChar *type = mime != NULL ? xmlNodeGetContent(mime) : NULL;
		int match = target != NULL && target[0] == '#' && xmlStrEqual(target + 1, ref_id) && type != NULL &&
			    type[0] != '\0';

		xmlFree(target);
		xmlFree(type);
		if (match)
			return dof;
	}
	return NULL;
}

/* EN 319 132-1 baseline (B-B and up): every signed data object has a xades:DataObjectFormat with its MimeType, tied
 * to its Reference by ObjectReference="#<Reference Id>". The exceptions are the signature's own parts: the
 * SignedProperties and a signed KeyInfo. */
static void check_data_object_formats(xmlDocPtr doc, xmlNodePtr sig, xmlNodePtr sp, eseal_seal_report *s)
{
	xmlNodePtr sdop = es_xv_child(sp, NS_XADES, "SignedDataObjectProperties");
	xmlNodePtr keyinfo = es_xv_child(sig, NS_DS, "KeyInfo"), ref;

	for (ref = es_xv_child(es_xv_child(sig, NS_DS, "SignedInfo"), NS_DS, "Reference"); ref != NULL; ref = ref->next) {
		xmlChar *uri, *id;
		xmlNodePtr el = NULL;

		if (!es_xv_is_el(ref, NS_DS, "Reference"))
			continue;
		uri = xmlGetProp(ref, BAD_CAST "URI");
		id = xmlGetProp(ref, BAD_CAST "Id");
		if (uri != NULL && uri[0] == '#') {
			xmlAttrPtr a = xmlGetID(doc, uri + 1);
			el = a != NULL ? a->parent : NULL;
		}
		if ((el == NULL || (el != sp && !(keyinfo != NULL && is_inside(el, keyinfo)))) &&
		    (id == NULL || data_object_format(sdop, id) == NULL))
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
				     "not a XAdES baseline signature: no xades:DataObjectFormat with a MimeType for the "
				     "Reference %s%s%s (EN 319 132-1 requires one for every signed data object)",
				     id != NULL ? (const char *)id : "", id != NULL ? " to " : "to ",
				     uri == NULL ? "(no URI)" : uri[0] == '\0' ? "the whole document (URI=\"\")" :
							      (const char *)uri);
		xmlFree(uri);
		xmlFree(id);
	}
}

static int detached_refs(xmlNodePtr sig)
{
	xmlNodePtr ref;
	int n = 0;

	for (ref = es_xv_child(es_xv_child(sig, NS_DS, "SignedInfo"), NS_DS, "Reference"); ref != NULL; ref = ref->next) {
		xmlChar *uri = es_xv_is_el(ref, NS_DS, "Reference") ? xmlGetProp(ref, BAD_CAST "URI") : NULL;
		n += uri != NULL && uri[0] != '\0' && uri[0] != '#';
		xmlFree(uri);
	}
	return n;
}

/* What the report says the seal covers (check_references decided whether it is the whole document). */
static const char *coverage_text(xmlDocPtr doc, xmlNodePtr sig, int covers, const es_xv_cover *cover, char *buf,
				 size_t len)
{
	int files = detached_refs(sig) > 0;

	if (!covers && cover->n_partial > 0) {
		size_t i, used;
		char path[160];
		xmlChar *id;

		used = (size_t)snprintf(buf, len, "only ");
		for (i = 0; i < cover->n_partial && used < len; i++) {
			id = xmlGetProp(cover->partial[i], BAD_CAST "Id");
			if (id == NULL)
				id = xmlGetProp(cover->partial[i], BAD_CAST "ID");
			if (id == NULL)
				id = xmlGetProp(cover->partial[i], BAD_CAST "id");
			element_path(cover->partial[i], path, sizeof(path));
			used += (size_t)snprintf(buf + used, len - used, "%selement <%s> Id \"%s\" (%s, line %ld)",
						 i == 0 ? "" : i + 1 == cover->n_partial ? " and " : ", ",
						 (const char *)cover->partial[i]->name, id != NULL ? (const char *)id : "",
						 path, xmlGetLineNo(cover->partial[i]));
			xmlFree(id);
		}
		if (used < len)
			snprintf(buf + used, len - used, " of the document%s; the rest of it is not covered by this seal",
				 files ? " and the detached data files named by its References" : "");
		return buf;
	}
	if (!covers)
		return files ? "only files named by its References, nothing of this document" : "part of the document";
	if (cover->n_objects > 0 && sig == xmlDocGetRootElement(doc)) {
		size_t i, used = (size_t)snprintf(buf, len, "an enveloping signature: the content of ");

		for (i = 0; i < cover->n_objects && used + 1 < len; i++) {
			if (i > 0)
				used += (size_t)snprintf(buf + used, len - used, ", ");
			if (used + 1 < len)
				used += name_object_content(cover->objects[i], sig, buf + used, len - used);
			if (used + 1 < len && cover->object_b64[i])
				used += (size_t)snprintf(buf + used, len - used, " (base64-decoded)");
		}
		return buf;
	}
	if (cover->n_manifests > 0 && sig == xmlDocGetRootElement(doc))
		return "an enveloping signature: its ds:Manifest";
	if (!files)
		return cover->scope[0] != '\0' ? cover->scope : "the whole document";
	return sig == xmlDocGetRootElement(doc) ?
		       "the detached data files named by the References" :
		       "the whole document and the detached data files named by its References";
}

/* XML-DSig core validation leaves a ds:Manifest's References to the application; XAdES verifiers (DSS) check them
 * as signed data objects. Each one checkable is digested by xmlsec: a mismatch fails s (HASH_FAILURE), a match is
 * named in out (the coverage); one that cannot be checked is left out of the coverage with a warning. */
static void check_manifests(xmlDocPtr doc, xmlNodePtr sig, const es_xv_cover *cover, eseal_seal_report *s, char *out,
			    size_t len)
{
	xmlSecDSigCtxPtr dsig = NULL;
	xmlNodePtr ref;
	size_t i, used = 0;
	const char *why;

	out[0] = '\0';
	if (cover->n_manifests == 0)
		return;
	dsig = xmlSecDSigCtxCreate(NULL);
	if (dsig == NULL || enable_transforms(dsig) != 0) {
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_FORMAT_FAILURE, "cannot set up ds:Manifest checking");
		goto cleanup;
	}
	dsig->operation = xmlSecTransformOperationVerify;
	dsig->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
	for (i = 0; i < cover->n_manifests; i++) {
		xmlChar *mid = xmlGetProp(cover->manifests[i], BAD_CAST "Id");

		for (ref = cover->manifests[i]->children; ref != NULL; ref = ref->next) {
			xmlSecDSigReferenceCtxPtr rctx;
			xmlChar *uri;
			int rc;

			if (!es_xv_is_el(ref, NS_DS, "Reference"))
				continue;
			uri = xmlGetProp(ref, BAD_CAST "URI");
			why = manifest_ref_unchecked(doc, sig, ref);
			rctx = why == NULL ? xmlSecDSigReferenceCtxCreate(dsig, xmlSecDSigReferenceOriginManifest) : NULL;
			rc = rctx != NULL ? xmlSecDSigReferenceCtxProcessNode(rctx, ref) : -1;
			if (why == NULL && rc < 0)
				why = "it cannot be processed";
			if (why != NULL) {
				es_seal_warn(s, "ds:Manifest Id \"%s\": Reference %s not checked (%s): what it names is not "
						"covered by this seal",
					     mid != NULL ? (const char *)mid : "", uri != NULL ? (const char *)uri : "(no URI)",
					     why);
			} else if (rctx->status != xmlSecDSigStatusSucceeded) {
				s->covers_whole_document = 0;
				es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_HASH_FAILURE,
					     "ds:Manifest Id \"%s\": Reference %s digest mismatch: what it names changed "
					     "after sealing (XML-DSig core validation leaves manifests unchecked; XAdES "
					     "verifiers check them)",
					     mid != NULL ? (const char *)mid : "", uri != NULL ? (const char *)uri : "");
			} else if (used + 1 < len) {
				xmlNodePtr el = NULL;

				es_xv_uri_target(doc, uri, &el);
				if (used == 0)
					used += (size_t)snprintf(out, len, "; through ds:Manifest Id \"%s\" (digests checked): ",
								 mid != NULL ? (const char *)mid : "");
				else
					used += (size_t)snprintf(out + used, len - used, ", ");
				if (used + 1 < len && el != NULL)
					used += name_object_content(el, sig, out + used, len - used);
			}
			if (rctx != NULL)
				xmlSecDSigReferenceCtxDestroy(rctx);
			xmlFree(uri);
			if (used >= len)
				used = len - 1;
		}
		xmlFree(mid);
	}
cleanup:
	if (dsig != NULL)
		xmlSecDSigCtxDestroy(dsig);
}

/* *tsa_chain: the chain of the token that proved the time (freed by the caller), for the B-LT check. */
static void verify_signature_tst(const eseal_verifier *v, xmlDocPtr doc, xmlNodePtr sig, xmlNodePtr qp,
				 const es_evidence *ev, eseal_seal_report *s, int *has_tst, STACK_OF(X509) * *proof_chain)
{
	xmlNodePtr st = qp != NULL ? es_xv_find(qp, NS_XADES, "SignatureTimeStamp") : NULL;
	xmlNodePtr sv = es_xv_child(sig, NS_DS, "SignatureValue"), cm, et;
	xmlChar *alg = NULL, *b64 = NULL, *c14n = NULL;
	unsigned char *token = NULL;
	STACK_OF(X509) *tsa_chain = NULL;
	size_t token_len = 0;
	char why[512];
	time_t gen = 0;
	int n, rc;

	*has_tst = 0;
	if (st == NULL)
		return;
	cm = es_xv_child(st, NS_DS, "CanonicalizationMethod");
	et = es_xv_child(st, NS_XADES, "EncapsulatedTimeStamp");
	alg = cm != NULL ? xmlGetProp(cm, BAD_CAST "Algorithm") : NULL;
	b64 = et != NULL ? xmlNodeGetContent(et) : NULL;
	token = es_xv_b64_decode(b64, &token_len);
	if (sv == NULL || token == NULL || (n = es_xv_c14n_subtree(doc, sv, alg, &c14n)) < 0) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "malformed xades:SignatureTimeStamp");
		goto cleanup;
	}
	rc = es_tst_verify(v, token, token_len, c14n, (size_t)n, ev, &gen, &tsa_chain, why, sizeof(why));
	if (rc == 1) {
		/* A token whose TSA was revoked before its genTime proves nothing: the seal then has no proven time. */
		if (es_tst_check_revocation(v, token, token_len, tsa_chain, ev, gen, "signature time-stamp", s)) {
			s->timestamp_time = gen;
			*has_tst = 1;
			*proof_chain = tsa_chain;
			tsa_chain = NULL;
		}
	} else if (rc == 0) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_HASH_FAILURE,
			     "signature time-stamp invalid: %s (a time-stamp over a different signature?)", why);
	} else {
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND, "signature time-stamp: %s",
			     why);
	}
cleanup:
	sk_X509_pop_free(tsa_chain, X509_free);
	xmlFree(alg);
	xmlFree(b64);
	xmlFree(c14n);
	free(token);
}

/* Every Reference of SignedInfo matched its digest (whatever xmlsec said of the SignatureValue). */
static int references_verified(xmlSecDSigCtxPtr dsig)
{
	xmlSecSize i, n = xmlSecPtrListGetSize(&dsig->signedInfoReferences);

	for (i = 0; i < n; i++) {
		xmlSecDSigReferenceCtxPtr rc = xmlSecPtrListGetItem(&dsig->signedInfoReferences, i);

		if (rc == NULL || rc->status != xmlSecDSigStatusSucceeded)
			return 0;
	}
	return n > 0;
}

/* split: why the document's text reads differently from what is sealed (es_xml_split_text), or NULL. */
static void verify_one(const eseal_verifier *v, xmlDocPtr doc, xmlNodePtr sig, int dirfd, const char *split,
		       eseal_report *r)
{
	eseal_seal_report *s = es_report_add_seal(r, "XAdES", "signature");
	STACK_OF(X509) *certs = sk_X509_new_null(), *tst_chain = NULL, *more = NULL;
	es_evidence *ev = es_evidence_new();
	xmlNodePtr qp = NULL, sp = NULL, obj, keyinfo = es_xv_child(sig, NS_DS, "KeyInfo");
	xmlSecDSigCtxPtr dsig = NULL;
	xmlSecKeyDataPtr kd = NULL;
	xmlSecKeyPtr key = NULL;
	xmlChar *id = NULL, *sptext = NULL;
	EVP_PKEY *pk = NULL;
	X509 *signer;
	xmlSecSize i;
	es_xv_cover cover;
	char cov[1024], pss_what[160], manifest_cov[512];
	xmlNodePtr method = NULL;
	xmlChar *pss_alg = NULL;
	int pss = 0, pss_valid = 0;
	int bound = 0, sp_ref = 0, has_tst = 0, unsafe, k;

	if (s == NULL || certs == NULL || ev == NULL)
		goto cleanup;
	id = xmlGetProp(sig, BAD_CAST "Id");
	s->id = id != NULL ? strdup((const char *)id) : NULL;
	for (obj = sig->children; obj != NULL && qp == NULL; obj = obj->next)
		if (es_xv_is_el(obj, NS_DS, "Object"))
			qp = es_xv_child(obj, NS_XADES, "QualifyingProperties");
	sp = qp != NULL ? es_xv_child(qp, NS_XADES, "SignedProperties") : NULL;
	if (qp != NULL) {
		xmlChar *target = xmlGetProp(qp, BAD_CAST "Target");

		if (target == NULL || id == NULL || target[0] != '#' || !xmlStrEqual(target + 1, id))
			es_seal_warn(s, "xades:QualifyingProperties Target does not name this signature");
		xmlFree(target);
	}
	if (qp == NULL)
		s->format = "XAdES"; /* plain XML-DSig still reported under the XML signature format */
	/* Coverage first, before anything is trusted: a Reference that may not be dereferenced never reaches xmlsec,
	 * and what the References leave out must hold nothing a reader could take for the document's content (this
	 * holds for a signature that does not verify too: its content is no less visible). */
	unsafe = check_references(doc, sig, sp, dirfd, s, &sp_ref, &cover);
	if (es_xv_check_unsigned(sig, &cover, s) != 0)
		s->covers_whole_document = 0;
	if (split != NULL) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "%s", split);
		s->covers_whole_document = 0;
	}
	if (unsafe > 0)
		goto cleanup;

	es_xv_collect_certs(keyinfo, certs);
	es_xv_collect_certs(qp, ev->certs); /* CertificateValues */
	es_xv_collect_revocation(qp, ev);
	for (k = 0; k < sk_X509_num(certs); k++)
		if (X509_up_ref(sk_X509_value(certs, k)) && !sk_X509_push(ev->certs, sk_X509_value(certs, k)))
			X509_free(sk_X509_value(certs, k));
	/* Some producers carry the signing certificate only in CertificateValues (KeyInfo empty or a bare KeyValue):
	 * the signed SigningCertificate(V2) digest then finds it there or among the trust anchors. */
	more = sk_X509_dup(ev->certs);
	for (k = 0; more != NULL && v->anchors != NULL && k < sk_X509_num(v->anchors); k++)
		sk_X509_push(more, sk_X509_value(v->anchors, k));
	signer = es_xv_pick_signer_among(certs, more, sp, s, &bound);
	if (signer == NULL) {
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_NO_SIGNING_CERTIFICATE_FOUND,
			     "no signing certificate in ds:KeyInfo (nor named by a xades:SigningCertificateV2)");
		goto cleanup;
	}
	es_cert_profile(signer, s);

	/* Integrity through xmlsec, with the certificate's key and nothing fetched from outside the document. */
	dsig = xmlSecDSigCtxCreate(NULL);
	pk = X509_get_pubkey(signer);
	/* RSA-PSS, which xmlsec 1.2 lacks: the SignatureValue is checked here over the canonical SignedInfo, then
	 * xmlsec checks the References under a method it knows (its own SignatureValue verdict is not used). */
	if (pk != NULL && (pss = es_xv_pss_verify(doc, sig, pk, &pss_valid, pss_what, sizeof(pss_what))) < 0) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "%s", pss_what);
		EVP_PKEY_free(pk);
		goto cleanup;
	}
	if (pss > 0) {
		method = es_xv_child(es_xv_child(sig, NS_DS, "SignedInfo"), NS_DS, "SignatureMethod");
		pss_alg = xmlGetProp(method, BAD_CAST "Algorithm");
		xmlSetProp(method, BAD_CAST "Algorithm", BAD_CAST "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
	}
	if (dsig == NULL || pk == NULL || enable_transforms(dsig) != 0 || (kd = xmlSecOpenSSLEvpKeyAdopt(pk)) == NULL) {
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_FORMAT_FAILURE,
			     "cannot set up XML signature verification");
		EVP_PKEY_free(pk);
		goto cleanup;
	}
	pk = NULL;
	key = xmlSecKeyCreate();
	if (key == NULL || xmlSecKeySetValue(key, kd) < 0) {
		xmlSecKeyDataDestroy(kd);
		goto cleanup;
	}
	dsig->signKey = key;
	key = NULL;
	dsig->enabledReferenceUris = xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument;
	/* xmlsec classifies a relative file name as "remote"; check_references let through only plain relative names,
	 * which our input callback (first in xmlsec's list) serves from the signature's directory. */
	if (dirfd >= 0)
		dsig->enabledReferenceUris |= xmlSecTransformUriTypeLocal | xmlSecTransformUriTypeRemote;
	dsig->flags |= XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
	es_xv_io_use_dir(dirfd);
	k = xmlSecDSigCtxVerify(dsig, sig);
	es_xv_io_use_dir(-1);
	if (pss_alg != NULL) {
		xmlSetProp(method, BAD_CAST "Algorithm", pss_alg);
		xmlFree(pss_alg);
		pss_alg = NULL;
	}
	if (k < 0) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "the signature cannot be processed (unsupported algorithm or transform, or a Reference "
			     "that does not resolve inside the document)");
		goto cleanup;
	}
	if (pss > 0 ? !(pss_valid && references_verified(dsig)) : dsig->status != xmlSecDSigStatusSucceeded) {
		int ref_failed = 0;

		for (i = 0; i < xmlSecPtrListGetSize(&dsig->signedInfoReferences); i++) {
			xmlSecDSigReferenceCtxPtr rc = xmlSecPtrListGetItem(&dsig->signedInfoReferences, i);
			if (rc != NULL && rc->status != xmlSecDSigStatusSucceeded) {
				ref_failed = 1;
				/* detached data files: each changed one is named already (detached_changed) */
				if (cover.detached_changed && rc->uri != NULL && rc->uri[0] != '#' && rc->uri[0] != '\0')
					continue;
				es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_HASH_FAILURE,
					     "Reference URI=\"%s\" digest mismatch: the %s changed after sealing",
					     rc->uri != NULL ? (const char *)rc->uri : "",
					     rc->type != NULL && xmlStrEqual(rc->type, BAD_CAST XADES_SP_TYPE) ?
						     "signed properties" :
						     "document");
			}
		}
		if (!ref_failed)
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_SIG_CRYPTO_FAILURE,
				     "SignatureValue does not verify with the signing certificate's key%s%s%s",
				     pss > 0 ? " (" : "", pss > 0 ? pss_what : "", pss > 0 ? ")" : "");
		goto cleanup;
	}
	s->coverage = strdup(coverage_text(doc, sig, s->covers_whole_document, &cover, cov, sizeof(cov)));
	/* A Manifest entry whose digest fails is not named, and the seal fails. */
	check_manifests(doc, sig, &cover, s, manifest_cov, sizeof(manifest_cov));
	if (s->coverage != NULL && manifest_cov[0] != '\0') {
		char *both = NULL;

		if (asprintf(&both, "%s%s", s->coverage, manifest_cov) > 0) {
			free(s->coverage);
			s->coverage = both;
		}
	}
	if (sp != NULL) {
		xmlNodePtr stime = es_xv_find(sp, NS_XADES, "SigningTime");
		sptext = stime != NULL ? xmlNodeGetContent(stime) : NULL;
		s->signing_time = es_xv_xs_datetime(sptext);
		if (!sp_ref)
			es_seal_warn(s, "xades:SignedProperties is not signed (no Reference to it)");
		else
			check_data_object_formats(doc, sig, sp, s);
	} else {
		es_seal_warn(s, "no xades:QualifyingProperties: an XML-DSig signature, not XAdES");
	}
	if (s->indication == ESEAL_TOTAL_FAILED)
		goto cleanup;
	verify_signature_tst(v, doc, sig, qp, ev, s, &has_tst, &tst_chain);
	es_validate_signing_cert(v, signer, ev->certs, ev, has_tst ? s->timestamp_time : 0, s);
	if (sp != NULL && sp_ref && bound)
		es_seal_set_str(&s->level, !has_tst ? "B-B" :
					   es_xv_long_term_level(v, sig, qp, signer, tst_chain, s->timestamp_time, ev,
								 dirfd, s));
	else if (sp != NULL && sp_ref)
		es_seal_warn(s, "no xades:SigningCertificateV2: not a XAdES baseline signature");
cleanup:
	if (pss_alg != NULL) {
		xmlSetProp(method, BAD_CAST "Algorithm", pss_alg);
		xmlFree(pss_alg);
	}
	if (dsig != NULL)
		xmlSecDSigCtxDestroy(dsig);
	if (key != NULL)
		xmlSecKeyDestroy(key);
	xmlFree(id);
	xmlFree(sptext);
	sk_X509_pop_free(certs, X509_free);
	sk_X509_pop_free(tst_chain, X509_free);
	sk_X509_free(more); /* borrowed from ev and the verifier */
	es_evidence_free(ev);
	ERR_clear_error();
}

static void silence(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int esx_verify(const eseal_verifier *v, const unsigned char *buf, size_t len, const char *base_dir, eseal_report *r)
{
	int dirfd = -1;

	xmlDocPtr doc = NULL;
	xmlNodePtr sigs[ES_XML_MAX_SIGS];
	size_t n = 0, i, seen = 0;
	char dup[128], why[512];
	const char *split;
	int rc = ESEAL_OK;

	xmlSetGenericErrorFunc(NULL, silence);
	xmlSecErrorsDefaultCallbackEnableOutput(0);
	/* The policy the sealer applies too (xml_read.h): what is refused here, it refused before sealing. */
	rc = es_xml_read(buf, len, -1, NULL, &doc, NULL, why, sizeof(why));
	if (rc != ESEAL_OK) {
		es_report_file_error(r, "%s", why);
		goto cleanup;
	}
	/* Two elements sharing an Id are harmless until a Reference names that Id (check_references). */
	dup[0] = '\0';
	if (es_xv_register_ids(doc, xmlDocGetRootElement(doc), dup, sizeof(dup), &seen) < 0) {
		es_report_file_error(r, "XML document too large");
		rc = ESEAL_E_INPUT;
		goto cleanup;
	}
	es_xv_collect_sigs(xmlDocGetRootElement(doc), sigs, &n);
	if (n == 0) {
		es_report_file_error(r, "no ds:Signature found");
		goto cleanup;
	}
	if (base_dir != NULL)
		dirfd = open(base_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	split = es_xml_split_text(xmlDocGetRootElement(doc), why, sizeof(why)) != NULL ? why : NULL;
	for (i = 0; i < n; i++)
		verify_one(v, doc, sigs[i], dirfd, split, r);
cleanup:
	if (dirfd >= 0)
		close(dirfd);
	xmlFreeDoc(doc);
	return rc;
}
