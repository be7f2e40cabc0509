/* timestamp/tsa_client.c: the RFC 3161 client object: request building, the walk over the TSA URLs with
 * retries, and the learned token size. Transport is core/http_client.c, response checks in tst_check.c, the TSA
 * certificate's revocation in tsa_revocation.c. */
#include "tsa_internal.h"
#include "tsa_revocation.h"
#include "eseal/timestamp.h"
#include "core/error_internal.h"
#include "core/input_internal.h"
#include "core/secret_internal.h"
#include "core/url_internal.h"
#include "pki/chain.h"
#include "pki/chain_revocation.h"
#include "pki/verifier.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ES_TSA_DEFAULT_TIMEOUT_MS 10000L
/* Before any token was seen: room for a token with an RSA-4096 signature and a chain of three certificates. */
#define ES_TSA_DEFAULT_HINT 16384
/* Tokens of one TSA vary by a few bytes (serial number, nonce, genTime fraction); this covers it amply. */
#define ES_TSA_HINT_SLACK 1024
#define ES_TSA_MAX_RESPONSE ((size_t)256 * 1024)
#define ES_TSA_AUTH_MAX 512

struct eseal_tsa {
	char **urls;
	char **shown;      /* the URLs as messages show them: without credentials (es_url_show) */
	size_t n_urls;
	const EVP_MD *md;
	ASN1_OBJECT *policy;
	long timeout_ms;
	int retries;
	char *userpwd;     /* "user:password"; wiped on free, never in a message */
	X509_STORE *store; /* trust anchors for TSA certificates, or NULL */
	unsigned char *tls_ca_pem; /* CA certificates (PEM) for the TSA's HTTPS server certificate, or NULL (system's) */
	size_t tls_ca_len;
	es_http_pool *pool;
	es_tsa_rev *rev; /* revocation check of the TSA certificates; NULL = off */
	atomic_size_t max_token;
};

/* How one request to one URL ended. */
typedef enum {
	URL_OK = 0,
	URL_TRANSIENT, /* unreachable, timeout, 5xx: another round may succeed */
	URL_BAD,       /* the TSA answered wrongly: it will again, but it may be mended later */
	URL_UNKNOWN,   /* a good token, but its TSA certificate's status cannot be had now (responder down) */
	URL_REFUSED    /* a good token from a TSA that must not be used: certificate revoked, or uncheckable */
} url_result;

static const char *const reply_types[] = {"application/timestamp-reply", "application/timestamp-response", NULL};

/* "user:password" from the first line of path, through the library's one secret-file reader. */
static int read_auth(const eseal_tsa_options *opts, char **out, eseal_error *err)
{
	const char *path = opts->auth_file;
	char line[ES_TSA_AUTH_MAX];
	int rc;

	if ((rc = es_secret_read_file(path, "TSA credentials file", line, sizeof(line), opts->warn, opts->warn_ctx,
				      err)) != ESEAL_OK)
		goto cleanup;
	if (strchr(line, ':') == NULL || line[0] == ':') {
		rc = es_error_set(err, ESEAL_E_CONFIG,
				  "%s: TSA credentials must be \"user:password\" on the first line", path);
		goto cleanup;
	}
	if ((*out = strdup(line)) == NULL)
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
cleanup:
	OPENSSL_cleanse(line, sizeof(line));
	return rc;
}

/* PEM certificates into store; returns how many, or -1 on a damaged block (OpenSSL's reason left in its queue). */
static int add_pem_certs(X509_STORE *store, BIO *bio)
{
	X509 *x;
	int n = 0;

	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (X509_STORE_add_cert(store, x) != 1) {
			X509_free(x);
			return -1;
		}
		X509_free(x);
		n++;
	}
	/* The loop ends on "no start line" at the end; anything else is a damaged PEM block. */
	if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE)
		return -1;
	ERR_clear_error();
	return n;
}

/* Loads PEM anchors from path into store, read through the library's one file reader (never blocking, regular
 * files only, bounded); a file without a certificate is refused like a damaged one. */
static int load_pem_store(X509_STORE *store, const char *path, const char *what, unsigned char **copy,
			  size_t *copy_len, eseal_error *err)
{
	es_input_role role = {what, ESEAL_E_CONFIG, ESEAL_E_CONFIG, ES_INPUT_MAX_PEM, 0};
	unsigned char *buf = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	int rc;

	if ((rc = es_input_read(path, &role, &buf, &len, err)) != ESEAL_OK)
		return rc;
	bio = BIO_new_mem_buf(buf, (int)len);
	if (bio == NULL || add_pem_certs(store, bio) <= 0) {
		rc = es_error_set_ossl(err, ESEAL_E_CONFIG, "%s: %s: no usable PEM certificate", path, what);
		goto cleanup;
	}
	if (copy != NULL) {
		*copy = buf;
		*copy_len = len;
		buf = NULL;
	}
cleanup:
	BIO_free(bio);
	free(buf);
	return rc;
}

