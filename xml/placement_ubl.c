/* xml/placement_ubl.c: where a seal goes in a UBL 2.1 document (OASIS UBL 2.1, Annex "UBL Digital Signatures"):
 * ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/sig:UBLDocumentSignatures/sac:SignatureInformation. */
#include "xml_internal.h"
#include "core/error_internal.h"

#include <stdio.h>
#include <string.h>

#define NS_EXT "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
#define NS_SIG "urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2"
#define NS_SAC "urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2"
#define NS_SBC "urn:oasis:names:specification:ubl:schema:xsd:SignatureBasicComponents-2"
#define NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#define NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define UBL_DOC_NS_PREFIX "urn:oasis:names:specification:ubl:schema:xsd:"
#define UBL_XADES_EXT_URI "urn:oasis:names:specification:ubl:dsig:enveloped:xades"

/* In UBL 2.1 Invoice, CreditNote, DebitNote, Order... the element right after cac:Signature is one of these; the
 * body's cac:Signature goes before the first of them. */
static const char *const after_signature[] = {"AccountingSupplierParty",
					      "AccountingCustomerParty",
					      "SellerSupplierParty",
					      "BuyerCustomerParty",
					      "SenderParty",
					      "ReceiverParty",
					      "DespatchSupplierParty",
					      "DeliveryCustomerParty",
					      "PayeeParty",
					      NULL};

static int is_el(xmlNodePtr n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL && xmlStrEqual(n->ns->href, BAD_CAST ns) &&
	       (name == NULL || xmlStrEqual(n->name, BAD_CAST name));
}

/* The namespace in scope at node for href, else a new declaration on node itself (never on an existing element:
 * that would change the canonical form of content outside the signature). */
static xmlNsPtr ns_for(xmlNodePtr node, const char *href, const char *prefix)
{
	xmlNsPtr ns = xmlSearchNsByHref(node->doc, node, BAD_CAST href);

	if (ns != NULL && ns->prefix != NULL)
		return ns;
	return xmlNewNs(node, BAD_CAST href, BAD_CAST prefix);
}

/* A new element (namespace href, preferred prefix) linked as the last child of parent, or before `before`. */
static xmlNodePtr new_el(xmlNodePtr parent, xmlNodePtr before, const char *href, const char *prefix, const char *name,
			 const char *text)
{
	xmlNodePtr n = xmlNewDocNode(parent->doc, NULL, BAD_CAST name, NULL);

	if (n == NULL)
		return NULL;
	if (before != NULL)
		xmlAddPrevSibling(before, n);
	else
		xmlAddChild(parent, n);
	xmlSetNs(n, ns_for(n, href, prefix));
	if (text != NULL)
		xmlNodeAddContent(n, BAD_CAST text);
	return n;
}

