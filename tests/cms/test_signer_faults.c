/* tests/cms/test_signer_faults.c: failures a software token cannot produce, injected by tests/cms/p11_fault.c in front
 * of the fixture's real SoftHSM token: device removed while signing (transient, and the signer recovers), a locked
 * PIN, exactly one login attempt on a wrong PIN, a PIN-pad token (NULL PIN), no more sessions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <p11-kit/pkcs11.h>

#include "eseal/eseal.h"
#include "eseal/signer.h"

static char te[1024], pin_file[1100], uri[2048], log_path[1100], bad_pin[1100],
	scratch[] = "/tmp/eseal-test-signer-faults-XXXXXX";

static void setnum(const char *name, unsigned long value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu", value);
	setenv(name, buf, 1);
}

static int count_logins(const char *what)
{
	FILE *f = fopen(log_path, "r");
	char line[64];
	int n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, what, strlen(what)) == 0 && line[strlen(what)] == '\n')
			n++;
	fclose(f);
	return n;
}

static int setup(void **state)
{
	const char *env = getenv("ESEAL_TESTENV");
	char path[1100], module[1024];
	FILE *f = NULL;

	if (env == NULL || mkdtemp(scratch) == NULL)
		return -1;
	snprintf(te, sizeof(te), "%s", env);
	snprintf(path, sizeof(path), "%s/module", te);
	f = fopen(path, "r");
	if (f == NULL || fgets(module, sizeof(module), f) == NULL)
		return -1;
	fclose(f);
	module[strcspn(module, "\r\n")] = '\0';
	snprintf(pin_file, sizeof(pin_file), "%s/pin", te);
	snprintf(log_path, sizeof(log_path), "%s/logins", scratch);
	snprintf(bad_pin, sizeof(bad_pin), "%s/bad-pin", scratch);
	f = fopen(bad_pin, "w");
	if (f == NULL)
		return -1;
	fputs("not-the-pin-31337\n", f);
	fclose(f);
	setenv("ESEAL_FAULT_REAL", module, 1);
	setenv("ESEAL_FAULT_LOG", log_path, 1);
	snprintf(uri, sizeof(uri), "pkcs11:token=eseal;object=eseal;type=private?module-path=%s", P11FAULT_PATH);
	unsetenv("ESEAL_PIN");
	return 0;
}

static int teardown(void **state)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", scratch);
	return system(cmd) == 0 ? 0 : -1;
}

static void reset_faults(void)
{
	unsetenv("ESEAL_FAULT_SIGN");
	unsetenv("ESEAL_FAULT_LOGIN");
	unsetenv("ESEAL_FAULT_OPEN");
	unsetenv("ESEAL_FAULT_FLAGS");
	unsetenv("ESEAL_FAULT_PINPAD");
	unsetenv("ESEAL_FAULT_ALREADY");
	unlink(log_path);
}

static int open_signer(eseal_signer **s, const char *pinf, eseal_error *err)
{
	eseal_signer_options o = {.key = uri, .pin_file = pinf, .cert_file = NULL, .scheme = ESEAL_SCHEME_AUTO};

	eseal_error_clear(err);
	return eseal_signer_open(s, &o, err);
}

static int sign_once(eseal_signer *s, eseal_error *err)
{
	unsigned char digest[32], *sig = NULL;
	size_t sig_len = 0;
	EVP_PKEY_CTX *ctx = NULL;
	int rc, ok;

	eseal_error_clear(err);
	assert_int_equal(RAND_bytes(digest, sizeof(digest)), 1);
	rc = eseal_signer_sign_digest(s, EVP_sha256(), digest, sizeof(digest), &sig, &sig_len, err);
	if (rc != ESEAL_OK)
		return rc;
	ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(eseal_signer_certificate(s)), NULL);
	ok = ctx != NULL && EVP_PKEY_verify_init(ctx) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
	     EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
	     EVP_PKEY_verify(ctx, sig, sig_len, digest, sizeof(digest)) == 1;
	EVP_PKEY_CTX_free(ctx);
	eseal_bytes_free(sig);
	assert_true(ok);
	return rc;
}

static void test_shim_passes_through(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;

	reset_faults();
	assert_int_equal(open_signer(&s, pin_file, &err), ESEAL_OK);
	assert_int_equal(sign_once(s, &err), ESEAL_OK);
	assert_int_equal(count_logins("login"), 1);
	eseal_signer_free(s);
}

static void test_already_logged_in_is_success(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;

	reset_faults();
	setenv("ESEAL_FAULT_ALREADY", "1", 1);
	assert_int_equal(open_signer(&s, pin_file, &err), ESEAL_OK);
	assert_int_equal(count_logins("login"), 1);
	assert_int_equal(sign_once(s, &err), ESEAL_OK);
	eseal_signer_free(s);
}

static void test_device_removed_while_signing(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;

	reset_faults();
	assert_int_equal(open_signer(&s, pin_file, &err), ESEAL_OK);
	assert_int_equal(sign_once(s, &err), ESEAL_OK);
	setnum("ESEAL_FAULT_SIGN", CKR_DEVICE_REMOVED);
	assert_int_equal(sign_once(s, &err), ESEAL_E_HSM);
	assert_true(eseal_status_is_transient(err.status));
	assert_non_null(strstr(err.message, "CKR_DEVICE_REMOVED"));
	assert_non_null(strstr(err.message, "object=eseal"));
	setnum("ESEAL_FAULT_SIGN", CKR_DEVICE_ERROR);
	assert_int_equal(sign_once(s, &err), ESEAL_E_HSM);
	/* the device is back: the broken sessions were dropped and fresh ones sign again, without a new login */
	unsetenv("ESEAL_FAULT_SIGN");
	assert_int_equal(sign_once(s, &err), ESEAL_OK);
	assert_int_equal(sign_once(s, &err), ESEAL_OK);
	assert_int_equal(count_logins("login"), 1);
	eseal_signer_free(s);
}

