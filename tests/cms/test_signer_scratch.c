/* tests/cms/test_signer_scratch.c: token shapes the shared fixture does not have, on two scratch SoftHSM tokens made
 * here: keys imported without a public-key object (the certificate is then matched by a test signature), a key with
 * no certificate, two tokens that both match a URI, and a distinctive PIN that must never reach a message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "eseal/eseal.h"
#include "eseal/signer.h"

#define PIN "Zq7-distinct-PIN-0815"
#define WRONG "Zq7-wrong-PIN-4242"

static char dir[] = "/tmp/eseal-test-signer-scratch-XXXXXX", module[1024];

static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

/* Test scaffolding only: softhsm2-util and pkcs11-tool take the scratch PIN on their command line. */
static int setup(void **state)
{
	const char *te = getenv("ESEAL_TESTENV");
	char conf[1200];
	FILE *f = NULL;
	int rc = 0;

	if (te == NULL || mkdtemp(dir) == NULL)
		return -1;
	snprintf(conf, sizeof(conf), "%s/module", te);
	f = fopen(conf, "r");
	if (f == NULL || fgets(module, sizeof(module), f) == NULL)
		return -1;
	fclose(f);
	module[strcspn(module, "\r\n")] = '\0';
	path(conf, sizeof(conf), "softhsm2.conf");
	f = fopen(conf, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n", dir);
	fclose(f);
	/* Before any PKCS#11 call in this process: SoftHSM reads it in C_Initialize. */
	setenv("SOFTHSM2_CONF", conf, 1);
	unsetenv("ESEAL_PIN");
	rc |= sh("mkdir -p %s/tokens && cd %s && "
		 "softhsm2-util --init-token --free --label scratch-a --pin " PIN " --so-pin 87654321 >/dev/null && "
		 "softhsm2-util --init-token --free --label scratch-b --pin " PIN " --so-pin 87654321 >/dev/null",
		 dir, dir);
	/* key label, key algorithm options, token */
	/* key label, key algorithm options, token ("" = file only), keyUsage, extra pkcs11-tool options */
	const char *keys[][5] = {
		{"ec-nopub", "-newkey ec -pkeyopt ec_paramgen_curve:P-256", "scratch-a", "digitalSignature", ""},
		{"rsa-nopub", "-newkey rsa:2048", "scratch-a", "nonRepudiation", ""},
		{"ec-other", "-newkey ec -pkeyopt ec_paramgen_curve:P-256", "", "digitalSignature", ""},
		{"ec-nocert", "-newkey ec -pkeyopt ec_paramgen_curve:P-384", "scratch-a", "digitalSignature", ""},
		{"ec-nopub", "-newkey ec -pkeyopt ec_paramgen_curve:P-256", "scratch-b", "digitalSignature", ""},
		{"rsa-keyenc", "-newkey rsa:2048", "scratch-a", "keyEncipherment", ""},
		{"rsa-always", "-newkey rsa:2048", "scratch-a", "nonRepudiation", "--always-auth"},
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && rc == 0; i++) {
		rc |= sh(
			"cd %s && openssl req -x509 %s -nodes -keyout k%zu.key -subj /CN=%s -days 30 "
			"-addext keyUsage=critical,%s -out %s%s.pem 2>/dev/null && "
			"openssl pkey -in k%zu.key -outform DER -out k%zu.der && openssl x509 -in %s%s.pem -outform DER "
			"-out c%zu.der",
			dir, keys[i][1], i, keys[i][0], keys[i][3], keys[i][0], keys[i][2], i, i, keys[i][0],
			keys[i][2], i);
		if (keys[i][2][0] == '\0')
			continue;
		/* Only the private key goes in: no public-key object beside it. */
		rc |= sh("cd %s && pkcs11-tool --module %s --token-label %s --login --pin " PIN
			 " --write-object k%zu.der "
			 "--type privkey --id 0%zu --label %s %s >/dev/null",
			 dir, module, keys[i][2], i, i, keys[i][0], keys[i][4]);
		if (strcmp(keys[i][0], "ec-nocert") != 0)
			rc |= sh("cd %s && pkcs11-tool --module %s --token-label %s --login --pin " PIN
				 " --write-object c%zu.der --type cert --id 0%zu --label %s >/dev/null",
				 dir, module, keys[i][2], i, i, keys[i][0]);
	}
	/* A certificate whose CKA_ID differs from its key's: found by the label instead. */
	rc |= sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout lbl.key -subj /CN=by-label -days 30 "
		 "-addext keyUsage=critical,digitalSignature -out by-label.pem 2>/dev/null && "
		 "openssl pkey -in lbl.key -outform DER -out lbl.der && openssl x509 -in by-label.pem -outform DER "
		 "-out lbl.cert.der && "
		 "pkcs11-tool --module %s --token-label scratch-a --login --pin " PIN
		 " --write-object lbl.der --type privkey --id 20 --label by-label >/dev/null && "
		 "pkcs11-tool --module %s --token-label scratch-a --login --pin " PIN
		 " --write-object lbl.cert.der --type cert --id 21 --label by-label >/dev/null",
		 dir, module, module);
	/* An Ed25519 key: a key type the signer does not do. */
	rc |= sh("pkcs11-tool --module %s --token-label scratch-a --login --pin " PIN
		 " --keypairgen --key-type EC:edwards25519 --id 30 --label ed25519 >/dev/null 2>&1",
		 module);
	return rc == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return sh("rm -rf %s", dir) == 0 ? 0 : -1;
}

