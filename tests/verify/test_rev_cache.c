/* tests/verify/test_rev_cache.c: the verifier's revocation cache on its own: an entry is reused only for its own
 * CertID or URL and only while fresh (es_rev_fresh: thisUpdate..nextUpdate around the validation time and now, 300 s
 * leeway, 5 minutes without nextUpdate), memory stays within the limits (count and bytes, OCSP and CRL), a down
 * responder is remembered per origin for a minute, and threads may share one cache. Also the freshness rule itself,
 * which the fetch path (revocation.c) applies to every answer it gets. */
#include "pki/rev_cache.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define NOW ((time_t)1800000000)

/* A CertID of a fixed issuer and this serial. */
static OCSP_CERTID *cert_id(long serial)
{
	X509_NAME *name = X509_NAME_new();
	ASN1_BIT_STRING *key = ASN1_BIT_STRING_new();
	ASN1_INTEGER *sn = ASN1_INTEGER_new();
	OCSP_CERTID *id;

	assert_non_null(name);
	assert_int_equal(
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"Test CA", -1, -1, 0), 1);
	assert_int_equal(ASN1_BIT_STRING_set(key, (unsigned char *)"issuer-key", 10), 1);
	assert_int_equal(ASN1_INTEGER_set(sn, serial), 1);
	id = OCSP_cert_id_new(EVP_sha1(), name, key, sn);
	assert_non_null(id);
	X509_NAME_free(name);
	ASN1_BIT_STRING_free(key);
	ASN1_INTEGER_free(sn);
	return id;
}

/* Any OCSP response will do: the cache stores bytes; revocation.c checks them on every reuse. */
static OCSP_RESPONSE *response(void)
{
	OCSP_RESPONSE *r = OCSP_response_create(OCSP_RESPONSE_STATUS_TRYLATER, NULL);

	assert_non_null(r);
	return r;
}

static void test_ocsp_fresh_and_keyed(void **state)
{
	es_rev_cache *c = es_rev_cache_new();
	OCSP_CERTID *a = cert_id(1), *b = cert_id(2);
	OCSP_RESPONSE *r = response(), *got;

	(void)state;
	es_rev_cache_put_ocsp(c, a, r, NOW - 10, NOW + 3600, NOW);
	got = es_rev_cache_get_ocsp(c, a, NOW + 60, NOW + 60);
	assert_non_null(got);
	assert_int_equal(OCSP_response_status(got), OCSP_RESPONSE_STATUS_TRYLATER);
	OCSP_RESPONSE_free(got);
	assert_null(es_rev_cache_get_ocsp(c, b, NOW, NOW)); /* another serial of the same issuer */
	/* validation time past nextUpdate, or before thisUpdate, by more than the leeway: not fresh for it */
	assert_null(es_rev_cache_get_ocsp(c, a, NOW + 3600 + ES_REV_LEEWAY + 1, NOW + 60));
	assert_null(es_rev_cache_get_ocsp(c, a, NOW - 10 - ES_REV_LEEWAY - 1, NOW + 60));
	/* within the leeway after nextUpdate: what a fetch would still accept (OCSP_check_validity) */
	got = es_rev_cache_get_ocsp(c, a, NOW + 3600 + ES_REV_LEEWAY, NOW + 3600 + ES_REV_LEEWAY);
	assert_non_null(got);
	OCSP_RESPONSE_free(got);
	/* wall clock past nextUpdate (and leeway): gone for good */
	assert_null(es_rev_cache_get_ocsp(c, a, NOW, NOW + 3600 + ES_REV_LEEWAY + 1));
	assert_null(es_rev_cache_get_ocsp(c, a, NOW, NOW));
	assert_null(es_rev_cache_get_ocsp(NULL, a, NOW, NOW));
	OCSP_RESPONSE_free(r);
	OCSP_CERTID_free(a);
	OCSP_CERTID_free(b);
	es_rev_cache_free(c);
}

static void test_ocsp_without_next_update(void **state)
{
	es_rev_cache *c = es_rev_cache_new();
	OCSP_CERTID *a = cert_id(7);
	OCSP_RESPONSE *r = response(), *got;

	(void)state;
	es_rev_cache_put_ocsp(c, a, r, NOW, 0, NOW);
	got = es_rev_cache_get_ocsp(c, a, NOW + ES_RC_NO_NEXT_UPDATE_SECS - 1, NOW + ES_RC_NO_NEXT_UPDATE_SECS - 1);
	assert_non_null(got);
	OCSP_RESPONSE_free(got);
	assert_null(es_rev_cache_get_ocsp(c, a, NOW + ES_RC_NO_NEXT_UPDATE_SECS, NOW + ES_RC_NO_NEXT_UPDATE_SECS));
	OCSP_RESPONSE_free(r);
	OCSP_CERTID_free(a);
	es_rev_cache_free(c);
}

