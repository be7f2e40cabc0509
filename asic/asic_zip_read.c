/* asic/asic_zip_read.c: opens a would-be ASiC container with libzip and unpacks it into a private directory for the
 * verifier, refusing what is not ASiC, duplicate and unsafe names, and entries that inflate past the caps. */
#include "asic_internal.h"
#include "core/error_internal.h"
#include "core/tmpdir_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

int es_asic_name_ok(const char *name, const char **why)
{
	const char *p, *seg;
	size_t len;

	if (name == NULL || name[0] == '\0') {
		*why = "an empty name";
		return 0;
	}
	if (name[0] == '/') {
		*why = "an absolute path";
		return 0;
	}
	for (p = name; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\') {
			*why = *p == '\\' ? "a backslash in the name" : "a control character in the name";
			return 0;
		}
	/* Each component: not empty, not "." or ".." (a directory entry's trailing '/' is removed before). */
	for (seg = name; seg != NULL; seg = p != NULL ? p + 1 : NULL) {
		p = strchr(seg, '/');
		len = p != NULL ? (size_t)(p - seg) : strlen(seg);
		if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.')) {
			*why = len == 0 ? "an empty path component" : "a \".\" or \"..\" path component";
			return 0;
		}
	}
	return 1;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void es_asic_unpacked_free(es_asic_unpacked *u)
{
	if (u == NULL)
		return;
	es_tmpdir_remove(u->dir);
	free(u->dir);
	for (size_t i = 0; i < u->n; i++)
		free(u->names[i]);
	free(u->names);
	memset(u, 0, sizeof(*u));
}

