/* core/clock.c: es_now_ms and es_asn1_time_t (see clock_internal.h).
 * Kept apart so every timing in the library reads the same clock and every ASN.1 time is read the same way. */
#include "clock_internal.h"

#include <openssl/asn1.h>

double es_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

time_t es_asn1_time_t(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}