/* More CertIDs than the cache holds: the oldest go, the newest stay. */
static void test_ocsp_bounded(void **state)
{
	es_rev_cache *c = es_rev_cache_new();
	OCSP_RESPONSE *r = response(), *got;
	OCSP_CERTID *id;
	long i;

	(void)state;
	for (i = 0; i < ES_RC_MAX_OCSP + 10; i++) {
		id = cert_id(100 + i);
		es_rev_cache_put_ocsp(c, id, r, NOW, NOW + 36000, NOW + i);
		OCSP_CERTID_free(id);
	}
	id = cert_id(100);
	assert_null(es_rev_cache_get_ocsp(c, id, NOW + i, NOW + i));
	OCSP_CERTID_free(id);
	id = cert_id(100 + ES_RC_MAX_OCSP + 9);
	got = es_rev_cache_get_ocsp(c, id, NOW + i, NOW + i);
	assert_non_null(got);
	OCSP_RESPONSE_free(got);
	OCSP_CERTID_free(id);
	OCSP_RESPONSE_free(r);
	es_rev_cache_free(c);
}

/* A CRL issued at this_upd, valid until next (0 = no nextUpdate). */
static X509_CRL *crl_between(time_t this_upd, time_t next)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, this_upd);

	assert_non_null(crl);
	assert_int_equal(X509_CRL_set1_lastUpdate(crl, t), 1);
	ASN1_TIME_free(t);
	if (next != 0) {
		t = ASN1_TIME_set(NULL, next);
		assert_int_equal(X509_CRL_set1_nextUpdate(crl, t), 1);
		ASN1_TIME_free(t);
	}
	return crl;
}

static X509_CRL *crl_until(time_t next)
{
	return crl_between(NOW - 60, next);
}

static void test_crl(void **state)
{
	es_rev_cache *c = es_rev_cache_new();
	X509_CRL *crl = crl_until(NOW + 3600), *got;

	(void)state;
	es_rev_cache_put_crl(c, "http://127.0.0.1:1/ca.crl", crl, 1000, NOW);
	got = es_rev_cache_get_crl(c, "http://127.0.0.1:1/ca.crl", NOW + 10, NOW + 10);
	assert_ptr_equal(got, crl);
	X509_CRL_free(got);
	assert_null(es_rev_cache_get_crl(c, "http://127.0.0.1:1/root.crl", NOW, NOW));
	assert_null(es_rev_cache_get_crl(c, "http://127.0.0.1:1/ca.crl", NOW + 3600 + ES_REV_LEEWAY + 1, NOW + 10));
	/* too big to keep */
	es_rev_cache_put_crl(c, "http://127.0.0.1:1/big.crl", crl, ES_RC_MAX_CRL_BYTES + 1, NOW);
	assert_null(es_rev_cache_get_crl(c, "http://127.0.0.1:1/big.crl", NOW, NOW));
	X509_CRL_free(crl);
	/* without nextUpdate: a few minutes after the fetch */
	crl = crl_between(NOW - 60, 0);
	es_rev_cache_put_crl(c, "http://127.0.0.1:1/x.crl", crl, 100, NOW);
	got = es_rev_cache_get_crl(c, "http://127.0.0.1:1/x.crl", NOW + 5, NOW + 5);
	assert_ptr_equal(got, crl);
	X509_CRL_free(got);
	assert_null(es_rev_cache_get_crl(c, "http://127.0.0.1:1/x.crl", NOW + ES_RC_NO_NEXT_UPDATE_SECS,
					 NOW + ES_RC_NO_NEXT_UPDATE_SECS));
	X509_CRL_free(crl);
	es_rev_cache_free(c); /* frees what it still holds: LeakSanitizer checks */
}

/* The byte budget: CRLs that together exceed it evict the oldest. */
static void test_crl_bytes(void **state)
{
	es_rev_cache *c = es_rev_cache_new();
	X509_CRL *crl = crl_until(NOW + 3600), *got;
	const size_t big = ES_RC_MAX_CRL_BYTES / 2 + 1;

	(void)state;
	es_rev_cache_put_crl(c, "http://h/1.crl", crl, big, NOW);
	es_rev_cache_put_crl(c, "http://h/2.crl", crl, big, NOW + 1);
	assert_null(es_rev_cache_get_crl(c, "http://h/1.crl", NOW + 2, NOW + 2));
	got = es_rev_cache_get_crl(c, "http://h/2.crl", NOW + 2, NOW + 2);
	assert_ptr_equal(got, crl);
	X509_CRL_free(got);
	X509_CRL_free(crl);
	es_rev_cache_free(c);
}

