/* core/input.c: opening and reading the files the library reads (see input_internal.h).
 * O_NONBLOCK makes open() return at once whatever the file is; fstat then decides, and only regular files are read. */
#include "input_internal.h"
#include "error_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

const es_input_role es_input_document = {"cannot open", ESEAL_E_IO, ESEAL_E_INPUT, 0, 0};

const char *es_input_kind(const struct stat *st)
{
	switch (st->st_mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFIFO: return "a FIFO";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFDIR: return "a directory";
	case S_IFSOCK: return "a socket";
	default: return "not a regular file";
	}
}

/* Back to blocking reads: a regular file never blocks anyway, but callers hand the descriptor to libraries that
 * treat EAGAIN as an error. */
/* F_SETFL changes only O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME and O_NONBLOCK, none of which an input keeps: setting
 * no flag clears O_NONBLOCK without asking first what is set. */
static int make_blocking(int fd)
{
	return fcntl(fd, F_SETFL, 0) < 0 ? -1 : 0;
}

int es_input_open(const char *path, const es_input_role *role, int *fd_out, struct stat *st_out, eseal_error *err)
{
	struct stat st;
	int fd;

	*fd_out = -1;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return es_error_set(err, role->open_status, "%s: %s: %s", path, role->what, strerror(errno));
	if (fstat(fd, &st) != 0 || make_blocking(fd) != 0) {
		int e = errno;

		close(fd);
		return es_error_set(err, ESEAL_E_IO, "%s: %s: %s", path, role->what, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return es_error_set(err, role->kind_status, "%s: %s: %s, not a regular file", path, role->what,
				    es_input_kind(&st));
	}
	if (st_out != NULL)
		*st_out = st;
	*fd_out = fd;
	return ESEAL_OK;
}

/* Reads fd to its end, stopping with an error past max bytes: stdin may be an endless stream (/dev/zero). */
static int read_bounded(int fd, const char *path, const es_input_role *role, size_t hint, unsigned char **buf_out,
			size_t *len_out, eseal_error *err)
{
	unsigned char *buf = NULL, *grown;
	/* Room for the expected size, the NUL and one more byte, so that a file of the size fstat gave is read without
	 * growing the buffer just to see its end. */
	size_t len = 0, cap = hint < role->max ? hint + 2 : role->max + 2;
	ssize_t n;
	int rc = ESEAL_OK;

	if (cap < 4096)
		cap = 4096;
	for (;;) {
		if (len + 1 >= cap || buf == NULL) {
			size_t want = buf == NULL ? cap : cap * 2;

			if (want > role->max + 2)
				want = role->max + 2; /* one byte past max tells "too large", one for the NUL */
			if (buf != NULL && want <= cap) {
				rc = es_error_set(err, role->kind_status, "%s: %s: larger than %zu bytes", path, role->what,
						  role->max);
				goto cleanup;
			}
			if ((grown = realloc(buf, want)) == NULL) {
				rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
				goto cleanup;
			}
			buf = grown;
			cap = want;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = es_error_set(err, ESEAL_E_IO, "%s: %s: %s", path, role->what, strerror(errno));
			goto cleanup;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > role->max) {
			rc = es_error_set(err, role->kind_status, "%s: %s: larger than %zu bytes", path, role->what,
					  role->max);
			goto cleanup;
		}
	}
	buf[len] = '\0';
	*buf_out = buf;
	*len_out = len;
	buf = NULL;
cleanup:
	free(buf);
	return rc;
}

int es_input_read(const char *path, const es_input_role *role, unsigned char **buf, size_t *len, eseal_error *err)
{
	struct stat st;
	int fd = -1, rc;

	*buf = NULL;
	*len = 0;
	if (role->stream && strcmp(path, "-") == 0)
		return read_bounded(STDIN_FILENO, "standard input", role, 65536, buf, len, err);
	if (role->stream) {
		/* Open without waiting for a writer; a pipe is read to its end, never past role->max. */
		if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) >= 0 && fstat(fd, &st) == 0 &&
		    S_ISFIFO(st.st_mode)) {
			if (make_blocking(fd) == 0)
				rc = read_bounded(fd, path, role, 65536, buf, len, err);
			else
				rc = es_error_set(err, ESEAL_E_IO, "%s: %s: %s", path, role->what, strerror(errno));
			close(fd);
			return rc;
		}
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	if ((rc = es_input_open(path, role, &fd, &st, err)) != ESEAL_OK)
		return rc;
	if ((size_t)st.st_size > role->max)
		rc = es_error_set(err, role->kind_status, "%s: %s: larger than %zu bytes", path, role->what, role->max);
	else
		rc = read_bounded(fd, path, role, (size_t)st.st_size, buf, len, err);
	close(fd);
	return rc;
}

