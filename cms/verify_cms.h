/* cms/verify_cms.h: the core validation of one CMS signature, shared by the CAdES, PAdES and (for its signing
 * certificate) XAdES verifiers. */
#ifndef ES_CMS_VERIFY_CMS_H
#define ES_CMS_VERIFY_CMS_H

#include "pki/evidence.h"
#include "pki/verifier.h"

#include <openssl/cms.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <time.h>

/* The SignedData in der (DER; what follows it must be zeros), the certificates it carries taken from v's cache when
 * it has one; NULL reported as FORMAT_FAILURE. */
CMS_ContentInfo *es_cms_parse_signed(const eseal_verifier *v, const unsigned char *der, size_t len,
				     eseal_seal_report *s);
/* Digest algorithm of the (single) SignerInfo, or NULL (reported as FORMAT_FAILURE). */
const EVP_MD *es_cms_signer_md(CMS_ContentInfo *cms, eseal_seal_report *s);

typedef struct es_cms_result {
	int has_signing_cert_attr; /* signing-certificate(-v2) present and matching */
	int has_signature_tst;     /* a valid signature-time-stamp */
	X509 *signer;              /* up-ref'd, caller frees */
} es_cms_result;

/* The whole core validation of one CMS signature given the digest of the signed data: integrity, signing
 * certificate, e-Seal profile, chain, signature time-stamp, revocation, time; der/der_len is the CMS as received
 * (its signed attributes are verified as they stand there). Fills s (and sets s->level to B-B or
 * B-T when the requirements are met). */
void es_cms_verify_signer(const eseal_verifier *v, CMS_ContentInfo *cms, const unsigned char *der, size_t der_len,
			  const unsigned char *digest, size_t digest_len, const es_evidence *ev, eseal_seal_report *s,
			  es_cms_result *res);

/* Shared certificate-validation step (chain + time + revocation) for a signing certificate, used by the CMS and
 * the XAdES paths: poe_time is the time-stamp time (0 = none). */
void es_validate_signing_cert(const eseal_verifier *v, X509 *cert, STACK_OF(X509) * untrusted, const es_evidence *ev,
			      time_t poe_time, eseal_seal_report *s);

#endif
