/* pki/chain_cache.h: the outcome of es_chain_build for earlier files of a batch, by everything that decides it, so
 * that the files one certificate sealed are not each taken through OpenSSL's path building and signature checks. */
#ifndef ES_PKI_CHAIN_CACHE_H
#define ES_PKI_CHAIN_CACHE_H

#include <openssl/x509.h>
#include <stddef.h>
#include <time.h>

/* Bounded whatever the input: beyond this many outcomes the oldest is replaced. */
#define ES_CHAIN_CACHE_MAX 256

typedef struct es_chain_cache es_chain_cache;

/* For chains built against store, which must not change any more (anchors are added before); NULL when out of
 * memory (chains are then built every time). */
es_chain_cache *es_chain_cache_new(const X509_STORE *store);
void es_chain_cache_free(es_chain_cache *c);

/* What decides a chain built against store: the certificate, the untrusted certificates in their order, the time
 * and the purpose. 0, or -1 when it cannot be computed or store is not c's (a verifier copied with another store):
 * then nothing is looked up or stored. */
int es_chain_cache_key(const es_chain_cache *c, const X509_STORE *store, X509 *cert, STACK_OF(X509) * untrusted,
		       time_t t, int purpose, unsigned char key[32]);

/* 1 and *rc (the X509_V_ERR code) and *chain (NULL unless *rc is X509_V_OK; elements of this call's cert,
 * untrusted and anchors, up-ref'd) when an outcome is stored for key; 0 when not or out of memory. c may be NULL. */
int es_chain_cache_get(es_chain_cache *c, const unsigned char key[32], X509 *cert, STACK_OF(X509) * untrusted,
		       STACK_OF(X509) * anchors, int *rc, STACK_OF(X509) * *chain);
/* Stores the outcome rc/chain built for key: each element as where it came from (cert, the untrusted stack or the
 * anchors, by position), not as the object, so a later file gets its own certificates back. Not stored when an
 * element came from anywhere else. c may be NULL. */
void es_chain_cache_put(es_chain_cache *c, const unsigned char key[32], X509 *cert, STACK_OF(X509) * untrusted,
			STACK_OF(X509) * anchors, int rc, STACK_OF(X509) * chain);

/* How many lookups found an outcome (for tests and benchmarks). */
size_t es_chain_cache_hits(es_chain_cache *c);

#endif
