/* tests/cms/test_signer_file.c: the development key-file signer: PEM (plain and encrypted) and PKCS#12, with the
 * same output conventions as the token; each signature verified by OpenSSL with the certificate's public key. */
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
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "eseal/eseal.h"
#include "eseal/signer.h"

#define PASSPHRASE "dev-pass-phrase-5521"

static char te[1024], key[1100], chain[1100], scratch[] = "/tmp/eseal-test-signer-file-XXXXXX";
static EVP_PKEY *dev_key;
static STACK_OF(X509) * dev_chain;

static void in_scratch(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", scratch, name);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	const char *env = getenv("ESEAL_TESTENV");
	BIO *b = NULL;
	X509 *x = NULL;

	if (env == NULL || mkdtemp(scratch) == NULL)
		return -1;
	snprintf(te, sizeof(te), "%s", env);
	snprintf(key, sizeof(key), "%s/pki/dev-eseal.key", te);
	snprintf(chain, sizeof(chain), "%s/pki/dev-chain.pem", te);
	b = BIO_new_file(key, "r");
	dev_key = b != NULL ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	b = BIO_new_file(chain, "r");
	dev_chain = sk_X509_new_null();
	while (b != NULL && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
		sk_X509_push(dev_chain, x);
	BIO_free(b);
	unsetenv("ESEAL_PIN");
	return dev_key != NULL && sk_X509_num(dev_chain) >= 2 ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[200];

	EVP_PKEY_free(dev_key);
	sk_X509_pop_free(dev_chain, X509_free);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", scratch);
	return system(cmd) == 0 ? 0 : -1;
}

static void sign_and_verify(eseal_signer *s, eseal_sig_scheme scheme)
{
	unsigned char digest[32], *sig = NULL;
	size_t sig_len = 0;
	EVP_PKEY_CTX *ctx = NULL;
	eseal_error err;

	eseal_error_clear(&err);
	assert_int_equal(eseal_signer_scheme(s), scheme);
	assert_int_equal(RAND_bytes(digest, sizeof(digest)), 1);
	assert_int_equal(eseal_signer_sign_digest(s, EVP_sha256(), digest, sizeof(digest), &sig, &sig_len, &err),
			 ESEAL_OK);
	assert_int_equal(sig_len, 256);
	ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(eseal_signer_certificate(s)), NULL);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
	if (scheme == ESEAL_SCHEME_RSA_PSS) {
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 32), 1);
	} else {
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
	}
	assert_int_equal(EVP_PKEY_verify(ctx, sig, sig_len, digest, sizeof(digest)), 1);
	digest[5] ^= 0x80;
	assert_int_not_equal(EVP_PKEY_verify(ctx, sig, sig_len, digest, sizeof(digest)), 1);
	EVP_PKEY_CTX_free(ctx);
	eseal_bytes_free(sig);
}

static void test_plain_pem(void **state)
{
	eseal_signer_options o = {.key = key, .pin_file = NULL, .cert_file = chain, .scheme = ESEAL_SCHEME_AUTO};
	eseal_signer *s = NULL;
	eseal_error err;

	eseal_error_clear(&err);
	assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_OK);
	assert_int_equal(sk_X509_num(eseal_signer_chain(s)), sk_X509_num(dev_chain) - 1);
	sign_and_verify(s, ESEAL_SCHEME_RSA_PKCS1);
	eseal_signer_free(s);
	s = NULL;
	o.scheme = ESEAL_SCHEME_RSA_PSS;
	assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_OK);
	sign_and_verify(s, ESEAL_SCHEME_RSA_PSS);
	eseal_signer_free(s);
	s = NULL;
	/* a PEM key without any certificate: config error naming the file */
	o.cert_file = NULL;
	assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, key));
}

