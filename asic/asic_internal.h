/* asic/asic_internal.h: what the ASiC sealer and verifier share: the container's fixed names, the caps a container
 * is read under, and the zip reader and writer (libzip). Nothing here is public; see include/eseal/asic.h. */
#ifndef ES_ASIC_INTERNAL_H
#define ES_ASIC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "eseal/asic.h"
#include "eseal/output.h"

#include "asic_verify.h"

#define ES_ASIC_MIME_E "application/vnd.etsi.asic-e+zip"
#define ES_ASIC_MIME_S "application/vnd.etsi.asic-s+zip"

/* Caps of a container being read: entries, bytes inflated per entry and in all, and the inflation ratio past 1 MiB
 * (deflate cannot exceed about 1032:1; real documents stay far below 200:1, a zip bomb far above). */
#define ES_ASIC_MAX_ENTRIES 50000
#define ES_ASIC_MAX_ENTRY ((uint64_t)4 << 30)
#define ES_ASIC_MAX_TOTAL ((uint64_t)8 << 30)
#define ES_ASIC_MAX_RATIO 200
#define ES_ASIC_RATIO_FROM ((uint64_t)1 << 20)

/* One entry of a container to write: its name in the zip, and either a file to copy or bytes held in memory. */
typedef struct es_asic_entry {
	const char *name;
	const char *path;          /* NULL: data/len */
	const unsigned char *data; /* borrowed */
	size_t len;
	int store; /* 1: no compression */
} es_asic_entry;

/* Writes mimetype (first, stored, no extra field) and then the entries, to a private file beside out_path that gets
 * the name out_path only when complete and fsynced (never replacing a file unless overwrite); with a group (a batch),
 * the finished zip is handed to it as an eseal_output under cookie instead. */
int es_asic_zip_write(const char *out_path, const char *mimetype, const es_asic_entry *entries, size_t n, int overwrite,
		      eseal_output_group *group, void *cookie, eseal_error *err);

/* A container unpacked for verification into a private directory (mode 0700 under $TMPDIR), removed by
 * es_asic_unpacked_free. names: the data and META-INF files (no directories, no mimetype), sorted. */
typedef struct es_asic_unpacked {
	char *dir;
	int asic_s; /* the mimetype says ASiC-S */
	char **names;
	size_t n;
} es_asic_unpacked;

/* Checks the container's form (below) and the sizes its directory declares against the caps and against the room
 * left in $TMPDIR (ESEAL_E_IO when too little, naming both) before anything is written; then (mimetype first, stored, no extra field, a known ASiC type; no duplicate name; no
 * absolute, "..", "." or empty path component, backslash or control character) and unpacks it, streaming each entry
 * under the caps above; nothing is written outside the private directory. ESEAL_E_INPUT with a one-line reason. */
int es_asic_unpack(const unsigned char *buf, size_t len, const char *path, es_asic_unpacked *out, eseal_error *err);
void es_asic_unpacked_free(es_asic_unpacked *u);

/* The verifier's judgement of an unpacked container: every seal into r, the files each covers, the ones none covers. */
void es_asic_verify_unpacked(const eseal_verifier *v, es_verify_path_fn verify_path, eseal_report *r,
			     const es_asic_unpacked *u);

/* 1 if name is one of u's files. */
int es_file_in(const es_asic_unpacked *u, const char *name);

/* CAdES: for ASiC-E the ASiCManifest (malloc'd) naming every file with its digest and the .p7s over it; for ASiC-S
 * the .p7s over the one file (*manifest NULL). *p7s is malloc'd. */
int es_asic_cades_seal(const char *const *paths, char *const *names, size_t n, int asic_s,
		       const eseal_asic_options *opts, unsigned char **manifest, size_t *manifest_len,
		       unsigned char **p7s, size_t *p7s_len, const char *out_path, eseal_error *err);
/* The signature an ASiCManifest names (its SigReference URI, decoded; malloc'd), NULL if none or unreadable. */
char *es_asic_manifest_sigref(const unsigned char *buf, size_t len);
/* The verifier's check of an ASiCManifest whose .p7s (the one its SigReference names) was verified into s: each file
 * it names is in the container with that digest (added to s->files); failures go into s. */
void es_asic_check_manifest(const unsigned char *buf, size_t len, const char *manifest_name, const es_asic_unpacked *u,
			    eseal_seal_report *s);

/* eseal_asic_seal with opts->long_term: the B-T container under a private name, extended to out_path. */
int es_asic_seal_long_term(const char *const *inputs, size_t n_in, const char *out_path,
			   const eseal_asic_options *opts, eseal_error *err);

/* 1 if name is a safe relative entry name (as es_asic_unpack requires; the sealer refuses the same). */
int es_asic_name_ok(const char *name, const char **why);

#endif
