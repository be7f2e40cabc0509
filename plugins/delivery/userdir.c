/* plugins/delivery/userdir.c: the folder a finished file lands in (`output-dir`, ${USER} = the job's user, ${HOME} =
 * that user's home). Users may plant links in the per-user part of the path (a shared folder, a home directory), so
 * that part is walked one component at a time with O_NOFOLLOW and must be ours; the part above it is the admin's. */
#include "delivery.h"
#include "error_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define USER_VAR "${USER}"
#define HOME_VAR "${HOME}"
#define USER_MAX 128

int es_delivery_check_user(const char *user, eseal_error *err)
{
	const unsigned char *s = (const unsigned char *)user;
	size_t len = user != NULL ? strlen(user) : 0;

	if (len == 0)
		return es_error_set(err, ESEAL_E_INPUT, "the job has no user name; cannot choose its output folder");
	if (len > USER_MAX)
		return es_error_set(err, ESEAL_E_INPUT, "the job's user name is longer than %d bytes", USER_MAX);
	if (s[0] == '.' || strchr(user, '/') != NULL)
		return es_error_set(err, ESEAL_E_INPUT,
				    "the job's user name '%s' cannot be a folder name ('/' or leading '.')", user);
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s == 0x7f)
			return es_error_set(err, ESEAL_E_INPUT, "the job's user name contains control characters");
	return ESEAL_OK;
}

