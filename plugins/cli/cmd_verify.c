/* plugins/cli/cmd_verify.c: `eseal verify`: parses the arguments, verifies each file with the library and prints
 * the report (text or one JSON object per file) on stdout, and with --report one HTML, PDF or XML report over all
 * files. The exit status is the worst over all files. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "eseal/report.h"
#include "eseal/verify.h"
#include "eseal/asic.h"

const es_cli_option es_cli_verify_options[] = {
	{"trust", 't', "FILE", NULL, "PEM bundle of trust anchors (repeatable); the system store is never used"},
	{"json", 0, NULL, NULL, "print one JSON object per file instead of text"},
	{"jobs", 'j', "N", NULL, "verify N files at once (default 1); reports still come in the order of the files"},
	{"at", 0, "TIME", NULL, "validation time: YYYY-MM-DD[THH:MM:SSZ] or @EPOCH (default: now)"},
	{"offline", 0, NULL, NULL, "no OCSP/CRL fetching: use only the revocation data the file carries"},
	{"data", 'd', "FILE", NULL, "data file of a detached .p7s (default: the .p7s path without .p7s)"},
	{"data-dir", 0, "DIR", NULL, "a folder seal (detached XAdES): check every file under DIR, listing files missing, "
				     "changed or not covered"},
	{"visual", 0, NULL, NULL, "PDF: compare Poppler's rendering of each seal's signed revision with the file's "
				  "(visual_changes in --json; always done for --report)"},
	{"report", 'r', "FILE", NULL, "also write one report over all files: FILE.html, FILE.pdf or FILE.xml (ETSI TS 119 102-2)"},
	{"lang", 0, "LANG", NULL, "language of the report: ja or en (default: from LANG/LC_MESSAGES)"},
	{"tz", 0, "ZONE", NULL, "time zone of the report's times, e.g. Asia/Tokyo (default: TZ, else the system's)"},
	{"help", 'h', NULL, NULL, "show this help"},
	{NULL, 0, NULL, NULL, NULL},
};

/* Exit status table of `eseal verify` (also in README.md and eseal/verify.h): the worst over all files wins,
 * in the order 0 < 2 < 1 < 65 < 74 and 78, usage errors (64) stop before any file is read. 78: this installation
 * cannot verify the file's kind at all (its module, such as the XML module, is missing), whatever the file holds. */
#define VERIFY_EXIT_PASSED 0
#define VERIFY_EXIT_FAILED 1
#define VERIFY_EXIT_INDETERMINATE 2
#define VERIFY_EXIT_INPUT 65
#define VERIFY_EXIT_IO 74
#define VERIFY_EXIT_CONFIG 78

static int exit_rank(int code)
{
	switch (code) {
	case VERIFY_EXIT_PASSED: return 0;
	case VERIFY_EXIT_INDETERMINATE: return 1;
	case VERIFY_EXIT_FAILED: return 2;
	case VERIFY_EXIT_INPUT: return 3;
	default: return 4;
	}
}

static int parse_time(const char *s, time_t *out)
{
	struct tm tm;
	const char *end;
	char *e = NULL;
	long long n;

	if (s[0] == '@') {
		n = strtoll(s + 1, &e, 10);
		if (e == s + 1 || *e != '\0' || n <= 0)
			return -1;
		*out = (time_t)n;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end != NULL && (strcmp(end, "Z") == 0 || *end == '\0')) {
		*out = timegm(&tm);
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end != NULL && *end == '\0') {
		*out = timegm(&tm);
		return 0;
	}
	return -1;
}

/* A zone name glibc would not know silently becomes UTC: refuse it instead (POSIX strings such as JST-9 pass). */
static int tz_known(const char *tz)
{
	char path[512];

	if (tz[0] == '\0' || strstr(tz, "..") != NULL)
		return 0;
	if (strpbrk(tz, "0123456789") != NULL && strchr(tz, '/') == NULL)
		return 1;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz[0] == ':' ? tz + 1 : tz);
	return access(path, R_OK) == 0;
}

/* Files verified by several threads at once; the main thread prints each report in the order of the files as soon
 * as it and those before it are done, so the output does not depend on --jobs. */
typedef struct verify_slot {
	eseal_report *report;
	eseal_error err;
	int done;
} verify_slot;

typedef struct verify_run {
	eseal_verifier *v;
	const char *const *files;
	size_t n;
	const char *data, *data_dir;
	verify_slot *slots;
	atomic_size_t next; /* the next file a thread takes */
	pthread_mutex_t lock;
	pthread_cond_t done;
} verify_run;

static void verify_one(verify_run *r, size_t i)
{
	verify_slot *s = &r->slots[i];
	eseal_report *report = NULL;
	eseal_error err;

	if (r->data_dir != NULL)
		eseal_verify_folder(r->v, r->files[i], r->data_dir, &report, &err);
	else
		eseal_verify_file(r->v, r->files[i], r->data, &report, &err);
	pthread_mutex_lock(&r->lock);
	s->report = report;
	s->err = err;
	s->done = 1;
	pthread_cond_broadcast(&r->done);
	pthread_mutex_unlock(&r->lock);
}

