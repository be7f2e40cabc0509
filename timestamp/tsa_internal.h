/* timestamp/tsa_internal.h: what the RFC 3161 client's files share: the response checks (tst_check.c) used by the
 * request loop in tsa_client.c, over the library's HTTP client (core/http_internal.h). */
#ifndef ES_TSA_INTERNAL_H
#define ES_TSA_INTERNAL_H

#include "eseal/error.h"
#include "eseal/timestamp.h"
#include "core/http_internal.h"

#include <stddef.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#define ES_TSA_REASON_MAX 384

/* Checks a TimeStampResp against the request it answers: status granted, version, imprint, nonce, policy,
 * the TSA certificate's critical timeStamping EKU, the signature, the ESS certificate id and, with store, the
 * chain to the trust anchors (without store only the signature with the included certificate is checked).
 * On success *token and *token_len point into resp at the TimeStampToken as received. Returns 1 if good; else 0
 * with reason. */
int es_tst_check_response(const unsigned char *resp, size_t resp_len, TS_REQ *req, X509_STORE *store,
			  const unsigned char **token, size_t *token_len, char *reason, size_t reason_size);

#endif
