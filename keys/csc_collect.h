/* keys/csc_collect.h: gathers signatures asked for by several threads at once into one remote call, so a batch of
 * documents sealed with a remote key costs one round trip per group of documents instead of one per document. */
#ifndef ES_CSC_COLLECT_H
#define ES_CSC_COLLECT_H

#include "eseal/error.h"

#include <stddef.h>

/* One signature asked for: the digest in, the service's answer (malloc'd text, the caller frees it) or the error
 * of the call that carried it out. */
typedef struct es_collect_item {
	const unsigned char *digest;
	size_t digest_len;
	char *answer;
	eseal_error err;
	int done; /* under the collector's lock */
} es_collect_item;

/* Sends items[0..n) (all of the same kind: the digest algorithm) in one call: fills each item's answer, or its
 * err; returns ESEAL_OK or the status set in the items. Called without the collector's lock held. */
typedef int (*es_collect_send)(void *ctx, int kind, es_collect_item *const *items, size_t n);

typedef struct es_collector es_collector;

/* max: most items per call (1: every item is sent alone, at once); window_us: longest time the first item of a
 * group waits for others. */
int es_collector_new(es_collector **out, size_t max, long window_us, eseal_error *err);
void es_collector_free(es_collector *c);

/* Has item signed, alone or with items other threads ask for meanwhile, and returns its status. The first item of
 * a group waits at most window_us, and not at all when no other thread is signing; the others wait for the call
 * that carries them (bounded by its own time-out). */
int es_collector_sign(es_collector *c, int kind, es_collect_item *item, es_collect_send send, void *ctx);

#endif
