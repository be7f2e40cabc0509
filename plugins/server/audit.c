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

static void now_utc(char when[32])
{
	struct tm tm;
	time_t now = time(NULL);

	gmtime_r(&now, &tm);
	strftime(when, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* One write per line (O_APPEND keeps concurrent writers' lines whole); the lock orders fsync after it. */
static int append_line(srv_audit *a, json_t *o, eseal_error *err)
{
	char *line = NULL;
	size_t len, off = 0;
	ssize_t w;
	int rc = ESEAL_OK;

	if (o == NULL || (line = json_dumps(o, JSON_COMPACT)) == NULL) {
		json_decref(o);
		return srv_error(err, ESEAL_E_INTERNAL, "out of memory writing the audit log");
	}
	json_decref(o);
	len = strlen(line);
	line[len++] = '\n'; /* replaces the NUL: written with its length */
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
	free(line);
	return rc;
}

int srv_audit_seal(srv_audit *a, const char *client, const char *profile, const char *level, const char *format,
		   const char *doc_sha256, const char *out_sha256, const char *result, const char *message,
		   eseal_error *err)
{
	char when[32];

	now_utc(when);
	return append_line(a,
			   json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s, s:s?}", "time", when, "event",
				     "seal", "client", client, "profile", profile, "level", level, "format", format,
				     "document_sha256", doc_sha256, "output_sha256", out_sha256, "result", result,
				     "message", message),
			   err);
}

int srv_audit_sign_hash(srv_audit *a, const char *client, const char *profile, const char *hash_alg,
			const char *const *hashes_hex, size_t n, const char *result, const char *message,
			eseal_error *err)
{
	json_t *list = json_array();
	char when[32];
	size_t i;

	for (i = 0; list != NULL && i < n; i++)
		json_array_append_new(list, json_string(hashes_hex[i]));
	now_utc(when);
	return append_line(a,
			   list == NULL ? NULL :
					  json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s?}", "time", when, "event",
						    "signHash", "client", client, "profile", profile, "hash_algorithm",
						    hash_alg, "hashes", list, "result", result, "message", message),
			   err);
}
