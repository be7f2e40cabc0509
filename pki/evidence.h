/* pki/evidence.h: validation data a file carries besides the CMS itself, gathered by the format verifiers
 * and read by the chain, revocation and time-stamp checks. */
#ifndef ES_PKI_EVIDENCE_H
#define ES_PKI_EVIDENCE_H

#include <openssl/ocsp.h>
#include <openssl/safestack.h>
#include <openssl/x509.h>
#include <stddef.h>

/* The validation data a file carries besides the CMS itself (PAdES DSS, XAdES CertificateValues/RevocationValues,
 * CMS certificates/crls). Owned by the format verifier; the core only reads it. */
/* OpenSSL has no stack type for whole OCSP responses. */
DEFINE_STACK_OF(OCSP_RESPONSE)

typedef struct es_evidence {
	STACK_OF(X509) * certs;
	STACK_OF(X509_CRL) * crls;
	STACK_OF(OCSP_RESPONSE) * ocsps;
} es_evidence;

es_evidence *es_evidence_new(void);
void es_evidence_free(es_evidence *ev);
/* Adds DER items; bad items are ignored (they are only hints). */
void es_evidence_add_cert_der(es_evidence *ev, const unsigned char *der, size_t len);
void es_evidence_add_crl_der(es_evidence *ev, const unsigned char *der, size_t len);
void es_evidence_add_ocsp_der(es_evidence *ev, const unsigned char *der, size_t len);
/* Adds one item (up-ref'd or copied) unless an equal one is there: 0, or -1 when out of memory. */
int es_evidence_add_cert(es_evidence *ev, X509 *x);
int es_evidence_add_crl(es_evidence *ev, X509_CRL *x);
int es_evidence_add_ocsp(es_evidence *ev, OCSP_RESPONSE *x);

#endif
