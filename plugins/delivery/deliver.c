/* plugins/delivery/deliver.c: one finished file into a local user's folder, written by that user (es_deliver_file).
 * Root only looks up the user, creates the user's folder under a root-only parent, and forks; the copy itself runs
 * with the user's uid and groups and never interprets the bytes it copies. */
#include "delivery.h"
#include "error_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define USER_VAR "${USER}"
/* The child's answer: "<status>\t<path or message>". */
#define REPLY_MAX 4096

typedef struct user_info {
	char name[129];
	char home[1024];
	uid_t uid;
	gid_t gid;
} user_info;

static int lookup_user(const char *user, user_info *u, eseal_error *err)
{
	struct passwd pw, *res = NULL;
	char buf[16384];
	int e;

	if ((e = getpwnam_r(user, &pw, buf, sizeof(buf), &res)) != 0)
		return es_error_set(err, ESEAL_E_IO, "user '%s': cannot read the password database: %s", user,
				    strerror(e));
	if (res == NULL)
		return es_error_set(
			err, ESEAL_E_INPUT,
			"user '%s' is not a local user of this machine; the file cannot be delivered to them", user);
	if (strlen(pw.pw_name) >= sizeof(u->name) || strlen(pw.pw_dir) >= sizeof(u->home))
		return es_error_set(err, ESEAL_E_INPUT, "user '%s': name or home folder too long", user);
	strcpy(u->name, pw.pw_name);
	strcpy(u->home, pw.pw_dir);
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	return ESEAL_OK;
}

int es_delivery_candidate_name(const char *base, const char *ext, unsigned n, char *out, size_t size)
{
	int len;

	if (n <= 1)
		len = snprintf(out, size, "%s%s", base, ext);
	else
		len = snprintf(out, size, "%s (%u)%s", base, n, ext);
	return len < 0 || (size_t)len >= size ? -1 : 0;
}

/* As root: for a template like /srv/sealed/${USER}/..., creates /srv/sealed/<user> (0700, the user's) when it is
 * missing and /srv/sealed is root's and writable by root only, so that users need no write access to the parent.
 * Anything else (a home folder, a parent users may write) is left to the walk that runs as the user. */
