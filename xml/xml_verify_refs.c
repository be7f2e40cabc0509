/* xml/xml_verify_refs.c: what one ds:Reference of another product covers: the same-document URI forms
 * ("", "#id", "#xpointer(/)", "#xpointer(id('id'))") and the transforms that take signatures out of its node set. */
#include "xml_verify_internal.h"

#include <ctype.h>
#include <string.h>

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#define XPATH_FILTER2 "http://www.w3.org/2002/06/xmldsig-filter2"
/* A Filter 2.0 expression is the signer's, evaluated by us before xmlsec: libxml2 counts its operations. */
#define FILTER2_OP_LIMIT 10000000UL


/* xmlsec's URI forms: XPointer's bare-name and id() (single or double quotes) name one element (unless two elements
 * carry that Id); "" and xpointer(/) the whole document (with comments for xpointer(/), which the C14N may drop
 * again). "#", an empty fragment, is no form of XML-DSig: xmlsec reads it as xpointer(id('')) and fails. */
int es_xv_uri_target(xmlDocPtr doc, const xmlChar *uri, xmlNodePtr *el)
{
	const char *u = (const char *)uri, *id;
	char buf[256];
	size_t len;
	xmlAttrPtr a;

	*el = NULL;
	if (u == NULL)
		return ES_XV_URI_OTHER;
	if (u[0] == '\0')
		return ES_XV_URI_WHOLE;
	if (u[0] != '#')
		return ES_XV_URI_OTHER;
	if (strcmp(u, "#xpointer(/)") == 0)
		return ES_XV_URI_WHOLE_COMMENTS;
	if (strncmp(u, "#xpointer(id(", 13) == 0 && (u[13] == '\'' || u[13] == '"')) {
		id = u + 14;
		len = strcspn(id, u[13] == '\'' ? "'" : "\"");
		if (len == 0 || len >= sizeof(buf) || id[len] == '\0' || strcmp(id + len + 1, "))") != 0)
			return ES_XV_URI_OTHER;
		memcpy(buf, id, len);
		buf[len] = '\0';
		if (es_xv_id_count(doc, BAD_CAST buf) > 1)
			return ES_XV_URI_AMBIGUOUS;
		a = xmlGetID(doc, BAD_CAST buf);
		*el = a != NULL ? a->parent : NULL;
		return ES_XV_URI_ELEMENT_COMMENTS;
	}
	if (u[1] == '\0')
		return ES_XV_URI_EMPTY_FRAGMENT;
	if (strncmp(u, "#xpointer(", 10) == 0)
		return ES_XV_URI_OTHER;
	if (es_xv_id_count(doc, uri + 1) > 1)
		return ES_XV_URI_AMBIGUOUS;
	a = xmlGetID(doc, uri + 1);
	*el = a != NULL ? a->parent : NULL;
	return ES_XV_URI_ELEMENT;
}

/* The expression with every white space removed (none is significant in the forms compared), or -1 if too long. */
static int squeeze(const xmlChar *text, char *out, size_t out_len)
{
	size_t j = 0;

	for (; text != NULL && *text != '\0'; text++) {
		if (isspace(*text))
			continue;
		if (j + 1 >= out_len)
			return -1;
		out[j++] = (char)*text;
	}
	out[j] = '\0';
	return 0;
}

/* XML-DSig's two XPath 1.0 spellings of "no signature": every ds:Signature (XML-DSig 1.0 6.6.3's first example,
 * what .NET and many Java producers write) or only this one (the spec's here() form, the enveloped transform's
 * equivalent). The prefix must be bound to the XML-DSig namespace where the expression stands. */
static int xpath1_kind(xmlNodePtr transform)
{
	xmlNodePtr xp = es_xv_child(transform, NS_DS, "XPath");
	xmlChar *text = xp != NULL ? xmlNodeGetContent(xp) : NULL;
	xmlNsPtr *nss = xp != NULL ? xmlGetNsList(xp->doc, xp) : NULL;
	char got[512], all[256], own[512];
	int kind = ES_XV_T_OTHER;
	size_t i;

	if (text == NULL || nss == NULL || squeeze(text, got, sizeof(got)) != 0)
		goto cleanup;
	for (i = 0; nss[i] != NULL && kind == ES_XV_T_OTHER; i++) {
		const char *p = (const char *)nss[i]->prefix;

		if (p == NULL || !xmlStrEqual(nss[i]->href, BAD_CAST NS_DS))
			continue;
		snprintf(all, sizeof(all), "not(ancestor-or-self::%s:Signature)", p);
		snprintf(own, sizeof(own),
			 "count(ancestor-or-self::%s:Signature|here()/ancestor::%s:Signature[1])>"
			 "count(ancestor-or-self::%s:Signature)",
			 p, p, p);
		if (strcmp(got, all) == 0)
			kind = ES_XV_T_ALL_SIGNATURES;
		else if (strcmp(got, own) == 0)
			kind = ES_XV_T_ENVELOPED;
	}
cleanup:
	xmlFree(text);
	xmlFree(nss);
	return kind;
}

/* XML-DSig's here(): the XPath element holding the expression (xmlsec's definition). */
static void xpath_here(xmlXPathParserContextPtr ctxt, int nargs)
{
	if (nargs != 0) {
		xmlXPathErr(ctxt, XPATH_INVALID_ARITY);
		return;
	}
	valuePush(ctxt, xmlXPathNewNodeSet(ctxt->context->here));
}

