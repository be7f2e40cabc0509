/* asic/asic_extend.c: long-term containers and folder seals: each seal of a container raised to B-LT/B-LTA by the
 * extenders xml/ and cms/ use for files, the container then rewritten; a folder seal extended against its folder. */
#include "asic_internal.h"
#include "cms/cades_verify.h"
#include "core/error_internal.h"
#include "core/file_tree_internal.h"
#include "core/input_internal.h"
#include "pki/report.h"
#include "xml/xml.h"

#include <errno.h>
#include <fnmatch.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eseal/cms.h"

/* One signature file of the container to extend, and what it signs when that is not the container's root. */
typedef struct member {
	const char *name; /* the signature file in the container */
	char *data;       /* CAdES: the ASiCManifest or the ASiC-S file it signs (malloc'd name); XAdES: NULL */
	char *new_path;   /* the extended file, NULL while the member stays as it was */
} member;

/* The container's seals, found as the verifier finds them (asic_verify.c). */
static int find_members(const es_asic_unpacked *u, member **out, size_t *n_out, eseal_error *err, const char *path)
{
	member *m = calloc(u->n + 1, sizeof(*m));
	size_t n = 0;
	const char *data_s = NULL;

	if (m == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	for (size_t i = 0; i < u->n; i++)
		if (strncmp(u->names[i], "META-INF/", 9) != 0)
			data_s = u->names[i];
	for (size_t i = 0; i < u->n; i++) {
		const char *nm = u->names[i];

		if (u->asic_s ? strcmp(nm, "META-INF/signatures.xml") == 0 :
				fnmatch("META-INF/signatures*.xml", nm, FNM_PATHNAME) == 0) {
			m[n++].name = nm;
		} else if (u->asic_s && strcmp(nm, "META-INF/signature.p7s") == 0 && data_s != NULL) {
			m[n].name = nm;
			m[n++].data = strdup(data_s);
		} else if (!u->asic_s && fnmatch("META-INF/ASiCManifest*.xml", nm, FNM_PATHNAME) == 0) {
			static const es_input_role role = {"cannot read", ESEAL_E_IO, ESEAL_E_INPUT, (size_t)64 << 20, 0};
			char *mpath = es_file_tree_path(u->dir, nm), *sigref = NULL;
			unsigned char *buf = NULL;
			size_t len = 0;
			int rc = mpath != NULL ? es_input_read(mpath, &role, &buf, &len, err) : ESEAL_E_INTERNAL;

			if (rc == ESEAL_OK)
				sigref = es_asic_manifest_sigref(buf, len);
			free(buf);
			free(mpath);
			if (sigref == NULL || !es_file_in(u, sigref)) {
				free(sigref);
				for (size_t k = 0; k < n; k++)
					free(m[k].data);
				free(m);
				return es_error_set(err, ESEAL_E_INPUT,
						    "%s: %s names no signature file of the container", path, nm);
			}
			/* The .p7s's name as the container holds it (sigref is freed below). */
			for (size_t k = 0; k < u->n; k++)
				if (strcmp(u->names[k], sigref) == 0)
					m[n].name = u->names[k];
			free(sigref);
			m[n++].data = strdup(nm);
		}
	}
	*out = m;
	*n_out = n;
	return ESEAL_OK;
}

static void members_free(member *m, size_t n)
{
	for (size_t i = 0; m != NULL && i < n; i++) {
		if (m[i].new_path != NULL)
			unlink(m[i].new_path);
		free(m[i].new_path);
		free(m[i].data);
	}
	free(m);
}

/* es_verify_path_fn for the check below: a container's seal files are XAdES (signatures*.xml) or CAdES (.p7s), whose
 * verifiers sit below asic/; the verifier's format recognition above it is not needed for these two. */
static int verify_member_file(const eseal_verifier *v, eseal_report *r, const char *path, const char *data_path,
			      const char *base_dir, eseal_error *err)
{
	static const es_input_role role = {"cannot read", ESEAL_E_IO, ESEAL_E_INPUT, (size_t)256 << 20, 0};
	size_t n = strlen(path), len = 0;
	unsigned char *buf = NULL;
	int rc;

	if ((rc = es_input_read(path, &role, &buf, &len, err)) != ESEAL_OK) {
		es_report_file_error(r, "%s", err->message);
		return rc;
	}
	if (n > 4 && strcmp(path + n - 4, ".p7s") == 0)
		rc = es_cades_verify(v, buf, len, data_path, NULL, 0, r);
	else
		rc = es_xml_verify(v, buf, len, base_dir, r);
	free(buf);
	return rc;
}

/* The whole container verified before anything is added: the extenders each see one signature file, but a file of
 * the container changed under an ASiCManifest only shows here. */
static int check_container(const eseal_extend_options *opts, const es_asic_unpacked *u, const char *path,
			   eseal_error *err)
{
	eseal_report *r = es_report_new(path);
	int rc = ESEAL_OK;

	if (r == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	es_asic_verify_unpacked(opts->verifier, verify_member_file, r, u);
	if (r->error != NULL || r->n_seals == 0)
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: no seal to extend (%s)", path,
				  r->error != NULL ? r->error : "the container holds no seal");
	for (size_t i = 0; rc == ESEAL_OK && i < r->n_seals; i++)
		if (r->seals[i].indication == ESEAL_TOTAL_FAILED)
			rc = es_error_set(err, ESEAL_E_INPUT, "%s: seal %s does not verify (TOTAL-FAILED: %s): refused",
					  path, r->seals[i].id != NULL ? r->seals[i].id : "(no Id)",
					  r->seals[i].n_errors > 0 ? r->seals[i].errors[0] : "no reason given");
	eseal_report_free(r);
	return rc;
}

/* The container's entries for the writer: every file as unpacked, the extended signature files in their place. */
static int write_container(const char *out_path, const es_asic_unpacked *u, const member *m, size_t n_m,
			   const eseal_extend_options *opts, eseal_error *err)
{
	es_asic_entry *e = calloc(u->n + 1, sizeof(*e));
	char **paths = calloc(u->n + 1, sizeof(*paths));
	int rc = ESEAL_OK;

	if (e == NULL || paths == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < u->n; i++) {
		e[i].name = u->names[i];
		for (size_t k = 0; k < n_m && e[i].path == NULL; k++)
			if (m[k].new_path != NULL && strcmp(m[k].name, u->names[i]) == 0)
				e[i].path = m[k].new_path;
		if (e[i].path == NULL) {
			if ((paths[i] = es_file_tree_path(u->dir, u->names[i])) == NULL) {
				rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
				goto cleanup;
			}
			e[i].path = paths[i];
		}
	}
	rc = es_asic_zip_write(out_path, u->asic_s ? ES_ASIC_MIME_S : ES_ASIC_MIME_E, e, u->n, opts->overwrite,
			       opts->output_group, opts->output_cookie, err);
cleanup:
	for (size_t i = 0; paths != NULL && i < u->n; i++)
		free(paths[i]);
	free(paths);
	free(e);
	return rc;
}

/* The file's state before: current only if every seal is, renew_by the earliest (0 when one has no time-stamp). */
static void merge_result(eseal_extend_result *all, const eseal_extend_result *one, int first)
{
	if (first) {
		*all = *one;
		return;
	}
	all->current = all->current && one->current;
	if (all->renew_by == 0 || one->renew_by == 0)
		all->renew_by = 0;
	else if (one->renew_by < all->renew_by)
		all->renew_by = one->renew_by;
}

eseal_status eseal_asic_extend(const char *in_path, const char *out_path, const eseal_extend_options *opts,
			       eseal_extend_result *result, eseal_error *err)
{
	const char *tmp = getenv("TMPDIR");
	char work[4096];
	unsigned char *map = MAP_FAILED;
	struct stat st, ost;
	es_asic_unpacked u;
	eseal_extend_options one;
	eseal_extend_result all, res;
	member *m = NULL;
	size_t n_m = 0;
	int fd = -1, rc;

	eseal_error_clear(err);
	memset(&u, 0, sizeof(u));
	memset(&all, 0, sizeof(all));
	work[0] = '\0';
	if (result != NULL)
		memset(result, 0, sizeof(*result));
	if (in_path == NULL || out_path == NULL || opts == NULL || opts->verifier == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "ASiC extend: input, output, options and verifier are required");
	if ((rc = es_input_open(in_path, &es_input_document, &fd, &st, err)) != ESEAL_OK)
		return rc;
	if (stat(out_path, &ost) == 0 && ost.st_dev == st.st_dev && ost.st_ino == st.st_ino) {
		rc = es_error_set(err, ESEAL_E_USAGE, "%s: the output is the input; inputs are never modified", out_path);
		goto cleanup;
	}
	if (st.st_size < 4 ||
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		rc = st.st_size < 4 ? es_error_set(err, ESEAL_E_INPUT, "%s: not an ASiC container (too short)", in_path) :
				      es_error_set(err, ESEAL_E_IO, "%s: cannot read: %s", in_path, strerror(errno));
		goto cleanup;
	}
	if ((rc = es_asic_unpack(map, (size_t)st.st_size, in_path, &u, err)) != ESEAL_OK ||
	    (rc = check_container(opts, &u, in_path, err)) != ESEAL_OK ||
	    (rc = find_members(&u, &m, &n_m, err, in_path)) != ESEAL_OK)
		goto cleanup;
	/* The extended signature files are made in a private directory of their own, not in the unpacked tree the
	 * extenders read as the container's files. */
	snprintf(work, sizeof(work), "%s/eseal-asicx-XXXXXX", tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	if (mkdtemp(work) == NULL) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot make a private directory: %s", out_path, strerror(errno));
		work[0] = '\0';
		goto cleanup;
	}
	one = *opts;
	one.overwrite = 0;
	one.output_group = NULL; /* read back at once to be zipped */
	one.output_cookie = NULL;
	for (size_t i = 0; i < n_m; i++) {
		char *sig = es_file_tree_path(u.dir, m[i].name), *data = NULL;
		const char *base = strrchr(m[i].name, '/') + 1;

		m[i].new_path = es_strdup_printf("%s/%zu-%s", work, i, base);
		if (m[i].data != NULL)
			data = es_file_tree_path(u.dir, m[i].data);
		if (sig == NULL || m[i].new_path == NULL || (m[i].data != NULL && data == NULL)) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		} else if (m[i].data == NULL) {
			rc = es_xml_extend_in(sig, u.dir, m[i].new_path, &one, &res, err);
		} else {
			rc = eseal_cades_extend(sig, data, m[i].new_path, &one, &res, err);
		}
		free(sig);
		free(data);
		if (rc != ESEAL_OK) {
			/* The extenders name the unpacked copy; the user knows the container and its member. */
			char msg[sizeof(err->message)];
			const char *why = strstr(err->message, ": ");

			snprintf(msg, sizeof(msg), "%s", why != NULL ? why + 2 : err->message);
			es_error_set(err, rc, "%s: %s: %s", in_path, m[i].name, msg);
			goto cleanup;
		}
		if (res.current) {
			free(m[i].new_path);
			m[i].new_path = NULL;
		}
		merge_result(&all, &res, i == 0);
	}
	if (n_m == 0) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: no seal to extend", in_path);
		goto cleanup;
	}
	if (!all.current)
		rc = write_container(out_path, &u, m, n_m, opts, err);
	if (rc == ESEAL_OK && result != NULL)
		*result = all;
