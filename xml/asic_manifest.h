/* xml/asic_manifest.h: the ASiCManifest of a CAdES ASiC-E container (EN 319 162-1 A.4) written and read as XML for
 * asic/, which digests and checks the files it names: asic/ itself calls no XML library. */
#ifndef ES_ASIC_MANIFEST_H
#define ES_ASIC_MANIFEST_H

#include <stddef.h>
#include <openssl/evp.h>

#include "eseal/error.h"

/* One DataObjectReference as the manifest gives it. */
typedef struct es_asic_manifest_ref {
	char *uri;       /* the URI attribute as written ("" when absent) */
	char *name;      /* the URI decoded; NULL when absent or not a plain relative reference (":#?") */
	char *algorithm; /* ds:DigestMethod's Algorithm, NULL when absent */
	char *digest;    /* ds:DigestValue's text, NULL when absent */
} es_asic_manifest_ref;

/* An ASiCManifest read: everything malloc'd, freed by es_asic_manifest_free. */
typedef struct es_asic_manifest {
	char *sig_ref;   /* SigReference's URI decoded, NULL when absent or not a plain relative reference */
	int is_manifest; /* the root is asic:ASiCManifest; no reference is read otherwise */
	es_asic_manifest_ref *refs;
	size_t n_refs;
} es_asic_manifest;

/* The manifest naming the n files at paths (as names in the container) with their md digests, and
 * META-INF/signature001.p7s as its signature: UTF-8 with a declaration, malloc'd into *out. */
eseal_status es_asic_manifest_write(const char *const *paths, char *const *names, size_t n, const EVP_MD *md,
				    unsigned char **out, size_t *out_len, eseal_error *err);
/* buf read under the XML verifier's policy into *out (malloc'd); ESEAL_E_INPUT with the reason (no file name: the
 * caller adds it) when it is no XML the policy accepts, ESEAL_E_INTERNAL out of memory. */
eseal_status es_asic_manifest_read(const unsigned char *buf, size_t len, es_asic_manifest **out, eseal_error *err);
/* Frees m and all it holds; m may be NULL. */
void es_asic_manifest_free(es_asic_manifest *m);

#endif
