/* tests/verify/test_batch_caches.c: what a batch verifier keeps from one file for the next: chains by everything that
 * decides them (a different untrusted set, time or store is built anew; a hit hands back this call's own objects)
 * and certificates by their exact DER, also inside es_cms_parse_signed (duplicates and trailing bytes as OpenSSL). */
#include "cms/verify_cms.h"
#include "pki/cert_cache.h"
#include "pki/chain.h"
#include "pki/chain_cache.h"
#include "pki/cms_der.h"
#include "pki/report.h"
#include "tests/lib/test_pki.h"

#include <openssl/cms.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdlib.h>

#define DAY 86400L

typedef struct pki {
	EVP_PKEY *root_key, *ca_key, *leaf_key, *other_key;
	X509 *root, *ca, *leaf, *other_root, *other_leaf;
	time_t now;
} pki;

static void pki_make(pki *p)
{
	p->now = time(NULL);
	p->root_key = EVP_EC_gen("P-256");
	p->ca_key = EVP_EC_gen("P-256");
	p->leaf_key = EVP_EC_gen("P-256");
	p->other_key = EVP_EC_gen("P-256");
	assert_non_null(p->root_key);
	assert_non_null(p->ca_key);
	assert_non_null(p->leaf_key);
	assert_non_null(p->other_key);
	p->root = test_make_cert(p->root_key, "Root", NULL, NULL, p->now - 30 * DAY, p->now + 365 * DAY, 1, NULL);
	p->ca = test_make_cert(p->ca_key, "CA", p->root, p->root_key, p->now - 20 * DAY, p->now + 300 * DAY, 1, NULL);
	p->leaf = test_make_cert(p->leaf_key, "Seal", p->ca, p->ca_key, p->now - 10 * DAY, p->now + 100 * DAY, 0,
				 "emailProtection");
	p->other_root =
		test_make_cert(p->other_key, "Other Root", NULL, NULL, p->now - 30 * DAY, p->now + 365 * DAY, 1, NULL);
	p->other_leaf = test_make_cert(p->leaf_key, "Other Seal", p->other_root, p->other_key, p->now - 10 * DAY,
				       p->now + 100 * DAY, 0, "emailProtection");
}

static void pki_free(pki *p)
{
	X509_free(p->root);
	X509_free(p->ca);
	X509_free(p->leaf);
	X509_free(p->other_root);
	X509_free(p->other_leaf);
	EVP_PKEY_free(p->root_key);
	EVP_PKEY_free(p->ca_key);
	EVP_PKEY_free(p->leaf_key);
	EVP_PKEY_free(p->other_key);
}

/* A new object with x's DER, as the next file's parse would give. */
static X509 *copy_of(X509 *x)
{
	X509 *c = X509_dup(x);

	assert_non_null(c);
	return c;
}

static STACK_OF(X509) * stack_of(X509 *a, X509 *b)
{
	STACK_OF(X509) *s = sk_X509_new_null();

	assert_non_null(s);
	if (a != NULL)
		assert_true(sk_X509_push(s, a) > 0);
	if (b != NULL)
		assert_true(sk_X509_push(s, b) > 0);
	return s;
}

/* Builds leaf's chain with untrusted at t; returns the X509_V_ERR code, and checks that a chain is this call's own
 * objects: leaf, then elements of untrusted, then the anchor. */
