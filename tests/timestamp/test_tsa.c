/* tests/timestamp/test_tsa.c: the RFC 3161 client against the fixture's real TSA (openssl ts -reply) and private
 * misbehaving ones (tests/lib/tsa_server.py --mode ...); tokens are checked by `openssl ts -verify` as referee. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseal/eseal.h"
#include "tsa_test_util.h"

static char *tsa_url;

static int group_setup(void **state)
{
	eseal_error err = {0};

	if (eseal_init(&err) != ESEAL_OK)
		return -1;
	tsa_url = tu_env_line("tsa.url");
	return tsa_url != NULL && tsa_url[0] != '\0' ? 0 : -1;
}

static int group_teardown(void **state)
{
	free(tsa_url);
	eseal_cleanup();
	return 0;
}

/* Opens a client on the given URLs (NULL-terminated) with ca_file as TSA trust anchors. The TSA certificate's
 * revocation is checked when anchors are given (without them it cannot be, and eseal_tsa_open refuses that). */
static eseal_tsa *open_tsa(const char *ca_file, long timeout_ms, int retries, const char *policy, ...)
{
	const char *urls[8];
	size_t n = 0;
	eseal_tsa_options o;
	eseal_tsa *t = NULL;
	eseal_error err = {0};
	va_list ap;
	const char *u;

	va_start(ap, policy);
	while (n < 8 && (u = va_arg(ap, const char *)) != NULL)
		urls[n++] = u;
	va_end(ap);
	memset(&o, 0, sizeof(o));
	o.urls = urls;
	o.n_urls = n;
	o.ca_file = ca_file;
	o.timeout_ms = timeout_ms;
	o.retries = retries;
	o.policy_oid = policy;
	o.revocation = ca_file != NULL ? ESEAL_TSA_REVOCATION_REQUIRE : ESEAL_TSA_REVOCATION_OFF;
	if (eseal_tsa_open(&t, &o, &err) != ESEAL_OK)
		fail_msg("eseal_tsa_open: %s", err.message);
	return t;
}

/* Stamps data; returns the status and leaves the message in err. */
static int stamp(eseal_tsa *t, const char *data, unsigned char **tok, size_t *tok_len, eseal_error *err)
{
	eseal_error_clear(err);
	return eseal_tsa_stamp(t, (const unsigned char *)data, strlen(data), tok, tok_len, err);
}

static void test_stamp_ok_referee(void **state)
{
	eseal_tsa *t = open_tsa(tu_env("pki/root.pem"), 0, 0, NULL, tsa_url, (char *)NULL);
	unsigned char *tok = NULL;
	size_t tok_len = 0, hint_before;
	eseal_error err = {0};
	char *dir = tu_mkdtemp();
	char data_path[512], tok_path[512];
	const char *data = "the signature value would go here";
	time_t gen = 0, now = time(NULL);

	hint_before = eseal_tsa_token_size_hint(t);
	assert_int_equal(hint_before, 16384);
	assert_int_equal(stamp(t, data, &tok, &tok_len, &err), ESEAL_OK);
	assert_true(tok_len > 500);
	/* The hint now follows what the TSA sends, with slack, and is smaller than the blind default. */
	assert_true(eseal_tsa_token_size_hint(t) >= tok_len);
	assert_true(eseal_tsa_token_size_hint(t) < hint_before);
	assert_int_equal(eseal_tst_gen_time(tok, tok_len, &gen, &err), ESEAL_OK);
	assert_true(gen >= now - 60 && gen <= now + 60);

	snprintf(data_path, sizeof(data_path), "%s/data", dir);
	snprintf(tok_path, sizeof(tok_path), "%s/tok.der", dir);
	assert_int_equal(tu_write_file(data_path, data, strlen(data)), 0);
	assert_int_equal(tu_write_file(tok_path, tok, tok_len), 0);
	assert_int_equal(tu_run("openssl ts -verify -data '%s' -in '%s' -token_in -CAfile '%s' -untrusted '%s' >&2",
				data_path, tok_path, tu_env("pki/root.pem"), tu_env("pki/tsa-chain.pem")),
			 0);
	/* The referee must refuse the token for other data, or the check above proves nothing. */
	assert_int_equal(tu_write_file(data_path, "other", 5), 0);
	assert_int_not_equal(tu_run("openssl ts -verify -data '%s' -in '%s' -token_in -CAfile '%s' -untrusted '%s' >&2",
				    data_path, tok_path, tu_env("pki/root.pem"), tu_env("pki/tsa-chain.pem")),
			     0);
	eseal_bytes_free(tok);
	eseal_tsa_free(t);
	tu_rmtree(dir);
	free(dir);
}

