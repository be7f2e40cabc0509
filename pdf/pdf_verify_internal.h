/* pdf/pdf_verify_internal.h: what the PAdES verifier's two halves share: the per-signature checks in pdf_verify.c
 * and the analysis of incremental updates made after a signature in pdf_verify_mods.c. */
#ifndef ES_PDF_VERIFY_INTERNAL_H
#define ES_PDF_VERIFY_INTERNAL_H

#include <qpdf/qpdf-c.h>

#include "verify/verify_internal.h"

/* Opens a QPDF reader over buf[0..len) (not copied: buf must outlive it). Strict: no xref reconstruction, so a
 * damaged file is reported instead of being read the way one particular repair algorithm guesses. */
qpdf_data es_pdf_open(const unsigned char *buf, size_t len, const char *name, char *why, size_t why_len);

/* Compares the revision that ends at rev_end with the final file and reports, through es_seal_fail on s, every
 * change a reader would see that the rules of ISO 32000-1 12.8.2.2 do not permit for that revision: the DocMDP
 * level docmdp_p of the certification signature docmdp_objid (from the final file's /Perms; 0: none) applies when
 * the signed revision is certified by it. Permitted changes are listed in a warning. Sets s->modified_after. */
void es_pdf_check_later_updates(qpdf_data fin, const unsigned char *buf, size_t len, size_t rev_end, int docmdp_p,
				int docmdp_objid, eseal_seal_report *s);

#endif
