/* cms/ltv_collect.h: the validation data a long-term seal needs, fetched online through the verifier. */
#ifndef ES_CMS_LTV_COLLECT_H
#define ES_CMS_LTV_COLLECT_H

#include "pki/evidence.h"
#include "pki/verifier.h"

#include <openssl/x509.h>
#include <stddef.h>
#include <time.h>

/* ---- validation data for long-term seals (cms/ltv_collect.c) ----
 * What extending a seal to B-LT adds, fetched online through the verifier (its anchors decide the chains; its
 * revocation cache makes one fetch serve a batch while the answer is fresh enough). Every answer verifies, says
 * "good", is current and was issued at or after the proof of existence it must speak after. Statuses:
 * ESEAL_E_INPUT a certificate is revoked (named) or the signature unusable; ESEAL_E_TSA no such answer can be had
 * now (responder down, or only data older than the time-stamp: the message says when the next is due);
 * ESEAL_E_CONFIG a certificate names no OCSP responder and no CRL, or no chain reaches an anchor. */
/* Cert's chain (built at not_before from untrusted and the anchors), anchor included, into ev. */
eseal_status es_ltv_collect_chain(const eseal_verifier *v, X509 *cert, STACK_OF(X509) * untrusted, time_t not_before,
				  es_evidence *ev, eseal_error *err);
/* The chain of the TSA that signed token (a DER TimeStampToken), data issued after its genTime (*gen_time). */
eseal_status es_ltv_collect_tst(const eseal_verifier *v, const unsigned char *token, size_t len, es_evidence *ev,
				time_t *gen_time, eseal_error *err);
/* A CMS signature (CAdES, PAdES /Contents): each signature time-stamp's TSA chain into tsa_ev, then the signer's
 * chain into ev (may be tsa_ev) with data issued after poe, or when poe is 0 after the earliest signature
 * time-stamp (ESEAL_E_INPUT without one: a B-B seal needs a proof of existence first, e.g. a PDF document
 * time-stamp, whose genTime the caller passes as poe). */
eseal_status es_ltv_collect_cms(const eseal_verifier *v, const unsigned char *der, size_t len, time_t poe,
				es_evidence *ev, es_evidence *tsa_ev, eseal_error *err);

#endif
