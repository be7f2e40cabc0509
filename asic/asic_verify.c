/* asic/asic_verify.c: `eseal verify` of an ASiC container (XAdES, or CAdES with ASiCManifest) and of a folder against
 * its detached XAdES: every seal, the files each covers, and the files present that no seal covers. */
#include "asic_verify.h"

#include "asic_internal.h"
#include "core/error_internal.h"
#include "core/file_tree_internal.h"
#include "core/input_internal.h"
#include "pki/report.h"

#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int es_file_in(const es_asic_unpacked *u, const char *name)
{
	return u->n > 0 && bsearch(&name, u->names, u->n, sizeof(*u->names), cmp_names) != NULL;
}

/* Files of the set (data files: not mimetype, not META-INF/ of a container) that no seal's files name. */
static void mark_uncovered(eseal_report *r, char *const *names, size_t n, int container)
{
	for (size_t i = 0; i < n; i++) {
		int covered = 0;

		if (container && (strcmp(names[i], "mimetype") == 0 || strncmp(names[i], "META-INF/", 9) == 0))
			continue;
		for (size_t k = 0; !covered && k < r->n_seals; k++)
			for (size_t j = 0; !covered && j < r->seals[k].n_files; j++)
				covered = strcmp(r->seals[k].files[j], names[i]) == 0;
		if (!covered)
			es_report_add_not_covered(r, names[i]);
	}
}

/* Moves the seals of sub (one signature file of the container) into r; sub's file error is named in r. */
static void take_seals(eseal_report *r, eseal_report *sub, const char *name)
{
	eseal_seal_report *n;

	if (sub->error != NULL)
		es_report_file_error(r, "%s: %s", name, sub->error);
	if (sub->n_seals > 0 && (n = realloc(r->seals, (r->n_seals + sub->n_seals) * sizeof(*n))) != NULL) {
		memcpy(n + r->n_seals, sub->seals, sub->n_seals * sizeof(*n));
		r->seals = n;
		r->n_seals += sub->n_seals;
		free(sub->seals);
		sub->seals = NULL;
		sub->n_seals = 0;
	}
	if (sub->validation_time != 0)
		r->validation_time = sub->validation_time;
	eseal_report_free(sub);
}

/* One signature file of the container, verified with the container's files as its data. */
static void verify_member(const eseal_verifier *v, es_verify_path_fn verify_path, eseal_report *r,
			  const es_asic_unpacked *u, const char *name, const char *data_name)
{
	char *path = es_file_tree_path(u->dir, name),
	     *data = data_name != NULL ? es_file_tree_path(u->dir, data_name) : NULL;
	eseal_report *sub = es_report_new(name);
	eseal_error err;

	eseal_error_clear(&err);
	if (path == NULL || sub == NULL || (data_name != NULL && data == NULL)) {
		es_report_file_error(r, "out of memory");
		eseal_report_free(sub);
	} else {
		verify_path(v, sub, path, data, u->dir, &err);
		/* A CAdES seal names its data file by our private path; in the report it is the container's name. */
		for (size_t i = 0; data_name != NULL && i < sub->n_seals; i++)
			if (sub->seals[i].coverage != NULL) {
				free(sub->seals[i].coverage);
				sub->seals[i].coverage =
					es_strdup_printf("detached data %s of the container", data_name);
			}
		take_seals(r, sub, name);
	}
	free(path);
	free(data);
}

/* ASiC-E CAdES: META-INF/signatureNNN.p7s seals the manifest that names it. */
static void verify_manifest(const eseal_verifier *v, es_verify_path_fn verify_path, eseal_report *r,
			    const es_asic_unpacked *u, const char *mname)
{
	static const es_input_role role = {"cannot read", ESEAL_E_IO, ESEAL_E_INPUT, (size_t)64 << 20, 0};
	char *mpath = es_file_tree_path(u->dir, mname), *p7s = NULL;
	unsigned char *buf = NULL;
	size_t len = 0, before = r->n_seals;
	eseal_error err;

	eseal_error_clear(&err);
	if (mpath == NULL || es_input_read(mpath, &role, &buf, &len, &err) != ESEAL_OK) {
		es_report_file_error(r, "%s: cannot read: %s", mname, err.message);
		goto cleanup;
	}
	/* Which .p7s seals it: the one its SigReference names (a manifest put under another .p7s breaks that seal). */
	p7s = es_asic_manifest_sigref(buf, len);
	if (p7s == NULL || strncmp(p7s, "META-INF/", 9) != 0 || !es_file_in(u, p7s)) {
		es_report_file_error(r, "%s: its SigReference names no signature file of the container", mname);
		goto cleanup;
	}
	verify_member(v, verify_path, r, u, p7s, mname);
	for (size_t i = before; i < r->n_seals; i++)
		es_asic_check_manifest(buf, len, mname, u, &r->seals[i]);
cleanup:
	free(buf);
	free(mpath);
	free(p7s);
}

