/* keys/signer_internal.h: what the public signer (signer.c) shares with its back ends: PKCS#11, CSC and key file.
 * A back end finds the key and says what it is; signer.c does everything that does not depend on where it lives. */
#ifndef ES_SIGNER_INTERNAL_H
#define ES_SIGNER_INTERNAL_H

#include "eseal/signer.h"

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

typedef enum { ES_KEY_RSA = 1, ES_KEY_EC } es_key_type;

typedef struct es_signer_ops {
	/* Signs a digest with the resolved scheme into sig (room for *sig_len bytes); ECDSA: raw r||s of
	 * 2 * key_bytes. The digest was checked against md by signer.c. Must be thread-safe. */
	int (*sign)(eseal_signer *s, const EVP_MD *md, const unsigned char *digest, size_t digest_len,
		    unsigned char *sig, size_t *sig_len, eseal_error *err);
	void (*free)(void *backend);
	/* Whether the key can sign now, cheaply and without signing (NULL: nothing to ask). Thread-safe. */
	int (*check)(eseal_signer *s, eseal_error *err);
} es_signer_ops;

struct eseal_signer {
	const es_signer_ops *ops;
	void *backend;
	char *name; /* the key as shown in messages: URI without pin-value, or the key file's path */
	es_key_type key_type;
	size_t key_bytes; /* RSA: modulus bytes; EC: field bytes */
	EVP_PKEY *pubkey; /* the key's public half if the back end could read it, else NULL */
	X509 *cert;
	STACK_OF(X509) * chain;
	eseal_sig_scheme scheme;
};

/* Back ends: fill s (ops, backend, name, key_type, key_bytes, optionally pubkey, and cert/chain when
 * opts->cert_file is NULL). On error s may be half-filled; eseal_signer_free cleans up. */
int es_signer_pkcs11_open(eseal_signer *s, const eseal_signer_options *opts, eseal_error *err);
int es_signer_file_open(eseal_signer *s, const eseal_signer_options *opts, eseal_error *err);
int es_signer_csc_open(eseal_signer *s, const eseal_signer_options *opts, eseal_error *err);

#define ES_PIN_MAX 256

/* The PIN (or key file passphrase), from the first source present: opts->pin_file (its first line), the URI's
 * pin-source ("file:PATH" or a plain path), opts->env_pin or else the ESEAL_PIN environment variable. pin receives
 * a NUL-terminated string (wipe it with OPENSSL_cleanse). what names the key in messages; the PIN itself never
 * appears in one. No source at all is ESEAL_E_PIN; an unreadable file ESEAL_E_CONFIG. A PIN file others may read
 * is warned about through opts->warn. */
int es_pin_resolve(const eseal_signer_options *opts, const char *pin_source, const char *what, char pin[ES_PIN_MAX],
		   eseal_error *err);

#endif
