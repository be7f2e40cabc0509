/* plugins/server/http.c: the HTTP side of `eseal serve`: routes, authentication, uploads streamed to a private file,
 * library calls, answers. Bodies never sit in memory: each chunk MHD hands over goes to disk and into a digest. */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "eseal/verify.h"
#include "server.h"

enum route { ROUTE_NONE = 0, ROUTE_SEAL, ROUTE_VERIFY, ROUTE_CSC };

/* CSC calls are small JSON objects, read into memory up to this size (or max-body, if smaller). */
#define CSC_MAX_BODY (1u << 20)

/* One request, from its headers to the end of its answer (MHD's per-request pointer). */
struct req {
	srv_state *st;
	enum route route;
	srv_clients *roster; /* the clients list this request authenticates against (held) */
	int counted;         /* counted in client->busy */
	const srv_client *client;
	eseal_sealer *sealer;
	const char *profile;
	eseal_format format;
	char dir[PATH_MAX]; /* private directory of the upload and the output; "" when none */
	char in[PATH_MAX + 16];
	int fd; /* the upload being written, -1 when closed */
	unsigned long long received;
	int too_large;
	int write_errno;
	EVP_MD_CTX *md;           /* SHA-256 of the upload, fed chunk by chunk */
	eseal_sealer *own_sealer; /* the request's settings over the profile's (NULL: the profile's sealer) */
	char csc_method[64];      /* CSC: the method, as "credentials/list" */
	char *body;               /* CSC: the JSON body */
	size_t body_len;
	/* A refusal decided from the headers of a request with a body is sent once the body is read (and dropped): a
	 * client still sending would otherwise see a broken connection instead of the answer. */
	int defer;
	struct MHD_Response *pending;
	unsigned int pending_code;
};

