/* keys/token_list.c: `eseal token list`: what modules, slots, tokens, certificates and public keys can be seen.
 * It never logs in (so it needs no PIN and cannot lock a token) and prints labels, ids and names, never secrets. */
#include "p11_util.h"
#include "eseal/signer.h"
#include "core/error_internal.h"
#include "pki/x509_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#define LINE_MAX_LEN 1024
#define OBJECTS_MAX 256

typedef struct lister {
	eseal_token_list_cb cb;
	void *ctx;
} lister;

static void emit(lister *l, const char *fmt, ...) ES_PRINTF(2, 3);
static void emit(lister *l, const char *fmt, ...)
{
	char line[LINE_MAX_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): false positive
	va_end(ap);
	l->cb(l->ctx, line);
}

/* Token-supplied text goes to a terminal: control characters, quotes and bytes >= 0x7f are escaped. */
static void printable(const unsigned char *in, size_t len, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < len && o + 5 < size; i++) {
		if (in[i] >= 0x20 && in[i] < 0x7f && in[i] != '"' && in[i] != '\\') {
			out[o++] = (char)in[i];
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[in[i] >> 4];
			out[o++] = hex[in[i] & 15];
		}
	}
	out[o] = '\0';
}

/* Same, but bytes >= 0x80 pass: OpenSSL already produced valid UTF-8 here. */
static void printable_utf8(const unsigned char *in, size_t len, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 5 < size; i++) {
		if (in[i] < 0x20 || in[i] == 0x7f || in[i] == '"' || in[i] == '\\')
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", in[i]);
		else
			out[o++] = (char)in[i];
	}
	out[o] = '\0';
}

static void to_hex(const unsigned char *in, size_t len, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < len && o + 3 < size; i++) {
		out[o++] = hex[in[i] >> 4];
		out[o++] = hex[in[i] & 15];
	}
	out[o] = '\0';
}

/* For the uri= hints: RFC 3986 unreserved characters stay, everything else is %XX (RFC 7512 section 2.3). */
static void pct_encode(const char *in, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;

	for (; *p != '\0' && o + 4 < size; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p) != NULL) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
}

static void token_flags(CK_FLAGS f, char *out, size_t size)
{
	static const struct {
		CK_FLAGS flag;
		const char *name;
	} names[] = {
		{CKF_TOKEN_INITIALIZED, "initialized"},
		{CKF_LOGIN_REQUIRED, "login-required"},
		{CKF_USER_PIN_INITIALIZED, "user-pin-initialized"},
		{CKF_PROTECTED_AUTHENTICATION_PATH, "protected-auth-path"},
		{CKF_WRITE_PROTECTED, "write-protected"},
		{CKF_RNG, "rng"},
		{CKF_USER_PIN_COUNT_LOW, "user-pin-count-low"},
		{CKF_USER_PIN_FINAL_TRY, "user-pin-final-try"},
		{CKF_USER_PIN_LOCKED, "user-pin-locked"},
		{CKF_USER_PIN_TO_BE_CHANGED, "user-pin-to-be-changed"},
	};
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(f & names[i].flag))
			continue;
		o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%s%s", o > 0 ? "," : "", names[i].name);
		if (o >= size)
			break;
	}
}

