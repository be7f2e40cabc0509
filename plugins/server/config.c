/* plugins/server/config.c: reads the [server] section of the configuration file the profiles live in.
 * Every value is checked here, so a typo stops the service at start (exit 78) instead of changing its behaviour. */
#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

int srv_error(eseal_error *err, eseal_status status, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		err->status = status;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return status;
}

int srv_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

/* "HOST:PORT" or "[V6]:PORT"; the host must be a numeric address (no name lookup decides where we listen). */
static int parse_listen(srv_config *cfg, const char *value, eseal_error *err)
{
	const char *colon = strrchr(value, ':');
	unsigned char buf[sizeof(struct in6_addr)];
	char host[64];
	size_t hl;
	char *end = NULL;
	long port;

	if (colon == NULL)
		return srv_error(err, ESEAL_E_CONFIG, "listen: '%s' is not ADDRESS:PORT", value);
	hl = (size_t)(colon - value);
	if (hl >= 2 && value[0] == '[' && value[hl - 1] == ']') {
		value++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host))
		return srv_error(err, ESEAL_E_CONFIG, "listen: no address before the port");
	memcpy(host, value, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, buf) != 1 && inet_pton(AF_INET6, host, buf) != 1)
		return srv_error(err, ESEAL_E_CONFIG, "listen: '%s' is not a numeric IPv4 or IPv6 address", host);
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != '\0' || port < 0 || port > 65535)
		return srv_error(err, ESEAL_E_CONFIG, "listen: '%s' is not a port number (0-65535; 0: any free port)",
				 colon + 1);
	free(cfg->listen_host);
	if ((cfg->listen_host = strdup(host)) == NULL)
		return srv_error(err, ESEAL_E_INTERNAL, "out of memory");
	cfg->listen_port = (unsigned short)port;
	return ESEAL_OK;
}

/* A whole number with an optional K, M or G (powers of 1024), as max-body is written. */
static int parse_size(const char *key, const char *value, unsigned long long *out, eseal_error *err)
{
	char *end = NULL;
	unsigned long long n, mul = 1;

	if (value[0] < '0' || value[0] > '9')
		return srv_error(err, ESEAL_E_CONFIG, "%s: '%s' is not a size such as 1048576, 512K, 100M or 2G", key,
				 value);
	errno = 0;
	n = strtoull(value, &end, 10);
	if (*end == 'K' || *end == 'k')
		mul = 1ULL << 10;
	else if (*end == 'M' || *end == 'm')
		mul = 1ULL << 20;
	else if (*end == 'G' || *end == 'g')
		mul = 1ULL << 30;
	if (mul != 1)
		end++;
	if (errno != 0 || *end != '\0' || n == 0 || n > (1ULL << 50) / mul)
		return srv_error(err, ESEAL_E_CONFIG, "%s: '%s' is not a size such as 1048576, 512K, 100M or 2G", key,
				 value);
	*out = n * mul;
	return ESEAL_OK;
}

static int parse_count(const char *key, const char *value, unsigned int max, unsigned int *out, eseal_error *err)
{
	char *end = NULL;
	unsigned long n;

	errno = 0;
	n = value[0] >= '0' && value[0] <= '9' ? strtoul(value, &end, 10) : 0;
	if (end == NULL || errno != 0 || *end != '\0' || n == 0 || n > max)
		return srv_error(err, ESEAL_E_CONFIG, "%s: '%s' is not a whole number from 1 to %u", key, value, max);
	*out = (unsigned int)n;
	return ESEAL_OK;
}

static int set_string(char **field, const char *value, eseal_error *err)
{
	free(*field);
	if ((*field = strdup(value)) == NULL)
		return srv_error(err, ESEAL_E_INTERNAL, "out of memory");
	return ESEAL_OK;
}

