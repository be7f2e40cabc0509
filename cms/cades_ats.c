/* cms/cades_ats.c: archive-time-stamp-v3 arithmetic (ETSI EN 319 122-1 5.5.2, 5.5.3): the ats-hash-index-v3 of a
 * SignedData, the message imprint a TSA stamps, and the index checked against the elements of a later file. */
#include "cades_ats.h"

#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHY(...) (snprintf(why, why_len, __VA_ARGS__), -1)

/* A growing DER buffer for the few small structures built here. */
typedef struct {
	unsigned char *p;
	size_t len, cap;
	int oom;
} dbuf;

static void dput(dbuf *b, const void *p, size_t len)
{
	unsigned char *np;

	if (b->oom)
		return;
	if (b->len + len > b->cap) {
		size_t cap = (b->len + len) * 2 + 64;

		if ((np = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
}

static void dhdr(dbuf *b, unsigned char tag, size_t len)
{
	unsigned char h[8];

	dput(b, h, (size_t)(es_der_put_hdr(h, tag, len) - h));
}

static int hash2(const EVP_MD *md, es_der a, es_der b, unsigned char *out, unsigned int *out_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, md, NULL) && EVP_DigestUpdate(ctx, a.p, a.len) &&
		 (b.p == NULL || EVP_DigestUpdate(ctx, b.p, b.len)) && EVP_DigestFinal_ex(ctx, out, out_len);

	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* SEQUENCE OF OCTET STRING: the hash of each element of l. */
static void hash_list(dbuf *b, const es_der_list *l, const EVP_MD *md)
{
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hl = 0;
	size_t i, n = (size_t)EVP_MD_get_size(md);

	dhdr(b, 0x30, l->n * (2 + n));
	for (i = 0; i < l->n; i++) {
		if (hash2(md, l->v[i], (es_der){NULL, 0}, h, &hl) != 0 || hl != n) {
			b->oom = 1;
			return;
		}
		dhdr(b, 0x04, hl);
		dput(b, h, hl);
	}
}

/* Each value of each unsigned attribute as attrType || AttributeValue (the v3 rule: one hash per value, so a
 * value added to an attribute later does not change the hashes of those already covered). */
static int attr_items(const es_der_list *attrs, es_der_list *types, es_der_list *vals)
{
	es_der_list v = {0};
	es_der type, *nt, *nv;
	size_t i, j, cap;
	int rc = -1;

	for (i = 0; i < attrs->n; i++) {
		v.n = 0;
		if (es_der_attr_split(attrs->v[i], &type, &v) != 0)
			goto cleanup;
		for (j = 0; j < v.n; j++) {
			/* two lists kept the same length: types->v[k] is the type of vals->v[k] */
			if (types->n == types->cap) {
				cap = types->cap ? types->cap * 2 : 16;
				if ((nt = realloc(types->v, cap * sizeof(*nt))) == NULL)
					goto cleanup;
				types->v = nt;
				if ((nv = realloc(vals->v, cap * sizeof(*nv))) == NULL)
					goto cleanup;
				vals->v = nv;
				types->cap = vals->cap = cap;
			}
			types->v[types->n++] = type;
			vals->v[vals->n++] = v.v[j];
		}
	}
	rc = 0;
cleanup:
	es_der_list_free(&v);
	return rc;
}

int es_ats_hash_index(const es_cms_der *c, const EVP_MD *md, unsigned char **out, size_t *out_len)
{
	es_der_list types = {0}, vals = {0};
	dbuf body = {0}, all = {0};
	unsigned char h[EVP_MAX_MD_SIZE], *alg = NULL;
	unsigned int hl = 0;
	size_t i, n = (size_t)EVP_MD_get_size(md);
	X509_ALGOR *a = NULL;
	int alen, rc = -1;

	/* hashIndAlgorithm DEFAULT id-sha256: DER leaves a default out */
	if (EVP_MD_get_type(md) != NID_sha256) {
		if ((a = X509_ALGOR_new()) == NULL)
			goto cleanup;
		X509_ALGOR_set_md(a, md);
		if ((alen = i2d_X509_ALGOR(a, &alg)) <= 0)
			goto cleanup;
		dput(&body, alg, (size_t)alen);
	}
	hash_list(&body, &c->certs, md);
	hash_list(&body, &c->crls, md);
	if (attr_items(&c->uattrs, &types, &vals) != 0)
		goto cleanup;
	dhdr(&body, 0x30, vals.n * (2 + n));
	for (i = 0; i < vals.n; i++) {
		if (hash2(md, types.v[i], vals.v[i], h, &hl) != 0)
			goto cleanup;
		dhdr(&body, 0x04, hl);
		dput(&body, h, hl);
	}
	dhdr(&all, 0x30, body.len);
	dput(&all, body.p, body.len);
	if (body.oom || all.oom)
		goto cleanup;
	*out = all.p;
	*out_len = all.len;
	all.p = NULL;
	rc = 0;
cleanup:
	free(all.p);
	free(body.p);
	OPENSSL_free(alg);
	X509_ALGOR_free(a);
	es_der_list_free(&types);
	es_der_list_free(&vals);
	return rc;
}

int es_ats_imprint(const es_cms_der *c, const EVP_MD *md, const unsigned char *data_hash, size_t data_hash_len,
		   const unsigned char *index, size_t index_len, unsigned char *out, unsigned int *out_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, md, NULL) &&
		 EVP_DigestUpdate(ctx, c->econtent_type.p, c->econtent_type.len) &&
		 EVP_DigestUpdate(ctx, data_hash, data_hash_len) &&
		 EVP_DigestUpdate(ctx, c->si_signed.p, c->si_signed.len) && EVP_DigestUpdate(ctx, index, index_len) &&
		 EVP_DigestFinal_ex(ctx, out, out_len);

	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

int es_cms_der_attr_values(const es_cms_der *c, const char *oid, es_der_list *values)
{
	unsigned char want[64];
	size_t wlen = es_der_oid(oid, want, sizeof(want)), i;
	es_der type;

	if (wlen == 0)
		return -1;
	for (i = 0; i < c->uattrs.n; i++) {
		if (es_der_attr_split(c->uattrs.v[i], &type, NULL) != 0)
			return -1;
		if (type.len == wlen && memcmp(type.p, want, wlen) == 0 &&
		    es_der_attr_split(c->uattrs.v[i], &type, values))
			return -1;
	}
	return 0;
}

int es_ats_token_add_index(const unsigned char *token, size_t len, const unsigned char *index, size_t index_len,
			   unsigned char **out, size_t *out_len, char *why, size_t why_len)
{
	es_cms_der t;
	int rc = -1;

	if (es_cms_der_parse(token, len, &t, why, why_len) != 0)
		goto cleanup;
	if (es_cms_der_add_attr(&t, ES_OID_ATS_HASH_INDEX_V3, index, index_len) != 0 ||
	    es_cms_der_encode(&t, out, out_len) != 0) {
		snprintf(why, why_len, "out of memory");
		goto cleanup;
	}
	rc = 0;
cleanup:
	es_cms_der_clear(&t);
	return rc;
}

int es_ats_token_index(const unsigned char *token, size_t len, es_der *index, char *why, size_t why_len)
{
	es_cms_der t;
	es_der_list v = {0};
	int rc = -1;

	if (es_cms_der_parse(token, len, &t, why, why_len) != 0)
		goto cleanup;
	if (es_cms_der_attr_values(&t, ES_OID_ATS_HASH_INDEX_V3, &v) != 0) {
		snprintf(why, why_len, "its unsigned attributes are malformed");
		goto cleanup;
	}
	if (v.n != 1) {
		snprintf(why, why_len, "it carries %zu ats-hash-index-v3 values (one is required)", v.n);
		goto cleanup;
	}
	/* a span into token: t's spans point into token too */
	*index = v.v[0];
	rc = 0;
cleanup:
	es_der_list_free(&v);
	es_cms_der_clear(&t);
	return rc;
}

/* Every OCTET STRING of a SEQUENCE OF must be the hash of one element of l (hashed as pairs when types given); the
 * elements it names are marked in cov (may be NULL). Each element is hashed once: an index of thousands of entries
 * costs comparisons, not hashes. */
static int check_list(es_der seq, const es_der_list *types, const es_der_list *l, const EVP_MD *md, const char *what,
		      unsigned char *cov, char *why, size_t why_len)
{
	const unsigned char *p = seq.p, *end = seq.p + seq.len;
	size_t hl = (size_t)EVP_MD_get_size(md), i, k = 0;
	unsigned char *hashes = l->n > 0 ? malloc(l->n * hl) : NULL, tag;
	unsigned int got = 0;
	es_der want;
	int found, rc = -1;

	if (l->n > 0 && hashes == NULL)
		return WHY("out of memory");
	for (i = 0; i < l->n; i++)
		if (hash2(md, types != NULL ? types->v[i] : l->v[i], types != NULL ? l->v[i] : (es_der){NULL, 0},
			  hashes + i * hl, &got) != 0) {
			snprintf(why, why_len, "cannot hash");
			goto cleanup;
		}
	while (p < end) {
		if (es_der_read(&p, end, NULL, &tag, &want) != 0 || tag != 0x04) {
			snprintf(why, why_len, "its %s list is malformed", what);
			goto cleanup;
		}
		found = 0;
		for (i = 0; i < l->n && !found; i++)
			if (want.len == hl && memcmp(hashes + i * hl, want.p, hl) == 0) {
				found = 1;
				if (cov != NULL)
					cov[i] = 1;
			}
		k++;
		if (!found) {
			snprintf(why, why_len, "%s %zu it covers is no longer in the signature (changed or removed)",
				 what, k);
			goto cleanup;
		}
	}
	rc = 0;
cleanup:
	free(hashes);
	return rc;
}

int es_ats_index_check(const es_cms_der *c, es_der index, const EVP_MD **md_out, unsigned char *cert_cov,
		       unsigned char *crl_cov, char *why, size_t why_len)
{
	const unsigned char *p = index.p, *end = index.p + index.len;
	es_der parts[4], content, alg = {NULL, 0};
	es_der_list types = {0}, vals = {0};
	const EVP_MD *md = EVP_sha256();
	X509_ALGOR *a = NULL;
	unsigned char tag;
	size_t n = 0;
	int rc = -1;

	if (es_der_read(&p, end, NULL, &tag, &content) != 0 || tag != 0x30 || p != end)
		return WHY("its ats-hash-index-v3 is not a DER SEQUENCE");
	p = content.p;
	end = content.p + content.len;
	while (p < end && n < 4)
		if (es_der_read(&p, end, NULL, &tag, &parts[n++]) != 0 || tag != 0x30)
			return WHY("its ats-hash-index-v3 is malformed");
	if (p != end || n < 3)
		return WHY("its ats-hash-index-v3 is malformed");
	if (n == 4) {
		/* the AlgorithmIdentifier, read again whole with its header */
		const unsigned char *q = content.p;

		if (es_der_read(&q, end, &alg, NULL, NULL) != 0)
			return WHY("its ats-hash-index-v3 is malformed");
		q = alg.p;
		if ((a = d2i_X509_ALGOR(NULL, &q, (long)alg.len)) == NULL ||
		    (md = EVP_get_digestbyobj(a->algorithm)) == NULL) {
			X509_ALGOR_free(a);
			return WHY("its ats-hash-index-v3 names an unknown hash algorithm");
		}
		X509_ALGOR_free(a);
		memmove(parts, parts + 1, 3 * sizeof(parts[0]));
	}
	if (check_list(parts[0], NULL, &c->certs, md, "certificate", cert_cov, why, why_len) != 0 ||
	    check_list(parts[1], NULL, &c->crls, md, "revocation entry", crl_cov, why, why_len) != 0)
		goto cleanup;
	if (attr_items(&c->uattrs, &types, &vals) != 0) {
		snprintf(why, why_len, "the unsigned attributes are malformed");
		goto cleanup;
	}
	if (check_list(parts[2], &types, &vals, md, "unsigned attribute value", NULL, why, why_len) != 0)
		goto cleanup;
	if (md_out != NULL)
		*md_out = md;
	rc = 0;
cleanup:
	es_der_list_free(&types);
	es_der_list_free(&vals);
	return rc;
}
