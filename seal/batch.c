/* seal/batch.c: bulk sealing (eseal/batch.h): a shared queue of inputs, N threads on one sealer, outputs committed
 * by the output group's thread, one report per document. A failure that would fail every document stops the batch. */
#include "eseal/batch.h"
#include "eseal/output.h"
#include "core/clock_internal.h"
#include "core/error_internal.h"
#include "core/fd_budget_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <search.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct job {
	const char *input;
	char *output;
	char *claim;   /* the output table's key for output (see claim_output) */
	eseal_format format;
	eseal_error err;
	double t0;
	int started;   /* a worker took it (else it is reported as never started) */
	int reported;
	int skipped;
	int current;   /* extend: needs no renewal yet, nothing written */
	time_t renew_by;
};

struct batch {
	eseal_sealer *sealer;
	eseal_seal_options so;  /* the caller's options plus the batch's output group */
	const eseal_batch_options *bo;
	eseal_batch_summary *summary;
	struct job *jobs;
	size_t n;
	atomic_size_t next;
	atomic_int stop;        /* a batch-wide failure: take no new documents */
	pthread_mutex_t lock;   /* reports, summary, outputs */
	struct hsearch_data outputs; /* output path -> the job that claimed it */
	size_t first_failed;    /* input index of the document whose failure class is summary->first_failure */
	int out_fd;             /* out_dir, opened once: output directories are made below it without following links */
};

#define MAX_THREADS 256

/* Fatal for the whole batch: the next document would fail the same way. */
static int is_batch_fatal(eseal_status st)
{
	return st == ESEAL_E_PIN || st == ESEAL_E_HSM || st == ESEAL_E_TSA || st == ESEAL_E_CONFIG ||
	       st == ESEAL_E_INTERNAL || st == ESEAL_E_REMOTE;
}

static int cancelled(const struct batch *b)
{
	return b->bo->cancelled != NULL && b->bo->cancelled(b->bo->cancel_ctx) != 0;
}

/* The input's path below the working directory, lexically ("." and empty components dropped, "sub/.." cancelled), into
 * rel (strlen(input) + 1 bytes); 0 when the path does not stay below it as written (absolute, or climbing out). */
static int path_below(const char *input, char *rel)
{
	size_t len = 0;
	const char *p = input;

	if (input[0] == '/')
		return 0;
	while (*p != '\0') {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (len == 0)
				return 0;
			while (len > 0 && rel[len - 1] != '/')
				len--;
			if (len > 0)
				len--; /* the '/' before the cancelled component */
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (len > 0)
				rel[len++] = '/';
			memcpy(rel + len, p, n);
			len += n;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	rel[len] = '\0';
	return len > 0;
}

char *eseal_batch_output_name(const char *out_dir, const char *input, eseal_format format, const char *suffix)
{
	const char *rel, *slash, *dot;
	char *res = NULL, *below = malloc(strlen(input) + 1);
	size_t need;

	if (below == NULL)
		return NULL;
	if (path_below(input, below))
		rel = below;
	else
		rel = (slash = strrchr(input, '/')) != NULL ? slash + 1 : input;
	slash = strrchr(rel, '/');
	dot = strrchr(slash != NULL ? slash : rel, '.');
	if (dot == rel || (slash != NULL && dot == slash + 1))
		dot = NULL; /* a leading dot is a hidden file, not an extension */
	need = strlen(out_dir) + strlen(rel) + (suffix != NULL ? strlen(suffix) + 1 : 0) + 16;
	if ((res = malloc(need)) == NULL) {
		free(below);
		return NULL;
	}
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
	free(below);
	return res;
}

/* mkdir -p for the output's directory below out_dir, mode 0755 (the tree under out_dir is the user's; umask applies).
 * Each component is created or opened from the one before with O_NOFOLLOW: a symbolic link planted below out_dir
 * (to /etc, to another user's folder) is refused, never followed. Most outputs go straight into out_dir and need no
 * system call here. The output group checks the same again when the output is named (eseal_output_group_below). */
static int make_parent_dirs(const struct batch *b, const char *path, eseal_error *err)
{
	char buf[PATH_MAX];
	char *comp, *next, *save = NULL;
	int cur = b->out_fd, fd, rc = ESEAL_OK;

	if (strlen(path) >= sizeof(buf))
		return es_error_set(err, ESEAL_E_IO, "%s: path too long", path);
	strcpy(buf, path + strlen(b->bo->out_dir) + 1);
	for (comp = strtok_r(buf, "/", &save); comp != NULL; comp = next) {
		if ((next = strtok_r(NULL, "/", &save)) == NULL)
			break; /* the file's own name */
		if (mkdirat(cur, comp, 0755) != 0 && errno != EEXIST) {
			rc = es_error_set(err, ESEAL_E_IO, "%s: cannot create directory %s: %s", path, comp, strerror(errno));
			break;
		}
		fd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			rc = es_error_set(err, ESEAL_E_IO, "%s: output directory %s %s", path, comp,
					  errno == ELOOP || errno == ENOTDIR ?
						  "is a symbolic link or not a directory; refusing to follow it" :
						  strerror(errno));
			break;
		}
		if (cur != b->out_fd)
			close(cur);
		cur = fd;
	}
	if (cur != b->out_fd)
		close(cur);
	return rc;
}