static void *verify_worker(void *arg)
{
	verify_run *r = arg;
	size_t i;

	while ((i = atomic_fetch_add(&r->next, 1)) < r->n)
		verify_one(r, i);
	return NULL;
}

/* Waits for file i (or, without threads, verifies it here). */
static void wait_for(verify_run *r, size_t i, size_t threads)
{
	if (threads == 0) {
		verify_one(r, i);
		return;
	}
	pthread_mutex_lock(&r->lock);
	while (!r->slots[i].done)
		pthread_cond_wait(&r->done, &r->lock);
	pthread_mutex_unlock(&r->lock);
}

/* --jobs: 1 to 256, as for `eseal seal`. */
static int parse_jobs(const char *s, size_t *out)
{
	char *end = NULL;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < 1 || n > 256)
		return -1;
	*out = (size_t)n;
	return 0;
}

/* The report says what the library could not find; the command line says which flag gives it. */
static void advise(const eseal_report *r, const char *data)
{
	for (size_t i = 0; i < r->n_seals; i++)
		if (r->seals[i].sub_indication == ESEAL_SUB_SIGNED_DATA_NOT_FOUND && strcmp(r->seals[i].format, "CAdES") == 0 &&
		    data == NULL) {
			fprintf(stderr, "eseal verify: %s: give the signed data with --data FILE\n", r->file);
			return;
		}
}

static const es_cli_command *verify_command(void)
{
	const es_cli_command *c;

	for (c = es_cli_commands; c->name != NULL; c++)
		if (strcmp(c->name, "verify") == 0)
			return c;
	return NULL;
}

