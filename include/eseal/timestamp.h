/* eseal/timestamp.h: RFC 3161 time-stamp client and token checks.
 * One client object holds the TSA list and settings; it is shared by all threads of a batch. */
#ifndef ESEAL_TIMESTAMP_H
#define ESEAL_TIMESTAMP_H

#include <stddef.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "eseal/error.h"
#include "eseal/profile.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eseal_tsa eseal_tsa;

typedef struct eseal_tsa_options {
	const char *const *urls;  /* tried in order; http:// or https:// */
	size_t n_urls;
	const EVP_MD *md;         /* message imprint algorithm; NULL = SHA-256 */
	const char *policy_oid;   /* requested TSA policy; NULL = none */
	long timeout_ms;          /* per request; 0 = 10000 */
	int retries;              /* extra rounds over the URL list on transient failure; 0 = none */
	const char *auth_file;    /* "user:password" for HTTP basic auth, first line; NULL = none */
	const char *ca_file;      /* PEM trust anchors for the TSA certificate; NULL = signature checked
	                             against the certificate in the token, chain not built */
	const char *tls_ca_file;  /* https:// only: PEM CA certificates the TSA's TLS server certificate must chain
	                             to, instead of the system's bundle; NULL = system bundle */
	/* REQUIRE (the zero default): a token is used only when its TSA certificate and their CA certificates below
	   the anchor are known not revoked, asked online (OCSP, else CRL) once per certificate while the answer is
	   current; needs ca_file. OFF: not checked. */
	eseal_tsa_revocation revocation;
	eseal_warn_fn warn;       /* warnings (an auth_file others can read); NULL = none */
	void *warn_ctx;
} eseal_tsa_options;
/* Defaults: SHA-256, 10 s, no retries, revocation REQUIRE; urls must still be set. */
#define ESEAL_TSA_OPTIONS_INIT ESEAL_OPTIONS_ZERO

eseal_status eseal_tsa_open(eseal_tsa **out, const eseal_tsa_options *opts, eseal_error *err);
void eseal_tsa_free(eseal_tsa *tsa);

/* The imprint algorithm this client uses. */
const EVP_MD *eseal_tsa_md(const eseal_tsa *tsa);

/* Requests a token over data (hashed here with the client's md): random nonce, certReq=true.
 * The response is verified before it is returned: status granted, nonce, imprint, TSA signature,
 * certificate (timeStamping EKU), ESS certificate id and (revocation REQUIRE) the TSA certificate's revocation
 * status. *token is the DER TimeStampToken (a CMS ContentInfo): free it with eseal_bytes_free (NULL on failure). Thread-safe; connections are
 * kept alive and reused. The TSA URLs are tried in order. Fails with ESEAL_E_CONFIG when every TSA was refused for
 * a reason retrying cannot mend (its certificate revoked, or naming no OCSP responder and no CRL), else with
 * ESEAL_E_TSA (unreachable, answering badly, the certificate's status unknown now: retry later). */
eseal_status eseal_tsa_stamp(eseal_tsa *tsa, const unsigned char *data, size_t data_len, unsigned char **token,
			     size_t *token_len, eseal_error *err);
/* Same, for a digest the caller already computed with eseal_tsa_md(tsa). */
eseal_status eseal_tsa_stamp_digest(eseal_tsa *tsa, const unsigned char *digest, size_t digest_len,
				    unsigned char **token, size_t *token_len, eseal_error *err);

/* Size in bytes to reserve for one token from this client (learned from earlier answers, else a
 * conservative default). */
size_t eseal_tsa_token_size_hint(const eseal_tsa *tsa);

/* Reads genTime from a DER token. */
eseal_status eseal_tst_gen_time(const unsigned char *token, size_t token_len, time_t *gen_time, eseal_error *err);

#ifdef __cplusplus
}
#endif
#endif
