/* eseal/signer.h: the organization's key, behind PKCS#11 (RFC 7512 URI), a remote CSC API v2 service or, for
 * development only, a key file.
 * Callers hand it a digest and get a signature value back; no caller ever holds the private key. */
#ifndef ESEAL_SIGNER_H
#define ESEAL_SIGNER_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "eseal/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eseal_signer eseal_signer;

typedef enum {
	ESEAL_SCHEME_AUTO = 0,   /* RSA -> PKCS#1 v1.5, EC -> ECDSA */
	ESEAL_SCHEME_RSA_PKCS1,
	ESEAL_SCHEME_RSA_PSS,    /* salt length = digest length, MGF1 with the same digest */
	ESEAL_SCHEME_ECDSA
} eseal_sig_scheme;

typedef struct eseal_signer_options {
	/* "pkcs11:token=...;object=...;type=private?module-path=...&pin-source=file:..." (RFC 7512),
	 * "csc:https://host:port/csc/v2?credential=ID" (a remote e-Seal behind the Cloud Signature Consortium API v2),
	 * or (development only) a path to a PEM or PKCS#12 private key file. */
	const char *key;
	/* File whose first line is the PIN (or key-file passphrase). NULL: the URI's pin-source, then ESEAL_PIN. */
	const char *pin_file;
	/* PEM file, signing certificate first, then its chain. NULL: the certificate is read from the token
	 * (the certificate object with the key's CKA_ID, else its label). */
	const char *cert_file;
	eseal_sig_scheme scheme;
	/* The value of ESEAL_PIN as the front end took it from its environment at start (so that the PIN does not stay
	 * in the environment for the whole run; see eseal_take_env_pin), used where ESEAL_PIN would be. NULL: the
	 * library reads ESEAL_PIN itself. */
	const char *env_pin;
	/* Warnings about the key's set-up (a PIN file others can read); NULL: none reported. */
	eseal_warn_fn warn;
	void *warn_ctx;
	/* csc: keys: file whose first line is the client's bearer token (required; never taken from anywhere else). */
	const char *csc_token_file;
	/* csc: keys: PEM CA certificates for the service's TLS server certificate. NULL: the system's. */
	const char *csc_ca;
	/* csc: keys, instead of csc_token_file: OAuth2 client credentials (CSC oauth2/token, grant client_credentials):
	 * the client_id, and a file whose first line is the client_secret. The access tokens it gives are renewed
	 * before they expire, or when the service refuses one. */
	const char *csc_client_id;
	const char *csc_client_secret_file;
	/* csc: keys: most hashes one signatures/signHash call carries: signatures asked for by several threads at once
	 * are gathered (waiting a few milliseconds at most) and sent together. 0: ESEAL_CSC_BATCH_DEFAULT; 1: one
	 * call per signature. */
	int csc_batch;
} eseal_signer_options;
/* Defaults: scheme AUTO; key must still be set. */
#define ESEAL_SIGNER_OPTIONS_INIT ESEAL_OPTIONS_ZERO

#define ESEAL_CSC_BATCH_DEFAULT 32
#define ESEAL_CSC_BATCH_MAX 1000

/* For front ends, before they start threads: copies ESEAL_PIN into buf (size bytes, NUL-terminated; "" when unset
 * or too long), overwrites the value in the environment and removes the variable, so neither children nor
 * /proc/PID/environ show it. Returns 1 if a PIN was taken. Wipe buf with OPENSSL_cleanse when done. */
int eseal_take_env_pin(char *buf, size_t size);

/* Loads the module, logs in once (CKR_USER_ALREADY_LOGGED_IN is fine; a wrong PIN fails at once with
 * ESEAL_E_PIN and is never retried), finds key and certificate, and checks that the certificate matches
 * the key and is valid now. The signer is safe to use from several threads: each sign call takes a
 * session from a pool. */
eseal_status eseal_signer_open(eseal_signer **out, const eseal_signer_options *opts, eseal_error *err);
void eseal_signer_free(eseal_signer *signer);

/* Borrowed: valid until eseal_signer_free. */
X509 *eseal_signer_certificate(const eseal_signer *signer);
/* Borrowed: the chain after the signing certificate (possibly empty, never NULL). */
STACK_OF(X509) *eseal_signer_chain(const eseal_signer *signer);
/* The scheme sign calls use (AUTO resolved). */
eseal_sig_scheme eseal_signer_scheme(const eseal_signer *signer);
/* Upper bound of a signature value's size in bytes (for reserving space). */
size_t eseal_signer_max_signature_size(const eseal_signer *signer);

/* Signs a digest computed with md (SHA-256/384/512). The value is returned as the token gives it:
 * RSA: the signature block; ECDSA: raw r||s (what XML-DSig wants; the CMS layer DER-encodes it).
 * Free *sig with eseal_bytes_free; on failure it is NULL. Thread-safe. */
eseal_status eseal_signer_sign_digest(eseal_signer *signer, const EVP_MD *md, const unsigned char *digest,
				      size_t digest_len, unsigned char **sig, size_t *sig_len, eseal_error *err);

/* Whether the key can sign now, without signing (for readiness probes): a PKCS#11 key's login session still answers
 * C_GetSessionInfo and is still logged in (else ESEAL_E_HSM); other keys: ESEAL_OK. Thread-safe. */
eseal_status eseal_signer_check(eseal_signer *signer, eseal_error *err);

/* Lists slots, tokens, keys and certificates (labels, ids, types; never secrets) as text lines
 * through the callback. module_path NULL: the modules registered with p11-kit. */
typedef void (*eseal_token_list_cb)(void *ctx, const char *line);
eseal_status eseal_token_list(const char *module_path, eseal_token_list_cb cb, void *ctx, eseal_error *err);

#ifdef __cplusplus
}
#endif
#endif