int es_cli_verify(int argc, char **argv, const char *env_pin)
{
	struct option *longopts = NULL;
	char shortopts[32];
	const char **trust = NULL, **files = NULL;
	size_t n_trust = 0, n_files = 0, n_all = 0;
	const char *data = NULL, *data_dir = NULL, *report_path = NULL, *lang = NULL;
	eseal_verifier_options vo = ESEAL_VERIFIER_OPTIONS_INIT;
	eseal_verifier *v = NULL;
	eseal_report *report = NULL, **all = NULL;
	eseal_report_format fmt;
	eseal_error err;
	verify_run run;
	pthread_t *threads = NULL;
	int json = 0, visual = 0, c, rc = 0, code, sync_ready = 0;
	size_t i, jobs = 1, n_threads = 0;

	eseal_error_clear(&err);
	memset(&run, 0, sizeof(run));
	trust = calloc((size_t)argc + 1, sizeof(*trust));
	files = calloc((size_t)argc + 1, sizeof(*files));
	all = calloc((size_t)argc + 1, sizeof(*all));
	if (trust == NULL || files == NULL || all == NULL ||
	    es_cli_getopt_tables(es_cli_verify_options, &longopts, shortopts, sizeof(shortopts)) != 0) {
		rc = 70;
		goto cleanup;
	}
	if ((rc = es_cli_reject_abbreviations(es_cli_verify_options, argc, argv, "verify")) != 0)
		goto cleanup;
	optind = 1;
	/* GNU getopt permutes, so options may follow file names ("eseal verify a.pdf --json"). */
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const es_cli_option *o = c == '?' ? NULL : es_cli_find_option(es_cli_verify_options, c);

		if (o == NULL) {
			rc = ES_EXIT_USAGE;
			goto cleanup;
		}
		if (strcmp(o->name, "trust") == 0) {
			trust[n_trust++] = optarg;
		} else if (strcmp(o->name, "json") == 0) {
			json = 1;
		} else if (strcmp(o->name, "jobs") == 0) {
			if (parse_jobs(optarg, &jobs) != 0) {
				rc = es_cli_usage_error("verify",
							"-j/--jobs %s: expected a number of files to verify at once, 1 to "
							"256 (JSON output is --json)",
							optarg);
				goto cleanup;
			}
		} else if (strcmp(o->name, "offline") == 0) {
			vo.offline = 1;
		} else if (strcmp(o->name, "data") == 0) {
			data = optarg;
		} else if (strcmp(o->name, "data-dir") == 0) {
			data_dir = optarg;
		} else if (strcmp(o->name, "visual") == 0) {
			visual = 1;
		} else if (strcmp(o->name, "report") == 0) {
			report_path = optarg;
			if (eseal_report_format_of(optarg, &fmt, &err) != ESEAL_OK) {
				rc = es_cli_usage_error("verify", "--report %s: expected a name ending in .html, .pdf or .xml",
							optarg);
				goto cleanup;
			}
		} else if (strcmp(o->name, "lang") == 0) {
			if (strcmp(optarg, "ja") != 0 && strcmp(optarg, "en") != 0) {
				rc = es_cli_usage_error("verify", "--lang %s: expected ja or en", optarg);
				goto cleanup;
			}
			lang = optarg;
		} else if (strcmp(o->name, "tz") == 0) {
			if (!tz_known(optarg)) {
				rc = es_cli_usage_error("verify", "--tz %s: unknown time zone (e.g. Asia/Tokyo, UTC)", optarg);
				goto cleanup;
			}
			/* The report shows local times; the front end owns the process's zone. */
			setenv("TZ", optarg, 1);
			tzset();
		} else if (strcmp(o->name, "at") == 0) {
			if (parse_time(optarg, &vo.at) != 0) {
				rc = es_cli_usage_error("verify",
							"--at %s: expected YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @EPOCH",
							optarg);
				goto cleanup;
			}
		} else {
			if (verify_command() != NULL)
				es_cli_print_help(stdout, verify_command());
			goto cleanup;
		}
	}
	while (optind < argc)
		files[n_files++] = argv[optind++];
	if (n_files == 0) {
		rc = es_cli_usage_error("verify", "no file to verify");
		goto cleanup;
	}
	if (data_dir != NULL && (n_files > 1 || data != NULL)) {
		rc = es_cli_usage_error("verify", "--data-dir applies to a single folder seal (and not with --data)");
		goto cleanup;
	}
	if (data != NULL && n_files > 1) {
		rc = es_cli_usage_error("verify", "--data applies to a single .p7s file");
		goto cleanup;
	}
	vo.trust_files = trust;
	vo.n_trust_files = n_trust;
	/* What changed on the page since a PDF seal: shown in reports, listed in JSON on request (two renderings of
	 * every page of every PDF with updates: not for every pipeline that only wants the verdict). */
	vo.visual_compare = visual || report_path != NULL;
	if (eseal_init(&err) != ESEAL_OK || eseal_verifier_open(&v, &vo, &err) != ESEAL_OK) {
		rc = es_cli_fail(&err);
		goto cleanup;
	}
	run.v = v;
	run.files = files;
	run.n = n_files;
	run.data = data;
	run.data_dir = data_dir;
	atomic_init(&run.next, 0);
	if ((run.slots = calloc(n_files, sizeof(*run.slots))) == NULL || pthread_mutex_init(&run.lock, NULL) != 0) {
		rc = 70;
		goto cleanup;
	}
	if (pthread_cond_init(&run.done, NULL) != 0) {
		pthread_mutex_destroy(&run.lock);
		rc = 70;
		goto cleanup;
	}
	sync_ready = 1;
	if (jobs > 1 && n_files > 1) {
		if ((threads = calloc(jobs, sizeof(*threads))) == NULL) {
			rc = 70;
			goto cleanup;
		}
		while (n_threads < jobs && n_threads < n_files &&
		       pthread_create(&threads[n_threads], NULL, verify_worker, &run) == 0)
			n_threads++;
	}
	for (i = 0; i < n_files; i++) {
		wait_for(&run, i, n_threads);
		report = run.slots[i].report;
		run.slots[i].report = NULL;
		err = run.slots[i].err;
		if (report == NULL) {
			code = es_cli_fail(&err);
		} else {
			if (err.status != ESEAL_OK)
				fprintf(stderr, "eseal verify: %s\n", err.message);
			if (json)
				eseal_report_write_json(report, stdout);
			else
				eseal_report_write_text(report, stdout);
			advise(report, data);
			code = err.status == ESEAL_E_IO                             ? VERIFY_EXIT_IO :
			       err.status == ESEAL_E_CONFIG && report->n_seals == 0 ? VERIFY_EXIT_CONFIG :
			       err.status != ESEAL_OK && report->n_seals == 0       ? VERIFY_EXIT_INPUT :
										      eseal_report_exit_code(report);
		}
		if (exit_rank(code) > exit_rank(rc))
			rc = code;
		if (report_path != NULL && report != NULL)
			all[n_all++] = report;
		else
			eseal_report_free(report);
		report = NULL;
	}
	fflush(stdout);
	if (report_path != NULL) {
		eseal_error_clear(&err);
		if (eseal_report_write_document((const eseal_report *const *)all, n_all, report_path, lang, &err) !=
		    ESEAL_OK) {
			/* Without its report the run did not do what was asked, whatever the verdicts. */
			rc = es_cli_fail(&err);
		}
	}
cleanup:
	for (i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	if (sync_ready) {
		pthread_cond_destroy(&run.done);
		pthread_mutex_destroy(&run.lock);
	}
	for (i = 0; run.slots != NULL && i < n_files; i++)
		eseal_report_free(run.slots[i].report);
	free(run.slots);
	for (i = 0; all != NULL && i < n_all; i++)
		eseal_report_free(all[i]);
	free(all);
	eseal_verifier_free(v);
	free(longopts);
	free(trust);
	free(files);
	return rc;
}
