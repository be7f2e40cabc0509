/* pki/cms_der.c: SignedData split into its DER elements and written back with certificates, revocation data and
 * unsigned attributes added. Every element kept is copied byte for byte: what a signature or an archive time-stamp
 * covered stays exactly as it was. */
#include "cms_der.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* id-signedData 1.2.840.113549.1.7.2 */
static const unsigned char oid_signed_data[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};

int es_der_read(const unsigned char **p, const unsigned char *end, es_der *tlv, unsigned char *tag, es_der *content)
{
	const unsigned char *q = *p;
	size_t len = 0, n, i;

	if (q >= end || end - q < 2 || (q[0] & 0x1f) == 0x1f)
		return -1;
	if (q[1] < 0x80) {
		len = q[1];
		n = 2;
	} else {
		/* 0x80 is BER's indefinite length; more than 4 length bytes is no CMS we read */
		size_t k = q[1] & 0x7f;

		if (k == 0 || k > 4 || (size_t)(end - q) < 2 + k)
			return -1;
		for (i = 0; i < k; i++)
			len = (len << 8) | q[2 + i];
		n = 2 + k;
	}
	if (len > (size_t)(end - q) - n)
		return -1;
	if (tlv != NULL) {
		tlv->p = q;
		tlv->len = n + len;
	}
	if (tag != NULL)
		*tag = q[0];
	if (content != NULL) {
		content->p = q + n;
		content->len = len;
	}
	*p = q + n + len;
	return 0;
}

static int list_push(es_der_list *l, const unsigned char *p, size_t len)
{
	es_der *nv;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;

		if ((nv = realloc(l->v, cap * sizeof(*nv))) == NULL)
			return -1;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n].p = p;
	l->v[l->n].len = len;
	l->n++;
	return 0;
}

