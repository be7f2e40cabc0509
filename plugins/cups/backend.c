/* plugins/cups/backend.c: the "e-Seal printer", a CUPS backend (backend(7)) that seals each printed PDF.
 * It translates the CUPS world (argv, DEVICE_URI, stdin, job user and title) into one eseal_sealer_seal() call and
 * the library's status classes into CUPS_BACKEND_* exit codes; sealing and safe output are the library's. */
#include "cups_internal.h"
#include "eseal/eseal.h"
#include "eseal/i18n.h"
#include "error_internal.h"
#include "i18n_internal.h"

#include <cups/backend.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROFILE_NAME_MAX 64
#define MAX_NAME_TRIES ES_DELIVERY_MAX_TRIES
/* The sealed file's name inside the sealing child's private folder (only the child and root ever see it). */
#define PRIVATE_NAME "sealed.pdf"

/* Printer-state-reasons we set (STATE: lines); cleared again by the next job that seals. */
static const char *const state_reasons = "eseal-token-error,eseal-config-error,eseal-hsm-unavailable-warning,"
					 "eseal-tsa-unavailable-warning";

/* One line, no control characters: the CUPS log and the printer-state-message are line based. A library message
 * names the input file; ours is /proc/self/fd/N, which means nothing to an admin, so it becomes "job ID". */
