/* timestamp/tsa_internal.h: what the RFC 3161 client's files share: the HTTP transport (tsa_http.c) and the
 * response checks (tst_check.c) used by the request loop in tsa_client.c. */
#ifndef ES_TSA_INTERNAL_H
#define ES_TSA_INTERNAL_H

#include <stddef.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "eseal/error.h"
#include "eseal/timestamp.h"

#define ES_TSA_REASON_MAX 384

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

/* Checks a TimeStampResp against the request it answers: status granted, version, imprint, nonce, policy,
 * the TSA certificate's critical timeStamping EKU, the signature, the ESS certificate id and, with store, the
 * chain to the trust anchors (without store only the signature with the included certificate is checked).
 * On success *token and *token_len point into resp at the TimeStampToken as received. Returns 1 if good; else 0
 * with reason. */
int es_tst_check_response(const unsigned char *resp, size_t resp_len, TS_REQ *req, X509_STORE *store,
			  const unsigned char **token, size_t *token_len, char *reason, size_t reason_size);

#endif