cleanup:
	members_free(m, n_m);
	if (work[0] != '\0')
		rmdir(work);
	es_asic_unpacked_free(&u);
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	return rc;
}

eseal_status eseal_folder_extend(const char *sig_path, const char *data_dir, const char *out_path,
				 const eseal_extend_options *opts, eseal_extend_result *result, eseal_error *err)
{
	struct stat st;

	eseal_error_clear(err);
	if (data_dir != NULL && (stat(data_dir, &st) != 0 || !S_ISDIR(st.st_mode)))
		return es_error_set(err, ESEAL_E_INPUT, "%s: not a folder (the data of %s)", data_dir,
				    sig_path != NULL ? sig_path : "the seal");
	return es_xml_extend_in(sig_path, data_dir, out_path, opts, result, err);
}

/* B-LT and B-LTA of a new container or folder seal: the B-T file is written under a private name, then extended to
 * the output; it goes whatever happens. A folder seal's B-T file lies beside the output, where the References of a
 * seal over files are relative to; a container's in a private directory beside it. */
static int bt_name(const char *out_path, int beside, char *dir, size_t dir_len, char *bt, size_t bt_len,
		   eseal_error *err)
{
	char *copy = strdup(out_path), *base_copy = strdup(out_path);
	int rc = ESEAL_OK, fd;

	dir[0] = '\0';
	if (copy == NULL || base_copy == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	} else if (beside) {
		if ((size_t)snprintf(bt, bt_len, "%s/.eseal-bt-XXXXXX", dirname(copy)) >= bt_len ||
		    (fd = mkstemp(bt)) < 0)
			rc = es_error_set(err, ESEAL_E_IO, "%s: cannot make a private file beside the output: %s",
					  out_path, strerror(errno));
		else
			close(fd);
	} else if ((size_t)snprintf(dir, dir_len, "%s/.eseal-bt-XXXXXX", dirname(copy)) >= dir_len ||
		   mkdtemp(dir) == NULL) {
		dir[0] = '\0';
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot make a private directory beside the output: %s",
				  out_path, strerror(errno));
	} else {
		snprintf(bt, bt_len, "%s/%s", dir, basename(base_copy));
	}
	free(copy);
	free(base_copy);
	return rc;
}

