/* xml/xml_read.c: the shared reading policy of the XAdES sealer and the XML verifier (see xml_read.h). The limits
 * are enforced from SAX callbacks, so a refused document is never built, expanded or canonicalised. */
#include "xml_read.h"
#include "xml_internal.h"
#include "xml_lib.h"

#include <stdio.h>
#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

typedef enum {
	REFUSED_NONE = 0,
	REFUSED_DEPTH,
	REFUSED_ELEMENTS,
	REFUSED_SIGNATURES,
	REFUSED_ENTITY,
	REFUSED_ATTLIST
} refusal;

typedef struct read_state {
	startElementNsSAX2Func build; /* libxml2's tree builder, called for every element we let through */
	size_t elements;
	size_t signatures;
	refusal refused;
	char name[128]; /* the entity declared */
} read_state;

static void refuse(xmlParserCtxtPtr ctxt, refusal why)
{
	read_state *st = ctxt->_private;

	if (st->refused == REFUSED_NONE)
		st->refused = why;
	xmlStopParser(ctxt);
}

static void on_element(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
		       int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
		       const xmlChar **attributes)
{
	xmlParserCtxtPtr ctxt = ctx;
	read_state *st = ctxt->_private;

	/* nodeNr counts the elements open above this one. */
	if (ctxt->nodeNr >= ES_XML_MAX_DEPTH) {
		refuse(ctxt, REFUSED_DEPTH);
		return;
	}
	if (++st->elements > ES_XML_MAX_ELEMENTS) {
		refuse(ctxt, REFUSED_ELEMENTS);
		return;
	}
	if (uri != NULL && xmlStrEqual(localname, BAD_CAST "Signature") && xmlStrEqual(uri, BAD_CAST ES_NS_DS) &&
	    ++st->signatures > ES_XML_MAX_SIGS) {
		refuse(ctxt, REFUSED_SIGNATURES);
		return;
	}
	st->build(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes, nb_defaulted, attributes);
}

/* Any entity declaration stops the parse before the entity can be referenced, loaded or expanded: with
 * XML_PARSE_HUGE libxml2 2.9 has no amplification guard, and a canonical form cannot hold entity references. */
static void note_entity(xmlParserCtxtPtr ctxt, const xmlChar *name)
{
	read_state *st = ctxt->_private;

	if (st->refused == REFUSED_NONE)
		snprintf(st->name, sizeof(st->name), "%s", name != NULL ? (const char *)name : "");
	refuse(ctxt, REFUSED_ENTITY);
}

static void on_entity(void *ctx, const xmlChar *name, int type, const xmlChar *public_id, const xmlChar *system_id,
		      xmlChar *content)
{
	(void)type;
	(void)public_id;
	(void)system_id;
	(void)content;
	note_entity(ctx, name);
}

static void on_unparsed_entity(void *ctx, const xmlChar *name, const xmlChar *public_id, const xmlChar *system_id,
			       const xmlChar *notation)
{
	(void)public_id;
	(void)system_id;
	(void)notation;
	note_entity(ctx, name);
}

/* An attribute-list declaration can make any attribute an ID (so a Reference resolves elsewhere) or add defaulted
 * attributes a reader sees but a canonicaliser may not. The handler owns tree. */
static void on_attlist(void *ctx, const xmlChar *elem, const xmlChar *fullname, int type, int def,
		       const xmlChar *default_value, xmlEnumerationPtr tree)
{
	(void)elem;
	(void)fullname;
	(void)type;
	(void)def;
	(void)default_value;
	xmlFreeEnumeration(tree);
	refuse(ctx, REFUSED_ATTLIST);
}

static void explain(const read_state *st, const es_xml_errors *cap, char *why, size_t why_len)
{
	switch (st->refused) {
	case REFUSED_DEPTH:
		snprintf(why, why_len,
			 "elements nested more than %d deep: refused (no business document needs it, and deeper "
			 "nesting exhausts canonicalisation)",
			 ES_XML_MAX_DEPTH);
		break;
	case REFUSED_ELEMENTS:
		snprintf(why, why_len, "XML document too large: more than %d elements", ES_XML_MAX_ELEMENTS);
		break;
	case REFUSED_SIGNATURES:
		snprintf(why, why_len, "more than %d ds:Signature elements: refused", ES_XML_MAX_SIGS);
		break;
	case REFUSED_ENTITY:
		snprintf(why, why_len,
			 "the document declares entities ('%s'): refused (XXE / entity expansion: no entity is "
			 "loaded or expanded)",
			 st->name);
		break;
	case REFUSED_ATTLIST:
		snprintf(why, why_len, "the document's DTD declares attributes (possible ID redefinition): refused");
		break;
	default: snprintf(why, why_len, "not well-formed XML: %s", es_xml_errors_reason(cap, "parser error")); break;
	}
}

