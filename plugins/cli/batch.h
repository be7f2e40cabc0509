/* plugins/cli/batch.h: `eseal seal --out-dir`: the command line side of eseal/batch.h.
 * Options, the --from list, JSON lines, progress, signals and the exit status; the library does the sealing. */
#ifndef ES_CLI_BATCH_H
#define ES_CLI_BATCH_H

#include <stdio.h>
#include <time.h>

#include "eseal/eseal.h"

typedef struct es_batch_options {
	int jobs;            /* 0 = the number of online cores */
	const char *out_dir;
	const char *from;    /* file of input paths, "-" = stdin */
	const char *suffix;
	int tsa_inflight;    /* B-T: documents in progress at once; 0 = 4 x threads */
	int json;
	int skip_existing;   /* a document whose output exists is reported skipped, not sealed again */
	const char *renew_before; /* extend: --renew-before as given, for the lines of current documents; NULL */
} es_batch_options;

/* Takes jobs/out-dir/from/suffix/skip-existing; returns -1 (after printing why) on a bad value, 1 if not a batch
 * option. */
int es_batch_take_option(es_batch_options *bo, const char *name, const char *value);
int es_batch_run(eseal_sealer *sealer, const eseal_seal_options *so, const es_batch_options *bo,
		 const char *const *inputs, size_t n_inputs);
/* The batch could not start (profile, key, PIN, token, TSA set-up): the reason on stderr and, with --json, a failed
 * line for every input, so that each document is accounted for. Returns the exit code for why. */
int es_batch_fail_all(const es_batch_options *bo, const char *const *args, size_t n_args, const eseal_error *why);
double es_batch_now_ms(void);
/* One document's JSON line (eseal_doc_report_write_json) from its parts; status is taken as failed when err is
 * not ESEAL_OK; renew_by only for a current one. format ESEAL_FORMAT_AUTO: not determined (null). */
void es_batch_print_json_line(FILE *out, const char *input, const char *output, eseal_format format,
			      const char *level, const eseal_error *err, eseal_doc_status status, time_t renew_by,
			      double ms);
/* The text line of a document left alone by extend --renew-before: "FILE: current until DATE (not renewed:
 * --renew-before TEXT)". */
void es_batch_print_current(FILE *out, const char *input, time_t renew_by, const char *renew_before);

#endif