static void test_stamp_sha512_no_ca(void **state)
{
	const char *urls[] = {tsa_url};
	eseal_tsa_options o = {.urls = urls, .n_urls = 1, .md = EVP_sha512(), .revocation = ESEAL_TSA_REVOCATION_OFF};
	eseal_tsa *t = NULL;
	unsigned char *tok = NULL;
	size_t tok_len = 0;
	eseal_error err = {0};

	/* No ca_file: the signature is checked with the token's own certificate only. */
	assert_int_equal(eseal_tsa_open(&t, &o, &err), ESEAL_OK);
	assert_ptr_equal(eseal_tsa_md(t), EVP_sha512());
	assert_int_equal(stamp(t, "abc", &tok, &tok_len, &err), ESEAL_OK);
	eseal_bytes_free(tok);
	eseal_tsa_free(t);
}

static void expect_tsa_failure(eseal_tsa *t, const char *url, const char *reason)
{
	unsigned char *tok = NULL;
	size_t tok_len = 0;
	eseal_error err = {0};

	assert_int_equal(stamp(t, "data", &tok, &tok_len, &err), ESEAL_E_TSA);
	assert_null(tok);
	fprintf(stderr, "message: %s\n", err.message);
	if (strstr(err.message, url) == NULL || strstr(err.message, reason) == NULL)
		fail_msg("message \"%s\" lacks \"%s\" or \"%s\"", err.message, url, reason);
	assert_null(strchr(err.message, '\n'));
	assert_null(strstr(err.message, "pa:ss"));
}

static void run_mode(const char *mode, const char *extra, long timeout_ms, const char *reason)
{
	tu_tsa srv;
	eseal_tsa *t;

	assert_int_equal(tu_tsa_start(&srv, mode, extra), 0);
	t = open_tsa(tu_env("pki/root.pem"), timeout_ms, 0, NULL, srv.url, (char *)NULL);
	expect_tsa_failure(t, srv.url, reason);
	eseal_tsa_free(t);
	tu_tsa_stop(&srv);
}

static void test_tsa_down(void **state)
{
	char dead[64];
	eseal_tsa *t;

	tu_dead_url(dead, sizeof(dead));
	t = open_tsa(NULL, 2000, 0, NULL, dead, (char *)NULL);
	expect_tsa_failure(t, dead, "unreachable");
	eseal_tsa_free(t);
}

static void test_tsa_garbage(void **state)
{
	run_mode("garbage", NULL, 0, "not an RFC 3161 TimeStampResp");
}

static void test_tsa_http500(void **state)
{
	run_mode("http500", NULL, 0, "HTTP status 500");
}

static void test_tsa_wrong_nonce(void **state)
{
	run_mode("wrong-nonce", NULL, 0, "wrong nonce");
}

static void test_tsa_wrong_imprint(void **state)
{
	run_mode("wrong-imprint", NULL, 0, "message imprint mismatch");
}

static void test_tsa_slow_timeout(void **state)
{
	struct timespec a, b;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &a);
	run_mode("slow", "--delay 20", 1000, "timed out");
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	/* The timeout, not the server's 20 s, ended the request (server start-up included). */
	assert_true(secs < 10.0);
}

static void test_tsa_untrusted(void **state)
{
	/* The e-Seal certificate is no anchor of the TSA's chain. */
	eseal_tsa *t = open_tsa(tu_env("pki/eseal.pem"), 0, 0, NULL, tsa_url, (char *)NULL);

	expect_tsa_failure(t, tsa_url, "TSA certificate not trusted");
	eseal_tsa_free(t);
}

