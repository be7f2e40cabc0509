/* keys/signer_csc.c: the remote back end: a key held by a service speaking the Cloud Signature Consortium API v2
 * ("csc:https://host/csc/v2?credential=ID"): certificates from credentials/info, signatures by authorize + signHash. */
#include "csc_collect.h"
#include "signer_internal.h"
#include "core/error_internal.h"
#include "core/http_internal.h"
#include "core/input_internal.h"
#include "core/secret_internal.h"
#include "pki/ecdsa_sig.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#define CSC_TOKEN_MAX 4096
#define CSC_TIMEOUT_MS 30000L
/* credentials/info carries the chain (a few KiB per certificate); signHash a few hundred bytes per hash. A larger
 * answer is a broken or hostile service, not something to hold in memory. */
#define CSC_MAX_RESPONSE ((size_t)1 << 20)
#define CSC_SIG_MAX 1024 /* RSA-8192 */
/* How long the first signature of a group waits for others to join it: about a document's hashing time, far below
 * a round trip to a remote service. */
#define CSC_BATCH_WINDOW_US 5000L
/* An access token is renewed this long before it expires (a quarter of its lifetime when that is shorter). */
#define CSC_RENEW_MARGIN 60

typedef struct csc_backend {
	es_http_pool *pool;
	char *base;       /* the service's URL up to "/csc/v2", without "?..." and without a trailing "/" */
	char *credential; /* credentialID, percent-decoded */
	unsigned char *ca_pem;
	size_t ca_len;
	es_collector *collector;
	/* What authenticates the client. With a token file, token is that token for good. With OAuth2 client
	 * credentials, token is the current access token (NULL until the first is fetched), renewed when renew_at
	 * passes or the service refuses it. Secrets are sent to the service, never shown, wiped on free. */
	pthread_mutex_t auth_lock;
	char *token;
	char *client_id;
	char *client_secret;
	time_t renew_at;       /* monotonic seconds */
	unsigned long token_gen; /* which access token the others were copied from */
} csc_backend;

static void wipe_string(char **s)
{
	if (*s != NULL)
		OPENSSL_clear_free(*s, strlen(*s));
	*s = NULL;
}

static void csc_free(void *p)
{
	csc_backend *b = p;

	if (b == NULL)
		return;
	es_http_pool_free(b->pool);
	es_collector_free(b->collector);
	free(b->base);
	free(b->credential);
	wipe_string(&b->token);
	wipe_string(&b->client_secret);
	free(b->client_id);
	free(b->ca_pem);
	pthread_mutex_destroy(&b->auth_lock);
	free(b);
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? tolower(c) - 'a' + 10 : -1;
}

/* A percent-decoded copy of s[0..len), or NULL on a bad escape, a NUL byte or no memory. */
static char *pct_decode(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;
	size_t i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			int hi = i + 2 < len ? hexval((unsigned char)s[i + 1]) : -1;
			int lo = hi >= 0 ? hexval((unsigned char)s[i + 2]) : -1;

			if (lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else {
			*o++ = s[i] == '+' ? ' ' : s[i];
		}
	}
	*o = '\0';
	return out;
}

/* A bearer token must not cross the network in clear: http:// only to this machine (a test or a local proxy). */
static int loopback_host(const char *authority, size_t len)
{
	static const char *const names[] = {"127.0.0.1", "localhost", "[::1]"};
	size_t i, n;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = strlen(names[i]);
		if (len >= n && strncmp(authority, names[i], n) == 0 && (len == n || authority[n] == ':'))
			return 1;
	}
	return 0;
}

