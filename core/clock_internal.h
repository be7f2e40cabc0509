/* core/clock_internal.h: the library's one clock for durations and deadlines (batch timings, commit rounds), and its
 * one conversion of an ASN.1 time (certificates, CRLs, OCSP, time-stamps) to time_t. */
#ifndef ES_CLOCK_INTERNAL_H
#define ES_CLOCK_INTERNAL_H

#include <openssl/types.h>
#include <time.h>

/* Milliseconds on CLOCK_MONOTONIC (pthread condition deadlines must use the same clock). */
double es_now_ms(void);

/* t (UTCTime or GeneralizedTime) as seconds since the epoch, UTC; 0 when t is NULL or unreadable (callers treat 0
 * as "absent", which is how an optional nextUpdate or revocation time arrives). */
time_t es_asn1_time_t(const ASN1_TIME *t);

#endif