static int root_make_user_dir(const char *tmpl, const user_info *u, eseal_error *err)
{
	const char *var = strstr(tmpl, USER_VAR), *end;
	char *admin = NULL, *comp = NULL, *name = NULL;
	struct stat st;
	size_t split;
	int pfd = -1, fd = -1, rc = ESEAL_OK;

	if (var == NULL || tmpl[0] != '/')
		return ESEAL_OK;
	split = (size_t)(var - tmpl);
	while (split > 0 && tmpl[split - 1] != '/')
		split--;
	end = strchr(tmpl + split, '/');
	admin = strndup(tmpl, split > 1 ? split - 1 : 1);
	comp = end != NULL ? strndup(tmpl + split, (size_t)(end - (tmpl + split))) : strdup(tmpl + split);
	if (admin == NULL || comp == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	if ((rc = es_delivery_expand(comp, USER_VAR, u->name, &name, err)) != ESEAL_OK)
		goto cleanup;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strchr(admin, '$') != NULL)
		goto cleanup;
	if ((pfd = open(admin, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fstat(pfd, &st) != 0 || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		goto cleanup; /* not root's alone: the user's own walk judges it */
	/* Only a folder made here and now becomes the user's: an existing root-owned folder is the admin's choice. */
	if (mkdirat(pfd, name, 0700) != 0) {
		if (errno != EEXIST)
			rc = es_error_set(err, ESEAL_E_IO, "%s/%s: cannot create the user's folder: %s", admin, name,
					  strerror(errno));
		goto cleanup;
	}
	/* On the descriptor, so a name swapped meanwhile cannot redirect the chown. */
	if ((fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0 ||
	    st.st_uid != 0 || fchown(fd, u->uid, u->gid) != 0 || fchmod(fd, 0700) != 0)
		rc = es_error_set(err, ESEAL_E_IO, "%s/%s: cannot give the new folder to '%s': %s", admin, name,
				  u->name, strerror(errno));
cleanup:
	if (fd >= 0)
		close(fd);
	if (pfd >= 0)
		close(pfd);
	free(admin);
	free(comp);
	free(name);
	return rc;
}

static int copy_fd(int src, int dst)
{
	char buf[65536];
	off_t off = 0;

	for (;;) {
		ssize_t n = pread(src, buf, sizeof(buf), off), w;
		char *p = buf;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		off += n;
		while (n > 0) {
			w = write(dst, p, (size_t)n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return -1;
			p += w;
			n -= w;
		}
	}
}

/* In the folder dirfd (already the user's): a temporary file, filled, fsync'ed, then linked under the first free
 * candidate name (linkat never replaces), the temporary name removed, the folder fsync'ed. */
static int write_into(int dirfd, const char *dir_path, int src_fd, const es_delivery *d, char **path_out,
		      eseal_error *err)
{
	char tmp[64], name[ES_DELIVERY_NAME_MAX + 64];
	unsigned n;
	int fd = -1, rc = ESEAL_OK, i;

	for (i = 0; i < 100 && fd < 0; i++) {
		snprintf(tmp, sizeof(tmp), ".eseal-delivery-%ld-%ld-%d.tmp", (long)getpid(), (long)time(NULL), i);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return es_error_set(err, ESEAL_E_IO, "%s: cannot create a file: %s", dir_path, strerror(errno));
	}
	if (fd < 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot create a temporary file", dir_path);
	if (copy_fd(src_fd, fd) != 0 || fchmod(fd, 0600) != 0 || fsync(fd) != 0) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot write the file: %s", dir_path, strerror(errno));
		goto cleanup;
	}
	for (n = 1; n <= ES_DELIVERY_MAX_TRIES; n++) {
		if (es_delivery_candidate_name(d->base, d->ext, n, name, sizeof(name)) != 0) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot form a file name", d->base);
			goto cleanup;
		}
		if (linkat(dirfd, tmp, dirfd, name, 0) == 0)
			break;
		/* File systems without hard links (a CIFS or vfat share): a rename that refuses to replace instead. */
		if (errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP || errno == EMLINK) {
			if (renameat2(dirfd, tmp, dirfd, name, RENAME_NOREPLACE) == 0) {
				tmp[0] = '\0'; /* nothing left to remove */
				break;
			}
		}
		if (errno != EEXIST) {
			rc = es_error_set(err, ESEAL_E_IO, "%s/%s: cannot create: %s", dir_path, name, strerror(errno));
			goto cleanup;
		}
	}
	if (n > ES_DELIVERY_MAX_TRIES) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: %u files named '%s' already exist in %s", d->base,
				  ES_DELIVERY_MAX_TRIES, d->base, dir_path);
		goto cleanup;
	}
	(void)fsync(dirfd);
	if ((*path_out = malloc(strlen(dir_path) + strlen(name) + 2)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	sprintf(*path_out, "%s/%s", dir_path, name);
cleanup:
	close(fd);
	if (tmp[0] != '\0')
		(void)unlinkat(dirfd, tmp, 0);
	return rc;
}

/* The walk and the copy, with whatever identity the process has now. */
static int deliver_as_self(int src_fd, const user_info *u, const es_delivery *d, char **path_out, eseal_error *err)
{
	char *dir_path = NULL;
	int dirfd = -1, rc;

	rc = es_delivery_open_dir(d->dir_template, u->name, u->home, &dirfd, &dir_path, err);
	if (rc == ESEAL_OK)
		rc = write_into(dirfd, dir_path, src_fd, d, path_out, err);
	if (dirfd >= 0)
		close(dirfd);
	free(dir_path);
	return rc;
}

static int become_user(const user_info *u)
{
	if (initgroups(u->name, u->gid) != 0 || setresgid(u->gid, u->gid, u->gid) != 0 ||
	    setresuid(u->uid, u->uid, u->uid) != 0)
		return -1;
	if (u->uid != 0 && (setuid(0) == 0 || geteuid() == 0))
		return -1;
	return 0;
}

static void write_reply(int fd, int status, const char *text)
{
	char reply[REPLY_MAX];
	int len = snprintf(reply, sizeof(reply), "%d\t%s", status, text);
	ssize_t w;
	size_t off = 0;

	if (len < 0)
		return;
	if ((size_t)len >= sizeof(reply))
		len = sizeof(reply) - 1;
	while (off < (size_t)len && ((w = write(fd, reply + off, (size_t)len - off)) > 0 || errno == EINTR))
		if (w > 0)
			off += (size_t)w;
}

/* Root: a child becomes the user and delivers; its verdict comes back on a pipe. */
static int deliver_in_child(int src_fd, const user_info *u, const es_delivery *d, char **path_out, eseal_error *err)
{
	char reply[REPLY_MAX + 1], *tab;
	size_t got = 0;
	ssize_t n;
	pid_t pid;
	int p[2], wst = 0, status;

	if (pipe2(p, O_CLOEXEC) != 0)
		return es_error_set(err, ESEAL_E_IO, "cannot create a pipe: %s", strerror(errno));
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return es_error_set(err, ESEAL_E_IO, "cannot fork to deliver the file: %s", strerror(errno));
	}
	if (pid == 0) {
		eseal_error cerr;
		char *path = NULL;
		int rc;

		close(p[0]);
		eseal_error_clear(&cerr);
		umask(077);
		if (become_user(u) != 0) {
			write_reply(p[1], ESEAL_E_CONFIG, "cannot become the user to deliver the file");
			_exit(1);
		}
		rc = deliver_as_self(src_fd, u, d, &path, &cerr);
		write_reply(p[1], rc, rc == ESEAL_OK ? path : cerr.message);
		_exit(rc == ESEAL_OK ? 0 : 1);
	}
	close(p[1]);
	while (got < REPLY_MAX && ((n = read(p[0], reply + got, REPLY_MAX - got)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			got += (size_t)n;
	close(p[0]);
	reply[got] = '\0';
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	tab = strchr(reply, '\t');
	if (tab == NULL || !WIFEXITED(wst))
		return es_error_set(err, ESEAL_E_INTERNAL, "delivery to '%s' ended without an answer", u->name);
	*tab = '\0';
	status = atoi(reply);
	if (status != ESEAL_OK || WEXITSTATUS(wst) != 0)
		return es_error_set(err, status != ESEAL_OK ? (eseal_status)status : ESEAL_E_INTERNAL, "%s", tab + 1);
	if ((*path_out = strdup(tab + 1)) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	return ESEAL_OK;
}

int es_deliver_file(int src_fd, const char *user, const es_delivery *d, char **path_out, eseal_error *err)
{
	user_info u;
	int rc;

	*path_out = NULL;
	if ((rc = es_delivery_check_user(user, err)) != ESEAL_OK || (rc = lookup_user(user, &u, err)) != ESEAL_OK)
		return rc;
	if (strlen(d->base) > ES_DELIVERY_NAME_MAX || strchr(d->base, '/') != NULL || d->base[0] == '.' ||
	    d->base[0] == '\0')
		return es_error_set(err, ESEAL_E_INTERNAL, "delivery: unsafe file name '%s'", d->base);
	if (geteuid() == 0) {
		if ((rc = root_make_user_dir(d->dir_template, &u, err)) != ESEAL_OK)
			return rc;
		return deliver_in_child(src_fd, &u, d, path_out, err);
	}
	if (geteuid() != u.uid)
		return es_error_set(err, ESEAL_E_CONFIG,
				    "cannot deliver a file to user '%s' while running as uid %ld (only root or the "
				    "user can)",
				    u.name, (long)geteuid());
	return deliver_as_self(src_fd, &u, d, path_out, err);
}

int es_delivery_check_local_user(const char *user, eseal_error *err)
{
	user_info u;
	int rc;

	if ((rc = es_delivery_check_user(user, err)) != ESEAL_OK)
		return rc;
	return lookup_user(user, &u, err);
}

int es_delivery_lookup_user(const char *user, uid_t *uid_out, char **home_out, eseal_error *err)
{
	user_info u;
	int rc;

	*home_out = NULL;
	if ((rc = es_delivery_check_user(user, err)) != ESEAL_OK || (rc = lookup_user(user, &u, err)) != ESEAL_OK)
		return rc;
	if (u.home[0] == '/' && (*home_out = strdup(u.home)) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	*uid_out = u.uid;
	return ESEAL_OK;
}

char *es_delivery_home_of(const char *user)
{
	user_info u;

	if (user == NULL || lookup_user(user, &u, NULL) != ESEAL_OK || u.home[0] != '/')
		return NULL;
	return strdup(u.home);
}
