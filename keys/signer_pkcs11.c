/* keys/signer_pkcs11.c: the signer's PKCS#11 back end: RFC 7512 URI -> module, token, login, key, certificate.
 * p11-kit parses the URI and loads the module; signing borrows a session from a pool so threads sign in parallel. */
#include "p11_util.h"
#include "signer_internal.h"
#include "core/error_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

/* One session per sealing thread (-j N) up to this; a network HSM gains from more sessions than cores,
 * but tokens often allow fewer than they claim, so the token's ulMaxSessionCount lowers it further. */
#define POOL_MAX 32

typedef struct p11_backend {
	es_p11_modules mods;
	CK_FUNCTION_LIST *f;
	CK_SLOT_ID slot;
	/* Holds the login for the signer's lifetime: PKCS#11 logs the application out when its last session on the
	 * token closes, and pool sessions may be closed after a device error. */
	CK_SESSION_HANDLE anchor;
	int anchor_open;
	CK_OBJECT_HANDLE key; /* object handles are valid in every session of the application */
	/* CKA_ALWAYS_AUTHENTICATE keys want a context-specific login after every C_SignInit: then (and only then)
	 * the PIN stays in memory, in OpenSSL's secure heap where available, wiped at free. PIN pad: NULL PIN. */
	int always_auth;
	int pin_pad;
	int needs_login; /* the token wants a login (CKF_LOGIN_REQUIRED): the anchor must stay logged in */
	char *pin;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int sync_ready;
	CK_SESSION_HANDLE idle[POOL_MAX];
	size_t n_idle;
	size_t n_open;
	size_t max_open;
} p11_backend;

/* ----- session pool ----- */

static int pool_acquire(eseal_signer *s, CK_SESSION_HANDLE *out, eseal_error *err)
{
	p11_backend *b = s->backend;
	CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
	CK_RV rv;

	pthread_mutex_lock(&b->lock);
	while (b->n_idle == 0 && b->n_open >= b->max_open)
		pthread_cond_wait(&b->cond, &b->lock);
	if (b->n_idle > 0) {
		*out = b->idle[--b->n_idle];
		pthread_mutex_unlock(&b->lock);
		return ESEAL_OK;
	}
	b->n_open++; /* reserve the place before the slow open, outside the lock */
	pthread_mutex_unlock(&b->lock);

	rv = b->f->C_OpenSession(b->slot, CKF_SERIAL_SESSION, NULL, NULL, &h);
	if (rv != CKR_OK) {
		pthread_mutex_lock(&b->lock);
		b->n_open--;
		pthread_cond_signal(&b->cond);
		pthread_mutex_unlock(&b->lock);
		return es_error_set(err, rv == CKR_SESSION_COUNT ? ESEAL_E_HSM : es_p11_rv_status(rv),
				    "%s: C_OpenSession failed: %s", s->name, es_p11_rv_name(rv));
	}
	*out = h;
	return ESEAL_OK;
}

/* broken: the session failed in a way that may have left it unusable; close it instead of reusing it. */
static void pool_release(eseal_signer *s, CK_SESSION_HANDLE h, int broken)
{
	p11_backend *b = s->backend;

	if (broken)
		b->f->C_CloseSession(h);
	pthread_mutex_lock(&b->lock);
	if (broken)
		b->n_open--;
	else
		b->idle[b->n_idle++] = h;
	pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

/* ----- signing ----- */

/* DER DigestInfo prefixes (RFC 8017 section 9.2 note 1): CKM_RSA_PKCS signs exactly what it is given. */
static const unsigned char di_sha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
					  0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
static const unsigned char di_sha384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
					  0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
static const unsigned char di_sha512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
					  0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};

