/* xml/xml_verify_io.c: the only input callbacks xmlsec keeps while verifying: detached data files named by plain
 * relative URIs, read from the signature file's directory and nowhere else. */
#include "xml_verify_internal.h"

#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xmlsec/io.h>

/* Detached XAdES: data files named by relative URIs are read from the directory of the signature file, through
 * our own xmlsec input callbacks, and only while this thread verifies such a signature. Absolute paths, "..",
 * schemes and anything outside that directory never reach a reader. */
static _Thread_local int detached_dirfd = -1;

/* Percent-decodes a relative URI into a path; NULL if it is not a plain relative path below the directory. */
char *es_xv_detached_path(const char *uri)
{
	size_t n = uri != NULL ? strlen(uri) : 0, i, j = 0;
	char *out, *p;

	if (n == 0 || uri[0] == '/' || uri[0] == '#' || strchr(uri, ':') != NULL || strchr(uri, '\\') != NULL ||
	    strchr(uri, '?') != NULL || (out = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (uri[i] == '%' && isxdigit((unsigned char)uri[i + 1]) && isxdigit((unsigned char)uri[i + 2])) {
			char hex[3] = {uri[i + 1], uri[i + 2], 0};
			out[j++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			out[j++] = uri[i];
		}
	}
	out[j] = '\0';
	for (p = out; p != NULL; p = strchr(p, '/'), p = p != NULL ? p + 1 : NULL)
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
			break;
	if (p != NULL || out[0] == '/' || strlen(out) != j || j == 0) {
		free(out);
		return NULL;
	}
	return out;
}

int es_xv_detached_uri_ok(const char *uri)
{
	char *p = es_xv_detached_path(uri);

	free(p);
	return p != NULL;
}

static int detached_match(const char *uri)
{
	return detached_dirfd >= 0 && es_xv_detached_uri_ok(uri);
}

static void *detached_open(const char *uri)
{
	char *path = es_xv_detached_path(uri);
	int fd = path != NULL ? openat(detached_dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY) : -1;

	free(path);
	return fd < 0 ? NULL : (void *)(intptr_t)(fd + 1);
}

static int detached_read(void *ctx, char *buf, int len)
{
	ssize_t n = read((int)(intptr_t)ctx - 1, buf, (size_t)len);

	return n < 0 ? -1 : (int)n;
}

static int detached_close(void *ctx)
{
	return close((int)(intptr_t)ctx - 1);
}

/* Ours are the only input callbacks xmlsec keeps: its defaults (files anywhere, http, ftp) are never wanted when
 * verifying, and which registered callback xmlsec tries first differs between its versions. The sealers digest
 * their data themselves and do not read through xmlsec. */
static void register_io(void)
{
	xmlSecIOCleanupCallbacks();
	xmlSecIORegisterCallbacks(detached_match, detached_open, detached_read, detached_close);
}

static pthread_once_t io_once = PTHREAD_ONCE_INIT;

void es_xv_io_use_dir(int dirfd)
{
	if (dirfd >= 0)
		pthread_once(&io_once, register_io);
	detached_dirfd = dirfd;
}
