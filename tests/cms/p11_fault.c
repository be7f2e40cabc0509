/* tests/cms/p11_fault.c: a PKCS#11 module for tests that passes every call to the real SoftHSM module, except where
 * the test asks for a fault a software token cannot produce (device removed, PIN locked, PIN pad). Test-only.
 * Controlled by environment variables read at each call:
 *   ESEAL_FAULT_REAL   path of the real module (required)
 *   ESEAL_FAULT_SIGN   a CK_RV number C_Sign returns instead of signing (e.g. 50 = CKR_DEVICE_REMOVED)
 *   ESEAL_FAULT_LOGIN  a CK_RV number C_Login returns instead of logging in
 *   ESEAL_FAULT_OPEN   a CK_RV number C_OpenSession returns (after the first session: the login one works)
 *   ESEAL_FAULT_FLAGS  token flags (decimal) OR-ed into C_GetTokenInfo's answer
 *   ESEAL_FAULT_PINPAD a PIN file: C_Login with a NULL PIN logs in with it, as a PIN pad would
 *   ESEAL_FAULT_LOG    a file that gets one line per C_Login ("login" or "login-null")
 *   ESEAL_FAULT_ALREADY set: C_Login logs in, then answers CKR_USER_ALREADY_LOGGED_IN (another app was first)
 *   ESEAL_FAULT_GONE   a file: while it exists, C_GetSessionInfo answers CKR_DEVICE_REMOVED (the HSM went away
 *                      under a running process: a test creates and removes the file, the process's environment
 *                      cannot change) */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST *real;
static CK_FUNCTION_LIST shim;
static int sessions_opened;

static CK_RV env_rv(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? (CK_RV)strtoul(v, NULL, 0) : CKR_OK;
}

static void log_line(const char *what)
{
	const char *path = getenv("ESEAL_FAULT_LOG");
	FILE *f = path != NULL ? fopen(path, "a") : NULL;

	if (f != NULL) {
		fprintf(f, "%s\n", what);
		fclose(f);
	}
}

static CK_RV shim_C_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
	CK_RV rv = env_rv("ESEAL_FAULT_SIGN");

	if (rv != CKR_OK) {
		/* A failed C_Sign ends the operation; make the real token agree so the session stays coherent. */
		CK_BYTE buf[1024];
		CK_ULONG n = sizeof(buf);

		real->C_Sign(h, data, len, buf, &n);
		return rv;
	}
	return real->C_Sign(h, data, len, sig, sig_len);
}

static CK_RV shim_C_Login(CK_SESSION_HANDLE h, CK_USER_TYPE type, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	CK_RV rv = env_rv("ESEAL_FAULT_LOGIN");
	const char *pad = getenv("ESEAL_FAULT_PINPAD");
	char buf[256];
	FILE *f = NULL;

	log_line(pin == NULL ? "login-null" : "login");
	if (rv != CKR_OK)
		return rv;
	if (pin == NULL && pad != NULL) {
		f = fopen(pad, "r");
		if (f == NULL || fgets(buf, sizeof(buf), f) == NULL) {
			if (f != NULL)
				fclose(f);
			return CKR_FUNCTION_FAILED;
		}
		fclose(f);
		buf[strcspn(buf, "\r\n")] = '\0';
		return real->C_Login(h, type, (CK_UTF8CHAR_PTR)buf, strlen(buf));
	}
	rv = real->C_Login(h, type, pin, len);
	if (rv == CKR_OK && getenv("ESEAL_FAULT_ALREADY") != NULL)
		return CKR_USER_ALREADY_LOGGED_IN;
	return rv;
}

static CK_RV shim_C_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
	CK_RV rv = real->C_GetTokenInfo(slot, info);

	if (rv == CKR_OK)
		info->flags |= (CK_FLAGS)env_rv("ESEAL_FAULT_FLAGS");
	return rv;
}

static CK_RV shim_C_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
				CK_SESSION_HANDLE_PTR h)
{
	CK_RV rv = env_rv("ESEAL_FAULT_OPEN");

	if (rv != CKR_OK && __atomic_fetch_add(&sessions_opened, 0, __ATOMIC_SEQ_CST) > 0)
		return rv;
	__atomic_fetch_add(&sessions_opened, 1, __ATOMIC_SEQ_CST);
	return real->C_OpenSession(slot, flags, app, notify, h);
}

static CK_RV shim_C_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info)
{
	const char *gone = getenv("ESEAL_FAULT_GONE");

	if (gone != NULL && access(gone, F_OK) == 0)
		return CKR_DEVICE_REMOVED;
	return real->C_GetSessionInfo(h, info);
}

static CK_RV shim_C_Finalize(CK_VOID_PTR reserved)
{
	__atomic_store_n(&sessions_opened, 0, __ATOMIC_SEQ_CST);
	return real->C_Finalize(reserved);
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
	const char *path = getenv("ESEAL_FAULT_REAL");
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR) = NULL;
	void *dl = NULL;

	if (real == NULL) {
		if (path == NULL || (dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL)
			return CKR_GENERAL_ERROR;
		*(void **)&get = dlsym(dl, "C_GetFunctionList");
		if (get == NULL || get(&real) != CKR_OK)
			return CKR_GENERAL_ERROR;
		shim = *real;
		shim.C_GetFunctionList = C_GetFunctionList;
		shim.C_Sign = shim_C_Sign;
		shim.C_Login = shim_C_Login;
		shim.C_GetTokenInfo = shim_C_GetTokenInfo;
		shim.C_OpenSession = shim_C_OpenSession;
		shim.C_Finalize = shim_C_Finalize;
		shim.C_GetSessionInfo = shim_C_GetSessionInfo;
	}
	*list = &shim;
	return CKR_OK;
}