/* The document's end: its report, its count, and a batch-wide stop if its failure would fail every other document
 * too. From a worker, from the output committer once the seal is on disk, or at the end for those never started. */
static void finish_job(struct batch *b, struct job *j)
{
	eseal_batch_summary *s = b->summary;
	eseal_doc_report r;

	pthread_mutex_lock(&b->lock);
	j->reported = 1;
	if (j->err.status != ESEAL_OK) {
		s->failed++;
		/* The earliest failed input, not the first reported: with several workers that would vary between runs,
		 * and so would the exit status. A document never attempted tells nothing about itself. */
		if (j->err.status != ESEAL_E_CANCELLED &&
		    (s->first_failure == ESEAL_OK || (size_t)(j - b->jobs) < b->first_failed)) {
			s->first_failure = j->err.status;
			b->first_failed = (size_t)(j - b->jobs);
		}
		/* Only a document that was tried can tell about the others; one never started only echoes the stop. */
		if (j->started && is_batch_fatal(j->err.status) && !atomic_load(&b->stop)) {
			s->stop = j->err;
			atomic_store(&b->stop, 1);
		}
	} else if (j->skipped) {
		s->skipped++;
	} else if (j->current) {
		s->current++;
	} else {
		s->sealed++;
	}
	memset(&r, 0, sizeof(r));
	r.input = j->input;
	r.output = j->err.status == ESEAL_OK && !j->current ? j->output : NULL;
	r.format = j->format;
	r.status = j->err.status != ESEAL_OK ? ESEAL_DOC_FAILED :
		   j->skipped		    ? ESEAL_DOC_SKIPPED :
		   j->current		    ? ESEAL_DOC_CURRENT :
					      ESEAL_DOC_SEALED;
	r.renew_by = j->renew_by;
	r.err = &j->err;
	r.ms = j->started ? es_now_ms() - j->t0 : 0;
	r.done = s->sealed + s->failed + s->skipped + s->current;
	r.total = b->n;
	b->bo->report(b->bo->report_ctx, &r);
	pthread_mutex_unlock(&b->lock);
}

/* eseal_output_done_fn: the committer thread reports a sealed document whose output is now durable (or failed). */
static void on_output_done(void *ctx, void *cookie, const eseal_error *err)
{
	struct job *j = cookie;

	j->err = *err;
	finish_job(ctx, j);
}

/* Two inputs can map to one output (absolute paths keep only their name): the first to claim it seals, the other
 * fails, where with --force it would silently replace the first seal. */
