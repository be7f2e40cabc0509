/* plugins/server/serve.c: `eseal serve`: reads [server], opens one sealer per profile the clients may use, serves until
 * SIGTERM (rereading the clients file on SIGHUP), then takes no new request, lets those in progress finish, exits 0. */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "eseal/verify.h"
#include "server.h"

/* eseal_warn_fn: the library's warnings (a PIN file others can read) on stderr. */
static void print_warning(void *ctx, const char *message)
{
	(void)ctx;
	fprintf(stderr, "eseal serve: warning: %s\n", message);
}

static int have_sealer(const srv_state *st, const char *profile)
{
	size_t i;

	for (i = 0; i < st->n_sealers; i++)
		if (strcmp(st->sealers[i].profile, profile) == 0)
			return 1;
	return 0;
}

/* Reads the clients file into a new list on the heap (refs 1: it is to be current). */
static int load_clients(const srv_config *cfg, srv_clients **out, eseal_error *err)
{
	srv_clients *c = calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (c == NULL)
		return srv_error(err, ESEAL_E_INTERNAL, "out of memory");
	if ((rc = srv_clients_load(c, cfg->clients_file, 0, err)) != ESEAL_OK) {
		free(c);
		return rc;
	}
	c->refs = 1;
	*out = c;
	return ESEAL_OK;
}

srv_clients *srv_clients_hold(srv_state *st)
{
	srv_clients *c;

	pthread_mutex_lock(&st->lock);
	c = st->clients;
	c->refs++;
	pthread_mutex_unlock(&st->lock);
	return c;
}

void srv_clients_release(srv_state *st, srv_clients *c)
{
	unsigned int left;

	if (c == NULL)
		return;
	pthread_mutex_lock(&st->lock);
	left = --c->refs;
	pthread_mutex_unlock(&st->lock);
	if (left == 0) {
		srv_clients_clear(c);
		free(c);
	}
}

/* SIGHUP: the clients file again. Clients added, removed or given other profiles take effect for new requests
 * (requests in progress finish with the list they started with). A list naming a profile that is not open is not
 * taken: opening a key means a login, which belongs to the start. */
static void reload_clients(srv_state *st)
{
	srv_clients *fresh = NULL, *old;
	eseal_error err;
	size_t i, j;

	eseal_error_clear(&err);
	if (load_clients(st->cfg, &fresh, &err) != ESEAL_OK) {
		fprintf(stderr, "eseal serve: SIGHUP: %s; keeping the clients as they were\n", err.message);
		return;
	}
	for (i = 0; i < fresh->n; i++)
		for (j = 0; j < fresh->v[i].n_profiles; j++)
			if (!have_sealer(st, fresh->v[i].profiles[j])) {
				fprintf(stderr,
					"eseal serve: SIGHUP: %s: client %s names profile %s, which this service did not "
					"open at start (restart it to add profiles); keeping the clients as they were\n",
					st->cfg->clients_file, fresh->v[i].name, fresh->v[i].profiles[j]);
				srv_clients_release(st, fresh);
				return;
			}
	pthread_mutex_lock(&st->lock);
	old = st->clients;
	st->clients = fresh;
	pthread_mutex_unlock(&st->lock);
	srv_clients_release(st, old);
	fprintf(stderr, "eseal serve: SIGHUP: %s reloaded (%zu clients)\n", st->cfg->clients_file, fresh->n);
}

static int same_string(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* An opened sealer whose key is the one p names: profiles over one key share its signer, so the process logs in
 * once per key and keeps one session pool for it. */
static eseal_signer *signer_for(const srv_state *st, const eseal_profile *p)
{
	size_t i;

	for (i = 0; i < st->n_sealers; i++) {
		const eseal_profile *q = eseal_sealer_profile(st->sealers[i].sealer);

		if (same_string(p->key, q->key) && same_string(p->pin_file, q->pin_file) &&
		    same_string(p->cert, q->cert) && same_string(p->sig_scheme, q->sig_scheme) &&
		    same_string(p->csc_token_file, q->csc_token_file) && same_string(p->csc_ca, q->csc_ca) &&
		    same_string(p->csc_client_id, q->csc_client_id) &&
		    same_string(p->csc_client_secret_file, q->csc_client_secret_file) && p->csc_batch == q->csc_batch)
			return eseal_sealer_signer(st->sealers[i].sealer);
	}
	return NULL;
}

/* Every profile some client may use, opened (and its key logged in) before the first request. */
static int open_sealers(srv_state *st, const char *env_pin, eseal_error *err)
{
	eseal_sealer_options so = ESEAL_SEALER_OPTIONS_INIT;
	eseal_profile *p = NULL;
	size_t i, j, total = 0;
	int rc = ESEAL_OK;

	so.env_pin = env_pin != NULL && env_pin[0] != '\0' ? env_pin : NULL;
	so.warn = print_warning;
	for (i = 0; i < st->clients->n; i++)
		total += st->clients->v[i].n_profiles;
	if (total > 0 && (st->sealers = calloc(total, sizeof(*st->sealers))) == NULL)
		return srv_error(err, ESEAL_E_INTERNAL, "out of memory");
	for (i = 0; i < st->clients->n; i++)
		for (j = 0; j < st->clients->v[i].n_profiles; j++) {
			const char *name = st->clients->v[i].profiles[j];
			srv_sealer *s = &st->sealers[st->n_sealers];

			if (have_sealer(st, name))
				continue;
			if ((rc = eseal_profile_load(&p, st->cfg->config_path, name, err)) == ESEAL_OK)
				so.signer = signer_for(st, p);
			if (rc != ESEAL_OK || (rc = eseal_sealer_open_ext(&s->sealer, p, &so, err)) != ESEAL_OK) {
				char msg[ESEAL_ERROR_MESSAGE_MAX];

				snprintf(msg, sizeof(msg), "%s", err->message);
				srv_error(err, err->status, "profile %s (client %s): %s", name, st->clients->v[i].name,
					  msg);
				goto cleanup;
			}
			eseal_profile_free(p);
			p = NULL;
			if ((s->profile = strdup(name)) == NULL) {
				eseal_sealer_free(s->sealer);
				s->sealer = NULL;
				rc = srv_error(err, ESEAL_E_INTERNAL, "out of memory");
				goto cleanup;
			}
			st->n_sealers++;
		}
cleanup:
	eseal_profile_free(p);
	return rc;
}

/* Waits for the requests in progress, at most drain_timeout seconds. */
static void drain(srv_state *st)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += st->cfg->drain_timeout;
	pthread_mutex_lock(&st->lock);
	while (st->in_flight > 0)
		if (pthread_cond_timedwait(&st->idle, &st->lock, &until) != 0)
			break;
	if (st->in_flight > 0)
		fprintf(stderr, "eseal serve: %u requests still in progress after %u s; stopping anyway\n",
			st->in_flight, st->cfg->drain_timeout);
	pthread_mutex_unlock(&st->lock);
}