static void test_encrypted_pem(void **state)
{
	char enc[1100], pinf[1100], bad[1100];
	eseal_signer_options o = {.key = enc, .pin_file = pinf, .cert_file = chain, .scheme = ESEAL_SCHEME_AUTO};
	eseal_signer *s = NULL;
	eseal_error err;
	BIO *b = NULL;

	in_scratch(enc, sizeof(enc), "enc.key");
	in_scratch(pinf, sizeof(pinf), "pass");
	in_scratch(bad, sizeof(bad), "bad-pass");
	b = BIO_new_file(enc, "w");
	assert_non_null(b);
	assert_int_equal(PEM_write_bio_PKCS8PrivateKey(b, dev_key, EVP_aes_256_cbc(), PASSPHRASE, strlen(PASSPHRASE),
						       NULL, NULL),
			 1);
	BIO_free(b);
	write_text(pinf, PASSPHRASE "\n");
	write_text(bad, "not-the-" PASSPHRASE "\n");

	eseal_error_clear(&err);
	assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_OK);
	sign_and_verify(s, ESEAL_SCHEME_RSA_PKCS1);
	eseal_signer_free(s);
	s = NULL;
	/* passphrase from ESEAL_PIN */
	o.pin_file = NULL;
	setenv("ESEAL_PIN", PASSPHRASE, 1);
	assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_OK);
	unsetenv("ESEAL_PIN");
	eseal_signer_free(s);
	s = NULL;
	/* no passphrase at all, then a wrong one: PIN class, and the passphrase is never echoed */
	assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_E_PIN);
	eseal_error_clear(&err);
	o.pin_file = bad;
	assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_E_PIN);
	assert_non_null(strstr(err.message, enc));
	assert_null(strstr(err.message, PASSPHRASE));
	assert_null(s);
}

static void test_pkcs12(void **state)
{
	char p12[1100], pinf[1100];
	eseal_signer_options o = {.key = p12, .pin_file = pinf, .cert_file = NULL, .scheme = ESEAL_SCHEME_AUTO};
	STACK_OF(X509) *ca = sk_X509_new_null();
	eseal_signer *s = NULL;
	eseal_error err;
	PKCS12 *pk = NULL;
	BIO *b = NULL;
	int i;

	in_scratch(p12, sizeof(p12), "dev.p12");
	in_scratch(pinf, sizeof(pinf), "p12-pass");
	for (i = 1; i < sk_X509_num(dev_chain); i++)
		sk_X509_push(ca, sk_X509_value(dev_chain, i));
	pk = PKCS12_create(PASSPHRASE, "dev", dev_key, sk_X509_value(dev_chain, 0), ca, 0, 0, 0, 0, 0);
	assert_non_null(pk);
	sk_X509_free(ca);
	b = BIO_new_file(p12, "wb");
	assert_non_null(b);
	assert_int_equal(i2d_PKCS12_bio(b, pk), 1);
	BIO_free(b);
	PKCS12_free(pk);
	write_text(pinf, PASSPHRASE "\n");

	eseal_error_clear(&err);
	assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_OK);
	/* certificate and chain came from the PKCS#12 file */
	assert_int_equal(X509_cmp(eseal_signer_certificate(s), sk_X509_value(dev_chain, 0)), 0);
	assert_int_equal(sk_X509_num(eseal_signer_chain(s)), sk_X509_num(dev_chain) - 1);
	sign_and_verify(s, ESEAL_SCHEME_RSA_PKCS1);
	eseal_signer_free(s);
	s = NULL;
	write_text(pinf, "wrong\n");
	assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_E_PIN);
	assert_null(s);
}

static void test_key_file_mismatch(void **state)
{
	char other[1100];
	eseal_signer_options o = {.key = key, .pin_file = NULL, .cert_file = other, .scheme = ESEAL_SCHEME_AUTO};
	eseal_signer *s = NULL;
	eseal_error err;

	snprintf(other, sizeof(other), "%s/pki/eseal.pem", te);
	eseal_error_clear(&err);
	assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, "certificate does not match the key"));
	o.key = "/nonexistent/dev.key";
	eseal_error_clear(&err);
	assert_int_equal(eseal_signer_open(&s, &o, &err), ESEAL_E_CONFIG);
	assert_non_null(strstr(err.message, "/nonexistent/dev.key"));
	assert_null(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_pem),
		cmocka_unit_test(test_encrypted_pem),
		cmocka_unit_test(test_pkcs12),
		cmocka_unit_test(test_key_file_mismatch),
	};
	eseal_error err;

	eseal_error_clear(&err);
	if (eseal_init(&err) != ESEAL_OK)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
