/* tests/cms/test_signer.c: the PKCS#11 signer against the fixture's real SoftHSM token: every scheme's signature is
 * verified independently by OpenSSL with the certificate's key; PIN sources, PIN errors, config errors, threads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "eseal/eseal.h"
#include "eseal/signer.h"

#define WRONG_PIN "wrong-PIN-7f3a9c"

static char te[1024], module[1024], pin_file[1100], pin[256], scratch[] = "/tmp/eseal-test-signer-XXXXXX";

static void read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_non_null(fgets(buf, (int)size, f));
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	const char *env = getenv("ESEAL_TESTENV");
	char path[1100];

	if (env == NULL)
		return -1;
	snprintf(te, sizeof(te), "%s", env);
	snprintf(path, sizeof(path), "%s/module", te);
	read_line(path, module, sizeof(module));
	snprintf(pin_file, sizeof(pin_file), "%s/pin", te);
	read_line(pin_file, pin, sizeof(pin));
	if (mkdtemp(scratch) == NULL)
		return -1;
	unsetenv("ESEAL_PIN");
	return 0;
}

static int teardown(void **state)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", scratch);
	return system(cmd) == 0 ? 0 : -1;
}

/* "pkcs11:token=eseal;object=OBJ;type=private?module-path=...EXTRA" */
static void key_uri(char *buf, size_t size, const char *token, const char *object, const char *extra)
{
	snprintf(buf, size, "pkcs11:token=%s;object=%s;type=private?module-path=%s%s", token, object, module,
		 extra != NULL ? extra : "");
}

static void pki(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/pki/%s", te, name);
}

/* The secret must not leak into any message, whatever the failure. */
static void assert_no_secret(const eseal_error *err)
{
	assert_null(strstr(err->message, WRONG_PIN));
	if (strlen(pin) >= 4)
		assert_null(strstr(err->message, pin));
}

static int open_key(eseal_signer **s, const char *object, const char *pinf, const char *cert, eseal_sig_scheme scheme,
		    eseal_error *err)
{
	char uri[2048];
	eseal_signer_options o = ESEAL_SIGNER_OPTIONS_INIT;

	key_uri(uri, sizeof(uri), "eseal", object, NULL);
	o.key = uri;
	o.pin_file = pinf;
	o.cert_file = cert;
	o.scheme = scheme;
	eseal_error_clear(err);
	return eseal_signer_open(s, &o, err);
}

/* Independent check: OpenSSL verifies sig over digest with the certificate's public key. */
static int verify(X509 *cert, eseal_sig_scheme scheme, const EVP_MD *md, const unsigned char *digest, size_t dlen,
		  const unsigned char *sig, size_t slen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(cert), NULL);
	unsigned char *der = NULL;
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	int der_len, ok = 0;

	if (ctx == NULL || EVP_PKEY_verify_init(ctx) <= 0 || EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0)
		goto out;
	if (scheme == ESEAL_SCHEME_RSA_PSS) {
		if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, (int)dlen) <= 0 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) <= 0)
			goto out;
	} else if (scheme == ESEAL_SCHEME_RSA_PKCS1) {
		if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)
			goto out;
	} else {
		/* raw r||s -> DER, written here independently of the library's converter */
		es = ECDSA_SIG_new();
		r = BN_bin2bn(sig, (int)slen / 2, NULL);
		s = BN_bin2bn(sig + slen / 2, (int)slen / 2, NULL);
		if (es == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(es, r, s))
			goto out;
		r = s = NULL;
		der_len = i2d_ECDSA_SIG(es, &der);
		if (der_len <= 0)
			goto out;
		sig = der;
		slen = (size_t)der_len;
	}
	ok = EVP_PKEY_verify(ctx, sig, slen, digest, dlen) == 1;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	OPENSSL_free(der);
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