int es_xml_read(const unsigned char *buf, size_t len, int fd, const char *url, xmlDocPtr *doc_out,
		es_xml_read_info *info, char *why, size_t why_len)
{
	/* HUGE lifts libxml2's size limits (a 10 MB text node is an ordinary attachment) and its depth limit, which
	 * on_element enforces instead. No NOENT, DTDLOAD, DTDATTR or DTDVALID: nothing is loaded or substituted. */
	const int options = XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_BIG_LINES | XML_PARSE_COMPACT;
	xmlParserCtxtPtr ctxt = NULL;
	read_state st;
	es_xml_errors cap;
	xmlDocPtr doc = NULL;
	eseal_error lib_err;
	int rc = ESEAL_OK;

	*doc_out = NULL;
	why[0] = '\0';
	if (es_xml_lib_init(&lib_err) != ESEAL_OK) {
		snprintf(why, why_len, "%s", lib_err.message);
		return lib_err.status;
	}
	if (len > ES_XML_MAX_BYTES) {
		snprintf(why, why_len, "XML document too large: more than 2 GiB");
		return ESEAL_E_INPUT;
	}
	memset(&st, 0, sizeof(st));
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL || ctxt->sax == NULL) {
		xmlFreeParserCtxt(ctxt);
		snprintf(why, why_len, "out of memory");
		return ESEAL_E_INTERNAL;
	}
	st.build = ctxt->sax->startElementNs != NULL ? ctxt->sax->startElementNs : xmlSAX2StartElementNs;
	ctxt->sax->startElementNs = on_element;
	ctxt->sax->entityDecl = on_entity;
	ctxt->sax->unparsedEntityDecl = on_unparsed_entity;
	ctxt->sax->attributeDecl = on_attlist;
	ctxt->_private = &st;
	es_xml_errors_begin(&cap);
	if (buf != NULL)
		doc = xmlCtxtReadMemory(ctxt, (const char *)buf, (int)len, url, NULL, options);
	else
		doc = xmlCtxtReadFd(ctxt, fd, url, NULL, options);
	if (st.refused != REFUSED_NONE || doc == NULL || !ctxt->wellFormed) {
		explain(&st, &cap, why, why_len);
		rc = ESEAL_E_INPUT;
	} else if (xmlDocGetRootElement(doc) == NULL) {
		snprintf(why, why_len, "XML document has no root element");
		rc = ESEAL_E_INPUT;
	} else if (doc->intSubset != NULL &&
		   (doc->intSubset->entities != NULL || doc->intSubset->pentities != NULL ||
		    doc->intSubset->attributes != NULL)) {
		/* The callbacks above stop at the first declaration; this is their backstop. */
		st.refused = doc->intSubset->attributes != NULL ? REFUSED_ATTLIST : REFUSED_ENTITY;
		explain(&st, &cap, why, why_len);
		rc = ESEAL_E_INPUT;
	}
	es_xml_errors_end(&cap);
	xmlFreeParserCtxt(ctxt);
	if (rc != ESEAL_OK) {
		xmlFreeDoc(doc);
		return rc;
	}
	if (info != NULL)
		info->signatures = st.signatures;
	*doc_out = doc;
	return ESEAL_OK;
}

static int is_text_node(const xmlNode *n)
{
	return n != NULL && (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE);
}

static int has_text(const xmlNode *n)
{
	const xmlChar *c;

	if (!is_text_node(n))
		return 0;
	for (c = n->content; c != NULL && *c != '\0'; c++)
		if (*c != ' ' && *c != '\t' && *c != '\r' && *c != '\n')
			return 1;
	return 0;
}

/* The sibling before (dir < 0) or after n that is not a comment. */
static const xmlNode *beside(const xmlNode *n, int dir)
{
	do
		n = dir < 0 ? n->prev : n->next;
	while (n != NULL && n->type == XML_COMMENT_NODE);
	return n;
}

static int splits(const xmlNode *n)
{
	if (n->type == XML_COMMENT_NODE)
		return has_text(beside(n, -1)) && has_text(beside(n, 1));
	if (n->type == XML_CDATA_SECTION_NODE)
		return has_text(beside(n, -1)) || has_text(beside(n, 1));
	return 0;
}

const xmlNode *es_xml_split_text(const xmlNode *root, char *why, size_t why_len)
{
	const xmlNode *cur = root, *el;

	/* Iterative: the depth is bounded by es_xml_read, but a walk needs no stack. */
	while (cur != NULL) {
		if (splits(cur)) {
			el = cur->parent;
			snprintf(why, why_len,
				 "%s splits the text of <%s%s%s> (line %ld): the seal covers the joined text, a reader of "
				 "its first part sees another value (comment or CDATA injection)",
				 cur->type == XML_COMMENT_NODE ? "a comment" : "a CDATA section",
				 el->ns != NULL && el->ns->prefix != NULL ? (const char *)el->ns->prefix : "",
				 el->ns != NULL && el->ns->prefix != NULL ? ":" : "", (const char *)el->name,
				 xmlGetLineNo(cur));
			return cur;
		}
		cur = es_xml_next_node(cur, root,
				       !(cur->ns != NULL && xmlStrEqual(cur->name, BAD_CAST "Signature") &&
					 xmlStrEqual(cur->ns->href, BAD_CAST ES_NS_DS)));
	}
	return NULL;
}
