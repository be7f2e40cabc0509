/* xml/xml_parse.c: the sealer's reading of its input (through the shared policy of xml_read.c), and capture of
 * libxml2/xmlsec diagnostics. */
#include "xml_internal.h"
#include "xml_lib.h"
#include "core/error_internal.h"
#include "core/input_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	/* libxml2 reports a byte its decoder rejects without a line: say what it means. */
	char msg[400], buf[512];
	const char *what;
	size_t n;

	(void)ctx;
	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	snprintf(msg, sizeof(msg), "%s", e->message != NULL ? e->message : "error");
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	what = e->domain == XML_FROM_I18N ? "character encoding: " : "";
	if (e->line > 0)
		snprintf(buf, sizeof(buf), "line %d: %s%s", e->line, what, msg);
	else
		snprintf(buf, sizeof(buf), "%s%s", what, msg);
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
	eseal_error lib_err;

	/* Setting the handlers touches libxml2's global state, which another worker may be initialising right now:
	 * libxml2 first. A failure is the parse's to report (es_xml_read asks again). */
	(void)es_xml_lib_init(&lib_err);
	memset(cap, 0, sizeof(*cap));
	cap->saved_generic_ctx = xmlGenericErrorContext;
	cap->saved_generic = (void *)xmlGenericError;
	cap->saved_structured_ctx = xmlStructuredErrorContext;
	cap->saved_structured = (void *)xmlStructuredError;
	cap->saved_capture = current_capture;
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
		current_capture = cap->saved_capture;
}

const char *es_xml_errors_reason(const es_xml_errors *cap, const char *fallback)
{
	return (cap != NULL && cap->first[0] != '\0') ? cap->first : fallback;
}

static int read_head(int fd, const char *path, es_xml_source *src, eseal_error *err)
{
	unsigned char head[8] = {0};
	ssize_t n = pread(fd, head, sizeof(head), 0);
	size_t off = 0;

	if (n < 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot read: %s", path, strerror(errno));
	if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) {
		src->utf8_bom = 1;
		off = 3;
	}
	src->has_decl = (size_t)n >= off + 5 && memcmp(head + off, "<?xml", 5) == 0;
	return ESEAL_OK;
}

int es_xml_parse_file(const char *path, xmlDocPtr *doc_out, es_xml_source *src, es_xml_read_info *info,
		      eseal_error *err)
{
	char why[512];
	struct stat st;
	int rc, fd;

	*doc_out = NULL;
	memset(src, 0, sizeof(*src));
	/* Read from our own descriptor: the external entity loader, which refuses everything, is then never asked
	 * for the document itself. */
	if ((rc = es_input_open(path, &es_input_document, &fd, &st, err)) != ESEAL_OK)
		return rc;
	rc = read_head(fd, path, src, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	rc = es_xml_read(NULL, (size_t)st.st_size, fd, path, doc_out, info, why, sizeof(why));
	if (rc != ESEAL_OK)
		es_error_set(err, rc, "%s: %s", path, why);
cleanup:
	close(fd);
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
		cur = es_xml_next_node(cur, root, 1);
	}
	return NULL;
}

xmlNode *es_xml_next_node(const xmlNode *cur, const xmlNode *root, int descend)
{
	if (descend && cur->type == XML_ELEMENT_NODE && cur->children != NULL)
		return cur->children;
	while (cur != NULL && cur != root && cur->next == NULL)
		cur = cur->parent;
	if (cur == NULL || cur == root)
		return NULL;
	return cur->next;
}
