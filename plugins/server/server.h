/* plugins/server/server.h: what the parts of `eseal serve` share: the [server] settings, the clients file, the audit log.
 * The server only translates HTTP into library calls; sealing, verification and error classes are the library's. */
#ifndef SRV_SERVER_H
#define SRV_SERVER_H

#include <pthread.h>
#include <stddef.h>

#include "eseal/eseal.h"
#include "eseal/verify.h"

/* Exit codes of `eseal serve` and `eseal client` (the CLI's sysexits classes). */
#define SRV_EXIT_USAGE 64
#define SRV_EXIT_CONFIG 78
#define SRV_EXIT_SOFTWARE 70

/* Sets err's class and one-line message; returns the class (the library's es_error_set, for this front end). */
int srv_error(eseal_error *err, eseal_status status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The [server] section of the configuration file. Strings are owned (heap), NULL when unset. */
typedef struct srv_config {
	char *config_path; /* the file itself: its [profile NAME] sections are the profiles clients may use */
	char *listen_host; /* numeric IPv4 or IPv6 address */
	unsigned short listen_port;
	char *tls_cert; /* PEM certificate chain of the service; unset: plain HTTP, loopback only */
	char *tls_key;
	char *tls_client_ca; /* PEM CA certificates: every client must then present a certificate they issued */
	char *clients_file;
	char *audit_log;
	char *trust;                 /* PEM trust anchors for /v1/verify */
	char *work_dir;              /* where uploads and outputs live while a request runs */
	unsigned long long max_body; /* bytes */
	unsigned int max_connections;
	unsigned int max_per_client;  /* requests of one client in progress at once */
	unsigned int request_timeout; /* seconds a connection may stay idle */
	unsigned int retry_after;     /* seconds advised with 503 */
	unsigned int drain_timeout;   /* seconds SIGTERM waits for requests in progress */
	unsigned int access_token_lifetime; /* seconds an OAuth2 access token (oauth2/token) stays valid */
} srv_config;

/* Reads [server] from path; unknown keys and bad values are configuration errors (ESEAL_E_CONFIG). */
int srv_config_load(srv_config *cfg, const char *path, eseal_error *err);
void srv_config_clear(srv_config *cfg);
/* 1 if host is a loopback address (127.0.0.0/8, ::1). */
int srv_is_loopback(const char *host);

/* One client of the clients file: a name, the SHA-256 of its bearer token, the profiles it may use. */
typedef struct srv_client {
	char *name;
	unsigned char token_hash[32];
	char **profiles;
	size_t n_profiles;
	unsigned int busy; /* its requests in progress (under srv_state.lock) */
} srv_client;

/* The clients file as read once. The service replaces its list on SIGHUP; a request keeps the list it started with
 * (refs, under srv_state.lock) until it ends. */
typedef struct srv_clients {
	srv_client *v;
	size_t n;
	unsigned int refs;
} srv_clients;

/* Reads the clients file: one line per client, "NAME:SHA256-HEX:PROFILE[,PROFILE...]"; '#' starts a comment.
 * A missing file is an empty list only when missing_ok. */
int srv_clients_load(srv_clients *c, const char *path, int missing_ok, eseal_error *err);
void srv_clients_clear(srv_clients *c);
/* The client whose token this is (compared in constant time against every entry), else NULL. */
const srv_client *srv_clients_find(const srv_clients *c, const char *token, size_t token_len);
/* The client called name if secret is its token (OAuth2 client credentials), else NULL. */
const srv_client *srv_clients_check(const srv_clients *c, const char *name, const char *secret, size_t secret_len);
int srv_client_may_use(const srv_client *client, const char *profile);
void srv_sha256(const void *data, size_t len, unsigned char out[32]);
/* 32 random bytes (OpenSSL's RAND) as 43 base64url characters and a NUL; 0, or -1 without random bytes. */
#define SRV_RANDOM_B64URL_SIZE 44
int srv_random_b64url(char out[SRV_RANDOM_B64URL_SIZE]);

/* Adds a client with a new random token to path (rewritten atomically, mode 0600); the token is written to
 * token (size >= SRV_TOKEN_SIZE) to be shown once. */
#define SRV_TOKEN_SIZE 64
int srv_clients_add(const char *path, const char *name, const char *const *profiles, size_t n_profiles, char *token,
		    eseal_error *err);

/* The audit log: one JSON line per seal, appended with O_APPEND and made durable (fsync) before the answer leaves. */
typedef struct srv_audit {
	int fd;
	pthread_mutex_t lock;
} srv_audit;

int srv_audit_open(srv_audit *a, const char *path, eseal_error *err);
void srv_audit_close(srv_audit *a);
/* result: "ok" or the error class name; digests are lowercase hex or NULL. Fails (ESEAL_E_IO) when the line could
 * not be made durable: the caller must then not hand out the sealed document. */
int srv_audit_seal(srv_audit *a, const char *client, const char *profile, const char *level, const char *format,
		   const char *doc_sha256, const char *out_sha256, const char *result, const char *message,
		   eseal_error *err);
/* The same for a CSC signHash call: one line for the n digests it signed (lowercase hex), or tried to. */
int srv_audit_sign_hash(srv_audit *a, const char *client, const char *profile, const char *hash_alg,
			const char *const *hashes_hex, size_t n, const char *result, const char *message,
			eseal_error *err);

/* A profile clients may use, opened once: its sealer is shared by every request (the library's sealers are
 * thread-safe and keep one logged-in PKCS#11 session pool). */
typedef struct srv_sealer {
	char *profile;
	eseal_sealer *sealer;
} srv_sealer;

/* OAuth2 access tokens handed out by oauth2/token (client credentials): kept in this process's memory only, as
 * SHA-256 digests, each with its client's name and expiry. */
typedef struct srv_oauth srv_oauth;

/* The CSC API's state: credential authorizations (SADs) handed out and not yet used up or expired. */
typedef struct srv_csc srv_csc;

/* What the request handlers share; counters under lock. */
typedef struct srv_state {
	const srv_config *cfg;
	srv_clients *clients; /* the current list (heap; one reference held for being current) */
	srv_audit audit;
	srv_sealer *sealers;
	size_t n_sealers;
	eseal_verifier *verifier; /* NULL without [server] trust */
	srv_csc *csc;
	srv_oauth *oauth;
	pthread_mutex_t lock;
	pthread_cond_t idle;    /* signalled when in_flight drops to 0 */
	unsigned int in_flight; /* requests between their first byte and their answer's end */
	int draining;           /* SIGTERM: answer what is in progress, take nothing new */
	/* PEM text MHD reads while it runs (the key is wiped when the daemon stops) */
	char *tls_cert_pem, *tls_key_pem, *tls_ca_pem;
} srv_state;

struct MHD_Daemon;
/* Starts the HTTP(S) daemon (one thread per connection) on cfg's address; *port_out: the port bound. */
int srv_http_start(srv_state *st, struct MHD_Daemon **out, unsigned short *port_out, eseal_error *err);

/* The error body of the CSC API and of OAuth2 (RFC 6749 section 5.2): {"error", "error_description"} (malloc'd JSON;
 * NULL: out of memory), *code set to http. */
char *srv_csc_error(unsigned *code, unsigned http, const char *error, const char *description);
int srv_csc_open(srv_csc **out, eseal_error *err);
void srv_csc_free(srv_csc *csc);
/* Answers one CSC API v2 call (method: "info", "credentials/list", ...; client NULL only for "info") with body (JSON,
 * len bytes; self_url: the service's CSC base URL as the client called it): returns the JSON answer (malloc'd; NULL: out of memory), *code its HTTP status, *retry 1 when the
 * failure is transient (HSM), to be answered with Retry-After. */
char *srv_csc_call(srv_state *st, const srv_client *client, const char *method, const char *self_url,
		   const char *body, size_t len, unsigned *code, int *retry);

int srv_oauth_open(srv_oauth **out, eseal_error *err);
void srv_oauth_free(srv_oauth *o);
/* Answers POST oauth2/token (RFC 6749 section 4.4, client credentials, as the CSC API v2 takes it): the credentials
 * from the form body (client_id, client_secret) or from "Authorization: Basic" (RFC 6749 section 2.3.1). client_id
 * is the client's name in the clients file, client_secret its token. Returns the JSON answer (malloc'd; NULL: out
 * of memory) and *code its HTTP status. */
char *srv_oauth_token(srv_state *st, const srv_clients *clients, const char *authorization, const char *content_type, const char *body,
		      size_t len, unsigned *code);
/* The client an unexpired access token was issued to, else NULL. */
const srv_client *srv_oauth_find(srv_state *st, const srv_clients *clients, const char *token, size_t len);

/* The current clients list, held for one request; released with srv_clients_release (freed once unused). */
srv_clients *srv_clients_hold(srv_state *st);
void srv_clients_release(srv_state *st, srv_clients *c);

/* Readiness (GET /readyz): ESEAL_OK when every profile's key can sign now (eseal_signer_check), else its error;
 * the answer is reused for a couple of seconds, so polling does not load the HSM. */
int srv_ready(const srv_state *st, eseal_error *err);

/* Runs the service until SIGTERM or SIGINT; returns the process exit code. env_pin: ESEAL_PIN as main took it. */
int srv_serve(const char *config_path, const char *env_pin);

#endif
