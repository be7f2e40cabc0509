/* asic/asic_seal.c: `eseal seal --container asice|asics`: gathers the files (a folder's tree by relative names), seals
 * them with a detached XAdES whose References are the names in the container, and writes the zip. */
#include "asic_internal.h"
#include "core/error_internal.h"
#include "core/file_tree_internal.h"
#include "core/tmpdir_internal.h"
#include "xml/xml.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The files going into the container: where to read each, and its name there. */
typedef struct file_set {
	char **paths;
	char **names;
	size_t n;
} file_set;

static void set_free(file_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->paths[i]);
		free(s->names[i]);
	}
	free(s->paths);
	free(s->names);
	memset(s, 0, sizeof(*s));
}

static int set_add(file_set *s, char *path, char *name, eseal_error *err)
{
	char **p = realloc(s->paths, (s->n + 1) * sizeof(*p)), **n;

	if (p != NULL)
		s->paths = p;
	n = p != NULL ? realloc(s->names, (s->n + 1) * sizeof(*n)) : NULL;
	if (n == NULL || path == NULL || name == NULL) {
		free(path);
		free(name);
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	}
	s->names = n;
	s->paths[s->n] = path;
	s->names[s->n++] = name;
	return ESEAL_OK;
}

static int gather(const char *const *inputs, size_t n_in, const char *out_path, file_set *s, eseal_error *err)
{
	struct stat st;
	int rc = ESEAL_OK;

	for (size_t i = 0; rc == ESEAL_OK && i < n_in; i++) {
		if (stat(inputs[i], &st) != 0)
			return es_error_set(err, ESEAL_E_IO, "%s: %s", inputs[i], strerror(errno));
		if (S_ISDIR(st.st_mode)) {
			es_file_tree t;

			if ((rc = es_file_tree_outside(inputs[i], out_path, "container", err)) != ESEAL_OK ||
			    (rc = es_file_tree_list(inputs[i], NULL, &t, err)) != ESEAL_OK)
				return rc;
			for (size_t k = 0; rc == ESEAL_OK && k < t.n; k++)
				rc = set_add(s, es_file_tree_path(inputs[i], t.names[k]), strdup(t.names[k]), err);
			es_file_tree_free(&t);
		} else {
			char *copy = strdup(inputs[i]);

			rc = set_add(s, strdup(inputs[i]), copy != NULL ? strdup(basename(copy)) : NULL, err);
			free(copy);
		}
	}
	return rc;
}

/* Names the container reserves, names an unpacking tool would refuse, and two files under one name. */
static int check_names(const file_set *s, const char *out_path, eseal_error *err)
{
	const char *why;

	for (size_t i = 0; i < s->n; i++) {
		if (!es_asic_name_ok(s->names[i], &why))
			return es_error_set(err, ESEAL_E_INPUT, "%s: cannot be stored under the name \"%s\": %s",
					    s->paths[i], s->names[i], why);
		if (strcmp(s->names[i], "mimetype") == 0 || strncmp(s->names[i], "META-INF/", 9) == 0)
			return es_error_set(err, ESEAL_E_INPUT,
					    "%s: \"%s\" is a name ASiC reserves for the container itself", s->paths[i],
					    s->names[i]);
		for (size_t k = 0; k < i; k++)
			if (strcmp(s->names[i], s->names[k]) == 0)
				return es_error_set(err, ESEAL_E_INPUT,
						    "%s: two inputs would be stored as \"%s\" (%s and %s)", out_path,
						    s->names[i], s->paths[k], s->paths[i]);
	}
	return ESEAL_OK;
}

eseal_status eseal_asic_seal(const char *const *inputs, size_t n_in, const char *out_path,
			     const eseal_asic_options *opts, eseal_error *err)
{
	char dir[ES_TMPDIR_MAX], sig_path[ES_TMPDIR_MAX + 64];
	const char *sig_name;
	file_set s;
	es_asic_entry *entries = NULL;
	unsigned char *p7s = NULL, *manifest = NULL;
	size_t p7s_len = 0, manifest_len = 0, n_entries;
	int rc = ESEAL_OK;

	eseal_error_clear(err);
	memset(&s, 0, sizeof(s));
	dir[0] = '\0';
	if (inputs == NULL || n_in == 0 || out_path == NULL || opts == NULL || opts->signer == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "ASiC: input files, output and signer are required");
	if (opts->long_term != NULL)
		return es_asic_seal_long_term(inputs, n_in, out_path, opts, err);
	if ((rc = gather(inputs, n_in, out_path, &s, err)) != ESEAL_OK ||
	    (rc = check_names(&s, out_path, err)) != ESEAL_OK)
		goto cleanup;
	if (s.n == 0) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: no file to put in the container", out_path);
		goto cleanup;
	}
	if (opts->kind == ESEAL_ASIC_S && (s.n != 1 || strchr(s.names[0], '/') != NULL)) {
		rc = es_error_set(err, ESEAL_E_USAGE,
				  "%s: ASiC-S holds exactly one file (%zu given); an ASiC-E container holds several",
				  out_path, s.n);
		goto cleanup;
	}
	entries = calloc(s.n + 2, sizeof(*entries));
	if (entries == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < s.n; i++) {
		entries[i].name = s.names[i];
		entries[i].path = s.paths[i];
	}
	n_entries = s.n;
	if (opts->signature == ESEAL_ASIC_CADES) {
		rc = es_asic_cades_seal((const char *const *)s.paths, s.names, s.n, opts->kind == ESEAL_ASIC_S, opts,
					&manifest, &manifest_len, &p7s, &p7s_len, out_path, err);
		if (rc != ESEAL_OK)
			goto cleanup;
		if (manifest != NULL) {
			entries[n_entries].name = "META-INF/ASiCManifest001.xml";
			entries[n_entries].data = manifest;
			entries[n_entries++].len = manifest_len;
		}
		entries[n_entries].name = opts->kind == ESEAL_ASIC_S ? "META-INF/signature.p7s" :
								       "META-INF/signature001.p7s";
		entries[n_entries].data = p7s;
		entries[n_entries++].len = p7s_len;
	} else {
		es_xml_detached_set set;
		eseal_xml_options xo;

		/* The signature file is made in a private directory (never beside the inputs), then copied in. */
		if ((rc = es_tmpdir_make(dir, "eseal-asic", out_path, err)) != ESEAL_OK)
			goto cleanup;
		snprintf(sig_path, sizeof(sig_path), "%s/signatures.xml", dir);
		memset(&xo, 0, sizeof(xo));
		xo.signer = opts->signer;
		xo.tsa = opts->tsa;
		xo.md = opts->md;
		xo.placement = ESEAL_PLACEMENT_DETACHED;
		memset(&set, 0, sizeof(set));
		set.paths = (const char *const *)s.paths;
		set.names = (const char *const *)s.names;
		set.n = s.n;
		set.asic = 1;
		if ((rc = es_xml_seal_set(&set, sig_path, &xo, err)) != ESEAL_OK)
			goto cleanup;
		sig_name = opts->kind == ESEAL_ASIC_S ? "META-INF/signatures.xml" : "META-INF/signatures001.xml";
		entries[n_entries].name = sig_name;
		entries[n_entries++].path = sig_path;
	}
	rc = es_asic_zip_write(out_path, opts->kind == ESEAL_ASIC_S ? ES_ASIC_MIME_S : ES_ASIC_MIME_E, entries,
			       n_entries, opts->overwrite, NULL, NULL, err);
cleanup:
	es_tmpdir_remove(dir);
	free(entries);
	free(manifest);
	free(p7s);
	set_free(&s);
	return rc;
}
