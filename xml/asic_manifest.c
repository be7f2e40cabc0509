/* xml/asic_manifest.c: the ASiCManifest of a CAdES ASiC-E container as XML: written from the files' digests, read
 * into plain strings that asic/ checks against the container (xml/asic_manifest.h). */
#include "asic_manifest.h"

#include "core/error_internal.h"
#include "core/input_internal.h"
#include "xades_props.h"
#include "xml_detached.h"
#include "xml_lib.h"
#include "xml_read.h"
#include "xml_sign.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/uri.h>
#include <openssl/crypto.h>

eseal_status esx_manifest_write(const char *const *paths, char *const *names, size_t n, const EVP_MD *md,
				unsigned char **out, size_t *out_len, eseal_error *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root = NULL, el, sub;
	xmlNsPtr ns = NULL, ds = NULL;
	xmlChar *mem = NULL;
	int mem_len = 0, rc;

	*out = NULL;
	if ((rc = es_xml_lib_init(err)) != ESEAL_OK)
		return rc;
	doc = xmlNewDoc(BAD_CAST "1.0");
	root = doc != NULL ? xmlNewDocNode(doc, NULL, BAD_CAST "ASiCManifest", NULL) : NULL;
	if (root == NULL || (ns = xmlNewNs(root, BAD_CAST ES_NS_ASIC, NULL)) == NULL ||
	    (ds = xmlNewNs(root, BAD_CAST ES_NS_DS, BAD_CAST "ds")) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	xmlSetNs(root, ns);
	xmlDocSetRootElement(doc, root);
	el = xmlNewChild(root, ns, BAD_CAST "SigReference", NULL);
	xmlSetProp(el, BAD_CAST "URI", BAD_CAST "META-INF/signature001.p7s");
	xmlSetProp(el, BAD_CAST "MimeType", BAD_CAST "application/pkcs7-signature");
	for (size_t i = 0; i < n; i++) {
		xmlChar *uri = xmlURIEscapeStr(BAD_CAST names[i], BAD_CAST "/");
		unsigned char d[EVP_MAX_MD_SIZE];
		unsigned int dl = 0;
		char *b64 = NULL;

		if (uri == NULL) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
			goto cleanup;
		}
		if ((rc = es_input_digest(paths[i], &es_input_document, md, d, &dl, err)) != ESEAL_OK ||
		    (b64 = es_xml_base64(d, dl)) == NULL) {
			xmlFree(uri);
			if (rc == ESEAL_OK)
				rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
			goto cleanup;
		}
		el = xmlNewChild(root, ns, BAD_CAST "DataObjectReference", NULL);
		xmlSetProp(el, BAD_CAST "URI", uri);
		xmlSetProp(el, BAD_CAST "MimeType", BAD_CAST es_xml_guess_mime(paths[i]));
		sub = xmlNewChild(el, ds, BAD_CAST "DigestMethod", NULL);
		xmlSetProp(sub, BAD_CAST "Algorithm", BAD_CAST es_xml_digest_href(md));
		xmlNewTextChild(el, ds, BAD_CAST "DigestValue", BAD_CAST b64);
		xmlFree(uri);
		OPENSSL_free(b64);
	}
	xmlDocDumpMemoryEnc(doc, &mem, &mem_len, "UTF-8");
	if (mem == NULL || (*out = malloc((size_t)mem_len)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	memcpy(*out, mem, (size_t)mem_len);
	*out_len = (size_t)mem_len;
cleanup:
	xmlFree(mem);
	xmlFreeDoc(doc);
	return rc;
}

static xmlNodePtr child_el(xmlNodePtr n, const char *ns, const char *name)
{
	for (xmlNodePtr c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns != NULL && strcmp((const char *)c->ns->href, ns) == 0 &&
		    strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

/* A URI attribute decoded when it is a plain relative reference (no scheme, fragment or query), else NULL; a copy
 * made with malloc, so that the caller frees it with free(), not xmlFree. */
static char *decoded(const xmlChar *uri)
{
	char *dec, *out;

	if (uri == NULL || strpbrk((const char *)uri, ":#?") != NULL)
		return NULL;
	if ((dec = xmlURIUnescapeString((const char *)uri, 0, NULL)) == NULL)
		return NULL;
	out = strdup(dec);
	xmlFree(dec);
	return out;
}

/* An xmlChar string copied with malloc (NULL stays NULL); *ok cleared when the copy fails. */
static char *copy(xmlChar *s, int *ok)
{
	char *out = NULL;

	if (s != NULL && (out = strdup((const char *)s)) == NULL)
		*ok = 0;
	xmlFree(s);
	return out;
}

eseal_status esx_manifest_read(const unsigned char *buf, size_t len, es_asic_manifest **out, eseal_error *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root, c;
	es_asic_manifest *m = NULL;
	xmlChar *uri;
	char why[512];
	int rc = ESEAL_OK, ok = 1;
	size_t cap = 0;

	*out = NULL;
	if ((rc = es_xml_lib_init(err)) != ESEAL_OK)
		return rc;
	if (es_xml_read(buf, len, -1, NULL, &doc, NULL, why, sizeof(why)) != ESEAL_OK)
		return es_error_set(err, ESEAL_E_INPUT, "%s", why);
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	root = xmlDocGetRootElement(doc);
	if ((c = child_el(root, ES_NS_ASIC, "SigReference")) != NULL) {
		uri = xmlGetProp(c, BAD_CAST "URI");
		m->sig_ref = decoded(uri);
		xmlFree(uri);
	}
	m->is_manifest = root != NULL && root->ns != NULL && strcmp((const char *)root->ns->href, ES_NS_ASIC) == 0 &&
			 strcmp((const char *)root->name, "ASiCManifest") == 0;
	if (!m->is_manifest)
		goto cleanup;
	for (c = root->children; c != NULL; c = c->next) {
		es_asic_manifest_ref *r;
		xmlNodePtr dm, dv;

		if (c->type != XML_ELEMENT_NODE || c->ns == NULL ||
		    strcmp((const char *)c->ns->href, ES_NS_ASIC) != 0 ||
		    strcmp((const char *)c->name, "DataObjectReference") != 0)
			continue;
		if (m->n_refs == cap) {
			size_t ncap = cap != 0 ? cap * 2 : 8;
			es_asic_manifest_ref *grown = realloc(m->refs, ncap * sizeof(*grown));

			if (grown == NULL) {
				rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
				goto cleanup;
			}
			m->refs = grown;
			cap = ncap;
		}
		r = &m->refs[m->n_refs++];
		memset(r, 0, sizeof(*r));
		uri = xmlGetProp(c, BAD_CAST "URI");
		r->name = decoded(uri);
		r->uri = strdup(uri != NULL ? (const char *)uri : "");
		xmlFree(uri);
		dm = child_el(c, ES_NS_DS, "DigestMethod");
		dv = child_el(c, ES_NS_DS, "DigestValue");
		r->algorithm = dm != NULL ? copy(xmlGetProp(dm, BAD_CAST "Algorithm"), &ok) : NULL;
		r->digest = dv != NULL ? copy(xmlNodeGetContent(dv), &ok) : NULL;
		if (r->uri == NULL || !ok) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
			goto cleanup;
		}
	}
cleanup:
	xmlFreeDoc(doc);
	if (rc == ESEAL_OK)
		*out = m;
	else
		es_asic_manifest_free(m);
	return rc;
}
