/* cms/cades_levels.h: what a CAdES signature carries beyond B-T, for the verifier (cms/cades_verify.c): OCSP
 * responses held as RevocationInfoChoice other, and whether the file reaches B-LT and B-LTA (EN 319 122-1). */
#ifndef ES_CADES_LEVELS_H
#define ES_CADES_LEVELS_H

#include "verify_cms.h"
#include "core/error_internal.h"
#include "pki/cms_der.h"
#include "pki/evidence.h"

/* Each OCSP response c carries in crls as other [id-ri-ocsp-response] (RFC 5940) into ev. */
void es_cades_carried_ocsps(const es_cms_der *c, es_evidence *ev);

/* The signed data of a CAdES signature, to hash again with an archive time-stamp's algorithm. */
typedef struct es_cades_data {
	const char *path;         /* detached data file, or NULL */
	const unsigned char *buf; /* data in memory or the eContent, when path is NULL */
	size_t len;
} es_cades_data;

/* After es_cms_verify_signer left s at B-T: raises s->level to B-LT when the CMS carries every certificate of the
 * signer's chain and of each signature time-stamp's TSA chain, and for each but the anchor an OCSP response or CRL
 * issued at or after that time-stamp's genTime saying good; then to B-LTA when every archive-time-stamp-v3 is valid
 * (imprint, ats-hash-index-v3 against the elements now present, TSA). An archive time-stamp that does not match
 * fails the seal. ev: what the file carries (CMS certificates, crls and OCSP responses). */
void es_cades_levels(const eseal_verifier *v, CMS_ContentInfo *cms, const es_cms_der *c, X509 *signer,
		     const es_evidence *ev, const es_cades_data *data, eseal_seal_report *s);

#endif
