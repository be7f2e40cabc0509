/* core/output.c: atomic result files (see eseal/output.h).
 * O_TMPFILE gives an unnamed file that vanishes if we die; linkat() names it only once it is complete. */
#include "output_internal.h"
#include "error_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Unique per process, thread and descriptor: no shared counter, no random state. */
static void temp_name(char *buf, size_t size, int fd)
{
	snprintf(buf, size, ".eseal-tmp-%ld-%ld-%d", (long)getpid(), (long)gettid(), fd);
}

static int open_dir_of(const char *path, char **base_out, eseal_error *err)
{
	char *copy_dir = strdup(path);
	char *copy_base = strdup(path);
	int fd = -1;

	if (copy_dir == NULL || copy_base == NULL) {
		es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
		goto cleanup;
	}
	fd = open(dirname(copy_dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		es_error_set(err, ESEAL_E_IO, "%s: cannot open output directory: %s", path, strerror(errno));
		goto cleanup;
	}
	*base_out = strdup(basename(copy_base));
	if (*base_out == NULL) {
		close(fd);
		fd = -1;
		es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
	}
cleanup:
	free(copy_dir);
	free(copy_base);
	return fd;
}

static int check_target(eseal_output *o, const char *refuse_same_as, eseal_error *err)
{
	struct stat st, in_st;

	if (fstatat(o->dir_fd, o->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			return es_error_set(err, ESEAL_E_IO, "%s: output path is a symbolic link; refusing to follow it",
					    o->path);
		if (!S_ISREG(st.st_mode))
			return es_error_set(err, ESEAL_E_IO, "%s: output path exists and is not a regular file", o->path);
		if (refuse_same_as != NULL && stat(refuse_same_as, &in_st) == 0 && in_st.st_dev == st.st_dev &&
		    in_st.st_ino == st.st_ino)
			return es_error_set(err, ESEAL_E_USAGE, "%s: output is the input file; the input is never modified",
					    o->path);
		if (!o->overwrite)
			return es_error_because(err, ESEAL_E_IO, ESEAL_REASON_OUTPUT_EXISTS,
						"%s: output exists; it is replaced only when asked", o->path);
	} else if (errno != ENOENT) {
		return es_error_set(err, ESEAL_E_IO, "%s: cannot check output path: %s", o->path, strerror(errno));
	}
	return ESEAL_OK;
}

/* The output is never more readable than the document it seals: its permission bits at most (umask applies on top,
 * as for any new file); 0644 without an input. A stat failure here means the sealer will fail on the input anyway. */
static mode_t mode_for(const char *input)
{
	struct stat st;

	if (input != NULL && stat(input, &st) == 0)
		return st.st_mode & 0666;
	return input != NULL ? 0600 : 0644;
}

eseal_status eseal_output_open(eseal_output **out, const char *path, int overwrite, const char *refuse_same_as,
			       eseal_error *err)
{
	eseal_output *o = NULL;
	int rc = ESEAL_OK;
	char tmpl[64];
	mode_t mode = mode_for(refuse_same_as);

	eseal_error_clear(err);
	*out = NULL;
	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
		goto cleanup;
	}
	o->fd = -1;
	o->dir_fd = -1;
	if ((o->path = strdup(path)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
		goto cleanup;
	}
	o->overwrite = overwrite;
	o->dir_fd = open_dir_of(path, &o->base, err);
	if (o->dir_fd < 0) {
		rc = err != NULL ? err->status : ESEAL_E_IO;
		goto cleanup;
	}
	if ((rc = check_target(o, refuse_same_as, err)) != ESEAL_OK)
		goto cleanup;
	o->fd = openat(o->dir_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
	if (o->fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		/* File systems without O_TMPFILE: a named, exclusive temp file that we unlink on failure. */
		temp_name(tmpl, sizeof(tmpl), o->dir_fd);
		o->fd = openat(o->dir_fd, tmpl, O_CREAT | O_EXCL | O_NOFOLLOW | O_RDWR | O_CLOEXEC, mode);
		if (o->fd >= 0 && (o->temp_name = strdup(tmpl)) == NULL) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
			goto cleanup;
		}
	}
	if (o->fd < 0) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot create output: %s", path, strerror(errno));
		goto cleanup;
	}
	*out = o;
	o = NULL;
cleanup:
	eseal_output_free(o);
	return rc;
}

eseal_status eseal_output_write(eseal_output *o, const void *buf, size_t len, eseal_error *err)
{
	const unsigned char *p = buf;
	ssize_t n;

	eseal_error_clear(err);
	while (len > 0) {
		n = write(o->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return es_error_set(err, ESEAL_E_IO, "%s: write failed: %s", o->path,
					    n < 0 ? strerror(errno) : "no progress");
		p += n;
		len -= (size_t)n;
		o->size += n;
	}
	return ESEAL_OK;
}

eseal_status eseal_output_pwrite(eseal_output *o, off_t offset, const void *buf, size_t len, eseal_error *err)
{
	const unsigned char *p = buf;
	ssize_t n;

	eseal_error_clear(err);
	if (offset < 0 || (off_t)len > o->size - offset)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: patch outside the written data", o->path);
	while (len > 0) {
		n = pwrite(o->fd, p, len, offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return es_error_set(err, ESEAL_E_IO, "%s: write failed: %s", o->path,
					    n < 0 ? strerror(errno) : "no progress");
		p += n;
		len -= (size_t)n;
		offset += n;
	}
	return ESEAL_OK;
}

off_t eseal_output_size(const eseal_output *o)
{
	return o->size;
}

int eseal_output_fd(const eseal_output *o)
{
	return o->fd;
}

const char *eseal_output_path(const eseal_output *o)
{
	return o->path;
}

/* Names the finished temp file. linkat() never replaces, which is exactly "no overwrite"; with overwrite
 * we link under a private name and rename() over the target, which is atomic. */
int es_output_give_name(eseal_output *o, eseal_error *err)
{
	char proc[64], tmp[96];
	const char *from = o->temp_name;

	if (from == NULL) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
		if (!o->overwrite) {
			if (linkat(AT_FDCWD, proc, o->dir_fd, o->base, AT_SYMLINK_FOLLOW) == 0)
				return ESEAL_OK;
			if (errno == EEXIST)
				return es_error_set(err, ESEAL_E_IO, "%s: output appeared while sealing; not replaced",
						    o->path);
			return es_error_set(err, ESEAL_E_IO, "%s: cannot name output: %s", o->path, strerror(errno));
		}
		temp_name(tmp, sizeof(tmp), o->fd);
		if (linkat(AT_FDCWD, proc, o->dir_fd, tmp, AT_SYMLINK_FOLLOW) != 0)
			return es_error_set(err, ESEAL_E_IO, "%s: cannot name output: %s", o->path, strerror(errno));
		if (renameat(o->dir_fd, tmp, o->dir_fd, o->base) != 0) {
			int e = errno;
			unlinkat(o->dir_fd, tmp, 0);
			return es_error_set(err, ESEAL_E_IO, "%s: cannot name output: %s", o->path, strerror(e));
		}
		return ESEAL_OK;
	}
	if (!o->overwrite) {
		if (linkat(o->dir_fd, from, o->dir_fd, o->base, 0) != 0)
			return es_error_set(err, ESEAL_E_IO, "%s: cannot name output: %s", o->path, strerror(errno));
		unlinkat(o->dir_fd, from, 0);
	} else if (renameat(o->dir_fd, from, o->dir_fd, o->base) != 0) {
		return es_error_set(err, ESEAL_E_IO, "%s: cannot name output: %s", o->path, strerror(errno));
	}
	free(o->temp_name);
	o->temp_name = NULL;
	return ESEAL_OK;
}

void eseal_output_set_group(eseal_output *o, eseal_output_group *g, void *cookie)
{
	o->group = g;
	o->cookie = cookie;
}

eseal_status eseal_output_commit(eseal_output *o, eseal_error *err)
{
	int rc;

	eseal_error_clear(err);
	if (o->committed)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: output committed twice",
				    o->path != NULL ? o->path : "(handed to its group)");
	if (o->group != NULL)
		return es_output_group_hand_over(o, err);
	/* The data is on disk before the file has a name: a named seal is never a partial one. */
	if (fsync(o->fd) != 0)
		return es_error_set(err, ESEAL_E_IO, "%s: fsync failed: %s", o->path, strerror(errno));
	if ((rc = es_output_give_name(o, err)) != ESEAL_OK)
		return rc;
	o->committed = 1;
	/* The name must be durable too, or a crash could leave the seal's directory entry missing. */
	if (fsync(o->dir_fd) != 0)
		return es_error_set(err, ESEAL_E_IO, "%s: fsync of directory failed: %s", o->path, strerror(errno));
	return ESEAL_OK;
}

void eseal_output_free(eseal_output *o)
{
	if (o == NULL)
		return;
	if (o->temp_name != NULL && !o->committed)
		unlinkat(o->dir_fd, o->temp_name, 0);
	if (o->fd >= 0)
		close(o->fd);
	if (o->dir_fd >= 0)
		close(o->dir_fd);
	free(o->temp_name);
	free(o->base);
	free(o->path);
	free(o);
}