static xmlNodePtr first_element(xmlNodePtr n)
{
	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

/* The body's cac:Signature (UBL 2.1: ID, SignatureMethod), at its schema position. */
static int add_body_signature(xmlNodePtr root, const char *sig_ref_id, const char *path, eseal_error *err)
{
	xmlNodePtr before = NULL, last_sig = NULL, sig, n;

	for (n = first_element(root->children); n != NULL; n = first_element(n->next)) {
		if (is_el(n, NS_CAC, "Signature")) {
			for (xmlNodePtr c = first_element(n->children); c != NULL; c = first_element(c->next)) {
				xmlChar *v = is_el(c, NS_CBC, "ID") ? xmlNodeGetContent(c) : NULL;
				int same = v != NULL && xmlStrEqual(v, BAD_CAST sig_ref_id);

				xmlFree(v);
				if (same)
					return ESEAL_OK; /* already announced (a second seal with --force) */
			}
			last_sig = n;
		}
		for (size_t i = 0; before == NULL && after_signature[i] != NULL; i++)
			if (is_el(n, NS_CAC, after_signature[i]))
				before = n;
	}
	if (last_sig != NULL)
		before = first_element(last_sig->next);
	if (before == NULL && last_sig == NULL)
		return es_error_set(
			err, ESEAL_E_INPUT,
			"%s: no cac:AccountingSupplierParty (or similar) to place cac:Signature before; not a "
			"UBL 2.1 business document this placement knows",
			path);
	sig = new_el(root, before, NS_CAC, "cac", "Signature", NULL);
	if (sig == NULL || new_el(sig, NULL, NS_CBC, "cbc", "ID", sig_ref_id) == NULL ||
	    new_el(sig, NULL, NS_CBC, "cbc", "SignatureMethod", UBL_XADES_EXT_URI) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot build cac:Signature", path);
	return ESEAL_OK;
}

/* The sig:UBLDocumentSignatures of an earlier seal: ext:UBLExtension/ext:ExtensionContent/sig:UBLDocumentSignatures
 * under exts, else NULL. */
static xmlNodePtr existing_container(xmlNodePtr exts)
{
	for (xmlNodePtr ext = first_element(exts->children); ext != NULL; ext = first_element(ext->next)) {
		if (!is_el(ext, NS_EXT, "UBLExtension"))
			continue;
		for (xmlNodePtr c = first_element(ext->children); c != NULL; c = first_element(c->next)) {
			xmlNodePtr box = is_el(c, NS_EXT, "ExtensionContent") ? first_element(c->children) : NULL;

			if (is_el(box, NS_SIG, "UBLDocumentSignatures"))
				return box;
		}
	}
	return NULL;
}

int es_xml_place_ubl(xmlDocPtr doc, const char *sig_id, const char *path, xmlNodePtr *parent_out, eseal_error *err)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	xmlNodePtr exts = NULL, ext, content, docsigs, info, first;
	char sig_ref_id[200], info_id[64];
	int n_existing = 0;

	(void)sig_id;
	if (root == NULL || root->ns == NULL ||
	    xmlStrncmp(root->ns->href, BAD_CAST UBL_DOC_NS_PREFIX, (int)strlen(UBL_DOC_NS_PREFIX)) != 0)
		return es_error_set(err, ESEAL_E_INPUT,
				    "%s: placement ubl needs a UBL 2.x document (root %s is not in an "
				    "OASIS UBL namespace)",
				    path, root != NULL ? (const char *)root->name : "?");
	/* cbc:ID of the body's cac:Signature, which sbc:ReferencedSignatureID points at. */
	snprintf(sig_ref_id, sizeof(sig_ref_id), "urn:oasis:names:specification:ubl:signature:%s",
		 (const char *)root->name);
	first = first_element(root->children);
	if (is_el(first, NS_EXT, "UBLExtensions"))
		exts = first;
	else if ((exts = new_el(root, first, NS_EXT, "ext", "UBLExtensions", NULL)) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot build ext:UBLExtensions", path);
	/* A document already sealed: the new signature joins the existing container, which every UBL seal leaves
	 * out of its digest; a new ext:UBLExtension would change what the earlier seals cover. */
	docsigs = existing_container(exts);
	if (docsigs != NULL) {
		for (xmlNodePtr n = first_element(docsigs->children); n != NULL; n = first_element(n->next))
			n_existing += is_el(n, NS_SAC, "SignatureInformation");
	} else {
		ext = new_el(exts, NULL, NS_EXT, "ext", "UBLExtension", NULL);
		if (ext == NULL || new_el(ext, NULL, NS_EXT, "ext", "ExtensionURI", UBL_XADES_EXT_URI) == NULL ||
		    (content = new_el(ext, NULL, NS_EXT, "ext", "ExtensionContent", NULL)) == NULL ||
		    (docsigs = new_el(content, NULL, NS_SIG, "sig", "UBLDocumentSignatures", NULL)) == NULL)
			return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot build the UBL signature extension", path);
	}
	info = new_el(docsigs, NULL, NS_SAC, "sac", "SignatureInformation", NULL);
	if (info == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot build sac:SignatureInformation", path);
	snprintf(info_id, sizeof(info_id), "urn:oasis:names:specification:ubl:signature:%d", n_existing + 1);
	if (new_el(info, NULL, NS_CBC, "cbc", "ID", info_id) == NULL ||
	    new_el(info, NULL, NS_SBC, "sbc", "ReferencedSignatureID", sig_ref_id) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot build sac:SignatureInformation", path);
	*parent_out = info;
	return add_body_signature(root, sig_ref_id, path, err);
}
