/* pdf/pdf_verify_internal.h: what the PAdES verifier's two halves share: the per-signature checks in pdf_verify.c
 * and the analysis of incremental updates made after a signature in pdf_verify_mods.c. */
#ifndef ES_PDF_VERIFY_INTERNAL_H
#define ES_PDF_VERIFY_INTERNAL_H

#include <qpdf/qpdf-c.h>

#include "verify/verify_internal.h"

/* Opens a QPDF reader over buf[0..len) (not copied: buf must outlive it). Strict: no xref reconstruction, so a
 * damaged file is reported instead of being read the way one particular repair algorithm guesses. */
qpdf_data es_pdf_open(const unsigned char *buf, size_t len, const char *name, char *why, size_t why_len);
/* Drops QPDF's pending warnings and error: type-mismatch warnings accumulate inside QPDF with every lookup of a
 * missing or mistyped key, so a long walk clears them to keep memory bounded. */
void es_pdf_clear_error(qpdf_data q);
/* A copy (UTF-8) of a PDF text string, or NULL when oh is no string (caller frees). */
char *es_pdf_dup_utf8(qpdf_data q, qpdf_oh oh);

/* Compares the revision that ends at rev_end with the final file and reports, through es_seal_fail on s, every
 * change a reader would see that the rules of ISO 32000-1 12.8.2.2 do not permit for that revision: the DocMDP
 * level docmdp_p of the certification signature docmdp_objid (from the final file's /Perms; 0: none) applies when
 * the signed revision is certified by it. Permitted changes are listed in a warning. Sets s->modified_after. */
void es_pdf_check_later_updates(qpdf_data fin, const unsigned char *buf, size_t len, size_t rev_end, int docmdp_p,
				int docmdp_objid, int sig_objid, eseal_seal_report *s);

/* ---- FieldMDP (pdf_verify_lock.c) ---- */

/* The fields locked by the FieldMDP references (ISO 32000-1 12.8.2.4) of the signature dictionary sig_objid, read
 * in the signed revision q: the objects holding their values (fields, widgets, the widgets' appearance streams, and
 * the fields above a locked one, from which it inherits /V when it has none).
 * NULL when the signature has no FieldMDP reference; then note may say why a /Lock of its field is not held
 * (note is "" otherwise, or explains how an unreadable reference was taken). */
typedef struct es_pdf_locks es_pdf_locks;
es_pdf_locks *es_pdf_locks_read(qpdf_data q, int sig_objid, char *note, size_t note_len);
/* How an object holds a locked field's value: the field or one of its widgets (its /V, /RV, /AS, /AP count), an
 * appearance stream of a widget (any change counts), or a field above it (what the locked field inherits counts). */
enum { ES_PDF_LOCK_VALUE, ES_PDF_LOCK_AP, ES_PDF_LOCK_ANCESTOR };
/* The nth (from 0) locked field (an index for es_pdf_locks_name) object id holds a part of, or -1 when there are no
 * more; *kind how it holds it, *field (ES_PDF_LOCK_ANCESTOR) the object id of the locked field below it. An ancestor
 * of several locked fields holds a part of each. */
int es_pdf_locks_find(const es_pdf_locks *l, int id, int nth, int *kind, int *field);
const char *es_pdf_locks_name(const es_pdf_locks *l, int name);
/* "All", "Include" or "Exclude": how the fields were named. */
const char *es_pdf_locks_action(const es_pdf_locks *l);
/* 1 the first time a change of field name is to be reported, then 0 (one report per field). */
int es_pdf_locks_first_report(es_pdf_locks *l, int name);
/* The form was too large or memory ran out: some locked fields may not be known. */
int es_pdf_locks_incomplete(const es_pdf_locks *l);
void es_pdf_locks_free(es_pdf_locks *l);

#endif
