/* pki/cert_profile.h: what a signing certificate says about the seal's owner, and where it does not fit a seal. */
#ifndef ES_PKI_CERT_PROFILE_H
#define ES_PKI_CERT_PROFILE_H

#include "eseal/verify.h"

#include <openssl/x509.h>

/* Fills organization, identifier, subject, issuer, serial and cert_kind from cert and warns
 * where the certificate does not fit a seal (keyUsage, CA:TRUE). */
void es_cert_profile(X509 *cert, eseal_seal_report *s);

#endif
