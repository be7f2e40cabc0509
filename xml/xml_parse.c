/* xml/xml_parse.c: defensive reading of untrusted XML, and capture of libxml2/xmlsec diagnostics.
 * No network, no DTD or external entity ever loaded; a document declaring an external entity is refused. */
#include "xml_internal.h"
#include "error_internal.h"
#include "input_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/entities.h>
#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/errors.h>

/* The capture currently active on this thread (libxml2 and xmlsec callbacks carry no per-call context we own). */
static __thread es_xml_errors *current_capture;

static void capture_text(const char *msg)
{
	es_xml_errors *cap = current_capture;
	size_t n;

	if (cap == NULL || cap->first[0] != '\0' || msg == NULL)
		return;
	snprintf(cap->first, sizeof(cap->first), "%s", msg);
	n = strlen(cap->first);
	while (n > 0 && (cap->first[n - 1] == '\n' || cap->first[n - 1] == ' '))
		cap->first[--n] = '\0';
}

static void on_structured(void *ctx, xmlErrorPtr e)
{
	/* libxml2 reports amplification ("billion laughs") as a loop, and a byte its decoder rejects without a
	 * line: say what they mean. */
	char msg[400], buf[512];
	const char *what, *why;
	size_t n;

	(void)ctx;
	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	snprintf(msg, sizeof(msg), "%s", e->message != NULL ? e->message : "error");
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	what = e->domain == XML_FROM_I18N ? "character encoding: " : "";
	why = e->code == XML_ERR_ENTITY_LOOP ? " (entity expansion refused)" : "";
	if (e->line > 0)
		snprintf(buf, sizeof(buf), "line %d: %s%s%s", e->line, what, msg, why);
	else
		snprintf(buf, sizeof(buf), "%s%s%s", what, msg, why);
	capture_text(buf);
}

static void on_generic(void *ctx, const char *fmt, ...) ES_PRINTF(2, 3);

static void on_generic(void *ctx, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	capture_text(buf);
}

static void on_xmlsec(const char *file, int line, const char *func, const char *obj, const char *subj, int reason,
		      const char *msg)
{
	char buf[512];

	(void)file;
	(void)line;
	(void)obj;
	(void)reason;
	snprintf(buf, sizeof(buf), "xmlsec %s%s%s: %s", func != NULL ? func : "", subj != NULL ? " " : "",
		 subj != NULL ? subj : "", msg != NULL ? msg : "error");
	capture_text(buf);
}

/* Nothing is ever fetched for a document: not a DTD, not an external entity, not by URL nor by path. */
static xmlParserInputPtr refuse_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)id;
	(void)ctxt;
	(void)url;
	return NULL;
}

/* Process-wide settings, made once (not on every call from every batch worker). */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void set_globals(void)
{
	xmlSecErrorsSetCallback(on_xmlsec);
	xmlSetExternalEntityLoader(refuse_loader);
}

void es_xml_errors_begin(es_xml_errors *cap)
{
	memset(cap, 0, sizeof(*cap));
	cap->saved_generic_ctx = xmlGenericErrorContext;
	cap->saved_generic = (void *)xmlGenericError;
	cap->saved_structured_ctx = xmlStructuredErrorContext;
	cap->saved_structured = (void *)xmlStructuredError;
	current_capture = cap;
	xmlSetGenericErrorFunc(cap, on_generic);
	xmlSetStructuredErrorFunc(cap, on_structured);
	pthread_once(&global_once, set_globals);
}

void es_xml_errors_end(es_xml_errors *cap)
{
	xmlSetGenericErrorFunc(cap->saved_generic_ctx, (xmlGenericErrorFunc)cap->saved_generic);
	xmlSetStructuredErrorFunc(cap->saved_structured_ctx, (xmlStructuredErrorFunc)cap->saved_structured);
	if (current_capture == cap)
		current_capture = NULL;
}

const char *es_xml_errors_reason(const es_xml_errors *cap, const char *fallback)
{
	return (cap != NULL && cap->first[0] != '\0') ? cap->first : fallback;
}

typedef struct entity_scan {
	int external;
	int internal;
	char name[128];
} entity_scan;

static void scan_entity(void *payload, void *data, const xmlChar *name)
{
	xmlEntityPtr ent = payload;
	entity_scan *scan = data;

	switch (ent->etype) {
	case XML_INTERNAL_GENERAL_ENTITY: scan->internal = 1; break;
	case XML_INTERNAL_PARAMETER_ENTITY:
	case XML_INTERNAL_PREDEFINED_ENTITY: break;
	default:
		if (!scan->external)
			snprintf(scan->name, sizeof(scan->name), "%s", (const char *)name);
		scan->external = 1;
		break;
	}
}

static int read_head(const char *path, es_xml_source *src, eseal_error *err)
{
	unsigned char head[8] = {0};
	ssize_t n;
	size_t off = 0;
	int fd = -1, rc;

	if ((rc = es_input_open(path, &es_input_document, &fd, NULL, err)) != ESEAL_OK)
		return rc;
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n < 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot read: %s", path, strerror(errno));
	if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) {
		src->utf8_bom = 1;
		off = 3;
	}
	src->has_decl = (size_t)n >= off + 5 && memcmp(head + off, "<?xml", 5) == 0;
	return ESEAL_OK;
}

