/* cms/cades_internal.h: what the CAdES builder's files share: the signed-attribute set and its DER encoding.
 * cades_attrs.c knows CMS attributes and algorithm identifiers; cades_build.c assembles, signs and time-stamps. */
#ifndef ES_CADES_INTERNAL_H
#define ES_CADES_INTERNAL_H

#include <stddef.h>
#include <time.h>
#include <openssl/cms.h>
#include <openssl/evp.h>

#include "eseal/error.h"
#include "eseal/signer.h"

/* Adds content-type (id-data), message-digest, ESS signing-certificate-v2 (SHA-256 of cert, with
 * issuerSerial) and, if add_signing_time, signing-time (UTCTime/GeneralizedTime as RFC 5652 wants). */
int es_cades_add_signed_attrs(CMS_SignerInfo *si, X509 *cert, const unsigned char *digest, size_t digest_len,
			      int add_signing_time, time_t signing_time, eseal_error *err);

/* The signed attributes as the DER SET OF a signature covers (sorted, universal SET tag): exactly what a
 * verifier re-encodes. *der is OPENSSL_malloc'd. */
int es_cades_encode_signed_attrs(CMS_SignerInfo *si, unsigned char **der, size_t *der_len, eseal_error *err);

/* Sets the SignerInfo's signatureAlgorithm for the signer's scheme and md: rsaEncryption, id-RSASSA-PSS with
 * explicit parameters, or ecdsa-with-SHAxxx. */
int es_cades_set_sig_alg(CMS_SignerInfo *si, eseal_sig_scheme scheme, const EVP_MD *md, eseal_error *err);

#endif