/* "csc:URL?credential=ID" -> base and credential; the URL holds no secret, so messages may show it. */
static int parse_key(csc_backend *b, const char *key, eseal_error *err)
{
	const char *url = key + 4, *q = strchr(url, '?'), *auth, *p, *end;
	size_t base_len, auth_len;

	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
		return es_error_set(err, ESEAL_E_CONFIG, "%s: a csc: key is csc:https://HOST/PATH?credential=ID", key);
	auth = strstr(url, "://") + 3;
	auth_len = strcspn(auth, "/?#");
	if (memchr(auth, '@', auth_len) != NULL)
		return es_error_set(err, ESEAL_E_CONFIG,
				    "csc:%.*s...: no user information in a csc: URL (the token goes in the token file)",
				    (int)(auth - url), url);
	if (strncmp(url, "http://", 7) == 0 && !loopback_host(auth, auth_len))
		return es_error_set(err, ESEAL_E_CONFIG,
				    "%s: plain http:// would send the token in clear; use https:// (http:// only on "
				    "loopback)",
				    key);
	if (q == NULL || strchr(url, '#') != NULL)
		return es_error_set(err, ESEAL_E_CONFIG, "%s: the csc: URL needs ?credential=ID (and no #fragment)",
				    key);
	base_len = (size_t)(q - url);
	while (base_len > 0 && url[base_len - 1] == '/')
		base_len--;
	if ((b->base = strndup(url, base_len)) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	for (p = q + 1; *p != '\0'; p = *end == '&' ? end + 1 : end) {
		end = p + strcspn(p, "&");
		if (strncmp(p, "credential=", 11) != 0)
			return es_error_set(err, ESEAL_E_CONFIG, "%s: unknown parameter \"%.*s\" in the csc: URL", key,
					    (int)strcspn(p, "=&"), p);
		free(b->credential);
		if ((b->credential = pct_decode(p + 11, (size_t)(end - p - 11))) == NULL || b->credential[0] == '\0')
			return es_error_set(err, ESEAL_E_CONFIG,
					    "%s: the credential parameter is empty or badly escaped", key);
	}
	if (b->credential == NULL)
		return es_error_set(err, ESEAL_E_CONFIG, "%s: the csc: URL needs ?credential=ID", key);
	return ESEAL_OK;
}

/* The service's explanation (CSC error bodies are {"error", "error_description"}), cut to one short line and left
 * out if it would show the token. */
static void describe(const unsigned char *body, size_t len, const char *token, char *out, size_t size)
{
	json_t *o = body != NULL ? json_loadb((const char *)body, len, 0, NULL) : NULL;
	const char *d = json_string_value(json_object_get(o, "error_description"));
	const char *e = json_string_value(json_object_get(o, "error"));
	size_t i;

	out[0] = '\0';
	if (d == NULL)
		d = e;
	if (d != NULL && strstr(d, token) == NULL) {
		snprintf(out, size, ": %.200s", d);
		for (i = 0; out[i] != '\0'; i++)
			if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
				out[i] = ' ';
	}
	json_decref(o);
}

static time_t monotonic_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

/* application/x-www-form-urlencoded: out has room for 3 * strlen(in) + 1; returns the characters written. */
static size_t form_escape(const char *in, char *out)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *in != '\0'; in++) {
		unsigned char c = (unsigned char)*in;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hexd[c >> 4];
			out[o++] = hexd[c & 15];
		}
	}
	out[o] = '\0';
	return o;
}

/* oauth2/token with the client credentials (RFC 6749 section 4.4, as CSC API v2 defines it): a new access token
 * into b->token. Called with auth_lock held, so threads that all find the token stale fetch one, not one each. */
