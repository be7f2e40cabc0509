/* core/input_release.h: giving back the pages of a read-only file mapping a pass is done with, so the memory a
 * verifier uses does not grow with the file, while code that does not know of the mapping calls it freely. */
#ifndef ES_INPUT_RELEASE_H
#define ES_INPUT_RELEASE_H

#include <stddef.h>

/* The file this thread maps read-only from now on (buf NULL: none any more). Only inside it does es_input_release
 * drop pages: there the kernel reads a dropped page again from the file; anywhere else the bytes would be lost. */
void es_input_release_scope(const unsigned char *buf, size_t len);
/* Passes over the file being read call this for what they are done with; a no-op outside the scope's mapping. */
void es_input_release(const unsigned char *p, size_t len);

#endif