static int set_key(srv_config *cfg, const char *key, const char *value, eseal_error *err)
{
	static const struct {
		const char *key;
		size_t offset;
	} strings[] = {
		{"tls-cert", offsetof(srv_config, tls_cert)},
		{"tls-key", offsetof(srv_config, tls_key)},
		{"tls-client-ca", offsetof(srv_config, tls_client_ca)},
		{"clients-file", offsetof(srv_config, clients_file)},
		{"audit-log", offsetof(srv_config, audit_log)},
		{"trust", offsetof(srv_config, trust)},
		{"work-dir", offsetof(srv_config, work_dir)},
	};
	size_t i;

	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		if (strcmp(key, strings[i].key) == 0)
			return set_string((char **)((char *)cfg + strings[i].offset), value, err);
	if (strcmp(key, "listen") == 0)
		return parse_listen(cfg, value, err);
	if (strcmp(key, "max-body") == 0)
		return parse_size(key, value, &cfg->max_body, err);
	if (strcmp(key, "max-connections") == 0)
		return parse_count(key, value, 100000, &cfg->max_connections, err);
	if (strcmp(key, "max-per-client") == 0)
		return parse_count(key, value, 100000, &cfg->max_per_client, err);
	if (strcmp(key, "request-timeout") == 0)
		return parse_count(key, value, 86400, &cfg->request_timeout, err);
	if (strcmp(key, "retry-after") == 0)
		return parse_count(key, value, 86400, &cfg->retry_after, err);
	if (strcmp(key, "drain-timeout") == 0)
		return parse_count(key, value, 86400, &cfg->drain_timeout, err);
	if (strcmp(key, "access-token-lifetime") == 0)
		return parse_count(key, value, 86400, &cfg->access_token_lifetime, err);
	return srv_error(err, ESEAL_E_CONFIG, "unknown setting '%s' in [server]", key);
}

struct load_ctx {
	srv_config *cfg;
	int found;
	eseal_error *err;
};

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;

	if (name == NULL || strcmp(section, "server") != 0)
		return 1;
	ctx->found = 1;
	return set_key(ctx->cfg, name, value, ctx->err) == ESEAL_OK;
}

int srv_config_load(srv_config *cfg, const char *path, eseal_error *err)
{
	struct load_ctx ctx;
	int line, rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->max_body = 100ULL << 20;
	cfg->max_connections = 64;
	cfg->max_per_client = 8;
	cfg->request_timeout = 60;
	cfg->retry_after = 30;
	cfg->drain_timeout = 60;
	cfg->access_token_lifetime = 3600;
	if ((rc = set_string(&cfg->config_path, path, err)) != ESEAL_OK)
		return rc;
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = cfg;
	ctx.err = err;
	line = ini_parse(path, on_key, &ctx);
	if (line < 0)
		return srv_error(err, ESEAL_E_CONFIG, "%s: cannot read the configuration: %s", path,
				 line == -1 ? strerror(errno) : "out of memory");
	if (line > 0) {
		if (err != NULL && err->status != ESEAL_OK) {
			char msg[ESEAL_ERROR_MESSAGE_MAX];

			snprintf(msg, sizeof(msg), "%s", err->message);
			return srv_error(err, err->status, "%s:%d: %s", path, line, msg);
		}
		return srv_error(err, ESEAL_E_CONFIG, "%s:%d: syntax error", path, line);
	}
	if (!ctx.found)
		return srv_error(err, ESEAL_E_CONFIG, "%s: no [server] section", path);
	if (cfg->listen_host == NULL)
		return srv_error(err, ESEAL_E_CONFIG, "%s: [server] has no listen = ADDRESS:PORT", path);
	if (cfg->clients_file == NULL)
		return srv_error(err, ESEAL_E_CONFIG, "%s: [server] has no clients-file (who may seal?)", path);
	if (cfg->audit_log == NULL)
		return srv_error(err, ESEAL_E_CONFIG, "%s: [server] has no audit-log (every seal must be recorded)",
				 path);
	if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL))
		return srv_error(err, ESEAL_E_CONFIG, "%s: [server] needs both tls-cert and tls-key, or neither", path);
	if (cfg->tls_client_ca != NULL && cfg->tls_cert == NULL)
		return srv_error(err, ESEAL_E_CONFIG, "%s: [server] tls-client-ca needs tls-cert and tls-key", path);
	/* Bearer tokens and documents in clear text may only travel inside this machine. */
	if (cfg->tls_cert == NULL && !srv_is_loopback(cfg->listen_host))
		return srv_error(err, ESEAL_E_CONFIG,
				 "%s: [server] listen = %s without tls-cert: plain HTTP is only served on loopback "
				 "addresses (127.0.0.1, ::1)",
				 path, cfg->listen_host);
	if (cfg->work_dir == NULL) {
		const char *t = getenv("TMPDIR");

		if ((rc = set_string(&cfg->work_dir, t != NULL && *t != '\0' ? t : "/var/tmp", err)) != ESEAL_OK)
			return rc;
	}
	return ESEAL_OK;
}

void srv_config_clear(srv_config *cfg)
{
	free(cfg->config_path);
	free(cfg->listen_host);
	free(cfg->tls_cert);
	free(cfg->tls_key);
	free(cfg->tls_client_ca);
	free(cfg->clients_file);
	free(cfg->audit_log);
	free(cfg->trust);
	free(cfg->work_dir);
	memset(cfg, 0, sizeof(*cfg));
}
