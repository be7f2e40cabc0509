/* plugins/server/audit.c: the audit log of the service: one JSON line per seal attempt, durable before the answer.
 * The organization answers for every use of its key, so a seal whose line cannot be written is not handed out. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

int srv_audit_open(srv_audit *a, const char *path, eseal_error *err)
{
	a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (a->fd < 0)
		return srv_error(err, ESEAL_E_CONFIG, "%s: cannot open the audit log: %s", path, strerror(errno));
	if (pthread_mutex_init(&a->lock, NULL) != 0) {
		close(a->fd);
		a->fd = -1;
		return srv_error(err, ESEAL_E_INTERNAL, "cannot create a mutex");
	}
	return ESEAL_OK;
}

void srv_audit_close(srv_audit *a)
{
	if (a->fd < 0)
		return;
	close(a->fd);
	pthread_mutex_destroy(&a->lock);
	a->fd = -1;
}

int srv_audit_seal(srv_audit *a, const char *client, const char *profile, const char *format, const char *doc_sha256,
		   const char *out_sha256, const char *result, const char *message, eseal_error *err)
{
	json_t *o;
	char when[32], *line = NULL;
	struct tm tm;
	time_t now = time(NULL);
	size_t len, off = 0;
	ssize_t w;
	int rc = ESEAL_OK;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s, s:s?}", "time", when, "client", client, "profile", profile,
		      "format", format, "document_sha256", doc_sha256, "output_sha256", out_sha256, "result", result,
		      "message", message);
	if (o == NULL || (line = json_dumps(o, JSON_COMPACT)) == NULL) {
		rc = srv_error(err, ESEAL_E_INTERNAL, "out of memory writing the audit log");
		goto cleanup;
	}
	len = strlen(line);
	line[len++] = '\n'; /* replaces the NUL: written with its length */
	/* One write per line (O_APPEND keeps concurrent writers' lines whole); the lock orders fsync after it. */
	pthread_mutex_lock(&a->lock);
	while (off < len) {
		w = write(a->fd, line + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < len || fsync(a->fd) != 0)
		rc = srv_error(err, ESEAL_E_IO, "cannot write the audit log: %s", strerror(errno));
	pthread_mutex_unlock(&a->lock);
cleanup:
	free(line);
	json_decref(o);
	return rc;
}
