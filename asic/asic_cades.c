/* asic/asic_cades.c: the CAdES form of ASiC: an ASiCManifest (EN 319 162-1 A.4) naming each file with its digest,
 * sealed by a detached .p7s (ASiC-E), or a .p7s over the one file (ASiC-S); and the manifest check of the verifier. */
#include "asic_internal.h"
#include "eseal/cms.h"
#include "core/error_internal.h"
#include "core/input_internal.h"
#include "pki/report.h"
#include "xml/xades_props.h"
#include "xml/xml_detached.h"
#include "xml/xml_lib.h"
#include "xml/xml_read.h"
#include "xml/xml_sign.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/uri.h>
#include <openssl/crypto.h>

#define NS_DSIG "http://www.w3.org/2000/09/xmldsig#"

static int digest_b64(const char *path, const EVP_MD *md, char **b64, eseal_error *err)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	int rc = es_input_digest(path, &es_input_document, md, d, &dl, err);

	if (rc != ESEAL_OK)
		return rc;
	*b64 = es_xml_base64(d, dl);
	return *b64 != NULL ? ESEAL_OK : es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
}

/* The manifest's bytes (UTF-8, with declaration), malloc'd. */
static int build_manifest(const char *const *paths, char *const *names, size_t n, const EVP_MD *md, unsigned char **out,
			  size_t *out_len, eseal_error *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root = NULL, el, sub;
	xmlNsPtr ns = NULL, ds = NULL;
	xmlChar *mem = NULL;
	int mem_len = 0, rc;

	if ((rc = es_xml_lib_init(err)) != ESEAL_OK)
		return rc;
	doc = xmlNewDoc(BAD_CAST "1.0");
	root = doc != NULL ? xmlNewDocNode(doc, NULL, BAD_CAST "ASiCManifest", NULL) : NULL;
	if (root == NULL || (ns = xmlNewNs(root, BAD_CAST ES_NS_ASIC, NULL)) == NULL ||
	    (ds = xmlNewNs(root, BAD_CAST NS_DSIG, BAD_CAST "ds")) == NULL) {
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
		char *b64 = NULL;

		if (uri == NULL || (rc = digest_b64(paths[i], md, &b64, err)) != ESEAL_OK) {
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

int es_asic_cades_seal(const char *const *paths, char *const *names, size_t n, int asic_s,
		       const eseal_asic_options *opts, unsigned char **manifest, size_t *manifest_len,
		       unsigned char **p7s, size_t *p7s_len, const char *out_path, eseal_error *err)
{
	const EVP_MD *md = opts->md != NULL ? opts->md : EVP_sha256();
	unsigned char d[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int dl = 0;
	eseal_cms_options co;
	int rc;

	*manifest = NULL;
	*p7s = NULL;
	if (asic_s)
		rc = es_input_digest(paths[0], &es_input_document, md, d, &dl, err);
	else if ((rc = build_manifest(paths, names, n, md, manifest, manifest_len, err)) == ESEAL_OK &&
		 EVP_Digest(*manifest, *manifest_len, d, &dl, md, NULL) != 1)
		rc = es_error_set_ossl(err, ESEAL_E_CRYPTO, "%s: digest of the ASiCManifest", out_path);
	if (rc != ESEAL_OK)
		return rc;
	memset(&co, 0, sizeof(co));
	co.md = md;
	co.add_signing_time = 1; /* EN 319 122-1 CAdES-B */
	co.tsa = opts->tsa;
	if ((rc = eseal_cms_sign_digest(opts->signer, &co, d, dl, &der, p7s_len, err)) != ESEAL_OK)
		return rc;
	if ((*p7s = malloc(*p7s_len)) == NULL) {
		OPENSSL_free(der);
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	}
	memcpy(*p7s, der, *p7s_len);
	OPENSSL_free(der);
	return ESEAL_OK;
}

static const EVP_MD *md_of_href(const char *href)
{
	if (href == NULL)
		return NULL;
	if (strcmp(href, "http://www.w3.org/2001/04/xmlenc#sha256") == 0)
		return EVP_sha256();
	if (strcmp(href, "http://www.w3.org/2001/04/xmldsig-more#sha384") == 0)
		return EVP_sha384();
	if (strcmp(href, "http://www.w3.org/2001/04/xmlenc#sha512") == 0)
		return EVP_sha512();
	return NULL;
}

static xmlNodePtr child_el(xmlNodePtr n, const char *ns, const char *name)
{
	for (xmlNodePtr c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns != NULL && strcmp((const char *)c->ns->href, ns) == 0 &&
		    strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

/* One DataObjectReference: the named file of the container, digested as the manifest says. */
static void check_entry(xmlNodePtr ref, const char *dir, const es_asic_unpacked *u, eseal_seal_report *s)
{
	xmlChar *uri = xmlGetProp(ref, BAD_CAST "URI");
	xmlNodePtr dm = child_el(ref, NS_DSIG, "DigestMethod"), dv = child_el(ref, NS_DSIG, "DigestValue");
	xmlChar *alg = dm != NULL ? xmlGetProp(dm, BAD_CAST "Algorithm") : NULL, *val = NULL;
	char *name = NULL, *path = NULL, *b64 = NULL;
	const EVP_MD *md = md_of_href((const char *)alg);
	const char *why;
	eseal_error derr;

	name = uri != NULL && strpbrk((const char *)uri, ":#?") == NULL ?
		       xmlURIUnescapeString((const char *)uri, 0, NULL) :
		       NULL;
	if (name == NULL || !es_asic_name_ok(name, &why) || strncmp(name, "META-INF/", 9) == 0 ||
	    strcmp(name, "mimetype") == 0) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "ASiCManifest DataObjectReference URI \"%s\" is not a data file of the container",
			     uri != NULL ? (const char *)uri : "");
		goto cleanup;
	}
	if (md == NULL || dv == NULL) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "ASiCManifest entry %s: no DigestValue or an unsupported DigestMethod", name);
		goto cleanup;
	}
	if (!es_file_in(u, name)) {
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_SIGNED_DATA_NOT_FOUND,
			     "file %s named by the ASiCManifest is missing from the container", name);
		goto cleanup;
	}
	es_seal_add_file(s, name);
	path = es_strdup_printf("%s/%s", dir, name);
	eseal_error_clear(&derr);
	val = xmlNodeGetContent(dv);
	if (path == NULL || digest_b64(path, md, &b64, &derr) != ESEAL_OK) {
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_SIGNED_DATA_NOT_FOUND, "file %s not read: %s", name,
			     derr.message);
		goto cleanup;
	}
	if (val == NULL || strcmp((const char *)val, b64) != 0)
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_HASH_FAILURE,
			     "file %s changed: its digest differs from the one the ASiCManifest seals", name);