static int check_long_term(const char *out_path, const eseal_extend_options *lt, const eseal_tsa *tsa,
			   eseal_error *err)
{
	if (lt->verifier == NULL || (lt->level != ESEAL_LEVEL_B_LT && lt->level != ESEAL_LEVEL_B_LTA))
		return es_error_set(err, ESEAL_E_USAGE, "%s: long-term sealing needs level B-LT or B-LTA and a verifier",
				    out_path);
	if (tsa == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "%s: level %s needs a signature time-stamp (a TSA)", out_path,
				    eseal_level_name(lt->level));
	return ESEAL_OK;
}

int es_asic_seal_long_term(const char *const *inputs, size_t n_in, const char *out_path,
			   const eseal_asic_options *opts, eseal_error *err)
{
	eseal_asic_options bt_opts = *opts;
	eseal_extend_options lt = *opts->long_term;
	char dir[4096], bt[4096 + 256];
	int rc;

	if ((rc = check_long_term(out_path, &lt, opts->tsa, err)) != ESEAL_OK ||
	    (rc = bt_name(out_path, 0, dir, sizeof(dir), bt, sizeof(bt), err)) != ESEAL_OK)
		return rc;
	bt_opts.long_term = NULL;
	bt_opts.overwrite = 0;
	lt.overwrite = opts->overwrite;
	if ((rc = eseal_asic_seal(inputs, n_in, bt, &bt_opts, err)) == ESEAL_OK)
		rc = eseal_asic_extend(bt, out_path, &lt, NULL, err);
	unlink(bt);
	if (dir[0] != '\0')
		rmdir(dir);
	return rc;
}

