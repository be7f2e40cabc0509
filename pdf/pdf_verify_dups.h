/* pdf/pdf_verify_dups.h: keys given twice in the dictionaries that say which signature a revision carries and what
 * it covers (signature dictionary, its field and widget, /AcroForm, /Perms, the catalog), read in the signed revision. */
#ifndef ES_PDF_VERIFY_DUPS_H
#define ES_PDF_VERIFY_DUPS_H

#include "pdf_verify_internal.h"

/* q: the signed revision, opened for this check alone (QPDF warns of a duplicated key only the first time it parses
 * the object, so nothing of q may have been read before but its trailers). A key given twice in the signature
 * dictionary (sig_objid, sig_gen), its field and widgets (and their appearance streams), /AcroForm, /Perms and what it names,
 * the catalog or the trailer's /Root fails s naming the dictionary and the key: readers differ on which of the two
 * values counts, so a reader may be shown one signature or form while the verifier judged another. In other form
 * fields and the pages met on the way, a warning. pl (may be NULL: QPDF lists them): q's pages as
 * es_pdf_page_list_read read them, so that QPDF need not parse every object stream that holds one. */
void es_pdf_check_dups(qpdf_data q, const es_pdf_page_list *pl, int sig_objid, int sig_gen,
		       eseal_seal_report *s);

/* 1 when our lexer reads, in buf[0..len) (x: its chain, read and sized by es_pdf_xref_scan; pl: its pages as
 * es_pdf_page_list_read read them), every object es_pdf_check_dups would have QPDF parse and every trailer, and none
 * gives a key twice: es_pdf_check_dups would report nothing, and need not run. 0: run it (pdf_verify_dups_lexed.c). */
int es_pdf_dups_none_lexed(const unsigned char *buf, size_t len, const es_pdf_xref *x, const es_pdf_page_list *pl,
			   int sig_objid, int sig_gen);

#endif
