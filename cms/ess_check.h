/* cms/ess_check.h: the signing-certificate(-v2) attribute (RFC 2634/5035, EN 319 122-1 5.2.2) matched against the
 * signing certificate and the certificates a seal carries, entry by entry. */
#ifndef ES_ESS_CHECK_H
#define ES_ESS_CHECK_H

#include <openssl/x509.h>
#include <stddef.h>

typedef enum es_ess_result {
	ES_ESS_OK = 1,           /* the first entry identifies the signer; no other entry contradicts itself */
	ES_ESS_NOT_SIGNER = 0,   /* the first entry names another certificate */
	ES_ESS_CONTRADICTS = -1, /* an entry's issuerSerial is not that of the certificate its hash names */
	ES_ESS_MALFORMED = -2
} es_ess_result;

/* der/len: the SigningCertificateV2 (v2 = 1) or SigningCertificate (v2 = 0) SEQUENCE as received. certs: the other
 * certificates known for the seal (may hold the signer; may be NULL). *unknown counts entries after the first whose
 * hash names no certificate known (they may name one the verifier builds the chain from elsewhere). why gets a
 * reason on anything but ES_ESS_OK. */
es_ess_result es_ess_check(const unsigned char *der, size_t len, int v2, X509 *signer, STACK_OF(X509) * certs,
			   int *unknown, char *why, size_t why_len);

#endif