static void free_pem(char *pem)
{
	if (pem != NULL)
		OPENSSL_cleanse(pem, strlen(pem));
	free(pem);
}

int srv_serve(const char *config_path, const char *env_pin)
{
	srv_config cfg;
	srv_state st;
	eseal_error err;
	eseal_verifier_options vo = ESEAL_VERIFIER_OPTIONS_INIT;
	struct MHD_Daemon *d = NULL;
	sigset_t sigs;
	unsigned short port = 0;
	int rc = 0, sig = 0, locks = 0;
	size_t i;
	MHD_socket ls;

	memset(&st, 0, sizeof(st));
	st.audit.fd = -1;
	eseal_error_clear(&err);
	if (srv_config_load(&cfg, config_path, &err) != ESEAL_OK)
		goto fail;
	st.cfg = &cfg;
	if (pthread_mutex_init(&st.lock, NULL) != 0 || pthread_cond_init(&st.idle, NULL) != 0) {
		srv_error(&err, ESEAL_E_INTERNAL, "cannot create a mutex");
		goto fail;
	}
	locks = 1;
	if (load_clients(&cfg, &st.clients, &err) != ESEAL_OK || srv_audit_open(&st.audit, cfg.audit_log, &err) != ESEAL_OK)
		goto fail;
	if (eseal_init(&err) != ESEAL_OK || open_sealers(&st, env_pin, &err) != ESEAL_OK)
		goto fail;
	if (srv_csc_open(&st.csc, &err) != ESEAL_OK || srv_oauth_open(&st.oauth, &err) != ESEAL_OK)
		goto fail;
	if (cfg.trust != NULL) {
		const char *trust[1] = {cfg.trust};

		vo.trust_files = trust;
		vo.n_trust_files = 1;
		if (eseal_verifier_open(&st.verifier, &vo, &err) != ESEAL_OK)
			goto fail;
	}
	/* Before any thread exists: every thread inherits the mask, so only sigwait below sees these. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (srv_http_start(&st, &d, &port, &err) != ESEAL_OK)
		goto fail;
	fprintf(stderr, "eseal serve: listening on %s://%s%s%s:%u (%zu profiles, %zu clients)\n",
		cfg.tls_cert != NULL ? "https" : "http", strchr(cfg.listen_host, ':') ? "[" : "", cfg.listen_host,
		strchr(cfg.listen_host, ':') ? "]" : "", port, st.n_sealers, st.clients->n);
	for (;;) {
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
		reload_clients(&st);
	}
	fprintf(stderr, "eseal serve: %s: finishing the requests in progress\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	pthread_mutex_lock(&st.lock);
	st.draining = 1;
	pthread_mutex_unlock(&st.lock);
	ls = MHD_quiesce_daemon(d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	drain(&st);
	MHD_stop_daemon(d);
	d = NULL;
	fprintf(stderr, "eseal serve: stopped\n");
	goto cleanup;
fail:
	fprintf(stderr, "eseal serve: %s\n", err.message[0] != '\0' ? err.message : eseal_status_name(err.status));
	rc = eseal_status_exit_code(err.status);
cleanup:
	if (d != NULL)
		MHD_stop_daemon(d);
	eseal_verifier_free(st.verifier);
	srv_csc_free(st.csc);
	srv_oauth_free(st.oauth);
	/* Newest first: a sealer may borrow the signer of an older one. */
	for (i = st.n_sealers; i-- > 0;) {
		eseal_sealer_free(st.sealers[i].sealer);
		free(st.sealers[i].profile);
	}
	free(st.sealers);
	srv_clients_release(&st, st.clients);
	srv_audit_close(&st.audit);
	free_pem(st.tls_key_pem);
	free_pem(st.tls_cert_pem);
	free_pem(st.tls_ca_pem);
	if (locks) {
		pthread_cond_destroy(&st.idle);
		pthread_mutex_destroy(&st.lock);
	}
	srv_config_clear(&cfg);
	return rc;
}
