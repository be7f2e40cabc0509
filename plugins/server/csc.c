/* plugins/server/csc.c: the Cloud Signature Consortium API v2 (info, credentials/list, credentials/info,
 * credentials/authorize, signatures/signHash) over the profiles' keys: one credential per profile, named after it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "server.h"

#define CSC_SPECS "2.0.0.2"
#define SAD_LIFETIME 300   /* seconds a credential authorization stays usable */
#define SAD_MAX 4096       /* authorizations pending at once; more are refused until some expire or are used */
#define CSC_MULTISIGN 1000 /* hashes one signHash call may carry */

/* A credential authorization (the SAD a client gets from credentials/authorize): what it allows, until when. */
struct sad {
	char id[SRV_RANDOM_B64URL_SIZE]; /* base64url of 32 random bytes: the SAD string itself */
	char client[129];                /* the client's name */
	char credential[129];
	long remaining; /* signatures it still allows */
	time_t expires;
};

struct srv_csc {
	pthread_mutex_t lock;
	struct sad *v;
	size_t n;
};

int srv_csc_open(srv_csc **out, eseal_error *err)
{
	srv_csc *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->v = calloc(SAD_MAX, sizeof(*c->v))) == NULL || pthread_mutex_init(&c->lock, NULL) != 0) {
		if (c != NULL)
			free(c->v);
		free(c);
		return srv_error(err, ESEAL_E_INTERNAL, "out of memory");
	}
	*out = c;
	return ESEAL_OK;
}

