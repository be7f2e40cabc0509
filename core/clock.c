/* core/clock.c: es_now_ms (see clock_internal.h).
 * Kept apart so every timing in the library reads the same clock. */
#include "clock_internal.h"

#include <time.h>

double es_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}