/* Whether the key could sign now, without signing: the login session answers and is still logged in. */
static int p11_check(eseal_signer *s, eseal_error *err)
{
	p11_backend *b = s->backend;
	CK_SESSION_INFO info;
	CK_RV rv = b->f->C_GetSessionInfo(b->anchor, &info);

	if (rv != CKR_OK)
		return es_error_set(err, ESEAL_E_HSM, "%s: the token does not answer: %s", s->name, es_p11_rv_name(rv));
	if (b->needs_login && info.state != CKS_RO_USER_FUNCTIONS && info.state != CKS_RW_USER_FUNCTIONS)
		return es_error_set(err, ESEAL_E_HSM, "%s: the token is no longer logged in", s->name);
	return ESEAL_OK;
}

static int p11_sign(eseal_signer *s, const EVP_MD *md, const unsigned char *digest, size_t digest_len,
		    unsigned char *sig, size_t *sig_len, eseal_error *err)
{
	p11_backend *b = s->backend;
	CK_MECHANISM mech = {0, NULL, 0};
	CK_RSA_PKCS_PSS_PARAMS pss = {0, 0, 0};
	unsigned char data[19 + 64];
	const unsigned char *prefix = NULL;
	size_t prefix_len = 0;
	CK_ULONG out_len = *sig_len;
	CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
	int nid = EVP_MD_get_type(md), rc, broken = 0;
	eseal_status st;
	CK_RV rv;

	switch (nid) {
	case NID_sha256:
		prefix = di_sha256, prefix_len = sizeof(di_sha256);
		pss.hashAlg = CKM_SHA256, pss.mgf = CKG_MGF1_SHA256;
		break;
	case NID_sha384:
		prefix = di_sha384, prefix_len = sizeof(di_sha384);
		pss.hashAlg = CKM_SHA384, pss.mgf = CKG_MGF1_SHA384;
		break;
	case NID_sha512:
		prefix = di_sha512, prefix_len = sizeof(di_sha512);
		pss.hashAlg = CKM_SHA512, pss.mgf = CKG_MGF1_SHA512;
		break;
	default: return es_error_set(err, ESEAL_E_USAGE, "%s: unsupported digest", s->name);
	}
	if (digest_len > 64)
		return es_error_set(err, ESEAL_E_USAGE, "%s: digest too long", s->name);
	switch (s->scheme) {
	case ESEAL_SCHEME_RSA_PSS:
		pss.sLen = digest_len;
		mech.mechanism = CKM_RSA_PKCS_PSS;
		mech.pParameter = &pss;
		mech.ulParameterLen = sizeof(pss);
		memcpy(data, digest, digest_len);
		break;
	case ESEAL_SCHEME_ECDSA:
		mech.mechanism = CKM_ECDSA;
		memcpy(data, digest, digest_len);
		break;
	default:
		mech.mechanism = CKM_RSA_PKCS;
		memcpy(data, prefix, prefix_len);
		memcpy(data + prefix_len, digest, digest_len);
		digest_len += prefix_len;
		break;
	}

	rc = pool_acquire(s, &h, err);
	if (rc != ESEAL_OK)
		return rc;
	rv = b->f->C_SignInit(h, &mech, b->key);
	if (rv == CKR_OK && b->always_auth) {
		rv = b->f->C_Login(h, CKU_CONTEXT_SPECIFIC, b->pin_pad ? NULL : (CK_UTF8CHAR_PTR)b->pin,
				   b->pin_pad ? 0 : strlen(b->pin));
		if (rv != CKR_OK) {
			pool_release(s, h, 1); /* the signing operation is still active in it */
			return es_error_set(err, es_p11_rv_status(rv) == ESEAL_E_PIN ? ESEAL_E_PIN : ESEAL_E_HSM,
					    "%s: per-signature login (CKA_ALWAYS_AUTHENTICATE) failed: %s", s->name,
					    es_p11_rv_name(rv));
		}
	}
	if (rv == CKR_OK)
		rv = b->f->C_Sign(h, data, digest_len, sig, &out_len);
	if (rv != CKR_OK) {
		/* The key was found when the signer opened: a handle invalid now means the token changed under us (removed,
		 * re-initialised, its files gone), not a setting to fix. Transient: stop the batch, retry later. */
		int vanished = rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID;

		st = vanished ? ESEAL_E_HSM : es_p11_rv_status(rv);
		/* BUFFER_TOO_SMALL leaves the operation active; device/session errors may leave anything. */
		broken = st == ESEAL_E_HSM || rv == CKR_BUFFER_TOO_SMALL;
		pool_release(s, h, broken);
		return es_error_set(err, st, "%s: signing failed: %s%s", s->name, es_p11_rv_name(rv),
				    vanished ? " (the key is gone from the token since login: token removed or reset?)" : "");
	}
	pool_release(s, h, 0);
	if (s->scheme == ESEAL_SCHEME_ECDSA && out_len != 2 * s->key_bytes)
		return es_error_set(err, ESEAL_E_CRYPTO,
				    "%s: token returned an ECDSA signature of %lu bytes, expected %zu", s->name,
				    (unsigned long)out_len, 2 * s->key_bytes);
	*sig_len = out_len;
	return ESEAL_OK;
}