static void test_wrong_pin_is_tried_once(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;

	reset_faults();
	assert_int_equal(open_signer(&s, bad_pin, &err), ESEAL_E_PIN);
	assert_non_null(strstr(err.message, "CKR_PIN_INCORRECT"));
	assert_int_equal(count_logins("login"), 1); /* no retry loop */
	assert_null(s);
}

static void test_locked_and_expired_pin(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;

	reset_faults();
	setnum("ESEAL_FAULT_LOGIN", CKR_PIN_LOCKED);
	assert_int_equal(open_signer(&s, pin_file, &err), ESEAL_E_PIN);
	assert_non_null(strstr(err.message, "CKR_PIN_LOCKED"));
	assert_int_equal(count_logins("login"), 1);
	setnum("ESEAL_FAULT_LOGIN", CKR_PIN_EXPIRED);
	assert_int_equal(open_signer(&s, pin_file, &err), ESEAL_E_PIN);
	assert_non_null(strstr(err.message, "CKR_PIN_EXPIRED"));
	/* the token says the PIN is locked: no attempt is spent at all */
	reset_faults();
	setnum("ESEAL_FAULT_FLAGS", CKF_USER_PIN_LOCKED);
	assert_int_equal(open_signer(&s, pin_file, &err), ESEAL_E_PIN);
	assert_non_null(strstr(err.message, "locked"));
	assert_int_equal(count_logins("login"), 0);
	assert_null(s);
}

static void test_pin_pad_token_logs_in_with_null_pin(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;

	reset_faults();
	setnum("ESEAL_FAULT_FLAGS", CKF_PROTECTED_AUTHENTICATION_PATH);
	setenv("ESEAL_FAULT_PINPAD", pin_file, 1);
	/* no PIN source at all: the token's own PIN pad supplies it */
	assert_int_equal(open_signer(&s, NULL, &err), ESEAL_OK);
	assert_int_equal(count_logins("login-null"), 1);
	assert_int_equal(count_logins("login"), 0);
	assert_int_equal(sign_once(s, &err), ESEAL_OK);
	eseal_signer_free(s);
}

static void test_no_session_for_signing(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;

	reset_faults();
	assert_int_equal(open_signer(&s, pin_file, &err), ESEAL_OK);
	setnum("ESEAL_FAULT_OPEN", CKR_SESSION_COUNT);
	assert_int_equal(sign_once(s, &err), ESEAL_E_HSM);
	assert_non_null(strstr(err.message, "CKR_SESSION_COUNT"));
	unsetenv("ESEAL_FAULT_OPEN");
	assert_int_equal(sign_once(s, &err), ESEAL_OK);
	eseal_signer_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shim_passes_through),
		cmocka_unit_test(test_already_logged_in_is_success),
		cmocka_unit_test(test_device_removed_while_signing),
		cmocka_unit_test(test_wrong_pin_is_tried_once),
		cmocka_unit_test(test_locked_and_expired_pin),
		cmocka_unit_test(test_pin_pad_token_logs_in_with_null_pin),
		cmocka_unit_test(test_no_session_for_signing),
	};
	eseal_error err;

	eseal_error_clear(&err);
	if (eseal_init(&err) != ESEAL_OK)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
