/* core/input_internal.h: the one way the library opens a file it reads: documents, input lists, PINs, certificates,
 * trust anchors, images, the profile file. open() never waits (a FIFO without a writer, a device) and only regular
 * files are read, so no input can hang the program or feed it an endless stream; "-" is a bounded stdin stream. */
#ifndef ES_INPUT_INTERNAL_H
#define ES_INPUT_INTERNAL_H

#include <stddef.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/evp.h>

#include "eseal/error.h"

/* What a file is to its reader: the words and classes of its errors, and how much of it may be read. */
typedef struct es_input_role {
	const char *what;         /* the message's middle: "<path>: <what>: <reason>", e.g. "cannot read the PIN file" */
	eseal_status open_status; /* class when it cannot be opened (missing, no permission) */
	eseal_status kind_status; /* class when it is no regular file (FIFO, device, directory, socket) or too large */
	size_t max;               /* es_input_read/es_input_bio: largest size accepted */
	int stream;               /* es_input_read: "-" is standard input, and a FIFO or pipe (e.g. <(find ...)) is read
				   * too, as a stream of at most max bytes (a FIFO without a writer reads as empty) */
} es_input_role;

/* Documents to seal or verify: cannot open -> ESEAL_E_IO, no regular file -> ESEAL_E_INPUT. Streamed, no size cap. */
extern const es_input_role es_input_document;

/* Caps of the files read whole into memory. */
#define ES_INPUT_MAX_PEM ((size_t)64 << 20)    /* certificate chains and anchor bundles */
#define ES_INPUT_MAX_CONFIG ((size_t)1 << 20)  /* the profile file, small settings files */
#define ES_INPUT_MAX_LIST ((size_t)64 << 20)   /* --from: half a million paths fit */

/* Opens path read-only, O_NONBLOCK|O_NOCTTY|O_CLOEXEC, then refuses anything but a regular file naming its kind.
 * On success *fd is a blocking descriptor and *st (may be NULL) its fstat. */
int es_input_open(const char *path, const es_input_role *role, int *fd, struct stat *st, eseal_error *err);

/* The whole file (or a stream, when the role allows it), at most role->max bytes, NUL-terminated one past *len.
 * *buf is malloc'd; the caller frees it. */
int es_input_read(const char *path, const es_input_role *role, unsigned char **buf, size_t *len, eseal_error *err);

/* Streams the whole file through md (one sequential pass: documents can be gigabytes). */
int es_input_digest(const char *path, const es_input_role *role, const EVP_MD *md, unsigned char *out,
		    unsigned int *out_len, eseal_error *err);

/* The whole file in a memory BIO (for PEM readers: nothing but es_input_read opens the file). */
int es_input_bio(const char *path, const es_input_role *role, BIO **out, eseal_error *err);

/* Opens path below dirfd only (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, else es_input_open_walk) without
 * blocking, and keeps only regular files. Returns a blocking descriptor, or -1 with *why ("not found", "a symbolic
 * link is on its path (not followed)", "it is outside the directory", "not a regular file", "cannot be opened"). */
int es_input_open_beneath(int dirfd, const char *path, const char **why);

/* openat2's fallback: one component at a time with O_NOFOLLOW, so a symbolic link anywhere on the path fails
 * (errno ELOOP); "..", and absolute paths fail with EXDEV. The last component is opened with flags | O_NOFOLLOW.
 * Returns the descriptor or -1 with errno. */
int es_input_open_walk(int dirfd, const char *path, int flags);

/* A short name of what st is when it is not a regular file: "a FIFO", "a character device", "a directory", ... */
const char *es_input_kind(const struct stat *st);

#endif
