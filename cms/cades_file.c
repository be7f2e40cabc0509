/* cms/cades_file.c: detached CAdES (.p7s) over any file, for inputs that are neither PDF nor XML.
 * The file is streamed through the digest (it can be gigabytes) and never modified; the .p7s appears atomically. */
#include "eseal/cms.h"
#include "eseal/output.h"
#include "error_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ES_READ_CHUNK ((size_t)64 * 1024)

/* Hashes the whole file with md; the descriptor is read to EOF. */
static int digest_file(const char *path, const EVP_MD *md, unsigned char *out, unsigned int *out_len, eseal_error *err)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char *buf = NULL;
	struct stat st;
	ssize_t n;
	int fd = -1, rc = ESEAL_OK;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot open: %s", path, strerror(errno));
		goto cleanup;
	}
	if (fstat(fd, &st) != 0) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot stat: %s", path, strerror(errno));
		goto cleanup;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: is a directory, not a file to seal", path);
		goto cleanup;
	}
	/* One sequential pass over a possibly huge file: let the kernel read ahead aggressively. */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	buf = OPENSSL_malloc(ES_READ_CHUNK);
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
	OPENSSL_free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

int eseal_cades_seal_file(eseal_signer *signer, const eseal_cms_options *opts, const char *in_path,
			  const char *out_path, int overwrite, eseal_error *err)
{
	const EVP_MD *md = opts != NULL && opts->md != NULL ? opts->md : EVP_sha256();
	eseal_output *out = NULL;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0;
	unsigned char *der = NULL;
	size_t der_len = 0;
	int rc;

	if (in_path == NULL || out_path == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "CAdES sealing needs an input and an output path");
	/* Open the output first: a refused output (exists, is the input, a symlink) must fail before we spend
	 * a hash pass over a large file, a token signature and a time-stamp. */
	if ((rc = eseal_output_open(&out, out_path, overwrite, in_path, err)) != ESEAL_OK)
		goto cleanup;
	eseal_output_set_group(out, opts->output_group, opts->output_cookie);
	if ((rc = digest_file(in_path, md, digest, &digest_len, err)) != ESEAL_OK)
		goto cleanup;
	if ((rc = eseal_cms_sign_digest(signer, opts, digest, digest_len, &der, &der_len, err)) != ESEAL_OK) {
		es_error_prefix(err, "%s", in_path);
		goto cleanup;
	}
	if ((rc = eseal_output_write(out, der, der_len, err)) != ESEAL_OK)
		goto cleanup;
	rc = eseal_output_commit(out, err);
cleanup:
	OPENSSL_free(der);
	eseal_output_free(out);
	return rc;
}