static int claim_output(struct batch *b, struct job *j, eseal_error *err)
{
	ENTRY want = {NULL, j}, *found = NULL;
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t len = strlen(j->output);
	int ok;

	/* glibc's hsearch hashes little more than a key's first eight bytes, which all outputs share (out_dir): keyed by
	 * the path alone every claim probed every earlier one, quadratic in the batch. A hash of the path leads the key. */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)j->output[i]) * 16777619u;
	if ((j->claim = malloc(len + 9)) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", j->input);
	snprintf(j->claim, len + 9, "%08x%s", (unsigned)h, j->output);
	want.key = j->claim;
	pthread_mutex_lock(&b->lock);
	ok = hsearch_r(want, ENTER, &found, &b->outputs);
	pthread_mutex_unlock(&b->lock);
	if (!ok)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", j->input);
	if (found->data != j)
		return es_error_set(err, ESEAL_E_USAGE, "%s: not sealed: its output %s is also the output of %s",
				    j->input, j->output, ((struct job *)found->data)->input);
	return ESEAL_OK;
}

/* Returns 1 if the output was handed to the commit group, which then reports the document (on_output_done);
 * 0 if the document ends here (failed, skipped, or current: nothing to write). */
static int seal_one(struct batch *b, struct job *j)
{
	eseal_seal_options so = b->so;
	eseal_seal_result res;
	eseal_error err;
	struct stat st;

	j->started = 1;
	j->t0 = es_now_ms();
	eseal_error_clear(&err);
	if (eseal_sealer_resolve_format(b->sealer, j->input, b->so.format, &j->format, &err) != ESEAL_OK)
		goto failed;
	/* An extended file keeps its name (a .p7s stays a .p7s); a sealed one gets the format's. */
	j->output = eseal_batch_output_name(b->bo->out_dir, j->input,
					    eseal_sealer_extends(b->sealer) ? ESEAL_FORMAT_PDF : j->format, b->bo->suffix);
	if (j->output == NULL) {
		es_error_set(&err, ESEAL_E_INTERNAL, "%s: out of memory", j->input);
		goto failed;
	}
	if (claim_output(b, j, &err) != ESEAL_OK)
		goto failed;
	/* Resuming: an existing regular file is an earlier run's output, whole (outputs are only ever named when
	 * complete). Anything else at that name is left to the sealer, which refuses it with its reason. */
	if (b->bo->skip_existing && lstat(j->output, &st) == 0 && S_ISREG(st.st_mode)) {
		j->skipped = 1;
		j->err = err;
		return 0;
	}
	if (make_parent_dirs(b, j->output, &err) != ESEAL_OK)
		goto failed;
	so.format = j->format; /* resolved once: the name we chose depends on it */
	so.output_cookie = j;
	/* Success means the output was handed over; from then on only the committer writes j->err. */
	if (eseal_sealer_seal_ext(b->sealer, j->input, j->output, &so, &res, &err) == ESEAL_OK) {
		if (!res.current)
			return 1; /* the committer may already be reporting j: touch nothing of it */
		j->current = 1;
		j->renew_by = res.renew_by;
	}
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
		if (atomic_load(&b->stop) || cancelled(b))
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

static int thread_count(const eseal_sealer *sealer, const eseal_batch_options *bo, size_t n, size_t fd_budget)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	/* One worker per core: workers never wait for the disk (the output group does). A network HSM, whose round
	 * trips leave cores idle, wants more: the caller's jobs. */
	int threads = bo->jobs > 0 ? bo->jobs : (cores > 0 ? (int)cores : 1);

	/* B-T: a worker waiting for the TSA uses no CPU, so more documents in flight than cores keep the token busy
	 * while answers travel. The TSA client keeps one kept-alive connection per request in flight. */
	if (eseal_sealer_profile(sealer)->level >= ESEAL_LEVEL_B_T)
		threads = bo->tsa_inflight > 0 ? bo->tsa_inflight : 4 * threads;
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	/* A document in progress holds about four descriptors (input, output file and directory, a TSA connection);
	 * the workers get half of what the process may still open, the output group the other half. */
	if ((size_t)threads > fd_budget / 2 / 4)
		threads = fd_budget / 2 / 4 > 0 ? (int)(fd_budget / 2 / 4) : 1;
	if ((size_t)threads > n)
		threads = n > 0 ? (int)n : 1;
	return threads;
}

