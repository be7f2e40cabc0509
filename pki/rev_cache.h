/* pki/rev_cache.h: the verifier's cache of fetched revocation data (OCSP responses by CertID, CRLs by URL) and of
 * responders that did not answer, so that a bulk `eseal verify` asks each responder once, not once per file. */
#ifndef ES_REV_CACHE_H
#define ES_REV_CACHE_H

#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <time.h>

/* Limits (bounded memory whatever the input): entries beyond them evict the oldest. */
#define ES_RC_MAX_OCSP 4096
#define ES_RC_MAX_OCSP_BYTES ((size_t)16 << 20) /* sum of the cached OCSP responses' DER sizes */
/* A response this large is not kept at all (a real one for one certificate is a few KB). */
#define ES_RC_MAX_OCSP_ONE ((size_t)64 << 10)
#define ES_RC_MAX_CRL 32
#define ES_RC_MAX_CRL_BYTES ((size_t)64 << 20) /* sum of the cached CRLs' DER sizes */
#define ES_RC_MAX_DOWN 64
/* Data without nextUpdate says nothing about how long it holds: reused only this long after it was fetched. */
#define ES_RC_NO_NEXT_UPDATE_SECS 300
/* Tolerance for a responder's or CA's clock (as OCSP_check_validity's maxsec of 300 s) on both ends of the window. */
#define ES_REV_LEEWAY 300
/* A responder (scheme://host:port) that failed at the transport level is not asked again for this long. */
#define ES_RC_DOWN_SECS 60

typedef struct es_rev_cache es_rev_cache;

/* The one freshness rule for OCSP responses and CRLs, for the fetch path (revocation.c) and the cache alike: data
 * issued at this_upd, valid until next_upd (0 = absent), obtained at got, may stand for the status at time t as seen
 * at wall-clock now: issued no later than t and now, nextUpdate not passed at t nor at now (ES_REV_LEEWAY either
 * way, like OCSP_check_validity); without nextUpdate it vouches for no period, so only until
 * ES_RC_NO_NEXT_UPDATE_SECS after it was obtained. this_upd 0 (unreadable) is never fresh. A fetched answer is
 * judged with t = now (it speaks for the present); the cache also for the validation time (a miss costs a fetch). */
int es_rev_fresh(time_t this_upd, time_t next_upd, time_t got, time_t t, time_t now);

/* NULL when out of memory (the verifier then works without a cache). */
es_rev_cache *es_rev_cache_new(void);
/* One more owner of c (verifiers that share one cache, e.g. a sealer's collector and its TSA client's check);
 * es_rev_cache_free drops one and frees with the last. Returns c. */
es_rev_cache *es_rev_cache_ref(es_rev_cache *c);
void es_rev_cache_free(es_rev_cache *c);

/* The OCSP response stored for id if es_rev_fresh() at validation time t and wall-clock now.
 * Returns a new object (the caller frees it and must check it like a fetched one) or NULL. c may be NULL. */
OCSP_RESPONSE *es_rev_cache_get_ocsp(es_rev_cache *c, OCSP_CERTID *id, time_t t, time_t now);
/* Stores resp (copied) for id; this_upd/next_upd as in the response (next_upd 0 = absent). A response larger than
 * ES_RC_MAX_OCSP_ONE is not stored; older entries go to stay within ES_RC_MAX_OCSP_BYTES. */
void es_rev_cache_put_ocsp(es_rev_cache *c, OCSP_CERTID *id, OCSP_RESPONSE *resp, time_t this_upd, time_t next_upd,
			   time_t now);

/* Same for the CRL fetched from url (up-ref'd; the caller frees it and checks it against the issuer as usual); its
 * thisUpdate and nextUpdate are read from crl. */
X509_CRL *es_rev_cache_get_crl(es_rev_cache *c, const char *url, time_t t, time_t now);
void es_rev_cache_put_crl(es_rev_cache *c, const char *url, X509_CRL *crl, size_t der_len, time_t now);

/* The fetch gate: held from a cache miss through the fetch and the storing of its answer, so that threads missing
 * the same entry together wait for the first one's answer and then find it cached, instead of all asking the
 * responder: one request per certificate for a whole batch. The caller looks the cache up again once inside. One
 * gate for all responders, as in timestamp/tsa_revocation.c: a responder that does not answer holds the others up
 * for one timeout, after which it is marked down and skipped. No-op when c is NULL. */
void es_rev_cache_fetch_begin(es_rev_cache *c);
void es_rev_cache_fetch_end(es_rev_cache *c);

/* 1 when url's origin failed less than ES_RC_DOWN_SECS ago; why then holds that failure's reason. */
int es_rev_cache_is_down(es_rev_cache *c, const char *url, time_t now, char *why, size_t why_len);
void es_rev_cache_set_down(es_rev_cache *c, const char *url, const char *why, time_t now);

#endif
