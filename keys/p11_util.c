/* keys/p11_util.c: PKCS#11 plumbing shared by the signer and `token list`.
 * p11-kit loads and initialises modules (no dlopen of our own); this adds names for CK_RV codes and small readers. */
#include "p11_util.h"

#include "core/error_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* clang-format off */
#define RV(x) { x, #x }
/* clang-format on */
static const struct {
	CK_RV rv;
	const char *name;
} rv_names[] = {
	RV(CKR_OK),
	RV(CKR_CANCEL),
	RV(CKR_HOST_MEMORY),
	RV(CKR_SLOT_ID_INVALID),
	RV(CKR_GENERAL_ERROR),
	RV(CKR_FUNCTION_FAILED),
	RV(CKR_ARGUMENTS_BAD),
	RV(CKR_NO_EVENT),
	RV(CKR_NEED_TO_CREATE_THREADS),
	RV(CKR_CANT_LOCK),
	RV(CKR_ATTRIBUTE_READ_ONLY),
	RV(CKR_ATTRIBUTE_SENSITIVE),
	RV(CKR_ATTRIBUTE_TYPE_INVALID),
	RV(CKR_ATTRIBUTE_VALUE_INVALID),
	RV(CKR_ACTION_PROHIBITED),
	RV(CKR_DATA_INVALID),
	RV(CKR_DATA_LEN_RANGE),
	RV(CKR_DEVICE_ERROR),
	RV(CKR_DEVICE_MEMORY),
	RV(CKR_DEVICE_REMOVED),
	RV(CKR_ENCRYPTED_DATA_INVALID),
	RV(CKR_ENCRYPTED_DATA_LEN_RANGE),
	RV(CKR_FUNCTION_CANCELED),
	RV(CKR_FUNCTION_NOT_PARALLEL),
	RV(CKR_FUNCTION_NOT_SUPPORTED),
	RV(CKR_KEY_HANDLE_INVALID),
	RV(CKR_KEY_SIZE_RANGE),
	RV(CKR_KEY_TYPE_INCONSISTENT),
	RV(CKR_KEY_NOT_NEEDED),
	RV(CKR_KEY_CHANGED),
	RV(CKR_KEY_NEEDED),
	RV(CKR_KEY_INDIGESTIBLE),
	RV(CKR_KEY_FUNCTION_NOT_PERMITTED),
	RV(CKR_KEY_NOT_WRAPPABLE),
	RV(CKR_KEY_UNEXTRACTABLE),
	RV(CKR_MECHANISM_INVALID),
	RV(CKR_MECHANISM_PARAM_INVALID),
	RV(CKR_OBJECT_HANDLE_INVALID),
	RV(CKR_OPERATION_ACTIVE),
	RV(CKR_OPERATION_NOT_INITIALIZED),
	RV(CKR_PIN_INCORRECT),
	RV(CKR_PIN_INVALID),
	RV(CKR_PIN_LEN_RANGE),
	RV(CKR_PIN_EXPIRED),
	RV(CKR_PIN_LOCKED),
	RV(CKR_SESSION_CLOSED),
	RV(CKR_SESSION_COUNT),
	RV(CKR_SESSION_HANDLE_INVALID),
	RV(CKR_SESSION_PARALLEL_NOT_SUPPORTED),
	RV(CKR_SESSION_READ_ONLY),
	RV(CKR_SESSION_EXISTS),
	RV(CKR_SESSION_READ_ONLY_EXISTS),
	RV(CKR_SESSION_READ_WRITE_SO_EXISTS),
	RV(CKR_SIGNATURE_INVALID),
	RV(CKR_SIGNATURE_LEN_RANGE),
	RV(CKR_TEMPLATE_INCOMPLETE),
	RV(CKR_TEMPLATE_INCONSISTENT),
	RV(CKR_TOKEN_NOT_PRESENT),
	RV(CKR_TOKEN_NOT_RECOGNIZED),
	RV(CKR_TOKEN_WRITE_PROTECTED),
	RV(CKR_UNWRAPPING_KEY_SIZE_RANGE),
	RV(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT),
	RV(CKR_USER_ALREADY_LOGGED_IN),
	RV(CKR_USER_NOT_LOGGED_IN),
	RV(CKR_USER_PIN_NOT_INITIALIZED),
	RV(CKR_USER_TYPE_INVALID),
	RV(CKR_USER_ANOTHER_ALREADY_LOGGED_IN),
	RV(CKR_USER_TOO_MANY_TYPES),
	RV(CKR_WRAPPED_KEY_INVALID),
	RV(CKR_WRAPPED_KEY_LEN_RANGE),
	RV(CKR_WRAPPING_KEY_HANDLE_INVALID),
	RV(CKR_WRAPPING_KEY_SIZE_RANGE),
	RV(CKR_WRAPPING_KEY_TYPE_INCONSISTENT),
	RV(CKR_RANDOM_SEED_NOT_SUPPORTED),
	RV(CKR_RANDOM_NO_RNG),
	RV(CKR_DOMAIN_PARAMS_INVALID),
	RV(CKR_CURVE_NOT_SUPPORTED),
	RV(CKR_BUFFER_TOO_SMALL),
	RV(CKR_SAVED_STATE_INVALID),
	RV(CKR_INFORMATION_SENSITIVE),
	RV(CKR_STATE_UNSAVEABLE),
	RV(CKR_CRYPTOKI_NOT_INITIALIZED),
	RV(CKR_CRYPTOKI_ALREADY_INITIALIZED),
	RV(CKR_MUTEX_BAD),
	RV(CKR_MUTEX_NOT_LOCKED),
	RV(CKR_NEW_PIN_MODE),
	RV(CKR_NEXT_OTP),
	RV(CKR_EXCEEDED_MAX_ITERATIONS),
	RV(CKR_FIPS_SELF_TEST_FAILED),
	RV(CKR_LIBRARY_LOAD_FAILED),
	RV(CKR_PIN_TOO_WEAK),
	RV(CKR_PUBLIC_KEY_INVALID),
	RV(CKR_FUNCTION_REJECTED),
};
#undef RV