void srv_csc_free(srv_csc *c)
{
	if (c == NULL)
		return;
	OPENSSL_cleanse(c->v, SAD_MAX * sizeof(*c->v));
	free(c->v);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

char *srv_csc_error(unsigned *code, unsigned http, const char *error, const char *description)
{
	json_t *o = json_pack("{s:s, s:s}", "error", error, "error_description", description);
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	*code = http;
	return text;
}

static char *answer(unsigned *code, json_t *o)
{
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	*code = text != NULL ? 200 : 500;
	return text;
}

/* The signature algorithms a credential accepts (signAlgo OIDs), by its key's scheme. */
static const char *const rsa_algos[] = {"1.2.840.113549.1.1.1", "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12",
					"1.2.840.113549.1.1.13", NULL};
static const char *const ec_algos[] = {"1.2.840.10045.2.1", "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3",
				       "1.2.840.10045.4.3.4", NULL};
/* The digests signHash takes, by OID; a signAlgo naming one (sha256WithRSAEncryption) implies it. */
static const struct {
	const char *oid;
	const char *name;
	const char *rsa_algo, *ec_algo;
} digests[] = {
	{"2.16.840.1.101.3.4.2.1", "sha256", "1.2.840.113549.1.1.11", "1.2.840.10045.4.3.2"},
	{"2.16.840.1.101.3.4.2.2", "sha384", "1.2.840.113549.1.1.12", "1.2.840.10045.4.3.3"},
	{"2.16.840.1.101.3.4.2.3", "sha512", "1.2.840.113549.1.1.13", "1.2.840.10045.4.3.4"},
};

static const char *const *algos_of(eseal_signer *signer)
{
	switch (eseal_signer_scheme(signer)) {
	case ESEAL_SCHEME_RSA_PKCS1: return rsa_algos;
	case ESEAL_SCHEME_ECDSA: return ec_algos;
	default: return NULL; /* RSASSA-PSS: its parameters are not negotiated here yet */
	}
}

static eseal_signer *credential_signer(const srv_state *st, const srv_client *client, const char *id)
{
	size_t i;

	if (id == NULL || !srv_client_may_use(client, id))
		return NULL;
	for (i = 0; i < st->n_sealers; i++)
		if (strcmp(st->sealers[i].profile, id) == 0)
			return eseal_sealer_signer(st->sealers[i].sealer);
	return NULL;
}

static json_t *b64_der(X509 *cert)
{
	unsigned char *der = NULL;
	int len = i2d_X509(cert, &der);
	char *b64;
	json_t *s;

	if (len <= 0)
		return NULL;
	b64 = malloc(4 * ((size_t)len / 3 + 1) + 1);
	if (b64 == NULL) {
		OPENSSL_free(der);
		return NULL;
	}
	EVP_EncodeBlock((unsigned char *)b64, der, len);
	s = json_string(b64);
	free(b64);
	OPENSSL_free(der);
	return s;
}

static json_t *name_json(const X509_NAME *n)
{
	char *s = X509_NAME_oneline(n, NULL, 0);
	json_t *j = json_string(s != NULL ? s : "");

	OPENSSL_free(s);
	return j;
}

/* GeneralizedTime as the specification writes validFrom and validTo: YYYYMMDDHHMMSSZ. */
static json_t *time_json(const ASN1_TIME *t)
{
	struct tm tm;
	char buf[32];

	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return json_null();
	strftime(buf, sizeof(buf), "%Y%m%d%H%M%SZ", &tm);
	return json_string(buf);
}

static int cert_valid_now(X509 *cert)
{
	return X509_cmp_current_time(X509_get0_notAfter(cert)) > 0 &&
	       X509_cmp_current_time(X509_get0_notBefore(cert)) < 0;
}

/* The key, cert, auth and multisign members of credentials/info (and of credentialInfos in credentials/list). */
static json_t *credential_json(eseal_signer *signer, const char *certificates, int cert_info, int auth_info)
{
	X509 *cert = eseal_signer_certificate(signer);
	STACK_OF(X509) *chain = eseal_signer_chain(signer);
	EVP_PKEY *pk = X509_get0_pubkey(cert);
	const char *const *a = algos_of(signer);
	json_t *o = json_object(), *key = json_object(), *algo = json_array(), *c = json_object(), *list;
	char curve[64];
	int i;

	if (o == NULL || key == NULL || algo == NULL || c == NULL) {
		json_decref(o);
		json_decref(key);
		json_decref(algo);
		json_decref(c);
		return NULL;
	}
	for (; a != NULL && *a != NULL; a++)
		json_array_append_new(algo, json_string(*a));
	json_object_set_new(key, "status", json_string(a != NULL ? "enabled" : "disabled"));
	json_object_set_new(key, "algo", algo);
	json_object_set_new(key, "len", json_integer(pk != NULL ? EVP_PKEY_get_bits(pk) : 0));
	if (pk != NULL && EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
	    EVP_PKEY_get_utf8_string_param(pk, "group", curve, sizeof(curve), NULL) == 1) {
		int nid = OBJ_sn2nid(curve);
		char oid[64];

		if (nid == NID_undef)
			nid = EC_curve_nist2nid(curve);
		if (nid != NID_undef && OBJ_obj2txt(oid, sizeof(oid), OBJ_nid2obj(nid), 1) > 0)
			json_object_set_new(key, "curve", json_string(oid));
	}
	json_object_set_new(o, "key", key);
	json_object_set_new(c, "status", json_string(cert_valid_now(cert) ? "valid" : "expired"));
	if (strcmp(certificates, "none") != 0 && (list = json_array()) != NULL) {
		json_array_append_new(list, b64_der(cert));
		for (i = 0; strcmp(certificates, "chain") == 0 && i < sk_X509_num(chain); i++)
			json_array_append_new(list, b64_der(sk_X509_value(chain, i)));
		json_object_set_new(c, "certificates", list);
	}
	if (cert_info) {
		BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
		char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

		json_object_set_new(c, "issuerDN", name_json(X509_get_issuer_name(cert)));
		json_object_set_new(c, "serialNumber", json_string(hex != NULL ? hex : ""));
		json_object_set_new(c, "subjectDN", name_json(X509_get_subject_name(cert)));
		json_object_set_new(c, "validFrom", time_json(X509_get0_notBefore(cert)));
		json_object_set_new(c, "validTo", time_json(X509_get0_notAfter(cert)));
		OPENSSL_free(hex);
		BN_free(bn);
	}
	json_object_set_new(o, "cert", c);
	/* An e-Seal is the organization's: the service authorizes its clients itself, no user factor is asked. */
	if (auth_info)
		json_object_set_new(o, "auth", json_pack("{s:s}", "mode", "implicit"));
	json_object_set_new(o, "scal", json_string("1"));
	json_object_set_new(o, "multisign", json_integer(CSC_MULTISIGN));
	json_object_set_new(o, "lang", json_string("en-US"));
	return o;
}

static int get_bool(json_t *req, const char *name, int dflt)
{
	json_t *v = json_object_get(req, name);

	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

/* "none", "single" (default) or "chain"; NULL for another value. */
static const char *get_certificates(json_t *req)
{
	json_t *v = json_object_get(req, "certificates");
	const char *s = json_is_string(v) ? json_string_value(v) : v == NULL ? "single" : "";

	return strcmp(s, "none") == 0 || strcmp(s, "single") == 0 || strcmp(s, "chain") == 0 ? s : NULL;
}

/* info: authType lists how clients authenticate: bearer tokens of the clients file
 * ("external"), OAuth2 client credentials at {oauth2}/oauth2/token ("oauth2client"), and mutual TLS when required. */
static char *do_info(const srv_state *st, const char *self_url, unsigned *code)
{
	json_t *methods = json_pack("[s,s,s,s,s,s]", "info", "credentials/list", "credentials/info",
				    "credentials/authorize", "signatures/signHash", "oauth2/token");
	json_t *algos = json_array();
	size_t i;

	for (i = 0; algos != NULL && rsa_algos[i] != NULL; i++)
		json_array_append_new(algos, json_string(rsa_algos[i]));
	for (i = 0; algos != NULL && ec_algos[i] != NULL; i++)
		json_array_append_new(algos, json_string(ec_algos[i]));
	return answer(code,
		      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s,s,s*], s:s, s:b, s:o, s:b, s:{s:o}}", "specs",
				CSC_SPECS, "name", "eseal serve", "logo", "", "region", "JP", "lang", "en-US",
				"description", "Organizational e-Seals (eseal), keys in an HSM", "authType", "external",
				"oauth2client", st->cfg->tls_client_ca != NULL ? "TLS" : NULL, "oauth2", self_url,
				"asynchronousOperationMode", 0,
				"methods", methods, "validationInfo", 0, "signAlgorithms", "algos", algos));
}

