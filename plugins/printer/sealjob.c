/* plugins/printer/sealjob.c: seals one job's PDF with the application's one sealer into the job owner's folder.
 * HSM and TSA faults are waited out with the job still processing (its message says so); anything else aborts it.
 *
 * Who may read the result: the application runs as one service account for every job, parses what the network
 * sends, and holds one HSM session for its life, in many threads. The CUPS back end hands each file over by becoming
 * the user (plugins/delivery, as root, in a child per job); here that would need root (or CAP_SETUID) in this
 * long-running network server, or a second, privileged process to talk to. So the service keeps the files, and POSIX
 * ACLs let the job's owner, and no other user, read them: each per-user folder is the service's, 0700 plus
 * user:<owner>:r-x, each sealed file 0600 plus user:<owner>:r-- (es_delivery_grant_read). No privilege at all. */
#include "printer.h"

#include "cups_internal.h"
#include "delivery.h"
#include "error_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void es_printer_job_fail(es_printer_app *app, pappl_job_t *job, pappl_jreason_t reason, const char *msgid,
			 const char *detail)
{
	/* Staff see the short text in their language; the detail (paths, PKCS#11 codes) goes to the log only. */
	papplJobSetMessage(job, "%s", eseal_text(app->lang, msgid));
	if (reason != PAPPL_JREASON_NONE)
		papplJobSetReasons(job, reason, PAPPL_JREASON_NONE);
	papplLogJob(job, PAPPL_LOGLEVEL_ERROR, "%s%s%s", msgid, detail != NULL ? ": " : "",
		    detail != NULL ? detail : "");
}

bool es_printer_check_size(es_printer_app *app, pappl_job_t *job, const char *path, off_t *size_out)
{
	struct stat st;
	char detail[128];

	if (path == NULL || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		es_printer_job_fail(app, job, PAPPL_JREASON_JOB_DATA_INSUFFICIENT, "The document could not be read.",
				    path != NULL ? strerror(errno) : "no document file");
		return false;
	}
	if (st.st_size == 0) {
		es_printer_job_fail(app, job, PAPPL_JREASON_JOB_DATA_INSUFFICIENT, "The document is empty.", NULL);
		return false;
	}
	if (st.st_size > app->max_job_bytes) {
		snprintf(detail, sizeof(detail), "%lld bytes, the limit (max-job-size) is %lld", (long long)st.st_size,
			 (long long)app->max_job_bytes);
		es_printer_job_fail(app, job, PAPPL_JREASON_DOCUMENT_UNPRINTABLE_ERROR,
				    "The document is larger than this printer accepts.", detail);
		return false;
	}
	if (size_out != NULL)
		*size_out = st.st_size;
	return true;
}

/* Picks the first free name in the folder and seals into it; the library refuses to replace a file, so a name taken
 * meanwhile just moves us on to the next number. The folder is named through our descriptor of it, so a path
 * component swapped after the checks cannot redirect the output. */
