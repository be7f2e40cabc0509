/* pki/cms_der.h: a CMS SignedData seen as the DER elements it is made of, and written back with elements added.
 * CAdES B-LT/B-LTA need the exact bytes (an archive time-stamp hashes them) and OCSP responses as RevocationInfoChoice
 * "other" (RFC 5940), which OpenSSL's CMS API neither builds nor shows. */
#ifndef ES_CMS_DER_H
#define ES_CMS_DER_H

#include <stddef.h>

/* One whole TLV, or a run of bytes; points into memory owned elsewhere. */
typedef struct es_der {
	const unsigned char *p;
	size_t len;
} es_der;

typedef struct es_der_list {
	es_der *v;
	size_t n, cap;
} es_der_list;

typedef struct es_cms_der {
	es_der sd_version;    /* SignedData version INTEGER */
	es_der digest_algs;   /* SET OF DigestAlgorithmIdentifier */
	es_der encap;         /* EncapsulatedContentInfo SEQUENCE */
	es_der econtent_type; /* its eContentType OID */
	es_der econtent;      /* the eContent octets (inside the OCTET STRING); p NULL when detached */
	es_der_list certs;    /* each CertificateChoices of certificates [0] */
	es_der_list crls;     /* each RevocationInfoChoice of crls [1] */
	es_der si_signed;     /* first SignerInfo from version through signature, contiguous */
	es_der_list uattrs;   /* each Attribute of its unsignedAttrs [1] */
	es_der si_rest;       /* the SignerInfos after the first, as they are */
	/* copies made by es_cms_der_add_copy, freed by es_cms_der_clear */
	unsigned char **owned;
	size_t n_owned;
} es_cms_der;

/* Reads one TLV at *p (before end): single-byte tag, definite length (DER). Advances *p past it; fills tlv (whole
 * element) and, if given, its tag and content. 0 on success, -1 when malformed or truncated. */
int es_der_read(const unsigned char **p, const unsigned char *end, es_der *tlv, unsigned char *tag, es_der *content);

/* Splits a DER ContentInfo holding SignedData (definite lengths only). Returns 0, or -1 with why filled. The
 * spans point into der, which must outlive c. On failure c owns nothing. */
int es_cms_der_parse(const unsigned char *der, size_t len, es_cms_der *c, char *why, size_t why_len);
void es_cms_der_clear(es_cms_der *c);

/* Appends bytes to one of c's lists (copied, owned by c). Returns 0, -1 out of memory. */
int es_cms_der_add_copy(es_cms_der *c, es_der_list *l, const unsigned char *p, size_t len);
/* Appends to c's unsigned attributes an Attribute of type oid (dotted) with the one value given (a whole TLV).
 * Returns 0, -1 out of memory or a bad oid. */
int es_cms_der_add_attr(es_cms_der *c, const char *oid, const unsigned char *value, size_t len);
/* 1 when l holds an element with exactly these bytes. */
int es_der_list_has(const es_der_list *l, const unsigned char *p, size_t len);

/* The ContentInfo of c with its lists as they are now; SignedData version 5 when crls hold an "other" choice
 * (RFC 5652 5.1). *out is malloc'd. Returns 0, -1 out of memory. */
int es_cms_der_encode(const es_cms_der *c, unsigned char **out, size_t *out_len);

/* An Attribute TLV: its attrType OID TLV and each AttributeValue TLV (spans into attr). 0, or -1 malformed. */
int es_der_attr_split(es_der attr, es_der *type, es_der_list *values);
void es_der_list_free(es_der_list *l);

/* Size of a DER header (tag + length) for content of len bytes; es_der_put_hdr writes one at o, returns its end. */
size_t es_der_hdr_len(size_t len);
unsigned char *es_der_put_hdr(unsigned char *o, unsigned char tag, size_t len);

/* DER of the OID in dotted form (e.g. "0.4.0.1733.2.4") into buf; returns its length, 0 on error. */
size_t es_der_oid(const char *dotted, unsigned char *buf, size_t buf_len);

#endif
