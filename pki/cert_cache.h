/* pki/cert_cache.h: certificates parsed once per batch: every file a sealer's certificate sealed carries the same
 * DER, and OpenSSL 3.0 spends most of a certificate's parsing on finding a decoder for its public key. */
#ifndef ES_PKI_CERT_CACHE_H
#define ES_PKI_CERT_CACHE_H

#include <openssl/x509.h>
#include <stddef.h>

/* Bounded whatever the input: beyond this many certificates the oldest is dropped; larger ones are not kept. */
#define ES_CERT_CACHE_MAX 256
#define ES_CERT_CACHE_MAX_DER ((size_t)16 << 10)

typedef struct es_cert_cache es_cert_cache;

/* NULL when out of memory (certificates are then parsed every time). */
es_cert_cache *es_cert_cache_new(void);
void es_cert_cache_free(es_cert_cache *c);

/* The certificate whose DER is der[0..len) exactly (one whole Certificate, nothing after it), up-ref'd for the
 * caller, parsed now or by an earlier call; threads may share it, so its extension caches are filled before anyone
 * else sees it (es_certs_settle). NULL when der is no such certificate or out of memory. c may be NULL (parsed, not
 * kept). */
X509 *es_cert_cache_get(es_cert_cache *c, const unsigned char *der, size_t len);

/* How many calls found their certificate parsed already (for tests and benchmarks). */
size_t es_cert_cache_hits(es_cert_cache *c);

#endif
