/* core/tmpdir_internal.h: private working directories under $TMPDIR for code that needs files it never shows anyone
 * (an ASiC container unpacked, a signature built before it is zipped, a document sealed from memory). */
#ifndef ES_TMPDIR_INTERNAL_H
#define ES_TMPDIR_INTERNAL_H

#include <stddef.h>

#include "eseal/error.h"

/* Room for any directory es_tmpdir_make makes. */
#define ES_TMPDIR_MAX 4096

/* Makes a new directory of mode 0700 named "<$TMPDIR or /tmp>/<prefix>-XXXXXX" in dir (ES_TMPDIR_MAX bytes); a
 * relative $TMPDIR is ignored (its meaning would change with the working directory). what names the caller's object
 * in the message of an ESEAL_E_IO failure; dir is "" then. */
eseal_status es_tmpdir_make(char *dir, const char *prefix, const char *what, eseal_error *err);

/* Removes dir and everything below it, never following a symbolic link; "" and NULL are fine. */
void es_tmpdir_remove(const char *dir);

#endif
