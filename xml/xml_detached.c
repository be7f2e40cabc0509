/* xml/xml_detached.c: a standalone XAdES document (root ds:Signature, or asic:XAdESSignatures in a container) over
 * external files: given files by their URI relative to the signature file, or a whole folder by names relative to it. */
#include "xml_detached.h"
#include "xml_lib.h"

#include "xml_internal.h"
#include "core/error_internal.h"
#include "core/file_tree_internal.h"
#include "core/input_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/uri.h>
#include <openssl/crypto.h>

static const struct {
	const char *ext, *mime;
} mime_types[] = {
	{"xml", "text/xml"},
	{"pdf", "application/pdf"},
	{"jpg", "image/jpeg"},
	{"jpeg", "image/jpeg"},
	{"png", "image/png"},
	{"tif", "image/tiff"},
	{"tiff", "image/tiff"},
	{"gif", "image/gif"},
	{"txt", "text/plain"},
	{"csv", "text/csv"},
	{"htm", "text/html"},
	{"html", "text/html"},
	{"dwg", "image/vnd.dwg"},
	{"dxf", "image/vnd.dxf"},
	{"zip", "application/zip"},
	{"json", "application/json"},
	{"dtd", "application/xml-dtd"},
	{"xsd", "application/xml"},
	{"doc", "application/msword"},
	{"xls", "application/vnd.ms-excel"},
	{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
};

const char *es_xml_guess_mime(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');

	if (dot != NULL && (slash == NULL || dot > slash))
		for (size_t i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
			if (strcasecmp(dot + 1, mime_types[i].ext) == 0)
				return mime_types[i].mime;
	return "application/octet-stream";
}

static int digest_file(const char *path, const EVP_MD *md, es_xml_ref *ref, eseal_error *err)
{
	return es_input_digest(path, &es_input_document, md, ref->digest, &ref->digest_len, err);
}

/* Path of target relative to directory base (both absolute, canonical), e.g. "../dwg/a.dwg". */
static char *relative_path(const char *base, const char *target)
{
	size_t common = 0, i = 0, ups = 0;
	const char *rest;
	char *out;

	/* Longest common prefix that ends at a component boundary. */
	while (base[i] != '\0' && base[i] == target[i]) {
		i++;
		if (base[i] == '/' || (base[i] == '\0' && target[i] == '/'))
			common = i;
	}
	if (strcmp(base, "/") == 0)
		common = 0;
	rest = target + common;
	while (*rest == '/')
		rest++;
	for (const char *p = base + common; *p != '\0'; p++)
		if (*p == '/' && p[1] != '\0')
			ups++;
	out = malloc(ups * 3 + strlen(rest) + 1);
	if (out == NULL)
		return NULL;
	out[0] = '\0';
	for (size_t k = 0; k < ups; k++)
		strcat(out, "../");
	strcat(out, rest);
	return out;
}

/* The Reference URI for in_path as seen from the directory of out_path, percent-escaped (RFC 3986). */
static int reference_uri(const char *in_path, const char *out_path, char **uri_out, eseal_error *err)
{
	char in_real[PATH_MAX], out_dir_real[PATH_MAX];
	char *out_copy = strdup(out_path);
	char *rel = NULL;
	xmlChar *esc = NULL;
	int rc = ESEAL_OK;

	*uri_out = NULL;
	if (out_copy == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	if (realpath(in_path, in_real) == NULL) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot resolve path: %s", in_path, strerror(errno));
		goto cleanup;
	}
	if (realpath(dirname(out_copy), out_dir_real) == NULL) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot resolve output directory: %s", out_path,
				  strerror(errno));
		goto cleanup;
	}
	rel = relative_path(out_dir_real, in_real);
	esc = rel != NULL ? xmlURIEscapeStr(BAD_CAST rel, BAD_CAST "/") : NULL;
	if (esc == NULL || (*uri_out = strdup((const char *)esc)) == NULL)
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
cleanup:
	free(out_copy);
	free(rel);
	xmlFree(esc);
	return rc;
}

/* A name relative to the folder or container root ("DRAWING/図面 1.P21") as a Reference URI (RFC 3986 escaping;
 * '/' kept): the verifier decodes it once and reads the file beneath its data directory. */
static int escape_name(const char *name, char **uri_out, eseal_error *err)
{
	xmlChar *esc = xmlURIEscapeStr(BAD_CAST name, BAD_CAST "/");

	*uri_out = esc != NULL ? strdup((const char *)esc) : NULL;
	xmlFree(esc);
	return *uri_out != NULL ? ESEAL_OK : es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
}

/* The input whose permissions the detached signature file takes (eseal_output_open): the one others may read least
 * (fewest permission bits), so the signature, which names the files and their digests, is no more readable. */
static const char *most_private(const char *const *in_paths, size_t n_in)
{
	const char *best = in_paths[0];
	int best_bits = 13;
	struct stat st;

	for (size_t i = 0; i < n_in; i++)
		if (stat(in_paths[i], &st) == 0 && __builtin_popcount(st.st_mode & 0777) < best_bits) {
			best_bits = __builtin_popcount(st.st_mode & 0777);
			best = in_paths[i];
		}
	return best;
}