/* The one data file of an ASiC-S container: at the root, the only file outside META-INF. */
static const char *asic_s_data(const es_asic_unpacked *u, eseal_report *r)
{
	const char *data = NULL;

	for (size_t i = 0; i < u->n; i++) {
		if (strncmp(u->names[i], "META-INF/", 9) == 0)
			continue;
		if (data != NULL || strchr(u->names[i], '/') != NULL) {
			es_report_file_error(r, "ASiC-S holds one file at its root; %s is another", u->names[i]);
			return NULL;
		}
		data = u->names[i];
	}
	return data;
}

void es_asic_verify_unpacked(const eseal_verifier *v, es_verify_path_fn verify_path, eseal_report *r,
			     const es_asic_unpacked *u)
{
	size_t n_sig = 0;

	r->container = u->asic_s ? "ASiC-S" : "ASiC-E";
	for (size_t i = 0; i < u->n; i++) {
		const char *nm = u->names[i];

		if (u->asic_s ? strcmp(nm, "META-INF/signatures.xml") == 0 :
			       fnmatch("META-INF/signatures*.xml", nm, FNM_PATHNAME) == 0) {
			verify_member(v, verify_path, r, u, nm, NULL);
			n_sig++;
		} else if (u->asic_s && strcmp(nm, "META-INF/signature.p7s") == 0) {
			const char *data = asic_s_data(u, r);

			if (data != NULL)
				verify_member(v, verify_path, r, u, nm, data);
			if (data != NULL && r->n_seals > 0)
				es_seal_add_file(&r->seals[r->n_seals - 1], data);
			n_sig++;
		} else if (!u->asic_s && fnmatch("META-INF/ASiCManifest*.xml", nm, FNM_PATHNAME) == 0) {
			verify_manifest(v, verify_path, r, u, nm);
			n_sig++;
		}
	}
	if (n_sig == 0)
		es_report_file_error(r, "%s container holds no seal (META-INF/%s)", r->container,
				     u->asic_s ? "signatures.xml or signature.p7s" :
						"signatures*.xml or ASiCManifest*.xml");
	mark_uncovered(r, u->names, u->n, 1);
}

int es_asic_verify(const eseal_verifier *v, es_verify_path_fn verify_path, eseal_report *r, const unsigned char *buf,
		   size_t len, const char *path)
{
	es_asic_unpacked u;
	eseal_error err;
	int rc;

	eseal_error_clear(&err);
	if ((rc = es_asic_unpack(buf, len, path, &u, &err)) != ESEAL_OK) {
		size_t n = strlen(path);

		es_report_file_error(r, "%s",
				     strncmp(err.message, path, n) == 0 && err.message[n] == ':' ? err.message + n + 2 :
												   err.message);
		return rc;
	}
	es_asic_verify_unpacked(v, verify_path, r, &u);
	es_asic_unpacked_free(&u);
	/* No seal could be read at all: a malformed container, as a document without a seal is. */
	return r->n_seals == 0 ? ESEAL_E_INPUT : ESEAL_OK;
}

int es_asic_verify_folder(const eseal_verifier *v, es_verify_path_fn verify_path, const char *sig_path,
			  const char *data_dir, eseal_report **report, eseal_error *err)
{
	char sig_real[PATH_MAX], dir_real[PATH_MAX];
	const char *skip = NULL;
	es_file_tree t;
	eseal_report *r;
	eseal_error lerr;
	size_t n;
	int rc;

	eseal_error_clear(err);
	*report = NULL;
	if (v == NULL || sig_path == NULL || data_dir == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "verify: no verifier, signature file or folder");
	if ((r = es_report_new(sig_path)) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	*report = r;
	if ((rc = verify_path(v, r, sig_path, NULL, data_dir, err)) != ESEAL_OK) {
		es_error_set(err, rc, "%s: %s", sig_path, r->error != NULL ? r->error : "cannot verify");
		return rc;
	}
	if (r->n_seals == 0)
		return ESEAL_OK;
	/* The folder as it is now: a link or special file in it is reported (its seal's Reference, if any, already
	 * failed: such files are never read), and the folder is then not judged as a whole. */
	eseal_error_clear(&lerr);
	if (es_file_tree_list(data_dir, NULL, &t, &lerr) != ESEAL_OK) {
		es_report_file_error(r, "%s", lerr.message);
		return ESEAL_OK;
	}
	r->container = "folder";
	/* A seal kept inside the folder it covers is not one of the folder's files. */
	n = realpath(data_dir, dir_real) != NULL ? strlen(dir_real) : 0;
	if (n > 0 && realpath(sig_path, sig_real) != NULL && strncmp(sig_real, dir_real, n) == 0 && sig_real[n] == '/')
		skip = sig_real + n + 1;
	for (size_t i = 0; i < t.n; i++)
		if (skip == NULL || strcmp(skip, t.names[i]) != 0)
			mark_uncovered(r, &t.names[i], 1, 0);
	es_file_tree_free(&t);
	return ESEAL_OK;
}
