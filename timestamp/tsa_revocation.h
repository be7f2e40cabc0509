/* timestamp/tsa_revocation.h: the TSA client's check that the certificate which signed a token (and its CA
 * certificates below the trust anchor) is not revoked, with one verdict per certificate for the client's batch. */
#ifndef ES_TSA_REVOCATION_H
#define ES_TSA_REVOCATION_H

#include "eseal/error.h"
#include "eseal/timestamp.h"
#include "core/error_internal.h"
#include "pki/chain_revocation.h"
#include "pki/verifier.h"

#include <stddef.h>

typedef struct es_tsa_rev es_tsa_rev;

/* ca_file: the TSA trust anchors (PEM); timeout_ms per OCSP/CRL request. */
int es_tsa_rev_new(es_tsa_rev **out, const char *ca_file, long timeout_ms, eseal_error *err);
void es_tsa_rev_free(es_tsa_rev *r);

/* The check keeps its OCSP responses and CRLs in v's cache (es_verifier_share_rev_cache): a sealer collecting
 * validation data through v asks each responder once for both. Before the client is used; es_tsa_share_rev_cache
 * (tsa_client.c) does nothing when t checks no revocation. */
void es_tsa_rev_share_cache(es_tsa_rev *r, const eseal_verifier *v);
void es_tsa_share_rev_cache(eseal_tsa *t, const eseal_verifier *v);

/* Status of the chain of the TSA certificate that signed token (a TimeStampToken es_tst_check_response accepted):
 * ES_CHAIN_GOOD, else why names the certificate and what is wrong (es_chain_status_now). Thread-safe. */
es_chain_status es_tsa_rev_check(es_tsa_rev *r, const unsigned char *token, size_t token_len, char *why,
				 size_t why_len);

#endif