void es_der_list_free(es_der_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Every element of a constructed value into l. */
static int split_into(es_der content, es_der_list *l)
{
	const unsigned char *p = content.p, *end = content.p + content.len;
	es_der e;

	while (p < end)
		if (es_der_read(&p, end, &e, NULL, NULL) != 0 || list_push(l, e.p, e.len) != 0)
			return -1;
	return 0;
}

#define WHY(...) (snprintf(why, why_len, __VA_ARGS__), -1)

static int parse_signer_info(es_der si, es_cms_der *c, char *why, size_t why_len)
{
	const unsigned char *p = si.p, *end = si.p + si.len, *first;
	es_der e, content;
	unsigned char tag;
	int i;

	if (es_der_read(&p, end, NULL, &tag, &content) != 0 || tag != 0x30)
		return WHY("the SignerInfo is not a DER SEQUENCE");
	p = content.p;
	end = content.p + content.len;
	first = p;
	/* version, sid, digestAlgorithm, [signedAttrs], signatureAlgorithm, signature */
	for (i = 0; i < 6; i++) {
		if (es_der_read(&p, end, &e, &tag, NULL) != 0)
			return WHY("the SignerInfo is truncated");
		if (i == 3 && tag != 0xa0)
			i++; /* no signedAttrs: that was signatureAlgorithm */
		if (i == 5 && tag != 0x04)
			return WHY("the SignerInfo has no signature value");
	}
	c->si_signed.p = first;
	c->si_signed.len = (size_t)(p - first);
	if (p < end) {
		if (es_der_read(&p, end, NULL, &tag, &content) != 0 || tag != 0xa1 || p != end)
			return WHY("the SignerInfo ends with something other than unsignedAttrs");
		if (split_into(content, &c->uattrs) != 0)
			return WHY("the unsigned attributes are malformed");
	}
	return 0;
}

static int parse_into(const unsigned char *der, size_t len, es_cms_der *c, char *why, size_t why_len)
{
	const unsigned char *p = der, *end = der + len;
	es_der e, content, sd, si;
	unsigned char tag;

	memset(c, 0, sizeof(*c));
	if (es_der_read(&p, end, NULL, &tag, &content) != 0 || tag != 0x30)
		return WHY("not a DER CMS ContentInfo");
	p = content.p;
	end = content.p + content.len;
	if (es_der_read(&p, end, &e, NULL, NULL) != 0 || e.len != sizeof(oid_signed_data) ||
	    memcmp(e.p, oid_signed_data, e.len) != 0)
		return WHY("not a CMS SignedData");
	if (es_der_read(&p, end, NULL, &tag, &content) != 0 || tag != 0xa0)
		return WHY("the SignedData content is missing");
	p = content.p;
	end = content.p + content.len;
	if (es_der_read(&p, end, NULL, &tag, &sd) != 0 || tag != 0x30)
		return WHY("the SignedData is not a DER SEQUENCE (BER with indefinite lengths is not extended)");
	p = sd.p;
	end = sd.p + sd.len;
	if (es_der_read(&p, end, &c->sd_version, &tag, NULL) != 0 || tag != 0x02 ||
	    es_der_read(&p, end, &c->digest_algs, &tag, NULL) != 0 || tag != 0x31 ||
	    es_der_read(&p, end, &c->encap, &tag, &content) != 0 || tag != 0x30)
		return WHY("the SignedData header is malformed");
	{
		const unsigned char *q = content.p, *qend = content.p + content.len;
		es_der octets;

		if (es_der_read(&q, qend, &c->econtent_type, &tag, NULL) != 0 || tag != 0x06)
			return WHY("the eContentType is malformed");
		if (q < qend) {
			if (es_der_read(&q, qend, NULL, &tag, &e) != 0 || tag != 0xa0)
				return WHY("the eContent is malformed");
			q = e.p;
			if (es_der_read(&q, e.p + e.len, NULL, &tag, &octets) != 0 || tag != 0x04)
				return WHY("the eContent is not a primitive OCTET STRING (DER)");
			c->econtent = octets;
		}
	}
	if (es_der_read(&p, end, &e, &tag, &content) != 0)
		return WHY("the SignedData has no SignerInfos");
	if (tag == 0xa0) {
		if (split_into(content, &c->certs) != 0)
			return WHY("the certificates field is malformed");
		if (es_der_read(&p, end, &e, &tag, &content) != 0)
			return WHY("the SignedData has no SignerInfos");
	}
	if (tag == 0xa1) {
		if (split_into(content, &c->crls) != 0)
			return WHY("the crls field is malformed");
		if (es_der_read(&p, end, &e, &tag, &content) != 0)
			return WHY("the SignedData has no SignerInfos");
	}
	if (tag != 0x31 || p != end)
		return WHY("the SignerInfos are malformed");
	p = content.p;
	end = content.p + content.len;
	if (es_der_read(&p, end, &si, NULL, NULL) != 0)
		return WHY("the SignedData holds no SignerInfo");
	c->si_rest.p = p;
	c->si_rest.len = (size_t)(end - p);
	return parse_signer_info(si, c, why, why_len);
}

int es_cms_der_parse(const unsigned char *der, size_t len, es_cms_der *c, char *why, size_t why_len)
{
	/* A failure may come after a list was filled; the caller owns nothing then. */
	if (parse_into(der, len, c, why, why_len) != 0) {
		es_cms_der_clear(c);
		return -1;
	}
	return 0;
}

void es_cms_der_clear(es_cms_der *c)
{
	size_t i;

	es_der_list_free(&c->certs);
	es_der_list_free(&c->crls);
	es_der_list_free(&c->uattrs);
	for (i = 0; i < c->n_owned; i++)
		free(c->owned[i]);
	free(c->owned);
	memset(c, 0, sizeof(*c));
}

int es_cms_der_add_copy(es_cms_der *c, es_der_list *l, const unsigned char *p, size_t len)
{
	unsigned char *copy = malloc(len ? len : 1), **no;

	if (copy == NULL)
		return -1;
	if ((no = realloc(c->owned, (c->n_owned + 1) * sizeof(*no))) == NULL) {
		free(copy);
		return -1;
	}
	c->owned = no;
	c->owned[c->n_owned++] = copy;
	memcpy(copy, p, len);
	return list_push(l, copy, len);
}

int es_cms_der_add_attr(es_cms_der *c, const char *oid, const unsigned char *value, size_t len)
{
	unsigned char obj[64], *attr, *o;
	size_t olen = es_der_oid(oid, obj, sizeof(obj)), body = olen + es_der_hdr_len(len) + len;
	size_t total = es_der_hdr_len(body) + body;
	int rc;

	if (olen == 0 || (attr = malloc(total)) == NULL)
		return -1;
	/* Attribute ::= SEQUENCE { attrType, attrValues SET { value } } */
	o = es_der_put_hdr(attr, 0x30, body);
	memcpy(o, obj, olen);
	o = es_der_put_hdr(o + olen, 0x31, len);
	memcpy(o, value, len);
	rc = es_cms_der_add_copy(c, &c->uattrs, attr, total);
	free(attr);
	return rc;
}

int es_der_list_has(const es_der_list *l, const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].len == len && memcmp(l->v[i].p, p, len) == 0)
			return 1;
	return 0;
}

/* ---- writing: sizes first, then one buffer filled front to back ---- */

size_t es_der_hdr_len(size_t len)
{
	return len < 0x80 ? 2 : len < 0x100 ? 3 : len < 0x10000 ? 4 : len < 0x1000000 ? 5 : 6;
}

