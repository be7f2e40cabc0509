/* pki/cert_cache.c: parsed certificates by the SHA-256 of their DER, checked byte for byte against a copy of it;
 * one lock for the table, certificates parsed outside it. */
#include "cert_cache.h"

#include "chain.h"

#include <limits.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	unsigned char key[SHA256_DIGEST_LENGTH];
	unsigned char *der;
	size_t len;
	X509 *x;
} entry;

struct es_cert_cache {
	pthread_mutex_t lock;
	entry e[ES_CERT_CACHE_MAX];
	size_t n;    /* entries in use */
	size_t next; /* the one replaced next once full */
	size_t hits;
};

es_cert_cache *es_cert_cache_new(void)
{
	es_cert_cache *c = calloc(1, sizeof(*c));

	if (c != NULL && pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

void es_cert_cache_free(es_cert_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		X509_free(c->e[i].x);
		free(c->e[i].der);
	}
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* Up-ref'd, or NULL; called with the lock held. */
static X509 *find(es_cert_cache *c, const unsigned char *key, const unsigned char *der, size_t len)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->e[i].len == len && memcmp(c->e[i].key, key, sizeof(c->e[i].key)) == 0 &&
		    memcmp(c->e[i].der, der, len) == 0)
			return X509_up_ref(c->e[i].x) ? c->e[i].x : NULL;
	return NULL;
}

static X509 *parse(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x = len <= (size_t)LONG_MAX ? d2i_X509(NULL, &p, (long)len) : NULL;

	if (x != NULL && p != der + len) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Keeps x (one more reference) under key; nothing when out of memory or another thread kept the same first. */
static void keep(es_cert_cache *c, const unsigned char *key, const unsigned char *der, size_t len, X509 *x)
{
	X509 *there;
	entry *slot;
	unsigned char *copy = malloc(len);

	if (copy == NULL)
		return;
	memcpy(copy, der, len);
	pthread_mutex_lock(&c->lock);
	if ((there = find(c, key, der, len)) != NULL) {
		X509_free(there);
		free(copy);
	} else if (!X509_up_ref(x)) {
		free(copy);
	} else {
		if (c->n < ES_CERT_CACHE_MAX) {
			slot = &c->e[c->n++];
		} else {
			slot = &c->e[c->next];
			c->next = (c->next + 1) % ES_CERT_CACHE_MAX;
			X509_free(slot->x);
			free(slot->der);
		}
		memcpy(slot->key, key, sizeof(slot->key));
		slot->der = copy;
		slot->len = len;
		slot->x = x;
	}
	pthread_mutex_unlock(&c->lock);
}

X509 *es_cert_cache_get(es_cert_cache *c, const unsigned char *der, size_t len)
{
	unsigned char key[SHA256_DIGEST_LENGTH];
	X509 *x;

	if (c == NULL || len > ES_CERT_CACHE_MAX_DER)
		return parse(der, len);
	SHA256(der, len, key);
	pthread_mutex_lock(&c->lock);
	if ((x = find(c, key, der, len)) != NULL)
		c->hits++;
	pthread_mutex_unlock(&c->lock);
	if (x != NULL)
		return x;
	if ((x = parse(der, len)) == NULL)
		return NULL;
	es_cert_settle(x); /* while this thread alone holds it */
	keep(c, key, der, len, x);
	return x;
}

size_t es_cert_cache_hits(es_cert_cache *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->hits;
	pthread_mutex_unlock(&c->lock);
	return n;
}
