/* asic/asic_zip_write.c: writes an ASiC container with libzip: mimetype first and stored, then the entries with
 * their UTF-8 names; the zip is made in a private directory beside the output and named only when complete. */
#include "asic_internal.h"
#include "core/error_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

static int add_entry(zip_t *za, const es_asic_entry *e, const char *out_path, eseal_error *err)
{
	zip_source_t *src;
	zip_int64_t idx;

	src = e->path != NULL ? zip_source_file(za, e->path, 0, -1) : zip_source_buffer(za, e->data, e->len, 0);
	if (src == NULL)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot add %s: %s", out_path, e->path ? e->path : e->name,
				    zip_strerror(za));
	/* ZIP_FL_ENC_UTF_8: libzip sets general purpose bit 11 for a name that is not plain ASCII. */
	idx = zip_file_add(za, e->name, src, ZIP_FL_ENC_UTF_8);
	if (idx < 0) {
		zip_source_free(src);
		return es_error_set(err, ESEAL_E_INPUT, "%s: cannot add %s: %s", out_path, e->name, zip_strerror(za));
	}
	if (zip_set_file_compression(za, (zip_uint64_t)idx, e->store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0) != 0)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: %s: %s", out_path, e->name, zip_strerror(za));
	/* No timestamps or other extra fields beyond what libzip needs (never on mimetype). */
	return ESEAL_OK;
}

/* fsync the finished zip, give it its name (link: never replacing; rename with overwrite), fsync the directory. */
static int give_name(const char *tmp_path, const char *out_path, int overwrite, eseal_error *err)
{
	char *copy = strdup(out_path);
	int fd, dfd, rc = ESEAL_OK;

	if (copy == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	fd = open(tmp_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot write: %s", out_path, strerror(errno));
		goto cleanup;
	}
	if (overwrite ? rename(tmp_path, out_path) != 0 : link(tmp_path, out_path) != 0) {
		if (errno == EEXIST)
			rc = es_error_because(err, ESEAL_E_USAGE, ESEAL_REASON_OUTPUT_EXISTS,
					      "%s: exists; an existing output is replaced only when asked", out_path);
		else
			rc = es_error_set(err, ESEAL_E_IO, "%s: %s", out_path, strerror(errno));
		goto cleanup;
	}
	if ((dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
cleanup:
	if (fd >= 0)
		close(fd);
	unlink(tmp_path);
	free(copy);
	return rc;
}

/* A batch's output: the finished zip copied into an output of its commit group, which names it in its own time. */
static int hand_over(const char *tmp_path, const char *out_path, int overwrite, eseal_output_group *group,
		     void *cookie, eseal_error *err)
{
	unsigned char buf[65536];
	eseal_output *out = NULL;
	ssize_t got;
	int fd = open(tmp_path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot read back the container: %s", out_path,
				    strerror(errno));
	if ((rc = eseal_output_open(&out, out_path, overwrite, NULL, err)) != ESEAL_OK)
		goto cleanup;
	eseal_output_set_group(out, group, cookie);
	while (rc == ESEAL_OK && (got = read(fd, buf, sizeof(buf))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			rc = es_error_set(err, ESEAL_E_IO, "%s: cannot read back the container: %s", out_path,
					  strerror(errno));
		else
			rc = eseal_output_write(out, buf, (size_t)got, err);
	}
	if (rc == ESEAL_OK)
		rc = eseal_output_commit(out, err);
cleanup:
	eseal_output_free(out);
	close(fd);
	unlink(tmp_path);
	return rc;
}

int es_asic_zip_write(const char *out_path, const char *mimetype, const es_asic_entry *entries, size_t n, int overwrite,
		      eseal_output_group *group, void *cookie, eseal_error *err)
{
	char *copy = strdup(out_path), dir[4096], tmp_path[4096 + 32];
	es_asic_entry mt = {"mimetype", NULL, (const unsigned char *)mimetype, strlen(mimetype), 1};
	struct stat st;
	zip_t *za = NULL;
	int zerr = 0, rc = ESEAL_OK;

	dir[0] = '\0';
	if (copy == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	if (lstat(out_path, &st) == 0 && (!overwrite || S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode))) {
		if (!overwrite)
			rc = es_error_because(err, ESEAL_E_USAGE, ESEAL_REASON_OUTPUT_EXISTS,
					      "%s: exists; an existing output is replaced only when asked", out_path);
		else
			rc = es_error_set(err, ESEAL_E_USAGE, "%s: is not a regular file; not replaced", out_path);
		goto cleanup;
	}
	if ((size_t)snprintf(dir, sizeof(dir), "%s/.eseal-asic-XXXXXX", dirname(copy)) >= sizeof(dir) ||
	    mkdtemp(dir) == NULL) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot make a private directory beside the output: %s",
				  out_path, strerror(errno));
		dir[0] = '\0';
		goto cleanup;
	}
	snprintf(tmp_path, sizeof(tmp_path), "%s/c.zip", dir);
	if ((za = zip_open(tmp_path, ZIP_CREATE | ZIP_EXCL, &zerr)) == NULL) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot create the container (libzip error %d)", out_path, zerr);
		goto cleanup;
	}
	rc = add_entry(za, &mt, out_path, err);
	for (size_t i = 0; rc == ESEAL_OK && i < n; i++)
		rc = add_entry(za, &entries[i], out_path, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	if (zip_close(za) != 0) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot write the container: %s", out_path, zip_strerror(za));
		goto cleanup;
	}
	za = NULL;
	rc = group != NULL ? hand_over(tmp_path, out_path, overwrite, group, cookie, err) :
			     give_name(tmp_path, out_path, overwrite, err);
cleanup:
	if (za != NULL)
		zip_discard(za);
	if (dir[0] != '\0') {
		unlink(tmp_path);
		rmdir(dir);
	}
	free(copy);
	return rc;
}