/* What esx_seal_set writes: the data files and their names; the wrapper is an ASiC container's root. */
eseal_status esx_seal_set(const es_xml_detached_set *set, const char *out_path, const eseal_xml_options *opts,
			  eseal_error *err)
{
	const EVP_MD *md = opts != NULL && opts->md != NULL ? opts->md : EVP_sha256();
	es_xml_source src = {1, 0};
	es_xml_errors cap;
	es_xml_ref *refs = NULL;
	char **uris = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root = NULL;
	es_xml_sign_request req;
	struct stat out_st, in_st;
	int rc = ESEAL_OK;

	if (set == NULL || set->n == 0 || out_path == NULL || opts == NULL || opts->signer == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "detached XAdES: input files, output and signer are required");
	if ((rc = es_xml_lib_init(err)) != ESEAL_OK)
		return rc;
	es_xml_errors_begin(&cap);
	refs = OPENSSL_zalloc(set->n * sizeof(*refs));
	uris = OPENSSL_zalloc(set->n * sizeof(*uris));
	doc = xmlNewDoc(BAD_CAST "1.0");
	if (refs == NULL || uris == NULL || doc == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", out_path);
		goto cleanup;
	}
	doc->encoding = xmlStrdup(BAD_CAST "UTF-8");
	if (set->asic) {
		/* EN 319 162-1 clause A.5: the signatures of META-INF/signatures*.xml sit in asic:XAdESSignatures. */
		xmlNsPtr ns;

		root = xmlNewDocNode(doc, NULL, BAD_CAST "XAdESSignatures", NULL);
		ns = root != NULL ? xmlNewNs(root, BAD_CAST ES_NS_ASIC, BAD_CAST "asic") : NULL;
		if (ns == NULL) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", out_path);
			goto cleanup;
		}
		xmlSetNs(root, ns);
		xmlDocSetRootElement(doc, root);
	}
	for (size_t i = 0; i < set->n; i++) {
		if (stat(out_path, &out_st) == 0 && stat(set->paths[i], &in_st) == 0 && out_st.st_dev == in_st.st_dev &&
		    out_st.st_ino == in_st.st_ino) {
			rc = es_error_set(err, ESEAL_E_USAGE,
					  "%s: output is one of the inputs; inputs are never modified", out_path);
			goto cleanup;
		}
		rc = digest_file(set->paths[i], md, &refs[i], err);
		if (rc == ESEAL_OK && set->names != NULL)
			rc = escape_name(set->names[i], &uris[i], err);
		else if (rc == ESEAL_OK)
			rc = reference_uri(set->paths[i], out_path, &uris[i], err);
		if (rc != ESEAL_OK)
			goto cleanup;
		refs[i].kind = ES_XML_REF_DETACHED;
		refs[i].uri = uris[i];
		refs[i].mime = es_xml_guess_mime(set->paths[i]);
	}
	memset(&req, 0, sizeof(req));
	req.doc = doc;
	req.parent = root;
	req.refs = refs;
	req.n_refs = set->n;
	req.opts = opts;
	req.path = out_path;
	rc = es_xml_sign(&req, NULL, &cap, err);
	if (rc == ESEAL_OK)
		rc = es_xml_write(doc, &src, set->perm_from != NULL ? set->perm_from : most_private(set->paths, set->n),
				  out_path, opts, &cap, err);
cleanup:
	for (size_t i = 0; uris != NULL && i < set->n; i++)
		free(uris[i]);
	OPENSSL_free(uris);
	OPENSSL_free(refs);
	xmlFreeDoc(doc);
	es_xml_errors_end(&cap);
	return rc;
}

int es_xml_seal_dir(const char *dir, const char *out_path, const eseal_xml_options *opts, eseal_error *err)
{
	es_file_tree tree;
	es_xml_detached_set set;
	char **paths = NULL;
	int rc;

	if ((rc = es_file_tree_outside(dir, out_path, "seal", err)) != ESEAL_OK)
		return rc;
	if ((rc = es_file_tree_list(dir, NULL, &tree, err)) != ESEAL_OK)
		return rc;
	if (tree.n == 0) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: the folder holds no file to seal", dir);
		goto cleanup;
	}
	if ((paths = calloc(tree.n, sizeof(*paths))) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < tree.n; i++)
		if ((paths[i] = es_file_tree_path(dir, tree.names[i])) == NULL) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
			goto cleanup;
		}
	memset(&set, 0, sizeof(set));
	set.paths = (const char *const *)paths;
	set.names = (const char *const *)tree.names;
	set.n = tree.n;
	set.perm_from = dir;
	rc = esx_seal_set(&set, out_path, opts, err);
cleanup:
	for (size_t i = 0; paths != NULL && i < tree.n; i++)
		free(paths[i]);
	free(paths);
	es_file_tree_free(&tree);
	return rc;
}

eseal_status esx_seal_detached(const char *const *in_paths, size_t n_in, const char *out_path,
			       const eseal_xml_options *opts, eseal_error *err)
{
	es_xml_detached_set set;
	struct stat st;

	eseal_error_clear(err);
	if (in_paths == NULL || n_in == 0)
		return es_error_set(err, ESEAL_E_USAGE, "detached XAdES: input files, output and signer are required");
	for (size_t i = 0; i < n_in; i++)
		if (stat(in_paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (n_in > 1)
				return es_error_set(err, ESEAL_E_USAGE,
						    "%s: a folder is sealed alone (every file under it); give the folder "
						    "only, or files only",
						    in_paths[i]);
			return es_xml_seal_dir(in_paths[0], out_path, opts, err);
		}
	memset(&set, 0, sizeof(set));
	set.paths = in_paths;
	set.n = n_in;
	return esx_seal_set(&set, out_path, opts, err);
}
