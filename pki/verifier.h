/* pki/verifier.h: the verifier object every check receives: trust anchors, offline flag, validation time,
 * the revocation cache of a batch. */
#ifndef ES_PKI_VERIFIER_H
#define ES_PKI_VERIFIER_H

#include "eseal/verify.h"

#include <openssl/x509.h>
#include <time.h>

struct eseal_verifier {
	X509_STORE *store; /* trust anchors from --trust only */
	/* The same anchors without validity-period checks, for OpenSSL calls that would judge a chain at the real
	 * current time (TS_RESP_verify_token, OCSP_basic_verify): every such chain is judged again by es_chain_build
	 * at the time the evidence speaks for, and its expiry is weighed against proofs of existence. */
	X509_STORE *store_any_time;
	STACK_OF(X509) * anchors;
	int offline;
	time_t at; /* 0 = now */
	long timeout_ms;
	int visual_compare; /* compare renderings of signed and current revisions (PDF) */
	/* OCSP/CRL answers fetched for earlier files (pki/rev_cache.h); NULL = none. Mutable behind the const
	 * verifier pointers the checks receive: it has its own lock. */
	struct es_rev_cache *rev_cache;
	/* Chains built for earlier files (pki/chain_cache.h), by everything that decides them; NULL = none. Own lock. */
	struct es_chain_cache *chain_cache;
	/* Certificates the files carry, parsed once (pki/cert_cache.h); NULL = none. Own lock. */
	struct es_cert_cache *cert_cache;
};

time_t es_verifier_time(const eseal_verifier *v);
/* Dst keeps its revocation answers in src's cache from now on (both own it), so that two verifiers
 * of one batch ask each responder once between them; every reuse is still checked against dst's own anchors. Before
 * dst is used by any thread; nothing when either verifier has no cache. */
void es_verifier_share_rev_cache(eseal_verifier *dst, const eseal_verifier *src);

#endif