static int fetch_access_token(const eseal_signer *s, csc_backend *b, eseal_error *err)
{
	es_http_request hr;
	char *url = NULL, *body = NULL, reason[256], why[260];
	unsigned char *resp = NULL;
	size_t resp_len = 0, n, cap = 64 + 3 * (strlen(b->client_id) + strlen(b->client_secret));
	long status = 0, lifetime, margin;
	es_http_result res;
	json_t *o = NULL, *exp;
	const char *tok = NULL, *type;
	char *fresh;
	int rc = ESEAL_OK;

	if ((body = malloc(cap)) == NULL || asprintf(&url, "%s/oauth2/token", b->base) < 0) {
		url = NULL;
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	n = (size_t)sprintf(body, "grant_type=client_credentials&client_id=");
	n += form_escape(b->client_id, body + n);
	n += (size_t)sprintf(body + n, "&client_secret=");
	n += form_escape(b->client_secret, body + n);
	memset(&hr, 0, sizeof(hr));
	hr.url = url;
	hr.body = (const unsigned char *)body;
	hr.body_len = n;
	hr.content_type = "application/x-www-form-urlencoded";
	hr.timeout_ms = CSC_TIMEOUT_MS;
	hr.tls_ca_pem = b->ca_pem;
	hr.tls_ca_len = b->ca_len;
	hr.max_response = CSC_MAX_RESPONSE;
	res = es_http_post_answer(b->pool, &hr, &status, &resp, &resp_len, reason, sizeof(reason));
	if (res != ES_HTTP_OK) {
		describe(resp, resp_len, b->client_secret, why, sizeof(why));
		if (status == 400 || status == 401)
			rc = es_error_set(err, ESEAL_E_CONFIG,
					  "%s: oauth2/token: the service refused the client credentials (HTTP %ld%s); "
					  "check csc-client-id and csc-client-secret-file",
					  s->name, status, why);
		else if (status == 403 || status == 404 ||
			 (res == ES_HTTP_PERMANENT && status == 0 && strstr(reason, "larger than") == NULL))
			rc = es_error_set(err, ESEAL_E_CONFIG, "%s: oauth2/token: %s%s", s->name, reason, why);
		else
			rc = es_error_set(err, ESEAL_E_REMOTE, "%s: oauth2/token: %s%s (retry later)", s->name, reason,
					  why);
		goto cleanup;
	}
	o = json_loadb((const char *)resp, resp_len, JSON_REJECT_DUPLICATES, NULL);
	tok = json_string_value(json_object_get(o, "access_token"));
	type = json_string_value(json_object_get(o, "token_type"));
	exp = json_object_get(o, "expires_in");
	if (tok == NULL || tok[0] == '\0' || strlen(tok) >= CSC_TOKEN_MAX || strpbrk(tok, "\r\n") != NULL ||
	    type == NULL || strcasecmp(type, "Bearer") != 0 ||
	    (exp != NULL && (!json_is_integer(exp) || json_integer_value(exp) < 1))) {
		rc = es_error_set(err, ESEAL_E_REMOTE,
				  "%s: oauth2/token: the answer holds no Bearer access_token with a valid expires_in",
				  s->name);
		goto cleanup;
	}
	if ((fresh = strdup(tok)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	wipe_string(&b->token);
	b->token = fresh;
	b->token_gen++;
	/* Without expires_in the token is used until the service refuses it. */
	lifetime = exp != NULL ? (long)json_integer_value(exp) : 365L * 86400;
	margin = lifetime / 4 < CSC_RENEW_MARGIN ? lifetime / 4 : CSC_RENEW_MARGIN;
	b->renew_at = monotonic_seconds() + lifetime - margin;
cleanup:
	if (tok != NULL)
		OPENSSL_cleanse((char *)tok, strlen(tok));
	json_decref(o);
	if (resp != NULL)
		OPENSSL_clear_free(resp, resp_len);
	if (body != NULL)
		OPENSSL_clear_free(body, cap);
	free(url);
	return rc;
}

/* The bearer token to send now, copied into out (CSC_TOKEN_MAX), and *gen its generation: with client credentials
 * a fresh access token is fetched first when there is none or the current one is about to expire. */
static int current_token(const eseal_signer *s, char *out, unsigned long *gen, eseal_error *err)
{
	csc_backend *b = s->backend;
	int rc = ESEAL_OK;

	pthread_mutex_lock(&b->auth_lock);
	if (b->client_id != NULL && (b->token == NULL || monotonic_seconds() >= b->renew_at))
		rc = fetch_access_token(s, b, err);
	if (rc == ESEAL_OK) {
		snprintf(out, CSC_TOKEN_MAX, "%s", b->token);
		*gen = b->token_gen;
	}
	pthread_mutex_unlock(&b->auth_lock);
	return rc;
}

/* The service refused access token gen (expired early, or the instance that issued it restarted): drop it, unless
 * another thread has replaced it already. */
static void drop_token(csc_backend *b, unsigned long gen)
{
	pthread_mutex_lock(&b->auth_lock);
	if (b->token_gen == gen)
		wipe_string(&b->token);
	pthread_mutex_unlock(&b->auth_lock);
}

/* POSTs req (consumed) to base/method and hands back the JSON object answered. Failures are classed for the
 * caller's exit code: the service refusing the token or the credential is configuration, one that is unreachable,
 * busy or talking nonsense is ESEAL_E_REMOTE (retry later). With client credentials, a refused access token is
 * replaced once and the call repeated. */
static int csc_call(const eseal_signer *s, const char *method, json_t *req, json_t **answer, eseal_error *err)
{
	csc_backend *b = s->backend;
	es_http_request hr;
	char *url = NULL, *body = NULL, reason[256], why[260], token[CSC_TOKEN_MAX];
	unsigned char *resp = NULL;
	size_t resp_len = 0;
	unsigned long gen = 0;
	long status = 0;
	es_http_result res;
	json_t *o = NULL;
	int rc = ESEAL_OK, config, attempt;

	*answer = NULL;
	token[0] = '\0';
	body = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (body == NULL || asprintf(&url, "%s/%s", b->base, method) < 0) {
		url = NULL;
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	for (attempt = 0;; attempt++) {
		if ((rc = current_token(s, token, &gen, err)) != ESEAL_OK)
			goto cleanup;
		memset(&hr, 0, sizeof(hr));
		hr.url = url;
		hr.body = (const unsigned char *)body;
		hr.body_len = strlen(body);
		hr.content_type = "application/json";
		hr.timeout_ms = CSC_TIMEOUT_MS;
		hr.bearer = token;
		hr.tls_ca_pem = b->ca_pem;
		hr.tls_ca_len = b->ca_len;
		hr.max_response = CSC_MAX_RESPONSE;
		OPENSSL_free(resp);
		resp = NULL;
		resp_len = 0;
		res = es_http_post_answer(b->pool, &hr, &status, &resp, &resp_len, reason, sizeof(reason));
		if (res == ES_HTTP_OK || status != 401 || b->client_id == NULL || attempt > 0)
			break;
		drop_token(b, gen);
	}
	if (res != ES_HTTP_OK) {
		describe(resp, resp_len, token, why, sizeof(why));
		/* Ours to fix: the token, the credential's name, the URL or the TLS anchors. Not an answer too large,
		 * which es_http also calls permanent. */
		config = status == 401 || status == 403 || status == 404 ||
			 (status == 400 && strcmp(method, "credentials/info") == 0) ||
			 (res == ES_HTTP_PERMANENT && status == 0 && strstr(reason, "larger than") == NULL);
		if (status == 401 || status == 403)
			rc = es_error_set(err, ESEAL_E_CONFIG,
					  "%s: %s: the service refused the client (HTTP %ld%s); check the %s", s->name,
					  method, status, why,
					  b->client_id != NULL ? "client credentials" : "token file");
		else if (config)
			rc = es_error_set(err, ESEAL_E_CONFIG, "%s: %s: %s%s", s->name, method, reason, why);
		else
			rc = es_error_set(err, ESEAL_E_REMOTE, "%s: %s: %s%s (retry later)", s->name, method, reason,
					  why);
		goto cleanup;
	}
	o = json_loadb((const char *)resp, resp_len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(o)) {
		rc = es_error_set(err, ESEAL_E_REMOTE, "%s: %s: the answer is not a JSON object", s->name, method);
		goto cleanup;
	}
	*answer = o;
	o = NULL;
cleanup:
	OPENSSL_cleanse(token, sizeof(token));
	json_decref(o);
	OPENSSL_free(resp);
	free(body);
	free(url);
	return rc;
}

static int add_certificates(eseal_signer *s, json_t *list, eseal_error *err)
{
	size_t i, n = json_array_size(list);

	if ((s->chain = sk_X509_new_null()) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	for (i = 0; i < n; i++) {
		const char *b64 = json_string_value(json_array_get(list, i));
		size_t len = b64 != NULL ? strlen(b64) : 0;
		unsigned char *der = len > 0 && len % 4 == 0 && len < INT32_MAX ? malloc(len) : NULL;
		const unsigned char *p = der;
		int dlen = der != NULL ? EVP_DecodeBlock(der, (const unsigned char *)b64, (int)len) : -1;
		X509 *x = NULL;

		/* EVP_DecodeBlock counts the padding as bytes; DER knows its own length, so they are harmless. */
		if (dlen > 0)
			x = d2i_X509(NULL, &p, dlen);
		free(der);
		if (x == NULL) {
			ERR_clear_error();
			return es_error_set(err, ESEAL_E_REMOTE,
					    "%s: credentials/info: certificate %zu of the answer is not base64 DER",
					    s->name, i + 1);
		}
		if (s->cert == NULL)
			s->cert = x;
		else if (!sk_X509_push(s->chain, x)) {
			X509_free(x);
			return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		}
	}
	return ESEAL_OK;
}

/* credentials/info: the certificate (with its chain) and what the key is, so that callers size and encode the
 * signature value exactly as for a local key. */
static int read_credential(eseal_signer *s, size_t *multisign, eseal_error *err)
{
	const csc_backend *b = s->backend;
	json_t *info = NULL, *key, *certs, *multi;
	const char *status;
	EVP_PKEY *pk;
	int rc;

	rc = csc_call(s, "credentials/info",
		      json_pack("{s:s, s:s, s:b, s:b}", "credentialID", b->credential, "certificates", "chain",
				"certInfo", 0, "authInfo", 0),
		      &info, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	/* How many hashes one signHash call may carry (1 when the service does not say). */
	multi = json_object_get(info, "multisign");
	*multisign = json_is_integer(multi) && json_integer_value(multi) > 1 ?
			     (size_t)(json_integer_value(multi) < ESEAL_CSC_BATCH_MAX ? json_integer_value(multi) :
											ESEAL_CSC_BATCH_MAX) :
			     1;
	key = json_object_get(info, "key");
	status = json_string_value(json_object_get(key, "status"));
	if (status != NULL && strcmp(status, "enabled") != 0) {
		rc = es_error_set(err, ESEAL_E_CONFIG, "%s: the service says the key is %.32s", s->name, status);
		goto cleanup;
	}
	certs = json_object_get(json_object_get(info, "cert"), "certificates");
	if (!json_is_array(certs) || json_array_size(certs) == 0) {
		rc = es_error_set(err, ESEAL_E_REMOTE, "%s: credentials/info: the answer holds no certificate",
				  s->name);
		goto cleanup;
	}
	if ((rc = add_certificates(s, certs, err)) != ESEAL_OK)
		goto cleanup;
	pk = X509_get0_pubkey(s->cert);
	if (pk == NULL || (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA && EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC)) {
		ERR_clear_error();
		rc = es_error_set(err, ESEAL_E_CONFIG,
				  "%s: the credential's certificate holds neither an RSA nor an EC key", s->name);
		goto cleanup;
	}
	s->key_type = EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA ? ES_KEY_RSA : ES_KEY_EC;
	s->key_bytes = s->key_type == ES_KEY_RSA ? (size_t)EVP_PKEY_get_size(pk) :
						   ((size_t)EVP_PKEY_get_bits(pk) + 7) / 8;
	if (s->key_bytes == 0 || s->key_bytes > CSC_SIG_MAX) {
		rc = es_error_set(err, ESEAL_E_CONFIG, "%s: unsupported key size", s->name);
		goto cleanup;
	}
	/* The service's own certificate names the key; a --cert given beside it must carry the same (signer.c). */
	if (EVP_PKEY_up_ref(pk) != 1) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	s->pubkey = pk;
cleanup:
	json_decref(info);
	return rc;
}

/* signAlgo and hashAlgorithmOID by digest: the combined OIDs (sha256WithRSAEncryption, ecdsa-with-SHA256) name
 * the digest too, so a service cannot read the hash as another algorithm's. */
static const struct {
	int nid;
	const char *hash_oid, *rsa_algo, *ec_algo;
} csc_algos[] = {
	{NID_sha256, "2.16.840.1.101.3.4.2.1", "1.2.840.113549.1.1.11", "1.2.840.10045.4.3.2"},
	{NID_sha384, "2.16.840.1.101.3.4.2.2", "1.2.840.113549.1.1.12", "1.2.840.10045.4.3.3"},
	{NID_sha512, "2.16.840.1.101.3.4.2.3", "1.2.840.113549.1.1.13", "1.2.840.10045.4.3.4"},
};

static char *b64_encode(const unsigned char *data, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	if (out != NULL)
		EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

/* A signature the certificate's key does not verify would make a seal nobody can validate: the service signed with
 * another key than its certificate (or --cert) names, or answered garbage. Checked here, before it is used. */
static int signature_verifies(const eseal_signer *s, const EVP_MD *md, const unsigned char *digest, size_t digest_len,
			      const unsigned char *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, X509_get0_pubkey(s->cert), NULL);
	int ok = ctx != NULL && EVP_PKEY_verify_init(ctx) > 0 && EVP_PKEY_CTX_set_signature_md(ctx, md) > 0 &&
		 (s->key_type != ES_KEY_RSA || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0) &&
		 EVP_PKEY_verify(ctx, sig, sig_len, digest, digest_len) == 1;

	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

/* The signatures of items[0..n), all made with csc_algos[algo]: one credential authorization for exactly n, then
 * one signHash call with the n hashes. The SAD is never reused: a seal that failed half-way must not leave an
 * authorization behind that someone else could spend. Each item receives its signature's base64, or the call's
 * error. */
static int send_group(void *ctx, int algo, es_collect_item *const *items, size_t n)
{
	const eseal_signer *s = ctx;
	const csc_backend *b = s->backend;
	json_t *auth = NULL, *signed_ = NULL, *sigs, *hashes = NULL;
	const char *sad, *b64;
	char *hash_b64;
	eseal_error err;
	size_t i;
	int rc;

	eseal_error_clear(&err);
	rc = csc_call(s, "credentials/authorize",
		      json_pack("{s:s, s:I}", "credentialID", b->credential, "numSignatures", (json_int_t)n), &auth,
		      &err);
	if (rc != ESEAL_OK)
		goto cleanup;
	if ((sad = json_string_value(json_object_get(auth, "SAD"))) == NULL) {
		rc = es_error_set(&err, ESEAL_E_REMOTE, "%s: credentials/authorize: the answer holds no SAD", s->name);
		goto cleanup;
	}
	if ((hashes = json_array()) == NULL) {
		rc = es_error_set(&err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		if ((hash_b64 = b64_encode(items[i]->digest, items[i]->digest_len)) == NULL ||
		    json_array_append_new(hashes, json_string(hash_b64)) != 0) {
			free(hash_b64);
			rc = es_error_set(&err, ESEAL_E_INTERNAL, "out of memory");
			goto cleanup;
		}
		free(hash_b64);
	}
	rc = csc_call(s, "signatures/signHash",
		      json_pack("{s:s, s:s, s:O, s:s, s:s, s:s}", "credentialID", b->credential, "SAD", sad, "hashes",
				hashes, "hashAlgorithmOID", csc_algos[algo].hash_oid, "signAlgo",
				s->key_type == ES_KEY_RSA ? csc_algos[algo].rsa_algo : csc_algos[algo].ec_algo,
				"operationMode", "S"),
		      &signed_, &err);
	if (rc != ESEAL_OK)
		goto cleanup;
	sigs = json_object_get(signed_, "signatures");
	if (json_array_size(sigs) != n) {
		rc = es_error_set(&err, ESEAL_E_REMOTE,
				  "%s: signatures/signHash: %zu signatures answered for %zu hashes", s->name,
				  json_array_size(sigs), n);
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		b64 = json_string_value(json_array_get(sigs, i));
		if (b64 != NULL && (items[i]->answer = strdup(b64)) == NULL)
			es_error_set(&items[i]->err, ESEAL_E_INTERNAL, "out of memory");
	}
cleanup:
	/* One failed call fails every signature it carried, each with the same explanation. */
	for (i = 0; rc != ESEAL_OK && i < n; i++)
		items[i]->err = err;
	json_decref(hashes);
	json_decref(auth);
	json_decref(signed_);
	return rc;
}

/* One signature, sent with those other threads ask for at the same moment (see csc_collect.h), then checked here,
 * in the thread that asked for it. */
static int csc_sign(eseal_signer *s, const EVP_MD *md, const unsigned char *digest, size_t digest_len,
		    unsigned char *sig, size_t *sig_len, eseal_error *err)
{
	const csc_backend *b = s->backend;
	es_collect_item item;
	const char *b64;
	unsigned char der[CSC_SIG_MAX + 4];
	size_t i, len;
	int nid = EVP_MD_get_type(md), dlen, rc;

	for (i = 0; i < sizeof(csc_algos) / sizeof(csc_algos[0]) && csc_algos[i].nid != nid; i++)
		;
	if (i == sizeof(csc_algos) / sizeof(csc_algos[0]) || s->scheme == ESEAL_SCHEME_RSA_PSS)
		return es_error_set(err, ESEAL_E_CONFIG, "%s: %s with %s is not offered for csc: keys", s->name,
				    OBJ_nid2sn(nid), s->scheme == ESEAL_SCHEME_RSA_PSS ? "RSASSA-PSS" : "this key");
	memset(&item, 0, sizeof(item));
	item.digest = digest;
	item.digest_len = digest_len;
	if ((rc = es_collector_sign(b->collector, (int)i, &item, send_group, s)) != ESEAL_OK) {
		*err = item.err;
		goto cleanup;
	}
	b64 = item.answer;
	len = b64 != NULL ? strlen(b64) : 0;
	if (len == 0 || len % 4 != 0 || len > 4 * (CSC_SIG_MAX / 3 + 1) ||
	    (dlen = EVP_DecodeBlock(der, (const unsigned char *)b64, (int)len)) < 0) {
		rc = es_error_set(err, ESEAL_E_REMOTE, "%s: signatures/signHash: the answer holds no base64 signature",
				  s->name);
		goto cleanup;
	}
	dlen -= (b64[len - 1] == '=') + (b64[len - 2] == '=');
	if (dlen <= 0 || !signature_verifies(s, md, digest, digest_len, der, (size_t)dlen)) {
		rc = es_error_set(err, ESEAL_E_CONFIG,
				  "%s: signatures/signHash: the signature does not verify under the certificate's key",
				  s->name);
		goto cleanup;
	}
	/* Hand the value back as a token would: the RSA block as is, ECDSA as raw r||s. */
	if (s->key_type == ES_KEY_EC) {
		if (*sig_len < 2 * s->key_bytes || !es_ecdsa_der_to_raw(der, (size_t)dlen, s->key_bytes, sig)) {
			rc = es_error_set(err, ESEAL_E_REMOTE, "%s: signatures/signHash: unusable ECDSA value",
					  s->name);
			goto cleanup;
		}
		*sig_len = 2 * s->key_bytes;
	} else {
		if ((size_t)dlen > *sig_len) {
			rc = es_error_set(err, ESEAL_E_REMOTE, "%s: signatures/signHash: signature too long", s->name);
			goto cleanup;
		}
		memcpy(sig, der, (size_t)dlen);
		*sig_len = (size_t)dlen;
	}
cleanup:
	free(item.answer);
	return rc;
}

static const es_signer_ops csc_ops = {csc_sign, csc_free, NULL};

/* The first line of a secret file (token or client secret), copied to the heap into *out. */
static int read_secret(const eseal_signer *s, const eseal_signer_options *opts, const char *path, const char *what,
		       char **out, eseal_error *err)
{
	char buf[CSC_TOKEN_MAX];
	int rc;

	buf[0] = '\0';
	rc = es_secret_read_file(path, what, buf, sizeof(buf), opts->warn, opts->warn_ctx, err);
	if (rc != ESEAL_OK)
		es_error_prefix(err, "%s", s->name);
	else if (buf[0] == '\0')
		rc = es_error_set(err, ESEAL_E_CONFIG, "%s: %s %s: the first line is empty", s->name, what, path);
	else if ((*out = strdup(buf)) == NULL)
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int es_signer_csc_open(eseal_signer *s, const eseal_signer_options *opts, eseal_error *err)
{
	es_input_role ca_role = {"cannot read the CSC TLS CA file", ESEAL_E_CONFIG, ESEAL_E_CONFIG, ES_INPUT_MAX_PEM,
				 0};
	csc_backend *b = calloc(1, sizeof(*b));
	size_t batch = 1;
	int rc;

	if (b == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	if (pthread_mutex_init(&b->auth_lock, NULL) != 0) {
		free(b);
		return es_error_set(err, ESEAL_E_INTERNAL, "cannot set up the csc: signer");
	}
	s->ops = &csc_ops;
	s->backend = b;
	if ((rc = parse_key(b, opts->key, err)) != ESEAL_OK)
		return rc;
	if (asprintf(&s->name, "csc:%s?credential=%s", b->base, b->credential) < 0) {
		s->name = NULL;
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	}
	if (opts->scheme == ESEAL_SCHEME_RSA_PSS)
		return es_error_set(err, ESEAL_E_CONFIG, "%s: RSASSA-PSS is not offered for csc: keys (use pkcs1)",
				    s->name);
	if ((opts->csc_client_id != NULL) != (opts->csc_client_secret_file != NULL))
		return es_error_set(err, ESEAL_E_CONFIG,
				    "%s: OAuth2 client credentials need both csc-client-id and csc-client-secret-file",
				    s->name);
	if (opts->csc_client_id != NULL && opts->csc_token_file != NULL)
		return es_error_set(err, ESEAL_E_CONFIG,
				    "%s: give either a token file or client credentials (csc-client-id), not both",
				    s->name);
	if (opts->csc_client_id != NULL) {
		if (opts->csc_client_id[0] == '\0' || strlen(opts->csc_client_id) > 256)
			return es_error_set(err, ESEAL_E_CONFIG, "%s: csc-client-id is empty or too long", s->name);
		if ((b->client_id = strdup(opts->csc_client_id)) == NULL)
			return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		rc = read_secret(s, opts, opts->csc_client_secret_file, "CSC client secret file", &b->client_secret,
				 err);
	} else if (opts->csc_token_file != NULL) {
		rc = read_secret(s, opts, opts->csc_token_file, "CSC token file", &b->token, err);
	} else {
		rc = es_error_because(err, ESEAL_E_CONFIG, ESEAL_REASON_NO_CSC_CREDENTIAL,
				      "%s: no token file (csc-token-file) and no client credentials (csc-client-id, "
				      "csc-client-secret-file)",
				  s->name);
	}
	if (rc != ESEAL_OK)
		return rc;
	if (opts->csc_ca != NULL &&
	    (rc = es_input_read(opts->csc_ca, &ca_role, &b->ca_pem, &b->ca_len, err)) != ESEAL_OK)
		return rc;
	if ((rc = es_http_pool_new(&b->pool, err)) != ESEAL_OK)
		return rc;
	if ((rc = read_credential(s, &batch, err)) != ESEAL_OK)
		return rc;
	/* Never more hashes in one call than the service takes (credentials/info's multisign). */
	if (opts->csc_batch > 0 && (size_t)opts->csc_batch < batch)
		batch = (size_t)opts->csc_batch;
	else if (opts->csc_batch <= 0 && batch > ESEAL_CSC_BATCH_DEFAULT)
		batch = ESEAL_CSC_BATCH_DEFAULT;
	return es_collector_new(&b->collector, batch, CSC_BATCH_WINDOW_US, err);
}
