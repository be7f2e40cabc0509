/* pki/chain.h: certificate chains built against the verifier's anchors only, at a given time. */
#ifndef ES_PKI_CHAIN_H
#define ES_PKI_CHAIN_H

#include "verifier.h"

#include <openssl/x509.h>
#include <time.h>

/* Builds the chain of cert at time t against the verifier's anchors only. On success *chain holds
 * cert..anchor (caller frees with OSSL_STACK_OF_X509_free) and 0 is returned; else the X509_V_ERR code. */
int es_chain_build(const eseal_verifier *v, X509 *cert, STACK_OF(X509) * untrusted, time_t t, int purpose,
		   STACK_OF(X509) * *chain);

/* Fills the extension caches (key identifiers, purposes) of certificates that several threads will share.
 * OpenSSL fills them on first use under the certificate's lock, but OpenSSL 3.0 lets a thread that already passed
 * its check read them meanwhile (ThreadSanitizer sees the race in batches); filled while one thread owns them, they
 * are only ever read. */
void es_certs_settle(STACK_OF(X509) * certs);
void es_cert_settle(X509 *cert);

#endif
