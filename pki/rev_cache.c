/* pki/rev_cache.c: revocation data fetched for one verifier, kept while fresh: OCSP responses (DER) by CertID, CRLs
 * by URL, and responders that failed. Lookup, storage and the freshness rule (es_rev_fresh, shared with the fetch path)
 * live here; revocation.c checks every reuse in full.
 *
 * Thread safety: the verifier is passed as const and may be shared by threads, so one mutex guards the tables. It
 * is not held during a fetch; a second one, the fetch gate, is: the threads of a batch that miss the same entry at
 * the start would otherwise all ask the responder. Callers get their own copy (OCSP: parsed from the stored DER) or
 * a reference to a CRL that no thread modifies any more (OpenSSL sorts a CRL's entries on the first lookup, which
 * revocation.c does before storing). */
#include "rev_cache.h"

#include "core/clock_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	OCSP_CERTID *id;
	unsigned char *der;
	long der_len;
	time_t this_upd, next_upd, fetched;
} rc_ocsp;

typedef struct {
	char *url;
	X509_CRL *crl;
	size_t der_len;
	time_t this_upd, next_upd, fetched;
} rc_crl;

typedef struct {
	char *origin;
	char *why;
	time_t failed;
} rc_down;

struct es_rev_cache {
	pthread_mutex_t lock;
	pthread_mutex_t fetch; /* the fetch gate; taken before lock, never the other way round */
	int refs;              /* owners (es_rev_cache_ref); guarded by lock */
	rc_ocsp *ocsp;         /* ES_RC_MAX_OCSP slots, id NULL = free */
	/* Slots from ocsp_end on were never used. The table is 192 KB of calloc'd pages that a verification without
	 * OCSP never touches: scans stop here, so freeing an unused cache costs no page faults. */
	size_t ocsp_end;
	size_t ocsp_bytes;
	rc_crl crl[ES_RC_MAX_CRL];
	size_t crl_bytes;
	rc_down down[ES_RC_MAX_DOWN];
};

es_rev_cache *es_rev_cache_new(void)
{
	es_rev_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->ocsp = calloc(ES_RC_MAX_OCSP, sizeof(*c->ocsp));
	if (c->ocsp == NULL || pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c->ocsp);
		free(c);
		return NULL;
	}
	if (pthread_mutex_init(&c->fetch, NULL) != 0) {
		pthread_mutex_destroy(&c->lock);
		free(c->ocsp);
		free(c);
		return NULL;
	}
	c->refs = 1;
	return c;
}

es_rev_cache *es_rev_cache_ref(es_rev_cache *c)
{
	pthread_mutex_lock(&c->lock);
	c->refs++;
	pthread_mutex_unlock(&c->lock);
	return c;
}

void es_rev_cache_fetch_begin(es_rev_cache *c)
{
	if (c != NULL)
		pthread_mutex_lock(&c->fetch);
}

void es_rev_cache_fetch_end(es_rev_cache *c)
{
	if (c != NULL)
		pthread_mutex_unlock(&c->fetch);
}

static void ocsp_clear(es_rev_cache *c, rc_ocsp *e)
{
	c->ocsp_bytes -= e->id != NULL ? (size_t)e->der_len : 0;
	OCSP_CERTID_free(e->id);
	OPENSSL_free(e->der);
	memset(e, 0, sizeof(*e));
}

static void crl_clear(es_rev_cache *c, rc_crl *e)
{
	c->crl_bytes -= e->crl != NULL ? e->der_len : 0;
	free(e->url);
	X509_CRL_free(e->crl);
	memset(e, 0, sizeof(*e));
}

static void down_clear(rc_down *e)
{
	free(e->origin);
	free(e->why);
	memset(e, 0, sizeof(*e));
}

void es_rev_cache_free(es_rev_cache *c)
{
	size_t i;
	int last;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	last = --c->refs == 0;
	pthread_mutex_unlock(&c->lock);
	if (!last)
		return;
	for (i = 0; i < c->ocsp_end; i++)
		ocsp_clear(c, &c->ocsp[i]);
	for (i = 0; i < ES_RC_MAX_CRL; i++)
		crl_clear(c, &c->crl[i]);
	for (i = 0; i < ES_RC_MAX_DOWN; i++)
		down_clear(&c->down[i]);
	pthread_mutex_destroy(&c->fetch);
	pthread_mutex_destroy(&c->lock);
	free(c->ocsp);
	free(c);
}

int es_rev_fresh(time_t this_upd, time_t next_upd, time_t got, time_t t, time_t now)
{
	if (this_upd == 0 || this_upd > t + ES_REV_LEEWAY || this_upd > now + ES_REV_LEEWAY)
		return 0;
	if (next_upd == 0)
		return now >= got && now - got < ES_RC_NO_NEXT_UPDATE_SECS;
	return next_upd >= t - ES_REV_LEEWAY && next_upd >= now - ES_REV_LEEWAY;
}