static void sign_and_verify(eseal_signer *signer, const EVP_MD *md)
{
	unsigned char digest[64], *sig = NULL;
	size_t sig_len = 0, dlen = (size_t)EVP_MD_get_size(md);
	eseal_error err;

	eseal_error_clear(&err);
	assert_int_equal(RAND_bytes(digest, (int)dlen), 1);
	assert_int_equal(eseal_signer_sign_digest(signer, md, digest, dlen, &sig, &sig_len, &err), ESEAL_OK);
	assert_true(sig_len <= eseal_signer_max_signature_size(signer));
	assert_true(
		verify(eseal_signer_certificate(signer), eseal_signer_scheme(signer), md, digest, dlen, sig, sig_len));
	/* and a flipped digest does not verify: the check above can fail */
	digest[0] ^= 1;
	assert_false(
		verify(eseal_signer_certificate(signer), eseal_signer_scheme(signer), md, digest, dlen, sig, sig_len));
	eseal_bytes_free(sig);
}

static void test_rsa_pkcs1(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;
	char subject[256];

	assert_int_equal(open_key(&s, "eseal", pin_file, NULL, ESEAL_SCHEME_AUTO, &err), ESEAL_OK);
	assert_int_equal(eseal_signer_scheme(s), ESEAL_SCHEME_RSA_PKCS1);
	assert_int_equal(eseal_signer_max_signature_size(s), 256);
	assert_non_null(eseal_signer_certificate(s));
	X509_NAME_oneline(X509_get_subject_name(eseal_signer_certificate(s)), subject, sizeof(subject));
	assert_non_null(strstr(subject, "NTRJP-1234567890123")); /* the token's certificate, not some other */
	assert_non_null(eseal_signer_chain(s));
	assert_int_equal(sk_X509_num(eseal_signer_chain(s)), 0);
	sign_and_verify(s, EVP_sha256());
	sign_and_verify(s, EVP_sha384());
	sign_and_verify(s, EVP_sha512());
	eseal_signer_free(s);
}

static void test_rsa_pss(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;

	assert_int_equal(open_key(&s, "eseal", pin_file, NULL, ESEAL_SCHEME_RSA_PSS, &err), ESEAL_OK);
	assert_int_equal(eseal_signer_scheme(s), ESEAL_SCHEME_RSA_PSS);
	sign_and_verify(s, EVP_sha256());
	sign_and_verify(s, EVP_sha512());
	eseal_signer_free(s);
}

static void test_ecdsa(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;
	unsigned char digest[32] = {1}, *sig = NULL;
	size_t sig_len = 0;

	assert_int_equal(open_key(&s, "eseal-ec", pin_file, NULL, ESEAL_SCHEME_AUTO, &err), ESEAL_OK);
	assert_int_equal(eseal_signer_scheme(s), ESEAL_SCHEME_ECDSA);
	assert_true(eseal_signer_max_signature_size(s) >= 72); /* room for the DER form too */
	assert_int_equal(eseal_signer_sign_digest(s, EVP_sha256(), digest, 32, &sig, &sig_len, &err), ESEAL_OK);
	assert_int_equal(sig_len, 64); /* raw r||s for P-256 */
	eseal_bytes_free(sig);
	sign_and_verify(s, EVP_sha256());
	sign_and_verify(s, EVP_sha384());
	eseal_signer_free(s);
}

static void test_cert_file_gives_chain(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;
	char chain[1100];

	pki(chain, sizeof(chain), "chain.pem");
	assert_int_equal(open_key(&s, "eseal", pin_file, chain, ESEAL_SCHEME_AUTO, &err), ESEAL_OK);
	assert_int_equal(sk_X509_num(eseal_signer_chain(s)), 1);
	sign_and_verify(s, EVP_sha256());
	eseal_signer_free(s);
}

static void test_pin_from_env(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;

	setenv("ESEAL_PIN", pin, 1);
	assert_int_equal(open_key(&s, "eseal", NULL, NULL, ESEAL_SCHEME_AUTO, &err), ESEAL_OK);
	unsetenv("ESEAL_PIN");
	sign_and_verify(s, EVP_sha256());
	eseal_signer_free(s);
}

static void test_pin_from_pin_source(void **state)
{
	eseal_signer_options o = ESEAL_SIGNER_OPTIONS_INIT;
	eseal_signer *s = NULL;
	eseal_error err;
	char uri[2048], extra[1200];
	const char *forms[] = {"&pin-source=file:", "&pin-source="};
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(extra, sizeof(extra), "%s%s", forms[i], pin_file);
		key_uri(uri, sizeof(uri), "eseal", "eseal", extra);
		o.key = uri;
		eseal_error_clear(&err);
		assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_OK);
		sign_and_verify(s, EVP_sha256());
		eseal_signer_free(s);
		s = NULL;
	}
}

