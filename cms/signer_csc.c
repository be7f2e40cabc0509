/* cms/signer_csc.c: the remote back end: a key held by a service speaking the Cloud Signature Consortium API v2
 * ("csc:https://host/csc/v2?credential=ID"): certificates from credentials/info, signatures by authorize + signHash. */
#include "signer_internal.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "../timestamp/tsa_internal.h"
#include "ecdsa_sig.h"
#include "error_internal.h"
#include "input_internal.h"
#include "secret_internal.h"

#define CSC_TOKEN_MAX 4096
#define CSC_TIMEOUT_MS 30000L
/* credentials/info carries the chain (a few KiB per certificate); signHash a few hundred bytes per hash. A larger
 * answer is a broken or hostile service, not something to hold in memory. */
#define CSC_MAX_RESPONSE ((size_t)1 << 20)
#define CSC_SIG_MAX 1024 /* RSA-8192 */

typedef struct csc_backend {
	es_http_pool *pool;
	char *base;       /* the service's URL up to "/csc/v2", without "?..." and without a trailing "/" */
	char *credential; /* credentialID, percent-decoded */
	char *token;      /* the client's bearer token: sent to the service, never shown (wiped on free) */
	unsigned char *ca_pem;
	size_t ca_len;
} csc_backend;

static void csc_free(void *p)
{
	csc_backend *b = p;

	if (b == NULL)
		return;
	es_http_pool_free(b->pool);
	free(b->base);
	free(b->credential);
	if (b->token != NULL)
		OPENSSL_clear_free(b->token, strlen(b->token));
	free(b->ca_pem);
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

/* POSTs req (consumed) to base/method and hands back the JSON object answered. Failures are classed for the
 * caller's exit code: the service refusing the token or the credential is configuration, one that is unreachable,
 * busy or talking nonsense is ESEAL_E_REMOTE (retry later). */
static int csc_call(const eseal_signer *s, const char *method, json_t *req, json_t **answer, eseal_error *err)
{
	const csc_backend *b = s->backend;
	es_http_request hr;
	char *url = NULL, *body = NULL, reason[256], why[260];
	unsigned char *resp = NULL;
	size_t resp_len = 0;
	long status = 0;
	es_http_result res;
	json_t *o = NULL;
	int rc = ESEAL_OK, config;

	*answer = NULL;
	body = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (body == NULL || asprintf(&url, "%s/%s", b->base, method) < 0) {
		url = NULL;
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	memset(&hr, 0, sizeof(hr));
	hr.url = url;
	hr.body = (const unsigned char *)body;
	hr.body_len = strlen(body);
	hr.content_type = "application/json";
	hr.timeout_ms = CSC_TIMEOUT_MS;
	hr.bearer = b->token;
	hr.tls_ca_pem = b->ca_pem;
	hr.tls_ca_len = b->ca_len;
	hr.max_response = CSC_MAX_RESPONSE;
	res = es_http_post_answer(b->pool, &hr, &status, &resp, &resp_len, reason, sizeof(reason));
	if (res != ES_HTTP_OK) {
		describe(resp, resp_len, b->token, why, sizeof(why));
		/* Ours to fix: the token, the credential's name, the URL or the TLS anchors. Not an answer too large,
		 * which es_http also calls permanent. */
		config = status == 401 || status == 403 || status == 404 ||
			 (status == 400 && strcmp(method, "credentials/info") == 0) ||
			 (res == ES_HTTP_PERMANENT && status == 0 && strstr(reason, "larger than") == NULL);
		if (status == 401 || status == 403)
			rc = es_error_set(err, ESEAL_E_CONFIG,
					  "%s: %s: the service refused the client (HTTP %ld%s); check the token file",
					  s->name, method, status, why);
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
static int read_credential(eseal_signer *s, eseal_error *err)
{
	const csc_backend *b = s->backend;
	json_t *info = NULL, *key, *certs;
	const char *status;
	EVP_PKEY *pk;
	int rc;

	rc = csc_call(s, "credentials/info",
		      json_pack("{s:s, s:s, s:b, s:b}", "credentialID", b->credential, "certificates", "chain",
				"certInfo", 0, "authInfo", 0),
		      &info, err);
	if (rc != ESEAL_OK)
		goto cleanup;
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

/* One signature: a credential authorization for exactly one, then signHash. The SAD is never reused: a seal that
 * failed half-way must not leave an authorization behind that someone else could spend. */
static int csc_sign(eseal_signer *s, const EVP_MD *md, const unsigned char *digest, size_t digest_len,
		    unsigned char *sig, size_t *sig_len, eseal_error *err)
{
	const csc_backend *b = s->backend;
	json_t *auth = NULL, *signed_ = NULL, *sigs;
	const char *sad, *b64;
	char *hash_b64 = NULL;
	unsigned char der[CSC_SIG_MAX + 4];
	size_t i, len;
	int nid = EVP_MD_get_type(md), dlen, rc;

	for (i = 0; i < sizeof(csc_algos) / sizeof(csc_algos[0]) && csc_algos[i].nid != nid; i++)
		;
	if (i == sizeof(csc_algos) / sizeof(csc_algos[0]) || s->scheme == ESEAL_SCHEME_RSA_PSS)
		return es_error_set(err, ESEAL_E_CONFIG, "%s: %s with %s is not offered for csc: keys", s->name,
				    OBJ_nid2sn(nid), s->scheme == ESEAL_SCHEME_RSA_PSS ? "RSASSA-PSS" : "this key");
	rc = csc_call(s, "credentials/authorize",
		      json_pack("{s:s, s:i}", "credentialID", b->credential, "numSignatures", 1), &auth, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	if ((sad = json_string_value(json_object_get(auth, "SAD"))) == NULL) {
		rc = es_error_set(err, ESEAL_E_REMOTE, "%s: credentials/authorize: the answer holds no SAD", s->name);
		goto cleanup;
	}
	if ((hash_b64 = b64_encode(digest, digest_len)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	rc = csc_call(s, "signatures/signHash",
		      json_pack("{s:s, s:s, s:[s], s:s, s:s, s:s}", "credentialID", b->credential, "SAD", sad, "hashes",
				hash_b64, "hashAlgorithmOID", csc_algos[i].hash_oid, "signAlgo",
				s->key_type == ES_KEY_RSA ? csc_algos[i].rsa_algo : csc_algos[i].ec_algo,
				"operationMode", "S"),
		      &signed_, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	sigs = json_object_get(signed_, "signatures");
	b64 = json_string_value(json_array_get(sigs, 0));
	len = b64 != NULL ? strlen(b64) : 0;
	if (json_array_size(sigs) != 1 || len == 0 || len % 4 != 0 || len > 4 * (CSC_SIG_MAX / 3 + 1) ||
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
	free(hash_b64);
	json_decref(auth);
	json_decref(signed_);
	return rc;
}

static const es_signer_ops csc_ops = {csc_sign, csc_free};

int es_signer_csc_open(eseal_signer *s, const eseal_signer_options *opts, eseal_error *err)
{
	es_input_role ca_role = {"cannot read the CSC TLS CA file", ESEAL_E_CONFIG, ESEAL_E_CONFIG, ES_INPUT_MAX_PEM,
				 0};
	csc_backend *b = calloc(1, sizeof(*b));
	char token[CSC_TOKEN_MAX];
	int rc;

	token[0] = '\0';
	if (b == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	s->ops = &csc_ops;
	s->backend = b;
	if ((rc = parse_key(b, opts->key, err)) != ESEAL_OK)
		goto cleanup;
	if (asprintf(&s->name, "csc:%s?credential=%s", b->base, b->credential) < 0) {
		s->name = NULL;
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	if (opts->scheme == ESEAL_SCHEME_RSA_PSS) {
		rc = es_error_set(err, ESEAL_E_CONFIG, "%s: RSASSA-PSS is not offered for csc: keys (use pkcs1)",
				  s->name);
		goto cleanup;
	}
	if (opts->csc_token_file == NULL) {
		rc = es_error_set(err, ESEAL_E_CONFIG,
				  "%s: no token file (--csc-token-file, profile key csc-token-file)", s->name);
		goto cleanup;
	}
	rc = es_secret_read_file(opts->csc_token_file, "CSC token file", token, sizeof(token), opts->warn,
				 opts->warn_ctx, err);
	if (rc != ESEAL_OK) {
		es_error_prefix(err, "%s", s->name);
		goto cleanup;
	}
	if (token[0] == '\0') {
		rc = es_error_set(err, ESEAL_E_CONFIG, "%s: CSC token file %s: the first line is empty", s->name,
				  opts->csc_token_file);
		goto cleanup;
	}
	if ((b->token = strdup(token)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	if (opts->csc_ca != NULL &&
	    (rc = es_input_read(opts->csc_ca, &ca_role, &b->ca_pem, &b->ca_len, err)) != ESEAL_OK)
		goto cleanup;
	if ((rc = es_http_pool_new(&b->pool, err)) != ESEAL_OK)
		goto cleanup;
	rc = read_credential(s, err);
cleanup:
	OPENSSL_cleanse(token, sizeof(token));
	return rc;
}