static char *do_list(const srv_state *st, const srv_client *client, json_t *req, unsigned *code)
{
	const char *certificates = get_certificates(req);
	int infos = get_bool(req, "credentialInfo", 0), only_valid = get_bool(req, "onlyValid", 0);
	json_t *ids = json_array(), *list = json_array(), *o;
	size_t i;

	if (certificates == NULL) {
		json_decref(ids);
		json_decref(list);
		return srv_csc_error(code, 400, "invalid_request", "Invalid parameter certificates");
	}
	for (i = 0; ids != NULL && list != NULL && i < client->n_profiles; i++) {
		eseal_signer *s = credential_signer(st, client, client->profiles[i]);

		if (s == NULL || (only_valid && !cert_valid_now(eseal_signer_certificate(s))))
			continue;
		json_array_append_new(ids, json_string(client->profiles[i]));
		if (infos && (o = credential_json(s, certificates, get_bool(req, "certInfo", 0),
						  get_bool(req, "authInfo", 0))) != NULL) {
			json_object_set_new(o, "credentialID", json_string(client->profiles[i]));
			json_array_append_new(list, o);
		}
	}
	o = json_pack("{s:o}", "credentialIDs", ids);
	if (o != NULL && infos)
		json_object_set_new(o, "credentialInfos", list);
	else
		json_decref(list);
	if (o != NULL && only_valid)
		json_object_set_new(o, "onlyValid", json_true());
	return answer(code, o);
}

static char *do_credential_info(const srv_state *st, const srv_client *client, json_t *req, unsigned *code)
{
	const char *id = json_string_value(json_object_get(req, "credentialID"));
	const char *certificates = get_certificates(req);
	eseal_signer *s;

	if (id == NULL)
		return srv_csc_error(code, 400, "invalid_request",
				 "Missing (or invalid type) string parameter credentialID");
	if ((s = credential_signer(st, client, id)) == NULL)
		return srv_csc_error(code, 400, "invalid_request", "Invalid parameter credentialID");
	if (certificates == NULL)
		return srv_csc_error(code, 400, "invalid_request", "Invalid parameter certificates");
	return answer(code,
		      credential_json(s, certificates, get_bool(req, "certInfo", 0), get_bool(req, "authInfo", 0)));
}