static void test_down_per_origin(void **state)
{
	es_rev_cache *c = es_rev_cache_new();
	char why[256] = "";

	(void)state;
	assert_false(es_rev_cache_is_down(c, "http://127.0.0.1:9/ca.crl", NOW, why, sizeof(why)));
	es_rev_cache_set_down(c, "http://127.0.0.1:9/ca.crl", "http://127.0.0.1:9/ca.crl: Timeout was reached", NOW);
	assert_true(es_rev_cache_is_down(c, "http://127.0.0.1:9/root.crl", NOW + 5, why, sizeof(why)));
	assert_non_null(strstr(why, "Timeout was reached"));
	assert_non_null(strstr(why, "not asked again"));
	assert_false(es_rev_cache_is_down(c, "http://127.0.0.1:99/ca.crl", NOW + 5, why, sizeof(why)));
	assert_false(es_rev_cache_is_down(c, "http://127.0.0.1:9", NOW + ES_RC_DOWN_SECS, why, sizeof(why)));
	es_rev_cache_set_down(c, "http://127.0.0.1:8", "refused", NOW);
	assert_true(es_rev_cache_is_down(c, "http://127.0.0.1:8/", NOW, why, sizeof(why)));
	es_rev_cache_free(c);
}

static void *hammer(void *arg)
{
	es_rev_cache *c = arg;
	OCSP_RESPONSE *r = OCSP_response_create(OCSP_RESPONSE_STATUS_TRYLATER, NULL), *got;
	X509_CRL *crl = crl_until(NOW + 3600), *g;
	char why[128];
	long i;

	for (i = 0; i < 2000; i++) {
		OCSP_CERTID *id = cert_id(i % 50);

		es_rev_cache_put_ocsp(c, id, r, NOW, NOW + 3600, NOW);
		got = es_rev_cache_get_ocsp(c, id, NOW, NOW);
		OCSP_RESPONSE_free(got);
		OCSP_CERTID_free(id);
		es_rev_cache_put_crl(c, i % 2 ? "http://h/a.crl" : "http://h/b.crl", crl, 10, NOW);
		g = es_rev_cache_get_crl(c, "http://h/a.crl", NOW, NOW);
		X509_CRL_free(g);
		es_rev_cache_set_down(c, i % 3 ? "http://d1/" : "http://d2/", "down", NOW);
		es_rev_cache_is_down(c, "http://d1/x", NOW, why, sizeof(why));
	}
	X509_CRL_free(crl);
	OCSP_RESPONSE_free(r);
	return NULL;
}

static void test_threads(void **state)
{
	es_rev_cache *c = es_rev_cache_new();
	pthread_t t[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, c), 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	es_rev_cache_free(c);
}

/* The one freshness rule of the fetch path and the cache: OCSP_check_validity's window (300 s leeway both ends) at
 * the validation time and at now; no nextUpdate: a few minutes after it was obtained; no thisUpdate: never. */
static void test_fresh_rule(void **state)
{
	(void)state;
	assert_true(es_rev_fresh(NOW - 60, NOW + 3600, NOW, NOW, NOW));
	assert_true(es_rev_fresh(NOW + ES_REV_LEEWAY, NOW + 3600, NOW, NOW, NOW)); /* responder clock a bit ahead */
	assert_false(es_rev_fresh(NOW + ES_REV_LEEWAY + 1, NOW + 3600, NOW, NOW, NOW));
	assert_true(es_rev_fresh(NOW - 7200, NOW - ES_REV_LEEWAY, NOW, NOW, NOW));
	/* expired 5 minutes and 1 second ago: the embedded-OCSP case of the review */
	assert_false(es_rev_fresh(NOW - 7200, NOW - ES_REV_LEEWAY - 1, NOW, NOW, NOW));
	/* fresh for the validation time but dead at wall-clock now, and the other way round */
	assert_false(es_rev_fresh(NOW - 7200, NOW - 3600, NOW, NOW - 5000, NOW));
	assert_false(es_rev_fresh(NOW - 60, NOW + 3600, NOW, NOW + 7200, NOW));
	/* without nextUpdate */
	assert_true(es_rev_fresh(NOW - 60, 0, NOW, NOW, NOW + ES_RC_NO_NEXT_UPDATE_SECS - 1));
	assert_false(es_rev_fresh(NOW - 60, 0, NOW, NOW, NOW + ES_RC_NO_NEXT_UPDATE_SECS));
	assert_false(es_rev_fresh(NOW - 60, 0, NOW, NOW, NOW - 1));
	assert_false(es_rev_fresh(0, NOW + 3600, NOW, NOW, NOW));
}

