/* plugins/cli/batch.c: `eseal seal --out-dir`: the batch's options, input list, JSON lines, progress line, signals
 * and exit status. Sealing many documents is the library's (eseal/batch.h). */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"

/* Set from the signal handler; the library's workers read it between documents (eseal_batch_options.cancelled).
 * The only process-global state here. A lock-free atomic: safe in a handler and between threads alike. */
static atomic_int es_batch_signal;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the signal flag must be a lock-free atomic");

/* eseal_batch_options.cancelled: the signal handler's flag, read by the batch's workers. */
static int signalled(void *ctx)
{
	(void)ctx;
	return atomic_load(&es_batch_signal) != 0;
}

static void on_signal(int sig)
{
	int saved = errno;

	atomic_store(&es_batch_signal, sig);
	errno = saved;
}

double es_batch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void es_batch_print_json_line(FILE *out, const char *input, const char *output, eseal_format format,
			      const char *level, const eseal_error *err, eseal_doc_status status, time_t renew_by,
			      double ms)
{
	eseal_doc_report r;

	memset(&r, 0, sizeof(r));
	r.input = input;
	r.output = output;
	r.format = format;
	r.status = err->status != ESEAL_OK ? ESEAL_DOC_FAILED : status;
	r.renew_by = renew_by;
	r.err = err;
	r.ms = ms;
	eseal_doc_report_write_json(&r, level, out);
}

void es_batch_print_current(FILE *out, const char *input, time_t renew_by, const char *renew_before)
{
	char date[64] = "?";
	struct tm tm;

	if (gmtime_r(&renew_by, &tm) != NULL)
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(out, "%s: current until %s (not renewed: --renew-before %s)\n", input, date,
		renew_before != NULL ? renew_before : "?");
	fflush(out);
}

/* A thread count of --jobs or --tsa-inflight: 1 to 256 (the library's cap), or a usage error naming the option. */
static int parse_count(const char *name, const char *value, int *out)
{
	char *end = NULL;
	long n;

	errno = 0;
	n = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || n < 1 || n > 256) {
		es_cli_usage_error("seal", "--%s: '%s' is not a number from 1 to 256", name, value);
		return -1;
	}
	*out = (int)n;
	return 0;
}

int es_batch_take_option(es_batch_options *bo, const char *name, const char *value)
{
	if (strcmp(name, "jobs") == 0) {
		if (parse_count(name, value, &bo->jobs) != 0)
			return -1;
	} else if (strcmp(name, "tsa-inflight") == 0) {
		if (parse_count(name, value, &bo->tsa_inflight) != 0)
			return -1;
	} else if (strcmp(name, "skip-existing") == 0) {
		bo->skip_existing = 1;
	} else if (strcmp(name, "out-dir") == 0) {
		bo->out_dir = value;
	} else if (strcmp(name, "from") == 0) {
		bo->from = value;
	} else if (strcmp(name, "suffix") == 0) {
		if (strchr(value, '/') != NULL) {
			es_cli_usage_error("seal", "--suffix must not contain '/'");
			return -1;
		}
		bo->suffix = value;
	} else {
		return 1;
	}
	return 0;
}

/* What the report callback needs to print a document's line. */
struct batch_view {
	const es_batch_options *bo;
	const char *level;
	double t0;
	int progress;
};

static void print_progress(const struct batch_view *v, const eseal_doc_report *r)
{
	double elapsed = (es_batch_now_ms() - v->t0) / 1000.0;
	double rate = elapsed > 0 ? (double)r->done / elapsed : 0;
	double eta = rate > 0 ? (double)(r->total - r->done) / rate : 0;

	fprintf(stderr, "\r%zu/%zu sealed or failed, %.1f docs/s, ETA %.0f s   ", r->done, r->total, rate, eta);
	fflush(stderr);
}

/* eseal_doc_report_fn: one JSON line per document (or an error line), then the progress line. */
static void on_report(void *ctx, const eseal_doc_report *r)
{
	const struct batch_view *v = ctx;

	if (v->bo->json)
		eseal_doc_report_write_json(r, v->level, stdout);
	else if (r->status == ESEAL_DOC_FAILED)
		es_cli_print_error(v->progress ? "\neseal: " : "eseal: ", r->err);
	else if (r->status == ESEAL_DOC_CURRENT)
		es_batch_print_current(stdout, r->input, r->renew_by, v->bo->renew_before);
	if (v->progress)
		print_progress(v, r);
}

