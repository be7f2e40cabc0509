/* eseal/cms.h: CAdES / CMS SignedData built over a digest the caller supplies.
 * The core never sees the document: PAdES, CAdES detached and XAdES callers all come here for signatures. */
#ifndef ESEAL_CMS_H
#define ESEAL_CMS_H

#include <stddef.h>
#include <time.h>
#include <openssl/evp.h>

#include "eseal/error.h"
#include "eseal/output.h"
#include "eseal/signer.h"
#include "eseal/timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eseal_cms_options {
	const EVP_MD *md;        /* algorithm of the supplied digest; NULL = SHA-256 */
	int add_signing_time;    /* CAdES: yes; PAdES: no (the time is the dictionary's /M) */
	time_t signing_time;     /* 0 = now */
	eseal_tsa *tsa;          /* non-NULL: B-T, the signature-time-stamp unsigned attribute is added */
	eseal_output_group *output_group; /* eseal_cades_seal_file in a batch (eseal/output.h); NULL = alone */
	void *output_cookie;              /* with output_group: names this output in the group's report */
} eseal_cms_options;
/* Defaults: SHA-256, no signing-time, B-B. */
#define ESEAL_CMS_OPTIONS_INIT ESEAL_OPTIONS_ZERO

/* Builds a detached SignedData (eContentType id-data, no eContent) with signed attributes content-type,
 * message-digest, signing-certificate-v2 (and signing-time if asked), the certificate chain in
 * certificates, and for B-T an RFC 3161 token over the signature value. Free *der with eseal_bytes_free; NULL on
 * failure. */
eseal_status eseal_cms_sign_digest(eseal_signer *signer, const eseal_cms_options *opts, const unsigned char *digest,
				   size_t digest_len, unsigned char **der, size_t *der_len, eseal_error *err);

/* Upper bound of the DER size eseal_cms_sign_digest will return with these options (for reserving a
 * PDF /Contents placeholder). */
size_t eseal_cms_max_size(const eseal_signer *signer, const eseal_cms_options *opts);

/* Detached CAdES over any file: streams the file through the digest and writes DER CMS (.p7s)
 * atomically to out_path (never a partial file; an existing file is replaced only if overwrite). */
eseal_status eseal_cades_seal_file(eseal_signer *signer, const eseal_cms_options *opts, const char *in_path,
				   const char *out_path, int overwrite, eseal_error *err);

#ifdef __cplusplus
}
#endif
#endif