static int seal_into(eseal_sealer *sealer, const char *in, int dirfd, const char *base, char *name, size_t size,
		     eseal_error *err)
{
	eseal_seal_options so = ESEAL_SEAL_OPTIONS_INIT;
	struct stat st;
	char out[ES_CUPS_NAME_MAX + 64];
	unsigned n;
	int rc = ESEAL_OK;

	so.format = ESEAL_FORMAT_PDF;
	for (n = 1; n <= ES_DELIVERY_MAX_TRIES; n++) {
		if (es_delivery_candidate_name(base, ".pdf", n, name, size) != 0)
			return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot form an output name", base);
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		snprintf(out, sizeof(out), "/proc/self/fd/%d/%s", dirfd, name);
		rc = eseal_sealer_seal(sealer, in, out, &so, NULL, err);
		if (rc != ESEAL_E_IO || fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			return rc;
		eseal_error_clear(err);
	}
	return es_error_set(err, ESEAL_E_IO, "%s: %u files of this name already exist in the folder", base,
			    ES_DELIVERY_MAX_TRIES);
}

/* Cuts s to at most max bytes without leaving half a UTF-8 character at the end. */
static void cut_utf8(char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	s[n] = '\0';
}

/* The optional drop folder (drop-dir): a second copy of the sealed file, named "USER - NAME", for a program that
 * collects sealed prints (document management, mail). Written under a temporary name and named only when complete,
 * never replacing a file; the folder is the administrator's and is opened as configured. */
static int drop_copy(const char *drop_dir, int src_dirfd, const char *src_name, const char *user, const char *base,
		     char *name, size_t size, eseal_error *err)
{
	char label[ES_DELIVERY_NAME_MAX + 256], path[ES_DELIVERY_NAME_MAX + 96], buf[65536];
	eseal_output *out = NULL;
	ssize_t n;
	unsigned i;
	int src = -1, dirfd = -1, rc = ESEAL_OK;

	snprintf(label, sizeof(label), "%s - %s", user, base);
	cut_utf8(label, ES_DELIVERY_NAME_MAX);
	if ((dirfd = open(drop_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = es_error_set(err, ESEAL_E_CONFIG, "drop-dir %s: %s", drop_dir, strerror(errno));
		goto cleanup;
	}
	if ((src = openat(src_dirfd, src_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot read back the sealed file: %s", src_name,
				  strerror(errno));
		goto cleanup;
	}
	for (i = 1; i <= ES_DELIVERY_MAX_TRIES; i++) {
		if (es_delivery_candidate_name(label, ".pdf", i, name, size) != 0) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot form a drop-dir name", label);
			goto cleanup;
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, name);
		if (eseal_output_open(&out, path, 0, NULL, err) == ESEAL_OK)
			break;
		eseal_error_clear(err);
	}
	if (out == NULL) {
		rc = es_error_set(err, ESEAL_E_IO, "drop-dir %s: no free name for %s", drop_dir, label);
		goto cleanup;
	}
	while ((n = read(src, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = es_error_set(err, ESEAL_E_IO, "%s: %s", src_name, strerror(errno));
			goto cleanup;
		}
		if ((rc = eseal_output_write(out, buf, (size_t)n, err)) != ESEAL_OK)
			goto cleanup;
	}
	rc = eseal_output_commit(out, err);
cleanup:
	eseal_output_free(out);
	if (src >= 0)
		close(src);
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}

/* Lets the owner (uid) read the file just sealed as name in dirfd. Opened without following links, and only a
 * regular file of ours: we set the ACL on what we made, whatever the name may point to by now. */
static int give_to_owner(int dirfd, const char *dir_path, const char *name, uid_t uid, eseal_error *err)
{
	char what[ES_CUPS_NAME_MAX + 1100];
	struct stat st;
	int fd, rc;

	snprintf(what, sizeof(what), "%s/%s", dir_path, name);
	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot open the sealed file: %s", what, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
		rc = es_error_set(err, ESEAL_E_IO, "%s: not the file just sealed", what);
	else
		rc = es_delivery_grant_read(fd, uid, what, err);
	close(fd);
	return rc;
}

/* One attempt with the shared sealer, opening it first if no earlier job did (or a fault closed it). */
static int attempt(es_printer_app *app, const char *in, int dirfd, const char *base, char *name, size_t size,
		   eseal_error *err)
{
	int rc;

	pthread_mutex_lock(&app->lock);
	rc = app->sealer != NULL ? ESEAL_OK : eseal_sealer_open(&app->sealer, app->profile, err);
	if (rc == ESEAL_OK)
		rc = seal_into(app->sealer, in, dirfd, base, name, size, err);
	/* After a token fault the session may be gone: the next attempt logs in again. A TSA fault keeps the key. */
	if (rc != ESEAL_OK && rc != ESEAL_E_TSA && rc != ESEAL_E_INPUT && app->sealer != NULL) {
		eseal_sealer_free(app->sealer);
		app->sealer = NULL;
	}
	if (rc != ESEAL_OK)
		snprintf(app->last_error, sizeof(app->last_error), "%s", err->message);
	else
		app->last_error[0] = '\0';
	pthread_mutex_unlock(&app->lock);
	return rc;
}

/* Waits up to seconds, a second at a time, so a cancel is honoured promptly. Returns false once the job is cancelled
 * or the system is shutting down. */
static bool wait_retry(pappl_job_t *job, int seconds)
{
	pappl_system_t *system = papplPrinterGetSystem(papplJobGetPrinter(job));
	int i;

	for (i = 0; i < seconds; i++) {
		if (papplJobIsCanceled(job) || papplSystemIsShutdown(system))
			return false;
		sleep(1);
	}
	return !papplJobIsCanceled(job) && !papplSystemIsShutdown(system);
}

static pappl_jreason_t reason_for(eseal_status st)
{
	switch (st) {
	case ESEAL_E_INPUT: return PAPPL_JREASON_DOCUMENT_FORMAT_ERROR;
	case ESEAL_E_PIN:
	case ESEAL_E_CONFIG: return PAPPL_JREASON_ABORTED_BY_SYSTEM;
	default: return PAPPL_JREASON_ERRORS_DETECTED;
	}
}

/* The library's one sentence for the class of fault, in the application's language; the message itself is logged. */
static void status_fail(es_printer_app *app, pappl_job_t *job, eseal_status st, const char *detail)
{
	papplJobSetMessage(job, "%s", eseal_status_text(st, app->lang));
	papplJobSetReasons(job, reason_for(st), PAPPL_JREASON_NONE);
	papplLogJob(job, PAPPL_LOGLEVEL_ERROR, "%s: %s", eseal_status_name(st), detail);
}

bool es_printer_seal_job(es_printer_app *app, pappl_job_t *job, const char *pdf_path)
{
	pappl_printer_t *printer = papplJobGetPrinter(job);
	eseal_error err;
	char base[ES_CUPS_NAME_MAX + 1], name[ES_CUPS_NAME_MAX + 32], idstr[32];
	char *dir_path = NULL, *home = NULL;
	const char *user = papplJobGetUsername(job);
	time_t start = time(NULL);
	uid_t owner = ES_DELIVERY_NO_READER;
	int dirfd = -1, rc, tries = 0;
	bool ok = false, waiting = false;

	eseal_error_clear(&err);
	if (es_delivery_check_user(user, &err) != ESEAL_OK) {
		status_fail(app, job, err.status, err.message);
		goto cleanup;
	}
	/* A name no local account has (authentication off, a client's made-up name) gets no one's read access: the
	 * file is sealed all the same, for the service (and drop-dir) alone, as it always was. */
	if ((rc = es_delivery_lookup_user(user, &owner, &home, &err)) == ESEAL_E_INPUT) {
		papplLogJob(job, PAPPL_LOGLEVEL_WARN, "%s; the sealed file will be readable by the service only",
			    err.message);
		owner = ES_DELIVERY_NO_READER;
		eseal_error_clear(&err);
	} else if (rc != ESEAL_OK) {
		status_fail(app, job, rc, err.message);
		goto cleanup;
	}
	/* The per-user folders are the service account's; the owner may list and enter theirs. ${HOME} in
	 * output-dir is the owner's home directory. */
	if (es_delivery_open_dir_for(app->profile->output_dir, user, home, owner, &dirfd, &dir_path, &err) !=
	    ESEAL_OK) {
		status_fail(app, job, err.status, err.message);
		goto cleanup;
	}
	snprintf(idstr, sizeof(idstr), "%d", papplJobGetID(job));
	es_cups_base_name(papplJobGetName(job), idstr, base);
	for (;;) {
		eseal_error_clear(&err);
		tries++;
		rc = attempt(app, pdf_path, dirfd, base, name, sizeof(name), &err);
		if (rc == ESEAL_OK)
			break;
		papplLogJob(job, PAPPL_LOGLEVEL_ERROR, "attempt %d: %s", tries, err.message);
		/* A transient fault keeps the job: its message tells staff it waits, the printer shows a warning. */
		if (eseal_status_is_transient(rc) && time(NULL) - start < app->retry_limit) {
			papplJobSetMessage(job, "%s", eseal_status_text(rc, app->lang));
			papplPrinterSetReasons(printer, PAPPL_PREASON_OTHER, PAPPL_PREASON_NONE);
			waiting = true;
			if (wait_retry(job, app->retry_interval))
				continue;
			if (papplJobIsCanceled(job))
				goto cleanup;
		}
		status_fail(app, job, rc, err.message);
		goto cleanup;
	}
	/* A sealed file its owner cannot open is no result: it goes, and the job says why. */
	eseal_error_clear(&err);
	if (owner != ES_DELIVERY_NO_READER && give_to_owner(dirfd, dir_path, name, owner, &err) != ESEAL_OK) {
		(void)unlinkat(dirfd, name, 0);
		status_fail(app, job, err.status, err.message);
		goto cleanup;
	}
	if (app->drop_dir != NULL) {
		char dropped[ES_DELIVERY_NAME_MAX + 32];

		/* The user has the sealed file; a failed copy is the administrator's problem, not a failed print. */
		eseal_error_clear(&err);
		if (drop_copy(app->drop_dir, dirfd, name, user, base, dropped, sizeof(dropped), &err) != ESEAL_OK)
			papplLogJob(job, PAPPL_LOGLEVEL_ERROR, "drop-dir copy failed: %s", err.message);
		else
			papplLogJob(job, PAPPL_LOGLEVEL_INFO, "Copied to %s/%s", app->drop_dir, dropped);
	}
	papplJobSetMessage(job, "%s %s", eseal_text(app->lang, "Sealed as"), name);
	papplLogJob(job, PAPPL_LOGLEVEL_INFO, "Sealed (%s) as %s/%s after %d attempt(s)",
		    eseal_level_name(app->profile->level), dir_path, name, tries);
	ok = true;
cleanup:
	if (waiting)
		papplPrinterSetReasons(printer, PAPPL_PREASON_NONE, PAPPL_PREASON_OTHER);
	free(dir_path);
	free(home);
	if (dirfd >= 0)
		close(dirfd);
	return ok;
}

void es_printer_app_close(es_printer_app *app)
{
	pthread_mutex_lock(&app->lock);
	eseal_sealer_free(app->sealer);
	app->sealer = NULL;
	pthread_mutex_unlock(&app->lock);
}
