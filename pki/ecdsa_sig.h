/* pki/ecdsa_sig.h: ECDSA signature value encodings: raw r||s (PKCS#11, XML-DSig) and DER Ecdsa-Sig-Value (CMS, X.509).
 * Shared by the signer (a key file gives DER) and the CMS layer (a token gives raw). */
#ifndef ES_ECDSA_SIG_H
#define ES_ECDSA_SIG_H

#include <stddef.h>

/* raw is r||s, two big-endian halves of equal length. *der is OPENSSL_malloc'ed. Returns 1 on success. */
int es_ecdsa_raw_to_der(const unsigned char *raw, size_t raw_len, unsigned char **der, size_t *der_len);

/* Writes r||s, each left-padded to field_len bytes, into raw (2 * field_len bytes). Returns 1 on success,
 * 0 if der is not an Ecdsa-Sig-Value or r/s do not fit field_len. */
int es_ecdsa_der_to_raw(const unsigned char *der, size_t der_len, size_t field_len, unsigned char *raw);

#endif