static int open_uri(eseal_signer **s, const char *token, const char *object, const char *cert, eseal_error *err)
{
	char uri[2048];
	eseal_signer_options o = {.key = uri, .pin_file = NULL, .cert_file = cert, .scheme = ESEAL_SCHEME_AUTO};

	snprintf(uri, sizeof(uri), "pkcs11:%s%s%sobject=%s;type=private?module-path=%s", token ? "token=" : "",
		 token ? token : "", token ? ";" : "", object, module);
	eseal_error_clear(err);
	return eseal_signer_open(s, &o, err);
}

static void assert_verifies(eseal_signer *s)
{
	unsigned char digest[32], *sig = NULL, *der = NULL;
	size_t sig_len = 0;
	EVP_PKEY_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	eseal_error err;
	int der_len;

	eseal_error_clear(&err);
	assert_int_equal(RAND_bytes(digest, sizeof(digest)), 1);
	assert_int_equal(eseal_signer_sign_digest(s, EVP_sha256(), digest, sizeof(digest), &sig, &sig_len, &err),
			 ESEAL_OK);
	if (eseal_signer_scheme(s) == ESEAL_SCHEME_ECDSA) {
		/* raw r||s: twice the field size of the certificate's curve */
		assert_int_equal(
			sig_len,
			2 * (((size_t)EVP_PKEY_get_bits(X509_get0_pubkey(eseal_signer_certificate(s))) + 7) / 8));
		es = ECDSA_SIG_new();
		assert_non_null(es);
		assert_int_equal(ECDSA_SIG_set0(es, BN_bin2bn(sig, (int)sig_len / 2, NULL),
						BN_bin2bn(sig + sig_len / 2, (int)sig_len / 2, NULL)),
				 1);
		der_len = i2d_ECDSA_SIG(es, &der);
		assert_true(der_len > 0);
		eseal_bytes_free(sig);
		sig = der;
		sig_len = (size_t)der_len;
		ECDSA_SIG_free(es);
	}
	ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(eseal_signer_certificate(s)), NULL);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
	assert_int_equal(EVP_PKEY_verify(ctx, sig, sig_len, digest, sizeof(digest)), 1);
	EVP_PKEY_CTX_free(ctx);
	eseal_bytes_free(sig);
}

static void test_keys_without_public_object(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;
	char other[1200];

	setenv("ESEAL_PIN", PIN, 1);
	/* EC: no CKA_EC_POINT anywhere, so the certificate is matched by a test signature */
	assert_int_equal(open_uri(&s, "scratch-a", "ec-nopub", NULL, &err), ESEAL_OK);
	assert_verifies(s);
	eseal_signer_free(s);
	s = NULL;
	/* ... and that test signature catches a certificate for another key */
	path(other, sizeof(other), "ec-other.pem");
	assert_int_equal(open_uri(&s, "scratch-a", "ec-nopub", other, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, "certificate does not match the key"));
	/* RSA: the modulus and exponent on the private key object are enough */
	assert_int_equal(open_uri(&s, "scratch-a", "rsa-nopub", NULL, &err), ESEAL_OK);
	assert_int_equal(eseal_signer_max_signature_size(s), 256);
	assert_verifies(s);
	eseal_signer_free(s);
	s = NULL;
	assert_int_equal(open_uri(&s, "scratch-a", "rsa-nopub", other, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, "does not match"));
	unsetenv("ESEAL_PIN");
}

static void test_key_without_certificate(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;

	setenv("ESEAL_PIN", PIN, 1);
	assert_int_equal(open_uri(&s, "scratch-a", "ec-nocert", NULL, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, "no certificate"));
	assert_non_null(strstr(err.message, "object=ec-nocert"));
	unsetenv("ESEAL_PIN");
	assert_null(s);
}

static void test_p384_with_cert_file(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;
	char cert[1200];

	setenv("ESEAL_PIN", PIN, 1);
	path(cert, sizeof(cert), "ec-nocertscratch-a.pem");
	assert_int_equal(open_uri(&s, "scratch-a", "ec-nocert", cert, &err), ESEAL_OK);
	assert_int_equal(eseal_signer_scheme(s), ESEAL_SCHEME_ECDSA);
	assert_true(eseal_signer_max_signature_size(s) >= 96 + 8);
	assert_verifies(s); /* 96-byte raw r||s, checked as DER by OpenSSL */
	eseal_signer_free(s);
	unsetenv("ESEAL_PIN");
}

