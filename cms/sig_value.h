/* cms/sig_value.h: a SignerInfo's signature value checked over its signed attributes exactly as the file carries
 * them, also for the algorithms OpenSSL's CMS layer does not verify itself (RSA-PSS with its own hash, BSI
 * plain ECDSA). */
#ifndef ES_SIG_VALUE_H
#define ES_SIG_VALUE_H

#include <openssl/cms.h>
#include <stddef.h>

/* der/len: the ContentInfo as received (zero padding after it allowed); si: its first SignerInfo, as OpenSSL read it;
 * md: the SignerInfo's digestAlgorithm. Verifies the signature over the received SET OF signed attributes (the [0]
 * tag read as SET, RFC 5652 5.4), not over a re-encoding. Returns 1 when it verifies, 0 otherwise. */
int es_cms_sig_verify_received(const unsigned char *der, size_t len, CMS_SignerInfo *si, X509 *signer,
			       const EVP_MD *md);

#endif