cleanup:
	OPENSSL_free(b64);
	free(path);
	xmlFree(name);
	xmlFree(val);
	xmlFree(alg);
	xmlFree(uri);
}

char *es_asic_manifest_sigref(const unsigned char *buf, size_t len)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root, sr;
	xmlChar *uri = NULL;
	char why[256], *dec = NULL, *out = NULL;

	if (es_xml_read(buf, len, -1, NULL, &doc, NULL, why, sizeof(why)) != ESEAL_OK)
		return NULL;
	root = xmlDocGetRootElement(doc);
	sr = child_el(root, ES_NS_ASIC, "SigReference");
	uri = sr != NULL ? xmlGetProp(sr, BAD_CAST "URI") : NULL;
	dec = uri != NULL && strpbrk((const char *)uri, ":#?") == NULL ?
		      xmlURIUnescapeString((const char *)uri, 0, NULL) :
		      NULL;
	out = dec != NULL ? strdup(dec) : NULL;
	xmlFree(dec);
	xmlFree(uri);
	xmlFreeDoc(doc);
	return out;
}

void es_asic_check_manifest(const unsigned char *buf, size_t len, const char *manifest_name, const es_asic_unpacked *u,
			    eseal_seal_report *s)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root, c;
	char why[512];
	size_t n_refs = 0;

	if (es_xml_read(buf, len, -1, NULL, &doc, NULL, why, sizeof(why)) != ESEAL_OK) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "%s: %s", manifest_name, why);
		return;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || root->ns == NULL || strcmp((const char *)root->ns->href, ES_NS_ASIC) != 0 ||
	    strcmp((const char *)root->name, "ASiCManifest") != 0) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "%s is not an asic:ASiCManifest",
			     manifest_name);
		goto cleanup;
	}
	for (c = root->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns != NULL &&
		    strcmp((const char *)c->ns->href, ES_NS_ASIC) == 0 &&
		    strcmp((const char *)c->name, "DataObjectReference") == 0) {
			size_t before = s->n_files;

			check_entry(c, u->dir, u, s);
			/* The same file twice is harmless; keep it listed once. */
			for (size_t k = 0; s->n_files > before && k < before; k++)
				if (strcmp(s->files[k], s->files[before]) == 0) {
					free(s->files[--s->n_files]);
					break;
				}
			n_refs++;
		}
	if (n_refs == 0)
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "%s names no file", manifest_name);
cleanup:
	xmlFreeDoc(doc);
}
