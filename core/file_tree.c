/* core/file_tree.c: every regular file below a directory, as sorted relative names (one walk for sealers and
 * verifiers of folders and containers), refusing links and special files rather than following them. */
#include "file_tree_internal.h"
#include "error_internal.h"

#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int push_name(es_file_tree *t, const char *prefix, const char *name, eseal_error *err)
{
	char **nl, *s;
	size_t len = strlen(prefix) + strlen(name) + 2;

	if (t->n >= ES_FILE_TREE_MAX_FILES)
		return es_error_set(err, ESEAL_E_INPUT, "more than %d files", ES_FILE_TREE_MAX_FILES);
	if ((s = malloc(len)) == NULL || (nl = realloc(t->names, (t->n + 1) * sizeof(*nl))) == NULL) {
		free(s);
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	}
	snprintf(s, len, "%s%s%s", prefix, prefix[0] != '\0' ? "/" : "", name);
	t->names = nl;
	t->names[t->n++] = s;
	return ESEAL_OK;
}

/* dfd is consumed (closed by closedir). */
static int walk(int dfd, const char *prefix, const char *root, const char *skip, int depth, es_file_tree *t,
		eseal_error *err)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	struct stat st;
	char *sub = NULL;
	int rc = ESEAL_OK;

	if (d == NULL) {
		close(dfd);
		return es_error_set(err, ESEAL_E_IO, "%s/%s: cannot read the directory: %s", root, prefix,
				    strerror(errno));
	}
	if (depth > ES_FILE_TREE_MAX_DEPTH) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s/%s: directories nested deeper than %d", root, prefix,
				  ES_FILE_TREE_MAX_DEPTH);
		goto cleanup;
	}
	while (rc == ESEAL_OK && (errno = 0, e = readdir(d)) != NULL) {
		size_t len;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			rc = es_error_set(err, ESEAL_E_IO, "%s/%s%s%s: %s", root, prefix, prefix[0] ? "/" : "",
					  e->d_name, strerror(errno));
			break;
		}
		len = strlen(prefix) + strlen(e->d_name) + 2;
		free(sub);
		if ((sub = malloc(len)) == NULL) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
			break;
		}
		snprintf(sub, len, "%s%s%s", prefix, prefix[0] != '\0' ? "/" : "", e->d_name);
		if (S_ISREG(st.st_mode)) {
			if (skip == NULL || strcmp(skip, sub) != 0)
				rc = push_name(t, prefix, e->d_name, err);
		} else if (S_ISDIR(st.st_mode)) {
			int cfd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (cfd < 0)
				rc = es_error_set(err, ESEAL_E_IO, "%s/%s: cannot open the directory: %s", root, sub,
						  strerror(errno));
			else
				rc = walk(cfd, sub, root, skip, depth + 1, t, err);
		} else {
			rc = es_error_set(err, ESEAL_E_INPUT,
					  "%s/%s: %s is not sealed as part of a folder (only regular files and "
					  "directories; links are not followed)",
					  root, sub, S_ISLNK(st.st_mode) ? "a symbolic link" : "a special file");
		}
	}
	if (rc == ESEAL_OK && errno != 0)
		rc = es_error_set(err, ESEAL_E_IO, "%s/%s: cannot read the directory: %s", root, prefix,
				  strerror(errno));
cleanup:
	free(sub);
	closedir(d);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int es_file_tree_list(const char *dir, const char *skip, es_file_tree *out, eseal_error *err)
{
	int fd, rc;

	memset(out, 0, sizeof(*out));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return es_error_set(err, errno == ENOTDIR ? ESEAL_E_INPUT : ESEAL_E_IO,
				    "%s: cannot open the directory: %s", dir, strerror(errno));
	rc = walk(fd, "", dir, skip, 0, out, err);
	if (rc != ESEAL_OK) {
		es_file_tree_free(out);
		return rc;
	}
	if (out->n > 0)
		qsort(out->names, out->n, sizeof(*out->names), cmp_names);
	return ESEAL_OK;
}

int es_file_tree_has(const es_file_tree *t, const char *name)
{
	return t->n > 0 && bsearch(&name, t->names, t->n, sizeof(*t->names), cmp_names) != NULL;
}

void es_file_tree_free(es_file_tree *t)
{
	for (size_t i = 0; t != NULL && i < t->n; i++)
		free(t->names[i]);
	if (t != NULL) {
		free(t->names);
		t->names = NULL;
		t->n = 0;
	}
}

char *es_file_tree_path(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *s = malloc(len);

	if (s != NULL)
		snprintf(s, len, "%s/%s", dir, name);
	return s;
}

int es_file_tree_outside(const char *dir, const char *out_path, const char *what, eseal_error *err)
{
	char dir_real[PATH_MAX], out_dir_real[PATH_MAX];
	char *copy = strdup(out_path);
	size_t n;
	int rc = ESEAL_OK;

	if (copy == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	if (realpath(dir, dir_real) == NULL || realpath(dirname(copy), out_dir_real) == NULL) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot resolve path: %s", out_path, strerror(errno));
		goto cleanup;
	}
	n = strlen(dir_real);
	if (strncmp(out_dir_real, dir_real, n) == 0 && (out_dir_real[n] == '\0' || out_dir_real[n] == '/' || n == 1))
		rc = es_error_set(
			err, ESEAL_E_USAGE,
			"%s: the %s of folder %s would be written inside it; sealing leaves the folder unchanged: "
			"write it beside the folder (e.g. -o %s.%s)",
			out_path, what, dir, dir, strcmp(what, "seal") == 0 ? "xades.xml" : "asice");
cleanup:
	free(copy);
	return rc;
}
