/* plugins/server/ready.c: what GET /readyz answers: every profile's key can sign now (its PKCS#11 login session still
 * answers and is logged in), asked at most once per READY_TTL seconds however often load balancers poll. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "server.h"

#define READY_TTL 2

static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static time_t checked_at; /* monotonic seconds; 0: never */
static eseal_error last;

static time_t mono_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

int srv_ready(const srv_state *st, eseal_error *err)
{
	time_t now = mono_seconds();
	size_t i;

	pthread_mutex_lock(&ready_lock);
	if (checked_at == 0 || now - checked_at >= READY_TTL) {
		eseal_error_clear(&last);
		for (i = 0; i < st->n_sealers && last.status == ESEAL_OK; i++)
			eseal_signer_check(eseal_sealer_signer(st->sealers[i].sealer), &last);
		checked_at = now;
	}
	*err = last;
	pthread_mutex_unlock(&ready_lock);
	return err->status;
}