/* Lists objects of one class visible without login. */
static void list_class(lister *l, CK_FUNCTION_LIST *f, CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls,
		       const char *token_label)
{
	CK_ATTRIBUTE tmpl = {CKA_CLASS, &cls, sizeof(cls)};
	CK_OBJECT_HANDLE objs[OBJECTS_MAX];
	CK_ULONG count = 0, i, label_len, id_len, val_len, kt_len;
	unsigned char *label = NULL, *id = NULL, *val = NULL, *kt = NULL;
	char plabel[256], ulabel[400], pid[130], name[400], subject[512], ktype[16];
	const unsigned char *p;
	CK_KEY_TYPE type;
	X509 *x = NULL;

	if (es_p11_find(f, h, &tmpl, 1, objs, OBJECTS_MAX, &count) != CKR_OK)
		return;
	for (i = 0; i < count; i++) {
		es_p11_get_attr(f, h, objs[i], CKA_LABEL, &label, &label_len);
		es_p11_get_attr(f, h, objs[i], CKA_ID, &id, &id_len);
		printable(label != NULL ? label : (const unsigned char *)"", label_len, plabel, sizeof(plabel));
		to_hex(id, id != NULL ? id_len : 0, pid, sizeof(pid));
		{
			char raw[129];
			size_t n = label != NULL && label_len < sizeof(raw) ? label_len : 0;

			memcpy(raw, label != NULL ? (const char *)label : "", n);
			raw[n] = '\0';
			pct_encode(raw, ulabel, sizeof(ulabel));
		}
		if (cls == CKO_CERTIFICATE) {
			snprintf(subject, sizeof(subject), "(not X.509)");
			if (es_p11_get_attr(f, h, objs[i], CKA_VALUE, &val, &val_len) == CKR_OK) {
				p = val;
				x = d2i_X509(NULL, &p, (long)val_len);
				if (x != NULL) {
					es_x509_name_line(X509_get_subject_name(x), name, sizeof(name));
					printable_utf8((const unsigned char *)name, strlen(name), subject,
						       sizeof(subject));
				}
				X509_free(x);
				x = NULL;
			}
			emit(l,
			     "    certificate: label=\"%s\" id=%s subject=\"%s\" "
			     "uri=pkcs11:token=%s;object=%s;type=cert",
			     plabel, pid[0] ? pid : "(none)", subject, token_label, ulabel);
		} else {
			snprintf(ktype, sizeof(ktype), "other");
			if (es_p11_get_attr(f, h, objs[i], CKA_KEY_TYPE, &kt, &kt_len) == CKR_OK &&
			    kt_len == sizeof(type)) {
				memcpy(&type, kt, sizeof(type));
				snprintf(ktype, sizeof(ktype), "%s", type == CKK_EC ? "EC" : "other");
				/* RSA: the size matters to a reader choosing a key; the modulus is public. */
				if (type == CKK_RSA) {
					snprintf(ktype, sizeof(ktype), "RSA");
					if (es_p11_get_attr(f, h, objs[i], CKA_MODULUS, &val, &val_len) == CKR_OK)
						snprintf(ktype, sizeof(ktype), "RSA-%lu", (unsigned long)val_len * 8);
				}
			}
			emit(l, "    %s key: label=\"%s\" id=%s type=%s uri=pkcs11:token=%s;object=%s;type=%s",
			     cls == CKO_PUBLIC_KEY ? "public" : "private", plabel, pid[0] ? pid : "(none)", ktype,
			     token_label, ulabel, cls == CKO_PUBLIC_KEY ? "public" : "private");
		}
		OPENSSL_free(label);
		OPENSSL_free(id);
		OPENSSL_free(val);
		OPENSSL_free(kt);
		label = id = val = kt = NULL;
	}
	ERR_clear_error();
}

