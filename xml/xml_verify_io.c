/* xml/xml_verify_io.c: the only input callbacks xmlsec keeps while verifying: detached data files named by plain
 * relative URIs, read from the signature file's directory and nowhere else (no symbolic link, no FIFO, no device). */
#include "xml_verify_internal.h"
#include "core/input_internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/uri.h>
#include <xmlsec/io.h>

/* Detached XAdES: data files named by relative URIs are read from the directory of the signature file, through
 * our own xmlsec input callbacks, and only while this thread verifies such a signature. Absolute paths, "..",
 * schemes, symbolic links and anything outside that directory never reach a reader. */
static _Thread_local int detached_dirfd = -1;

int es_xv_detached_path_ok(const char *path)
{
	const char *p;

	if (path == NULL || path[0] == '\0' || path[0] == '/')
		return 0;
	for (p = path; p != NULL; p = strchr(p, '/'), p = p != NULL ? p + 1 : NULL)
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
			return 0;
	return 1;
}

/* The URI is decoded exactly once, by the function xmlsec itself applies before it asks an input callback
 * (xmlSecTransformInputURIOpen hands the callbacks xmlURIUnescapeString(uri)): the file checked here is the file
 * xmlsec's reader opens. The raw URI must have no scheme (':'), no fragment ('#': xmlsec would apply an XPointer to
 * the file), no query, no backslash and no %00 (which would cut the decoded name short). */
char *es_xv_detached_path(const char *uri)
{
	char *dec = NULL, *out = NULL;

	if (uri == NULL || uri[0] == '\0' || uri[0] == '/' || strpbrk(uri, ":#?\\") != NULL ||
	    strcasestr(uri, "%00") != NULL)
		return NULL;
	dec = xmlURIUnescapeString(uri, 0, NULL);
	if (dec != NULL && es_xv_detached_path_ok(dec))
		out = strdup(dec);
	xmlFree(dec);
	return out;
}

/* The one opener of data files below a directory is the library's (core/input.c): no symbolic link, nothing
 * outside, no FIFO or device, never blocking in open(). */
int es_xv_open_walk(int dirfd, const char *path, int flags)
{
	return es_input_open_walk(dirfd, path, flags);
}

int es_xv_open_beneath(int dirfd, const char *path, const char **why)
{
	return es_input_open_beneath(dirfd, path, why);
}

/* xmlsec asks with the decoded URI (see es_xv_detached_path), so nothing is decoded here. Every URI that reaches
 * xmlsec passed es_xv_detached_path first, so its decoded form matches and xmlsec never retries with the raw one. */
static int detached_match(const char *path)
{
	return detached_dirfd >= 0 && es_xv_detached_path_ok(path);
}

static void *detached_open(const char *path)
{
	const char *why;
	int fd = es_xv_open_beneath(detached_dirfd, path, &why);

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