#define ES_READ_CHUNK ((size_t)64 * 1024)

int es_input_digest(const char *path, const es_input_role *role, const EVP_MD *md, unsigned char *out,
		    unsigned int *out_len, eseal_error *err)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char *buf = NULL;
	ssize_t n;
	int fd = -1, rc;

	if ((rc = es_input_open(path, role, &fd, NULL, err)) != ESEAL_OK)
		goto cleanup;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL); /* let the kernel read ahead aggressively */
	buf = malloc(ES_READ_CHUNK);
	ctx = EVP_MD_CTX_new();
	if (buf == NULL || ctx == NULL || !EVP_DigestInit_ex(ctx, md, NULL)) {
		rc = es_error_set_ossl(err, ESEAL_E_INTERNAL, "%s: cannot start the digest", path);
		goto cleanup;
	}
	for (;;) {
		n = read(fd, buf, ES_READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = es_error_set(err, ESEAL_E_IO, "%s: read failed: %s", path, strerror(errno));
			goto cleanup;
		}
		if (n == 0)
			break;
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n)) {
			rc = es_error_set_ossl(err, ESEAL_E_CRYPTO, "%s: digest failed", path);
			goto cleanup;
		}
	}
	if (!EVP_DigestFinal_ex(ctx, out, out_len))
		rc = es_error_set_ossl(err, ESEAL_E_CRYPTO, "%s: digest failed", path);
cleanup:
	EVP_MD_CTX_free(ctx);
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

int es_input_bio(const char *path, const es_input_role *role, BIO **out, eseal_error *err)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	int rc;

	*out = NULL;
	if ((rc = es_input_read(path, role, &buf, &len, err)) != ESEAL_OK)
		return rc;
	/* A copy the BIO owns: the caller keeps only the BIO. BIO_reset rewinds it (PEM readers read a file twice). */
	bio = BIO_new(BIO_s_mem());
	if (bio != NULL)
		BIO_set_flags(bio, BIO_FLAGS_NONCLEAR_RST);
	if (bio == NULL || (len > 0 && BIO_write(bio, buf, (int)len) != (int)len)) {
		BIO_free(bio);
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
	} else {
		*out = bio;
	}
	free(buf);
	return rc;
}

int es_input_open_walk(int dirfd, const char *path, int flags)
{
	char *copy = strdup(path), *comp, *save = NULL, *next;
	int cur = dirfd, fd = -1, err = 0;
	struct stat st;

	if (copy == NULL)
		return -1;
	if (path[0] == '/')
		err = EXDEV; /* RESOLVE_BENEATH's answer to an absolute path */
	for (comp = err == 0 ? strtok_r(copy, "/", &save) : NULL; comp != NULL; comp = next) {
		next = strtok_r(NULL, "/", &save);
		if (strcmp(comp, "..") == 0) {
			err = EXDEV;
			break;
		}
		if (next == NULL) {
			fd = openat(cur, comp, flags | O_NOFOLLOW);
			err = fd < 0 ? errno : 0;
			break;
		}
		if (strcmp(comp, ".") == 0)
			continue;
		fd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		err = fd < 0 ? errno : 0;
		/* O_DIRECTORY wins over O_NOFOLLOW for a link: ENOTDIR; say what it is, as openat2 does (ELOOP). */
		if (err == ENOTDIR && fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			err = ELOOP;
		if (cur != dirfd)
			close(cur);
		if (fd < 0)
			break;
		cur = fd;
		fd = -1;
	}
	if (comp == NULL && fd < 0 && err == 0)
		err = EISDIR; /* "", "." or "a/": no file named */
	if (cur != dirfd)
		close(cur);
	free(copy);
	errno = err;
	return fd;
}

int es_input_open_beneath(int dirfd, const char *path, const char **why)
{
	struct open_how how;
	struct stat st;
	int fd;

	*why = NULL;
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	/* EPERM: container runtimes whose seccomp profile predates openat2 deny it that way. */
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		fd = es_input_open_walk(dirfd, path, (int)how.flags);
	if (fd < 0) {
		*why = errno == ENOENT ? "not found" :
		       errno == ELOOP  ? "a symbolic link is on its path (not followed)" :
		       errno == EXDEV  ? "it is outside its directory" :
					 "cannot be opened";
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		close(fd);
		return -1;
	}
	if (make_blocking(fd) != 0) {
		*why = "cannot be opened";
		close(fd);
		return -1;
	}
	return fd;
}