static void list_slot(lister *l, CK_FUNCTION_LIST *f, CK_SLOT_ID slot)
{
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
	char desc[65], label[33], manuf[33], model[17], serial[17], plabel[140], ulabel[140], flags[256];
	CK_RV rv;

	if (f->C_GetSlotInfo(slot, &si) != CKR_OK)
		return;
	es_p11_text(si.slotDescription, sizeof(si.slotDescription), desc, sizeof(desc));
	printable((const unsigned char *)desc, strlen(desc), plabel, sizeof(plabel));
	emit(l, "  slot %lu: %s", (unsigned long)slot, plabel);
	if (!(si.flags & CKF_TOKEN_PRESENT)) {
		emit(l, "    (no token)");
		return;
	}
	rv = f->C_GetTokenInfo(slot, &ti);
	if (rv != CKR_OK) {
		emit(l, "    token: unreadable (%s)", es_p11_rv_name(rv));
		return;
	}
	es_p11_text(ti.label, sizeof(ti.label), label, sizeof(label));
	es_p11_text(ti.manufacturerID, sizeof(ti.manufacturerID), manuf, sizeof(manuf));
	es_p11_text(ti.model, sizeof(ti.model), model, sizeof(model));
	es_p11_text(ti.serialNumber, sizeof(ti.serialNumber), serial, sizeof(serial));
	token_flags(ti.flags, flags, sizeof(flags));
	printable((const unsigned char *)label, strlen(label), plabel, sizeof(plabel));
	emit(l, "    token: label=\"%s\" manufacturer=\"%s\" model=\"%s\" serial=\"%s\" flags=%s", plabel, manuf, model,
	     serial, flags);
	if (!(ti.flags & CKF_TOKEN_INITIALIZED))
		return;
	rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &h);
	if (rv != CKR_OK) {
		emit(l, "    objects: cannot open a session (%s)", es_p11_rv_name(rv));
		return;
	}
	pct_encode(label, ulabel, sizeof(ulabel));
	list_class(l, f, h, CKO_CERTIFICATE, ulabel);
	list_class(l, f, h, CKO_PUBLIC_KEY, ulabel);
	list_class(l, f, h, CKO_PRIVATE_KEY, ulabel);
	if (ti.flags & CKF_LOGIN_REQUIRED)
		emit(l, "    (private keys are visible only after login and are not listed; the signer logs in)");
	f->C_CloseSession(h);
}

eseal_status eseal_token_list(const char *module_path, eseal_token_list_cb cb, void *ctx, eseal_error *err)
{
	es_p11_modules mods = {NULL, 0};
	lister l = {cb, ctx};
	CK_SLOT_ID *slots = NULL;
	CK_ULONG n = 0, i;
	CK_INFO info;
	char manuf[33], desc[33], *name = NULL;
	int m, rc;
	CK_RV rv;

	eseal_error_clear(err);
	if (cb == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "eseal_token_list: no callback");
	rc = es_p11_modules_load(&mods, module_path, module_path != NULL ? module_path : "token list", err);
	if (rc != ESEAL_OK)
		return rc;
	for (m = 0; mods.list[m] != NULL; m++) {
		CK_FUNCTION_LIST *f = mods.list[m];

		name = mods.single ? NULL : p11_kit_module_get_name(f);
		if (f->C_GetInfo(&info) == CKR_OK) {
			es_p11_text(info.manufacturerID, sizeof(info.manufacturerID), manuf, sizeof(manuf));
			es_p11_text(info.libraryDescription, sizeof(info.libraryDescription), desc, sizeof(desc));
			emit(&l, "module: %s (%s, %s)",
			     name != NULL        ? name :
			     module_path != NULL ? module_path :
						   "?",
			     desc, manuf);
		}
		/* p11-kit's trust module holds the system's CA anchors (hundreds, never a key): not what this lists. */
		if (name != NULL && strcmp(name, "p11-kit-trust") == 0) {
			emit(&l, "  (system trust anchors; not listed)");
			free(name);
			continue;
		}
		free(name);
		rv = f->C_GetSlotList(CK_FALSE, NULL, &n);
		if (rv != CKR_OK) {
			emit(&l, "  slots: cannot list (%s)", es_p11_rv_name(rv));
			continue;
		}
		free(slots);
		slots = calloc(n + 1, sizeof(*slots));
		if (slots == NULL) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "token list: out of memory");
			goto cleanup;
		}
		if (f->C_GetSlotList(CK_FALSE, slots, &n) != CKR_OK)
			continue;
		if (n == 0)
			emit(&l, "  (no slots)");
		for (i = 0; i < n; i++)
			list_slot(&l, f, slots[i]);
	}
cleanup:
	free(slots);
	es_p11_modules_release(&mods);
	return rc;
}
