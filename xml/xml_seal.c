/* xml/xml_seal.c: the enveloped XAdES sealer (placements enveloped, fatturapa, ubl).
 * Parse defensively, refuse what a seal would break, place the signature, sign, write atomically. */
#include "xml_internal.h"
#include "core/error_internal.h"

#include <string.h>

#include <libxml/tree.h>

static int check_options(const char *in_path, const char *out_path, const eseal_xml_options *opts, eseal_error *err)
{
	if (in_path == NULL || out_path == NULL || opts == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "XML seal: input, output and options are required");
	if (opts->signer == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "%s: XML seal: no signer", in_path);
	return ESEAL_OK;
}

static const char *local_name_of(xmlNodePtr n)
{
	return n != NULL ? (const char *)n->name : "";
}

eseal_status esx_seal(const char *in_path, const char *out_path, const eseal_xml_options *opts, eseal_error *err)
{
	es_xml_errors cap;
	es_xml_source src;
	es_xml_read_info info;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, existing, parent = NULL;
	es_xml_ref ref;
	es_xml_sign_request req;
	char sig_id[96], why[512];
	int rc;

	eseal_error_clear(err);
	rc = check_options(in_path, out_path, opts, err);
	if (rc != ESEAL_OK)
		return rc;
	if (opts->placement == ESEAL_PLACEMENT_DETACHED)
		return esx_seal_detached(&in_path, 1, out_path, opts, err);
	es_xml_errors_begin(&cap);
	rc = es_xml_parse_file(in_path, &doc, &src, &info, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	if (info.signatures >= ES_XML_MAX_SIGS) {
		/* the verifier's words for the document this seal would make */
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: more than %d ds:Signature elements: refused (with this seal)",
				  in_path, ES_XML_MAX_SIGS);
		goto cleanup;
	}
	root = xmlDocGetRootElement(doc);
	if (es_xml_split_text(root, why, sizeof(why)) != NULL) {
		/* sealed, it would verify as TOTAL-FAILED: what the seal covers is not what such a reader sees */
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: %s", in_path, why);
		goto cleanup;
	}
	existing = es_xml_find_signature(root);
	if (existing != NULL && !opts->force) {
		rc = es_error_because(
			err, ESEAL_E_INPUT, ESEAL_REASON_ALREADY_SIGNED,
			"%s: document already holds a ds:Signature (line %ld); an enveloped seal would break it: "
			"seal it detached, or force the enveloped seal",
			in_path, xmlGetLineNo(existing));
		goto cleanup;
	}
	rc = es_xml_new_id(sig_id, sizeof(sig_id), "Signature-", err);
	if (rc != ESEAL_OK)
		goto cleanup;
	memset(&ref, 0, sizeof(ref));
	ref.mime = "text/xml";
	switch (opts->placement) {
	case ESEAL_PLACEMENT_UBL:
		ref.kind = ES_XML_REF_UBL;
		rc = es_xml_place_ubl(doc, sig_id, in_path, &parent, err);
		break;
	case ESEAL_PLACEMENT_FATTURAPA:
		if (strcmp(local_name_of(root), "FatturaElettronica") != 0) {
			rc = es_error_set(err, ESEAL_E_INPUT,
					  "%s: placement fatturapa needs a FatturaElettronica document (root is %s)",
					  in_path, local_name_of(root));
			break;
		}
		/* FatturaPA's XAdES-BES is the generic enveloped form, rsa-sha256 only */
		ref.kind = ES_XML_REF_ENVELOPED;
		parent = root;
		break;
	default:
		ref.kind = ES_XML_REF_ENVELOPED;
		parent = root;
		break;
	}
	if (rc != ESEAL_OK)
		goto cleanup;
	memset(&req, 0, sizeof(req));
	req.doc = doc;
	req.parent = parent;
	req.sig_id = sig_id;
	req.refs = &ref;
	req.n_refs = 1;
	req.opts = opts;
	req.path = in_path;
	req.require_rsa_pkcs1 = opts->placement == ESEAL_PLACEMENT_FATTURAPA;
	rc = es_xml_sign(&req, NULL, &cap, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	rc = es_xml_write(doc, &src, in_path, out_path, opts, &cap, err);
cleanup:
	xmlFreeDoc(doc);
	es_xml_errors_end(&cap);
	return rc;
}