/* curl would read a TLS CA file only when it connects, and then report every problem with it as a failed request
 * to that TSA; the file is read (and checked) once here, and curl gets its bytes (CURLOPT_CAINFO_BLOB). */
static int load_tls_ca(eseal_tsa *t, const char *path, eseal_error *err)
{
	X509_STORE *probe = X509_STORE_new();
	int rc;

	if (probe == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	rc = load_pem_store(probe, path, "cannot load the CA certificates for the TSA's TLS", &t->tls_ca_pem,
			    &t->tls_ca_len, err);
	X509_STORE_free(probe);
	return rc;
}

/* Sealing threads share these anchors (es_certs_settle). */
static void settle_store(X509_STORE *store)
{
	STACK_OF(X509) *certs = X509_STORE_get1_all_certs(store);

	es_certs_settle(certs);
	sk_X509_pop_free(certs, X509_free);
}

eseal_status eseal_tsa_open(eseal_tsa **out, const eseal_tsa_options *opts, eseal_error *err)
{
	char shown[ES_URL_SHOW_MAX];
	eseal_tsa *t = NULL;
	size_t i;
	int rc = ESEAL_OK;

	eseal_error_clear(err);
	*out = NULL;
	if (opts == NULL || opts->urls == NULL || opts->n_urls == 0)
		return es_error_set(err, ESEAL_E_USAGE, "no TSA URL given");
	for (i = 0; i < opts->n_urls; i++)
		if (opts->urls[i] == NULL ||
		    (strncmp(opts->urls[i], "http://", 7) != 0 && strncmp(opts->urls[i], "https://", 8) != 0))
			return es_error_set(err, ESEAL_E_USAGE,
					    "TSA URL \"%s\": only http:// and https:// are supported",
					    es_url_show(opts->urls[i] != NULL ? opts->urls[i] : "", shown, sizeof(shown)));
	if (opts->md != NULL && EVP_MD_get_type(opts->md) != NID_sha256 && EVP_MD_get_type(opts->md) != NID_sha384 &&
	    EVP_MD_get_type(opts->md) != NID_sha512)
		return es_error_set(err, ESEAL_E_USAGE, "TSA imprint digest %s: only SHA-256/384/512 are supported",
				    EVP_MD_get0_name(opts->md));
	if (opts->timeout_ms < 0 || opts->retries < 0)
		return es_error_set(err, ESEAL_E_USAGE, "TSA timeout and retries must not be negative");
	if ((t = calloc(1, sizeof(*t))) == NULL || (t->urls = calloc(opts->n_urls, sizeof(char *))) == NULL ||
	    (t->shown = calloc(opts->n_urls, sizeof(char *))) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	t->n_urls = opts->n_urls; /* both lists zeroed: eseal_tsa_free frees what was copied */
	for (i = 0; i < opts->n_urls; i++)
		if ((t->urls[i] = strdup(opts->urls[i])) == NULL ||
		    (t->shown[i] = strdup(es_url_show(opts->urls[i], shown, sizeof(shown)))) == NULL) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
			goto cleanup;
		}
	t->md = opts->md != NULL ? opts->md : EVP_sha256();
	t->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : ES_TSA_DEFAULT_TIMEOUT_MS;
	t->retries = opts->retries;
	atomic_init(&t->max_token, 0);
	if (opts->policy_oid != NULL && (t->policy = OBJ_txt2obj(opts->policy_oid, 1)) == NULL) {
		rc = es_error_set_ossl(err, ESEAL_E_USAGE, "TSA policy \"%s\" is not a dotted OID", opts->policy_oid);
		goto cleanup;
	}
	if (opts->auth_file != NULL && (rc = read_auth(opts, &t->userpwd, err)) != ESEAL_OK)
		goto cleanup;
	if (opts->ca_file != NULL) {
		if ((t->store = X509_STORE_new()) == NULL) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
			goto cleanup;
		}
		if ((rc = load_pem_store(t->store, opts->ca_file, "cannot load TSA trust anchors", NULL, NULL, err)) !=
		    ESEAL_OK)
			goto cleanup;
		settle_store(t->store);
	}
	if (opts->tls_ca_file != NULL && (rc = load_tls_ca(t, opts->tls_ca_file, err)) != ESEAL_OK)
		goto cleanup;
	if (opts->revocation == ESEAL_TSA_REVOCATION_REQUIRE) {
		/* Responders' answers are trusted through the same anchors as the TSA; without them no status is known. */
		if (opts->ca_file == NULL) {
			rc = es_error_set(err, ESEAL_E_CONFIG,
					  "the TSA certificate's revocation status must be checked (tsa-revocation = "
					  "require) but no TSA trust anchors are set (tsa-ca); set tsa-ca, or "
					  "tsa-revocation = off");
			goto cleanup;
		}
		if ((rc = es_tsa_rev_new(&t->rev, opts->ca_file, t->timeout_ms, err)) != ESEAL_OK)
			goto cleanup;
	} else if (opts->revocation != ESEAL_TSA_REVOCATION_OFF) {
		rc = es_error_set(err, ESEAL_E_USAGE, "unknown TSA revocation policy %d", (int)opts->revocation);
		goto cleanup;
	}
	if ((rc = es_http_pool_new(&t->pool, err)) != ESEAL_OK)
		goto cleanup;
	*out = t;
	t = NULL;
cleanup:
	eseal_tsa_free(t);
	return rc;
}

