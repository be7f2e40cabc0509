/* xml/xml_verify_internal.h: what the XML verifier's files share: namespaces, the DOM and evidence readers
 * (xml_verify_dom.c) and the detached-data input callbacks (xml_verify_io.c). */
#ifndef ES_XML_VERIFY_INTERNAL_H
#define ES_XML_VERIFY_INTERNAL_H

#include "xml_read.h"
#include "eseal/verify.h"
#include "core/error_internal.h"
#include "pki/evidence.h"

#include <time.h>

#include <libxml/tree.h>
#include <openssl/x509.h>

#define NS_DS "http://www.w3.org/2000/09/xmldsig#"
#define NS_XADES "http://uri.etsi.org/01903/v1.3.2#"
#define XADES_SP_TYPE "http://uri.etsi.org/01903#SignedProperties"
#define DS_MANIFEST_TYPE "http://www.w3.org/2000/09/xmldsig#Manifest"
#define DS_BASE64 "http://www.w3.org/2000/09/xmldsig#base64"
#define XPATH_TRANSFORM "http://www.w3.org/TR/1999/REC-xpath-19991116"
/* The one XPath filter accepted on a document Reference: UBL 2.1's exclusion of the signature container itself
 * (UBL-SignatureComponents). Any other XPath could leave chosen content unsigned. */
#define UBL_XPATH                                                                                               \
	"count(ancestor-or-self::sig:UBLDocumentSignatures | here()/ancestor::sig:UBLDocumentSignatures[1]) > " \
	"count(ancestor-or-self::sig:UBLDocumentSignatures)"
#define NS_UBL_SIG "urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2"
#define NS_ASIC "http://uri.etsi.org/02918/v1.2.1#"

/* What a signature's References cover besides the document itself: elements inside the signature (its
 * SignedProperties, a signed KeyInfo or Object), and whether the document Reference is UBL's, whose XPath leaves the
 * signature's sig:UBLDocumentSignatures container out. */
#define ES_XV_MAX_COVERED 16
typedef struct es_xv_cover {
	xmlNodePtr inside[ES_XV_MAX_COVERED];
	size_t n_inside;
	int ubl;
	/* The document Reference takes every ds:Signature out of its node set, not only this one (XPath
	 * not(ancestor-or-self::ds:Signature)): the others are unsigned areas too and must hold only signatures. */
	int all_signatures;
	char scope[200]; /* what the document Reference digests, when not simply "the whole document" */
	/* Elements of the document outside the signature that References name by Id, when none covers the whole
	 * document: the seal covers these only. */
	xmlNodePtr partial[ES_XV_MAX_COVERED];
	size_t n_partial;
	/* An enveloping signature (the document's root): the ds:Object content its References sign (base64: read
	 * through the base64 transform), and the ds:Manifests they sign, whose own References the verifier checks
	 * (their targets are in inside[] too, so that what they name is not taken for unsigned content). */
	xmlNodePtr objects[ES_XV_MAX_COVERED];
	int object_b64[ES_XV_MAX_COVERED];
	size_t n_objects;
	xmlNodePtr manifests[ES_XV_MAX_COVERED];
	size_t n_manifests;
	int detached_changed; /* a detached data file's digest differs from its Reference's (each named in the report) */
} es_xv_cover;

/* What a same-document Reference URI names (xml_verify_refs.c): the whole document ("", or "#xpointer(/)" whose
 * node set keeps comments), one element by Id ("#id", or "#xpointer(id('id'))" keeping comments; *el = the
 * element or NULL if none has that Id), an Id two elements carry (AMBIGUOUS), the empty fragment "#", or something
 * else (another XPointer, an external URI). */