eseal_status eseal_batch_run(eseal_sealer *sealer, const eseal_seal_options *so, const eseal_batch_options *bo,
			     const char *const *inputs, size_t n, eseal_batch_summary *summary, eseal_error *err)
{
	struct batch b;
	eseal_output_group *group = NULL;
	pthread_t *threads = NULL;
	size_t i, started = 0, fd_budget;
	int n_threads, rc = ESEAL_OK, have_outputs = 0;

	eseal_error_clear(err);
	memset(&b, 0, sizeof(b));
	b.out_fd = -1;
	memset(summary, 0, sizeof(*summary));
	eseal_error_clear(&summary->stop);
	if (bo->out_dir == NULL || bo->report == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "a batch needs an output directory and a report function");
	b.sealer = sealer;
	b.so = *so;
	b.bo = bo;
	b.summary = summary;
	b.n = n;
	pthread_mutex_init(&b.lock, NULL);
	if (mkdir(bo->out_dir, 0755) != 0 && errno != EEXIST) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot create output directory: %s", bo->out_dir, strerror(errno));
		goto cleanup;
	}
	if ((b.out_fd = open(bo->out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot open output directory: %s", bo->out_dir, strerror(errno));
		goto cleanup;
	}
	if ((b.jobs = calloc(n > 0 ? n : 1, sizeof(*b.jobs))) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory for %zu documents", n);
		goto cleanup;
	}
	for (i = 0; i < n; i++)
		b.jobs[i].input = inputs[i];
	/* The table never grows: room for every input, and a third spare so that probing stays short. */
	if (hcreate_r(n + n / 3 + 1, &b.outputs) == 0) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory for %zu documents", n);
		goto cleanup;
	}
	have_outputs = 1;
	/* Outputs reach the disk in shared rounds while the workers go on sealing; a document is reported once its
	 * output is durable (eseal/output.h). */
	fd_budget = es_fd_budget(); /* before the group takes its share */
	if ((rc = eseal_output_group_new(&group, on_output_done, &b, err)) != ESEAL_OK ||
	    (rc = eseal_output_group_below(group, bo->out_dir, err)) != ESEAL_OK)
		goto cleanup;
	b.so.output_group = group;
	n_threads = thread_count(sealer, bo, n, fd_budget);
	if ((threads = calloc((size_t)n_threads, sizeof(*threads))) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < (size_t)n_threads; i++, started++)
		if (pthread_create(&threads[i], NULL, worker, &b) != 0)
			break;
	if (started == 0)
		worker(&b);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	/* Waits until every handed-over output is reported (durably named, or failed). */
	rc = eseal_output_group_sync(group, err);

	/* Every document gets a report, including those never started, so a pipeline can account for all. */
	summary->cancelled = cancelled(&b) && atomic_load(&b.next) < n;
	for (i = 0; i < n; i++) {
		struct job *j = &b.jobs[i];

		if (j->reported)
			continue;
		if (atomic_load(&b.stop))
			es_error_set(&j->err, summary->stop.status, "%s: not sealed: batch stopped (%s)", j->input,
				     summary->stop.message);
		else
			es_error_set(&j->err, ESEAL_E_CANCELLED, "%s: not sealed: the batch was interrupted", j->input);
		finish_job(&b, j);
	}
cleanup:
	eseal_output_group_free(group);
	if (have_outputs)
		hdestroy_r(&b.outputs);
	for (i = 0; b.jobs != NULL && i < n; i++) {
		free(b.jobs[i].output);
		free(b.jobs[i].claim);
	}
	free(b.jobs);
	free(threads);
	if (b.out_fd >= 0)
		close(b.out_fd);
	pthread_mutex_destroy(&b.lock);
	return rc;
}