/* Still of use at wall-clock now (for any validation time): an entry that is not is dead for every later lookup. */
static int alive(time_t this_upd, time_t next_upd, time_t got, time_t now)
{
	return es_rev_fresh(this_upd, next_upd, got, now, now);
}

OCSP_RESPONSE *es_rev_cache_get_ocsp(es_rev_cache *c, OCSP_CERTID *id, time_t t, time_t now)
{
	OCSP_RESPONSE *resp = NULL;
	const unsigned char *p;
	size_t i;

	if (c == NULL || id == NULL)
		return NULL;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->ocsp_end; i++) {
		rc_ocsp *e = &c->ocsp[i];

		if (e->id == NULL || OCSP_id_cmp(e->id, id) != 0)
			continue;
		if (es_rev_fresh(e->this_upd, e->next_upd, e->fetched, t, now)) {
			p = e->der;
			resp = d2i_OCSP_RESPONSE(NULL, &p, e->der_len);
		} else if (!alive(e->this_upd, e->next_upd, e->fetched, now)) {
			ocsp_clear(c, e);
		}
		break;
	}
	pthread_mutex_unlock(&c->lock);
	return resp;
}

/* Makes room for an entry of len bytes: the entries no longer alive go, then the oldest until the byte budget holds;
 * returns a free slot. */
static size_t ocsp_slot(es_rev_cache *c, size_t len, time_t now)
{
	size_t i;

	for (i = 0; i < c->ocsp_end; i++)
		if (c->ocsp[i].id != NULL && !alive(c->ocsp[i].this_upd, c->ocsp[i].next_upd, c->ocsp[i].fetched, now))
			ocsp_clear(c, &c->ocsp[i]);
	for (;;) {
		size_t slot = ES_RC_MAX_OCSP, oldest = ES_RC_MAX_OCSP;

		for (i = 0; i < c->ocsp_end; i++) {
			if (c->ocsp[i].id == NULL) {
				if (slot == ES_RC_MAX_OCSP)
					slot = i;
			} else if (oldest == ES_RC_MAX_OCSP || c->ocsp[i].fetched < c->ocsp[oldest].fetched) {
				oldest = i;
			}
		}
		if (slot == ES_RC_MAX_OCSP && c->ocsp_end < ES_RC_MAX_OCSP)
			slot = c->ocsp_end;
		/* len <= ES_RC_MAX_OCSP_ONE, far below the budget: an empty cache always has room. */
		if (oldest == ES_RC_MAX_OCSP || (slot != ES_RC_MAX_OCSP && c->ocsp_bytes + len <= ES_RC_MAX_OCSP_BYTES))
			return slot;
		ocsp_clear(c, &c->ocsp[oldest]);
	}
}

void es_rev_cache_put_ocsp(es_rev_cache *c, OCSP_CERTID *id, OCSP_RESPONSE *resp, time_t this_upd, time_t next_upd,
			   time_t now)
{
	unsigned char *der = NULL;
	OCSP_CERTID *dup = NULL;
	int len;
	size_t i, slot;

	if (c == NULL || id == NULL || resp == NULL)
		return;
	len = i2d_OCSP_RESPONSE(resp, &der);
	dup = OCSP_CERTID_dup(id);
	if (len <= 0 || (size_t)len > ES_RC_MAX_OCSP_ONE || dup == NULL) {
		OPENSSL_free(der);
		OCSP_CERTID_free(dup);
		return;
	}
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->ocsp_end; i++)
		if (c->ocsp[i].id != NULL && OCSP_id_cmp(c->ocsp[i].id, id) == 0)
			ocsp_clear(c, &c->ocsp[i]);
	slot = ocsp_slot(c, (size_t)len, now);
	c->ocsp[slot] = (rc_ocsp){dup, der, len, this_upd, next_upd, now};
	if (slot >= c->ocsp_end)
		c->ocsp_end = slot + 1;
	c->ocsp_bytes += (size_t)len;
	pthread_mutex_unlock(&c->lock);
}

X509_CRL *es_rev_cache_get_crl(es_rev_cache *c, const char *url, time_t t, time_t now)
{
	X509_CRL *crl = NULL;
	size_t i;

	if (c == NULL || url == NULL)
		return NULL;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < ES_RC_MAX_CRL; i++) {
		rc_crl *e = &c->crl[i];

		if (e->url == NULL || strcmp(e->url, url) != 0)
			continue;
		if (es_rev_fresh(e->this_upd, e->next_upd, e->fetched, t, now) && X509_CRL_up_ref(e->crl) == 1)
			crl = e->crl;
		else if (!alive(e->this_upd, e->next_upd, e->fetched, now))
			crl_clear(c, e);
		break;
	}
	pthread_mutex_unlock(&c->lock);
	return crl;
}

