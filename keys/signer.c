/* keys/signer.c: the public signer API: picks the back end (PKCS#11 URI, csc: service, development key file), then
 * checks what does not depend on where the key lives: certificate matches key, is valid now, may sign; digest, scheme. */
#include "signer_internal.h"
#include "core/error_internal.h"
#include "core/input_internal.h"
#include "pki/chain.h"
#include "pki/ecdsa_sig.h"
#include "pki/x509_text.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

static const es_input_role cert_file_role = {"cannot read the certificate file", ESEAL_E_CONFIG, ESEAL_E_CONFIG,
					      ES_INPUT_MAX_PEM, 0};

static int load_cert_file(eseal_signer *s, const char *path, eseal_error *err)
{
	BIO *bio = NULL;
	X509 *x = NULL;
	int rc = ESEAL_OK;

	if ((rc = es_input_bio(path, &cert_file_role, &bio, err)) != ESEAL_OK)
		goto cleanup;
	X509_free(s->cert);
	s->cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (s->cert == NULL) {
		rc = es_error_set_ossl(err, ESEAL_E_CONFIG, "%s: no PEM certificate in the file", path);
		goto cleanup;
	}
	sk_X509_pop_free(s->chain, X509_free);
	s->chain = sk_X509_new_null();
	if (s->chain == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
		goto cleanup;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_push(s->chain, x)) {
			X509_free(x);
			rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
			goto cleanup;
		}
	}
	/* The loop ends on "no start line" at end of file; anything else is a damaged PEM block. */
	if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE) {
		rc = es_error_set_ossl(err, ESEAL_E_CONFIG, "%s: certificate %d of the chain cannot be read", path,
				       sk_X509_num(s->chain) + 2);
		goto cleanup;
	}
	ERR_clear_error();
cleanup:
	BIO_free(bio);
	return rc;
}

static void format_time(const ASN1_TIME *t, char *out, size_t size)
{
	struct tm tm;

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm) || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "(unreadable date)");
}

/* The key may have no readable public half (e.g. an EC key imported without its public object): then a signature
 * made with it must verify under the certificate's key. */
static int key_matches_by_signature(eseal_signer *s, EVP_PKEY *cert_key, eseal_error *err)
{
	unsigned char digest[32], sig[1024], *der = NULL;
	size_t sig_len = sizeof(sig), der_len = 0;
	const unsigned char *to_verify = sig;
	EVP_PKEY_CTX *ctx = NULL;
	int ok = 0;

	if (RAND_bytes(digest, sizeof(digest)) != 1)
		return es_error_set_ossl(err, ESEAL_E_INTERNAL, "%s: no random bytes", s->name);
	if (s->ops->sign(s, EVP_sha256(), digest, sizeof(digest), sig, &sig_len, err) != ESEAL_OK)
		return -1;
	if (s->scheme == ESEAL_SCHEME_ECDSA) {
		if (!es_ecdsa_raw_to_der(sig, sig_len, &der, &der_len))
			goto cleanup;
		to_verify = der;
		sig_len = der_len;
	}
	ctx = EVP_PKEY_CTX_new(cert_key, NULL);
	if (ctx == NULL || EVP_PKEY_verify_init(ctx) <= 0 || EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) <= 0)
		goto cleanup;
	if (s->scheme == ESEAL_SCHEME_RSA_PSS && (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
						  EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) <= 0))
		goto cleanup;
	if (s->scheme == ESEAL_SCHEME_RSA_PKCS1 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)
		goto cleanup;
	ok = EVP_PKEY_verify(ctx, to_verify, sig_len, digest, sizeof(digest)) == 1;
cleanup:
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	OPENSSL_free(der);
	return ok;
}