void es_tsa_share_rev_cache(eseal_tsa *t, const eseal_verifier *v)
{
	if (t != NULL && t->rev != NULL)
		es_tsa_rev_share_cache(t->rev, v);
}

void eseal_tsa_free(eseal_tsa *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n_urls; i++) {
		free(t->urls[i]);
		free(t->shown[i]);
	}
	free(t->urls);
	free(t->shown);
	ASN1_OBJECT_free(t->policy);
	if (t->userpwd != NULL) {
		OPENSSL_cleanse(t->userpwd, strlen(t->userpwd));
		free(t->userpwd);
	}
	X509_STORE_free(t->store);
	free(t->tls_ca_pem);
	es_http_pool_free(t->pool);
	es_tsa_rev_free(t->rev);
	free(t);
}

const EVP_MD *eseal_tsa_md(const eseal_tsa *tsa)
{
	return tsa->md;
}

size_t eseal_tsa_token_size_hint(const eseal_tsa *tsa)
{
	size_t seen = atomic_load(&((eseal_tsa *)tsa)->max_token);

	return seen != 0 ? seen + ES_TSA_HINT_SLACK : ES_TSA_DEFAULT_HINT;
}

static void learn_size(eseal_tsa *t, size_t len)
{
	size_t cur = atomic_load(&t->max_token);

	while (len > cur && !atomic_compare_exchange_weak(&t->max_token, &cur, len))
		;
}

/* TimeStampReq v1: imprint, a fresh 64-bit random nonce (so a replayed or mixed-up answer is caught),
 * certReq so the token carries the TSA certificate, the policy if one was asked for. */
static TS_REQ *make_request(const eseal_tsa *t, const unsigned char *digest, size_t digest_len)
{
	TS_REQ *req = NULL, *ret = NULL;
	TS_MSG_IMPRINT *mi = NULL;
	X509_ALGOR *alg = NULL;
	ASN1_INTEGER *nonce = NULL;
	BIGNUM *bn = NULL;
	unsigned char rnd[8];

	if ((req = TS_REQ_new()) == NULL || (mi = TS_MSG_IMPRINT_new()) == NULL || (alg = X509_ALGOR_new()) == NULL)
		goto cleanup;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1 || (bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) == NULL ||
	    (nonce = BN_to_ASN1_INTEGER(bn, NULL)) == NULL)
		goto cleanup;
	X509_ALGOR_set_md(alg, t->md);
	if (!TS_MSG_IMPRINT_set_algo(mi, alg) ||
	    !TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)digest, (int)digest_len) || !TS_REQ_set_version(req, 1) ||
	    !TS_REQ_set_msg_imprint(req, mi) || !TS_REQ_set_nonce(req, nonce) || !TS_REQ_set_cert_req(req, 1))
		goto cleanup;
	if (t->policy != NULL && !TS_REQ_set_policy_id(req, t->policy))
		goto cleanup;
	ret = req;
	req = NULL;
cleanup:
	TS_REQ_free(req);
	TS_MSG_IMPRINT_free(mi);
	X509_ALGOR_free(alg);
	ASN1_INTEGER_free(nonce);
	BN_free(bn);
	return ret;
}