void es_rev_cache_put_crl(es_rev_cache *c, const char *url, X509_CRL *crl, size_t der_len, time_t now)
{
	char *u = NULL;
	size_t i, slot = ES_RC_MAX_CRL, oldest = 0;

	if (c == NULL || url == NULL || crl == NULL || der_len > ES_RC_MAX_CRL_BYTES || (u = strdup(url)) == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < ES_RC_MAX_CRL; i++)
		if (c->crl[i].url != NULL && (strcmp(c->crl[i].url, url) == 0 ||
					      !alive(c->crl[i].this_upd, c->crl[i].next_upd, c->crl[i].fetched, now)))
			crl_clear(c, &c->crl[i]);
	/* Room in bytes and slots: the oldest entries go first. */
	for (;;) {
		slot = ES_RC_MAX_CRL;
		oldest = ES_RC_MAX_CRL;
		for (i = 0; i < ES_RC_MAX_CRL; i++) {
			if (c->crl[i].url == NULL && slot == ES_RC_MAX_CRL)
				slot = i;
			else if (c->crl[i].url != NULL &&
				 (oldest == ES_RC_MAX_CRL || c->crl[i].fetched < c->crl[oldest].fetched))
				oldest = i;
		}
		if (slot != ES_RC_MAX_CRL && c->crl_bytes + der_len <= ES_RC_MAX_CRL_BYTES)
			break;
		if (oldest == ES_RC_MAX_CRL) { /* cannot happen (der_len fits an empty cache); never index past */
			pthread_mutex_unlock(&c->lock);
			free(u);
			return;
		}
		crl_clear(c, &c->crl[oldest]);
	}
	X509_CRL_up_ref(crl);
	c->crl[slot] = (rc_crl){u,
				crl,
				der_len,
				es_asn1_time_t(X509_CRL_get0_lastUpdate(crl)),
				es_asn1_time_t(X509_CRL_get0_nextUpdate(crl)),
				now};
	c->crl_bytes += der_len;
	pthread_mutex_unlock(&c->lock);
}

/* "http://host:port" of url: a responder that does not answer is down for every path it serves. */
static size_t origin_len(const char *url)
{
	const char *s = strstr(url, "://");
	const char *end;

	if (s == NULL)
		return strlen(url);
	end = strpbrk(s + 3, "/?#");
	return end != NULL ? (size_t)(end - url) : strlen(url);
}

int es_rev_cache_is_down(es_rev_cache *c, const char *url, time_t now, char *why, size_t why_len)
{
	size_t i, n;
	int down = 0;

	if (c == NULL || url == NULL)
		return 0;
	n = origin_len(url);
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < ES_RC_MAX_DOWN; i++) {
		rc_down *e = &c->down[i];

		if (e->origin == NULL || strlen(e->origin) != n || strncmp(e->origin, url, n) != 0)
			continue;
		if (now >= e->failed && now - e->failed < ES_RC_DOWN_SECS) {
			down = 1;
			snprintf(why, why_len, "%s (not asked again: it failed %lds ago)", e->why,
				 (long)(now - e->failed));
		} else {
			down_clear(e);
		}
		break;
	}
	pthread_mutex_unlock(&c->lock);
	return down;
}

void es_rev_cache_set_down(es_rev_cache *c, const char *url, const char *why, time_t now)
{
	char *origin = NULL, *w = NULL;
	size_t i, slot = ES_RC_MAX_DOWN, n;

	if (c == NULL || url == NULL)
		return;
	n = origin_len(url);
	origin = strndup(url, n);
	w = strdup(why != NULL ? why : "no answer");
	if (origin == NULL || w == NULL) {
		free(origin);
		free(w);
		return;
	}
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < ES_RC_MAX_DOWN; i++) {
		if (c->down[i].origin != NULL && strcmp(c->down[i].origin, origin) == 0) {
			slot = i;
			break;
		}
		if (slot == ES_RC_MAX_DOWN && (c->down[i].origin == NULL || now < c->down[i].failed ||
					       now - c->down[i].failed >= ES_RC_DOWN_SECS))
			slot = i;
	}
	if (slot == ES_RC_MAX_DOWN) /* all recent: the first goes (a run rarely meets 64 dead responders) */
		slot = 0;
	down_clear(&c->down[slot]);
	c->down[slot] = (rc_down){origin, w, now};
	pthread_mutex_unlock(&c->lock);
}
