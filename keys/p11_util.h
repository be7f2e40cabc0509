/* keys/p11_util.h: PKCS#11 plumbing shared by the signer and `token list`: module loading through p11-kit,
 * CKR_ names and their error class, attribute reads. Private to cms/. */
#ifndef ES_P11_UTIL_H
#define ES_P11_UTIL_H

#include "eseal/error.h"

#include <stddef.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

/* Modules loaded and initialised by p11-kit (which passes CKF_OS_LOCKING_OK to C_Initialize and reference-counts
 * initialisation, so several signers in one process share a module safely). */
typedef struct es_p11_modules {
	CK_FUNCTION_LIST **list; /* NULL-terminated */
	int single;              /* 1: one module from a path (p11_kit_module_load), 0: the registered ones */
} es_p11_modules;

/* module_path NULL: every module registered with p11-kit. what names the key/URI in messages. */
int es_p11_modules_load(es_p11_modules *mods, const char *module_path, const char *what, eseal_error *err);
void es_p11_modules_release(es_p11_modules *mods);

/* "CKR_PIN_INCORRECT", or "CKR_0x..." for a vendor code (in a thread-local buffer). */
const char *es_p11_rv_name(CK_RV rv);
/* The error class of a failure: PIN, HSM (transient), CONFIG (key/mechanism unusable) or CRYPTO. */
eseal_status es_p11_rv_status(CK_RV rv);

/* Reads one attribute into a new OPENSSL_malloc'ed buffer (NUL-terminated for convenience, *len excludes it). */
CK_RV es_p11_get_attr(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
		      unsigned char **value, CK_ULONG *len);

/* Finds up to max objects matching tmpl; *count receives how many were found (at most max). */
CK_RV es_p11_find(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE session, CK_ATTRIBUTE *tmpl, CK_ULONG n,
		  CK_OBJECT_HANDLE *found, CK_ULONG max, CK_ULONG *count);

/* A space-padded PKCS#11 text field as a C string (trailing blanks trimmed) in out. */
void es_p11_text(const unsigned char *field, size_t field_len, char *out, size_t out_size);

#endif
