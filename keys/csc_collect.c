/* keys/csc_collect.c: the signature collector of remote keys: the first thread to ask opens a group, others join it
 * for a few milliseconds at most, and the first one sends the group in one call and hands each its answer. */
#include "csc_collect.h"

#include "core/error_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct group {
	int kind;
	es_collect_item **items;
	size_t n;
};

struct es_collector {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* a group grew, was answered, or a signer left */
	size_t max;
	long window_us;
	struct group *open; /* the group still taking items (on its first thread's stack), or NULL */
	size_t active;      /* threads inside es_collector_sign */
};

int es_collector_new(es_collector **out, size_t max, long window_us, eseal_error *err)
{
	es_collector *c = calloc(1, sizeof(*c));
	pthread_condattr_t attr;
	int ok;

	*out = NULL;
	if (c == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	ok = pthread_condattr_init(&attr) == 0;
	/* The wait is measured on the monotonic clock: a clock step must not stretch it. */
	ok = ok && pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 && pthread_cond_init(&c->cond, &attr) == 0;
	pthread_condattr_destroy(&attr);
	if (!ok || pthread_mutex_init(&c->lock, NULL) != 0) {
		if (ok)
			pthread_cond_destroy(&c->cond);
		free(c);
		return es_error_set(err, ESEAL_E_INTERNAL, "cannot set up the signature collector");
	}
	c->max = max < 1 ? 1 : max;
	c->window_us = window_us;
	*out = c;
	return ESEAL_OK;
}

void es_collector_free(es_collector *c)
{
	if (c == NULL)
		return;
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static void deadline_in(struct timespec *t, long us)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_nsec += (us % 1000000) * 1000;
	t->tv_sec += us / 1000000 + t->tv_nsec / 1000000000;
	t->tv_nsec %= 1000000000;
}

/* The first item of a group: wait while others may still join (the group is not full, some thread that is signing
 * is not in it yet, the window is open), then close the group and send it. */
static void lead(es_collector *c, struct group *g, es_collect_send send, void *ctx)
{
	struct timespec deadline;
	size_t i;

	deadline_in(&deadline, c->window_us);
	c->open = g;
	while (g->n < c->max && g->n < c->active)
		if (pthread_cond_timedwait(&c->cond, &c->lock, &deadline) == ETIMEDOUT)
			break;
	c->open = NULL;
	pthread_mutex_unlock(&c->lock);
	send(ctx, g->kind, g->items, g->n);
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < g->n; i++)
		g->items[i]->done = 1;
	pthread_cond_broadcast(&c->cond);
}

int es_collector_sign(es_collector *c, int kind, es_collect_item *item, es_collect_send send, void *ctx)
{
	struct group g = {kind, NULL, 1};

	item->answer = NULL;
	item->done = 0;
	eseal_error_clear(&item->err);
	if (c->max == 1) {
		send(ctx, kind, &item, 1);
		return item->err.status;
	}
	pthread_mutex_lock(&c->lock);
	c->active++;
	if (c->open != NULL && c->open->kind == kind && c->open->n < c->max) {
		c->open->items[c->open->n++] = item;
		pthread_cond_broadcast(&c->cond); /* the group's first thread re-counts */
		while (!item->done)
			pthread_cond_wait(&c->cond, &c->lock);
	} else if (c->open == NULL && (g.items = malloc(c->max * sizeof(*g.items))) != NULL) {
		g.items[0] = item;
		lead(c, &g, send, ctx);
		free(g.items);
	} else {
		/* A group of another digest is collecting, or it is full: this one goes alone, without waiting. */
		pthread_mutex_unlock(&c->lock);
		send(ctx, kind, &item, 1);
		pthread_mutex_lock(&c->lock);
	}
	c->active--;
	pthread_cond_broadcast(&c->cond); /* a group waiting for this thread need not wait any more */
	pthread_mutex_unlock(&c->lock);
	return item->err.status;
}