int es_delivery_expand(const char *tmpl, const char *var, const char *value, char **out, eseal_error *err)
{
	size_t vlen = strlen(var), ulen = strlen(value), n = 0, len;
	const char *p;
	char *r, *w;

	*out = NULL;
	for (p = strstr(tmpl, var); p != NULL; p = strstr(p + vlen, var))
		n++;
	len = strlen(tmpl) + n * ulen + 1; /* generous: each variable is replaced, never grown beyond ulen */
	if ((r = malloc(len)) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	for (w = r, p = tmpl; *p != '\0';) {
		if (strncmp(p, var, vlen) == 0) {
			memcpy(w, value, ulen);
			w += ulen;
			p += vlen;
		} else {
			*w++ = *p++;
		}
	}
	*w = '\0';
	*out = r;
	return ESEAL_OK;
}

/* Opens (creating with 0700 if missing) one per-user component below parent, refusing links and foreign dirs; with a
 * reader, gives that user r-x on it (es_delivery_grant_read). Returns the descriptor, or -1 with err set. */
static int open_component(int parent, const char *name, const char *path, uid_t reader, eseal_error *err)
{
	struct stat st;
	int fd = -1, tries;

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		es_error_set(err, ESEAL_E_CONFIG, "output-dir %s: '.' or '..' in the per-user part", path);
		return -1;
	}
	for (tries = 0; tries < 2; tries++) {
		fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT)
			break;
		/* EEXIST: someone made it between our open and mkdir; the next open judges what it is. */
		if (mkdirat(parent, name, 0700) != 0 && errno != EEXIST) {
			es_error_set(err, ESEAL_E_IO, "output-dir %s: cannot create '%s': %s", path, name,
				     strerror(errno));
			return -1;
		}
	}
	if (fd < 0) {
		if ((errno == ELOOP || errno == ENOTDIR) && fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			es_error_set(err, ESEAL_E_INPUT, "output-dir %s: '%s' is %s; refusing to write there", path,
				     name, S_ISLNK(st.st_mode) ? "a symbolic link" : "not a directory");
		else if (errno == EACCES) /* a folder of someone else's: this job's problem, not the printer's */
			es_error_set(err, ESEAL_E_INPUT, "output-dir %s: '%s' is not accessible to the delivering user",
				     path, name);
		else
			es_error_set(err, ESEAL_E_IO, "output-dir %s: cannot open '%s': %s", path, name,
				     strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0)
		es_error_set(err, ESEAL_E_IO, "output-dir %s: cannot stat '%s': %s", path, name, strerror(errno));
	else if (st.st_uid != geteuid())
		es_error_set(err, ESEAL_E_INPUT,
			     "output-dir %s: '%s' belongs to uid %ld, not to the delivering uid %ld; "
			     "refusing to write there",
			     path, name, (long)st.st_uid, (long)geteuid());
	else if (st.st_mode & S_IWOTH)
		es_error_set(err, ESEAL_E_INPUT, "output-dir %s: '%s' is writable by everyone; refusing to write there",
			     path, name);
	else if (reader == ES_DELIVERY_NO_READER || es_delivery_grant_read(fd, reader, path, err) == ESEAL_OK)
		return fd;
	close(fd);
	return -1;
}

int es_delivery_open_dir(const char *tmpl, const char *user, const char *home, int *dirfd_out, char **path_out,
			 eseal_error *err)
{
	return es_delivery_open_dir_for(tmpl, user, home, ES_DELIVERY_NO_READER, dirfd_out, path_out, err);
}

int es_delivery_open_dir_for(const char *tmpl_in, const char *user, const char *home, uid_t reader, int *dirfd_out,
			     char **path_out, eseal_error *err)
{
	char *admin = NULL, *rest = NULL, *path = NULL, *tmpl = NULL, *tok, *save = NULL;
	const char *var;
	size_t split, len;
	int fd = -1, next, rc;

	*dirfd_out = -1;
	*path_out = NULL;
	if (tmpl_in == NULL || (tmpl_in[0] != '/' && strncmp(tmpl_in, HOME_VAR, strlen(HOME_VAR)) != 0))
		return es_error_set(err, ESEAL_E_CONFIG,
				    "output-dir: %s; the e-Seal printer needs an absolute folder "
				    "(e.g. /srv/sealed/${USER} or ${HOME}/PDF)",
				    tmpl_in == NULL ? "not set in the profile" : "not absolute");
	if ((rc = es_delivery_check_user(user, err)) != ESEAL_OK)
		return rc;
	/* ${HOME} comes from the password database, not from the job: it belongs to the admin's part. */
	if (strstr(tmpl_in, HOME_VAR) != NULL && (home == NULL || home[0] != '/'))
		return es_error_set(err, ESEAL_E_INPUT, "output-dir %s: user '%s' has no absolute home folder", tmpl_in,
				    user);
	if ((rc = es_delivery_expand(tmpl_in, HOME_VAR, home != NULL ? home : "", &tmpl, err)) != ESEAL_OK ||
	    (rc = es_delivery_expand(tmpl, USER_VAR, user, &path, err)) != ESEAL_OK)
		goto cleanup;
	len = strlen(tmpl);
	while (len > 1 && tmpl[len - 1] == '/')
		len--;
	/* The admin's part ends at the last '/' before the first ${USER} (or before the last component). */
	var = strstr(tmpl, USER_VAR);
	split = var != NULL ? (size_t)(var - tmpl) : len;
	while (split > 0 && tmpl[split - 1] != '/')
		split--;
	/* tmpl[split - 1] is the '/' ending the admin's part; "/x" -> admin "/", rest "x". */
	admin = strndup(tmpl, split > 1 ? split - 1 : 1);
	rest = strndup(tmpl + split, len - split);
	if (admin == NULL || rest == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	if (rest[0] == '\0') {
		rc = es_error_set(err, ESEAL_E_CONFIG, "output-dir %s: names no folder", tmpl);
		goto cleanup;
	}
	if ((fd = open(admin, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = es_error_set(err, ESEAL_E_CONFIG,
				  "output-dir %s: cannot open %s: %s (the administrator creates it, "
				  "writable by the delivering user)",
				  path, admin, strerror(errno));
		goto cleanup;
	}
	if ((rc = es_delivery_expand(rest, USER_VAR, user, &tok, err)) != ESEAL_OK)
		goto cleanup;
	free(rest);
	rest = tok;
	for (tok = strtok_r(rest, "/", &save); tok != NULL; tok = strtok_r(NULL, "/", &save)) {
		next = open_component(fd, tok, path, reader, err);
		close(fd);
		fd = next;
		if (fd < 0) {
			rc = err != NULL ? err->status : ESEAL_E_IO;
			goto cleanup;
		}
	}
	*dirfd_out = fd;
	fd = -1;
	*path_out = path;
	path = NULL;
	rc = ESEAL_OK;
cleanup:
	if (fd >= 0)
		close(fd);
	free(admin);
	free(rest);
	free(path);
	free(tmpl);
	return rc;
}
