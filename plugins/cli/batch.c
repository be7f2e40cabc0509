/* plugins/cli/batch.c: bulk sealing: a shared queue of inputs, N threads on one sealer, a JSON line per document.
 * A failure that would fail every document (PIN, token, TSA, key/cert) stops the batch; others are per document. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"

struct job {
	char *input;
	char *output;
	eseal_format format;
	eseal_error err;
	double t0, ms;
	int done;
	int skipped;   /* --skip-existing: the output was there already */
};

struct batch {
	eseal_sealer *sealer;
	const eseal_seal_options *so;
	eseal_seal_options so_copy;  /* the caller's options plus the batch's commit group */
	eseal_output_group *group;
	const es_batch_options *bo;
	struct job *jobs;
	size_t n;
	atomic_size_t next;
	atomic_size_t finished;
	atomic_int stop;           /* a batch-wide failure or a signal: take no new documents */
	eseal_error stop_reason;   /* written once, by whoever set stop first (under lock) */
	pthread_mutex_t lock;      /* stdout/stderr lines and stop_reason */
	double t0;
	int progress;
	const char *level;
};

/* Set from the signal handler; read by workers between documents. The only process-global state here. */
static volatile sig_atomic_t es_batch_signal;

static void on_signal(int sig)
{
	es_batch_signal = sig;
}

double es_batch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void es_json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

void es_batch_print_json_line(FILE *out, const char *input, const char *output, const char *format,
			      const char *level, const eseal_error *err, int skipped, double ms)
{
	int ok = err->status == ESEAL_OK;

	fputs("{\"input\":", out);
	es_json_string(out, input);
	fputs(",\"output\":", out);
	es_json_string(out, ok ? output : NULL);
	fprintf(out, ",\"status\":\"%s\",\"format\":", !ok ? "failed" : skipped ? "skipped" : "sealed");
	es_json_string(out, format);
	fputs(",\"level\":", out);
	es_json_string(out, ok ? level : NULL);
	fputs(",\"error\":", out);
	es_json_string(out, ok ? NULL : err->message);
	fputs(",\"error_class\":", out);
	es_json_string(out, ok ? NULL : eseal_status_name(err->status));
	fprintf(out, ",\"ms\":%.1f}\n", ms);
	fflush(out);
}

int es_batch_take_option(es_batch_options *bo, const char *name, const char *value)
{
	char *end = NULL;
	long n;

	if (strcmp(name, "jobs") == 0) {
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno != 0 || *end != '\0' || n < 1 || n > 256) {
			es_cli_usage_error("seal", "--jobs: '%s' is not a number from 1 to 256", value);
			return -1;
		}
		bo->jobs = (int)n;
	} else if (strcmp(name, "tsa-inflight") == 0) {
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno != 0 || *end != '\0' || n < 1 || n > 256) {
			es_cli_usage_error("seal", "--tsa-inflight: '%s' is not a number from 1 to 256", value);
			return -1;
		}
		bo->tsa_inflight = (int)n;
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

/* Fatal for the whole batch: the next document would fail the same way. */
static int is_batch_fatal(eseal_status st)
{
	return st == ESEAL_E_PIN || st == ESEAL_E_HSM || st == ESEAL_E_TSA || st == ESEAL_E_CONFIG ||
	       st == ESEAL_E_INTERNAL;
}

/* Relative inputs keep their directories under --out-dir (without ".." escapes); absolute ones keep their name. */
static char *output_name(const char *out_dir, const char *input, eseal_format format, const char *suffix)
{
	const char *rel = input, *slash, *dot;
	char *res = NULL;
	size_t need;

	if (input[0] == '/' || strstr(input, "..") != NULL)
		rel = (slash = strrchr(input, '/')) != NULL ? slash + 1 : input;
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	slash = strrchr(rel, '/');
	dot = strrchr(slash != NULL ? slash : rel, '.');
	if (dot == rel || (slash != NULL && dot == slash + 1))
		dot = NULL; /* a leading dot is a hidden file, not an extension */
	need = strlen(out_dir) + strlen(rel) + (suffix != NULL ? strlen(suffix) + 1 : 0) + 16;
	if ((res = malloc(need)) == NULL)
		return NULL;
	if (suffix != NULL && dot != NULL)
		snprintf(res, need, "%s/%.*s.%s%s", out_dir, (int)(dot - rel), rel, suffix, dot);
	else if (suffix != NULL)
		snprintf(res, need, "%s/%s.%s", out_dir, rel, suffix);
	else
		snprintf(res, need, "%s/%s", out_dir, rel);
	if (format == ESEAL_FORMAT_CADES)
		strcat(res, ".p7s");
	else if (format == ESEAL_FORMAT_XML_DETACHED)
		strcat(res, ".xades.xml");
	return res;
}

