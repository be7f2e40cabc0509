/* plugins/server/clients.c: the clients file: who may seal with which profile, each known by its bearer token's hash.
 * Tokens exist in clear only once, on the terminal of whoever ran `eseal client add`; the file holds SHA-256 digests. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "server.h"

/* Names and profile names go into a colon- and comma-separated file and into the audit log: keep them plain. */
static int plain_name(const char *s)
{
	size_t i;

	if (s[0] == '\0' || strlen(s) > 128)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-' || s[i] == '_' || s[i] == '.' || s[i] == '@'))
			return 0;
	return 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 32;

	EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

static void client_clear(srv_client *c)
{
	size_t i;

	free(c->name);
	for (i = 0; i < c->n_profiles; i++)
		free(c->profiles[i]);
	free(c->profiles);
	memset(c, 0, sizeof(*c));
}

void srv_clients_clear(srv_clients *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		client_clear(&c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

/* One line "NAME:HEX:P1,P2" into *out. */
static int parse_line(char *line, srv_client *out, const char *path, unsigned lineno, eseal_error *err)
{
	char *name = line, *hex, *profiles, *p, *save = NULL;
	size_t i;
	char **grown;

	memset(out, 0, sizeof(*out));
	if ((hex = strchr(name, ':')) == NULL || (profiles = strchr(hex + 1, ':')) == NULL)
		return srv_error(err, ESEAL_E_CONFIG, "%s:%u: not NAME:SHA256:PROFILE[,PROFILE...]", path, lineno);
	*hex++ = '\0';
	*profiles++ = '\0';
	if (!plain_name(name) || strlen(hex) != 64)
		return srv_error(err, ESEAL_E_CONFIG, "%s:%u: not NAME:SHA256:PROFILE[,PROFILE...]", path, lineno);
	for (i = 0; i < 32; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return srv_error(err, ESEAL_E_CONFIG, "%s:%u: the token hash is not 64 lowercase hex digits",
					 path, lineno);
		out->token_hash[i] = (unsigned char)(hi << 4 | lo);
	}
	if ((out->name = strdup(name)) == NULL)
		goto oom;
	for (p = strtok_r(profiles, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
		if (!plain_name(p)) {
			client_clear(out);
			return srv_error(err, ESEAL_E_CONFIG, "%s:%u: '%s' is not a profile name", path, lineno, p);
		}
		if ((grown = realloc(out->profiles, (out->n_profiles + 1) * sizeof(*grown))) == NULL)
			goto oom;
		out->profiles = grown;
		if ((out->profiles[out->n_profiles] = strdup(p)) == NULL)
			goto oom;
		out->n_profiles++;
	}
	if (out->n_profiles == 0) {
		client_clear(out);
		return srv_error(err, ESEAL_E_CONFIG, "%s:%u: client %s may use no profile", path, lineno, name);
	}
	return ESEAL_OK;
oom:
	client_clear(out);
	return srv_error(err, ESEAL_E_INTERNAL, "out of memory");
}

int srv_clients_load(srv_clients *c, const char *path, int missing_ok, eseal_error *err)
{
	FILE *f = NULL;
	char *line = NULL;
	size_t cap = 0, i;
	ssize_t len;
	unsigned lineno = 0;
	srv_client one, *grown;
	int rc = ESEAL_OK;

	memset(c, 0, sizeof(*c));
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT && missing_ok)
			return ESEAL_OK;
		return srv_error(err, ESEAL_E_CONFIG, "%s: cannot read the clients file: %s", path, strerror(errno));
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if ((rc = parse_line(line, &one, path, lineno, err)) != ESEAL_OK)
			goto cleanup;
		for (i = 0; i < c->n; i++)
			if (strcmp(c->v[i].name, one.name) == 0) {
				rc = srv_error(err, ESEAL_E_CONFIG, "%s:%u: client %s is listed twice", path, lineno,
					       one.name);
				client_clear(&one);
				goto cleanup;
			}
		if ((grown = realloc(c->v, (c->n + 1) * sizeof(*grown))) == NULL) {
			client_clear(&one);
			rc = srv_error(err, ESEAL_E_INTERNAL, "out of memory");
			goto cleanup;
		}
		c->v = grown;
		c->v[c->n++] = one;
	}
	if (ferror(f))
		rc = srv_error(err, ESEAL_E_CONFIG, "%s: cannot read the clients file: %s", path, strerror(errno));
cleanup:
	free(line);
	fclose(f);
	if (rc != ESEAL_OK)
		srv_clients_clear(c);
	return rc;
}

const srv_client *srv_clients_find(const srv_clients *c, const char *token, size_t token_len)
{
	unsigned char h[32];
	const srv_client *found = NULL;
	size_t i;

	sha256(token, token_len, h);
	/* Every entry is compared, matching or not, so the time taken does not tell which one was close. */
	for (i = 0; i < c->n; i++)
		if (CRYPTO_memcmp(h, c->v[i].token_hash, sizeof(h)) == 0)
			found = &c->v[i];
	return found;
}

const srv_client *srv_clients_check(const srv_clients *c, const char *name, const char *secret, size_t secret_len)
{
	unsigned char h[32];
	const srv_client *found = NULL;
	size_t i;

	sha256(secret, secret_len, h);
	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			found = &c->v[i];
	if (found == NULL || CRYPTO_memcmp(h, found->token_hash, sizeof(h)) != 0)
		return NULL;
	return found;
}

void srv_sha256(const void *data, size_t len, unsigned char out[32])
{
	sha256(data, len, out);
}

int srv_client_may_use(const srv_client *client, const char *profile)
{
	size_t i;

	for (i = 0; i < client->n_profiles; i++)
		if (strcmp(client->profiles[i], profile) == 0)
			return 1;
	return 0;
}

int srv_random_b64url(char out[SRV_RANDOM_B64URL_SIZE])
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char r[33];
	size_t i, o = 0;

	if (RAND_bytes(r, 32) != 1)
		return -1;
	r[32] = 0;
	for (i = 0; i < 33; i += 3) {
		unsigned v = (unsigned)r[i] << 16 | (unsigned)r[i + 1] << 8 | r[i + 2];

		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	out[43] = '\0'; /* 32 bytes are 43 characters; the 44th only encodes the padding byte */
	OPENSSL_cleanse(r, sizeof(r));
	return 0;
}

/* A new token, prefixed so a leaked one is recognisable in a scan, and its SHA-256. */
static int new_token(char *token, unsigned char hash[32], eseal_error *err)
{
	char r[SRV_RANDOM_B64URL_SIZE];
	int n;

	if (srv_random_b64url(r) != 0)
		return srv_error(err, ESEAL_E_CRYPTO, "no random bytes from OpenSSL for a token");
	n = snprintf(token, SRV_TOKEN_SIZE, "eseal_%s", r);
	OPENSSL_cleanse(r, sizeof(r));
	sha256(token, (size_t)n, hash);
	return ESEAL_OK;
}

static int write_all(int fd, const char *s, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The new file is complete on disk before it replaces the old one, so a crash leaves one or the other. */
static int write_atomically(const char *path, const srv_clients *c, eseal_error *err)
{
	static const char header[] = "# eseal clients: NAME:SHA256(token):PROFILES (written by eseal client add)\n";
	char *tmp = NULL, *dircopy = NULL, line[1024];
	int fd = -1, dfd = -1, rc = ESEAL_OK;
	size_t i, j, n;

	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0 || (dircopy = strdup(path)) == NULL) {
		tmp = NULL;
		rc = srv_error(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		rc = srv_error(err, ESEAL_E_IO, "%s: cannot create: %s", tmp, strerror(errno));
		goto cleanup;
	}
	if (fchmod(fd, 0600) != 0 || write_all(fd, header, sizeof(header) - 1) != 0)
		goto write_error;
	for (i = 0; i < c->n; i++) {
		n = (size_t)snprintf(line, sizeof(line), "%s:", c->v[i].name);
		for (j = 0; j < 32; j++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%02x", c->v[i].token_hash[j]);
		for (j = 0; j < c->v[i].n_profiles; j++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%c%s", j == 0 ? ':' : ',',
					      c->v[i].profiles[j]);
		if (n + 1 >= sizeof(line)) {
			rc = srv_error(err, ESEAL_E_USAGE, "client %s: too many profiles", c->v[i].name);
			goto cleanup;
		}
		line[n++] = '\n';
		if (write_all(fd, line, n) != 0)
			goto write_error;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto write_error;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		rc = srv_error(err, ESEAL_E_IO, "%s: cannot replace: %s", path, strerror(errno));
		goto cleanup;
	}
	free(tmp);
	tmp = NULL;
	/* The rename itself must survive a crash too. */
	if ((dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(dfd) != 0)
		rc = srv_error(err, ESEAL_E_IO, "%s: cannot sync its directory: %s", path, strerror(errno));
	goto cleanup;
write_error:
	rc = srv_error(err, ESEAL_E_IO, "%s: cannot write: %s", tmp, strerror(errno));
cleanup:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(dircopy);
	return rc;
}

int srv_clients_add(const char *path, const char *name, const char *const *profiles, size_t n_profiles, char *token,
		    eseal_error *err)
{
	srv_clients c;
	srv_client *grown, *nc;
	size_t i;
	int rc;

	if (!plain_name(name))
		return srv_error(err, ESEAL_E_USAGE, "--name: '%s' is not a plain name (letters, digits, - _ . @)",
				 name);
	for (i = 0; i < n_profiles; i++)
		if (!plain_name(profiles[i]))
			return srv_error(err, ESEAL_E_USAGE, "--profile: '%s' is not a profile name", profiles[i]);
	if ((rc = srv_clients_load(&c, path, 1, err)) != ESEAL_OK)
		return rc;
	for (i = 0; i < c.n; i++)
		if (strcmp(c.v[i].name, name) == 0) {
			rc = srv_error(err, ESEAL_E_USAGE, "%s: a client named %s exists already", path, name);
			goto cleanup;
		}
	if ((grown = realloc(c.v, (c.n + 1) * sizeof(*grown))) == NULL) {
		rc = srv_error(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	c.v = grown;
	nc = &c.v[c.n];
	memset(nc, 0, sizeof(*nc));
	c.n++;
	if ((nc->name = strdup(name)) == NULL || (nc->profiles = calloc(n_profiles, sizeof(char *))) == NULL) {
		rc = srv_error(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < n_profiles; i++) {
		if ((nc->profiles[i] = strdup(profiles[i])) == NULL) {
			rc = srv_error(err, ESEAL_E_INTERNAL, "out of memory");
			goto cleanup;
		}
		nc->n_profiles++;
	}
	if ((rc = new_token(token, nc->token_hash, err)) != ESEAL_OK)
		goto cleanup;
	if ((rc = write_atomically(path, &c, err)) != ESEAL_OK)
		OPENSSL_cleanse(token, SRV_TOKEN_SIZE);
cleanup:
	srv_clients_clear(&c);
	return rc;
}
