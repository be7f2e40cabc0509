/* xml/xml_read.h: the one policy under which both the XAdES sealer and the XML verifier read a document, so that
 * the sealer refuses, with the verifier's own words, everything the verifier would refuse to check. */
#ifndef ES_XML_READ_H
#define ES_XML_READ_H

#include <stddef.h>
#include <libxml/tree.h>

/* Elements nested deeper than this are refused: no business document comes near it, and libxml2's canonicaliser
 * recurses once per level (100,000 levels overflow the stack). It is libxml2's own default limit. */
#define ES_XML_MAX_DEPTH 256
/* Elements in a document (bounds the verifier's walks over untrusted input). */
#define ES_XML_MAX_ELEMENTS 5000000
/* ds:Signature elements in a document (the verifier checks each one; more are refused rather than skipped). */
#define ES_XML_MAX_SIGS 64
/* libxml2 takes a document's length as an int. */
#define ES_XML_MAX_BYTES ((size_t)0x7fffffff)

/* What reading learned beyond the tree. */
typedef struct es_xml_read_info {
	size_t signatures; /* ds:Signature elements, nested ones included */
} es_xml_read_info;

/* Parses len bytes, from buf or (buf NULL) from the regular file open on fd, under the shared policy: no network,
 * no DTD or entity ever loaded, any entity or attribute-list declaration refused (XXE, expansion bombs, an
 * attribute turned into an ID), depth, element and signature counts bounded, libxml2's text-size limits lifted
 * (large base64 attachments are ordinary). url names the document inside libxml2 (may be NULL).
 * Returns ESEAL_OK with *doc_out set, or ESEAL_E_INPUT (or ESEAL_E_INTERNAL when out of memory) with *doc_out
 * NULL and why holding a one-line reason that does not name the file (the caller does). info may be NULL. */
int es_xml_read(const unsigned char *buf, size_t len, int fd, const char *url, xmlDocPtr *doc_out,
		es_xml_read_info *info, char *why, size_t why_len);

/* Canonical XML joins the text around a comment (C14N without comments drops it) and turns CDATA into text, so
 * "1<!---->320000" is sealed as 1320000 while a reader taking an element's first text node (lxml's .text, a DOM
 * firstChild) sees 1. Returns the first comment with non-blank text on both sides, or CDATA section beside
 * non-blank text, outside ds:Signature elements (NULL if none), and describes it in why. */
const xmlNode *es_xml_split_text(const xmlNode *root, char *why, size_t why_len);

#endif
