/* xml/xml_write.c: serialises a sealed tree through eseal/output.h (atomic, never partial), in the document's own
 * encoding, with its XML declaration kept or left out as the input had it. */
#include "xml_internal.h"
#include "eseal/output.h"
#include "core/error_internal.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlsave.h>

/* libxml2 hands its output over in 4 kB pieces: gathered here, a small document is one write() and a big one
 * 64 kB writes. */
#define SINK_SIZE 65536

typedef struct sink {
	eseal_output *out;
	eseal_error *err;
	int failed;
	size_t used;
	char buf[SINK_SIZE];
} sink;

static int sink_flush(sink *s)
{
	if (!s->failed && s->used > 0 && eseal_output_write(s->out, s->buf, s->used, s->err) != ESEAL_OK)
		s->failed = 1;
	s->used = 0;
	return s->failed ? -1 : 0;
}

static int sink_write(void *ctx, const char *buf, int len)
{
	sink *s = ctx;
	size_t n = (size_t)len;

	if (s->failed)
		return -1;
	if (s->used + n > SINK_SIZE && sink_flush(s) != 0)
		return -1;
	if (n >= SINK_SIZE) {
		if (eseal_output_write(s->out, buf, n, s->err) != ESEAL_OK) {
			s->failed = 1;
			return -1;
		}
		return len;
	}
	memcpy(s->buf + s->used, buf, n);
	s->used += n;
	return len;
}

static int sink_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* libxml2 reads some encodings it cannot write back readably: in UTF-7, UTF-32 or HZ the XML declaration itself comes
 * out encoded, so no reader (libxml2 included) can tell what the file is. Tried on a one-element document: the cost
 * does not grow with the input, and every encoding libxml2 might handle is judged the same way. */
static int encoding_reads_back(const char *enc)
{
	xmlDocPtr probe = xmlNewDoc(BAD_CAST "1.0"), back = NULL;
	xmlNodePtr root = probe != NULL ? xmlNewDocNode(probe, NULL, BAD_CAST "a", NULL) : NULL;
	xmlBufferPtr buf = xmlBufferCreate();
	xmlSaveCtxtPtr save = NULL;
	int ok = 0;

	if (root == NULL || buf == NULL)
		goto cleanup;
	xmlDocSetRootElement(probe, root);
	probe->encoding = xmlStrdup(BAD_CAST enc);
	if ((save = xmlSaveToBuffer(buf, enc, 0)) == NULL)
		goto cleanup;
	xmlSaveDoc(save, probe);
	if (xmlSaveClose(save) < 0)
		goto cleanup;
	back = xmlReadMemory((const char *)xmlBufferContent(buf), xmlBufferLength(buf), NULL, NULL,
			     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ok = back != NULL && xmlDocGetRootElement(back) != NULL &&
	     xmlStrEqual(xmlDocGetRootElement(back)->name, BAD_CAST "a");
cleanup:
	xmlFreeDoc(back);
	xmlFreeDoc(probe);
	xmlBufferFree(buf);
	return ok;
}

int es_xml_write(xmlDocPtr doc, const es_xml_source *src, const char *in_path, const char *out_path, const eseal_xml_options *opts,
		 es_xml_errors *cap, eseal_error *err)
{
	const char *enc = doc->encoding != NULL ? (const char *)doc->encoding : NULL;
	sink *s = NULL;
	xmlSaveCtxtPtr save = NULL;
	int rc, options = 0;

	/* UTF-8 is what libxml2 writes natively: the probe would only confirm it, at the cost of a second document. */
	if (enc != NULL && strcasecmp(enc, "UTF-8") != 0 && !encoding_reads_back(enc))
		return es_error_set(err, ESEAL_E_INPUT,
				    "%s: its encoding %s cannot be written back readably (the sealed file would not open); "
				    "convert the document to UTF-8 first",
				    in_path, enc);
	if ((s = malloc(sizeof(*s))) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", out_path);
	s->out = NULL;
	s->err = err;
	s->failed = 0;
	s->used = 0;
	rc = eseal_output_open(&s->out, out_path, opts->overwrite, in_path, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	eseal_output_set_group(s->out, opts->output_group, opts->output_cookie);
	if (!src->has_decl)
		options |= XML_SAVE_NO_DECL;
	if (src->utf8_bom && (enc == NULL || strcasecmp(enc, "UTF-8") == 0)) {
		rc = eseal_output_write(s->out, "\xEF\xBB\xBF", 3, err);
		if (rc != ESEAL_OK)
			goto cleanup;
	}
	save = xmlSaveToIO(sink_write, sink_close, s, enc, options);
	if (save == NULL) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: cannot write encoding %s: %s", out_path, enc ? enc : "UTF-8",
				  es_xml_errors_reason(cap, "unsupported"));
		goto cleanup;
	}
	if (xmlSaveDoc(save, doc) < 0)
		s->failed = 1;
	if (xmlSaveClose(save) < 0)
		s->failed = 1;
	sink_flush(s);
	if (s->failed) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: writing the sealed document failed: %s", out_path,
				  es_xml_errors_reason(cap, "serialisation error"));
		goto cleanup;
	}
	rc = eseal_output_commit(s->out, err);
cleanup:
	eseal_output_free(s->out);
	free(s);
	return rc;
}