static void p11_free(void *backend)
{
	p11_backend *b = backend;

	if (b == NULL)
		return;
	if (b->f != NULL) {
		while (b->n_idle > 0)
			b->f->C_CloseSession(b->idle[--b->n_idle]);
		/* No C_Logout: another signer in this process may share the login; closing our last session
		 * ends it for us when nobody else holds one. */
		if (b->anchor_open)
			b->f->C_CloseSession(b->anchor);
	}
	es_p11_modules_release(&b->mods);
	if (b->pin != NULL)
		OPENSSL_secure_clear_free(b->pin, ES_PIN_MAX);
	if (b->sync_ready) {
		pthread_mutex_destroy(&b->lock);
		pthread_cond_destroy(&b->cond);
	}
	free(b);
}

static const es_signer_ops p11_ops = {p11_sign, p11_free, p11_check};

/* ----- opening ----- */

/* A secret-bearing URI attribute: pin-value, in any case or with its name percent-encoded ("pin%2Dvalue"). */
static int is_pin_attr(const char *attr, size_t len)
{
	return (len >= 9 && strncasecmp(attr, "pin-value", 9) == 0) || (len >= 4 && strncasecmp(attr, "pin%", 4) == 0);
}

/* The URI as shown in messages: the caller's spelling, minus any pin-value attribute (path or query part). */
static char *display_uri(const char *uri)
{
	size_t len = strlen(uri), i = 0, o = 0, n;
	char *out = OPENSSL_malloc(len + 1);
	int in_query = 0, first = 1;

	if (out == NULL)
		return NULL;
	/* Copy "pkcs11:" then each attribute with its separator, unless it is a PIN. */
	n = strcspn(uri, ":");
	n = uri[n] == ':' ? n + 1 : 0;
	memcpy(out, uri, n);
	i = o = n;
	while (i < len) {
		n = strcspn(uri + i, in_query ? "&" : ";?");
		if (!is_pin_attr(uri + i, n)) {
			if (!first)
				out[o++] = in_query ? '&' : ';';
			memcpy(out + o, uri + i, n);
			o += n;
			first = 0;
		}
		i += n;
		if (uri[i] == '?' && !in_query) {
			out[o++] = '?';
			in_query = 1;
			first = 1;
		}
		if (i < len)
			i++;
	}
	out[o] = '\0';
	return out;
}

