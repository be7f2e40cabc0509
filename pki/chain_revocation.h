/* pki/chain_revocation.h: the revocation of whole chains, for verifiers (into a seal report) and sealers (now). */
#ifndef ES_PKI_CHAIN_REVOCATION_H
#define ES_PKI_CHAIN_REVOCATION_H

#include "evidence.h"
#include "verifier.h"

#include <openssl/x509.h>
#include <stddef.h>
#include <time.h>

/* Whether cert names an OCSP responder or a CRL distribution point at all. */
int es_cert_has_revocation_pointers(X509 *cert);
/* OpenSSL's name of a CRLReason; an answer that names none is said so (OCSP_crl_reason_str would say "(UNKNOWN)"). */
const char *es_crl_reason_name(int reason);
/* Revocation of every certificate of chain (cert..anchor) but the anchor, reported into s.
 * tsa_what NULL: chain of the seal's signing certificate, poe = time proven by its time-stamp (0 = none).
 * tsa_what e.g. "signature time-stamp": chain of that token's TSA, poe = its genTime; returns 0 when a revocation
 * voids the token (reported INDETERMINATE/REVOKED_NO_POE naming the certificate), else 1. revoked_at (may be NULL):
 * the earliest revocation time found in the chain, 0 if none was revoked. */
int es_chain_revocation(const eseal_verifier *v, STACK_OF(X509) * chain, STACK_OF(X509) * untrusted,
			const es_evidence *ev, time_t poe, const char *tsa_what, eseal_seal_report *s,
			time_t *revoked_at);
/* For a sealer: the status now of every certificate of chain (cert..anchor) below the anchor, asked online (OCSP,
 * then CRL; answers kept in v's cache, so a batch asks once per certificate while they are fresh). whose names the
 * chain in messages ("TSA": "the TSA certificate ...", "the TSA's CA certificate ..."). ES_CHAIN_GOOD with *good_until
 * (when the first answer relied on stops being current); otherwise the first problem, why naming the certificate:
 * ES_CHAIN_REVOKED (revocation time, source and reason), ES_CHAIN_UNCHECKABLE (the certificate names no OCSP
 * responder and no CRL: a configuration matter), ES_CHAIN_UNKNOWN (no usable answer now: responder unreachable or
 * answering badly; worth asking again later). */
typedef enum { ES_CHAIN_GOOD = 0, ES_CHAIN_REVOKED, ES_CHAIN_UNCHECKABLE, ES_CHAIN_UNKNOWN } es_chain_status;
es_chain_status es_chain_status_now(const eseal_verifier *v, STACK_OF(X509) * chain, STACK_OF(X509) * untrusted,
				    const char *whose, time_t *good_until, char *why, size_t why_len);
/* 1 when a TSA (or TSA CA) certificate revoked at rev_time for reason voids a token of gen_time: revoked at or
 * before genTime, or later for keyCompromise, cACompromise or no reason (RFC 3161 section 4). */
int es_tsa_revocation_voids(time_t rev_time, int reason, time_t gen_time);

#endif
