/* pki/renew.h: when a file's seals must be extended: the renew_by of a verified file, and whether an extender
 * has anything to do. */
#ifndef ES_PKI_RENEW_H
#define ES_PKI_RENEW_H

#include "eseal/verify.h"

#include <time.h>

/* The file's renew_by: the earliest over its seals of the time their newest time-stamp stops proving
 * anything (in a PDF the newest document time-stamp speaks for every seal); 0 when a seal has no time-stamp. */
time_t es_report_renew_by(const eseal_report *r);
/* For an extender, after verifying the file into r: fills result (may be NULL) and returns 1 when o->renew_before
 * is set and the file's renew_by is later than the verifier's time plus renew_before (nothing to do), else 0. */
struct eseal_extend_options;
struct eseal_extend_result;
int es_extend_is_current(const struct eseal_extend_options *o, const eseal_report *r,
			 struct eseal_extend_result *result);

#endif