unsigned char *es_der_put_hdr(unsigned char *o, unsigned char tag, size_t len)
{
	size_t n = es_der_hdr_len(len) - 2, i;

	*o++ = tag;
	if (n == 0) {
		*o++ = (unsigned char)len;
		return o;
	}
	*o++ = (unsigned char)(0x80 | n);
	for (i = n; i > 0; i--)
		*o++ = (unsigned char)(len >> (8 * (i - 1)));
	return o;
}

static unsigned char *put(unsigned char *o, es_der d)
{
	memcpy(o, d.p, d.len);
	return o + d.len;
}

static size_t list_len(const es_der_list *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->v[i].len;
	return n;
}

static unsigned char *put_list(unsigned char *o, const es_der_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		o = put(o, l->v[i]);
	return o;
}

static int has_other_crl(const es_cms_der *c)
{
	size_t i;

	for (i = 0; i < c->crls.n; i++)
		if (c->crls.v[i].p[0] == 0xa1)
			return 1;
	return 0;
}

int es_cms_der_encode(const es_cms_der *c, unsigned char **out, size_t *out_len)
{
	static const unsigned char v5[] = {0x02, 0x01, 0x05};
	es_der version = has_other_crl(c) ? (es_der){v5, sizeof(v5)} : c->sd_version;
	size_t certs = list_len(&c->certs), crls = list_len(&c->crls), ua = list_len(&c->uattrs);
	size_t si_body, si, sis_body, sd_body, sd, ci_body, total;
	unsigned char *buf, *o;

	si_body = c->si_signed.len + (c->uattrs.n ? es_der_hdr_len(ua) + ua : 0);
	si = es_der_hdr_len(si_body) + si_body;
	sis_body = si + c->si_rest.len;
	sd_body = version.len + c->digest_algs.len + c->encap.len + (c->certs.n ? es_der_hdr_len(certs) + certs : 0) +
		  (c->crls.n ? es_der_hdr_len(crls) + crls : 0) + es_der_hdr_len(sis_body) + sis_body;
	sd = es_der_hdr_len(sd_body) + sd_body;
	ci_body = sizeof(oid_signed_data) + es_der_hdr_len(sd) + sd;
	total = es_der_hdr_len(ci_body) + ci_body;
	if ((buf = malloc(total)) == NULL)
		return -1;
	o = es_der_put_hdr(buf, 0x30, ci_body);
	o = put(o, (es_der){oid_signed_data, sizeof(oid_signed_data)});
	o = es_der_put_hdr(o, 0xa0, sd);
	o = es_der_put_hdr(o, 0x30, sd_body);
	o = put(o, version);
	o = put(o, c->digest_algs);
	o = put(o, c->encap);
	if (c->certs.n)
		o = put_list(es_der_put_hdr(o, 0xa0, certs), &c->certs);
	if (c->crls.n)
		o = put_list(es_der_put_hdr(o, 0xa1, crls), &c->crls);
	o = es_der_put_hdr(o, 0x31, sis_body);
	o = es_der_put_hdr(o, 0x30, si_body);
	o = put(o, c->si_signed);
	if (c->uattrs.n)
		o = put_list(es_der_put_hdr(o, 0xa1, ua), &c->uattrs);
	o = put(o, c->si_rest);
	if ((size_t)(o - buf) != total) { /* cannot happen: the sizes above are the ones written */
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = total;
	return 0;
}

int es_der_attr_split(es_der attr, es_der *type, es_der_list *values)
{
	const unsigned char *p = attr.p, *end = attr.p + attr.len;
	es_der content, set;
	unsigned char tag;

	if (es_der_read(&p, end, NULL, &tag, &content) != 0 || tag != 0x30)
		return -1;
	p = content.p;
	end = content.p + content.len;
	if (es_der_read(&p, end, type, &tag, NULL) != 0 || tag != 0x06 || es_der_read(&p, end, NULL, &tag, &set) != 0 ||
	    tag != 0x31 || p != end)
		return -1;
	return values != NULL ? split_into(set, values) : 0;
}

size_t es_der_oid(const char *dotted, unsigned char *buf, size_t buf_len)
{
	ASN1_OBJECT *o = OBJ_txt2obj(dotted, 1);
	unsigned char *p = buf;
	int n = o != NULL ? i2d_ASN1_OBJECT(o, NULL) : 0;

	if (n <= 0 || (size_t)n > buf_len) {
		ASN1_OBJECT_free(o);
		return 0;
	}
	n = i2d_ASN1_OBJECT(o, &p);
	ASN1_OBJECT_free(o);
	return n > 0 ? (size_t)n : 0;
}
