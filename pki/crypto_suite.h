/* pki/crypto_suite.h: the algorithms no longer acceptable for a seal or a time-stamp. */
#ifndef ES_PKI_CRYPTO_SUITE_H
#define ES_PKI_CRYPTO_SUITE_H

#include <openssl/evp.h>
#include <stddef.h>

/* 1 when md (may be NULL) or the key pk (may be NULL) is no longer acceptable for a seal or a
 * time-stamp (why says which and why), else 0. */
int es_crypto_retired(const EVP_MD *md, EVP_PKEY *pk, char *why, size_t why_len);

#endif
