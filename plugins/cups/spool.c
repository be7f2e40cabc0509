/* plugins/cups/spool.c: the job's bytes when CUPS hands them over on stdin (after a filter, or from `lp` via a pipe).
 * They go to a private temp file that is unlinked at once: only our descriptor names it, so a cancelled (SIGTERM)
 * or killed job leaves nothing in $TMPDIR, and no other process can swap the file under us. */
#include "cups_internal.h"
#include "eseal/pdf.h"
#include "error_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *es_cups_temp_dir(void)
{
	const char *d = getenv("TMPDIR"); /* CUPS points it at its own private TempDir */

	/* A relative TMPDIR would change meaning when the backend changes directory. */
	if (d == NULL || d[0] != '/' || strlen(d) > 3000)
		return "/tmp";
	return d;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int es_cups_spool_stdin(int *fd_out, eseal_error *err)
{
	char path[3100];
	unsigned char buf[65536];
	off_t total = 0;
	int fd = -1, rc = ESEAL_OK;

	*fd_out = -1;
	snprintf(path, sizeof(path), "%s/eseal-job-XXXXXX", es_cups_temp_dir());
	/* mkstemp creates the file 0600 with O_EXCL: never a file someone else prepared. */
	if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot create a temporary file for the job: %s", path,
				    strerror(errno));
	if (unlink(path) != 0) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot unlink the temporary file: %s", path, strerror(errno));
		goto cleanup;
	}
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = es_error_set(err, ESEAL_E_IO, "job data on stdin: read failed: %s", strerror(errno));
			goto cleanup;
		}
		if (n == 0)
			break;
		total += n;
		if (total > ES_CUPS_MAX_JOB) {
			rc = es_error_set(err, ESEAL_E_INPUT, "job data on stdin: larger than %lld bytes; not sealed",
					  (long long)ES_CUPS_MAX_JOB);
			goto cleanup;
		}
		if (write_all(fd, buf, (size_t)n) != 0) {
			rc = es_error_set(err, ESEAL_E_IO, "%s: cannot write the job to the temporary file: %s",
					  es_cups_temp_dir(), strerror(errno));
			goto cleanup;
		}
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		rc = es_error_set(err, ESEAL_E_IO, "temporary job file: cannot rewind: %s", strerror(errno));
		goto cleanup;
	}
	*fd_out = fd;
	fd = -1;
cleanup:
	if (fd >= 0)
		close(fd);
	return rc;
}

int es_cups_check_pdf(int fd, const char *what, eseal_error *err)
{
	unsigned char head[1024];
	size_t got = 0;

	while (got < sizeof(head)) {
		ssize_t n = pread(fd, head + got, sizeof(head) - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return es_error_set(err, ESEAL_E_IO, "%s: cannot read: %s", what, strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == 0)
		return es_error_set(err, ESEAL_E_INPUT, "%s: empty job; nothing to seal", what);
	if (!eseal_pdf_detect(head, got))
		return es_error_set(
			err, ESEAL_E_INPUT,
			"%s: not a PDF (no %%PDF- header); the e-Seal printer seals PDF only - print from an "
			"application, or check that the queue uses eseal.ppd so CUPS converts other formats",
			what);
	return ESEAL_OK;
}