eseal_status eseal_folder_seal(const char *const *inputs, size_t n_in, const char *out_path,
			       const eseal_xml_options *opts, const eseal_extend_options *long_term, eseal_error *err)
{
	eseal_xml_options bt_opts;
	eseal_extend_options lt;
	struct stat st;
	char dir[16], bt[4096];
	int rc;

	eseal_error_clear(err);
	if (long_term == NULL)
		return eseal_xml_seal_detached(inputs, n_in, out_path, opts, err);
	if (inputs == NULL || n_in == 0 || out_path == NULL || opts == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "detached XAdES: input files, output and signer are required");
	lt = *long_term;
	if ((rc = check_long_term(out_path, &lt, opts->tsa, err)) != ESEAL_OK ||
	    (rc = bt_name(out_path, 1, dir, sizeof(dir), bt, sizeof(bt), err)) != ESEAL_OK)
		return rc;
	bt_opts = *opts;
	bt_opts.overwrite = 1; /* the private file mkstemp made */
	bt_opts.output_group = NULL;
	bt_opts.output_cookie = NULL;
	lt.overwrite = opts->overwrite;
	rc = eseal_xml_seal_detached(inputs, n_in, bt, &bt_opts, err);
	if (rc == ESEAL_OK)
		rc = es_xml_extend_in(bt, n_in == 1 && stat(inputs[0], &st) == 0 && S_ISDIR(st.st_mode) ? inputs[0] : NULL,
				      out_path, &lt, NULL, err);
	unlink(bt);
	return rc;
}
