/* core/secret_internal.h: the one way library code reads a PIN or password file.
 * Secrets never enter error messages; callers wipe their buffer with OPENSSL_cleanse after use. */
#ifndef ES_SECRET_INTERNAL_H
#define ES_SECRET_INTERNAL_H

#include <stddef.h>

#include "eseal/error.h"

/* Copies the first line (without newline) of path into buf (NUL-terminated). what names the file in messages
 * ("PIN file", "password file"). A file that group or others may access is read, with a warning through warn
 * (may be NULL) naming it and its mode, as ssh does for private keys. */
int es_secret_read_file(const char *path, const char *what, char *buf, size_t size, eseal_warn_fn warn,
			void *warn_ctx, eseal_error *err);

#endif