/* One request to one URL. Returns URL_OK with *token set, or the failure class with reason. */
static url_result try_url(eseal_tsa *t, const char *url, const unsigned char *digest, size_t digest_len,
			  unsigned char **token, size_t *token_len, char *reason, size_t size)
{
	TS_REQ *req = NULL;
	unsigned char *body = NULL, *resp = NULL;
	const unsigned char *tok = NULL;
	size_t resp_len = 0, tok_len = 0;
	es_http_request hr;
	url_result res = URL_BAD;
	es_chain_status st;
	int body_len;

	req = make_request(t, digest, digest_len);
	if (req == NULL || (body_len = i2d_TS_REQ(req, &body)) <= 0) {
		snprintf(reason, size, "cannot build the request");
		goto cleanup;
	}
	memset(&hr, 0, sizeof(hr));
	hr.url = url;
	hr.body = body;
	hr.body_len = (size_t)body_len;
	hr.content_type = "application/timestamp-query";
	hr.accept_types = reply_types;
	hr.timeout_ms = t->timeout_ms;
	hr.userpwd = t->userpwd;
	hr.tls_ca_pem = t->tls_ca_pem;
	hr.tls_ca_len = t->tls_ca_len;
	hr.max_response = ES_TSA_MAX_RESPONSE;
	switch (es_http_post(t->pool, &hr, &resp, &resp_len, reason, size)) {
	case ES_HTTP_OK: break;
	case ES_HTTP_TRANSIENT: res = URL_TRANSIENT; goto cleanup;
	case ES_HTTP_PERMANENT: goto cleanup;
	}
	/* A TSA that answers wrongly is not going to answer rightly on a retry: permanent for this URL. */
	if (!es_tst_check_response(resp, resp_len, req, t->store, &tok, &tok_len, reason, size))
		goto cleanup;
	if (t->rev != NULL && (st = es_tsa_rev_check(t->rev, tok, tok_len, reason, size)) != ES_CHAIN_GOOD) {
		res = st == ES_CHAIN_UNKNOWN ? URL_UNKNOWN : URL_REFUSED;
		goto cleanup;
	}
	if ((*token = OPENSSL_memdup(tok, tok_len)) == NULL) {
		snprintf(reason, size, "out of memory");
		goto cleanup;
	}
	*token_len = tok_len;
	learn_size(t, tok_len);
	res = URL_OK;
cleanup:
	OPENSSL_free(resp);
	OPENSSL_free(body);
	TS_REQ_free(req);
	return res;
}

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0)
		;
}

eseal_status eseal_tsa_stamp_digest(eseal_tsa *t, const unsigned char *digest, size_t digest_len, unsigned char **token,
				    size_t *token_len, eseal_error *err)
{
	char reason[ES_TSA_REASON_MAX];
	char summary[ESEAL_ERROR_MESSAGE_MAX - 64] = "";
	size_t i, refused;
	int round;
	url_result res;

	eseal_error_clear(err);
	*token = NULL;
	*token_len = 0;
	if (digest == NULL || digest_len != (size_t)EVP_MD_get_size(t->md))
		return es_error_set(err, ESEAL_E_USAGE, "time-stamp imprint of %zu bytes given for %s", digest_len,
				    EVP_MD_get0_name(t->md));
	for (round = 0;; round++) {
		size_t used = 0;
		int transient = 0;

		summary[0] = '\0';
		refused = 0;
		for (i = 0; i < t->n_urls; i++) {
			res = try_url(t, t->urls[i], digest, digest_len, token, token_len, reason, sizeof(reason));
			if (res == URL_OK)
				return ESEAL_OK;
			transient |= res == URL_TRANSIENT;
			refused += res == URL_REFUSED;
			if (used < sizeof(summary))
				used += (size_t)snprintf(summary + used, sizeof(summary) - used, "%sTSA %s: %s",
							 used ? "; " : "", t->shown[i], reason);
		}
		/* Only a transient failure (unreachable, timeout, 5xx) is worth another round; a TSA that answers
		 * wrongly will answer wrongly again. */
		if (!transient || round >= t->retries)
			break;
		pause_ms(round < 7 ? 250L * (round + 1) : 2000L);
	}
	/* Every TSA refused for what no retry mends (a revoked or uncheckable certificate): the configuration must
	 * change, so a pipeline must not be told to try again later. */
	if (refused == t->n_urls)
		return es_error_set(err, ESEAL_E_CONFIG, "time-stamp refused: %s", summary);
	if (round > 0)
		return es_error_set(err, ESEAL_E_TSA, "time-stamp failed after %d rounds: %s", round + 1, summary);
	return es_error_set(err, ESEAL_E_TSA, "time-stamp failed: %s", summary);
}

eseal_status eseal_tsa_stamp(eseal_tsa *t, const unsigned char *data, size_t data_len, unsigned char **token,
			     size_t *token_len, eseal_error *err)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0;

	eseal_error_clear(err);
	*token = NULL;
	*token_len = 0;
	if (!EVP_Digest(data, data_len, digest, &digest_len, t->md, NULL))
		return es_error_set_ossl(err, ESEAL_E_CRYPTO, "cannot hash the data to time-stamp");
	return eseal_tsa_stamp_digest(t, digest, digest_len, token, token_len, err);
}