static void test_failover_to_second_url(void **state)
{
	char dead[64];
	tu_tsa srv;
	eseal_tsa *t;
	unsigned char *tok = NULL;
	size_t tok_len = 0;
	eseal_error err = {0};

	tu_dead_url(dead, sizeof(dead));
	assert_int_equal(tu_tsa_start(&srv, "wrong-nonce", NULL), 0);
	t = open_tsa(tu_env("pki/root.pem"), 2000, 0, NULL, dead, srv.url, tsa_url, (char *)NULL);
	assert_int_equal(stamp(t, "x", &tok, &tok_len, &err), ESEAL_OK);
	assert_non_null(tok);
	eseal_bytes_free(tok);
	eseal_tsa_free(t);
	tu_tsa_stop(&srv);
}

static void test_all_fail_names_each_url(void **state)
{
	char dead[64];
	tu_tsa srv;
	eseal_tsa *t;
	unsigned char *tok = NULL;
	size_t tok_len = 0;
	eseal_error err = {0};

	tu_dead_url(dead, sizeof(dead));
	assert_int_equal(tu_tsa_start(&srv, "http500", NULL), 0);
	/* retries=1: both URLs failed transiently, so a second round runs and the message says so. */
	t = open_tsa(NULL, 2000, 1, NULL, dead, srv.url, (char *)NULL);
	assert_int_equal(stamp(t, "x", &tok, &tok_len, &err), ESEAL_E_TSA);
	fprintf(stderr, "message: %s\n", err.message);
	assert_non_null(strstr(err.message, "after 2 rounds"));
	assert_non_null(strstr(err.message, dead));
	assert_non_null(strstr(err.message, srv.url));
	assert_non_null(strstr(err.message, "HTTP status 500"));
	eseal_tsa_free(t);
	tu_tsa_stop(&srv);
}

static void test_policy(void **state)
{
	eseal_tsa *t = open_tsa(tu_env("pki/root.pem"), 0, 0, "1.3.6.1.4.1.99999.3.2", tsa_url, (char *)NULL);
	unsigned char *tok = NULL;
	size_t tok_len = 0;
	eseal_error err = {0};

	/* A policy the TSA offers is granted ... */
	assert_int_equal(stamp(t, "x", &tok, &tok_len, &err), ESEAL_OK);
	eseal_bytes_free(tok);
	tok = NULL;
	eseal_tsa_free(t);
	/* ... one it does not is refused, and the TSA's status reaches the message. */
	t = open_tsa(tu_env("pki/root.pem"), 0, 0, "1.3.6.1.4.1.99999.9.9", tsa_url, (char *)NULL);
	expect_tsa_failure(t, tsa_url, "unacceptedPolicy");
	eseal_tsa_free(t);
}

static void test_open_errors(void **state)
{
	const char *bad_scheme[] = {"file:///etc/passwd"};
	const char *good[] = {"http://127.0.0.1:1/"};
	eseal_tsa_options o;
	eseal_tsa *t = NULL;
	eseal_error err = {0};
	char *dir = tu_mkdtemp(), auth[512];

	memset(&o, 0, sizeof(o));
	assert_int_equal(eseal_tsa_open(&t, &o, &err), ESEAL_E_USAGE);
	o.urls = bad_scheme;
	o.n_urls = 1;
	eseal_error_clear(&err);
	assert_int_equal(eseal_tsa_open(&t, &o, &err), ESEAL_E_USAGE);
	o.urls = good;
	o.md = EVP_sha1();
	eseal_error_clear(&err);
	assert_int_equal(eseal_tsa_open(&t, &o, &err), ESEAL_E_USAGE);
	o.md = NULL;
	o.policy_oid = "not an oid";
	eseal_error_clear(&err);
	assert_int_equal(eseal_tsa_open(&t, &o, &err), ESEAL_E_USAGE);
	o.policy_oid = NULL;
	/* A credentials file without "user:password": refused, and its content never echoed. */
	snprintf(auth, sizeof(auth), "%s/auth", dir);
	assert_int_equal(tu_write_file(auth, "s3cretvalue\n", 12), 0);
	o.auth_file = auth;
	eseal_error_clear(&err);
	assert_int_equal(eseal_tsa_open(&t, &o, &err), ESEAL_E_CONFIG);
	assert_null(strstr(err.message, "s3cret"));
	o.auth_file = NULL;
	o.ca_file = "/nonexistent/ca.pem";
	eseal_error_clear(&err);
	assert_int_equal(eseal_tsa_open(&t, &o, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, "/nonexistent/ca.pem"));
	assert_null(t);
	tu_rmtree(dir);
	free(dir);
}

