/* pki/report.h: building the verification report every verifier fills: seals, reasons (the indication only
 * gets worse), chains, proofs of existence. */
#ifndef ES_PKI_REPORT_H
#define ES_PKI_REPORT_H

#include "eseal/verify.h"
#include "core/error_internal.h"

#include <openssl/x509.h>
#include <time.h>

eseal_report *es_report_new(const char *file);
eseal_seal_report *es_report_add_seal(eseal_report *r, const char *format, const char *type);
void es_report_file_error(eseal_report *r, const char *fmt, ...) ES_PRINTF(2, 3);
/* Records a reason; the indication only ever gets worse, the sub-indication of the first worst reason is kept. */
void es_seal_fail(eseal_seal_report *s, eseal_indication ind, eseal_sub_indication sub, const char *fmt, ...)
	ES_PRINTF(4, 5);
void es_seal_warn(eseal_seal_report *s, const char *fmt, ...) ES_PRINTF(2, 3);
/* A detached data file the seal covers (its name relative to the data directory); a name no seal covers. */
void es_seal_add_file(eseal_seal_report *s, const char *name);
void es_report_add_not_covered(eseal_report *r, const char *name);
void es_seal_set_str(char **field, const char *value);
/* A valid time-stamp of genTime gen that proves its time until proves_until (0 = no end known) covers s: updates its
 * proofs of existence (best_signature_time, newest_timestamp_time, renew_by). */
void es_seal_note_timestamp(eseal_seal_report *s, time_t gen, time_t proves_until);
char *es_strdup_printf(const char *fmt, ...) ES_PRINTF(1, 2);
/* t as 2026-01-31T12:00:00Z (UTC) in buf, returned for use in messages. */
const char *es_fmt_time(time_t t, char *buf, size_t len);
/* Records chain (cert..anchor) in s->chain (replacing what was there). */
void es_seal_set_chain(eseal_seal_report *s, STACK_OF(X509) * chain);

#endif