/* Finds the one initialised token the URI names, across the loaded modules. */
static int find_token(eseal_signer *s, P11KitUri *uri, CK_TOKEN_INFO *tinfo, eseal_error *err)
{
	p11_backend *b = s->backend;
	const char *want_module = p11_kit_uri_get_module_name(uri);
	CK_SLOT_ID want_slot = p11_kit_uri_get_slot_id(uri);
	CK_SLOT_ID *slots = NULL;
	CK_ULONG n_slots, i;
	CK_INFO minfo;
	CK_SLOT_INFO sinfo;
	CK_TOKEN_INFO t;
	char *mname = NULL;
	int matches = 0, m, rc = ESEAL_OK;
	char label[33], first[33] = "";
	CK_RV rv;

	for (m = 0; b->mods.list[m] != NULL; m++) {
		CK_FUNCTION_LIST *f = b->mods.list[m];

		if (want_module != NULL && !b->mods.single) {
			mname = p11_kit_module_get_name(f);
			if (mname == NULL || strcmp(mname, want_module) != 0) {
				free(mname);
				continue;
			}
			free(mname);
		}
		if (f->C_GetInfo(&minfo) != CKR_OK || !p11_kit_uri_match_module_info(uri, &minfo))
			continue;
		rv = f->C_GetSlotList(CK_TRUE, NULL, &n_slots);
		if (rv != CKR_OK || n_slots == 0)
			continue;
		free(slots);
		slots = calloc(n_slots, sizeof(*slots));
		if (slots == NULL) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", s->name);
			goto cleanup;
		}
		if (f->C_GetSlotList(CK_TRUE, slots, &n_slots) != CKR_OK)
			continue;
		for (i = 0; i < n_slots; i++) {
			if (want_slot != (CK_SLOT_ID)-1 && slots[i] != want_slot)
				continue;
			if (f->C_GetSlotInfo(slots[i], &sinfo) != CKR_OK || !p11_kit_uri_match_slot_info(uri, &sinfo))
				continue;
			if (f->C_GetTokenInfo(slots[i], &t) != CKR_OK || !(t.flags & CKF_TOKEN_INITIALIZED))
				continue;
			if (!p11_kit_uri_match_token_info(uri, &t))
				continue;
			es_p11_text(t.label, sizeof(t.label), label, sizeof(label));
			if (matches++ == 0) {
				b->f = f;
				b->slot = slots[i];
				*tinfo = t;
				memcpy(first, label, sizeof(first));
			} else {
				rc = es_error_set(err, ESEAL_E_CONFIG,
						  "%s: several tokens match (\"%s\", \"%s\"): add token=... to the URI",
						  s->name, first, label);
				goto cleanup;
			}
		}
	}
	if (matches == 0)
		rc = es_error_set(err, ESEAL_E_CONFIG, "%s: token not found (no initialised token matches the URI)",
				  s->name);
cleanup:
	free(slots);
	return rc;
}