static void test_basic_auth_accepted(void **state)
{
	const char *urls[] = {tsa_url};
	eseal_tsa_options o = {.urls = urls, .n_urls = 1};
	eseal_tsa *t = NULL;
	unsigned char *tok = NULL;
	size_t tok_len = 0;
	eseal_error err = {0};
	char *dir = tu_mkdtemp(), auth[512];

	snprintf(auth, sizeof(auth), "%s/auth", dir);
	assert_int_equal(tu_write_file(auth, "user:pa:ss\r\n", 12), 0);
	o.auth_file = auth;
	o.ca_file = tu_env("pki/root.pem");
	assert_int_equal(eseal_tsa_open(&t, &o, &err), ESEAL_OK);
	assert_int_equal(stamp(t, "x", &tok, &tok_len, &err), ESEAL_OK);
	eseal_bytes_free(tok);
	eseal_tsa_free(t);
	tu_rmtree(dir);
	free(dir);
}

static void test_digest_length_checked(void **state)
{
	eseal_tsa *t = open_tsa(NULL, 0, 0, NULL, "http://127.0.0.1:9/", (char *)NULL);
	unsigned char d[20] = {0}, *tok = NULL;
	size_t tok_len = 0;
	eseal_error err = {0};

	/* A SHA-1 sized imprint for a SHA-256 client is a caller bug, refused before any request. */
	assert_int_equal(eseal_tsa_stamp_digest(t, d, sizeof(d), &tok, &tok_len, &err), ESEAL_E_USAGE);
	assert_null(tok);
	eseal_tsa_free(t);
}

