/* timestamp/tst_verify.h: the checks of an RFC 3161 time-stamp token a verifier relies on: imprint, signature, TSA
 * chain at genTime, the TSA chain's revocation. */
#ifndef ES_TST_VERIFY_H
#define ES_TST_VERIFY_H

#include "pki/evidence.h"
#include "pki/verifier.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <time.h>

/* Validates an RFC 3161 token whose imprint must be the hash of data (or, when data is
 * NULL, must equal digest computed by the caller with the token's algorithm). Chain against the verifier's anchors,
 * timeStamping EKU, and a chain for the TSA certificate at the token's genTime (a token from before the TSA
 * certificate's validity proves no time). Returns 1 valid (gen_time set; with tsa_chain, *tsa_chain = that chain,
 * TSA certificate first, anchor last, freed by the caller with sk_X509_pop_free(, X509_free)), 0 invalid: imprint or
 * signature wrong (reason in why), -1 cannot be validated (TSA certificate not trusted, or no chain at genTime). */
int es_tst_verify(const eseal_verifier *v, const unsigned char *token, size_t token_len, const unsigned char *data,
		  size_t data_len, const es_evidence *ev, time_t *gen_time, STACK_OF(X509) * *tsa_chain, char *why,
		  size_t why_len);
int es_tst_verify_digest(const eseal_verifier *v, const unsigned char *token, size_t token_len,
			 const unsigned char *digest, size_t digest_len, const es_evidence *ev, time_t *gen_time,
			 STACK_OF(X509) * *tsa_chain, char *why, size_t why_len);
/* For a collector of validation data: the genTime of token and the chain of its TSA at that time (TSA certificate
 * first, anchor last) with the certificates the token carries (*untrusted); the imprint is not checked. 1, or 0 with
 * why set; both stacks are the caller's (sk_X509_pop_free). */
int es_tst_chain(const eseal_verifier *v, const unsigned char *token, size_t token_len, time_t *gen_time,
		 STACK_OF(X509) * *chain, STACK_OF(X509) * *untrusted, char *why, size_t why_len);
/* The imprint algorithm of a token (for callers that stream the data themselves), or NULL. */
const EVP_MD *es_tst_imprint_md(const unsigned char *token, size_t token_len);
/* How many CertificateChoices of the token are not X.509 certificates (attribute certificates): they are left out
 * when the token is read, and the caller warns. */
int es_tst_non_x509_certs(const unsigned char *token, size_t len);
/* After es_tst_verify*() accepted a token: the revocation of the certificates of its tsa_chain (from there) at genTime
 * gen, reported into s with what naming the token ("signature time-stamp", "document time-stamp"). Returns 1 when
 * the token still proves gen (then noted in s with the time it stops proving anything: the chain's first notAfter,
 * a later revocation of it, or at once when its digests or the TSA key are retired), 0 when it must be disregarded
 * as proof of time. */
int es_tst_check_revocation(const eseal_verifier *v, const unsigned char *token, size_t token_len,
			    STACK_OF(X509) * tsa_chain, const es_evidence *ev, time_t gen, const char *what,
			    eseal_seal_report *s);

#endif
