/* core/error.c: the library's single error mechanism.
 * Messages are plain one-liners; OpenSSL's queue is drained into them so no stale error leaks into a later call. */
#include "error_internal.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eseal_error_clear(eseal_error *err)
{
	if (err == NULL)
		return;
	err->status = ESEAL_OK;
	err->reason = ESEAL_REASON_NONE;
	err->message[0] = '\0';
}

/* Byte strings come from OPENSSL_malloc (the signer, CMS and TSA layers allocate them with OpenSSL), strings from
 * malloc: one function each, so a caller never has to know which. */
void eseal_bytes_free(unsigned char *bytes)
{
	OPENSSL_free(bytes);
}

void eseal_string_free(char *s)
{
	free(s);
}

const char *eseal_status_name(eseal_status status)
{
	switch (status) {
	case ESEAL_OK: return "ok";
	case ESEAL_E_USAGE: return "usage";
	case ESEAL_E_INPUT: return "input";
	case ESEAL_E_IO: return "io";
	case ESEAL_E_CONFIG: return "config";
	case ESEAL_E_PIN: return "pin";
	case ESEAL_E_HSM: return "hsm";
	case ESEAL_E_TSA: return "tsa";
	case ESEAL_E_CRYPTO: return "crypto";
	case ESEAL_E_INTERNAL: return "internal";
	case ESEAL_E_CANCELLED: return "cancelled";
	case ESEAL_E_REMOTE: return "remote";
	}
	return "internal";
}

/* sysexits.h values: stable, documented, and already understood by mail/batch tooling. */
int eseal_status_exit_code(eseal_status status)
{
	switch (status) {
	case ESEAL_OK: return 0;
	case ESEAL_E_USAGE: return 64;     /* EX_USAGE */
	case ESEAL_E_INPUT: return 65;     /* EX_DATAERR */
	case ESEAL_E_IO: return 74;        /* EX_IOERR */
	case ESEAL_E_CONFIG: return 78;    /* EX_CONFIG */
	case ESEAL_E_PIN: return 77;       /* EX_NOPERM */
	case ESEAL_E_HSM: return 75;       /* EX_TEMPFAIL */
	case ESEAL_E_TSA: return 69;       /* EX_UNAVAILABLE */
	case ESEAL_E_CRYPTO: return 70;    /* EX_SOFTWARE */
	case ESEAL_E_INTERNAL: return 70;  /* EX_SOFTWARE */
	case ESEAL_E_CANCELLED: return 75; /* EX_TEMPFAIL: nothing is wrong with the document */
	case ESEAL_E_REMOTE: return 69;    /* EX_UNAVAILABLE */
	}
	return 70;
}

int eseal_status_is_transient(eseal_status status)
{
	return status == ESEAL_E_HSM || status == ESEAL_E_TSA || status == ESEAL_E_CANCELLED ||
	       status == ESEAL_E_REMOTE;
}

static void set_va(eseal_error *err, eseal_status status, const char *fmt, va_list ap)
{
	err->status = status;
	err->reason = ESEAL_REASON_NONE;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

/* The first, most specific failure wins: an error already set is kept. */
static eseal_status set_first(eseal_error *err, eseal_status status, eseal_reason reason, const char *fmt, va_list ap)
{
	if (err == NULL || err->status != ESEAL_OK)
		return err != NULL ? err->status : status;
	set_va(err, status, fmt, ap);
	err->reason = reason;
	return status;
}

eseal_status es_error_set(eseal_error *err, eseal_status status, const char *fmt, ...)
{
	va_list ap;
	eseal_status rc;

	va_start(ap, fmt);
	rc = set_first(err, status, ESEAL_REASON_NONE, fmt, ap);
	va_end(ap);
	return rc;
}

eseal_status es_error_because(eseal_error *err, eseal_status status, eseal_reason reason, const char *fmt, ...)
{
	va_list ap;
	eseal_status rc;

	va_start(ap, fmt);
	rc = set_first(err, status, reason, fmt, ap);
	va_end(ap);
	return rc;
}

eseal_status es_error_set_ossl(eseal_error *err, eseal_status status, const char *fmt, ...)
{
	va_list ap;
	unsigned long code = ERR_peek_last_error();
	char reason[256];
	size_t used;

	if (err == NULL || err->status != ESEAL_OK) {
		ERR_clear_error();
		return err != NULL ? err->status : status;
	}
	va_start(ap, fmt);
	set_va(err, status, fmt, ap);
	va_end(ap);
	if (code != 0) {
		ERR_error_string_n(code, reason, sizeof(reason));
		used = strlen(err->message);
		snprintf(err->message + used, sizeof(err->message) - used, " (%s)", reason);
	}
	ERR_clear_error();
	return status;
}

void es_error_prefix(eseal_error *err, const char *fmt, ...)
{
	char prefix[512];
	char old[ESEAL_ERROR_MESSAGE_MAX];
	va_list ap;

	if (err == NULL || err->status == ESEAL_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->message, sizeof(old));
	snprintf(err->message, sizeof(err->message), "%s: %s", prefix, old);
}

void es_warn(eseal_warn_fn warn, void *ctx, const char *fmt, ...)
{
	char msg[ESEAL_ERROR_MESSAGE_MAX];
	va_list ap;

	if (warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warn(ctx, msg);
}
