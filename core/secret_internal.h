/* core/secret_internal.h: the one way library code reads a PIN or password file.
 * Secrets never enter error messages; callers wipe their buffer with OPENSSL_cleanse after use. */
#ifndef ES_SECRET_INTERNAL_H
#define ES_SECRET_INTERNAL_H

#include <stddef.h>

#include "eseal/error.h"

/* Copies the first line (without newline) of path into buf (NUL-terminated). */
int es_secret_read_file(const char *path, char *buf, size_t size, eseal_error *err);

#endif
