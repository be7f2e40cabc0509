/* asic/asic_cades.c: the CAdES form of ASiC: an ASiCManifest (EN 319 162-1 A.4) naming each file with its digest,
 * sealed by a detached .p7s (ASiC-E), or a .p7s over the one file (ASiC-S); and the manifest check of the verifier. */
#include "asic_internal.h"
#include "eseal/cms.h"
#include "core/error_internal.h"
#include "core/input_internal.h"
#include "pki/report.h"
#include "xml/xml.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* The file's md digest in base64 (as a ds:DigestValue holds it), malloc'd into *b64. */
static int digest_b64(const char *path, const EVP_MD *md, char **b64, eseal_error *err)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	int rc = es_input_digest(path, &es_input_document, md, d, &dl, err);

	if (rc != ESEAL_OK)
		return rc;
	if ((*b64 = malloc(4 * ((dl + 2) / 3) + 1)) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	EVP_EncodeBlock((unsigned char *)*b64, d, (int)dl);
	return ESEAL_OK;
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
	else if ((rc = es_asic_manifest_write(paths, names, n, md, manifest, manifest_len, err)) == ESEAL_OK &&
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

/* One DataObjectReference: the named file of the container, digested as the manifest says. */
static void check_entry(const es_asic_manifest_ref *ref, const char *dir, const es_asic_unpacked *u,
			eseal_seal_report *s)
{
	const char *name = ref->name, *why;
	const EVP_MD *md = md_of_href(ref->algorithm);
	char *path = NULL, *b64 = NULL;
	eseal_error derr;

	if (name == NULL || !es_asic_name_ok(name, &why) || strncmp(name, "META-INF/", 9) == 0 ||
	    strcmp(name, "mimetype") == 0) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "ASiCManifest DataObjectReference URI \"%s\" is not a data file of the container",
			     ref->uri);
		goto cleanup;
	}
	if (md == NULL || ref->digest == NULL) {
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
	if (path == NULL || digest_b64(path, md, &b64, &derr) != ESEAL_OK) {
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_SIGNED_DATA_NOT_FOUND, "file %s not read: %s", name,
			     derr.message);
		goto cleanup;
	}
	if (strcmp(ref->digest, b64) != 0)
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_HASH_FAILURE,
			     "file %s changed: its digest differs from the one the ASiCManifest seals", name);
cleanup:
	free(b64);
	free(path);
}

char *es_asic_manifest_sigref(const unsigned char *buf, size_t len)
{
	es_asic_manifest *m = NULL;
	eseal_error err;
	char *out = NULL;

	eseal_error_clear(&err);
	if (es_asic_manifest_read(buf, len, &m, &err) != ESEAL_OK)
		return NULL;
	out = m->sig_ref;
	m->sig_ref = NULL;
	es_asic_manifest_free(m);
	return out;
}

void es_asic_check_manifest(const unsigned char *buf, size_t len, const char *manifest_name, const es_asic_unpacked *u,
			    eseal_seal_report *s)
{
	es_asic_manifest *m = NULL;
	eseal_error err;

	eseal_error_clear(&err);
	if (es_asic_manifest_read(buf, len, &m, &err) != ESEAL_OK) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "%s: %s", manifest_name, err.message);
		return;
	}
	if (!m->is_manifest) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "%s is not an asic:ASiCManifest",
			     manifest_name);
		goto cleanup;
	}
	for (size_t i = 0; i < m->n_refs; i++) {
		size_t before = s->n_files;

		check_entry(&m->refs[i], u->dir, u, s);
		/* The same file twice is harmless; keep it listed once. */
		for (size_t k = 0; s->n_files > before && k < before; k++)
			if (strcmp(s->files[k], s->files[before]) == 0) {
				free(s->files[--s->n_files]);
				break;
			}
	}
	if (m->n_refs == 0)
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "%s names no file", manifest_name);
cleanup:
	es_asic_manifest_free(m);
}
