/* core/clock_internal.h: the library's one clock for durations and deadlines (batch timings, commit rounds).
 * Monotonic: a wall-clock step never makes a document take negative time or a round wait forever. */
#ifndef ES_CLOCK_INTERNAL_H
#define ES_CLOCK_INTERNAL_H

/* Milliseconds on CLOCK_MONOTONIC (pthread condition deadlines must use the same clock). */
double es_now_ms(void);

#endif
