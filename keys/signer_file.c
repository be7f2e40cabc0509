/* keys/signer_file.c: the development back end: a PEM private key (optionally encrypted) or a PKCS#12 file.
 * Never for production seals (the key sits on disk); same output conventions as the token, so callers can't tell. */
#include "signer_internal.h"
#include "core/error_internal.h"
#include "core/input_internal.h"
#include "pki/ecdsa_sig.h"

#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>

typedef struct pass_ctx {
	const eseal_signer_options *opts;
	const char *path;
	eseal_error *err;
	int asked;
	int rc;
} pass_ctx;

/* PEM password callback: only called for an encrypted key, so an unencrypted one needs no PIN source. */
static int pem_pass(char *buf, int size, int rwflag, void *u)
{
	pass_ctx *pc = u;
	char pin[ES_PIN_MAX];
	size_t len;

	pc->asked = 1;
	pc->rc = es_pin_resolve(pc->opts, NULL, pc->path, pin, pc->err);
	if (pc->rc != ESEAL_OK) {
		OPENSSL_cleanse(pin, sizeof(pin));
		return -1;
	}
	len = strlen(pin);
	if (len > (size_t)size)
		len = (size_t)size;
	memcpy(buf, pin, len);
	OPENSSL_cleanse(pin, sizeof(pin));
	return (int)len;
}

static int load_pem(eseal_signer *s, BIO *bio, const eseal_signer_options *opts, EVP_PKEY **pkey, eseal_error *err)
{
	pass_ctx pc = {opts, opts->key, err, 0, ESEAL_OK};
	X509 *x = NULL;

	*pkey = PEM_read_bio_PrivateKey(bio, NULL, pem_pass, &pc);
	if (*pkey == NULL) {
		if (pc.rc != ESEAL_OK)
			return pc.rc;
		if (pc.asked)
			return es_error_set(err, ESEAL_E_PIN, "%s: cannot decrypt the private key: wrong passphrase",
					    opts->key);
		return es_error_set_ossl(err, ESEAL_E_CONFIG, "%s: no private key in the file", opts->key);
	}
	/* Certificates in the same PEM file (key + cert + chain bundles) serve when no certificate file is given. */
	if (opts->cert_file == NULL && BIO_reset(bio) == 0) {
		s->chain = sk_X509_new_null();
		while (s->chain != NULL && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
			if (s->cert == NULL)
				s->cert = x;
			else if (!sk_X509_push(s->chain, x))
				X509_free(x);
		}
	}
	ERR_clear_error();
	return ESEAL_OK;
}

static int load_p12(eseal_signer *s, BIO *bio, const eseal_signer_options *opts, EVP_PKEY **pkey, eseal_error *err)
{
	PKCS12 *p12 = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *ca = NULL;
	char pin[ES_PIN_MAX];
	const char *pass = NULL;
	int rc = ESEAL_OK;

	pin[0] = '\0';
	p12 = d2i_PKCS12_bio(bio, NULL);
	if (p12 == NULL) {
		rc = es_error_set_ossl(err, ESEAL_E_CONFIG, "%s: neither a PEM private key nor a PKCS#12 file",
				       opts->key);
		goto cleanup;
	}
	/* A PKCS#12 file without a password needs no PIN source. */
	if (PKCS12_verify_mac(p12, NULL, 0))
		pass = NULL;
	else if (PKCS12_verify_mac(p12, "", 0))
		pass = "";
	else {
		rc = es_pin_resolve(opts, NULL, opts->key, pin, err);
		if (rc != ESEAL_OK)
			goto cleanup;
		if (!PKCS12_verify_mac(p12, pin, -1)) {
			rc = es_error_set(err, ESEAL_E_PIN, "%s: cannot open the PKCS#12 file: wrong passphrase",
					  opts->key);
			goto cleanup;
		}
		pass = pin;
	}
	if (!PKCS12_parse(p12, pass, pkey, &cert, &ca) || *pkey == NULL) {
		rc = es_error_set_ossl(err, ESEAL_E_CONFIG, "%s: no private key in the PKCS#12 file", opts->key);
		goto cleanup;
	}
	if (opts->cert_file == NULL) {
		s->cert = cert;
		s->chain = ca;
		cert = NULL;
		ca = NULL;
	}
cleanup:
	OPENSSL_cleanse(pin, sizeof(pin));
	ERR_clear_error();
	X509_free(cert);
	sk_X509_pop_free(ca, X509_free);
	PKCS12_free(p12);
	return rc;
}