static void test_key_usage_must_allow_signing(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;

	setenv("ESEAL_PIN", PIN, 1);
	assert_int_equal(open_uri(&s, "scratch-a", "rsa-keyenc", NULL, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, "keyUsage"));
	assert_null(s);
	unsetenv("ESEAL_PIN");
}

static void test_key_needing_pin_per_signature(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;
	int i;

	/* CKA_ALWAYS_AUTHENTICATE: a context-specific login before each signature, or the token refuses to sign */
	setenv("ESEAL_PIN", PIN, 1);
	assert_int_equal(open_uri(&s, "scratch-a", "rsa-always", NULL, &err), ESEAL_OK);
	unsetenv("ESEAL_PIN"); /* the signer kept what it needs */
	for (i = 0; i < 3; i++)
		assert_verifies(s);
	eseal_signer_free(s);
	s = NULL;
	/* without a PIN source the open fails up front, not at the first signature */
	assert_int_equal(open_uri(&s, "scratch-a", "rsa-always", NULL, &err), ESEAL_E_PIN);
	assert_null(s);
}

static void test_certificate_found_by_label(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;
	char subject[256];

	setenv("ESEAL_PIN", PIN, 1);
	assert_int_equal(open_uri(&s, "scratch-a", "by-label", NULL, &err), ESEAL_OK);
	X509_NAME_oneline(X509_get_subject_name(eseal_signer_certificate(s)), subject, sizeof(subject));
	assert_string_equal(subject, "/CN=by-label");
	assert_verifies(s);
	eseal_signer_free(s);
	unsetenv("ESEAL_PIN");
}

static void test_unsupported_key_type(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;
	char cert[1200];

	setenv("ESEAL_PIN", PIN, 1);
	path(cert, sizeof(cert), "ec-other.pem");
	assert_int_equal(open_uri(&s, "scratch-a", "ed25519", cert, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, "unsupported key type"));
	assert_non_null(strstr(err.message, "object=ed25519"));
	assert_null(s);
	unsetenv("ESEAL_PIN");
}

static void test_two_matching_tokens(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;

	setenv("ESEAL_PIN", PIN, 1);
	assert_int_equal(open_uri(&s, NULL, "ec-nopub", NULL, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, "several tokens match"));
	assert_int_equal(open_uri(&s, "scratch-b", "ec-nopub", NULL, &err), ESEAL_OK);
	assert_verifies(s);
	eseal_signer_free(s);
	unsetenv("ESEAL_PIN");
}

static void test_distinctive_pin_never_in_messages(void **state)
{
	eseal_signer *s = NULL;
	eseal_error err;
	char pinf[1200], other[1200];
	FILE *f = NULL;

	setenv("ESEAL_PIN", WRONG, 1);
	assert_int_equal(open_uri(&s, "scratch-a", "ec-nopub", NULL, &err), ESEAL_E_PIN);
	assert_non_null(strstr(err.message, "CKR_PIN_INCORRECT"));
	assert_null(strstr(err.message, WRONG));
	assert_null(strstr(err.message, "Zq7"));
	/* the right PIN, then every config failure after login: still no PIN in the message */
	setenv("ESEAL_PIN", PIN, 1);
	path(other, sizeof(other), "ec-other.pem");
	assert_int_equal(open_uri(&s, "scratch-a", "ec-nopub", other, &err), ESEAL_E_CONFIG);
	assert_null(strstr(err.message, "Zq7"));
	assert_int_equal(open_uri(&s, "scratch-a", "no-such-key", NULL, &err), ESEAL_E_CONFIG);
	assert_null(strstr(err.message, "Zq7"));
	/* a PIN file whose first line is the PIN, with trailing CRLF and a second line */
	unsetenv("ESEAL_PIN");
	path(pinf, sizeof(pinf), "pin");
	f = fopen(pinf, "w");
	assert_non_null(f);
	fputs(PIN "\r\nsecond line\n", f);
	fclose(f);
	{
		char uri[2048];
		eseal_signer_options o = {.key = uri, .pin_file = pinf, .cert_file = NULL, .scheme = ESEAL_SCHEME_AUTO};

		snprintf(uri, sizeof(uri), "pkcs11:token=scratch-a;object=ec-nopub;type=private?module-path=%s",
			 module);
		eseal_error_clear(&err);
		assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_OK);
		assert_verifies(s);
		eseal_signer_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_without_public_object),
		cmocka_unit_test(test_key_without_certificate),
		cmocka_unit_test(test_p384_with_cert_file),
		cmocka_unit_test(test_key_usage_must_allow_signing),
		cmocka_unit_test(test_key_needing_pin_per_signature),
		cmocka_unit_test(test_certificate_found_by_label),
		cmocka_unit_test(test_unsupported_key_type),
		cmocka_unit_test(test_two_matching_tokens),
		cmocka_unit_test(test_distinctive_pin_never_in_messages),
	};
	eseal_error err;

	eseal_error_clear(&err);
	if (eseal_init(&err) != ESEAL_OK)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
