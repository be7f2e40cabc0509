/* core/http_internal.h: the library's HTTP client (core/http_client.c): POSTs over pooled curl handles, used by the
 * RFC 3161 client and by the remote signer (csc: keys). */
#ifndef ES_HTTP_INTERNAL_H
#define ES_HTTP_INTERNAL_H

#include <stddef.h>

#include "eseal/error.h"

/* A pool of reusable curl easy handles: each keeps its connections alive between requests, and the mutex
 * lets threads of a batch share them without sharing a handle at the same time. */
typedef struct es_http_pool es_http_pool;

int es_http_pool_new(es_http_pool **out, eseal_error *err);
void es_http_pool_free(es_http_pool *pool);

typedef enum {
	ES_HTTP_OK = 0,
	ES_HTTP_TRANSIENT, /* unreachable, timeout, 5xx: another round may succeed */
	ES_HTTP_PERMANENT  /* 4xx, wrong content type, oversized answer: the same request will fail again */
} es_http_result;

typedef struct es_http_request {
	const char *url;
	const unsigned char *body;
	size_t body_len;
	const char *content_type;        /* of the body */
	const char *const *accept_types; /* NULL-terminated list of acceptable response content types */
	long timeout_ms;
	const char *userpwd; /* "user:password" or NULL; never put into a message */
	const char *bearer;  /* an OAuth 2.0 bearer token (Authorization: Bearer) or NULL; never put into a message */
	const unsigned char *tls_ca_pem; /* PEM CA certificates for an https:// server instead of the system's; NULL =
					  * system */
	size_t tls_ca_len;
	size_t max_response;
} es_http_request;

/* POSTs the request; *resp (OPENSSL_malloc'd) holds the body of a 200 answer. On failure reason says why
 * (no URL in it: the caller adds it). */
es_http_result es_http_post(es_http_pool *pool, const es_http_request *req, unsigned char **resp, size_t *resp_len,
			    char *reason, size_t reason_size);

/* As es_http_post, for APIs that explain a refusal in the body (JSON errors): *status receives the HTTP status
 * (0 when no answer came) and *resp the body of any answer, 200 or not; the result classes the status as
 * es_http_post does (5xx, 408 and 429 transient, other non-200 permanent). */
es_http_result es_http_post_answer(es_http_pool *pool, const es_http_request *req, long *status, unsigned char **resp,
				   size_t *resp_len, char *reason, size_t reason_size);

#endif