/* A stale CRL is neither handed out by the cache nor kept as a slot's owner. */
static void test_crl_stale(void **state)
{
	es_rev_cache *c = es_rev_cache_new();
	X509_CRL *stale = crl_between(NOW - 7200, NOW - 3600), *future = crl_between(NOW + 3600, NOW + 7200);

	(void)state;
	es_rev_cache_put_crl(c, "http://h/stale.crl", stale, 100, NOW);
	assert_null(es_rev_cache_get_crl(c, "http://h/stale.crl", NOW, NOW));
	es_rev_cache_put_crl(c, "http://h/future.crl", future, 100, NOW);
	assert_null(es_rev_cache_get_crl(c, "http://h/future.crl", NOW, NOW));
	X509_CRL_free(stale);
	X509_CRL_free(future);
	es_rev_cache_free(c);
}

/* An OCSP response of about n bytes (a nonce of that size in a basic response signed by a throw-away key): the cache
 * only counts DER bytes. */
static OCSP_RESPONSE *response_of_size(size_t n)
{
	OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	unsigned char *pad = calloc(1, n);
	OCSP_RESPONSE *r;

	assert_non_null(bs);
	assert_non_null(key);
	assert_non_null(pad);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
						    (const unsigned char *)"Responder", -1, -1, 0),
			 1);
	assert_int_equal(OCSP_basic_add1_nonce(bs, pad, (int)n), 1);
	assert_int_equal(OCSP_basic_sign(bs, x, key, EVP_sha256(), NULL, OCSP_NOCERTS), 1);
	r = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
	assert_non_null(r);
	OCSP_BASICRESP_free(bs);
	EVP_PKEY_free(key);
	X509_free(x);
	free(pad);
	return r;
}

/* Responses over ES_RC_MAX_OCSP_ONE are not kept; many large ones evict the oldest to stay within the byte budget
 * (4096 entries of 4 MB each could otherwise pin 16 GB). */
static void test_ocsp_bytes(void **state)
{
	es_rev_cache *c = es_rev_cache_new();
	OCSP_RESPONSE *huge = response_of_size(ES_RC_MAX_OCSP_ONE + 1), *big = response_of_size(60000), *got;
	const long n = (long)(ES_RC_MAX_OCSP_BYTES / 60000) + 20; /* more than the budget holds */
	OCSP_CERTID *id;
	long i;

	(void)state;
	id = cert_id(1);
	es_rev_cache_put_ocsp(c, id, huge, NOW, NOW + 3600, NOW);
	assert_null(es_rev_cache_get_ocsp(c, id, NOW, NOW));
	OCSP_CERTID_free(id);
	for (i = 0; i < n; i++) {
		id = cert_id(1000 + i);
		es_rev_cache_put_ocsp(c, id, big, NOW, NOW + 36000, NOW + i);
		OCSP_CERTID_free(id);
	}
	/* the first ones went (n is far below ES_RC_MAX_OCSP: bytes, not the count, evicted them) */
	assert_true(n < ES_RC_MAX_OCSP);
	id = cert_id(1000);
	assert_null(es_rev_cache_get_ocsp(c, id, NOW + n, NOW + n));
	OCSP_CERTID_free(id);
	id = cert_id(1000 + n - 1);
	got = es_rev_cache_get_ocsp(c, id, NOW + n, NOW + n);
	assert_non_null(got);
	OCSP_RESPONSE_free(got);
	OCSP_CERTID_free(id);
	OCSP_RESPONSE_free(huge);
	OCSP_RESPONSE_free(big);
	es_rev_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ocsp_fresh_and_keyed),
		cmocka_unit_test(test_ocsp_without_next_update),
		cmocka_unit_test(test_ocsp_bounded),
		cmocka_unit_test(test_crl),
		cmocka_unit_test(test_crl_bytes),
		cmocka_unit_test(test_crl_stale),
		cmocka_unit_test(test_fresh_rule),
		cmocka_unit_test(test_ocsp_bytes),
		cmocka_unit_test(test_down_per_origin),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