static void test_pin_file_wins_over_env(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;

	setenv("ESEAL_PIN", WRONG_PIN, 1);
	assert_int_equal(open_key(&s, "eseal", pin_file, NULL, ESEAL_SCHEME_AUTO, &err), ESEAL_OK);
	unsetenv("ESEAL_PIN");
	eseal_signer_free(s);
}

static void test_wrong_pin_then_right_pin(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;
	char bad[1100];

	snprintf(bad, sizeof(bad), "%s/bad-pin", scratch);
	write_file(bad, WRONG_PIN "\n");
	assert_int_equal(open_key(&s, "eseal", bad, NULL, ESEAL_SCHEME_AUTO, &err), ESEAL_E_PIN);
	assert_null(s);
	assert_non_null(strstr(err.message, "CKR_PIN_INCORRECT"));
	assert_non_null(strstr(err.message, "object=eseal"));
	assert_no_secret(&err);
	/* ESEAL_PIN too */
	setenv("ESEAL_PIN", WRONG_PIN, 1);
	assert_int_equal(open_key(&s, "eseal", NULL, NULL, ESEAL_SCHEME_AUTO, &err), ESEAL_E_PIN);
	unsetenv("ESEAL_PIN");
	assert_no_secret(&err);
	/* not locked, no retry loop burned the counter: the right PIN works at once */
	assert_int_equal(open_key(&s, "eseal", pin_file, NULL, ESEAL_SCHEME_AUTO, &err), ESEAL_OK);
	sign_and_verify(s, EVP_sha256());
	eseal_signer_free(s);
}

static void test_no_pin_source(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;
	char missing[1100];

	assert_int_equal(open_key(&s, "eseal", NULL, NULL, ESEAL_SCHEME_AUTO, &err), ESEAL_E_PIN);
	assert_non_null(strstr(err.message, "no PIN"));
	snprintf(missing, sizeof(missing), "%s/no-such-pin", scratch);
	assert_int_not_equal(open_key(&s, "eseal", missing, NULL, ESEAL_SCHEME_AUTO, &err), ESEAL_OK);
	assert_non_null(strstr(err.message, missing));
	assert_null(s);
}

static void test_pin_value_refused(void **state)
{
	eseal_signer_options o = ESEAL_SIGNER_OPTIONS_INIT;
	eseal_signer *s = NULL;
	eseal_error err;
	char uri[2048];

	snprintf(uri, sizeof(uri), "pkcs11:token=eseal;object=eseal;type=private?pin-value=%s&module-path=%s",
		 WRONG_PIN, module);
	o.key = uri;
	eseal_error_clear(&err);
	assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_E_USAGE);
	assert_non_null(strstr(err.message, "module-path="));
	assert_no_secret(&err);
}

static void test_unknown_token_and_object(void **state)
{
	eseal_signer_options o = ESEAL_SIGNER_OPTIONS_INIT;
	eseal_signer *s = NULL;
	eseal_error err;
	char uri[2048];

	key_uri(uri, sizeof(uri), "no-such-token", "eseal", NULL);
	o.key = uri;
	o.pin_file = pin_file;
	eseal_error_clear(&err);
	assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, "token=no-such-token"));
	assert_non_null(strstr(err.message, "token not found"));
	/* no object= at all: the token holds four private keys, which one is not guessed */
	snprintf(uri, sizeof(uri), "pkcs11:token=eseal;type=private?module-path=%s", module);
	eseal_error_clear(&err);
	assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, "several private keys match"));
	assert_int_equal(open_key(&s, "no-such-object", pin_file, NULL, ESEAL_SCHEME_AUTO, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, "object=no-such-object"));
	assert_non_null(strstr(err.message, "not found"));
	assert_no_secret(&err);
	assert_null(s);
}

