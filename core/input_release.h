/* core/input_release.h: giving back the pages of a read-only file mapping a pass is done with, so the memory a
 * verifier uses does not grow with the file, while code that does not know of the mapping calls it freely. */
#ifndef ES_INPUT_RELEASE_H
#define ES_INPUT_RELEASE_H

#include <stddef.h>

/* The file this thread maps read-only from now on (buf NULL: none any more). Only inside it does es_input_release
 * drop pages: there the kernel reads a dropped page again from the file; anywhere else the bytes would be lost. */
void es_input_release_scope(const unsigned char *buf, size_t len);
/* Passes over the file being read call this for what they are done with; a no-op outside the scope's mapping and for
 * a mapping of at most ES_INPUT_RELEASE_ALL_MIN (a later pass would fault the same pages in again). */
void es_input_release(const unsigned char *p, size_t len);
/* After a small read at p (a keyword at the end of a stream): the kernel may have mapped the whole large page-cache
 * folio around it on that one fault (1 MB and more on recent kernels), which es_input_release's page rounding would
 * leave mapped; this gives back the ES_INPUT_FOLIO_MAX-aligned block(s) around [p, p + len) inside the mapping
 * (only of a mapping over ES_INPUT_RELEASE_ALL_MIN, as es_input_release_all). */
void es_input_release_spot(const unsigned char *p, size_t len);
#define ES_INPUT_FOLIO_MAX ((size_t)2 << 20)
/* For code that reads scattered objects through a parser (QPDF): gives back the whole mapping when it is larger than
 * ES_INPUT_RELEASE_ALL_MIN (a smaller file stays mapped: reading it again would cost more than it holds). */
void es_input_release_all(void);
#define ES_INPUT_RELEASE_ALL_MIN ((size_t)32 << 20)
/* Once per turn of a loop that has such a parser resolve an object (or a few): gives back the whole mapping once the
 * process's resident file pages have grown by ES_INPUT_RELEASE_FOLIOS large folios since the last release (read only
 * after this thread has faulted that often). A loop jumping across a big file keeps a few folios mapped; one reading
 * objects that lie close together faults seldom and does not read its folios again. (Threads verifying big files at
 * once count each other's pages: each gives its own mapping back sooner.) */
void es_input_release_turn(void);
#define ES_INPUT_RELEASE_FOLIOS 4

#endif
