/* pki/revocation.h: the revocation status of one certificate: carried evidence first, then OCSP, then the CRL. */
#ifndef ES_PKI_REVOCATION_H
#define ES_PKI_REVOCATION_H

#include "evidence.h"
#include "verifier.h"

#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <time.h>

/* Status of cert (issued by issuer) from the evidence, then (unless offline) OCSP, then CRL.
 * Only fresh data counts: fetched answers current now; carried ones issued at or after poe (the time-stamp's genTime
 * that proves the seal existed, 0 = none) or else still fresh at the validation time; the rest is ignored.
 * Fills *r and returns r->status: ES_REV_GOOD, ES_REV_REVOKED (rev_time and rev_reason set: a CRLReason code, or
 * ES_REV_REASON_NONE when the CRL entry or OCSP answer names none), or ES_REV_UNKNOWN with why filled. */
enum { ES_REV_GOOD = 0, ES_REV_REVOKED, ES_REV_UNKNOWN };
#define ES_REV_REASON_NONE (-1)
typedef struct es_rev_result {
	int status;
	time_t rev_time;
	int rev_reason;
	const char *source;        /* what decided: "OCSP", "CRL", "CRL carried in the file", ...; NULL if unknown */
	time_t this_upd, next_upd; /* validity of the answer that decided (next_upd 0 = it names no next update) */
	char why[512];
} es_rev_result;
int es_revocation_status(const eseal_verifier *v, X509 *cert, X509 *issuer, const es_evidence *ev,
			 STACK_OF(X509) * untrusted, time_t poe, es_rev_result *r);

/* For a collector of validation data (cms/ltv_collect.c): the status of cert asked online only (OCSP, then the
 * CRL; the cache first), from an answer that is current and issued at or after not_before (0 = any). That answer
 * is handed over in *ocsp or *crl (the other NULL; both NULL when r->status is ES_REV_UNKNOWN, why saying what was
 * tried); the caller frees it. */
int es_revocation_fetch(const eseal_verifier *v, X509 *cert, X509 *issuer, STACK_OF(X509) * untrusted,
			time_t not_before, es_rev_result *r, OCSP_RESPONSE **ocsp, X509_CRL **crl);

#endif