static int login(eseal_signer *s, const eseal_signer_options *opts, P11KitUri *uri, const CK_TOKEN_INFO *t,
		 eseal_error *err)
{
	p11_backend *b = s->backend;
	CK_SESSION_INFO info;
	char pin[ES_PIN_MAX];
	int rc;
	CK_RV rv = CKR_GENERAL_ERROR;

	pin[0] = '\0';
	if (!(t->flags & CKF_LOGIN_REQUIRED))
		return ESEAL_OK;
	b->needs_login = 1;
	/* Already logged in by another signer of this process: the login is per application, not per session. */
	if (b->f->C_GetSessionInfo(b->anchor, &info) == CKR_OK &&
	    (info.state == CKS_RO_USER_FUNCTIONS || info.state == CKS_RW_USER_FUNCTIONS))
		return ESEAL_OK;
	/* A locked PIN cannot get better by trying: say so instead of spending an attempt. */
	if (t->flags & CKF_USER_PIN_LOCKED)
		return es_error_set(err, ESEAL_E_PIN, "%s: the token's user PIN is locked (CKF_USER_PIN_LOCKED)",
				    s->name);
	if (t->flags & CKF_PROTECTED_AUTHENTICATION_PATH) {
		/* PIN pad or biometric reader: the token asks the person, not us. */
		rv = b->f->C_Login(b->anchor, CKU_USER, NULL, 0);
	} else {
		rc = es_pin_resolve(opts, p11_kit_uri_get_pin_source(uri), s->name, pin, err);
		if (rc == ESEAL_OK)
			rv = b->f->C_Login(b->anchor, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
		OPENSSL_cleanse(pin, sizeof(pin)); /* on failure too: a partly read secret is still a secret */
		if (rc != ESEAL_OK)
			return rc;
	}
	if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
		return ESEAL_OK;
	/* Never retried: each wrong attempt counts towards locking the token. */
	return es_error_set(err, es_p11_rv_status(rv) == ESEAL_E_CRYPTO ? ESEAL_E_HSM : es_p11_rv_status(rv),
			    "%s: login failed: %s", s->name, es_p11_rv_name(rv));
}

static int find_key(eseal_signer *s, P11KitUri *uri, eseal_error *err)
{
	p11_backend *b = s->backend;
	CK_ATTRIBUTE tmpl[4];
	CK_ATTRIBUTE *attr;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_OBJECT_HANDLE found[2];
	CK_ULONG n = 0, count = 0;
	CK_RV rv;

	attr = p11_kit_uri_get_attribute(uri, CKA_CLASS);
	if (attr != NULL && attr->ulValueLen == sizeof(CK_OBJECT_CLASS) &&
	    *(CK_OBJECT_CLASS *)attr->pValue != CKO_PRIVATE_KEY)
		return es_error_set(err, ESEAL_E_CONFIG, "%s: the URI must name a private key (type=private)", s->name);
	if ((attr = p11_kit_uri_get_attribute(uri, CKA_LABEL)) != NULL)
		tmpl[n++] = *attr;
	if ((attr = p11_kit_uri_get_attribute(uri, CKA_ID)) != NULL)
		tmpl[n++] = *attr;
	tmpl[n].type = CKA_CLASS;
	tmpl[n].pValue = &cls;
	tmpl[n++].ulValueLen = sizeof(cls);
	rv = es_p11_find(b->f, b->anchor, tmpl, n, found, 2, &count);
	if (rv != CKR_OK)
		return es_error_set(err, es_p11_rv_status(rv), "%s: searching the key failed: %s", s->name,
				    es_p11_rv_name(rv));
	if (count == 0)
		return es_error_set(err, ESEAL_E_CONFIG, "%s: private key not found on the token", s->name);
	if (count > 1)
		return es_error_set(err, ESEAL_E_CONFIG,
				    "%s: several private keys match: add object=... or id=... to the URI", s->name);
	b->key = found[0];
	return ESEAL_OK;
}

/* Keys marked CKA_ALWAYS_AUTHENTICATE (common for qualified seal keys) need the PIN again for every signature. */
static int prepare_always_auth(eseal_signer *s, const eseal_signer_options *opts, P11KitUri *uri,
			       const CK_TOKEN_INFO *t, eseal_error *err)
{
	p11_backend *b = s->backend;
	unsigned char *val = NULL;
	CK_ULONG len = 0;
	int rc = ESEAL_OK;

	if (es_p11_get_attr(b->f, b->anchor, b->key, CKA_ALWAYS_AUTHENTICATE, &val, &len) == CKR_OK &&
	    len == sizeof(CK_BBOOL) && *(CK_BBOOL *)val == CK_TRUE)
		b->always_auth = 1;
	OPENSSL_free(val);
	if (!b->always_auth)
		return ESEAL_OK;
	if (t->flags & CKF_PROTECTED_AUTHENTICATION_PATH) {
		b->pin_pad = 1;
		return ESEAL_OK;
	}
	b->pin = OPENSSL_secure_zalloc(ES_PIN_MAX);
	if (b->pin == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", s->name);
	rc = es_pin_resolve(opts, p11_kit_uri_get_pin_source(uri), s->name, b->pin, err);
	if (rc != ESEAL_OK)
		es_error_prefix(err, "the key requires the PIN for every signature (CKA_ALWAYS_AUTHENTICATE)");
	return rc;
}

static EVP_PKEY *rsa_public(const unsigned char *n, CK_ULONG n_len, const unsigned char *e, CK_ULONG e_len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *bn_n = BN_bin2bn(n, (int)n_len, NULL), *bn_e = BN_bin2bn(e, (int)e_len, NULL);

	if (bld == NULL || bn_n == NULL || bn_e == NULL || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto cleanup;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
cleanup:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	return pkey;
}

static EVP_PKEY *ec_public(const char *group, const unsigned char *point, CK_ULONG point_len)
{
	ASN1_OCTET_STRING *os = NULL;
	const unsigned char *p = point, *q = point;
	size_t q_len = point_len;
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	/* CKA_EC_POINT is DER OCTET STRING per the standard; some tokens give the bare point. */
	if (point_len > 0 && point[0] == 0x04 && (point_len % 2) == 0) {
		os = d2i_ASN1_OCTET_STRING(NULL, &p, (long)point_len);
		if (os != NULL && p == point + point_len) {
			q = ASN1_STRING_get0_data(os);
			q_len = (size_t)ASN1_STRING_length(os);
		}
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)q, q_len);
	params[2] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	ASN1_OCTET_STRING_free(os);
	return pkey;
}

/* The public key object beside the private key (same CKA_ID, else same label), if the token has one. */
static CK_OBJECT_HANDLE find_public_object(p11_backend *b, const unsigned char *id, CK_ULONG id_len,
					   const unsigned char *label, CK_ULONG label_len)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE tmpl[2] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_ID, (void *)id, id_len}};
	CK_OBJECT_HANDLE found = CK_INVALID_HANDLE;
	CK_ULONG count = 0;

	if (id_len > 0 && es_p11_find(b->f, b->anchor, tmpl, 2, &found, 1, &count) == CKR_OK && count == 1)
		return found;
	tmpl[1].type = CKA_LABEL;
	tmpl[1].pValue = (void *)label;
	tmpl[1].ulValueLen = label_len;
	if (label_len > 0 && es_p11_find(b->f, b->anchor, tmpl, 2, &found, 1, &count) == CKR_OK && count == 1)
		return found;
	return CK_INVALID_HANDLE;
}