const char *es_p11_rv_name(CK_RV rv)
{
	static _Thread_local char other[32];
	size_t i;

	for (i = 0; i < sizeof(rv_names) / sizeof(rv_names[0]); i++)
		if (rv_names[i].rv == rv)
			return rv_names[i].name;
	snprintf(other, sizeof(other), "CKR_0x%08lX", (unsigned long)rv);
	return other;
}

eseal_status es_p11_rv_status(CK_RV rv)
{
	switch (rv) {
	case CKR_OK: return ESEAL_OK;
	case CKR_PIN_INCORRECT:
	case CKR_PIN_INVALID:
	case CKR_PIN_LEN_RANGE:
	case CKR_PIN_EXPIRED:
	case CKR_PIN_LOCKED:
	case CKR_USER_PIN_NOT_INITIALIZED: return ESEAL_E_PIN;
	/* The token or our link to it is in a bad state: trying again later (after a re-insert, a restart of
	 * the HSM client) may well work, so these are the transient class. */
	case CKR_DEVICE_ERROR:
	case CKR_DEVICE_MEMORY:
	case CKR_DEVICE_REMOVED:
	case CKR_TOKEN_NOT_PRESENT:
	case CKR_TOKEN_NOT_RECOGNIZED:
	case CKR_SESSION_CLOSED:
	case CKR_SESSION_COUNT:
	case CKR_SESSION_HANDLE_INVALID:
	case CKR_SESSION_PARALLEL_NOT_SUPPORTED:
	case CKR_SESSION_READ_ONLY:
	case CKR_SESSION_EXISTS:
	case CKR_SESSION_READ_ONLY_EXISTS:
	case CKR_SESSION_READ_WRITE_SO_EXISTS:
	case CKR_USER_NOT_LOGGED_IN:
	case CKR_FUNCTION_CANCELED:
	case CKR_CANT_LOCK:
	case CKR_GENERAL_ERROR:
	case CKR_FUNCTION_FAILED:
	case CKR_CRYPTOKI_NOT_INITIALIZED: return ESEAL_E_HSM;
	case CKR_KEY_TYPE_INCONSISTENT:
	case CKR_KEY_FUNCTION_NOT_PERMITTED:
	case CKR_KEY_SIZE_RANGE:
	case CKR_KEY_HANDLE_INVALID:
	case CKR_MECHANISM_INVALID:
	case CKR_MECHANISM_PARAM_INVALID:
	case CKR_SLOT_ID_INVALID:
	case CKR_OBJECT_HANDLE_INVALID:
	case CKR_FUNCTION_NOT_SUPPORTED: return ESEAL_E_CONFIG;
	case CKR_HOST_MEMORY: return ESEAL_E_INTERNAL;
	default: return ESEAL_E_CRYPTO;
	}
}