static void test_basic_auth_on_the_wire(void **state)
{
	tu_tsa srv;
	char prefix[512], auth[600], log[600], line[256] = "";
	const char *urls[1];
	eseal_tsa_options o;
	eseal_tsa *t = NULL;
	eseal_error err = {0};
	FILE *f;

	snprintf(prefix, sizeof(prefix), "'%s/tests/timestamp/auth_probe.py'", ESEAL_SRC_DIR);
	assert_int_equal(tu_server_start(&srv, prefix, NULL), 0);
	snprintf(auth, sizeof(auth), "%s/cred", srv.dir);
	assert_int_equal(tu_write_file(auth, "user:pa:ss\n", 11), 0);
	urls[0] = srv.url;
	memset(&o, 0, sizeof(o));
	o.urls = urls;
	o.n_urls = 1;
	o.auth_file = auth;
	o.revocation = ESEAL_TSA_REVOCATION_OFF;
	assert_int_equal(eseal_tsa_open(&t, &o, &err), ESEAL_OK);
	/* The probe refuses with 401: a permanent failure, named, and the password is nowhere in the message. */
	expect_tsa_failure(t, srv.url, "HTTP status 401");
	snprintf(log, sizeof(log), "%s/auth.log", srv.dir);
	f = fopen(log, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	/* base64("user:pa:ss"): everything after the first colon is the password, colons included. */
	assert_string_equal(line, "Basic dXNlcjpwYTpzcw==\n");
	eseal_tsa_free(t);
	tu_tsa_stop(&srv);
}

/* The TSA certificate's revocation (REQUIRE, the default): a revoked TSA's good token is refused with
 * ESEAL_E_CONFIG naming the certificate; a good second URL is used instead; without anchors the check cannot run. */
static void test_revoked_tsa(void **state)
{
	tu_tsa srv;
	eseal_tsa *t;
	unsigned char *tok = NULL;
	size_t tok_len = 0;
	eseal_error err = {0};
	const char *urls[1];
	eseal_tsa_options o;

	assert_int_equal(tu_tsa_start(&srv, "revoked", NULL), 0);
	t = open_tsa(tu_env("pki/root.pem"), 0, 0, NULL, srv.url, (char *)NULL);
	assert_int_equal(stamp(t, "x", &tok, &tok_len, &err), ESEAL_E_CONFIG);
	assert_null(tok);
	fprintf(stderr, "message: %s\n", err.message);
	assert_non_null(strstr(err.message, srv.url));
	assert_non_null(strstr(err.message, "the TSA certificate CN=eseal Demo Revoked TSA"));
	assert_non_null(strstr(err.message, "was revoked on "));
	/* Asked again (the verdict is remembered): the same answer. */
	eseal_error_clear(&err);
	assert_int_equal(stamp(t, "y", &tok, &tok_len, &err), ESEAL_E_CONFIG);
	eseal_tsa_free(t);

	t = open_tsa(tu_env("pki/root.pem"), 0, 0, NULL, srv.url, tsa_url, (char *)NULL);
	assert_int_equal(stamp(t, "x", &tok, &tok_len, &err), ESEAL_OK);
	eseal_bytes_free(tok);
	tok = NULL;
	eseal_tsa_free(t);

	/* OFF: the revoked TSA's token is returned (the profile's documented risk). */
	memset(&o, 0, sizeof(o));
	urls[0] = srv.url;
	o.urls = urls;
	o.n_urls = 1;
	o.ca_file = tu_env("pki/root.pem");
	o.revocation = ESEAL_TSA_REVOCATION_OFF;
	assert_int_equal(eseal_tsa_open(&t, &o, &err), ESEAL_OK);
	assert_int_equal(stamp(t, "x", &tok, &tok_len, &err), ESEAL_OK);
	eseal_bytes_free(tok);
	eseal_tsa_free(t);
	t = NULL;

	/* REQUIRE without trust anchors: refused at open, as a configuration error. */
	o.ca_file = NULL;
	o.revocation = ESEAL_TSA_REVOCATION_REQUIRE;
	eseal_error_clear(&err);
	assert_int_equal(eseal_tsa_open(&t, &o, &err), ESEAL_E_CONFIG);
	assert_null(t);
	assert_non_null(strstr(err.message, "tsa-ca"));
	tu_tsa_stop(&srv);
}

static void test_gen_time_garbage(void **state)
{
	const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
	time_t t = 0;
	eseal_error err = {0};

	assert_int_equal(eseal_tst_gen_time(junk, sizeof(junk), &t, &err), ESEAL_E_INPUT);
}

typedef struct {
	eseal_tsa *tsa;
	int ok;
} worker_arg;

static void *worker(void *p)
{
	worker_arg *a = p;
	unsigned char *tok = NULL;
	size_t tok_len = 0;
	eseal_error err = {0};
	int i;

	for (i = 0; i < 5; i++) {
		if (stamp(a->tsa, "concurrent", &tok, &tok_len, &err) == ESEAL_OK)
			a->ok++;
		eseal_bytes_free(tok);
		tok = NULL;
	}
	return NULL;
}

static void test_concurrent(void **state)
{
	eseal_tsa *t = open_tsa(tu_env("pki/root.pem"), 0, 0, NULL, tsa_url, (char *)NULL);
	pthread_t th[4];
	worker_arg args[4];
	int i;

	/* One client, four threads: the handle pool and the learned size are shared; every request must succeed. */
	for (i = 0; i < 4; i++) {
		args[i].tsa = t;
		args[i].ok = 0;
		assert_int_equal(pthread_create(&th[i], NULL, worker, &args[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(args[i].ok, 5);
	}
	eseal_tsa_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stamp_ok_referee),
		cmocka_unit_test(test_stamp_sha512_no_ca),
		cmocka_unit_test(test_tsa_down),
		cmocka_unit_test(test_tsa_garbage),
		cmocka_unit_test(test_tsa_http500),
		cmocka_unit_test(test_tsa_wrong_nonce),
		cmocka_unit_test(test_tsa_wrong_imprint),
		cmocka_unit_test(test_tsa_slow_timeout),
		cmocka_unit_test(test_tsa_untrusted),
		cmocka_unit_test(test_failover_to_second_url),
		cmocka_unit_test(test_all_fail_names_each_url),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_basic_auth_accepted),
		cmocka_unit_test(test_digest_length_checked),
		cmocka_unit_test(test_basic_auth_on_the_wire),
		cmocka_unit_test(test_revoked_tsa),
		cmocka_unit_test(test_gen_time_garbage),
		cmocka_unit_test(test_concurrent),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