static int check_certificate(eseal_signer *s, const char *cert_origin, eseal_error *err)
{
	EVP_PKEY *cert_key = X509_get0_pubkey(s->cert);
	char subject[256], when[64];
	uint32_t ku;
	int match;

	es_x509_name_line(X509_get_subject_name(s->cert), subject, sizeof(subject));
	if (cert_key == NULL)
		return es_error_set_ossl(err, ESEAL_E_CONFIG, "%s: the certificate's public key cannot be read (%s)",
					 s->name, cert_origin);
	if (s->pubkey != NULL)
		match = EVP_PKEY_eq(cert_key, s->pubkey) == 1;
	else if ((s->key_type == ES_KEY_RSA) != (EVP_PKEY_get_base_id(cert_key) == EVP_PKEY_RSA))
		match = 0;
	else
		match = key_matches_by_signature(s, cert_key, err);
	ERR_clear_error();
	if (match < 0)
		return err != NULL ? err->status : ESEAL_E_CRYPTO;
	if (!match)
		return es_error_set(err, ESEAL_E_CONFIG, "%s: certificate does not match the key (%s, subject \"%s\")",
				    s->name, cert_origin, subject);
	if (X509_cmp_current_time(X509_get0_notAfter(s->cert)) <= 0) {
		format_time(X509_get0_notAfter(s->cert), when, sizeof(when));
		return es_error_set(err, ESEAL_E_CONFIG, "%s: certificate expired on %s (%s, subject \"%s\")", s->name,
				    when, cert_origin, subject);
	}
	if (X509_cmp_current_time(X509_get0_notBefore(s->cert)) >= 0) {
		format_time(X509_get0_notBefore(s->cert), when, sizeof(when));
		return es_error_set(err, ESEAL_E_CONFIG, "%s: certificate is not valid before %s (%s, subject \"%s\")",
				    s->name, when, cert_origin, subject);
	}
	/* X509_get_key_usage answers UINT32_MAX when the extension is absent: no restriction. */
	ku = X509_get_key_usage(s->cert);
	if (!(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
		return es_error_set(err, ESEAL_E_CONFIG,
				    "%s: the certificate's keyUsage allows neither digitalSignature nor nonRepudiation "
				    "(%s, subject \"%s\")",
				    s->name, cert_origin, subject);
	return ESEAL_OK;
}

static int resolve_scheme(eseal_signer *s, eseal_sig_scheme wanted, eseal_error *err)
{
	if (wanted == ESEAL_SCHEME_AUTO)
		wanted = s->key_type == ES_KEY_EC ? ESEAL_SCHEME_ECDSA : ESEAL_SCHEME_RSA_PKCS1;
	if ((wanted == ESEAL_SCHEME_ECDSA) != (s->key_type == ES_KEY_EC))
		return es_error_set(err, ESEAL_E_CONFIG, "%s: the signature scheme does not fit the key type (%s key)",
				    s->name, s->key_type == ES_KEY_EC ? "EC" : "RSA");
	if (wanted != ESEAL_SCHEME_RSA_PKCS1 && wanted != ESEAL_SCHEME_RSA_PSS && wanted != ESEAL_SCHEME_ECDSA)
		return es_error_set(err, ESEAL_E_USAGE, "%s: unknown signature scheme %d", s->name, (int)wanted);
	s->scheme = wanted;
	return ESEAL_OK;
}

eseal_status eseal_signer_open(eseal_signer **out, const eseal_signer_options *opts, eseal_error *err)
{
	eseal_signer *s = NULL;
	char origin[600];
	int rc;

	eseal_error_clear(err);
	if (out == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "eseal_signer_open: no output pointer");
	*out = NULL;
	if (opts == NULL || opts->key == NULL || opts->key[0] == '\0')
		return es_error_set(err, ESEAL_E_USAGE, "no key given (a pkcs11: URI, a csc: URL or a key file)");
	s = OPENSSL_zalloc(sizeof(*s));
	if (s == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	if (strncmp(opts->key, "pkcs11:", 7) == 0)
		rc = es_signer_pkcs11_open(s, opts, err);
	else if (strncmp(opts->key, "csc:", 4) == 0)
		rc = es_signer_csc_open(s, opts, err);
	else
		rc = es_signer_file_open(s, opts, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	if (opts->cert_file != NULL) {
		rc = load_cert_file(s, opts->cert_file, err);
		if (rc != ESEAL_OK)
			goto cleanup;
		snprintf(origin, sizeof(origin), "certificate %s", opts->cert_file);
	} else {
		snprintf(origin, sizeof(origin), "certificate from the %s",
			 strncmp(opts->key, "pkcs11:", 7) == 0 ? "token" :
			 strncmp(opts->key, "csc:", 4) == 0    ? "signing service" :
								 "key file");
	}
	if (s->cert == NULL) {
		rc = es_error_set(err, ESEAL_E_CONFIG, "%s: no certificate: give the certificate file", s->name);
		goto cleanup;
	}
	if (s->chain == NULL && (s->chain = sk_X509_new_null()) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	rc = resolve_scheme(s, opts->scheme, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	rc = check_certificate(s, origin, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	/* The certificate and its chain are shared by every sealing thread (check_certificate filled the
	 * certificate's caches already). */
	es_certs_settle(s->chain);
	*out = s;
	s = NULL;
cleanup:
	eseal_signer_free(s);
	return rc;
}

void eseal_signer_free(eseal_signer *s)
{
	if (s == NULL)
		return;
	if (s->ops != NULL && s->ops->free != NULL)
		s->ops->free(s->backend);
	EVP_PKEY_free(s->pubkey);
	X509_free(s->cert);
	sk_X509_pop_free(s->chain, X509_free);
	OPENSSL_free(s->name);
	OPENSSL_free(s);
}

X509 *eseal_signer_certificate(const eseal_signer *s)
{
	return s != NULL ? s->cert : NULL;
}

STACK_OF(X509) * eseal_signer_chain(const eseal_signer *s)
{
	return s != NULL ? s->chain : NULL;
}

eseal_sig_scheme eseal_signer_scheme(const eseal_signer *s)
{
	return s != NULL ? s->scheme : ESEAL_SCHEME_AUTO;
}

size_t eseal_signer_max_signature_size(const eseal_signer *s)
{
	if (s == NULL)
		return 0;
	if (s->key_type == ES_KEY_EC)
		/* raw r||s, or DER: SEQUENCE header (<= 3) + two INTEGERs (tag, length, sign byte = 3 each). */
		return 2 * s->key_bytes + 9;
	return s->key_bytes;
}

eseal_status eseal_signer_sign_digest(eseal_signer *s, const EVP_MD *md, const unsigned char *digest, size_t digest_len,
				      unsigned char **sig, size_t *sig_len, eseal_error *err)
{
	unsigned char *buf = NULL;
	size_t len;
	int nid, rc;

	eseal_error_clear(err);
	if (sig != NULL)
		*sig = NULL;
	if (sig_len != NULL)
		*sig_len = 0;
	if (s == NULL || md == NULL || digest == NULL || sig == NULL || sig_len == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "eseal_signer_sign_digest: missing argument");
	nid = EVP_MD_get_type(md);
	if (nid != NID_sha256 && nid != NID_sha384 && nid != NID_sha512)
		return es_error_set(err, ESEAL_E_USAGE, "%s: digest %s is not supported (SHA-256/384/512 are)", s->name,
				    OBJ_nid2sn(nid));
	if (digest_len != (size_t)EVP_MD_get_size(md))
		return es_error_set(err, ESEAL_E_USAGE, "%s: digest length %zu does not fit %s", s->name, digest_len,
				    OBJ_nid2sn(nid));
	len = eseal_signer_max_signature_size(s);
	buf = OPENSSL_malloc(len);
	if (buf == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	rc = s->ops->sign(s, md, digest, digest_len, buf, &len, err);
	if (rc != ESEAL_OK) {
		OPENSSL_free(buf);
		return rc;
	}
	*sig = buf;
	*sig_len = len;
	return ESEAL_OK;
}

eseal_status eseal_signer_check(eseal_signer *s, eseal_error *err)
{
	eseal_error_clear(err);
	if (s == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "eseal_signer_check: no signer");
	return s->ops->check != NULL ? s->ops->check(s, err) : ESEAL_OK;
}