enum {
	ES_XV_URI_OTHER,
	ES_XV_URI_WHOLE,
	ES_XV_URI_WHOLE_COMMENTS,
	ES_XV_URI_ELEMENT,
	ES_XV_URI_ELEMENT_COMMENTS,
	ES_XV_URI_AMBIGUOUS,
	ES_XV_URI_EMPTY_FRAGMENT
};
int es_xv_uri_target(xmlDocPtr doc, const xmlChar *uri, xmlNodePtr *el);
/* What one ds:Transform of a Reference in sig does to its node set: canonicalisation only (or nothing); takes out
 * this signature (the enveloped-signature transform, XML-DSig's XPath here() form, an XPath Filter 2.0 subtracting
 * it); takes out every ds:Signature of the document, or others besides this one (XPath
 * not(ancestor-or-self::ds:Signature), a Filter 2.0 subtracting them); or anything else (which could leave chosen
 * content unsigned). how: for the report, how the XPath forms take signatures out ("" for the others). UBL's XPath
 * is recognised by the caller. */
enum { ES_XV_T_OTHER, ES_XV_T_C14N, ES_XV_T_ENVELOPED, ES_XV_T_ALL_SIGNATURES };
int es_xv_transform_kind(xmlNodePtr transform, xmlNodePtr sig, char *how, size_t how_len);

/* Fails s (TOTAL-FAILED / FORMAT_FAILURE, naming the first offending node) if what the References leave unsigned
 * could carry content: a UBL seal away from UBL 2.1's place or a container holding more than signatures, or anything
 * in the ds:Signature that is not one of its own parts. Returns 0 if nothing was found, -1 otherwise. */
int es_xv_check_unsigned(xmlNodePtr sig, const es_xv_cover *cover, eseal_seal_report *s);

/* RSA-PSS SignatureMethods (xml_verify_pss.c), which xmlsec 1.2 lacks: RFC 6931's sha*-rsa-MGF1 and rsa-pss with
 * pss:RSAPSSParams. 0 if sig uses none of them; 1 when checked (*valid: the SignatureValue verifies with pk over
 * the canonical SignedInfo; what: the parameters, for the report); -1 with what saying why it cannot be checked
 * (unsupported or malformed parameters). */
int es_xv_pss_verify(xmlDocPtr doc, xmlNodePtr sig, EVP_PKEY *pk, int *valid, char *what, size_t what_len);

int es_xv_is_el(const xmlNode *n, const char *ns, const char *name);
/* First child element ns:name of n, or NULL. */
xmlNodePtr es_xv_child(xmlNodePtr n, const char *ns, const char *name);
/* First descendant element ns:name of n (depth first), or NULL. */
xmlNodePtr es_xv_find(xmlNodePtr n, const char *ns, const char *name);
/* Every ds:Signature among n, its siblings and their descendants (not those inside another Signature), at most
 * ES_XML_MAX_SIGS. */
void es_xv_collect_sigs(xmlNodePtr n, xmlNodePtr *out, size_t *count);
/* Registers Id/ID/id attributes as IDs (the first element carrying each value). -1 if the document has more than
 * ES_XML_MAX_ELEMENTS elements (es_xml_read refuses such documents first); 1 if a value occurs twice (the first such
 * is copied to dup, which the caller sets to ""); 0 otherwise. */
int es_xv_register_ids(xmlDocPtr doc, xmlNodePtr n, char *dup, size_t dup_len, size_t *seen);
/* How many elements carry value in an Id/ID/id attribute: a Reference to a value carried twice could resolve to a
 * copy while the reader sees the other (XML signature wrapping). */
size_t es_xv_id_count(xmlDocPtr doc, const xmlChar *value);
unsigned char *es_xv_b64_decode(const xmlChar *in, size_t *out_len);
/* ds:X509Certificate / xades:EncapsulatedX509Certificate under n, appended to out. */
void es_xv_collect_certs(xmlNodePtr n, STACK_OF(X509) * out);
/* xades:RevocationValues under n (CRLs, OCSP responses) into the evidence. */
void es_xv_collect_revocation(xmlNodePtr n, es_evidence *ev);
/* The signing certificate among keyinfo_certs: the one whose digest SigningCertificate(V2) in sp names (*bound = 1;
 * none: s fails and NULL), else (no such property) the first. Not up-ref'd. */
