/* xml/xml_verify_dom.c: the XML verifier's readers of the signature's DOM: elements by namespace, signatures, Ids,
 * base64 values, the certificates and revocation data a XAdES signature carries, xs:dateTime. */
#include "xml_verify_internal.h"
#include "pki/evidence.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/valid.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>

int es_xv_is_el(const xmlNode *n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL && xmlStrEqual(n->ns->href, BAD_CAST ns) &&
	       xmlStrEqual(n->name, BAD_CAST name);
}

xmlNodePtr es_xv_child(xmlNodePtr n, const char *ns, const char *name)
{
	for (n = n != NULL ? n->children : NULL; n != NULL; n = n->next)
		if (es_xv_is_el(n, ns, name))
			return n;
	return NULL;
}

/* First descendant (depth-first) with that name. */
xmlNodePtr es_xv_find(xmlNodePtr n, const char *ns, const char *name)
{
	xmlNodePtr c, r;

	for (c = n != NULL ? n->children : NULL; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (es_xv_is_el(c, ns, name))
			return c;
		if ((r = es_xv_find(c, ns, name)) != NULL)
			return r;
	}
	return NULL;
}

void es_xv_collect_sigs(xmlNodePtr n, xmlNodePtr *out, size_t *count)
{
	xmlNodePtr c;

	for (c = n; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (es_xv_is_el(c, NS_DS, "Signature")) {
			if (*count < ES_XML_MAX_SIGS)
				out[(*count)++] = c;
			continue; /* a Signature inside a Signature is not a seal of the document */
		}
		es_xv_collect_sigs(c->children, out, count);
	}
}

/* Registers Id/ID/id attributes (the first element of each value) so same-document references resolve. Two elements
 * sharing a value are noted, not refused: only a Reference to that value is ambiguous (es_xv_id_count). */
int es_xv_register_ids(xmlDocPtr doc, xmlNodePtr n, char *dup, size_t dup_len, size_t *seen)
{
	xmlAttrPtr a;
	xmlNodePtr c;

	for (c = n; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (++*seen > ES_XML_MAX_ELEMENTS)
			return -1;
		for (a = c->properties; a != NULL; a = a->next) {
			xmlChar *val;

			if (a->ns != NULL ||
			    (!xmlStrEqual(a->name, BAD_CAST "Id") && !xmlStrEqual(a->name, BAD_CAST "ID") &&
			     !xmlStrEqual(a->name, BAD_CAST "id")))
				continue;
			val = xmlNodeListGetString(doc, a->children, 1);
			if (val == NULL)
				continue;
			if (xmlGetID(doc, val) == NULL)
				xmlAddID(NULL, doc, val, a);
			else if (xmlGetID(doc, val) != a && dup[0] == '\0')
				snprintf(dup, dup_len, "%s", (const char *)val);
			xmlFree(val);
		}
		if (es_xv_register_ids(doc, c->children, dup, dup_len, seen) < 0)
			return -1;
	}
	return dup[0] != '\0';
}

static size_t count_id(xmlNodePtr n, const xmlChar *value)
{
	size_t count = 0;
	xmlAttrPtr a;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (a = n->properties; a != NULL; a = a->next) {
			xmlChar *val;

			if (a->ns != NULL ||
			    (!xmlStrEqual(a->name, BAD_CAST "Id") && !xmlStrEqual(a->name, BAD_CAST "ID") &&
			     !xmlStrEqual(a->name, BAD_CAST "id")))
				continue;
			val = xmlNodeListGetString(n->doc, a->children, 1);
			count += val != NULL && xmlStrEqual(val, value);
			xmlFree(val);
		}
		count += count_id(n->children, value);
	}
	return count;
}

size_t es_xv_id_count(xmlDocPtr doc, const xmlChar *value)
{
	return count_id(xmlDocGetRootElement(doc), value);
}

unsigned char *es_xv_b64_decode(const xmlChar *in, size_t *out_len)
{
	size_t n = in != NULL ? strlen((const char *)in) : 0, i, j = 0;
	char *clean = malloc(n + 1);
	unsigned char *out = NULL;
	int len;

	*out_len = 0;
	if (clean == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (!isspace(in[i]))
			clean[j++] = (char)in[i];
	clean[j] = '\0';
	if (j == 0 || j % 4 != 0)
		goto cleanup;
	out = malloc(j / 4 * 3 + 1);
	if (out == NULL)
		goto cleanup;
	len = EVP_DecodeBlock(out, (const unsigned char *)clean, (int)j);
	if (len < 0) {
		free(out);
		out = NULL;
		goto cleanup;
	}
	if (clean[j - 1] == '=')
		len--;
	if (clean[j - 2] == '=')
		len--;
	*out_len = (size_t)len;
cleanup:
	free(clean);
	return out;
}

static X509 *cert_from_b64(const xmlChar *b64)
{
	size_t len = 0;
	unsigned char *der = es_xv_b64_decode(b64, &len);
	const unsigned char *p = der;
	X509 *x = der != NULL ? d2i_X509(NULL, &p, (long)len) : NULL;

	free(der);
	ERR_clear_error();
	return x;
}

void es_xv_collect_certs(xmlNodePtr n, STACK_OF(X509) * out)
{
	xmlNodePtr c;

	for (c = n != NULL ? n->children : NULL; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (es_xv_is_el(c, NS_DS, "X509Certificate") || es_xv_is_el(c, NS_XADES, "EncapsulatedX509Certificate")) {
			xmlChar *t = xmlNodeGetContent(c);
			X509 *x = cert_from_b64(t);
			if (x != NULL && !sk_X509_push(out, x))
				X509_free(x);
			xmlFree(t);
		} else {
			es_xv_collect_certs(c, out);
		}
	}
}

void es_xv_collect_revocation(xmlNodePtr n, es_evidence *ev)
{
	xmlNodePtr c;

	for (c = n != NULL ? n->children : NULL; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (es_xv_is_el(c, NS_XADES, "EncapsulatedOCSPValue") || es_xv_is_el(c, NS_XADES, "EncapsulatedCRLValue")) {
			xmlChar *t = xmlNodeGetContent(c);
			size_t len = 0;
			unsigned char *der = es_xv_b64_decode(t, &len);

			if (der != NULL) {
				if (es_xv_is_el(c, NS_XADES, "EncapsulatedOCSPValue"))
					es_evidence_add_ocsp_der(ev, der, len);
				else
					es_evidence_add_crl_der(ev, der, len);
			}
			free(der);
			xmlFree(t);
		} else {
			es_xv_collect_revocation(c, ev);
		}
	}
}

/* xs:dateTime to UTC. */
time_t es_xv_xs_datetime(const xmlChar *s)
{
	struct tm tm;
	const char *p;
	int oh = 0, om = 0, sign = 0;

	if (s == NULL)
		return 0;
	memset(&tm, 0, sizeof(tm));
	p = strptime((const char *)s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return 0;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
			return 0;
	}
	return timegm(&tm) - sign * (oh * 3600 + om * 60);
}

