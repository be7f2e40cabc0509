/* pki/renew.c: when a long-term seal needs renewing: the file's renew_by from its verification report, and the
 * extender's choice between extending now and leaving a file whose time-stamps still prove long enough. */
#include "renew.h"

#include "verifier.h"
#include "eseal/extend.h"
#include "core/error_internal.h"

#include <string.h>

time_t es_report_renew_by(const eseal_report *r)
{
	time_t newest = 0, pades = 0, by = 0, t;
	size_t i;

	/* In a PDF a document time-stamp covers every revision before it: the newest one speaks for every seal; of two
	 * in the same second, the one that proves longer, whichever seal comes first (as the verifier judges them). */
	for (i = 0; i < r->n_seals; i++)
		if (strcmp(r->seals[i].format, "PAdES") == 0 && r->seals[i].newest_timestamp_time != 0 &&
		    (r->seals[i].newest_timestamp_time > newest ||
		     (r->seals[i].newest_timestamp_time == newest && r->seals[i].renew_by > pades))) {
			newest = r->seals[i].newest_timestamp_time;
			pades = r->seals[i].renew_by;
		}
	for (i = 0; i < r->n_seals; i++) {
		t = newest != 0 && strcmp(r->seals[i].format, "PAdES") == 0 ? pades : r->seals[i].renew_by;
		if (t == 0)
			return 0;
		if (by == 0 || t < by)
			by = t;
	}
	return by;
}

int es_extend_is_current(const eseal_extend_options *o, const eseal_report *r, eseal_extend_result *result)
{
	time_t by = es_report_renew_by(r), now = es_verifier_time(o->verifier);
	int current = o->renew_before > 0 && by != 0 && (long long)by - (long long)now > o->renew_before;

	if (result != NULL) {
		result->renew_by = by;
		result->current = current;
	}
	return current;
}