static void test_bad_uri_and_module(void **state)
{
	eseal_signer_options o = ESEAL_SIGNER_OPTIONS_INIT;
	eseal_signer *s = NULL;
	eseal_error err;

	o.key = "pkcs11:token=eseal;object=%zz";
	o.pin_file = pin_file;
	eseal_error_clear(&err);
	assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_E_USAGE);
	o.key = "pkcs11:token=eseal;object=eseal?module-path=/nonexistent/libnothing.so";
	eseal_error_clear(&err);
	assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, "/nonexistent/libnothing.so"));
	assert_null(s);
}

static void test_certificate_mismatch(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;
	char other[1100];

	pki(other, sizeof(other), "other.pem");
	assert_int_equal(open_key(&s, "eseal", pin_file, other, ESEAL_SCHEME_AUTO, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, "certificate does not match the key"));
	assert_non_null(strstr(err.message, other));
	/* an EC certificate for the RSA key: also a mismatch, not a crash */
	pki(other, sizeof(other), "eseal-ec.pem");
	assert_int_equal(open_key(&s, "eseal", pin_file, other, ESEAL_SCHEME_AUTO, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, "does not match"));
	assert_no_secret(&err);
	assert_null(s);
}

static void test_expired_certificate(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;

	assert_int_equal(open_key(&s, "expired", pin_file, NULL, ESEAL_SCHEME_AUTO, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, "certificate expired on 20"));
	assert_non_null(strstr(err.message, "object=expired"));
	assert_null(s);
}

static void test_scheme_must_fit_key(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;

	assert_int_equal(open_key(&s, "eseal-ec", pin_file, NULL, ESEAL_SCHEME_RSA_PSS, &err), ESEAL_E_CONFIG);
	assert_int_equal(open_key(&s, "eseal", pin_file, NULL, ESEAL_SCHEME_ECDSA, &err), ESEAL_E_CONFIG);
	assert_null(s);
}

static void test_digest_checks(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;
	unsigned char digest[64] = {0}, *sig = NULL;
	size_t sig_len = 0;

	assert_int_equal(open_key(&s, "eseal", pin_file, NULL, ESEAL_SCHEME_AUTO, &err), ESEAL_OK);
	assert_int_equal(eseal_signer_sign_digest(s, EVP_sha256(), digest, 20, &sig, &sig_len, &err), ESEAL_E_USAGE);
	eseal_error_clear(&err);
	assert_int_equal(eseal_signer_sign_digest(s, EVP_sha1(), digest, 20, &sig, &sig_len, &err), ESEAL_E_USAGE);
	assert_null(sig);
	eseal_signer_free(s);
}

typedef struct worker {
	eseal_signer *signer;
	int rounds;
	int verified;
} worker;

/* Each thread signs fresh random digests and has OpenSSL verify every signature. */
static void *sign_loop(void *arg)
{
	worker *w = arg;
	unsigned char digest[32], *sig = NULL;
	size_t sig_len = 0;
	eseal_error err;
	int i;

	for (i = 0; i < w->rounds; i++) {
		eseal_error_clear(&err);
		if (RAND_bytes(digest, sizeof(digest)) != 1 ||
		    eseal_signer_sign_digest(w->signer, EVP_sha256(), digest, sizeof(digest), &sig, &sig_len, &err) !=
			    ESEAL_OK)
			continue;
		w->verified += verify(eseal_signer_certificate(w->signer), eseal_signer_scheme(w->signer), EVP_sha256(),
				      digest, sizeof(digest), sig, sig_len);
		eseal_bytes_free(sig);
		sig = NULL;
	}
	return NULL;
}

/* n threads x rounds signatures on one signer, all of which must verify. */
static void run_threads(const char *object, int n, int rounds)
{
	eseal_signer *s = NULL;
	eseal_error err;
	pthread_t t[48];
	worker w[48];
	int i;

	assert_true(n <= 48);
	assert_int_equal(open_key(&s, object, pin_file, NULL, ESEAL_SCHEME_AUTO, &err), ESEAL_OK);
	for (i = 0; i < n; i++) {
		w[i] = (worker){s, rounds, 0};
		assert_int_equal(pthread_create(&t[i], NULL, sign_loop, &w[i]), 0);
	}
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].verified, rounds);
	}
	eseal_signer_free(s);
}