/* Answers with text (malloc'd JSON, taken over; NULL: out of memory, the connection is dropped). */
static enum MHD_Result queue_text(struct MHD_Connection *conn, struct req *q, unsigned int code, char *text,
				  unsigned retry_after)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char ra[16];

	if (text == NULL)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (retry_after > 0) {
		snprintf(ra, sizeof(ra), "%u", retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	if (code == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"eseal\"");
	if (q != NULL && q->defer) {
		q->pending = r;
		q->pending_code = code;
		return MHD_YES;
	}
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result queue_json(struct MHD_Connection *conn, struct req *q, unsigned int code, json_t *body,
				  unsigned retry_after)
{
	char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;

	json_decref(body);
	return queue_text(conn, q, code, text, retry_after);
}

/* The error body every endpoint uses: the library's class names and the CLI's exit code, so a client can apply the
 * same retry rules as a script around `eseal seal`. */
static enum MHD_Result queue_error(struct MHD_Connection *conn, struct req *q, unsigned int code,
				   const char *class_name, int exit_code, int retry, const char *message)
{
	json_t *o = json_pack("{s:{s:s, s:s, s:b, s:i}}", "error", "class", class_name, "message", message, "retry",
			      retry, "exit_code", exit_code);

	return queue_json(conn, q, code, o, retry ? q->st->cfg->retry_after : 0);
}

/* HTTP status for a library error: the client's fault (4xx), retry later (503), or ours (500). */
static unsigned int status_http(eseal_status s)
{
	switch (s) {
	case ESEAL_E_USAGE: return MHD_HTTP_BAD_REQUEST;
	case ESEAL_E_INPUT: return MHD_HTTP_UNPROCESSABLE_CONTENT;
	case ESEAL_E_HSM:
	case ESEAL_E_TSA:
	case ESEAL_E_REMOTE:
	case ESEAL_E_CANCELLED: return MHD_HTTP_SERVICE_UNAVAILABLE;
	default: return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

static enum MHD_Result queue_status(struct MHD_Connection *conn, struct req *q, const eseal_error *err)
{
	return queue_error(conn, q, status_http(err->status), eseal_status_name(err->status),
			   eseal_status_exit_code(err->status),
			   eseal_status_is_transient(err->status) || err->status == ESEAL_E_CANCELLED, err->message);
}

/* Messages name the upload's private path; the client only knows it as "document". */
static void hide_paths(const struct req *q, eseal_error *err)
{
	size_t dl = strlen(q->dir);
	char *p;

	if (dl == 0)
		return;
	while ((p = strstr(err->message, q->dir)) != NULL) {
		const char *rest = p + dl;

		if (*rest == '/')
			rest++;
		memmove(p, rest, strlen(rest) + 1);
	}
}

static void remove_files(struct req *q)
{
	char path[PATH_MAX + 16];

	if (q->fd >= 0) {
		close(q->fd);
		q->fd = -1;
	}
	if (q->dir[0] == '\0')
		return;
	unlink(q->in);
	snprintf(path, sizeof(path), "%s/sealed", q->dir);
	unlink(path);
	rmdir(q->dir);
	q->dir[0] = '\0';
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			      enum MHD_RequestTerminationCode toe)
{
	srv_state *st = cls;
	struct req *q = *con_cls;

	(void)conn;
	(void)toe;
	if (q == NULL)
		return;
	remove_files(q);
	EVP_MD_CTX_free(q->md);
	eseal_sealer_free(q->own_sealer);
	free(q->body);
	if (q->pending != NULL)
		MHD_destroy_response(q->pending);
	pthread_mutex_lock(&st->lock);
	if (q->counted)
		((srv_client *)q->client)->busy--;
	if (--st->in_flight == 0)
		pthread_cond_broadcast(&st->idle);
	pthread_mutex_unlock(&st->lock);
	srv_clients_release(st, q->roster);
	free(q);
	*con_cls = NULL;
}

/* With tls-client-ca, a client must have shown a certificate chaining to it (MHD asks for one; GnuTLS checks it). */
static int client_cert_ok(struct MHD_Connection *conn, const srv_state *st)
{
	const union MHD_ConnectionInfo *ci;
	gnutls_session_t s;
	unsigned int n = 0, status = 0;

	if (st->cfg->tls_client_ca == NULL)
		return 1;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || ci->tls_session == NULL)
		return 0;
	s = (gnutls_session_t)ci->tls_session;
	if (gnutls_certificate_type_get(s) != GNUTLS_CRT_X509 || gnutls_certificate_get_peers(s, &n) == NULL || n == 0)
		return 0;
	return gnutls_certificate_verify_peers2(s, &status) == GNUTLS_E_SUCCESS && status == 0;
}

/* "Authorization: Bearer TOKEN" against the clients file. */
static const srv_client *authenticate(struct MHD_Connection *conn, srv_state *st, const srv_clients *clients)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	const srv_client *c;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	if (*h == '\0')
		return NULL;
	/* A token from the clients file, or an access token oauth2/token handed out. */
	c = srv_clients_find(clients, h, strlen(h));
	return c != NULL ? c : srv_oauth_find(st, clients, h, strlen(h));
}

/* The profile settings a seal request may set for itself (the profile gives the rest); never the key, the TSA or a
 * file on the server. */
static const char *const seal_params[] = {"level",    "placement", "visible", "page",  "rect", "reason",
					  "location", "contact",   "certify", "field", NULL};

struct query_check {
	enum route route;
	const char *bad;
};

/* Only parameters the endpoint understands: a misspelt option must not be dropped silently. */
static enum MHD_Result check_query_key(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct query_check *c = cls;
	size_t i;

	(void)kind;
	(void)value;
	if (c->route == ROUTE_SEAL) {
		if (strcmp(key, "profile") == 0 || strcmp(key, "format") == 0)
			return MHD_YES;
		for (i = 0; seal_params[i] != NULL; i++)
			if (strcmp(key, seal_params[i]) == 0)
				return MHD_YES;
	}
	c->bad = key;
	return MHD_NO;
}

struct overrides {
	eseal_profile *profile;
	eseal_error *err;
	int n;
};

static enum MHD_Result apply_override(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct overrides *o = cls;

	(void)kind;
	if (strcmp(key, "profile") == 0 || strcmp(key, "format") == 0)
		return MHD_YES;
	o->n++;
	/* "?visible" alone switches it on, as --visible does. */
	return eseal_profile_set(o->profile, key, value != NULL ? value : "yes", o->err) == ESEAL_OK ? MHD_YES : MHD_NO;
}

/* A request that sets profile settings seals with a sealer of its own over the profile's signer: no new login. */
static int open_request_sealer(struct MHD_Connection *conn, struct req *q, eseal_sealer *base, eseal_error *err)
{
	eseal_sealer_options so = ESEAL_SEALER_OPTIONS_INIT;
	struct overrides o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.err = err;
	if ((rc = eseal_profile_copy(&o.profile, eseal_sealer_profile(base), err)) != ESEAL_OK)
		return rc;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, apply_override, &o);
	if (err->status == ESEAL_OK && o.n > 0) {
		so.signer = eseal_sealer_signer(base);
		if (eseal_sealer_open_ext(&q->own_sealer, o.profile, &so, err) == ESEAL_OK)
			q->sealer = q->own_sealer;
	}
	eseal_profile_free(o.profile);
	return err->status;
}

static eseal_sealer *find_sealer(const srv_state *st, const char *profile)
{
	size_t i;

	for (i = 0; i < st->n_sealers; i++)
		if (strcmp(st->sealers[i].profile, profile) == 0)
			return st->sealers[i].sealer;
	return NULL;
}

/* Counts a request of q->client: 0, or 1 when the client has max-per-client requests in progress already, 2 when
 * the service is shutting down. */
static int count_client(srv_state *st, struct req *q)
{
	srv_client *c = (srv_client *)q->client;
	int refused = 0;

	pthread_mutex_lock(&st->lock);
	if (st->draining)
		refused = 2;
	else if (c->busy >= st->cfg->max_per_client)
		refused = 1;
	else
		c->busy++;
	pthread_mutex_unlock(&st->lock);
	q->counted = !refused;
	return refused;
}

static enum MHD_Result queue_csc_error(struct MHD_Connection *conn, struct req *q, unsigned int code, const char *error,
				       const char *description, int retry)
{
	return queue_json(conn, q, code, json_pack("{s:s, s:s}", "error", error, "error_description", description),
			  retry ? q->st->cfg->retry_after : 0);
}

/* The CSC API: info is public, oauth2/token authenticates the client itself; the other methods need the same
 * client authentication as /v1. */
static enum MHD_Result admit_csc(struct MHD_Connection *conn, srv_state *st, struct req *q, const char *method_name,
				 const char *http_method)
{
	const char *len_h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long len, cap = st->cfg->max_body < CSC_MAX_BODY ? st->cfg->max_body : CSC_MAX_BODY;
	int refused;

	if (strcmp(http_method, MHD_HTTP_METHOD_POST) != 0)
		return queue_csc_error(conn, q, MHD_HTTP_METHOD_NOT_ALLOWED, "invalid_request", "use POST", 0);
	if (strlen(method_name) >= sizeof(q->csc_method))
		return queue_csc_error(conn, q, MHD_HTTP_NOT_FOUND, "invalid_request", "no such CSC method", 0);
	snprintf(q->csc_method, sizeof(q->csc_method), "%s", method_name);
	if (strcmp(method_name, "info") != 0) {
		if (!client_cert_ok(conn, st))
			return queue_csc_error(conn, q, MHD_HTTP_UNAUTHORIZED, "invalid_request",
					       "a client certificate issued by the service's client CA is required", 0);
	}
	if (strcmp(method_name, "info") != 0 && strcmp(method_name, "oauth2/token") != 0) {
		if ((q->client = authenticate(conn, st, q->roster)) == NULL)
			return queue_csc_error(conn, q, MHD_HTTP_UNAUTHORIZED, "invalid_token",
					       "missing or unknown bearer token (Authorization: Bearer TOKEN)", 0);
		if ((refused = count_client(st, q)) != 0)
			return queue_csc_error(conn, q,
					       refused == 2 ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_TOO_MANY_REQUESTS,
					       "temporarily_unavailable",
					       refused == 2 ? "the service is shutting down" :
							      "too many requests in progress for this client",
					       1);
	}
	if (len_h != NULL && sscanf(len_h, "%llu", &len) == 1 && len > cap && !(q->defer = 0))
		return queue_csc_error(conn, q, MHD_HTTP_CONTENT_TOO_LARGE, "invalid_request", "the body is too large",
				       0);
	q->route = ROUTE_CSC;
	return MHD_YES;
}

/* CSC bodies are kept in memory, within CSC_MAX_BODY. */
static void take_csc_chunk(struct req *q, const char *data, size_t size, unsigned long long max_body)
{
	unsigned long long cap = max_body < CSC_MAX_BODY ? max_body : CSC_MAX_BODY;
	char *grown;

	q->received += size;
	if (q->too_large || q->received > cap) {
		q->too_large = 1;
		return;
	}
	if ((grown = realloc(q->body, q->body_len + size + 1)) == NULL) {
		q->write_errno = ENOMEM;
		return;
	}
	q->body = grown;
	memcpy(q->body + q->body_len, data, size);
	q->body_len += size;
}

/* The service's CSC base URL as this client reached it (through a load balancer: the address it called), for info's
 * oauth2 member. */
static void self_url(struct MHD_Connection *conn, const srv_state *st, char *out, size_t size)
{
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	size_t i;

	if (host == NULL || host[0] == '\0' || strlen(host) > 255)
		host = st->cfg->listen_host;
	for (i = 0; host[i] != '\0'; i++)
		if (!(host[i] >= 'a' && host[i] <= 'z') && !(host[i] >= 'A' && host[i] <= 'Z') &&
		    !(host[i] >= '0' && host[i] <= '9') && strchr(".-:[]", host[i]) == NULL) {
			host = st->cfg->listen_host;
			break;
		}
	snprintf(out, size, "%s://%s/csc/v2", st->cfg->tls_cert != NULL ? "https" : "http", host);
}

static enum MHD_Result finish_csc(struct MHD_Connection *conn, srv_state *st, struct req *q)
{
	unsigned code = 500;
	int retry = 0;
	char *text, self[320];

	if (q->too_large)
		return queue_csc_error(conn, q, MHD_HTTP_CONTENT_TOO_LARGE, "invalid_request", "the body is too large",
				       0);
	if (q->write_errno != 0)
		return MHD_NO;
	if (strcmp(q->csc_method, "oauth2/token") == 0) {
		text = srv_oauth_token(
			st, q->roster, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
			MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE), q->body,
			q->body_len, &code);
		return queue_text(conn, q, code, text, 0);
	}
	self_url(conn, st, self, sizeof(self));
	text = srv_csc_call(st, q->client, q->csc_method, self, q->body, q->body_len, &code, &retry);
	return queue_text(conn, q, code, text, retry ? st->cfg->retry_after : 0);
}