static int build(struct eseal_verifier *v, X509 *leaf, STACK_OF(X509) * untrusted, time_t t)
{
	STACK_OF(X509) *chain = NULL;
	int rc = es_chain_build(v, leaf, untrusted, t, X509_PURPOSE_ANY, &chain), i;

	if (rc == X509_V_OK) {
		assert_int_equal(sk_X509_num(chain), 3);
		assert_ptr_equal(sk_X509_value(chain, 0), leaf);
		for (i = 0; i < sk_X509_num(untrusted); i++)
			if (sk_X509_value(untrusted, i) == sk_X509_value(chain, 1))
				break;
		assert_true(i < sk_X509_num(untrusted)); /* the intermediate handed in with this call */
		assert_ptr_equal(sk_X509_value(chain, 2), sk_X509_value(v->anchors, 0));
		for (i = 0; i + 1 < 3; i++)
			assert_int_equal(X509_check_issued(sk_X509_value(chain, i + 1), sk_X509_value(chain, i)),
					 X509_V_OK);
	} else {
		assert_null(chain);
	}
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

static void test_chain_cache(void **state)
{
	pki p;
	struct eseal_verifier v;
	STACK_OF(X509) * with_ca, *with_ca2, *without, *reordered, *wrong;
	X509 *leaf2, *ca2;
	size_t hits;

	(void)state;
	pki_make(&p);
	test_verifier_with_root(&v, p.root);
	v.chain_cache = es_chain_cache_new(v.store);
	assert_non_null(v.chain_cache);
	leaf2 = copy_of(p.leaf);
	ca2 = copy_of(p.ca);
	with_ca = stack_of(p.ca, NULL);
	with_ca2 = stack_of(ca2, NULL);
	without = stack_of(NULL, NULL);
	reordered = stack_of(p.other_root, ca2);
	wrong = stack_of(p.other_root, NULL);

	assert_int_equal(build(&v, p.leaf, with_ca, p.now), X509_V_OK);
	assert_int_equal(es_chain_cache_hits(v.chain_cache), 0);
	/* the next file: the same DER in new objects; the chain is made of them */
	assert_int_equal(build(&v, leaf2, with_ca2, p.now), X509_V_OK);
	assert_int_equal(es_chain_cache_hits(v.chain_cache), 1);
	/* what differs is built anew: no intermediate, another time, other untrusted certificates, another leaf */
	assert_int_equal(build(&v, leaf2, without, p.now), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	assert_int_equal(build(&v, leaf2, wrong, p.now), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	assert_int_equal(build(&v, leaf2, with_ca2, p.now + 200 * DAY), X509_V_ERR_CERT_HAS_EXPIRED);
	assert_int_equal(build(&v, leaf2, with_ca2, p.now - 15 * DAY), X509_V_ERR_CERT_NOT_YET_VALID);
	assert_int_equal(build(&v, p.leaf, reordered, p.now), X509_V_OK);
	assert_int_equal(build(&v, p.other_leaf, with_ca, p.now), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	assert_int_equal(es_chain_cache_hits(v.chain_cache), 1);
	/* failures are kept too, and none of them spoilt the first outcome */
	hits = es_chain_cache_hits(v.chain_cache);
	assert_int_equal(build(&v, p.leaf, without, p.now), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	assert_int_equal(build(&v, p.leaf, with_ca, p.now + 200 * DAY), X509_V_ERR_CERT_HAS_EXPIRED);
	assert_int_equal(build(&v, p.leaf, with_ca, p.now), X509_V_OK);
	assert_int_equal(es_chain_cache_hits(v.chain_cache), hits + 3);

	sk_X509_free(with_ca);
	sk_X509_free(with_ca2);
	sk_X509_free(without);
	sk_X509_free(reordered);
	sk_X509_free(wrong);
	X509_free(leaf2);
	X509_free(ca2);
	es_chain_cache_free(v.chain_cache);
	test_verifier_clear(&v);
	pki_free(&p);
}

/* A verifier copied with another store (as a test harness trusting a token's own signer does) gets no outcome of the
 * first store's: a cache is bound to the store it was made for. */
static void test_chain_cache_other_store(void **state)
{
	pki p;
	struct eseal_verifier v, other;
	STACK_OF(X509) * with_ca, *chain = NULL;

	(void)state;
	pki_make(&p);
	test_verifier_with_root(&v, p.root);
	v.chain_cache = es_chain_cache_new(v.store);
	with_ca = stack_of(p.ca, NULL);
	assert_int_equal(build(&v, p.leaf, with_ca, p.now), X509_V_OK);
	test_verifier_with_root(&other, p.other_root);
	other.chain_cache = v.chain_cache;
	assert_int_not_equal(es_chain_build(&other, p.leaf, with_ca, p.now, X509_PURPOSE_ANY, &chain), X509_V_OK);
	assert_null(chain);
	assert_int_equal(es_chain_cache_hits(v.chain_cache), 0);
	sk_X509_free(with_ca);
	es_chain_cache_free(v.chain_cache);
	test_verifier_clear(&other);
	test_verifier_clear(&v);
	pki_free(&p);
}

static unsigned char *der_of(X509 *x, int *len)
{
	unsigned char *der = NULL;

	*len = i2d_X509(x, &der);
	assert_true(*len > 0);
	return der;
}

static void test_cert_cache(void **state)
{
	pki p;
	es_cert_cache *c = es_cert_cache_new();
	unsigned char *leaf_der, *ca_der, *longer;
	int leaf_len, ca_len, i;
	X509 *a, *b, *d, *many[ES_CERT_CACHE_MAX + 8];
	EVP_PKEY *k = EVP_EC_gen("P-256");

	(void)state;
	pki_make(&p);
	assert_non_null(c);
	leaf_der = der_of(p.leaf, &leaf_len);
	ca_der = der_of(p.ca, &ca_len);
	a = es_cert_cache_get(c, leaf_der, (size_t)leaf_len);
	b = es_cert_cache_get(c, leaf_der, (size_t)leaf_len);
	d = es_cert_cache_get(c, ca_der, (size_t)ca_len);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_int_equal(X509_cmp(a, p.leaf), 0);
	assert_int_equal(X509_cmp(d, p.ca), 0);
	assert_int_equal(es_cert_cache_hits(c), 1);
	/* one byte more (or less) is no certificate of its own */
	longer = malloc((size_t)leaf_len + 1);
	assert_non_null(longer);
	memcpy(longer, leaf_der, (size_t)leaf_len);
	longer[leaf_len] = 0;
	assert_null(es_cert_cache_get(c, longer, (size_t)leaf_len + 1));
	assert_null(es_cert_cache_get(c, leaf_der, (size_t)leaf_len - 1));
	/* beyond the table's size the oldest go; what is asked for is still what comes back */
	for (i = 0; i < ES_CERT_CACHE_MAX + 8; i++) {
		char cn[32];
		unsigned char *der;
		int len;

		snprintf(cn, sizeof(cn), "Many %d", i);
		many[i] = test_make_cert(k, cn, NULL, NULL, p.now - DAY, p.now + DAY, 0, NULL);
		der = der_of(many[i], &len);
		b = es_cert_cache_get(c, der, (size_t)len);
		assert_int_equal(X509_cmp(b, many[i]), 0);
		X509_free(b);
		OPENSSL_free(der);
	}
	b = es_cert_cache_get(c, leaf_der, (size_t)leaf_len);
	assert_int_equal(X509_cmp(b, p.leaf), 0);
	assert_ptr_not_equal(b, a); /* parsed again: the first entries were dropped */
	X509_free(b);
	for (i = 0; i < ES_CERT_CACHE_MAX + 8; i++)
		X509_free(many[i]);
	X509_free(a);
	X509_free(a);
	X509_free(d);
	free(longer);
	OPENSSL_free(leaf_der);
	OPENSSL_free(ca_der);
	EVP_PKEY_free(k);
	es_cert_cache_free(c);
	pki_free(&p);
}

/* A CMS SignedData by leaf carrying leaf and ca, as DER. */
static unsigned char *signed_data(pki *p, int *len)
{
	BIO *in = BIO_new_mem_buf("data", 4);
	STACK_OF(X509) *certs = stack_of(p->ca, NULL);
	CMS_ContentInfo *cms;
	unsigned char *der = NULL;

	assert_non_null(in);
	cms = CMS_sign(p->leaf, p->leaf_key, certs, in, CMS_DETACHED | CMS_BINARY);
	assert_non_null(cms);
	*len = i2d_CMS_ContentInfo(cms, &der);
	assert_true(*len > 0);
	CMS_ContentInfo_free(cms);
	sk_X509_free(certs);
	BIO_free(in);
	return der;
}

static int n_certs(CMS_ContentInfo *cms)
{
	STACK_OF(X509) *certs = CMS_get1_certs(cms);
	int n = sk_X509_num(certs);

	sk_X509_pop_free(certs, X509_free);
	return n;
}

static void test_parse_signed(void **state)
{
	pki p;
	struct eseal_verifier v;
	eseal_report *r = calloc(1, sizeof(*r));
	eseal_seal_report *s;
	unsigned char *der, *dup = NULL, *padded;
	int len, i;
	size_t dup_len;
	CMS_ContentInfo *one, *two, *plain;
	STACK_OF(X509) * c1, *c2;
	es_cms_der parts;
	char why[160];

	(void)state;
	pki_make(&p);
	test_verifier_with_root(&v, p.root);
	v.cert_cache = es_cert_cache_new();
	der = signed_data(&p, &len);
	assert_non_null(r);
	r->seals = s = calloc(1, sizeof(*s));
	assert_non_null(s);
	r->n_seals = 1;
	one = es_cms_parse_signed(&v, der, (size_t)len, s);
	two = es_cms_parse_signed(&v, der, (size_t)len, s);
	assert_non_null(one);
	assert_non_null(two);
	/* the second file's certificates are the first's objects, in the same order, and the same as OpenSSL's */
	c1 = CMS_get1_certs(one);
	c2 = CMS_get1_certs(two);
	assert_int_equal(sk_X509_num(c1), 2);
	for (i = 0; i < 2; i++)
		assert_ptr_equal(sk_X509_value(c1, i), sk_X509_value(c2, i));
	plain = es_cms_parse_signed(NULL, der, (size_t)len, s);
	assert_non_null(plain);
	assert_int_equal(n_certs(plain), 2);
	sk_X509_pop_free(c2, X509_free);
	c2 = CMS_get1_certs(plain);
	for (i = 0; i < 2; i++)
		assert_int_equal(X509_cmp(sk_X509_value(c1, i), sk_X509_value(c2, i)), 0);
	assert_true(es_cert_cache_hits(v.cert_cache) >= 2);
	assert_int_equal(s->n_warnings, 0);
	/* a certificate given twice: kept twice, as OpenSSL's own parse does */
	assert_int_equal(es_cms_der_parse(der, (size_t)len, &parts, why, sizeof(why)), 0);
	assert_int_equal(es_cms_der_add_copy(&parts, &parts.certs, parts.certs.v[0].p, parts.certs.v[0].len), 0);
	assert_int_equal(es_cms_der_encode(&parts, &dup, &dup_len), 0);
	CMS_ContentInfo_free(two);
	two = es_cms_parse_signed(&v, dup, dup_len, s);
	assert_non_null(two);
	assert_int_equal(n_certs(two), 3);
	/* zeros after the DER (PDF /Contents) are fine, anything else is said */
	padded = calloc(1, (size_t)len + 64);
	assert_non_null(padded);
	memcpy(padded, der, (size_t)len);
	CMS_ContentInfo_free(plain);
	plain = es_cms_parse_signed(&v, padded, (size_t)len + 64, s);
	assert_non_null(plain);
	assert_int_equal(s->n_warnings, 0);
	padded[len + 10] = 1;
	CMS_ContentInfo_free(plain);
	plain = es_cms_parse_signed(&v, padded, (size_t)len + 64, s);
	assert_non_null(plain);
	assert_int_equal(s->n_warnings, 1);

	es_cms_der_clear(&parts);
	free(dup);
	free(padded);
	sk_X509_pop_free(c1, X509_free);
	sk_X509_pop_free(c2, X509_free);
	CMS_ContentInfo_free(one);
	CMS_ContentInfo_free(two);
	CMS_ContentInfo_free(plain);
	OPENSSL_free(der);
	eseal_report_free(r);
	es_cert_cache_free(v.cert_cache);
	test_verifier_clear(&v);
	pki_free(&p);
}

/* The batch's threads share both caches (eseal verify -j): each thread parses the same certificates and builds the
 * same chain at once; all get right answers (ThreadSanitizer runs this in CI's TSan stage). */
typedef struct shared {
	struct eseal_verifier *v;
	const unsigned char *leaf_der, *ca_der;
	size_t leaf_len, ca_len;
	time_t now;
	int ok;
} shared;

static void *batch_thread(void *arg)
{
	shared *sh = arg;
	int i, ok = 1;

	for (i = 0; i < 50; i++) {
		X509 *leaf = es_cert_cache_get(sh->v->cert_cache, sh->leaf_der, sh->leaf_len);
		X509 *ca = es_cert_cache_get(sh->v->cert_cache, sh->ca_der, sh->ca_len);
		STACK_OF(X509) *untrusted = sk_X509_new_null(), *chain = NULL;

		if (leaf == NULL || ca == NULL || untrusted == NULL || !sk_X509_push(untrusted, ca) ||
		    es_chain_build(sh->v, leaf, untrusted, sh->now, X509_PURPOSE_ANY, &chain) != X509_V_OK ||
		    sk_X509_num(chain) != 3 || sk_X509_value(chain, 0) != leaf || sk_X509_value(chain, 1) != ca)
			ok = 0;
		sk_X509_pop_free(chain, X509_free);
		sk_X509_free(untrusted);
		X509_free(leaf);
		X509_free(ca);
	}
	sh->ok = ok;
	return NULL;
}

static void test_threads(void **state)
{
	pki p;
	struct eseal_verifier v;
	shared sh[4];
	pthread_t th[4];
	unsigned char *leaf_der, *ca_der;
	int leaf_len, ca_len, i;

	(void)state;
	pki_make(&p);
	test_verifier_with_root(&v, p.root);
	v.chain_cache = es_chain_cache_new(v.store);
	v.cert_cache = es_cert_cache_new();
	leaf_der = der_of(p.leaf, &leaf_len);
	ca_der = der_of(p.ca, &ca_len);
	for (i = 0; i < 4; i++) {
		sh[i] = (shared){&v, leaf_der, ca_der, (size_t)leaf_len, (size_t)ca_len, p.now, 0};
		assert_int_equal(pthread_create(&th[i], NULL, batch_thread, &sh[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_true(sh[i].ok);
	}
	assert_true(es_chain_cache_hits(v.chain_cache) > 0);
	assert_true(es_cert_cache_hits(v.cert_cache) > 0);
	OPENSSL_free(leaf_der);
	OPENSSL_free(ca_der);
	es_cert_cache_free(v.cert_cache);
	es_chain_cache_free(v.chain_cache);
	test_verifier_clear(&v);
	pki_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_cache),
		cmocka_unit_test(test_chain_cache_other_store),
		cmocka_unit_test(test_cert_cache),
		cmocka_unit_test(test_parse_signed),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