/* mkdir -p for the output's directory below out_dir (which exists), mode 0755: the tree under --out-dir is the
 * user's. Most outputs go straight into out_dir and need no system call here. */
static int make_parent_dirs(const char *out_dir, const char *path, eseal_error *err)
{
	size_t skip = strlen(out_dir);
	char buf[PATH_MAX];
	char *p;

	if (strlen(path) >= sizeof(buf)) {
		err->status = ESEAL_E_IO;
		snprintf(err->message, sizeof(err->message), "%s: path too long", path);
		return -1;
	}
	strcpy(buf, path);
	for (p = buf + skip + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
			err->status = ESEAL_E_IO;
			snprintf(err->message, sizeof(err->message), "%s: cannot create directory: %s", buf, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static void report_progress(struct batch *b)
{
	size_t done = atomic_load(&b->finished);
	double elapsed = (es_batch_now_ms() - b->t0) / 1000.0;
	double rate = elapsed > 0 ? (double)done / elapsed : 0;
	double eta = rate > 0 ? (double)(b->n - done) / rate : 0;

	fprintf(stderr, "\r%zu/%zu sealed or failed, %.1f docs/s, ETA %.0f s   ", done, b->n, rate, eta);
	fflush(stderr);
}

/* The document's end: its JSON line (or error line), the progress line, and a batch-wide stop if its failure would
 * fail every other document too. From a worker, or from the output committer once the seal is on disk. */
static void finish_job(struct batch *b, struct job *j)
{
	pthread_mutex_lock(&b->lock);
	j->ms = es_batch_now_ms() - j->t0;
	j->done = 1;
	atomic_fetch_add(&b->finished, 1);
	if (j->err.status != ESEAL_OK && is_batch_fatal(j->err.status) && !atomic_load(&b->stop)) {
		b->stop_reason = j->err;
		atomic_store(&b->stop, 1);
	}
	if (b->bo->json)
		es_batch_print_json_line(stdout, j->input, j->output, eseal_format_name(j->format), b->level, &j->err,
					 j->skipped, j->ms);
	else if (j->err.status != ESEAL_OK)
		fprintf(stderr, "%seseal: %s\n", b->progress ? "\n" : "", j->err.message);
	if (b->progress)
		report_progress(b);
	pthread_mutex_unlock(&b->lock);
}

/* eseal_output_done_fn: the committer thread reports a sealed document whose output is now durable (or failed). */
static void on_output_done(void *ctx, void *cookie, const eseal_error *err)
{
	struct job *j = cookie;

	j->err = *err;
	finish_job(ctx, j);
}

/* Returns 1 if the output was handed to the commit group, which then reports the document (on_output_done);
 * 0 if the document ends here (failed, or skipped). */
static int seal_one(struct batch *b, struct job *j)
{
	eseal_seal_options so = *b->so;
	eseal_error err;
	struct stat st;

	j->t0 = es_batch_now_ms();
	eseal_error_clear(&err);
	if (eseal_sealer_resolve_format(b->sealer, j->input, b->so->format, &j->format, &err) != ESEAL_OK)
		goto failed;
	j->output = output_name(b->bo->out_dir, j->input, j->format, b->bo->suffix);
	if (j->output == NULL) {
		err.status = ESEAL_E_INTERNAL;
		snprintf(err.message, sizeof(err.message), "out of memory");
		goto failed;
	}
	/* Resuming: an existing regular file is an earlier run's output, whole (outputs are only ever named when
	 * complete). Anything else at that name is left to the sealer, which refuses it with its reason. */
	if (b->bo->skip_existing && lstat(j->output, &st) == 0 && S_ISREG(st.st_mode)) {
		j->skipped = 1;
		j->err = err;
		return 0;
	}
	if (make_parent_dirs(b->bo->out_dir, j->output, &err) != 0)
		goto failed;
	so.format = j->format; /* resolved once: the name we chose depends on it */
	so.output_cookie = j;
	/* Success means the output was handed over; from then on only the committer writes j->err. */
	if (eseal_sealer_seal(b->sealer, j->input, j->output, &so, NULL, &err) == ESEAL_OK)
		return 1;
failed:
	j->err = err;
	return 0;
}

static void *worker(void *arg)
{
	struct batch *b = arg;
	struct job *j;
	size_t i;

	for (;;) {
		if (atomic_load(&b->stop) || es_batch_signal != 0)
			break;
		i = atomic_fetch_add(&b->next, 1);
		if (i >= b->n)
			break;
		j = &b->jobs[i];
		if (!seal_one(b, j))
			finish_job(b, j);
	}
	return NULL;
}

/* Reads newline- or NUL-separated paths (NUL if the data holds any NUL, as from find -print0). */
static int read_list(const char *from, char ***paths, size_t *n, eseal_error *err)
{
	FILE *f = strcmp(from, "-") == 0 ? stdin : fopen(from, "re");
	char *data = NULL, *p, *end, **list = NULL;
	size_t len = 0, cap = 0, count = 0, rd;
	char sep = '\n';
	int rc = -1;

	if (f == NULL) {
		err->status = ESEAL_E_IO;
		snprintf(err->message, sizeof(err->message), "%s: cannot read input list: %s", from, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len + 65536 + 1 > cap) {
			char *grown = realloc(data, cap = cap * 2 + 65536 + 1);
			if (grown == NULL)
				goto cleanup;
			data = grown;
		}
		rd = fread(data + len, 1, cap - len - 1, f);
		len += rd;
		if (rd == 0)
			break;
	}
	if (ferror(f)) {
		err->status = ESEAL_E_IO;
		snprintf(err->message, sizeof(err->message), "%s: cannot read input list", from);
		goto cleanup;
	}
	data[len] = '\0';
	if (memchr(data, '\0', len) != NULL)
		sep = '\0';
	for (p = data; p < data + len; p = end + 1) {
		end = memchr(p, sep, (size_t)(data + len - p));
		if (end == NULL)
			end = data + len;
		*end = '\0';
		if (*p == '\0')
			continue;
		char **grown = realloc(list, (count + 1) * sizeof(*list));
		if (grown == NULL)
			goto cleanup;
		list = grown;
		if ((list[count] = strdup(p)) == NULL)
			goto cleanup;
		count++;
	}
	*paths = list;
	*n = count;
	list = NULL;
	rc = 0;
cleanup:
	if (rc != 0 && err->status == ESEAL_OK) {
		err->status = ESEAL_E_INTERNAL;
		snprintf(err->message, sizeof(err->message), "out of memory reading %s", from);
	}
	while (list != NULL && count > 0)
		free(list[--count]);
	free(list);
	free(data);
	if (f != stdin)
		fclose(f);
	return rc;
}

static int collect_jobs(struct batch *b, const char *const *inputs, size_t n_inputs, eseal_error *err)
{
	char **listed = NULL;
	size_t n_listed = 0, i;

	if (b->bo->from != NULL && read_list(b->bo->from, &listed, &n_listed, err) != 0)
		return -1;
	b->n = n_inputs + n_listed;
	b->jobs = calloc(b->n > 0 ? b->n : 1, sizeof(*b->jobs));
	if (b->jobs == NULL) {
		for (i = 0; i < n_listed; i++)
			free(listed[i]);
		free(listed);
		err->status = ESEAL_E_INTERNAL;
		snprintf(err->message, sizeof(err->message), "out of memory");
		return -1;
	}
	for (i = 0; i < n_inputs; i++)
		b->jobs[i].input = strdup(inputs[i]);
	for (i = 0; i < n_listed; i++)
		b->jobs[n_inputs + i].input = listed[i]; /* ownership moves */
	free(listed);
	for (i = 0; i < b->n; i++)
		if (b->jobs[i].input == NULL) {
			err->status = ESEAL_E_INTERNAL;
			snprintf(err->message, sizeof(err->message), "out of memory");
			return -1;
		}
	return 0;
}

int es_batch_run(eseal_sealer *sealer, const eseal_seal_options *so, const es_batch_options *bo,
		 const char *const *inputs, size_t n_inputs)
{
	struct batch b;
	pthread_t *threads = NULL;
	struct sigaction sa, old_int, old_term;
	eseal_error err;
	size_t i, failed = 0, skipped = 0, started = 0;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int n_threads, rc = 0, first_fail_code = 0;

	memset(&b, 0, sizeof(b));
	eseal_error_clear(&err);
	eseal_error_clear(&b.stop_reason);
	b.sealer = sealer;
	b.bo = bo;
	b.level = eseal_level_name(eseal_sealer_profile(sealer)->level);
	b.so = &b.so_copy;
	b.so_copy = *so;
	b.progress = isatty(STDERR_FILENO);
	pthread_mutex_init(&b.lock, NULL);
	if (mkdir(bo->out_dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "eseal: %s: cannot create output directory: %s\n", bo->out_dir, strerror(errno));
		rc = eseal_status_exit_code(ESEAL_E_IO);
		goto cleanup;
	}
	/* Outputs reach the disk in shared rounds while the workers go on sealing; a document is reported once its
	 * output is durable (eseal/output.h). */
	if (eseal_output_group_new(&b.group, on_output_done, &b, &err) != ESEAL_OK) {
		rc = es_cli_fail(&err);
		goto cleanup;
	}
	b.so_copy.output_group = b.group;
	if (collect_jobs(&b, inputs, n_inputs, &err) != 0) {
		rc = es_cli_fail(&err);
		goto cleanup;
	}
	/* Default: one worker per core. Workers never wait for the disk (the commit group does); with a network HSM,
	 * whose round trips leave cores idle, -j should be raised. */
	n_threads = bo->jobs > 0 ? bo->jobs : (cores > 0 ? (int)cores : 1);
	/* B-T: a worker waiting for the TSA uses no CPU, so more documents in flight than cores keeps the HSM busy
	 * while answers travel. The TSA client keeps one kept-alive connection per request in flight. */
	if (eseal_sealer_profile(sealer)->level == ESEAL_LEVEL_B_T)
		n_threads = bo->tsa_inflight > 0 ? bo->tsa_inflight : 4 * n_threads;
	if ((size_t)n_threads > b.n)
		n_threads = b.n > 0 ? (int)b.n : 1;
	if ((threads = calloc((size_t)n_threads, sizeof(*threads))) == NULL) {
		fprintf(stderr, "eseal: out of memory\n");
		rc = 70;
		goto cleanup;
	}
	/* First SIGINT/SIGTERM: finish the documents in progress, start no more. A second one kills at once,
	 * which is still safe: outputs only get a name once complete (eseal/output.h). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	b.t0 = es_batch_now_ms();
	for (i = 0; i < (size_t)n_threads; i++, started++)
		if (pthread_create(&threads[i], NULL, worker, &b) != 0)
			break;
	if (started == 0)
		worker(&b);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	/* Every handed-over output is reported by now; a failure here is the directories' flush. */
	if (eseal_output_group_sync(b.group, &err) != ESEAL_OK) {
		fprintf(stderr, "%seseal: %s\n", b.progress ? "\n" : "", err.message);
		first_fail_code = eseal_status_exit_code(err.status);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (b.progress)
		fputc('\n', stderr);

	/* Every document gets a line, including those never started, so a pipeline can account for all. */
	for (i = 0; i < b.n; i++) {
		struct job *j = &b.jobs[i];

		if (!j->done) {
			j->err.status = atomic_load(&b.stop) ? b.stop_reason.status : ESEAL_E_INTERNAL;
			snprintf(j->err.message, sizeof(j->err.message), "%s: not sealed: batch stopped (%s)", j->input,
				 es_batch_signal != 0 ? "interrupted by a signal" : b.stop_reason.message);
			if (bo->json)
				es_batch_print_json_line(stdout, j->input, NULL, NULL, b.level, &j->err, 0, 0);
		}
		if (j->err.status != ESEAL_OK) {
			failed++;
			if (first_fail_code == 0)
				first_fail_code = eseal_status_exit_code(j->err.status);
		}
		skipped += j->skipped;
	}
	if (skipped > 0 && !bo->json)
		fprintf(stderr, "eseal: %zu documents skipped: their outputs exist (--skip-existing)\n", skipped);
	if (atomic_load(&b.stop) && !bo->json)
		fprintf(stderr, "eseal: batch stopped: %s\n", b.stop_reason.message);
	if (es_batch_signal != 0) {
		fprintf(stderr, "eseal: interrupted: %zu of %zu documents sealed\n", b.n - failed - skipped, b.n);
		rc = 128 + es_batch_signal;
	} else if (atomic_load(&b.stop)) {
		rc = eseal_status_exit_code(b.stop_reason.status);
	} else {
		rc = first_fail_code;
	}
cleanup:
	for (i = 0; i < b.n; i++) {
		free(b.jobs[i].input);
		free(b.jobs[i].output);
	}
	free(b.jobs);
	free(threads);
	eseal_output_group_free(b.group);
	pthread_mutex_destroy(&b.lock);
	return rc;
}