/* Everything decided from the headers, before a byte of the body is read. Returns MHD_YES with q->route set to
 * accept the body, or the result of queueing a refusal. */
static enum MHD_Result admit(struct MHD_Connection *conn, srv_state *st, struct req *q, const char *url,
			     const char *method)
{
	const char *len_h, *fmt;
	struct query_check qc = {ROUTE_NONE, NULL};
	eseal_error err;
	char msg[256];
	unsigned long long len;
	int busy_refused = 0;

	if (strncmp(url, "/csc/v2/", 8) == 0)
		return admit_csc(conn, st, q, url + 8, method);
	if (strcmp(url, "/v1/seal") == 0)
		q->route = ROUTE_SEAL;
	else if (strcmp(url, "/v1/verify") == 0)
		q->route = ROUTE_VERIFY;
	else
		return queue_error(conn, q, MHD_HTTP_NOT_FOUND, "usage", 64, 0, "no such endpoint");
	if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
		q->route = ROUTE_NONE;
		return queue_error(conn, q, MHD_HTTP_METHOD_NOT_ALLOWED, "usage", 64, 0,
				   "use POST with the document as body");
	}
	if (!client_cert_ok(conn, st)) {
		q->route = ROUTE_NONE;
		return queue_error(conn, q, MHD_HTTP_UNAUTHORIZED, "unauthorized", 77, 0,
				   "a client certificate issued by the service's client CA is required");
	}
	if ((q->client = authenticate(conn, st, q->roster)) == NULL) {
		q->route = ROUTE_NONE;
		return queue_error(conn, q, MHD_HTTP_UNAUTHORIZED, "unauthorized", 77, 0,
				   "missing or unknown bearer token (Authorization: Bearer TOKEN)");
	}
	qc.route = q->route;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, check_query_key, &qc);
	if (qc.bad != NULL) {
		snprintf(msg, sizeof(msg), "unknown parameter '%.64s' (%s)", qc.bad,
			 q->route == ROUTE_SEAL ? "seal takes profile, format, level, placement, visible, page, rect, "
						  "reason, location, contact, certify and field" :
						  "verify takes none");
		q->route = ROUTE_NONE;
		return queue_error(conn, q, MHD_HTTP_BAD_REQUEST, "usage", 64, 0, msg);
	}
	if (q->route == ROUTE_SEAL) {
		q->profile = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "profile");
		fmt = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "format");
		if (q->profile == NULL || q->profile[0] == '\0') {
			q->route = ROUTE_NONE;
			return queue_error(conn, q, MHD_HTTP_BAD_REQUEST, "usage", 64, 0,
					   "no profile: /v1/seal?profile=NAME");
		}
		if (!srv_client_may_use(q->client, q->profile) || (q->sealer = find_sealer(st, q->profile)) == NULL) {
			snprintf(msg, sizeof(msg), "client %s may not seal with profile '%.64s'", q->client->name,
				 q->profile);
			q->route = ROUTE_NONE;
			return queue_error(conn, q, MHD_HTTP_FORBIDDEN, "forbidden", 77, 0, msg);
		}
		if (fmt != NULL && eseal_format_parse(fmt, &q->format) != 0) {
			q->route = ROUTE_NONE;
			return queue_error(conn, q, MHD_HTTP_BAD_REQUEST, "usage", 64, 0,
					   "format: not auto, pdf, xml or cades");
		}
		eseal_error_clear(&err);
		if (open_request_sealer(conn, q, q->sealer, &err) != ESEAL_OK) {
			q->route = ROUTE_NONE;
			return queue_status(conn, q, &err);
		}
	} else if (st->verifier == NULL) {
		q->route = ROUTE_NONE;
		return queue_error(conn, q, MHD_HTTP_NOT_FOUND, "config", 78, 0,
				   "verification is off: [server] has no trust anchors (trust = FILE)");
	}
	len_h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (len_h != NULL && sscanf(len_h, "%llu", &len) == 1 && len > st->cfg->max_body) {
		snprintf(msg, sizeof(msg), "the body (%llu bytes) is over the limit of %llu bytes", len,
			 st->cfg->max_body);
		q->route = ROUTE_NONE;
		return queue_error(conn, q, MHD_HTTP_CONTENT_TOO_LARGE, "input", 65, 0, msg);
	}
	if ((busy_refused = count_client(st, q)) != 0) {
		q->route = ROUTE_NONE;
		return queue_error(conn, q,
				   busy_refused == 2 ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_TOO_MANY_REQUESTS,
				   "cancelled", 75, 1,
				   busy_refused == 2 ? "the service is shutting down" :
						       "too many requests in progress for this client");
	}
	/* A private directory per request: the library writes beside its output, and nothing else may guess names. */
	snprintf(q->dir, sizeof(q->dir), "%s/eseal-serve.XXXXXX", st->cfg->work_dir);
	if (mkdtemp(q->dir) == NULL) {
		snprintf(msg, sizeof(msg), "cannot create a work directory in %s: %s", st->cfg->work_dir,
			 strerror(errno));
		q->dir[0] = '\0';
		q->route = ROUTE_NONE;
		return queue_error(conn, q, MHD_HTTP_INTERNAL_SERVER_ERROR, "io", 74, 0, msg);
	}
	snprintf(q->in, sizeof(q->in), "%s/document", q->dir);
	q->fd = open(q->in, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	q->md = EVP_MD_CTX_new();
	if (q->fd < 0 || q->md == NULL || EVP_DigestInit_ex(q->md, EVP_sha256(), NULL) != 1) {
		q->route = ROUTE_NONE;
		return queue_error(conn, q, MHD_HTTP_INTERNAL_SERVER_ERROR, "io", 74, 0, "cannot store the upload");
	}
	return MHD_YES;
}