X509 *es_xv_pick_signer(STACK_OF(X509) * keyinfo_certs, xmlNodePtr sp, eseal_seal_report *s, int *bound);
/* The same, looking for the certificate SigningCertificate(V2) names also in more (CertificateValues, the trust
 * anchors) when ds:KeyInfo does not carry it. Not up-ref'd. */
X509 *es_xv_pick_signer_among(STACK_OF(X509) * keyinfo_certs, STACK_OF(X509) * more, xmlNodePtr sp,
			      eseal_seal_report *s, int *bound);
/* Canonical form of one element subtree with the algorithm named by a ds:CanonicalizationMethod (NULL: inclusive
 * C14N 1.0, XML-DSig's default). Returns its length, *out xmlMalloc'd; -1 for an unknown algorithm or a failure. */
int es_xv_c14n_subtree(xmlDocPtr doc, xmlNodePtr target, const xmlChar *alg, xmlChar **out);
/* xs:dateTime to UTC; 0 if unreadable. */
time_t es_xv_xs_datetime(const xmlChar *s);

#define NS_XADES141 "http://uri.etsi.org/01903/v1.4.1#"
/* Digest (md) of the input of a xadesv141:ArchiveTimeStamp of sig (ETSI EN 319 132-1 5.5.2.2): the octets each
 * ds:Reference digests, ds:SignedInfo, ds:SignatureValue, ds:KeyInfo, the unsigned signature properties that stand
 * before `before` (NULL: all of them), the ds:Objects but the QualifyingProperties one, each element canonicalised
 * with alg (ds:CanonicalizationMethod of the time-stamp; NULL = C14N 1.0). dirfd: detached data files' directory
 * (-1: none). IDs must be registered. 0, or -1 with why. */
int es_xades_ats_digest(xmlNodePtr sig, xmlNodePtr before, const xmlChar *alg, const EVP_MD *md, int dirfd,
			unsigned char *out, unsigned int *out_len, char *why, size_t why_len);

/* The level of a seal whose signature time-stamp (TSA chain tst_chain, genTime tst_gen) verified: "B-LTA" when it
 * carries fresh validation data (issued after tst_gen) for every certificate of the signer's and that TSA's chain
 * and archive time-stamps that verify cover it, "B-LT" without them, else "B-T" (a warning says what is missing).
 * An archive time-stamp that does not verify fails s. ev: what the signature carries. Static strings. */
const char *es_xv_long_term_level(const eseal_verifier *v, xmlNodePtr sig, xmlNodePtr qp, X509 *signer,
				  STACK_OF(X509) * tst_chain, time_t tst_gen, const es_evidence *ev, int dirfd,
				  eseal_seal_report *s);

/* Detached data files. es_xv_detached_path: the path a Reference URI names below the signature's directory,
 * decoded once as xmlsec decodes it before calling an input callback; NULL if the URI is not a plain relative path
 * (absolute, "..", a scheme, a fragment, a query). es_xv_detached_path_ok: the same test on an already decoded path.
 * es_xv_open_beneath: the one way such a file is opened (pre-check and reader alike): below dirfd only, no
 * symbolic link on the way, a regular file (a FIFO would block); -1 with *why (a short reason) otherwise.
 * es_xv_open_walk: its fallback without openat2, component by component (exposed for the tests). */
char *es_xv_detached_path(const char *uri);
int es_xv_detached_path_ok(const char *path);
int es_xv_open_beneath(int dirfd, const char *path, const char **why);
int es_xv_open_walk(int dirfd, const char *path, int flags);
/* Detached data files are read from dirfd's directory while this thread verifies (-1: none, the default). */
void es_xv_io_use_dir(int dirfd);

#endif
