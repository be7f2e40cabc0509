/* core/http_client.c: HTTP POST for the RFC 3161 client and the remote signer over a pool of curl easy handles:
 * reusing a handle keeps its connection alive, so a batch does not pay a TCP/TLS set-up per request. */
#include "http_internal.h"
#include "curl_internal.h"
#include "error_internal.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Idle handles kept; more threads than this still work, their extra handles are closed after use. */
#define ES_HTTP_POOL_MAX 32

struct es_http_pool {
	pthread_mutex_t lock;
	CURL *idle[ES_HTTP_POOL_MAX];
	size_t n_idle;
};

typedef struct {
	unsigned char *data;
	size_t len;
	size_t max;
	int too_big;
} es_buf;

int es_http_pool_new(es_http_pool **out, eseal_error *err)
{
	es_http_pool *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (p == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		free(p);
		return es_error_set(err, ESEAL_E_INTERNAL, "cannot create a mutex");
	}
	*out = p;
	return ESEAL_OK;
}

void es_http_pool_free(es_http_pool *p)
{
	const es_curl *cu;
	size_t i;

	if (p == NULL)
		return;
	/* Idle handles exist only once libcurl was loaded. */
	for (i = 0; i < p->n_idle && es_curl_get(&cu, NULL) == ESEAL_OK; i++)
		cu->easy_cleanup(p->idle[i]);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static CURL *pool_get(const es_curl *cu, es_http_pool *p)
{
	CURL *h = NULL;

	pthread_mutex_lock(&p->lock);
	if (p->n_idle > 0)
		h = p->idle[--p->n_idle];
	pthread_mutex_unlock(&p->lock);
	if (h != NULL) {
		/* Reset options but not the connection cache: that is the point of reusing the handle. */
		cu->easy_reset(h);
		return h;
	}
	return cu->easy_init();
}

static void pool_put(const es_curl *cu, es_http_pool *p, CURL *h)
{
	pthread_mutex_lock(&p->lock);
	if (p->n_idle < ES_HTTP_POOL_MAX) {
		p->idle[p->n_idle++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	if (h != NULL)
		cu->easy_cleanup(h);
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	es_buf *b = userdata;
	size_t n = size * nmemb;
	unsigned char *grown;

	if (n > b->max - b->len) {
		b->too_big = 1;
		return 0; /* aborts the transfer: a token is a few KiB, megabytes are an attack or a mistake */
	}
	grown = OPENSSL_realloc(b->data, b->len + n);
	if (grown == NULL)
		return 0;
	memcpy(grown + b->len, ptr, n);
	b->data = grown;
	b->len += n;
	return n;
}

/* "application/timestamp-reply; charset=x" matches "application/timestamp-reply". */
static int type_accepted(const char *got, const char *const *accept)
{
	if (accept == NULL)
		return 1;
	if (got == NULL)
		return 0;
	for (; *accept != NULL; accept++) {
		size_t n = strlen(*accept);

		if (strncasecmp(got, *accept, n) == 0 && (got[n] == '\0' || got[n] == ';' || got[n] == ' '))
			return 1;
	}
	return 0;
}

static es_http_result curl_failure(const es_curl *cu, CURLcode cc, const char *errbuf, const es_buf *b, char *reason,
				   size_t size)
{
	const char *detail = errbuf[0] != '\0' ? errbuf : cu->easy_strerror(cc);

	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT: snprintf(reason, size, "timed out (%s)", detail); return ES_HTTP_TRANSIENT;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY: snprintf(reason, size, "unreachable (%s)", detail); return ES_HTTP_TRANSIENT;
	case CURLE_WRITE_ERROR:
		if (b->too_big) {
			snprintf(reason, size, "response larger than %zu bytes", b->max);
			return ES_HTTP_PERMANENT;
		}
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT: snprintf(reason, size, "unusable URL (%s)", detail); return ES_HTTP_PERMANENT;
	/* The same server certificate will be refused again: no point in another round. */
	case CURLE_PEER_FAILED_VERIFICATION:
		snprintf(reason, size, "TLS: server certificate not accepted (%s)", detail);
		return ES_HTTP_PERMANENT;
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER: snprintf(reason, size, "TLS: cannot set up (%s)", detail); return ES_HTTP_PERMANENT;
	case CURLE_SSL_CONNECT_ERROR:
		snprintf(reason, size, "TLS handshake failed (%s)", detail);
		return ES_HTTP_TRANSIENT;
	default: break;
	}
	snprintf(reason, size, "HTTP request failed (%s)", detail);
	return ES_HTTP_TRANSIENT;
}

es_http_result es_http_post(es_http_pool *pool, const es_http_request *req, unsigned char **resp, size_t *resp_len,
			    char *reason, size_t reason_size)
{
	return es_http_post_answer(pool, req, NULL, resp, resp_len, reason, reason_size);
}

es_http_result es_http_post_answer(es_http_pool *pool, const es_http_request *req, long *status_out,
				   unsigned char **resp, size_t *resp_len, char *reason, size_t reason_size)
{
	const es_curl *cu;
	eseal_error err;
	CURL *h = NULL;
	struct curl_slist *headers = NULL;
	char ctype_header[128];
	char errbuf[CURL_ERROR_SIZE] = "";
	es_buf b = {NULL, 0, req->max_response, 0};
	es_http_result res = ES_HTTP_TRANSIENT;
	CURLcode cc;
	long status = 0;
	char *got_type = NULL;
	int tls_setup_failed = 0;

	*resp = NULL;
	*resp_len = 0;
	reason[0] = '\0';
	if (status_out != NULL)
		*status_out = 0;
	if (es_curl_get(&cu, &err) != ESEAL_OK) {
		snprintf(reason, reason_size, "%s", err.message);
		return ES_HTTP_PERMANENT;
	}
	h = pool_get(cu, pool);
	snprintf(ctype_header, sizeof(ctype_header), "Content-Type: %s", req->content_type);
	headers = cu->slist_append(headers, ctype_header);
	if (h == NULL || headers == NULL) {
		snprintf(reason, reason_size, "out of memory");
		goto cleanup;
	}
	/* Only http(s), no redirects (a TSA that redirects is misconfigured, and following one could send the
	 * request elsewhere), no signals (threads), bounded time and size. */
	if (cu->easy_setopt(h, CURLOPT_URL, req->url) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_POST, 1L) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_POSTFIELDS, req->body) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, req->timeout_ms) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_WRITEDATA, &b) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK) {
		snprintf(reason, reason_size, "cannot set up the HTTP request");
		res = ES_HTTP_PERMANENT;
		goto cleanup;
	}
	/* The peer and host name checks are curl's defaults; only the anchors may be replaced, never switched off.
	 * Replaced means both: Debian's libcurl also has a built-in CA directory (/etc/ssl/certs) besides the bundle. */
	if (req->tls_ca_pem != NULL) {
		struct curl_blob blob = {(void *)req->tls_ca_pem, req->tls_ca_len, CURL_BLOB_NOCOPY};

		if (cu->easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob) != CURLE_OK ||
		    cu->easy_setopt(h, CURLOPT_CAINFO, NULL) != CURLE_OK ||
		    cu->easy_setopt(h, CURLOPT_CAPATH, NULL) != CURLE_OK)
			tls_setup_failed = 1;
	}
	if (tls_setup_failed) {
		snprintf(reason, reason_size, "cannot set up the TLS CA certificates");
		res = ES_HTTP_PERMANENT;
		goto cleanup;
	}
	if (req->userpwd != NULL && (cu->easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) != CURLE_OK ||
				     cu->easy_setopt(h, CURLOPT_USERPWD, req->userpwd) != CURLE_OK)) {
		snprintf(reason, reason_size, "cannot set up HTTP authentication");
		res = ES_HTTP_PERMANENT;
		goto cleanup;
	}
	if (req->bearer != NULL && (cu->easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER) != CURLE_OK ||
				    cu->easy_setopt(h, CURLOPT_XOAUTH2_BEARER, req->bearer) != CURLE_OK)) {
		snprintf(reason, reason_size, "cannot set up HTTP authentication");
		res = ES_HTTP_PERMANENT;
		goto cleanup;
	}
	cc = cu->easy_perform(h);
	if (cc != CURLE_OK) {
		res = curl_failure(cu, cc, errbuf, &b, reason, reason_size);
		goto cleanup;
	}
	cu->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	cu->easy_getinfo(h, CURLINFO_CONTENT_TYPE, &got_type);
	if (status_out != NULL)
		*status_out = status;
	if (status != 200) {
		snprintf(reason, reason_size, "HTTP status %ld", status);
		res = status >= 500 || status == 408 || status == 429 ? ES_HTTP_TRANSIENT : ES_HTTP_PERMANENT;
		if (status_out != NULL) {
			*resp = b.data;
			*resp_len = b.len;
			b.data = NULL;
		}
		goto cleanup;
	}
	if (!type_accepted(got_type, req->accept_types)) {
		snprintf(reason, reason_size, "unexpected content type \"%.64s\"", got_type != NULL ? got_type : "");
		res = ES_HTTP_PERMANENT;
		goto cleanup;
	}
	*resp = b.data;
	*resp_len = b.len;
	b.data = NULL;
	res = ES_HTTP_OK;
cleanup:
	OPENSSL_free(b.data);
	cu->slist_free_all(headers);
	if (h != NULL) {
		/* The handle keeps pointers to our stack (error buffer, write data, headers): drop them first. */
		cu->easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
		cu->easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
		cu->easy_setopt(h, CURLOPT_WRITEDATA, NULL);
		cu->easy_setopt(h, CURLOPT_USERPWD, NULL);
		cu->easy_setopt(h, CURLOPT_XOAUTH2_BEARER, NULL);
		pool_put(cu, pool, h);
	}
	return res;
}