static char *do_authorize(const srv_state *st, srv_csc *csc, const srv_client *client, json_t *req, unsigned *code)
{
	const char *id = json_string_value(json_object_get(req, "credentialID"));
	json_t *num = json_object_get(req, "numSignatures");
	time_t now = time(NULL);
	struct sad *slot = NULL;
	char sad[SRV_RANDOM_B64URL_SIZE];
	size_t i;

	if (id == NULL)
		return srv_csc_error(code, 400, "invalid_request",
				 "Missing (or invalid type) string parameter credentialID");
	if (credential_signer(st, client, id) == NULL)
		return srv_csc_error(code, 400, "invalid_request", "Invalid parameter credentialID");
	if (!json_is_integer(num) || json_integer_value(num) < 1 || json_integer_value(num) > CSC_MULTISIGN)
		return srv_csc_error(code, 400, "invalid_request",
				 "Missing (or invalid type) integer parameter numSignatures");
	if (srv_random_b64url(sad) != 0)
		return srv_csc_error(code, 500, "server_error", "no random bytes for a SAD");
	pthread_mutex_lock(&csc->lock);
	for (i = 0; i < SAD_MAX && slot == NULL; i++)
		if (csc->v[i].id[0] == '\0' || csc->v[i].expires <= now || csc->v[i].remaining <= 0)
			slot = &csc->v[i];
	if (slot != NULL) {
		memcpy(slot->id, sad, sizeof(slot->id));
		snprintf(slot->client, sizeof(slot->client), "%s", client->name);
		snprintf(slot->credential, sizeof(slot->credential), "%s", id);
		slot->remaining = (long)json_integer_value(num);
		slot->expires = now + SAD_LIFETIME;
	}
	pthread_mutex_unlock(&csc->lock);
	if (slot == NULL)
		return srv_csc_error(code, 503, "temporarily_unavailable", "Too many pending authorizations; retry later");
	return answer(code, json_pack("{s:s, s:i}", "SAD", sad, "expiresIn", SAD_LIFETIME));
}

/* Takes n signatures from the SAD if it belongs to this client and credential and is neither used up nor expired. */
static int take_sad(const srv_state *st, srv_csc *csc, const srv_client *client, const char *credential,
		    const char *sad, size_t n)
{
	time_t now = time(NULL);
	size_t i, len = strlen(sad);
	int ok = 0;

	if (len != 43)
		return 0;
	pthread_mutex_lock(&csc->lock);
	for (i = 0; i < SAD_MAX; i++) {
		struct sad *s = &csc->v[i];

		if (CRYPTO_memcmp(s->id, sad, 43) != 0 || s->id[0] == '\0')
			continue;
		ok = strcmp(s->client, client->name) == 0 && strcmp(s->credential, credential) == 0 &&
		     s->expires > now && s->remaining >= (long)n;
		if (ok)
			s->remaining -= (long)n;
		break;
	}
	pthread_mutex_unlock(&csc->lock);
	return ok;
}

/* ECDSA values come from the token as r||s; CSC clients (and openssl pkeyutl) want the DER ECDSA-Sig-Value. */
static int ecdsa_to_der(const unsigned char *raw, size_t len, unsigned char **der, size_t *der_len)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, (int)(len / 2), NULL), *s = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
	unsigned char *out = NULL;
	int n;

	if (sig == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(sig, r, s) != 1) {
		ECDSA_SIG_free(sig);
		BN_free(r);
		BN_free(s);
		return -1;
	}
	n = i2d_ECDSA_SIG(sig, &out);
	ECDSA_SIG_free(sig);
	if (n <= 0)
		return -1;
	*der = out;
	*der_len = (size_t)n;
	return 0;
}

static unsigned http_of(eseal_status s)
{
	return eseal_status_is_transient(s) ? 503 : s == ESEAL_E_USAGE || s == ESEAL_E_INPUT ? 400 : 500;
}