static int is_document_or_root(const xmlNode *n)
{
	return n->type == XML_DOCUMENT_NODE || (n->parent != NULL && n->parent->type == XML_DOCUMENT_NODE);
}

static int inside_signature(const xmlNode *n)
{
	for (; n != NULL; n = n->parent)
		if (es_xv_is_el(n, NS_DS, "Signature"))
			return 1;
	return 0;
}

/* XPath Filter 2.0 (http://www.w3.org/2002/06/xmldsig-filter2), evaluated as xmlsec evaluates it (each expression
 * from the document node, namespaces in scope of its XPath element, here() that element). What it may do to the
 * node set and still leave the whole document covered: subtract ds:Signature subtrees (or parts of them), intersect
 * with the whole document, union anything back (covering more). Which signatures it takes out is what counts: only
 * this one (the enveloped transform's equivalent) or others too. */
static int filter2_kind(xmlNodePtr transform, xmlNodePtr sig, char *how, size_t how_len)
{
	xmlNodePtr xp;
	int kind = ES_XV_T_ENVELOPED, n_xp = 0, subtracts_sig = 0;

	for (xp = transform->children; xp != NULL && kind != ES_XV_T_OTHER; xp = xp->next) {
		xmlChar *filter, *expr;
		xmlNsPtr *nss;
		xmlXPathContextPtr ctx;
		xmlXPathObjectPtr res = NULL;
		int i, op;

		if (xp->type != XML_ELEMENT_NODE)
			continue;
		if (!es_xv_is_el(xp, XPATH_FILTER2, "XPath")) {
			kind = ES_XV_T_OTHER;
			break;
		}
		n_xp++;
		filter = xmlGetProp(xp, BAD_CAST "Filter");
		expr = xmlNodeGetContent(xp);
		op = filter == NULL			       ? -1 :
		     xmlStrEqual(filter, BAD_CAST "subtract")  ? 0 :
		     xmlStrEqual(filter, BAD_CAST "intersect") ? 1 :
		     xmlStrEqual(filter, BAD_CAST "union")     ? 2 :
								 -1;
		nss = xmlGetNsList(xp->doc, xp);
		ctx = xmlXPathNewContext(xp->doc);
		if (ctx != NULL && op >= 0 && expr != NULL) {
			ctx->opLimit = FILTER2_OP_LIMIT;
			ctx->node = (xmlNodePtr)xp->doc;
			ctx->here = xp;
			xmlXPathRegisterFunc(ctx, BAD_CAST "here", xpath_here);
			for (i = 0; nss != NULL && nss[i] != NULL; i++)
				if (nss[i]->prefix != NULL)
					xmlXPathRegisterNs(ctx, nss[i]->prefix, nss[i]->href);
			res = xmlXPathEvalExpression(expr, ctx);
		}
		if (res == NULL || res->type != XPATH_NODESET) {
			kind = ES_XV_T_OTHER;
		} else if (op == 0) {
			for (i = 0; res->nodesetval != NULL && i < res->nodesetval->nodeNr; i++) {
				xmlNodePtr n = res->nodesetval->nodeTab[i];

				if (n == sig)
					subtracts_sig = 1;
				else if (es_xv_is_el(n, NS_DS, "Signature"))
					kind = kind == ES_XV_T_OTHER ? kind : ES_XV_T_ALL_SIGNATURES;
				else if (n->type == XML_NAMESPACE_DECL || !inside_signature(n))
					kind = ES_XV_T_OTHER;
			}
		} else if (op == 1) {
			int whole = 0;

			for (i = 0; res->nodesetval != NULL && i < res->nodesetval->nodeNr; i++)
				whole |= is_document_or_root(res->nodesetval->nodeTab[i]);
			if (!whole)
				kind = ES_XV_T_OTHER;
		}
		if (kind != ES_XV_T_OTHER && op == 0 && how[0] == '\0' && expr != NULL)
			snprintf(how, how_len, "XPath Filter 2.0 subtract %.80s", (const char *)expr);
		xmlXPathFreeObject(res);
		xmlXPathFreeContext(ctx);
		xmlFree(nss);
		xmlFree(filter);
		xmlFree(expr);
	}
	if (n_xp == 0)
		kind = ES_XV_T_OTHER;
	else if (kind == ES_XV_T_ENVELOPED && !subtracts_sig)
		kind = ES_XV_T_C14N; /* takes nothing out (whole-document intersects, unions) */
	return kind;
}

int es_xv_transform_kind(xmlNodePtr transform, xmlNodePtr sig, char *how, size_t how_len)
{
	xmlChar *alg = xmlGetProp(transform, BAD_CAST "Algorithm");
	int kind = ES_XV_T_OTHER;

	how[0] = '\0';
	if (alg == NULL)
		return ES_XV_T_OTHER;
	if (strstr((const char *)alg, "c14n") != NULL)
		kind = ES_XV_T_C14N;
	else if (xmlStrEqual(alg, BAD_CAST "http://www.w3.org/2000/09/xmldsig#enveloped-signature"))
		kind = ES_XV_T_ENVELOPED;
	else if (xmlStrEqual(alg, BAD_CAST XPATH_TRANSFORM)) {
		kind = xpath1_kind(transform);
		if (kind == ES_XV_T_ALL_SIGNATURES)
			snprintf(how, how_len, "XPath not(ancestor-or-self::ds:Signature)");
	} else if (xmlStrEqual(alg, BAD_CAST XPATH_FILTER2))
		kind = filter2_kind(transform, sig, how, how_len);
	xmlFree(alg);
	return kind;
}