static void report(const char *prefix, const char *msg, const char *alias, const char *job_label)
{
	size_t alen = alias != NULL ? strlen(alias) : 0;
	const char *p;

	fprintf(stderr, "%s: ", prefix);
	for (p = msg; *p != '\0'; p++) {
		if (alen > 0 && strncmp(p, alias, alen) == 0) {
			fputs(job_label, stderr);
			p += alen - 1;
		} else {
			fputc((unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p, stderr);
		}
	}
	fputc('\n', stderr);
}

/* The library's classes as CUPS sees them: what is wrong with this job (cancel it), with the printer (stop the
 * queue until the admin acts), or with a service that will come back (retry the job later). */
static int exit_code_for(eseal_status st, const char **reason)
{
	*reason = NULL;
	/* The library decides what is worth retrying (HSM, TSA); we only name the reason. */
	if (eseal_status_is_transient(st)) {
		*reason = st == ESEAL_E_TSA ? "eseal-tsa-unavailable-warning" : "eseal-hsm-unavailable-warning";
		return CUPS_BACKEND_RETRY;
	}
	switch (st) {
	case ESEAL_OK: return CUPS_BACKEND_OK;
	case ESEAL_E_INPUT: return CUPS_BACKEND_CANCEL;
	case ESEAL_E_PIN: /* retrying a wrong PIN would lock the token */
		*reason = "eseal-token-error";
		return CUPS_BACKEND_STOP;
	case ESEAL_E_CONFIG:
	case ESEAL_E_USAGE: *reason = "eseal-config-error"; return CUPS_BACKEND_STOP;
	default: break; /* I/O, crypto, internal: the queue's error policy decides */
	}
	return CUPS_BACKEND_FAILED;
}

/* The job's language as CUPS gives it to us: it sets LANG from the job's attributes-natural-language ("ja",
 * "ja-jp"), falling back to its own. Only the language part is kept ("ja"), so that the library picks the locale it
 * has a catalog for. */
static const char *job_language(void)
{
	static char lang[8];
	const char *l = getenv("LANG");
	size_t n = 0;

	while (l != NULL && n < sizeof(lang) - 1 && l[n] >= 'a' && l[n] <= 'z')
		n++;
	memcpy(lang, l != NULL ? l : "", n);
	lang[n] = '\0';
	return n == 2 ? lang : "en";
}

/* What office staff see is one short sentence in the job's language: cupsd makes a job's first ERROR line its
 * job-printer-state-message, and the printer's state message follows the latest message line, so the sentence
 * comes first and last. The technical detail is the second ERROR line: it goes to the error log (CUPS's default
 * LogLevel) without replacing the sentence. */
static int fail_staff(const eseal_error *err, const char *staff_msgid, const char *alias, const char *job_label)
{
	const char *reason = NULL, *staff = staff_msgid != NULL ? eseal_text(job_language(), staff_msgid) :
								  eseal_status_text(err->status, job_language());
	int code = exit_code_for(err->status, &reason);

	fprintf(stderr, "ERROR: %s\n", staff);
	report("ERROR", err->message[0] != '\0' ? err->message : "failed", alias, job_label);
	if (reason != NULL)
		fprintf(stderr, "STATE: +%s\n", reason);
	if (eseal_status_is_transient(err->status))
		fprintf(stderr, "INFO: will retry the job later\n");
	fprintf(stderr, "INFO: %s\n", staff);
	return code;
}

static int fail(const eseal_error *err, const char *alias, const char *job_label)
{
	return fail_staff(err, NULL, alias, job_label);
}

/* Staff texts of the back end itself (po/ja.po); the failure classes' texts are the library's. */
#define STAFF_UNKNOWN_USER "Your user name is not known on the e-Seal printer's server; ask the administrator."
#define STAFF_NOT_DELIVERED "The document was sealed but could not be saved in your folder; ask the administrator."

/* eseal_warn_fn: the library's warnings (a stamp that had to go over page content, a PIN file others can read) as
 * WARNING: lines, which cupsd writes to its error log at the default LogLevel. One line, no control characters. */
static void log_warning(void *ctx, const char *message)
{
	report("WARNING", message, (const char *)ctx, "the job");
}

/* eseal:/office, eseal://office, eseal:office -> "office"; eseal:/ -> "default". */
static int profile_from_uri(const char *uri, char *out, size_t size, eseal_error *err)
{
	const char *p = uri;
	size_t n;

	if (uri == NULL)
		return es_error_set(err, ESEAL_E_CONFIG, "no device URI (DEVICE_URI is not set)");
	if (strncmp(p, "eseal:", 6) != 0)
		return es_error_set(err, ESEAL_E_CONFIG, "device URI does not start with eseal:");
	p += 6;
	while (*p == '/')
		p++;
	n = strlen(p);
	while (n > 0 && p[n - 1] == '/')
		n--;
	if (n == 0) {
		p = "default";
		n = strlen(p);
	}
	if (n >= size || n > PROFILE_NAME_MAX)
		return es_error_set(err, ESEAL_E_CONFIG, "device URI: profile name longer than %d characters",
				    PROFILE_NAME_MAX);
	memcpy(out, p, n);
	out[n] = '\0';
	for (p = out; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_' || *p == '.'))
			return es_error_set(err, ESEAL_E_CONFIG,
					    "device URI: profile name '%s' has characters other than letters, "
					    "digits, '-', '_' and '.'",
					    out);
	return ESEAL_OK;
}

/* Picks the first free name (name.pdf, name (2).pdf, ...) and seals into it. The library refuses to replace a
 * file, so when another job takes our name while we seal, we simply move on to the next number. */
static int seal_into(eseal_sealer *sealer, const char *in, int dirfd, const char *base, char *name, size_t size,
		     eseal_error *err)
{
	eseal_seal_options so;
	struct stat st;
	unsigned n;
	int rc = ESEAL_OK;

	memset(&so, 0, sizeof(so));
	so.format = ESEAL_FORMAT_PDF;
	so.overwrite = 0;
	for (n = 1; n <= MAX_NAME_TRIES; n++) {
		if (es_delivery_candidate_name(base, ".pdf", n, name, size) != 0)
			return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot form an output name", base);
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		/* The directory is our cwd (see main): a relative name cannot be redirected by a swapped path. */
		rc = eseal_sealer_seal(sealer, in, name, &so, NULL, err);
		if (rc != ESEAL_E_IO || fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			return rc;
		eseal_error_clear(err);
	}
	return es_error_set(err, ESEAL_E_IO, "%s: %u files of this name already exist in the folder", base,
			    MAX_NAME_TRIES);
}

/* The spool file cupsd names in argv[6]: a regular file, never reached through a link planted in its place. */
static int open_job_file(const char *path, int *fd_out, eseal_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	*fd_out = -1;
	if (fd < 0 && errno == ELOOP)
		return es_error_set(err, ESEAL_E_INPUT, "%s: the job file is a symbolic link; refusing it", path);
	if (fd < 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot open the job file: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return es_error_set(err, ESEAL_E_INPUT, "%s: the job file is not a regular file", path);
	}
	*fd_out = fd;
	return ESEAL_OK;
}

/* "job 42". CUPS job ids are numbers; anything else (a hand-made call) is kept printable for the log. */
static void job_label_of(const char *job_id, char *out, size_t size)
{
	size_t i, n = (size_t)snprintf(out, size, "job %.32s", job_id);

	for (i = 4; i < n && i < size; i++)
		if ((unsigned char)out[i] < 0x21 || (unsigned char)out[i] > 0x7e)
			out[i] = '_';
}

static void discovery(void)
{
	/* backend(7): device-class device-uri "make-and-model" "info" "device-id" "location" */
	cupsBackendReport("direct", "eseal:/", "e-Seal printer", "e-Seal printer (eseal)",
			  "MFG:eseal;MDL:e-Seal printer;CMD:PDF;CLS:PRINTER;DES:seals printed PDFs;", "");
}

/* The sealing child's end when it runs under a root parent: seal into a fresh private folder (0700, ours), open the
 * result, remove both names and hand the descriptor over. */
static int seal_private(eseal_sealer *sealer, const eseal_profile *profile, const char *in, int sock, eseal_error *err)
{
	char dir[3200], text[4096];
	int fd = -1, rc;

	snprintf(dir, sizeof(dir), "%s/eseal-out-XXXXXX", es_cups_temp_dir());
	if (mkdtemp(dir) == NULL)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot create a private folder: %s", dir, strerror(errno));
	if (chdir(dir) != 0) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot enter: %s", dir, strerror(errno));
		goto cleanup;
	}
	if ((rc = eseal_sealer_seal(sealer, in, PRIVATE_NAME, &(eseal_seal_options){.format = ESEAL_FORMAT_PDF}, NULL,
				    err)) != ESEAL_OK)
		goto cleanup;
	if ((fd = open(PRIVATE_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot open the sealed file: %s", dir, strerror(errno));
		goto cleanup;
	}
	snprintf(text, sizeof(text), "%s\t%s", eseal_level_name(profile->level), profile->output_dir);
	if (es_cups_send_result(sock, fd, text) != 0)
		rc = es_error_set(err, ESEAL_E_INTERNAL, "cannot hand the sealed file to the delivery step");
cleanup:
	if (fd >= 0)
		close(fd);
	(void)unlink(PRIVATE_NAME);
	/* Out of the folder before removing it. "/" is always enterable; rmdir works with the absolute name anyway. */
	if (chdir("/") != 0) {
	}
	(void)rmdir(dir);
	return rc;
}

/* Everything that touches the job, the key and the profile, as an unprivileged user. sock < 0: seal straight into
 * the profile's output-dir (we were not started as root, so the file can only be ours). sock >= 0: seal privately
 * and hand the finished file to the root parent, which delivers it to the job's user (seal_and_deliver). */
static int seal_job(int argc, char **argv, int sock)
{
	eseal_error err;
	eseal_profile *profile = NULL;
	eseal_sealer *sealer = NULL;
	char profile_name[PROFILE_NAME_MAX + 1], base[ES_CUPS_NAME_MAX + 1], name[ES_CUPS_NAME_MAX + 32];
	char in_alias[64], job_label[96];
	char *dir_path = NULL, *home = NULL;
	const char *job_id = argv[1], *user = argv[2], *title = argv[3];
	int in_fd = -1, dirfd = -1, code = CUPS_BACKEND_FAILED;

	eseal_error_clear(&err);
	in_alias[0] = '\0';
	job_label_of(job_id, job_label, sizeof(job_label));
	if (eseal_init(&err) != ESEAL_OK) {
		code = fail(&err, NULL, job_label);
		goto cleanup;
	}
	if (profile_from_uri(cupsBackendDeviceURI(argv), profile_name, sizeof(profile_name), &err) != ESEAL_OK ||
	    eseal_profile_load(&profile, NULL, profile_name, &err) != ESEAL_OK) {
		code = fail(&err, NULL, job_label);
		goto cleanup;
	}
	if (profile->output_dir == NULL) {
		es_error_set(&err, ESEAL_E_CONFIG,
			     "output-dir: not set in profile '%s' (e.g. ${HOME}/PDF or /srv/sealed/${USER})",
			     profile_name);
		code = fail(&err, NULL, job_label);
		goto cleanup;
	}
	fprintf(stderr, "STATE: -%s\n", state_reasons);
	fprintf(stderr, "INFO: Sealing %s with profile '%s'\n", job_label, profile_name);

	/* The job: the spool file CUPS names in argv[6], else stdin (after a filter, or a raw pipe). */
	if (argc == 7) {
		if (open_job_file(argv[6], &in_fd, &err) != ESEAL_OK) {
			code = fail(&err, NULL, job_label);
			goto cleanup;
		}
	} else if (es_cups_spool_stdin(&in_fd, &err) != ESEAL_OK) {
		code = fail(&err, NULL, job_label);
		goto cleanup;
	}
	/* One name for the input that survives our change of directory and cannot be swapped: our descriptor. */
	snprintf(in_alias, sizeof(in_alias), "/proc/self/fd/%d", in_fd);
	if (es_cups_check_pdf(in_fd, job_label, &err) != ESEAL_OK ||
	    (sock < 0 &&
	     (home = es_delivery_home_of(user),
	      es_delivery_open_dir(profile->output_dir, user, home, &dirfd, &dir_path, &err)) != ESEAL_OK) ||
	    eseal_sealer_open_ext(&sealer, profile, &(eseal_sealer_options){.warn = log_warning, .warn_ctx = in_alias},
				  &err) != ESEAL_OK) {
		code = fail(&err, in_alias, job_label);
		goto cleanup;
	}
	if (sock >= 0) {
		if (seal_private(sealer, profile, in_alias, sock, &err) != ESEAL_OK) {
			code = fail(&err, in_alias, job_label);
			goto cleanup;
		}
		code = CUPS_BACKEND_OK;
		goto cleanup;
	}
	/* The library names outputs by path; making the checked directory our cwd and passing a bare name means
	 * nobody can redirect the output by replacing a path component after the checks above. */
	if (fchdir(dirfd) != 0) {
		es_error_set(&err, ESEAL_E_IO, "output-dir %s: cannot enter: %s", dir_path, strerror(errno));
		code = fail(&err, in_alias, job_label);
		goto cleanup;
	}
	es_cups_base_name(title, job_id, base);
	if (seal_into(sealer, in_alias, dirfd, base, name, sizeof(name), &err) != ESEAL_OK) {
		code = fail(&err, in_alias, job_label);
		goto cleanup;
	}
	fprintf(stderr, "INFO: Sealed (%s, %s) as %s/%s\n", eseal_format_name(ESEAL_FORMAT_PDF),
		eseal_level_name(profile->level), dir_path, name);
	code = CUPS_BACKEND_OK;
cleanup:
	eseal_sealer_free(sealer);
	eseal_profile_free(profile);
	free(dir_path);
	free(home);
	if (dirfd >= 0)
		close(dirfd);
	if (in_fd >= 0)
		close(in_fd);
	eseal_cleanup();
	return code;
}

/* Started as root (the backend installed 0700): a child that has become lp seals; root only passes the finished
 * file's descriptor to the delivery step, which copies it into the job user's folder as that user. */
static int seal_and_deliver(int argc, char **argv)
{
	eseal_error err;
	char job_label[96], base[ES_CUPS_NAME_MAX + 1];
	char *text = NULL, *path = NULL, *tab;
	int sv[2] = {-1, -1}, fd = -1, wst = 0, code = CUPS_BACKEND_FAILED;
	pid_t pid;

	eseal_error_clear(&err);
	job_label_of(argv[1], job_label, sizeof(job_label));
	/* A job whose user cannot receive the file is refused before the key is used. */
	if (es_delivery_check_local_user(argv[2], &err) != ESEAL_OK) {
		code = fail_staff(&err, err.status == ESEAL_E_INPUT ? STAFF_UNKNOWN_USER : NULL, NULL, job_label);
		goto cleanup;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0 || (pid = fork()) < 0) {
		es_error_set(&err, ESEAL_E_IO, "cannot start the sealing process: %s", strerror(errno));
		code = fail(&err, NULL, job_label);
		goto cleanup;
	}
	if (pid == 0) {
		close(sv[0]);
		if (es_cups_drop_root(&err) != ESEAL_OK)
			exit(fail(&err, NULL, job_label));
		exit(seal_job(argc, argv, sv[1]));
	}
	close(sv[1]);
	sv[1] = -1;
	if (es_cups_recv_result(sv[0], &fd, &text) != 0)
		fd = -1;
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(wst) || WEXITSTATUS(wst) != CUPS_BACKEND_OK) {
		/* The child said why on stderr already. */
		code = WIFEXITED(wst) ? WEXITSTATUS(wst) : CUPS_BACKEND_FAILED;
		if (!WIFEXITED(wst))
			fprintf(stderr, "ERROR: the sealing process of %s ended by signal %d\n", job_label,
				WIFSIGNALED(wst) ? WTERMSIG(wst) : 0);
		goto cleanup;
	}
	if (fd < 0 || text == NULL || (tab = strchr(text, '\t')) == NULL) {
		es_error_set(&err, ESEAL_E_INTERNAL, "the sealing process of %s handed over no file", job_label);
		code = fail(&err, NULL, job_label);
		goto cleanup;
	}
	*tab++ = '\0';
	es_cups_base_name(argv[3], argv[1], base);
	if (es_deliver_file(fd, argv[2], &(es_delivery){.dir_template = tab, .base = base, .ext = ".pdf"}, &path,
			    &err) != ESEAL_OK) {
		code = fail_staff(&err, STAFF_NOT_DELIVERED, NULL, job_label);
		goto cleanup;
	}
	fprintf(stderr, "INFO: Sealed (%s, %s) as %s\n", eseal_format_name(ESEAL_FORMAT_PDF), text, path);
	code = CUPS_BACKEND_OK;
cleanup:
	free(text);
	free(path);
	if (fd >= 0)
		close(fd);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return code;
}

int main(int argc, char **argv)
{
	eseal_error err;

	eseal_error_clear(&err);
	/* The staff messages' catalogs, also for failures before the library is initialized (the root parent). */
	es_i18n_bind();
	if (argc == 1) {
		/* Discovery never runs as root either. */
		if (es_cups_drop_root(&err) != ESEAL_OK)
			return fail(&err, NULL, "the job");
		discovery();
		return CUPS_BACKEND_OK;
	}
	if (argc < 6 || argc > 7) {
		fprintf(stderr, "Usage: %s job-id user title copies options [file]\n", argv[0]);
		return CUPS_BACKEND_FAILED;
	}
	if (geteuid() == 0 || getuid() == 0)
		return seal_and_deliver(argc, argv);
	return seal_job(argc, argv, -1);
}
