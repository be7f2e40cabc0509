/* cms/cades_file.c: detached CAdES (.p7s) over any file, for inputs that are neither PDF nor XML.
 * The file is streamed through the digest (it can be gigabytes) and never modified; the .p7s appears atomically. */
#include "eseal/cms.h"
#include "eseal/output.h"
#include "core/error_internal.h"
#include "core/input_internal.h"

eseal_status eseal_cades_seal_file(eseal_signer *signer, const eseal_cms_options *opts, const char *in_path,
				   const char *out_path, int overwrite, eseal_error *err)
{
	const EVP_MD *md = opts != NULL && opts->md != NULL ? opts->md : EVP_sha256();
	eseal_output *out = NULL;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0;
	unsigned char *der = NULL;
	size_t der_len = 0;
	int rc;

	eseal_error_clear(err);
	if (in_path == NULL || out_path == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "CAdES sealing needs an input and an output path");
	/* Open the output first: a refused output (exists, is the input, a symlink) must fail before we spend
	 * a hash pass over a large file, a token signature and a time-stamp. */
	if ((rc = eseal_output_open(&out, out_path, overwrite, in_path, err)) != ESEAL_OK)
		goto cleanup;
	eseal_output_set_group(out, opts->output_group, opts->output_cookie);
	if ((rc = es_input_digest(in_path, &es_input_document, md, digest, &digest_len, err)) != ESEAL_OK)
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