/* In the XML_PARSE_HUGE retry no entity may be declared at all: libxml2 2.9 turns its amplification guard off
 * under HUGE, so only documents without entities may use it. */
static void refuse_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
			       const xmlChar *system_id, xmlChar *content)
{
	xmlParserCtxtPtr ctxt = ctx;

	(void)name;
	(void)type;
	(void)public_id;
	(void)system_id;
	(void)content;
	*(int *)ctxt->_private = 1;
	xmlStopParser(ctxt);
}

static int parse_once(const char *path, int options, xmlDocPtr *doc_out, es_xml_errors *cap, eseal_error *err)
{
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	xmlDocPtr doc = NULL;
	int rc = ESEAL_OK, entity_declared = 0;
	int fd = -1;

	if (ctxt == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
	if (options & XML_PARSE_HUGE) {
		ctxt->_private = &entity_declared;
		ctxt->sax->entityDecl = refuse_entity_decl;
	}
	/* Read from our own descriptor: the external entity loader, which refuses everything, is then never asked
	 * for the document itself. */
	if ((rc = es_input_open(path, &es_input_document, &fd, NULL, err)) != ESEAL_OK) {
		xmlFreeParserCtxt(ctxt);
		return rc;
	}
	doc = xmlCtxtReadFd(ctxt, fd, path, NULL, options);
	close(fd);
	if (doc == NULL || !ctxt->wellFormed || entity_declared) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: not well-formed XML: %s", path,
				  es_xml_errors_reason(cap, "parser error"));
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	*doc_out = doc;
	return rc;
}

int es_xml_parse_file(const char *path, xmlDocPtr *doc_out, es_xml_source *src, es_xml_errors *cap, eseal_error *err)
{
	/* No XML_PARSE_NOENT, DTDLOAD, DTDATTR or HUGE: entities stay references unless known internal, no DTD
	 * is read, and libxml2's size and depth limits stay on. */
	const int options = XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_COMPACT;
	xmlDocPtr doc = NULL;
	entity_scan scan = {0};
	int rc;

	*doc_out = NULL;
	memset(src, 0, sizeof(*src));
	rc = read_head(path, src, err);
	if (rc != ESEAL_OK)
		return rc;
	rc = parse_once(path, options, &doc, cap, err);
	if (rc != ESEAL_OK) {
		/* libxml2's default limits (10 MB text node, depth 256) refuse large embedded attachments. Retry
		 * without them, but only for a document that declares no entity; the first reason stands otherwise. */
		eseal_error retry_err;

		eseal_error_clear(&retry_err);
		if (parse_once(path, options | XML_PARSE_HUGE, &doc, cap, &retry_err) != ESEAL_OK)
			return rc;
		eseal_error_clear(err);
		cap->first[0] = '\0';
		rc = ESEAL_OK;
	}
	if (xmlDocGetRootElement(doc) == NULL) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: XML document has no root element", path);
		goto cleanup;
	}
	if (doc->intSubset != NULL) {
		if (doc->intSubset->entities != NULL)
			xmlHashScan(doc->intSubset->entities, scan_entity, &scan);
		if (doc->intSubset->pentities != NULL)
			xmlHashScan(doc->intSubset->pentities, scan_entity, &scan);
	}
	if (scan.external) {
		rc = es_error_set(
			err, ESEAL_E_INPUT,
			"%s: the DTD declares external entity '%s'; refused (external entities are never loaded)", path,
			scan.name);
		goto cleanup;
	}
	if (scan.internal) {
		/* Canonicalisation cannot carry entity references, so internal entities are expanded; every one is
		 * declared in the document itself and libxml2's amplification guard stops expansion bombs. */
		xmlFreeDoc(doc);
		doc = NULL;
		rc = parse_once(path, options | XML_PARSE_NOENT, &doc, cap, err);
		if (rc != ESEAL_OK)
			goto cleanup;
	}
	*doc_out = doc;
	doc = NULL;
cleanup:
	xmlFreeDoc(doc);
	return rc;
}

static int is_ds_signature(xmlNodePtr n)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL && xmlStrEqual(n->name, BAD_CAST "Signature") &&
	       xmlStrEqual(n->ns->href, BAD_CAST ES_NS_DS);
}

xmlNodePtr es_xml_find_signature(xmlNodePtr root)
{
	xmlNodePtr cur = root;

	/* Iterative walk: a deep document must not exhaust the stack. */
	while (cur != NULL) {
		if (is_ds_signature(cur))
			return cur;
		if (cur->type == XML_ELEMENT_NODE && cur->children != NULL) {
			cur = cur->children;
			continue;
		}
		while (cur != NULL && cur != root && cur->next == NULL)
			cur = cur->parent;
		if (cur == NULL || cur == root)
			break;
		cur = cur->next;
	}
	return NULL;
}