/* Reads what the key is (type, size, public half) so signer.c can match it against the certificate. */
static int describe_key(eseal_signer *s, const unsigned char *id, CK_ULONG id_len, const unsigned char *label,
			CK_ULONG label_len, eseal_error *err)
{
	p11_backend *b = s->backend;
	unsigned char *kt = NULL, *n = NULL, *e = NULL, *params = NULL, *point = NULL;
	CK_ULONG kt_len = 0, n_len = 0, e_len = 0, params_len = 0, point_len = 0;
	CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
	CK_KEY_TYPE type;
	ASN1_OBJECT *oid = NULL;
	const unsigned char *p = NULL;
	const char *group = NULL;
	int nid, rc = ESEAL_OK;
	CK_RV rv;

	rv = es_p11_get_attr(b->f, b->anchor, b->key, CKA_KEY_TYPE, &kt, &kt_len);
	if (rv != CKR_OK || kt_len != sizeof(CK_KEY_TYPE)) {
		rc = es_error_set(err, rv == CKR_OK ? ESEAL_E_CONFIG : es_p11_rv_status(rv),
				  "%s: cannot read the key type: %s", s->name, es_p11_rv_name(rv));
		goto cleanup;
	}
	memcpy(&type, kt, sizeof(type));
	if (type == CKK_RSA) {
		s->key_type = ES_KEY_RSA;
		rv = es_p11_get_attr(b->f, b->anchor, b->key, CKA_MODULUS, &n, &n_len);
		if (rv != CKR_OK || n_len == 0) {
			rc = es_error_set(err, ESEAL_E_CONFIG, "%s: cannot read the RSA modulus: %s", s->name,
					  es_p11_rv_name(rv));
			goto cleanup;
		}
		p = n;
		while (n_len > 0 && *p == 0)
			p++, n_len--;
		s->key_bytes = n_len;
		if (es_p11_get_attr(b->f, b->anchor, b->key, CKA_PUBLIC_EXPONENT, &e, &e_len) != CKR_OK || e_len == 0) {
			pub = find_public_object(b, id, id_len, label, label_len);
			OPENSSL_free(e);
			e = NULL;
			if (pub != CK_INVALID_HANDLE)
				es_p11_get_attr(b->f, b->anchor, pub, CKA_PUBLIC_EXPONENT, &e, &e_len);
		}
		if (e != NULL && e_len > 0)
			s->pubkey = rsa_public(p, n_len, e, e_len);
	} else if (type == CKK_EC) {
		s->key_type = ES_KEY_EC;
		rv = es_p11_get_attr(b->f, b->anchor, b->key, CKA_EC_PARAMS, &params, &params_len);
		p = params;
		if (rv == CKR_OK)
			oid = d2i_ASN1_OBJECT(NULL, &p, (long)params_len);
		nid = oid != NULL ? OBJ_obj2nid(oid) : NID_undef;
		switch (nid) {
		case NID_X9_62_prime256v1: group = "P-256", s->key_bytes = 32; break;
		case NID_secp384r1: group = "P-384", s->key_bytes = 48; break;
		case NID_secp521r1: group = "P-521", s->key_bytes = 66; break;
		default:
			rc = es_error_set(err, ESEAL_E_CONFIG, "%s: unsupported EC curve (P-256, P-384, P-521 are)",
					  s->name);
			goto cleanup;
		}
		pub = find_public_object(b, id, id_len, label, label_len);
		if (pub != CK_INVALID_HANDLE &&
		    es_p11_get_attr(b->f, b->anchor, pub, CKA_EC_POINT, &point, &point_len) == CKR_OK)
			s->pubkey = ec_public(group, point, point_len);
	} else {
		rc = es_error_set(err, ESEAL_E_CONFIG, "%s: unsupported key type 0x%lx (RSA and EC are supported)",
				  s->name, (unsigned long)type);
	}
	/* No public half readable: signer.c falls back to a test signature against the certificate. */
cleanup:
	ERR_clear_error();
	ASN1_OBJECT_free(oid);
	OPENSSL_free(kt);
	OPENSSL_free(n);
	OPENSSL_free(e);
	OPENSSL_free(params);
	OPENSSL_free(point);
	return rc;
}