/* Opens (creating directories on the way) name below dirfd for writing; name passed es_asic_name_ok. */
static int create_beneath(int dirfd, const char *name, int is_dir)
{
	char *copy = strdup(name), *seg, *slash;
	int fd = dup(dirfd), next;

	if (copy == NULL || fd < 0) {
		free(copy);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (seg = copy; (slash = strchr(seg, '/')) != NULL || is_dir; seg = slash + 1) {
		if (slash != NULL)
			*slash = '\0';
		if (mkdirat(fd, seg, 0700) != 0 && errno != EEXIST)
			goto fail;
		next = openat(fd, seg, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		if (fd < 0)
			goto fail_closed;
		if (slash == NULL) { /* the directory entry itself */
			free(copy);
			return fd;
		}
	}
	next = openat(fd, seg, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	close(fd);
	free(copy);
	return next;
fail:
	close(fd);
fail_closed:
	free(copy);
	return -1;
}

/* Streams entry i into fd under the caps; *total counts every inflated byte of the container. */
static int inflate_entry(zip_t *za, zip_uint64_t i, const zip_stat_t *st, int fd, uint64_t *total, const char *path,
			 eseal_error *err)
{
	unsigned char buf[65536];
	zip_file_t *zf = zip_fopen_index(za, i, 0);
	uint64_t got = 0;
	zip_int64_t n;
	int rc = ESEAL_OK;

	if (zf == NULL)
		return es_error_set(err, ESEAL_E_INPUT, "%s: entry %s cannot be read: %s", path, st->name,
				    zip_strerror(za));
	while ((n = zip_fread(zf, buf, sizeof(buf))) > 0) {
		got += (uint64_t)n;
		*total += (uint64_t)n;
		if (got > st->size) {
			rc = es_error_set(err, ESEAL_E_INPUT,
					  "%s: entry %s inflates past its declared size (%llu bytes)", path, st->name,
					  (unsigned long long)st->size);
			break;
		}
		if (got > ES_ASIC_MAX_ENTRY || *total > ES_ASIC_MAX_TOTAL) {
			rc = es_error_set(err, ESEAL_E_INPUT, "%s: entry %s: more than %llu bytes %s (a zip bomb?)",
					  path, st->name,
					  (unsigned long long)(got > ES_ASIC_MAX_ENTRY ? ES_ASIC_MAX_ENTRY :
											 ES_ASIC_MAX_TOTAL),
					  got > ES_ASIC_MAX_ENTRY ? "in one entry" : "in all");
			break;
		}
		if (write(fd, buf, (size_t)n) != n) {
			rc = es_error_set(err, ESEAL_E_IO, "%s: cannot unpack entry %s: %s", path, st->name,
					  strerror(errno));
			break;
		}
	}
	if (rc == ESEAL_OK && n < 0)
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: entry %s is damaged: %s", path, st->name,
				  zip_file_strerror(zf));
	zip_fclose(zf);
	return rc;
}

/* The mimetype entry (EN 319 162-1 A.1): the first, named "mimetype", stored, no extra field in its local header
 * (so that its bytes stand at a fixed offset for tools that sniff them), holding an ASiC media type. */
static int check_mimetype(zip_t *za, const char *path, int *asic_s, eseal_error *err)
{
	char mt[64];
	zip_stat_t st;
	zip_file_t *zf;
	zip_int64_t n;

	zip_stat_init(&st);
	if (zip_get_num_entries(za, 0) < 1 || zip_stat_index(za, 0, 0, &st) != 0 || strcmp(st.name, "mimetype") != 0)
		return es_error_set(err, ESEAL_E_INPUT,
				    "%s: not an ASiC container: a zip whose first entry is not \"mimetype\"", path);
	if (st.comp_method != ZIP_CM_STORE)
		return es_error_set(err, ESEAL_E_INPUT, "%s: not an ASiC container: its mimetype entry is compressed",
				    path);
	if (zip_file_extra_fields_count(za, 0, ZIP_FL_LOCAL) != 0)
		return es_error_set(err, ESEAL_E_INPUT,
				    "%s: not an ASiC container: its mimetype entry has an extra field", path);
	if (st.size >= sizeof(mt) || (zf = zip_fopen_index(za, 0, 0)) == NULL)
		return es_error_set(err, ESEAL_E_INPUT, "%s: not an ASiC container: unreadable mimetype entry", path);
	n = zip_fread(zf, mt, sizeof(mt) - 1);
	zip_fclose(zf);
	mt[n > 0 ? n : 0] = '\0';
	if (strcmp(mt, ES_ASIC_MIME_E) == 0)
		*asic_s = 0;
	else if (strcmp(mt, ES_ASIC_MIME_S) == 0)
		*asic_s = 1;
	else
		return es_error_set(err, ESEAL_E_INPUT,
				    "%s: not an ASiC container: mimetype \"%.40s\" is neither %s nor %s", path, mt,
				    ES_ASIC_MIME_E, ES_ASIC_MIME_S);
	return ESEAL_OK;
}

/* The entry names, in zip order, without a directory's trailing '/', each checked; then sorted to find duplicates
 * (libzip keeps the last of two equal names: a verifier and an unzip tool could read different entries). */
static int check_names(zip_t *za, zip_int64_t n, const char *path, char ***sorted_out, eseal_error *err)
{
	char **names = calloc((size_t)n, sizeof(*names));
	const char *why;
	int rc = ESEAL_OK;

	*sorted_out = NULL;
	if (names == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	for (zip_int64_t i = 0; i < n; i++) {
		const char *nm = zip_get_name(za, (zip_uint64_t)i, 0);
		size_t len;

		if (nm == NULL || (names[i] = strdup(nm)) == NULL) {
			rc = es_error_set(err, ESEAL_E_INPUT, "%s: entry %lld has no readable name", path,
					  (long long)i);
			goto cleanup;
		}
		len = strlen(names[i]);
		if (len > 1 && names[i][len - 1] == '/')
			names[i][len - 1] = '\0';
		if (!es_asic_name_ok(names[i], &why)) {
			rc = es_error_set(err, ESEAL_E_INPUT, "%s: unsafe entry name \"%s\": %s", path, nm, why);
			goto cleanup;
		}
	}
	qsort(names, (size_t)n, sizeof(*names), cmp_names);
	for (zip_int64_t i = 1; i < n; i++)
		if (strcmp(names[i - 1], names[i]) == 0) {
			rc = es_error_set(err, ESEAL_E_INPUT, "%s: duplicate entry name \"%s\"", path, names[i]);
			goto cleanup;
		}
	*sorted_out = names;
	names = NULL;
cleanup:
	for (zip_int64_t i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* The sizes the zip's directory declares, before anything is written: each entry under the caps and the inflation
 * ratio, all of them under the total cap and within the room left where they would be unpacked. inflate_entry checks
 * the bytes actually inflated against the same caps, as a directory can lie. */
static int check_sizes(zip_t *za, zip_int64_t n, const char *path, const char *tmp, eseal_error *err)
{
	uint64_t total = 0, room;
	struct statvfs fs;

	for (zip_int64_t i = 1; i < n; i++) {
		zip_stat_t st;
		size_t nl;

		zip_stat_init(&st);
		if (zip_stat_index(za, (zip_uint64_t)i, 0, &st) != 0)
			return es_error_set(err, ESEAL_E_INPUT, "%s: entry %lld: %s", path, (long long)i,
					    zip_strerror(za));
		nl = strlen(st.name);
		if (nl > 0 && st.name[nl - 1] == '/')
			continue;
		if (st.size > ES_ASIC_RATIO_FROM && st.size / (st.comp_size > 0 ? st.comp_size : 1) > ES_ASIC_MAX_RATIO)
			return es_error_set(
				err, ESEAL_E_INPUT,
				"%s: entry %s inflates %llu times (%llu bytes from %llu; more than %d: a zip bomb?)",
				path, st.name, (unsigned long long)(st.size / (st.comp_size > 0 ? st.comp_size : 1)),
				(unsigned long long)st.size, (unsigned long long)st.comp_size, ES_ASIC_MAX_RATIO);
		if (st.size > ES_ASIC_MAX_ENTRY)
			return es_error_set(err, ESEAL_E_INPUT,
					    "%s: entry %s: %llu bytes inflated exceed the cap of %llu bytes per entry",
					    path, st.name, (unsigned long long)st.size,
					    (unsigned long long)ES_ASIC_MAX_ENTRY);
		total += st.size;
		if (total > ES_ASIC_MAX_TOTAL)
			return es_error_set(err, ESEAL_E_INPUT,
					    "%s: the entries inflate to more than the cap of %llu bytes in all (at %s)",
					    path, (unsigned long long)ES_ASIC_MAX_TOTAL, st.name);
	}
	if (statvfs(tmp, &fs) != 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot unpack into %s: %s", path, tmp, strerror(errno));
	room = (uint64_t)fs.f_bavail * fs.f_frsize;
	if (total > room)
		return es_error_set(err, ESEAL_E_IO,
				    "%s: unpacking needs %llu bytes but %s has %llu free (set TMPDIR to a larger file "
				    "system)",
				    path, (unsigned long long)total, tmp, (unsigned long long)room);
	return ESEAL_OK;
}

int es_asic_unpack(const unsigned char *buf, size_t len, const char *path, es_asic_unpacked *out, eseal_error *err)
{
	char tmpl[ES_TMPDIR_MAX], **sorted = NULL;
	zip_error_t ze;
	zip_source_t *src = NULL;
	zip_t *za = NULL;
	zip_int64_t n = 0;
	uint64_t total = 0;
	int dirfd = -1, rc = ESEAL_OK;

	memset(out, 0, sizeof(*out));
	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(buf, len, 0, &ze)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: %s", path, zip_error_strerror(&ze));
		goto cleanup;
	}
	if ((za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze)) == NULL) {
		/* libzip's consistency check refuses two entries of one name without naming it: read the names to say
		 * which (check_names below refuses it); anything else is no readable zip. */
		int dup = zip_error_code_zip(&ze) == ZIP_ER_EXISTS;

		zip_error_fini(&ze);
		zip_error_init(&ze);
		if (!dup || (za = zip_open_from_source(src, ZIP_RDONLY, &ze)) == NULL) {
			rc = es_error_set(err, ESEAL_E_INPUT, "%s: not a readable zip: %s", path,
					  dup ? "duplicate entry names" : zip_error_strerror(&ze));
			goto cleanup;
		}
	}
	n = zip_get_num_entries(za, 0);
	if (n > ES_ASIC_MAX_ENTRIES) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: more than %d entries", path, ES_ASIC_MAX_ENTRIES);
		goto cleanup;
	}
	if ((rc = check_names(za, n, path, &sorted, err)) != ESEAL_OK ||
	    (rc = check_mimetype(za, path, &out->asic_s, err)) != ESEAL_OK)
		goto cleanup;
	if ((rc = es_tmpdir_make(tmpl, "eseal-asic", path, err)) != ESEAL_OK)
		goto cleanup;
	if ((out->dir = strdup(tmpl)) == NULL) {
		es_tmpdir_remove(tmpl);
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	/* Sizes and room before any entry is written; the message names $TMPDIR, not the private directory in it. */
	*strrchr(tmpl, '/') = '\0';
	if ((rc = check_sizes(za, n, path, tmpl[0] != '\0' ? tmpl : "/", err)) != ESEAL_OK)
		goto cleanup;
	if ((dirfd = open(out->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: %s: %s", path, out->dir, strerror(errno));
		goto cleanup;
	}
	for (zip_int64_t i = 1; i < n; i++) {
		zip_stat_t st;
		size_t nl;
		int fd, is_dir;

		zip_stat_init(&st);
		if (zip_stat_index(za, (zip_uint64_t)i, 0, &st) != 0) {
			rc = es_error_set(err, ESEAL_E_INPUT, "%s: entry %lld: %s", path, (long long)i,
					  zip_strerror(za));
			goto cleanup;
		}
		nl = strlen(st.name);
		is_dir = nl > 0 && st.name[nl - 1] == '/';
		{
			char *name = strdup(st.name);

			if (name == NULL) {
				rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
				goto cleanup;
			}
			if (is_dir)
				name[nl - 1] = '\0';
			fd = create_beneath(dirfd, name, is_dir);
			free(name);
		}
		if (fd < 0) {
			rc = es_error_set(err, ESEAL_E_INPUT,
					  "%s: entry %s cannot be unpacked: %s (a file and a folder of "
					  "the same name?)",
					  path, st.name, strerror(errno));
			goto cleanup;
		}
		if (!is_dir)
			rc = inflate_entry(za, (zip_uint64_t)i, &st, fd, &total, path, err);
		close(fd);
		if (rc != ESEAL_OK)
			goto cleanup;
		if (!is_dir) {
			char **nl2 = realloc(out->names, (out->n + 1) * sizeof(*nl2));

			if (nl2 == NULL || (nl2[out->n] = strdup(st.name)) == NULL) {
				if (nl2 != NULL)
					out->names = nl2;
				rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
				goto cleanup;
			}
			out->names = nl2;
			out->n++;
		}
	}
	if (out->n > 0)
		qsort(out->names, out->n, sizeof(*out->names), cmp_names);
cleanup:
	for (zip_int64_t i = 0; sorted != NULL && i < n; i++)
		free(sorted[i]);
	free(sorted);
	if (dirfd >= 0)
		close(dirfd);
	if (za != NULL)
		zip_discard(za);
	else if (src != NULL)
		zip_source_free(src);
	zip_error_fini(&ze);
	if (rc != ESEAL_OK)
		es_asic_unpacked_free(out);
	return rc;
}