static char *do_sign_hash(const srv_state *st, srv_csc *csc, srv_audit *audit, const srv_client *client, json_t *req,
			  unsigned *code, int *retry)
{
	const char *id = json_string_value(json_object_get(req, "credentialID"));
	const char *sad = json_string_value(json_object_get(req, "SAD"));
	const char *sign_algo = json_string_value(json_object_get(req, "signAlgo"));
	const char *hash_oid = json_string_value(json_object_get(req, "hashAlgorithmOID"));
	const char *mode = json_string_value(json_object_get(req, "operationMode"));
	json_t *hashes = json_object_get(req, "hashes"), *sigs = NULL;
	const char *const *a;
	eseal_signer *signer;
	const EVP_MD *md = NULL;
	const char *md_name = NULL;
	char **hex = NULL, *result = NULL;
	unsigned char digest[EVP_MAX_MD_SIZE + 2];
	size_t n = 0, i, k;
	eseal_error err, aerr;

	eseal_error_clear(&err);
	eseal_error_clear(&aerr);
	if (id == NULL)
		return srv_csc_error(code, 400, "invalid_request",
				 "Missing (or invalid type) string parameter credentialID");
	if ((signer = credential_signer(st, client, id)) == NULL)
		return srv_csc_error(code, 400, "invalid_request", "Invalid parameter credentialID");
	if (sad == NULL)
		return srv_csc_error(code, 400, "invalid_request", "Missing (or invalid type) string parameter SAD");
	if (!json_is_array(hashes) || (n = json_array_size(hashes)) == 0 || n > CSC_MULTISIGN)
		return srv_csc_error(code, 400, "invalid_request", "Missing (or invalid type) array parameter hashes");
	if (sign_algo == NULL)
		return srv_csc_error(code, 400, "invalid_request", "Missing (or invalid type) string parameter signAlgo");
	if (mode != NULL && strcmp(mode, "S") != 0)
		return srv_csc_error(code, 400, "invalid_request", "Invalid parameter operationMode (only S is supported)");
	if (json_object_get(req, "signAlgoParams") != NULL)
		return srv_csc_error(code, 400, "invalid_request", "Invalid parameter signAlgoParams");
	for (a = algos_of(signer); a != NULL && *a != NULL; a++)
		if (strcmp(*a, sign_algo) == 0)
			break;
	if (a == NULL || *a == NULL)
		return srv_csc_error(code, 400, "invalid_request", "Invalid parameter signAlgo for this credential");
	/* The digest: named by signAlgo (sha256WithRSAEncryption), else by hashAlgorithmOID; both must agree. */
	for (i = 0; i < sizeof(digests) / sizeof(digests[0]); i++) {
		int by_algo = strcmp(digests[i].rsa_algo, sign_algo) == 0 || strcmp(digests[i].ec_algo, sign_algo) == 0;

		if (by_algo && hash_oid != NULL && strcmp(hash_oid, digests[i].oid) != 0)
			return srv_csc_error(code, 400, "invalid_request",
					 "Invalid parameter hashAlgorithmOID for signAlgo");
		if (by_algo || (hash_oid != NULL && strcmp(hash_oid, digests[i].oid) == 0 && md_name == NULL))
			md_name = digests[i].name;
	}
	if (md_name == NULL || (md = EVP_get_digestbyname(md_name)) == NULL)
		return srv_csc_error(code, 400, "invalid_request", "Missing (or invalid) parameter hashAlgorithmOID");
	if ((hex = calloc(n, sizeof(*hex))) == NULL || (sigs = json_array()) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		const char *b64 = json_string_value(json_array_get(hashes, i));
		size_t blen = b64 != NULL ? strlen(b64) : 0;
		int dlen, pad = 0;

		if (blen == 0 || blen > 4 * ((EVP_MAX_MD_SIZE + 2) / 3) || blen % 4 != 0 ||
		    (dlen = EVP_DecodeBlock(digest, (const unsigned char *)b64, (int)blen)) < 0) {
			result = srv_csc_error(code, 400, "invalid_request", "Invalid Base64 hash string parameter");
			goto cleanup;
		}
		pad = (b64[blen - 1] == '=') + (blen > 1 && b64[blen - 2] == '=');
		if (dlen - pad != EVP_MD_get_size(md)) {
			result = srv_csc_error(code, 400, "invalid_request", "Invalid digest value length");
			goto cleanup;
		}
		if ((hex[i] = malloc(2 * (size_t)EVP_MD_get_size(md) + 1)) == NULL)
			goto oom;
		for (k = 0; k < (size_t)EVP_MD_get_size(md); k++)
			snprintf(hex[i] + 2 * k, 3, "%02x", digest[k]);
	}
	if (!take_sad(st, csc, client, id, sad, n)) {
		result = srv_csc_error(code, 400, "invalid_request",
				   "Invalid SAD (unknown, expired, used up or not for this "
				   "credential)");
		goto cleanup;
	}
	for (i = 0; i < n && err.status == ESEAL_OK; i++) {
		unsigned char *sig = NULL, *der = NULL;
		size_t sig_len = 0, der_len = 0, blen;
		const char *b64 = json_string_value(json_array_get(hashes, i));
		char *out;

		EVP_DecodeBlock(digest, (const unsigned char *)b64, (int)strlen(b64));
		if (eseal_signer_sign_digest(signer, md, digest, (size_t)EVP_MD_get_size(md), &sig, &sig_len, &err) !=
		    ESEAL_OK)
			break;
		if (eseal_signer_scheme(signer) == ESEAL_SCHEME_ECDSA) {
			if (ecdsa_to_der(sig, sig_len, &der, &der_len) != 0) {
				eseal_bytes_free(sig);
				srv_error(&err, ESEAL_E_CRYPTO, "cannot encode the ECDSA signature");
				break;
			}
			eseal_bytes_free(sig);
			sig = der;
			sig_len = der_len;
		}
		blen = 4 * ((sig_len + 2) / 3) + 1;
		if ((out = malloc(blen)) != NULL) {
			EVP_EncodeBlock((unsigned char *)out, sig, (int)sig_len);
			json_array_append_new(sigs, json_string(out));
			free(out);
		}
		OPENSSL_free(sig);
		if (out == NULL)
			srv_error(&err, ESEAL_E_INTERNAL, "out of memory");
	}
	if (srv_audit_sign_hash(audit, client->name, id, md_name, (const char *const *)hex, n,
				err.status == ESEAL_OK ? "ok" : eseal_status_name(err.status),
				err.status == ESEAL_OK ? NULL : err.message, &aerr) != ESEAL_OK) {
		fprintf(stderr, "eseal serve: %s\n", aerr.message);
		result = srv_csc_error(code, 500, "server_error", "the signatures could not be recorded in the audit log");
		goto cleanup;
	}
	if (err.status != ESEAL_OK) {
		*retry = eseal_status_is_transient(err.status);
		result = srv_csc_error(code, http_of(err.status), *retry ? "temporarily_unavailable" : "server_error",
				   err.message);
		goto cleanup;
	}
	result = answer(code, json_pack("{s:O}", "signatures", sigs));
	goto cleanup;
oom:
	result = srv_csc_error(code, 500, "server_error", "out of memory");
cleanup:
	OPENSSL_cleanse(digest, sizeof(digest));
	for (i = 0; hex != NULL && i < n; i++)
		free(hex[i]);
	free(hex);
	json_decref(sigs);
	return result;
}

char *srv_csc_call(srv_state *st, const srv_client *client, const char *method, const char *self_url,
		   const char *body, size_t len, unsigned *code, int *retry)
{
	json_t *req = NULL;
	json_error_t jerr;
	char *result;

	*retry = 0;
	if (strcmp(method, "info") == 0)
		return do_info(st, self_url, code);
	req = len == 0 ? json_object() : json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(req)) {
		json_decref(req);
		return srv_csc_error(code, 400, "invalid_request", "the body is not a JSON object");
	}
	if (strcmp(method, "credentials/list") == 0)
		result = do_list(st, client, req, code);
	else if (strcmp(method, "credentials/info") == 0)
		result = do_credential_info(st, client, req, code);
	else if (strcmp(method, "credentials/authorize") == 0)
		result = do_authorize(st, st->csc, client, req, code);
	else if (strcmp(method, "signatures/signHash") == 0)
		result = do_sign_hash(st, st->csc, &st->audit, client, req, code, retry);
	else
		result = srv_csc_error(code, 404, "invalid_request", "no such CSC method");
	json_decref(req);
	return result;
}