/* The certificate object beside the key: same CKA_ID, else same label. */
static int read_certificate(eseal_signer *s, const unsigned char *id, CK_ULONG id_len, const unsigned char *label,
			    CK_ULONG label_len, eseal_error *err)
{
	p11_backend *b = s->backend;
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE ctype = CKC_X_509;
	CK_ATTRIBUTE tmpl[3] = {{CKA_CLASS, &cls, sizeof(cls)},
				{CKA_CERTIFICATE_TYPE, &ctype, sizeof(ctype)},
				{CKA_ID, (void *)id, id_len}};
	CK_OBJECT_HANDLE found = CK_INVALID_HANDLE;
	CK_ULONG count = 0, der_len = 0;
	unsigned char *der = NULL;
	const unsigned char *p;
	CK_RV rv;

	if (id_len > 0)
		es_p11_find(b->f, b->anchor, tmpl, 3, &found, 1, &count);
	if (count == 0 && label_len > 0) {
		tmpl[2].type = CKA_LABEL;
		tmpl[2].pValue = (void *)label;
		tmpl[2].ulValueLen = label_len;
		es_p11_find(b->f, b->anchor, tmpl, 3, &found, 1, &count);
	}
	if (count == 0)
		return es_error_set(
			err, ESEAL_E_CONFIG,
			"%s: no certificate with the key's id or label on the token: give the certificate file",
			s->name);
	rv = es_p11_get_attr(b->f, b->anchor, found, CKA_VALUE, &der, &der_len);
	if (rv != CKR_OK)
		return es_error_set(err, es_p11_rv_status(rv), "%s: cannot read the certificate: %s", s->name,
				    es_p11_rv_name(rv));
	p = der;
	s->cert = d2i_X509(NULL, &p, (long)der_len);
	OPENSSL_free(der);
	if (s->cert == NULL)
		return es_error_set_ossl(err, ESEAL_E_CONFIG, "%s: the token's certificate is not valid DER", s->name);
	return ESEAL_OK;
}

