/* report/visual_diff.h: where a PDF seal's signed revision and the current file differ on the page, for the
 * reports and for the verifier (--json, --visual). */
#ifndef ES_VISUAL_DIFF_H
#define ES_VISUAL_DIFF_H

#include <stddef.h>

#include "eseal/verify.h"

/* For every PAdES seal of r whose signed revision is followed by later updates: renders the signed revision
 * (buf[0..signed_length)) and the whole file with Poppler, page by page, and records the areas that differ in
 * s->visual_changes (visual_compared set). A page only the current file has is a change as a whole. Rendering
 * failures are warnings on the seal: the verdict is the verifier's, this only shows where. */
void es_visual_compare(eseal_report *r, const unsigned char *buf, size_t len);

#endif