static void test_four_threads(void **state)
{
	run_threads("eseal", 4, 50);
	run_threads("eseal-ec", 4, 50);
}

/* More threads than the pool's sessions (32): the extra ones wait for a session instead of failing. */
static void test_more_threads_than_sessions(void **state)
{
	run_threads("eseal", 40, 4);
}

static void test_two_signers_one_login(void **state)
{
	eseal_signer *a = NULL, *b = NULL;
	eseal_error err;

	/* The second login on the same token in this process is CKR_USER_ALREADY_LOGGED_IN or skipped: fine. */
	assert_int_equal(open_key(&a, "eseal", pin_file, NULL, ESEAL_SCHEME_AUTO, &err), ESEAL_OK);
	assert_int_equal(open_key(&b, "eseal-ec", pin_file, NULL, ESEAL_SCHEME_AUTO, &err), ESEAL_OK);
	sign_and_verify(a, EVP_sha256());
	sign_and_verify(b, EVP_sha256());
	eseal_signer_free(a);
	/* b still signs after a closed its sessions */
	sign_and_verify(b, EVP_sha256());
	eseal_signer_free(b);
}

typedef struct listing {
	char text[16384];
	size_t used;
} listing;

static void collect(void *ctx, const char *line)
{
	listing *l = ctx;
	int n = snprintf(l->text + l->used, sizeof(l->text) - l->used, "%s\n", line);

	if (n > 0 && l->used + (size_t)n < sizeof(l->text))
		l->used += (size_t)n;
}

static void test_token_list(void **state)
{
	static listing l;
	eseal_error err;

	eseal_error_clear(&err);
	assert_int_equal(eseal_token_list(module, collect, &l, &err), ESEAL_OK);
	assert_non_null(strstr(l.text, "token: label=\"eseal\""));
	assert_non_null(strstr(l.text, "login-required"));
	assert_non_null(strstr(l.text, "certificate: label=\"eseal\" id=01"));
	assert_non_null(strstr(l.text, "certificate: label=\"eseal-ec\" id=02"));
	assert_non_null(strstr(l.text, "NTRJP-1234567890123"));
	assert_non_null(strstr(l.text, "public key: label=\"eseal-ec\" id=02 type=EC"));
	assert_non_null(strstr(l.text, "public key: label=\"eseal\" id=01 type=RSA-2048"));
	assert_non_null(strstr(l.text, "uri=pkcs11:token=eseal;object=eseal;type=cert"));
	/* no login: private keys are not visible, and the listing says so */
	assert_null(strstr(l.text, "private key: label"));
	assert_non_null(strstr(l.text, "private keys are visible only after login"));
	if (strlen(pin) >= 4)
		assert_null(strstr(l.text, pin));
	/* a module that does not exist */
	eseal_error_clear(&err);
	assert_int_equal(eseal_token_list("/nonexistent/libnothing.so", collect, &l, &err), ESEAL_E_CONFIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsa_pkcs1),
		cmocka_unit_test(test_rsa_pss),
		cmocka_unit_test(test_ecdsa),
		cmocka_unit_test(test_cert_file_gives_chain),
		cmocka_unit_test(test_pin_from_env),
		cmocka_unit_test(test_pin_from_pin_source),
		cmocka_unit_test(test_pin_file_wins_over_env),
		cmocka_unit_test(test_wrong_pin_then_right_pin),
		cmocka_unit_test(test_no_pin_source),
		cmocka_unit_test(test_pin_value_refused),
		cmocka_unit_test(test_unknown_token_and_object),
		cmocka_unit_test(test_bad_uri_and_module),
		cmocka_unit_test(test_certificate_mismatch),
		cmocka_unit_test(test_expired_certificate),
		cmocka_unit_test(test_scheme_must_fit_key),
		cmocka_unit_test(test_digest_checks),
		cmocka_unit_test(test_four_threads),
		cmocka_unit_test(test_more_threads_than_sessions),
		cmocka_unit_test(test_two_signers_one_login),
		cmocka_unit_test(test_token_list),
	};
	eseal_error err;

	eseal_error_clear(&err);
	if (eseal_init(&err) != ESEAL_OK)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