static void take_chunk(struct req *q, const char *data, size_t size, unsigned long long max_body)
{
	ssize_t w;

	q->received += size;
	if (q->received > max_body) {
		/* Read on to the end (MHD answers only then) but keep nothing. */
		q->too_large = 1;
		if (q->fd >= 0) {
			close(q->fd);
			q->fd = -1;
			unlink(q->in);
		}
		return;
	}
	if (q->write_errno != 0)
		return;
	EVP_DigestUpdate(q->md, data, size);
	while (size > 0) {
		w = write(q->fd, data, size);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			q->write_errno = w < 0 ? errno : ENOSPC;
			return;
		}
		data += w;
		size -= (size_t)w;
	}
}

static void hex(const unsigned char *d, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* SHA-256 of what fd holds, read from the start (the sealed output, as the client will receive it). */
static int digest_fd(int fd, char out[65])
{
	unsigned char buf[65536], md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	ssize_t n;
	off_t off = 0;
	int ok = c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1;

	while (ok && (n = pread(fd, buf, sizeof(buf), off)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ok = 0;
			break;
		}
		ok = EVP_DigestUpdate(c, buf, (size_t)n) == 1;
		off += n;
	}
	ok = ok && EVP_DigestFinal_ex(c, md, &mdlen) == 1;
	EVP_MD_CTX_free(c);
	if (ok)
		hex(md, mdlen, out);
	return ok ? 0 : -1;
}

static const char *content_type(eseal_format f)
{
	switch (f) {
	case ESEAL_FORMAT_PDF: return "application/pdf";
	case ESEAL_FORMAT_XML:
	case ESEAL_FORMAT_XML_DETACHED: return "application/xml";
	default: return "application/pkcs7-signature";
	}
}

static enum MHD_Result finish_seal(struct MHD_Connection *conn, srv_state *st, struct req *q, const char *doc_hex)
{
	eseal_seal_options so = ESEAL_SEAL_OPTIONS_INIT;
	eseal_seal_result res;
	eseal_error err, aerr;
	char out[PATH_MAX + 16], out_hex[65];
	const char *level;
	struct MHD_Response *r;
	struct stat sb;
	enum MHD_Result ret;
	int ofd = -1;

	memset(&res, 0, sizeof(res));
	eseal_error_clear(&err);
	eseal_error_clear(&aerr);
	so.format = q->format;
	level = eseal_level_name(eseal_sealer_profile(q->sealer)->level);
	snprintf(out, sizeof(out), "%s/sealed", q->dir);
	if (eseal_sealer_seal_ext(q->sealer, q->in, out, &so, &res, &err) == ESEAL_OK) {
		ofd = open(out, O_RDONLY | O_CLOEXEC);
		if (ofd < 0 || fstat(ofd, &sb) != 0 || digest_fd(ofd, out_hex) != 0)
			srv_error(&err, ESEAL_E_IO, "cannot read the sealed document back: %s", strerror(errno));
	}
	hide_paths(q, &err);
	if (err.status != ESEAL_OK) {
		/* A failed seal is recorded as what it was; if even that cannot be written, the answer says so. */
		if (srv_audit_seal(&st->audit, q->client->name, q->profile, level, NULL, doc_hex, NULL,
				   eseal_status_name(err.status), err.message, &aerr) != ESEAL_OK)
			fprintf(stderr, "eseal serve: %s\n", aerr.message);
		if (ofd >= 0)
			close(ofd);
		return queue_status(conn, q, &err);
	}
	if (srv_audit_seal(&st->audit, q->client->name, q->profile, level, eseal_format_name(res.format), doc_hex,
			   out_hex, "ok", NULL, &aerr) != ESEAL_OK) {
		close(ofd);
		fprintf(stderr, "eseal serve: %s\n", aerr.message);
		return queue_error(conn, q, MHD_HTTP_INTERNAL_SERVER_ERROR, "io", 74, 0,
				   "the seal could not be recorded in the audit log; it is withheld");
	}
	remove_files(q); /* the answer reads from ofd */
	r = MHD_create_response_from_fd((uint64_t)sb.st_size, ofd);
	if (r == NULL) {
		close(ofd);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type(res.format));
	MHD_add_response_header(r, "X-Eseal-Format", eseal_format_name(res.format));
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result finish_verify(struct MHD_Connection *conn, srv_state *st, struct req *q)
{
	eseal_report *report = NULL;
	eseal_error err;
	char *json;

	eseal_error_clear(&err);
	eseal_verify_file(st->verifier, q->in, NULL, &report, &err);
	hide_paths(q, &err);
	if (report == NULL || (err.status != ESEAL_OK && report->n_seals == 0)) {
		eseal_report_free(report);
		if (err.status == ESEAL_OK)
			srv_error(&err, ESEAL_E_INTERNAL, "no report");
		return queue_status(conn, q, &err);
	}
	/* The report names the file it read: here the client's upload, not our private path. */
	free(report->file);
	report->file = strdup("document");
	json = report->file != NULL ? eseal_report_to_json(report) : NULL;
	eseal_report_free(report);
	return queue_text(conn, q, MHD_HTTP_OK, json, 0);
}

static enum MHD_Result finish(struct MHD_Connection *conn, srv_state *st, struct req *q)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	char doc_hex[65], msg[160];

	if (q->too_large) {
		snprintf(msg, sizeof(msg), "the body is over the limit of %llu bytes", st->cfg->max_body);
		return queue_error(conn, q, MHD_HTTP_CONTENT_TOO_LARGE, "input", 65, 0, msg);
	}
	if (q->write_errno != 0 || close(q->fd) != 0) {
		q->fd = -1;
		snprintf(msg, sizeof(msg), "cannot store the upload: %s",
			 strerror(q->write_errno ? q->write_errno : errno));
		return queue_error(conn, q, MHD_HTTP_INTERNAL_SERVER_ERROR, "io", 74, 0, msg);
	}
	q->fd = -1;
	if (q->received == 0)
		return queue_error(conn, q, MHD_HTTP_BAD_REQUEST, "usage", 64, 0, "empty body: send the document");
	if (EVP_DigestFinal_ex(q->md, md, &mdlen) != 1)
		return MHD_NO;
	hex(md, mdlen, doc_hex);
	return q->route == ROUTE_SEAL ? finish_seal(conn, st, q, doc_hex) : finish_verify(conn, st, q);
}

/* Whether a refusal should wait for the body: it announces one (a length above zero, or chunks) that is not over
 * max-body (that one is answered at once: reading it would take as long as accepting it). */
static int wait_for_body(struct MHD_Connection *conn, unsigned long long max_body)
{
	const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	unsigned long long n;

	if (len != NULL)
		return sscanf(len, "%llu", &n) == 1 && n > 0 && n <= max_body;
	return te != NULL && strcasecmp(te, "chunked") == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	srv_state *st = cls;
	struct req *q = *con_cls;
	enum MHD_Result result;
	int draining;

	(void)version;
	if (q == NULL) {
		if ((q = calloc(1, sizeof(*q))) == NULL)
			return MHD_NO;
		q->st = st;
		q->fd = -1;
		pthread_mutex_lock(&st->lock);
		st->in_flight++;
		draining = st->draining;
		pthread_mutex_unlock(&st->lock);
		q->roster = srv_clients_hold(st);
		*con_cls = q;
		if (strcmp(url, "/healthz") == 0)
			return queue_json(conn, q, MHD_HTTP_OK, json_pack("{s:s}", "status", "alive"), 0);
		if (strcmp(url, "/readyz") == 0) {
			eseal_error err;

			if (draining)
				return queue_error(conn, q, MHD_HTTP_SERVICE_UNAVAILABLE, "cancelled", 75, 1,
						   "the service is shutting down");
			if (srv_ready(st, &err) != ESEAL_OK)
				return queue_status(conn, q, &err);
			return queue_json(conn, q, MHD_HTTP_OK,
					  json_pack("{s:s, s:i}", "status", "ready", "profiles", (int)st->n_sealers),
					  0);
		}
		q->defer = wait_for_body(conn, st->cfg->max_body);
		result = admit(conn, st, q, url, method);
		q->defer = 0;
		return result;
	}
	if (q->route == ROUTE_NONE) {
		/* Refused: the body is read and dropped, up to max-body (beyond, the connection is closed); then the
		 * refusal is sent. */
		size_t n = *upload_data_size;
		struct MHD_Response *r = q->pending;

		*upload_data_size = 0;
		if (n > 0) {
			q->received += n;
			return q->received > st->cfg->max_body ? MHD_NO : MHD_YES;
		}
		if (r == NULL)
			return MHD_YES;
		q->pending = NULL;
		result = MHD_queue_response(conn, q->pending_code, r);
		MHD_destroy_response(r);
		return result;
	}
	if (*upload_data_size > 0) {
		if (q->route == ROUTE_CSC)
			take_csc_chunk(q, upload_data, *upload_data_size, st->cfg->max_body);
		else
			take_chunk(q, upload_data, *upload_data_size, st->cfg->max_body);
		/* Over the limit the rest is read to answer 413, but not without end: then the connection is dropped. */
		if (q->too_large && q->received / 2 > st->cfg->max_body) {
			*upload_data_size = 0;
			return MHD_NO;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	result = q->route == ROUTE_CSC ? finish_csc(conn, st, q) : finish(conn, st, q);
	q->route = ROUTE_NONE;
	return result;
}

/* Reads a PEM file whole; secret: the TLS key, which no one else should be able to read (warned, as ssh does). */
static int read_pem(const char *path, int secret, char **out, eseal_error *err)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;
	struct stat sb;

	if (f == NULL)
		return srv_error(err, ESEAL_E_CONFIG, "%s: cannot read: %s", path, strerror(errno));
	if (secret && fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077) != 0)
		fprintf(stderr, "eseal serve: warning: %s: the TLS key is readable by others (mode %03o; chmod 600)\n",
			path, (unsigned)(sb.st_mode & 0777));
	for (;;) {
		if (n + 4097 > cap) {
			char *g;

			if (cap > (1u << 20) || (g = realloc(buf, cap + 65536)) == NULL) {
				fclose(f);
				if (buf != NULL)
					OPENSSL_cleanse(buf, cap);
				free(buf);
				return srv_error(err, ESEAL_E_CONFIG, "%s: too large for a PEM file", path);
			}
			buf = g;
			cap += 65536;
		}
		r = fread(buf + n, 1, 4096, f);
		n += r;
		if (r < 4096)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	return ESEAL_OK;
}

int srv_http_start(srv_state *st, struct MHD_Daemon **out, unsigned short *port_out, eseal_error *err)
{
	const srv_config *cfg = st->cfg;
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;
	struct sockaddr *sa;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC |
			     MHD_USE_ERROR_LOG;
	struct MHD_OptionItem opts[12];
	const union MHD_DaemonInfo *di;
	size_t n = 0;
	int rc;

	memset(&a4, 0, sizeof(a4));
	memset(&a6, 0, sizeof(a6));
	if (inet_pton(AF_INET, cfg->listen_host, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons(cfg->listen_port);
		sa = (struct sockaddr *)&a4;
	} else {
		inet_pton(AF_INET6, cfg->listen_host, &a6.sin6_addr);
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons(cfg->listen_port);
		sa = (struct sockaddr *)&a6;
		flags |= MHD_USE_IPv6;
	}
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, sa};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, cfg->request_timeout, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_completed, st};
	if (cfg->tls_cert != NULL) {
		if ((rc = read_pem(cfg->tls_cert, 0, &st->tls_cert_pem, err)) != ESEAL_OK ||
		    (rc = read_pem(cfg->tls_key, 1, &st->tls_key_pem, err)) != ESEAL_OK)
			return rc;
		flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, st->tls_cert_pem};
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, st->tls_key_pem};
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0,
						    (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"};
		if (cfg->tls_client_ca != NULL) {
			if ((rc = read_pem(cfg->tls_client_ca, 0, &st->tls_ca_pem, err)) != ESEAL_OK)
				return rc;
			opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, st->tls_ca_pem};
		}
	}
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	/* MHD's callback prototype differs from ours only in the pointer's name. */
	*out = MHD_start_daemon(flags, 0, NULL, NULL, on_request, st, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (*out == NULL)
		return srv_error(err, ESEAL_E_CONFIG,
				 "cannot listen on %s port %u (in use, or the TLS certificate and key "
				 "do not load)",
				 cfg->listen_host, cfg->listen_port);
	di = MHD_get_daemon_info(*out, MHD_DAEMON_INFO_BIND_PORT);
	*port_out = di != NULL && di->port != 0 ? di->port : cfg->listen_port;
	return ESEAL_OK;
}
