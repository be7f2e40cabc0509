/* seal/seal_memory.c: sealing a document held in memory, into memory or onto a file descriptor, for every format.
 * The format code works on files, so the document goes through a private directory that is removed afterwards. */
#include "eseal/seal.h"
#include "core/error_internal.h"
#include "core/input_internal.h"
#include "core/tmpdir_internal.h"

#include <openssl/crypto.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* write(2) until len bytes are out, through EINTR and short writes. */
static eseal_status write_all(int fd, const unsigned char *p, size_t len, const char *what, eseal_error *err)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return es_error_set(err, ESEAL_E_IO, "%s: cannot write: %s", what,
					    n < 0 ? strerror(errno) : "no progress");
		p += n;
		len -= (size_t)n;
	}
	return ESEAL_OK;
}

/* The document as a file of its own (0600 in the private directory). */
static eseal_status write_input(const char *path, const void *doc, size_t len, const char *name, eseal_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	eseal_status rc;

	if (fd < 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot make a working copy: %s", name, strerror(errno));
	rc = write_all(fd, doc, len, name, err);
	if (close(fd) != 0 && rc == ESEAL_OK)
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot make a working copy: %s", name, strerror(errno));
	return rc;
}

/* The sealed file, whole, into *out (OPENSSL_malloc'd: eseal_bytes_free) or onto fd (out NULL). */
static eseal_status deliver(const char *path, int fd, unsigned char **out, size_t *out_len, const char *name,
			    eseal_error *err)
{
	unsigned char chunk[65536], *buf = NULL;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	eseal_status rc = ESEAL_OK;
	int in = open(path, O_RDONLY | O_CLOEXEC);

	if (in < 0 || fstat(in, &st) != 0) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot read the sealed copy back: %s", name, strerror(errno));
		goto cleanup;
	}
	if (out != NULL && (buf = OPENSSL_malloc((size_t)st.st_size + 1)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory for the sealed copy", name);
		goto cleanup;
	}
	for (;;) {
		unsigned char *dst = buf != NULL ? buf + len : chunk;
		size_t room = buf != NULL ? (size_t)st.st_size + 1 - len : sizeof(chunk);

		if (room == 0) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: the sealed copy grew while read", name);
			goto cleanup;
		}
		n = read(in, dst, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = es_error_set(err, ESEAL_E_IO, "%s: cannot read the sealed copy back: %s", name,
					  strerror(errno));
			goto cleanup;
		}
		if (n == 0)
			break;
		if (buf == NULL && (rc = write_all(fd, chunk, (size_t)n, name, err)) != ESEAL_OK)
			goto cleanup;
		len += (size_t)n;
	}
	if (out != NULL) {
		*out = buf;
		*out_len = len;
		buf = NULL;
	}
cleanup:
	OPENSSL_free(buf);
	if (in >= 0)
		close(in);
	return rc;
}

/* Messages name the document as the caller does, not by its working copy's path. */
static void unname_workdir(eseal_error *err, const char *dir)
{
	size_t dl = strlen(dir);
	char *p;

	if (err == NULL || err->status == ESEAL_OK || dl == 0)
		return;
	while ((p = strstr(err->message, dir)) != NULL) {
		size_t skip = dl + (p[dl] == '/' ? 1 : 0);

		memmove(p, p + skip, strlen(p + skip) + 1);
	}
}

/* The last component of name (the working copy's file name: its extension still says what the document is to
 * format detection), or "document" when name has none. */
static const char *base_of(const char *name)
{
	const char *slash = strrchr(name, '/'), *b = slash != NULL ? slash + 1 : name;

	return b[0] == '\0' || strcmp(b, ".") == 0 || strcmp(b, "..") == 0 ? "document" : b;
}

static eseal_status seal_buffer(eseal_sealer *s, const char *name, const void *doc, size_t len,
				const eseal_seal_options *opts, int fd, unsigned char **out, size_t *out_len,
				eseal_seal_result *result, eseal_error *err)
{
	char dir[ES_TMPDIR_MAX] = "", in_path[ES_TMPDIR_MAX + 256], out_path[ES_TMPDIR_MAX + 16];
	eseal_seal_options so = ESEAL_SEAL_OPTIONS_INIT;
	eseal_seal_result res;
	eseal_format format;
	eseal_status rc;

	eseal_error_clear(err);
	if (result != NULL)
		memset(result, 0, sizeof(*result));
	if (out != NULL)
		*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (name == NULL)
		name = "document";
	if (s == NULL || (doc == NULL && len > 0) || (out != NULL && out_len == NULL) || (out == NULL && fd < 0))
		return es_error_set(err, ESEAL_E_USAGE, "%s: sealer, document and output are required", name);
	if (len > ESEAL_DOCUMENT_MAX)
		return es_error_set(err, ESEAL_E_INPUT, "%s: %zu bytes; a document sealed from memory holds at most %zu",
				    name, len, (size_t)ESEAL_DOCUMENT_MAX);
	if (opts != NULL)
		so = *opts;
	/* The working copy is read at once by the extension step or not at all: nothing may go to a commit group. */
	so.output_group = NULL;
	so.output_cookie = NULL;
	so.overwrite = 0;
	if ((rc = es_tmpdir_make(dir, "eseal-mem", name, err)) != ESEAL_OK)
		return rc;
	snprintf(in_path, sizeof(in_path), "%s/%s", dir, base_of(name));
	snprintf(out_path, sizeof(out_path), "%s/sealed", dir);
	if ((rc = write_input(in_path, doc, len, name, err)) != ESEAL_OK)
		goto cleanup;
	if ((rc = eseal_sealer_resolve_format(s, in_path, so.format, &format, err)) != ESEAL_OK)
		goto cleanup;
	/* Detached XAdES names the document by its file name: a buffer has none a reader could find. */
	if (format == ESEAL_FORMAT_XML_DETACHED) {
		rc = es_error_set(err, ESEAL_E_USAGE,
				  "%s: detached XAdES refers to the sealed files by name; seal files, not memory, with a "
				  "detached placement",
				  name);
		goto cleanup;
	}
	so.format = format;
	if ((rc = eseal_sealer_seal_ext(s, in_path, out_path, &so, &res, err)) != ESEAL_OK)
		goto cleanup;
	if (result != NULL)
		*result = res;
	/* A sealer that extends may find nothing to do (renew_before): the document comes back as it was. */
	rc = deliver(res.current ? in_path : out_path, fd, out, out_len, name, err);
cleanup:
	unname_workdir(err, dir);
	es_tmpdir_remove(dir);
	return rc;
}

eseal_status eseal_sealer_seal_memory(eseal_sealer *sealer, const char *name, const void *doc, size_t len,
				      const eseal_seal_options *opts, unsigned char **out, size_t *out_len,
				      eseal_seal_result *result, eseal_error *err)
{
	return seal_buffer(sealer, name, doc, len, opts, -1, out, out_len, result, err);
}

eseal_status eseal_sealer_seal_fd(eseal_sealer *sealer, const char *name, const void *doc, size_t len,
				  const eseal_seal_options *opts, int fd, eseal_seal_result *result, eseal_error *err)
{
	return seal_buffer(sealer, name, doc, len, opts, fd, NULL, NULL, result, err);
}
