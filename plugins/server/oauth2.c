/* plugins/server/oauth2.c: the OAuth2 token endpoint of the CSC API (client credentials grant): a client proves its
 * name and secret once and gets a short-lived access token, held here only as a digest, in this process's memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "server.h"

#define GRANTS_MAX 4096 /* access tokens alive at once; beyond, the one closest to expiry is dropped */
#define FORM_VALUE_MAX 512

struct grant {
	unsigned char hash[32]; /* SHA-256 of the access token */
	char client[129];       /* the client's name (names are at most 128 characters) */
	time_t expires;         /* monotonic seconds; 0: free */
};

struct srv_oauth {
	pthread_mutex_t lock;
	struct grant *v;
};

static time_t mono_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

int srv_oauth_open(srv_oauth **out, eseal_error *err)
{
	srv_oauth *o = calloc(1, sizeof(*o));

	if (o == NULL || (o->v = calloc(GRANTS_MAX, sizeof(*o->v))) == NULL || pthread_mutex_init(&o->lock, NULL) != 0) {
		if (o != NULL)
			free(o->v);
		free(o);
		return srv_error(err, ESEAL_E_INTERNAL, "out of memory");
	}
	*out = o;
	return ESEAL_OK;
}

void srv_oauth_free(srv_oauth *o)
{
	if (o == NULL)
		return;
	OPENSSL_cleanse(o->v, GRANTS_MAX * sizeof(*o->v));
	free(o->v);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

static int hexdigit(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decodes s[0..len) (application/x-www-form-urlencoded: '+' is a space) into out (FORM_VALUE_MAX);
 * 0, or -1 for a bad escape, a NUL or a value too long. */
static int form_decode(const char *s, size_t len, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi = i + 2 < len ? hexdigit((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < len ? hexdigit((unsigned char)s[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (c == 0 || o + 1 >= FORM_VALUE_MAX)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

struct token_request {
	char grant_type[FORM_VALUE_MAX], client_id[FORM_VALUE_MAX], client_secret[FORM_VALUE_MAX];
	int has_grant, has_id, has_secret;
};

/* The form body's parameters; a parameter given twice is refused (RFC 6749 section 3.2), others are ignored
 * (section 3.2 too). */
static int parse_form(const char *body, size_t len, struct token_request *r)
{
	static const char *const names[] = {"grant_type", "client_id", "client_secret"};
	const char *p = body, *end = body + len;
	char *dst[3] = {r->grant_type, r->client_id, r->client_secret};
	int *seen[3] = {&r->has_grant, &r->has_id, &r->has_secret};
	size_t i, n, klen;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p)), *eq;

		n = (size_t)((amp != NULL ? amp : end) - p);
		eq = memchr(p, '=', n);
		if (n > 0 && eq == NULL)
			return -1;
		klen = eq != NULL ? (size_t)(eq - p) : 0;
		for (i = 0; n > 0 && i < 3; i++)
			if (klen == strlen(names[i]) && memcmp(p, names[i], klen) == 0) {
				if (*seen[i] || form_decode(eq + 1, n - klen - 1, dst[i]) != 0)
					return -1;
				*seen[i] = 1;
			}
		p += n + 1;
	}
	return 0;
}

/* "Basic base64(urlencode(id):urlencode(secret))" (RFC 6749 section 2.3.1) into r. */
static int parse_basic(const char *h, struct token_request *r)
{
	unsigned char dec[2 * FORM_VALUE_MAX + 4];
	size_t len;
	int n;
	char *colon;

	h += 6;
	while (*h == ' ')
		h++;
	len = strlen(h);
	if (len == 0 || len % 4 != 0 || len / 4 * 3 >= sizeof(dec) ||
	    (n = EVP_DecodeBlock(dec, (const unsigned char *)h, (int)len)) < 0)
		return -1;
	n -= (h[len - 1] == '=') + (h[len - 2] == '=');
	dec[n] = '\0';
	if ((colon = strchr((char *)dec, ':')) == NULL)
		return -1;
	if (form_decode((char *)dec, (size_t)(colon - (char *)dec), r->client_id) != 0 ||
	    form_decode(colon + 1, strlen(colon + 1), r->client_secret) != 0) {
		OPENSSL_cleanse(dec, sizeof(dec));
		return -1;
	}
	OPENSSL_cleanse(dec, sizeof(dec));
	r->has_id = r->has_secret = 1;
	return 0;
}

/* Records a new access token for client; 0, or -1 without random bytes. */
static int grant(srv_state *st, const srv_client *client, char *token, size_t size)
{
	srv_oauth *o = st->oauth;
	char r[SRV_RANDOM_B64URL_SIZE];
	struct grant *slot = NULL;
	time_t now = mono_now();
	size_t i;

	if (srv_random_b64url(r) != 0)
		return -1;
	snprintf(token, size, "eseal_at_%s", r);
	OPENSSL_cleanse(r, sizeof(r));
	pthread_mutex_lock(&o->lock);
	for (i = 0; i < GRANTS_MAX; i++) {
		if (o->v[i].expires <= now) {
			slot = &o->v[i];
			break;
		}
		if (slot == NULL || o->v[i].expires < slot->expires)
			slot = &o->v[i];
	}
	srv_sha256(token, strlen(token), slot->hash);
	snprintf(slot->client, sizeof(slot->client), "%s", client->name);
	slot->expires = now + (time_t)st->cfg->access_token_lifetime;
	pthread_mutex_unlock(&o->lock);
	return 0;
}

char *srv_oauth_token(srv_state *st, const srv_clients *clients, const char *authorization, const char *content_type, const char *body,
		      size_t len, unsigned *code)
{
	struct token_request r;
	const srv_client *client;
	char token[SRV_RANDOM_B64URL_SIZE + 16], *text = NULL;
	json_t *o;

	memset(&r, 0, sizeof(r));
	if (content_type == NULL || strncasecmp(content_type, "application/x-www-form-urlencoded", 33) != 0) {
		text = srv_csc_error(code, 400, "invalid_request",
				   "the body must be application/x-www-form-urlencoded (RFC 6749)");
		goto cleanup;
	}
	if (parse_form(body != NULL ? body : "", len, &r) != 0) {
		text = srv_csc_error(code, 400, "invalid_request", "malformed or repeated parameter");
		goto cleanup;
	}
	if (!r.has_grant) {
		text = srv_csc_error(code, 400, "invalid_request", "Missing parameter grant_type");
		goto cleanup;
	}
	if (strcmp(r.grant_type, "client_credentials") != 0) {
		text = srv_csc_error(code, 400, "unsupported_grant_type", "only client_credentials is supported");
		goto cleanup;
	}
	if (authorization != NULL && strncasecmp(authorization, "Basic ", 6) == 0) {
		/* One way of authenticating the client per request (RFC 6749 section 2.3). */
		if (r.has_id || r.has_secret || parse_basic(authorization, &r) != 0) {
			text = srv_csc_error(code, 401, "invalid_client", "bad or doubled client authentication");
			goto cleanup;
		}
	}
	if (!r.has_id || !r.has_secret) {
		text = srv_csc_error(code, 401, "invalid_client", "client_id and client_secret are required");
		goto cleanup;
	}
	if ((client = srv_clients_check(clients, r.client_id, r.client_secret, strlen(r.client_secret))) ==
	    NULL) {
		text = srv_csc_error(code, 401, "invalid_client", "unknown client or wrong client_secret");
		goto cleanup;
	}
	if (grant(st, client, token, sizeof(token)) != 0) {
		text = srv_csc_error(code, 500, "server_error", "no random bytes for an access token");
		goto cleanup;
	}
	o = json_pack("{s:s, s:s, s:i}", "access_token", token, "token_type", "Bearer", "expires_in",
		      (int)st->cfg->access_token_lifetime);
	text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	*code = 200;
	OPENSSL_cleanse(token, sizeof(token));
cleanup:
	OPENSSL_cleanse(&r, sizeof(r));
	return text;
}

const srv_client *srv_oauth_find(srv_state *st, const srv_clients *clients, const char *token, size_t len)
{
	srv_oauth *o = st->oauth;
	unsigned char h[32];
	char name[129];
	time_t now = mono_now();
	size_t i;
	int found = 0;

	if (o == NULL || len < 9 || strncmp(token, "eseal_at_", 9) != 0)
		return NULL;
	srv_sha256(token, len, h);
	pthread_mutex_lock(&o->lock);
	for (i = 0; i < GRANTS_MAX; i++)
		if (o->v[i].expires > now && CRYPTO_memcmp(h, o->v[i].hash, sizeof(h)) == 0) {
			snprintf(name, sizeof(name), "%s", o->v[i].client);
			found = 1;
		}
	pthread_mutex_unlock(&o->lock);
	/* By name: a client removed from the clients file since loses its access tokens too. */
	for (i = 0; found && i < clients->n; i++)
		if (strcmp(clients->v[i].name, name) == 0)
			return &clients->v[i];
	return NULL;
}
