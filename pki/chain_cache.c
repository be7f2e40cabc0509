/* pki/chain_cache.c: es_chain_build's outcomes kept for the rest of a batch, bound to one store and keyed by a digest
 * of all else X509_verify_cert reads (the certificates' DER in order, the time, the purpose); one lock for all. */
#include "chain_cache.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Deeper chains are built every time (real ones have three or four certificates). */
#define MAX_DEPTH 8

typedef struct {
	unsigned char key[32];
	int rc;
	int n;
	/* per element of the chain: 0 = the certificate, i > 0 = untrusted[i - 1], i < 0 = anchors[-i - 1] */
	int from[MAX_DEPTH];
} memo;

struct es_chain_cache {
	const X509_STORE *store;
	pthread_mutex_t lock;
	memo e[ES_CHAIN_CACHE_MAX];
	size_t n;    /* entries in use */
	size_t next; /* the one replaced next once full */
	size_t hits;
};

es_chain_cache *es_chain_cache_new(const X509_STORE *store)
{
	es_chain_cache *c = calloc(1, sizeof(*c));

	if (c != NULL && pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return NULL;
	}
	if (c != NULL)
		c->store = store;
	return c;
}

void es_chain_cache_free(es_chain_cache *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static int add_cert(EVP_MD_CTX *md, X509 *x)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n;

	return X509_digest(x, EVP_sha256(), d, &n) == 1 && EVP_DigestUpdate(md, d, n) == 1 ? 0 : -1;
}

int es_chain_cache_key(const es_chain_cache *c, const X509_STORE *store, X509 *cert, STACK_OF(X509) * untrusted,
		       time_t t, int purpose, unsigned char key[32])
{
	EVP_MD_CTX *md = NULL;
	long long when = (long long)t;
	int i, n = sk_X509_num(untrusted), rc = -1;

	if (c == NULL || store != c->store)
		return -1;
	if ((md = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, &when, sizeof(when)) != 1 || EVP_DigestUpdate(md, &purpose, sizeof(purpose)) != 1 ||
	    EVP_DigestUpdate(md, &n, sizeof(n)) != 1 || add_cert(md, cert) != 0)
		goto cleanup;
	for (i = 0; i < n; i++)
		if (add_cert(md, sk_X509_value(untrusted, i)) != 0)
			goto cleanup;
	rc = EVP_DigestFinal_ex(md, key, NULL) == 1 ? 0 : -1;
cleanup:
	EVP_MD_CTX_free(md);
	return rc;
}

static memo *find(es_chain_cache *c, const unsigned char key[32])
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (memcmp(c->e[i].key, key, 32) == 0)
			return &c->e[i];
	return NULL;
}

static X509 *element(int from, X509 *cert, STACK_OF(X509) * untrusted, STACK_OF(X509) * anchors)
{
	if (from == 0)
		return cert;
	if (from > 0)
		return from <= sk_X509_num(untrusted) ? sk_X509_value(untrusted, from - 1) : NULL;
	return -from <= sk_X509_num(anchors) ? sk_X509_value(anchors, -from - 1) : NULL;
}

int es_chain_cache_get(es_chain_cache *c, const unsigned char key[32], X509 *cert, STACK_OF(X509) * untrusted,
		       STACK_OF(X509) * anchors, int *rc, STACK_OF(X509) * *chain)
{
	memo m;
	const memo *found;
	STACK_OF(X509) *out = NULL;
	X509 *x;
	int i;

	*chain = NULL;
	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->lock);
	found = find(c, key);
	if (found != NULL) {
		m = *found;
		c->hits++;
	}
	pthread_mutex_unlock(&c->lock);
	if (found == NULL)
		return 0;
	if (m.rc == X509_V_OK) {
		if ((out = sk_X509_new_reserve(NULL, m.n)) == NULL)
			return 0;
		for (i = 0; i < m.n; i++) {
			/* (the key covers the certificates and their order, so every position is there) */
			if ((x = element(m.from[i], cert, untrusted, anchors)) == NULL || !X509_up_ref(x)) {
				sk_X509_pop_free(out, X509_free);
				return 0;
			}
			sk_X509_push(out, x);
		}
	}
	*rc = m.rc;
	*chain = out;
	return 1;
}

/* Where x came from: its position as memo.from says, or 1 when it came from elsewhere (not cached). */
static int origin(X509 *x, X509 *cert, STACK_OF(X509) * untrusted, STACK_OF(X509) * anchors, int *from)
{
	int i;

	if (x == cert) {
		*from = 0;
		return 0;
	}
	for (i = 0; i < sk_X509_num(untrusted); i++)
		if (x == sk_X509_value(untrusted, i)) {
			*from = i + 1;
			return 0;
		}
	for (i = 0; i < sk_X509_num(anchors); i++)
		if (x == sk_X509_value(anchors, i)) {
			*from = -i - 1;
			return 0;
		}
	return 1;
}

void es_chain_cache_put(es_chain_cache *c, const unsigned char key[32], X509 *cert, STACK_OF(X509) * untrusted,
			STACK_OF(X509) * anchors, int rc, STACK_OF(X509) * chain)
{
	memo m;
	int i;

	if (c == NULL)
		return;
	memset(&m, 0, sizeof(m));
	memcpy(m.key, key, sizeof(m.key));
	m.rc = rc;
	if (rc == X509_V_OK) {
		if (sk_X509_num(chain) > MAX_DEPTH)
			return;
		m.n = sk_X509_num(chain);
		for (i = 0; i < m.n; i++)
			if (origin(sk_X509_value(chain, i), cert, untrusted, anchors, &m.from[i]) != 0)
				return;
	}
	pthread_mutex_lock(&c->lock);
	if (find(c, key) == NULL) {
		if (c->n < ES_CHAIN_CACHE_MAX) {
			c->e[c->n++] = m;
		} else {
			c->e[c->next] = m;
			c->next = (c->next + 1) % ES_CHAIN_CACHE_MAX;
		}
	}
	pthread_mutex_unlock(&c->lock);
}

size_t es_chain_cache_hits(es_chain_cache *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->hits;
	pthread_mutex_unlock(&c->lock);
	return n;
}
