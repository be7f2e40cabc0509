/* xml/xml_internal.h: what the files of the XAdES sealer share (parsing, signature building, placement, output).
 * Nothing here is public; the entry points are in include/eseal/xml.h, reached through xml/xml.h's table. */
#ifndef ES_XML_INTERNAL_H
#define ES_XML_INTERNAL_H

#include <stddef.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include "eseal/xml.h"
#include "xades_props.h"
#include "xml_detached.h"
#include "xml_read.h"
#include "xml_sign.h"

/* libxml2 and xmlsec report through per-thread callbacks; while a seal runs they are captured here so that
 * nothing is printed and the first reason can go into the eseal_error. */
typedef struct es_xml_errors {
	char first[512];
	void *saved_generic_ctx;
	void *saved_generic;
	void *saved_structured_ctx;
	void *saved_structured;
	struct es_xml_errors *saved_capture; /* an enclosing capture (begin/end nest) */
} es_xml_errors;

void es_xml_errors_begin(es_xml_errors *cap);
void es_xml_errors_end(es_xml_errors *cap);
/* The first captured message, or fallback if none was captured. */
const char *es_xml_errors_reason(const es_xml_errors *cap, const char *fallback);

/* What parsing learned about the bytes that the tree does not keep. */
typedef struct es_xml_source {
	int has_decl; /* the file began with an XML declaration */
	int utf8_bom; /* ... preceded by a UTF-8 byte order mark */
} es_xml_source;

/* Reads path under the policy the verifier applies (xml_read.h): what `eseal verify` would refuse is refused here
 * first, with the same reason after the file name. */
int es_xml_parse_file(const char *path, xmlDocPtr *doc_out, es_xml_source *src, es_xml_read_info *info,
		      eseal_error *err);

/* First ds:Signature element in the tree (document order), or NULL. */
xmlNodePtr es_xml_find_signature(xmlNodePtr root);
/* Document order without recursion (documents may be deep): the node after cur below root, skipping cur's
 * children when descend is 0; NULL after the last. */
xmlNode *es_xml_next_node(const xmlNode *cur, const xmlNode *root, int descend);

typedef enum {
	ES_XML_REF_ENVELOPED = 0, /* URI="" + enveloped-signature + exc-c14n */
	ES_XML_REF_UBL,           /* URI="" + the UBL DSig XPath excluding sig:UBLDocumentSignatures + exc-c14n */
	ES_XML_REF_DETACHED       /* external file: URI, no transforms, digest supplied by the caller */
} es_xml_ref_kind;

typedef struct es_xml_ref {
	es_xml_ref_kind kind;
	const char *uri;                       /* detached only (already URI-escaped) */
	const char *mime;                      /* DataObjectFormat/MimeType */
	unsigned char digest[EVP_MAX_MD_SIZE]; /* detached only */
	unsigned int digest_len;
} es_xml_ref;

typedef struct es_xml_sign_request {
	xmlDocPtr doc;
	xmlNodePtr parent;  /* the ds:Signature becomes this element's last child */
	const char *sig_id; /* NULL: generated */
	const es_xml_ref *refs;
	size_t n_refs;
	const eseal_xml_options *opts;
	const char *path;      /* for messages */
	int require_rsa_pkcs1; /* FatturaPA accepts only rsa-sha256 */
} es_xml_sign_request;

/* Builds the XAdES signature under req->parent, digests the References, has the signer sign the
 * canonical SignedInfo and, with a TSA, adds the SignatureTimeStamp. */
int es_xml_sign(const es_xml_sign_request *req, xmlNodePtr *sig_out, es_xml_errors *cap, eseal_error *err);

/* A fresh Id value: prefix + 16 random hex digits. */
int es_xml_new_id(char *buf, size_t size, const char *prefix, eseal_error *err);

/* Canonicalises node (with its subtree) with exclusive C14N, the node set xmlsec gives a same-document
 * Reference to it. *out is OPENSSL_malloc'd. */
int es_xml_c14n_node(xmlNodePtr node, unsigned char **out, size_t *out_len, es_xml_errors *cap, const char *path,
		     eseal_error *err);
/* md over the exclusive C14N (without comments) of inside's subtree (NULL: the document) minus outside's subtree
 * (NULL: none): "#id" is inside = the element, URI="" with enveloped-signature is outside = the ds:Signature.
 * 0, or -1 with libxml2's or OpenSSL's reason left to the caller's capture. */
int es_xml_c14n_digest(xmlDocPtr doc, xmlNodePtr inside, xmlNodePtr outside, const EVP_MD *md, unsigned char *digest,
		       unsigned int *digest_len);

/* Adds ds:Object/xades:QualifyingProperties to sig (the caller gives SignedProperties its Id; ref_ids[i] names the data
 * Reference that refs[i] describes). Returns the QualifyingProperties element. */
int es_xades_add_props(xmlNodePtr sig, const char *sig_id, const es_xml_ref *refs, char *const *ref_ids, size_t n_refs,
		       const eseal_xml_options *opts, xmlNodePtr *qp_out, eseal_error *err);
/* B-T: adds UnsignedProperties/UnsignedSignatureProperties/SignatureTimeStamp with the DER token. */
int es_xades_add_timestamp(xmlNodePtr qp, const char *ts_id, const unsigned char *token, size_t token_len,
			   eseal_error *err);

/* UBL 2.1: creates ext:UBLExtensions/ext:UBLExtension/.../sac:SignatureInformation and the body's cac:Signature;
 * returns the element the ds:Signature goes into. */
int es_xml_place_ubl(xmlDocPtr doc, const char *sig_id, const char *path, xmlNodePtr *parent_out, eseal_error *err);

/* eseal_xml_seal in the module (xml/xml.h). */
eseal_status esx_seal(const char *in_path, const char *out_path, const eseal_xml_options *opts, eseal_error *err);

/* Serialises doc to out_path atomically in its original encoding, keeping (or omitting) the XML declaration. */
int es_xml_write(xmlDocPtr doc, const es_xml_source *src, const char *in_path, const char *out_path, const eseal_xml_options *opts,
		 es_xml_errors *cap, eseal_error *err);

#endif
