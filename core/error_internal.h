/* core/error_internal.h: how library code fills an eseal_error.
 * es_error_set formats the message; es_error_set_ossl appends the reason at the top of OpenSSL's error queue. */
#ifndef ES_ERROR_INTERNAL_H
#define ES_ERROR_INTERNAL_H

#include "eseal/error.h"

#if defined(__GNUC__)
#define ES_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ES_PRINTF(a, b)
/* Formats a warning and hands it to warn (nothing when warn is NULL). */
void es_warn(eseal_warn_fn warn, void *ctx, const char *fmt, ...) ES_PRINTF(3, 4);

#endif

/* Sets err (if not NULL) and returns status, so callers can write `return es_error_set(err, ...)`.
 * An error already set is not overwritten: the first, most specific reason wins. */
eseal_status es_error_set(eseal_error *err, eseal_status status, const char *fmt, ...) ES_PRINTF(3, 4);

/* es_error_set for a failure a front end can advise on (eseal_reason): the message says it in the library's terms. */
eseal_status es_error_because(eseal_error *err, eseal_status status, eseal_reason reason, const char *fmt, ...)
	ES_PRINTF(4, 5);

/* Same, then appends ": <openssl reason>" and clears OpenSSL's thread-local error queue. */
eseal_status es_error_set_ossl(eseal_error *err, eseal_status status, const char *fmt, ...) ES_PRINTF(3, 4);

/* Replaces an already-set message with "<prefix>: <old message>" keeping the status (e.g. to name the file). */
void es_error_prefix(eseal_error *err, const char *fmt, ...) ES_PRINTF(2, 3);

/* Formats a warning and hands it to warn (nothing when warn is NULL). */
void es_warn(eseal_warn_fn warn, void *ctx, const char *fmt, ...) ES_PRINTF(3, 4);

#endif
