/* pdf/pdf_seal_pass.c: the output pass of a seal: the original's bytes (unchanged) and the update are written while
 * the ByteRange is hashed in the same read, then the CMS is patched into the /Contents placeholder in place. */
#include "pdf_seal_internal.h"
#include "eseal/output.h"
#include "core/error_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COPY_BUF (1024 * 1024)

static int read_full(int fd, unsigned char *buf, size_t len, off_t off, size_t *got)
{
	ssize_t n;

	for (;;) {
		n = pread(fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		*got = (size_t)n;
		return 0;
	}
}

/* One pass so that a large file is read once, and memory use does not grow with its size. */
int es_pdf_pass_write_and_hash(es_pdf_seal_ctx *c, int fd, eseal_output *out, const EVP_MD *md, unsigned char *digest,
			       unsigned int *dlen, eseal_error *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *buf = NULL;
	off_t off = 0;
	size_t got = 0;
	int rc = ESEAL_OK;
	const char *u = c->u.buf.data;
	size_t after = c->contents_rel + c->contents_len;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, md, NULL) != 1) {
		rc = es_error_set_ossl(err, ESEAL_E_INTERNAL, "%s: cannot start the digest", c->doc.path);
		goto cleanup;
	}
	/* A small original was read whole when it was opened: the bytes sealed are then the very bytes examined. */
	if (c->doc.bytes != NULL) {
		if (EVP_DigestUpdate(ctx, c->doc.bytes, (size_t)c->doc.size) != 1) {
			rc = es_error_set_ossl(err, ESEAL_E_INTERNAL, "%s: digest failed", c->doc.path);
			goto cleanup;
		}
		if ((rc = eseal_output_write(out, c->doc.bytes, (size_t)c->doc.size, err)) != ESEAL_OK)
			goto cleanup;
		off = c->doc.size;
	} else if ((buf = malloc(COPY_BUF)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", c->doc.path);
		goto cleanup;
	} else {
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	while (off < c->doc.size) {
		size_t want = c->doc.size - off < COPY_BUF ? (size_t)(c->doc.size - off) : COPY_BUF;

		if (read_full(fd, buf, want, off, &got) != 0) {
			rc = es_error_set(err, ESEAL_E_IO, "%s: read failed: %s", c->doc.path, strerror(errno));
			goto cleanup;
		}
		if (got == 0) {
			rc = es_error_set(err, ESEAL_E_IO, "%s: file shrank while being sealed", c->doc.path);
			goto cleanup;
		}
		if (EVP_DigestUpdate(ctx, buf, got) != 1) {
			rc = es_error_set_ossl(err, ESEAL_E_INTERNAL, "%s: digest failed", c->doc.path);
			goto cleanup;
		}
		if ((rc = eseal_output_write(out, buf, got, err)) != ESEAL_OK)
			goto cleanup;
		off += (off_t)got;
	}
	if (EVP_DigestUpdate(ctx, u, c->contents_rel) != 1 ||
	    EVP_DigestUpdate(ctx, u + after, c->u.buf.len - after) != 1 || EVP_DigestFinal_ex(ctx, digest, dlen) != 1) {
		rc = es_error_set_ossl(err, ESEAL_E_INTERNAL, "%s: digest failed", c->doc.path);
		goto cleanup;
	}
	rc = eseal_output_write(out, u, c->u.buf.len, err);
cleanup:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}

int es_pdf_pass_patch_contents(es_pdf_seal_ctx *c, eseal_output *out, const unsigned char *der, size_t der_len,
			       eseal_error *err)
{
	static const char hex[] = "0123456789ABCDEF";
	char *h = NULL;
	size_t i;
	int rc;

	if (der_len * 2 + 2 > c->contents_len)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: signature of %zu bytes larger than its placeholder (%zu)",
				    c->doc.path, der_len, (c->contents_len - 2) / 2);
	if ((h = malloc(der_len * 2 + 1)) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	for (i = 0; i < der_len; i++) {
		h[2 * i] = hex[der[i] >> 4];
		h[2 * i + 1] = hex[der[i] & 15];
	}
	rc = eseal_output_pwrite(out, (off_t)(c->u.base + (off_t)c->contents_rel + 1), h, der_len * 2, err);
	free(h);
	return rc;
}