int es_signer_pkcs11_open(eseal_signer *s, const eseal_signer_options *opts, eseal_error *err)
{
	P11KitUri *uri = NULL;
	p11_backend *b = NULL;
	CK_TOKEN_INFO tinfo = {0}; /* zeroed: -O2 cannot see that C_GetTokenInfo filled it on every path */
	unsigned char *id = NULL, *label = NULL;
	CK_ULONG id_len = 0, label_len = 0, limit;
	int rc = ESEAL_OK, prc;
	CK_RV rv;

	s->name = display_uri(opts->key);
	b = calloc(1, sizeof(*b));
	uri = p11_kit_uri_new();
	if (s->name == NULL || b == NULL || uri == NULL) {
		free(b);
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	s->ops = &p11_ops;
	s->backend = b;
	if (pthread_mutex_init(&b->lock, NULL) != 0 || pthread_cond_init(&b->cond, NULL) != 0) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot create a lock", s->name);
		goto cleanup;
	}
	b->sync_ready = 1;

	prc = p11_kit_uri_parse(opts->key, P11_KIT_URI_FOR_ANY, uri);
	if (prc != P11_KIT_URI_OK) {
		rc = es_error_set(err, ESEAL_E_USAGE, "%s: invalid PKCS#11 URI: %s", s->name, p11_kit_uri_message(prc));
		goto cleanup;
	}
	if (p11_kit_uri_any_unrecognized(uri)) {
		rc = es_error_set(err, ESEAL_E_USAGE, "%s: the PKCS#11 URI has an attribute eseal does not know",
				  s->name);
		goto cleanup;
	}
	/* A PIN inside the URI ends up in argv, shell history and logs: refuse it outright. */
	if (p11_kit_uri_get_pin_value(uri) != NULL) {
		rc = es_error_set(err, ESEAL_E_USAGE,
				  "%s: pin-value in a key URI is refused: use a PIN file, pin-source or ESEAL_PIN",
				  s->name);
		goto cleanup;
	}
	rc = es_p11_modules_load(&b->mods, p11_kit_uri_get_module_path(uri), s->name, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	rc = find_token(s, uri, &tinfo, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	limit = tinfo.ulMaxSessionCount;
	b->max_open = POOL_MAX;
	if (limit != CK_EFFECTIVELY_INFINITE && limit != CK_UNAVAILABLE_INFORMATION && limit > 1 &&
	    limit - 1 < POOL_MAX)
		b->max_open = limit - 1; /* one is the anchor */

	rv = b->f->C_OpenSession(b->slot, CKF_SERIAL_SESSION, NULL, NULL, &b->anchor);
	if (rv != CKR_OK) {
		rc = es_error_set(err, es_p11_rv_status(rv), "%s: C_OpenSession failed: %s", s->name,
				  es_p11_rv_name(rv));
		goto cleanup;
	}
	b->anchor_open = 1;
	rc = login(s, opts, uri, &tinfo, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	rc = find_key(s, uri, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	rc = prepare_always_auth(s, opts, uri, &tinfo, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	es_p11_get_attr(b->f, b->anchor, b->key, CKA_ID, &id, &id_len);
	es_p11_get_attr(b->f, b->anchor, b->key, CKA_LABEL, &label, &label_len);
	rc = describe_key(s, id, id_len, label, label_len, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	if (opts->cert_file == NULL)
		rc = read_certificate(s, id, id_len, label, label_len, err);
cleanup:
	OPENSSL_free(id);
	OPENSSL_free(label);
	p11_kit_uri_free(uri);
	return rc;
}