/* The command line's inputs, then those of --from; the list owns its strings. */
static int collect_inputs(const es_batch_options *bo, const char *const *args, size_t n_args, char ***out,
			  size_t *n_out, eseal_error *err)
{
	char **listed = NULL, **all = NULL;
	size_t n_listed = 0, i;

	*out = NULL;
	*n_out = 0;
	if (bo->from != NULL && eseal_batch_read_list(bo->from, &listed, &n_listed, err) != ESEAL_OK)
		return -1;
	if ((all = calloc(n_args + n_listed + 1, sizeof(*all))) == NULL)
		goto oom;
	for (i = 0; i < n_args; i++)
		if ((all[i] = strdup(args[i])) == NULL)
			goto oom;
	for (i = 0; i < n_listed; i++)
		all[n_args + i] = listed[i]; /* ownership moves */
	free(listed);
	*out = all;
	*n_out = n_args + n_listed;
	return 0;
oom:
	eseal_batch_list_free(all, n_args);
	eseal_batch_list_free(listed, n_listed);
	err->status = ESEAL_E_INTERNAL;
	snprintf(err->message, sizeof(err->message), "out of memory");
	return -1;
}

int es_batch_fail_all(const es_batch_options *bo, const char *const *args, size_t n_args, const eseal_error *why)
{
	eseal_error err, each;
	char **inputs = NULL;
	size_t n = 0, i;

	eseal_error_clear(&err);
	es_cli_print_error("eseal: ", why);
	if (bo->json && collect_inputs(bo, args, n_args, &inputs, &n, &err) == 0) {
		for (i = 0; i < n; i++) {
			eseal_error_clear(&each);
			each.status = why->status;
			snprintf(each.message, sizeof(each.message), "%s: not sealed: %s", inputs[i], why->message);
			es_batch_print_json_line(stdout, inputs[i], NULL, ESEAL_FORMAT_AUTO, NULL, &each, ESEAL_DOC_FAILED, 0, 0);
		}
		eseal_batch_list_free(inputs, n);
	} else if (bo->json) {
		fprintf(stderr, "eseal: %s\n", err.message);
	}
	return eseal_status_exit_code(why->status);
}

int es_batch_run(eseal_sealer *sealer, const eseal_seal_options *so, const es_batch_options *bo,
		 const char *const *args, size_t n_args)
{
	struct batch_view view;
	eseal_batch_options o = ESEAL_BATCH_OPTIONS_INIT;
	eseal_batch_summary sum;
	struct sigaction sa, old_int, old_term;
	eseal_error err;
	char **inputs = NULL;
	size_t n = 0;
	int rc = 0, ran;

	eseal_error_clear(&err);
	if (collect_inputs(bo, args, n_args, &inputs, &n, &err) != 0)
		return es_cli_fail(&err);
	memset(&view, 0, sizeof(view));
	view.bo = bo;
	view.level = eseal_level_name(eseal_sealer_profile(sealer)->level);
	view.progress = isatty(STDERR_FILENO);
	o.jobs = bo->jobs;
	o.tsa_inflight = bo->tsa_inflight;
	o.out_dir = bo->out_dir;
	o.suffix = bo->suffix;
	o.skip_existing = bo->skip_existing;
	o.report = on_report;
	o.report_ctx = &view;
	o.cancelled = signalled;

	/* First SIGINT/SIGTERM: finish the documents in progress, start no more. A second one kills at once,
	 * which is still safe: outputs only get a name once complete (eseal/output.h). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	view.t0 = es_batch_now_ms();
	ran = eseal_batch_run(sealer, so, &o, (const char *const *)inputs, n, &sum, &err);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (view.progress)
		fputc('\n', stderr);

	if (ran != ESEAL_OK)
		es_cli_print_error("eseal: ", &err);
	if (sum.skipped > 0 && !bo->json)
		fprintf(stderr, "eseal: %zu documents skipped: their outputs exist (--skip-existing)\n", sum.skipped);
	if (sum.stop.status != ESEAL_OK && !bo->json)
		es_cli_print_error("eseal: batch stopped: ", &sum.stop);
	if (atomic_load(&es_batch_signal) != 0) {
		fprintf(stderr, "eseal: interrupted: %zu of %zu documents sealed\n", sum.sealed, n);
		rc = 128 + atomic_load(&es_batch_signal);
	} else if (sum.stop.status != ESEAL_OK) {
		rc = eseal_status_exit_code(sum.stop.status);
	} else if (sum.first_failure != ESEAL_OK) {
		rc = eseal_status_exit_code(sum.first_failure);
	} else if (ran != ESEAL_OK) {
		rc = eseal_status_exit_code(ran);
	}
	/* For logs (cron, systemd, CI): one line to grep for. A terminal has had the progress line instead. */
	if (!view.progress) {
		fprintf(stderr, "eseal: batch done: %zu sealed, %zu failed, %zu skipped", sum.sealed, sum.failed,
			sum.skipped);
		if (sum.current > 0)
			fprintf(stderr, ", %zu current", sum.current);
		fprintf(stderr, " in %.1f s\n", (es_batch_now_ms() - view.t0) / 1000.0);
	}
	eseal_batch_list_free(inputs, n);
	return rc;
}