static int file_sign(eseal_signer *s, const EVP_MD *md, const unsigned char *digest, size_t digest_len,
		     unsigned char *sig, size_t *sig_len, eseal_error *err)
{
	EVP_PKEY_CTX *ctx = NULL;
	unsigned char der[160];
	size_t der_len = sizeof(der);
	int rc = ESEAL_OK;

	/* A fresh context per call: OpenSSL 3 allows concurrent use of one EVP_PKEY, not of one EVP_PKEY_CTX. */
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, s->backend, NULL);
	if (ctx == NULL || EVP_PKEY_sign_init(ctx) <= 0 || EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0)
		goto fail;
	if (s->scheme == ESEAL_SCHEME_RSA_PKCS1 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)
		goto fail;
	if (s->scheme == ESEAL_SCHEME_RSA_PSS && (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
						  EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) <= 0 ||
						  EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) <= 0))
		goto fail;
	if (s->scheme == ESEAL_SCHEME_ECDSA) {
		if (EVP_PKEY_sign(ctx, der, &der_len, digest, digest_len) <= 0)
			goto fail;
		if (*sig_len < 2 * s->key_bytes || !es_ecdsa_der_to_raw(der, der_len, s->key_bytes, sig))
			goto fail;
		*sig_len = 2 * s->key_bytes;
	} else if (EVP_PKEY_sign(ctx, sig, sig_len, digest, digest_len) <= 0) {
		goto fail;
	}
	goto cleanup;
fail:
	rc = es_error_set_ossl(err, ESEAL_E_CRYPTO, "%s: signing failed", s->name);
cleanup:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

static void file_free(void *backend)
{
	EVP_PKEY_free(backend);
}

static const es_signer_ops file_ops = {file_sign, file_free, NULL};

static const es_input_role key_file_role = {"cannot read the key file", ESEAL_E_CONFIG, ESEAL_E_CONFIG,
					     ES_INPUT_MAX_PEM, 0};

int es_signer_file_open(eseal_signer *s, const eseal_signer_options *opts, eseal_error *err)
{
	BIO *bio = NULL;
	EVP_PKEY *pkey = NULL;
	const char *dot = strrchr(opts->key, '.');
	int is_p12 = dot != NULL && (strcasecmp(dot, ".p12") == 0 || strcasecmp(dot, ".pfx") == 0);
	int rc = ESEAL_OK, bits;

	s->name = OPENSSL_strdup(opts->key);
	if (s->name == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	if ((rc = es_input_bio(opts->key, &key_file_role, &bio, err)) != ESEAL_OK)
		goto cleanup;
	rc = is_p12 ? load_p12(s, bio, opts, &pkey, err) : load_pem(s, bio, opts, &pkey, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	s->ops = &file_ops;
	s->backend = pkey;
	if (!EVP_PKEY_up_ref(pkey)) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	s->pubkey = pkey; /* EVP_PKEY_eq compares only the public half */
	bits = EVP_PKEY_get_bits(pkey);
	if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA) {
		s->key_type = ES_KEY_RSA;
		s->key_bytes = (size_t)EVP_PKEY_get_size(pkey);
	} else if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC && (bits == 256 || bits == 384 || bits == 521)) {
		s->key_type = ES_KEY_EC;
		s->key_bytes = ((size_t)bits + 7) / 8;
	} else {
		rc = es_error_set(err, ESEAL_E_CONFIG, "%s: unsupported key type (RSA, EC P-256/384/521 are supported)",
				  opts->key);
	}
cleanup:
	BIO_free(bio);
	return rc;
}