int es_p11_modules_load(es_p11_modules *mods, const char *module_path, const char *what, eseal_error *err)
{
	CK_FUNCTION_LIST *module = NULL;
	const char *msg = NULL;
	CK_RV rv;

	mods->list = NULL;
	mods->single = 0;
	/* A library must not write to stderr; p11-kit's own explanation is taken into our message instead. */
	p11_kit_be_quiet();
	if (module_path != NULL) {
		module = p11_kit_module_load(module_path, 0);
		if (module == NULL) {
			msg = p11_kit_message();
			/* p11-kit's message already names the path (twice, from dlerror): do not add a third. */
			return es_error_set(err, ESEAL_E_CONFIG, "%s: cannot load the PKCS#11 module%s%s", what,
					    msg != NULL ? ": " : " ", msg != NULL ? msg : module_path);
		}
		rv = p11_kit_module_initialize(module);
		if (rv != CKR_OK) {
			p11_kit_module_release(module);
			return es_error_set(err, es_p11_rv_status(rv) == ESEAL_E_HSM ? ESEAL_E_HSM : ESEAL_E_CONFIG,
					    "%s: PKCS#11 module %s: C_Initialize failed: %s", what, module_path,
					    es_p11_rv_name(rv));
		}
		mods->list = calloc(2, sizeof(CK_FUNCTION_LIST *));
		if (mods->list == NULL) {
			p11_kit_module_finalize(module);
			p11_kit_module_release(module);
			return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", what);
		}
		mods->list[0] = module;
		mods->single = 1;
		return ESEAL_OK;
	}
	mods->list = p11_kit_modules_load_and_initialize(0);
	if (mods->list == NULL) {
		msg = p11_kit_message();
		return es_error_set(err, ESEAL_E_CONFIG,
				    "%s: cannot load the PKCS#11 modules registered with p11-kit%s%s", what,
				    msg != NULL ? ": " : "", msg != NULL ? msg : "");
	}
	return ESEAL_OK;
}

void es_p11_modules_release(es_p11_modules *mods)
{
	if (mods == NULL || mods->list == NULL)
		return;
	if (mods->single) {
		p11_kit_module_finalize(mods->list[0]);
		p11_kit_module_release(mods->list[0]);
		free(mods->list);
	} else {
		p11_kit_modules_finalize_and_release(mods->list);
	}
	mods->list = NULL;
}

CK_RV es_p11_get_attr(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
		      unsigned char **value, CK_ULONG *len)
{
	CK_ATTRIBUTE attr = {type, NULL, 0};
	unsigned char *buf = NULL;
	CK_RV rv;

	*value = NULL;
	*len = 0;
	rv = f->C_GetAttributeValue(session, obj, &attr, 1);
	if (rv != CKR_OK)
		return rv;
	if (attr.ulValueLen == CK_UNAVAILABLE_INFORMATION)
		return CKR_ATTRIBUTE_TYPE_INVALID;
	if (attr.ulValueLen > 1024 * 1024)
		return CKR_DATA_LEN_RANGE;
	buf = OPENSSL_zalloc(attr.ulValueLen + 1);
	if (buf == NULL)
		return CKR_HOST_MEMORY;
	attr.pValue = buf;
	rv = f->C_GetAttributeValue(session, obj, &attr, 1);
	if (rv != CKR_OK) {
		OPENSSL_free(buf);
		return rv;
	}
	*value = buf;
	*len = attr.ulValueLen;
	return CKR_OK;
}

CK_RV es_p11_find(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE session, CK_ATTRIBUTE *tmpl, CK_ULONG n,
		  CK_OBJECT_HANDLE *found, CK_ULONG max, CK_ULONG *count)
{
	CK_RV rv;

	*count = 0;
	rv = f->C_FindObjectsInit(session, tmpl, n);
	if (rv != CKR_OK)
		return rv;
	rv = f->C_FindObjects(session, found, max, count);
	/* Always end the search, or the session refuses the next one with CKR_OPERATION_ACTIVE. */
	f->C_FindObjectsFinal(session);
	return rv;
}

void es_p11_text(const unsigned char *field, size_t field_len, char *out, size_t out_size)
{
	size_t len = p11_kit_space_strlen(field, field_len);

	if (out_size == 0)
		return;
	if (len >= out_size)
		len = out_size - 1;
	memcpy(out, field, len);
	out[len] = '\0';
}
