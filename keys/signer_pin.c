/* keys/signer_pin.c: where a PIN or key-file passphrase comes from: --pin-file, the URI's pin-source, ESEAL_PIN.
 * Never argv. The PIN is only ever copied into the caller's buffer, and every message names the source, not the PIN. */
#include "signer_internal.h"
#include "core/error_internal.h"
#include "core/secret_internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* The file's first line; reading is core/secret.c's job, naming the key and the source is ours. */
static int read_pin_file(const eseal_signer_options *opts, const char *path, const char *origin, const char *what,
			 char pin[ES_PIN_MAX], eseal_error *err)
{
	int rc = es_secret_read_file(path, origin, pin, ES_PIN_MAX, opts->warn, opts->warn_ctx, err);

	if (rc != ESEAL_OK) {
		es_error_prefix(err, "%s", what);
		return rc;
	}
	if (pin[0] == '\0')
		return es_error_set(err, ESEAL_E_PIN, "%s: %s %s: the first line is empty", what, origin, path);
	return ESEAL_OK;
}

int eseal_take_env_pin(char *buf, size_t size)
{
	static const char name[] = "ESEAL_PIN=";
	char *env = getenv("ESEAL_PIN"), *whole;
	size_t len;
	int taken = 0;

	if (size > 0)
		buf[0] = '\0';
	if (env == NULL)
		return 0;
	len = strlen(env);
	whole = env - (sizeof(name) - 1); /* getenv points into the "ESEAL_PIN=value" string of the environment */
	if (len > 0 && len < size) {
		memcpy(buf, env, len + 1);
		taken = 1;
	}
	/* unsetenv only drops the pointer: the bytes stay where /proc/PID/environ reads them, so they are wiped in
	 * place too, name and value (after unsetenv, which still has to find the name). */
	unsetenv("ESEAL_PIN");
	OPENSSL_cleanse(whole, sizeof(name) - 1 + len);
	return taken;
}

int es_pin_resolve(const eseal_signer_options *opts, const char *pin_source, const char *what, char pin[ES_PIN_MAX],
		   eseal_error *err)
{
	const char *env = NULL;
	size_t len;

	pin[0] = '\0';
	if (opts->pin_file != NULL && opts->pin_file[0] != '\0')
		return read_pin_file(opts, opts->pin_file, "PIN file", what, pin, err);
	if (pin_source != NULL && pin_source[0] != '\0') {
		/* RFC 7512 leaves pin-source's form to the application; "file:" URIs and plain paths are ours. */
		if (strncmp(pin_source, "file://", 7) == 0)
			pin_source += 7;
		else if (strncmp(pin_source, "file:", 5) == 0)
			pin_source += 5;
		if (pin_source[0] != '/' && strchr(pin_source, ':') != NULL)
			return es_error_set(err, ESEAL_E_CONFIG, "%s: pin-source %s: only file: sources are supported",
					    what, pin_source);
		return read_pin_file(opts, pin_source, "pin-source file", what, pin, err);
	}
	env = opts->env_pin != NULL ? opts->env_pin : getenv("ESEAL_PIN");
	if (env != NULL && env[0] != '\0') {
		len = strlen(env);
		if (len >= ES_PIN_MAX)
			return es_error_set(err, ESEAL_E_PIN, "%s: ESEAL_PIN is too long for a PIN", what);
		memcpy(pin, env, len + 1);
		return ESEAL_OK;
	}
	return es_error_because(err, ESEAL_E_PIN, ESEAL_REASON_NO_PIN,
				"%s: no PIN: the key needs a PIN file, a pin-source in its URI, or ESEAL_PIN", what);
}
