/* cms/cades_ats.h: the CAdES archive-time-stamp-v3 and its ats-hash-index-v3 (ETSI EN 319 122-1 5.5.2, 5.5.3),
 * shared by the extender (cades_ltv.c), which adds one, and the verifier (cms/cades_verify.c), which checks them. */
#ifndef ES_CADES_ATS_H
#define ES_CADES_ATS_H

#include "pki/cms_der.h"

#include <stddef.h>
#include <openssl/evp.h>

#define ES_OID_ATS_V3 "0.4.0.1733.2.4"
#define ES_OID_ATS_HASH_INDEX_V3 "0.4.0.19122.1.5"
#define ES_OID_SIG_TST "1.2.840.113549.1.9.16.2.14"
#define ES_OID_RI_OCSP "1.3.6.1.5.5.7.16.2"

/* The ATSHashIndexV3 of c as it is now, hashed with md: each certificate, each revocation choice, and for each
 * unsigned attribute each of its values (attrType || value). *out is malloc'd. 0, or -1 out of memory. */
int es_ats_hash_index(const es_cms_der *c, const EVP_MD *md, unsigned char **out, size_t *out_len);

/* The message imprint of an archive-time-stamp-v3 over c: md over eContentType, data_hash (the signed data hashed
 * with md), the SignerInfo's version through signature, and the index. out holds EVP_MAX_MD_SIZE. */
int es_ats_imprint(const es_cms_der *c, const EVP_MD *md, const unsigned char *data_hash, size_t data_hash_len,
		   const unsigned char *index, size_t index_len, unsigned char *out, unsigned int *out_len);

/* token (DER TimeStampToken) with the unsigned attribute ats-hash-index-v3 = index added to its SignerInfo; the
 * rest byte for byte. *out is malloc'd. 0, or -1 with why. */
int es_ats_token_add_index(const unsigned char *token, size_t len, const unsigned char *index, size_t index_len,
			   unsigned char **out, size_t *out_len, char *why, size_t why_len);

/* The ats-hash-index-v3 value carried by an archive time-stamp token (a span into token). 0, or -1 with why. */
int es_ats_token_index(const unsigned char *token, size_t len, es_der *index, char *why, size_t why_len);

/* Checks index against c as it is now: every hash it lists names an element still present unchanged (elements
 * added later are allowed). *md (may be NULL) is its hash algorithm; cert_cov and crl_cov (c->certs.n and
 * c->crls.n bytes, zeroed by the caller, or NULL) get 1 for each element the index covers. 0, or -1 with why naming
 * the element. */
int es_ats_index_check(const es_cms_der *c, es_der index, const EVP_MD **md, unsigned char *cert_cov,
		       unsigned char *crl_cov, char *why, size_t why_len);

/* The values of c's unsigned attributes of type oid (dotted), oldest first, into values (spans into c). */
int es_cms_der_attr_values(const es_cms_der *c, const char *oid, es_der_list *values);

#endif
