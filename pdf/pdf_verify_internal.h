/* pdf/pdf_verify_internal.h: what the PAdES verifier's two halves share: the per-signature checks in pdf_verify.c
 * and the analysis of incremental updates made after a signature in pdf_verify_mods.c. */
#ifndef ES_PDF_VERIFY_INTERNAL_H
#define ES_PDF_VERIFY_INTERNAL_H

#include "pdf_xref.h"
#include "core/error_internal.h"
#include "pki/evidence.h"
#include "pki/report.h"

#include <qpdf/qpdf-c.h>

/* Opens a QPDF reader over buf[0..len) (not copied: buf must outlive it). Strict: no xref reconstruction, so a
 * damaged file is reported instead of being read the way one particular repair algorithm guesses. */
qpdf_data es_pdf_open(const unsigned char *buf, size_t len, const char *name, char *why, size_t why_len);
/* The same, and our reading of the chain into *x (es_pdf_xref_free; NULL when the open fails), for
 * es_pdf_page_list_read. */
qpdf_data es_pdf_open_read(const unsigned char *buf, size_t len, const char *name, es_pdf_xref **x, char *why,
			   size_t why_len);
/* Drops QPDF's pending warnings and error: type-mismatch warnings accumulate inside QPDF with every lookup of a
 * missing or mistyped key, so a long walk clears them to keep memory bounded. */
void es_pdf_clear_error(qpdf_data q);
/* A copy (UTF-8) of a PDF text string, or NULL when oh is no string (caller frees). */
char *es_pdf_dup_utf8(qpdf_data q, qpdf_oh oh);

/* ---- the signature values of a file, as the verifier finds them (pdf_verify.c; the extender reads them too) ---- */

typedef struct es_pdf_sig_value {
	int objid;		 /* its signature dictionary */
	int is_dts;		 /* a document time-stamp (/DocTimeStamp or ETSI.RFC3161) */
	size_t rev_end;		 /* end of the revision it signs (ByteRange b + c) */
	unsigned char *contents; /* /Contents decoded, its zero padding included */
	size_t contents_len;
} es_pdf_sig_value;
/* Every signature value of q held in an indirect dictionary with a /Contents string and a 4-item /ByteRange (what
 * the verifier checks further; the others it reports failed). *out is freed with es_pdf_sig_values_free. */
int es_pdf_sig_values(qpdf_data q, es_pdf_sig_value **out, size_t *n);
void es_pdf_sig_values_free(es_pdf_sig_value *v, size_t n);

/* ---- every page's annotations, read without parsing every object stream (pdf_verify_pages.c) ---- */

typedef struct es_pdf_annot_ref {
	int id, gen;	/* the annotation (an indirect dictionary) */
	int lexed;	/* it was read by our lexer, not QPDF */
	int not_widget; /* lexed, and its /Subtype is a name other than /Widget */
} es_pdf_annot_ref;

typedef struct es_pdf_page_ref {
	int id, gen;
	int lexed; /* read by our lexer (QPDF has not parsed it) */
	size_t first_annot, n_annots; /* its /Annots: annots[first_annot .. first_annot + n_annots) */
} es_pdf_page_ref;

typedef struct es_pdf_page_list {
	es_pdf_page_ref *pages; /* in QPDF's page order */
	size_t n_pages;
	es_pdf_annot_ref *annots;
	size_t n_annots;
	int dup_key; /* a dictionary our lexer read gives a key twice (QPDF would warn once it parses it) */
	/* Set also when the list was given up: whether every used cross-reference entry's header was read (the reader
	 * gives such a file up), and the first object whose entry points at no header of it (0: none). */
	int headers_read;
	long long damaged;
	struct es_pdf_page_reader *rd; /* what read it (the object streams it decoded), for es_pdf_page_list_box */
} es_pdf_page_list;

/* The pages of q (buf[0..len): the bytes q reads, which must outlive *out; x: es_pdf_xref_scan of them) as
 * qpdf_get_num_pages and qpdf_get_page_n list them, each with the annotations its /Annots names, reading objects
 * with our lexer so that QPDF does not parse them. 0 with *out (es_pdf_page_list_free), or -1 when the file is one
 * this reader gives up on (no x, encrypted, a hybrid file, a loop or a page listed twice, a direct or free object,
 * a dictionary the lexer refuses in an object stream): then list the pages through QPDF. Resolves through QPDF the
 * objects our lexer will not read in the file (those of every object when x's chain is one QPDF warns about); their
 * warnings stay pending. */
int es_pdf_page_list_read(qpdf_data q, const unsigned char *buf, size_t len, const es_pdf_xref *x,
			  es_pdf_page_list *out);
/* The crop box of pl's page (0-based), else its media box, each inherited through /Parent, as
 * es_pdf_rect_value would read QPDF's lookup of them, into box: 1, 0 when it has neither, -1 when our lexer cannot
 * tell (look them up through QPDF). q: the QPDF pl was read from. */
int es_pdf_page_list_box(const es_pdf_page_list *pl, qpdf_data q, size_t page, double box[4]);
void es_pdf_page_list_free(es_pdf_page_list *l);
/* The reader of objects pl was read with, to read more of the same file by our lexer (pdf_objread.h); NULL when
 * QPDF reads the file's objects (a chain QPDF warns about). */
struct es_pdf_objs *es_pdf_page_list_objs(const es_pdf_page_list *pl);
/* The catalog as that reader reads it (read once, kept with pl), or NULL when only QPDF can read it. */
const struct es_pdf_val *es_pdf_page_list_root(const es_pdf_page_list *pl);

/* ---- the signature values a reader finds, and the catalog entries that lead to them (pdf_verify_fields.c) ---- */

typedef struct es_pdf_sig_ref {
	int objid, gen; /* of the signature dictionary (0 when direct) */
	char *name;	/* full field name */
	int unreadable; /* /V names an object that is no dictionary QPDF can read */
} es_pdf_sig_ref;

typedef struct es_pdf_sig_list {
	es_pdf_sig_ref *refs;
	size_t n;
	int fields_seen;
} es_pdf_sig_list;

/* Every signature value a reader finds, into sl (zeroed; es_pdf_sig_list_free): the form's fields, then widgets
 * only the pages name. pl (may be NULL): q's pages as es_pdf_page_list_read read them, whose reader then reads the
 * catalog, the fields and the widgets by our lexer where it reads them as QPDF resolves them. */
void es_pdf_list_signatures(qpdf_data q, const es_pdf_page_list *pl, es_pdf_sig_list *sl);
void es_pdf_sig_list_free(es_pdf_sig_list *sl);
/* The catalog's key as our lexer reads it through pl's reader: 1 an indirect value, its reference in *id, *gen; 0
 * absent or null; -1 when only QPDF can tell (a direct value, no reader, a catalog our lexer does not read). */
int es_pdf_catalog_ref(const es_pdf_page_list *pl, const char *key, int *id, int *gen);
/* The catalog's key as qpdf_oh_get_key(qpdf_get_root(q), key) gives it, without QPDF parsing the catalog when our
 * lexer reads it (pl may be NULL). */
qpdf_oh es_pdf_catalog_key(qpdf_data q, const es_pdf_page_list *pl, const char *key);
/* The four numbers of a rectangle array, normalized (x0 < x1, y0 < y1); 0 when a is none. */
int es_pdf_rect_value(qpdf_data q, qpdf_oh a, double out[4]);

/* pdf_verify_widget.c: the page (0-based) and /Rect (from the page's crop box corner) of the widget whose value is
 * the signature dictionary sig_objid, into s->page and s->rect; s->page stays -1 when no page shows it. pl (may be
 * NULL: QPDF lists the pages): q's pages as es_pdf_page_list_read read them. */
void es_pdf_seal_widget(qpdf_data q, const es_pdf_page_list *pl, int sig_objid, eseal_seal_report *s);

/* ---- long-term validation data (pdf_verify_ltv.c) ---- */

/* 1 when ev (a DSS) holds, for every certificate below the anchor of the chains of the CMS signature cms_der (BER
 * at its start) and of its signature time-stamps' TSAs, an OCSP response or CRL that says good and was issued
 * after the time-stamp: what PAdES B-LT promises (ETSI EN 319 142-1 5.4). A signature without a time-stamp of its
 * own takes dts (a document time-stamp made after it, NULL: none) as its proof of existence, whose TSA chain then
 * counts too. Else 0, why naming what is missing. */
int es_pdf_ltv_covered(const eseal_verifier *v, const unsigned char *cms_der, size_t cms_len,
		       const unsigned char *dts, size_t dts_len, const es_evidence *ev, char *why, size_t why_len);

/* ---- the walk over what a reader can meet (pdf_walk.c) ---- */

/* Objects QPDF could read only by guessing: a dictionary that gives a key twice (QPDF keeps the last value, Poppler
 * the first of a large dictionary), a token out of place, a dictionary cut short. Other readers guess otherwise, so
 * a file holding one does not show every reader the same document. */
typedef struct {
	int n;		 /* how many guesses */
	char first[240]; /* the first, with where QPDF made it: "key /Root given twice (trailer, offset 1234)" */
	int incomplete;	 /* the walk stopped short (budget, memory): there may be more */
} es_pdf_guesses;
/* Drains QPDF's pending warnings and error, counting in *guesses those that say QPDF guessed how to read an
 * object (guesses may be NULL). */
void es_pdf_take_warnings(qpdf_data q, es_pdf_guesses *guesses);
/* A set of (number, generation) pairs (*set: *cap slots, *n used; all zero to start, free(*set) after): adds the
 * pair, 1 if it was not there, 0 if it was, -1 out of memory. Open addressing over 64-bit keys (0 empty). */
int es_pdf_pair_add(unsigned long long **set, size_t *n, size_t *cap, int id, int gen);
/* Whether the pair is in the set (*cap slots, as es_pdf_pair_add keeps it): 1 or 0. */
int es_pdf_pair_has(const unsigned long long *set, size_t cap, int id, int gen);

typedef struct {
	qpdf_oh oh;
	int top; /* the object the walk started from */
} es_pdf_walk_item;

/* A walk over every indirect object reachable from a start object (all keys followed, back links too), each
 * (number, generation) once, iterative, within budget references. Zero-initialise, set the inputs, call
 * es_pdf_walk_from once or more (objects met in an earlier call are not met again), then es_pdf_walk_free. */
typedef struct {
	long budget;	  /* in: references still to follow; below 0 when the walk stopped short */
	void *ctx;	  /* in: for the callbacks */
	/* in, optional: each object met, once */
	void (*visit)(void *ctx, int id, int gen);
	/* in, optional: 1 to leave the value of key of the object id (0: direct; top: the start object) unvisited */
	int (*skip)(void *ctx, int id, int top, const char *key);
	es_pdf_guesses *guesses; /* in, optional: QPDF's guesses on the way */
	int too_big;	   /* out: an object number too large to track was met (that number) */
	int oom;	   /* out */
	es_pdf_walk_item *stack;
	size_t n_stack, cap_stack;
	unsigned long long *done; /* (number, generation) pairs met */
	size_t n_done, cap_done;
} es_pdf_walk;
/* Walks from start (a handle the walk releases). */
void es_pdf_walk_from(es_pdf_walk *w, qpdf_data q, qpdf_oh start);
void es_pdf_walk_free(es_pdf_walk *w, qpdf_data q);

/* The keys of a dictionary, copied (QPDF's key iterator is one per document, so a walk cannot hold it open). */
char **es_pdf_dict_keys(qpdf_data q, qpdf_oh d, size_t *n);
void es_pdf_free_keys(char **k, size_t n);

/* What the verifier found of every signature and document time-stamp of the file, for judging the others: a
 * signature field added after a seal is a permitted change only when it carries one of these, made later, that
 * verifies. */
typedef struct {
	int objid;	/* its signature dictionary (0: direct, never a later signature) */
	size_t rev_end; /* end of the revision it signs (0: unknown) */
	int is_dts;	/* a document time-stamp */
	int intact;	/* its own checks did not fail it (not TOTAL-FAILED): bytes, digest and value verify */
	int last;	/* it covers the whole file */
	/* When updates follow it (filled by es_pdf_check_later_updates; bitmaps by object number, owned here):
	 * the objects its revision reached, and those of them that changed after it. */
	unsigned char *seen, *changed;
	size_t seen_len, changed_len;
} es_pdf_sig_state;

typedef struct {
	const es_pdf_sig_state *sigs;
	size_t n_sigs;
	const es_pdf_guesses *guesses; /* QPDF's guesses in what a reader of the final file meets */
	int docmdp_p;		 /* /P of the certification named by the final file's /Perms (0: none) */
	int docmdp_objid;	 /* its signature dictionary */
	int recovered;		 /* QPDF read the final file with a recovered chain (a copy of it) */
	long long damaged;	 /* the first object whose used entry of that chain points at no header of it, or 0;
				  * -1: not known (out of memory) */
	const es_pdf_page_list *pages; /* the final file's pages as es_pdf_page_list_read read them, or NULL */
} es_pdf_facts;

/* Compares the signed revision qo (the file cut at self->rev_end) with the final file fin and reports, through
 * es_seal_fail on s, every change a reader would see that the rules of ISO 32000-1 12.8.2.2 do not permit for that
 * revision: the DocMDP level of the certification applies when the signed revision is certified by it. Permitted
 * changes are listed in a warning. Sets s->modified_after, and self's seen and changed. */
void es_pdf_check_later_updates(qpdf_data fin, qpdf_data qo, const unsigned char *buf, size_t len,
				const es_pdf_facts *facts, int as_stored, es_pdf_sig_state *self, eseal_seal_report *s);
/* (as_stored: QPDF read both qo and fin from buf itself, no chain recovered: then a stream both read from the same
 * bytes is not read again, pdf_verify_same.c) */

/* ---- stream data both revisions read from the same bytes (pdf_verify_same.c) ---- */

typedef struct es_pdf_same es_pdf_same;
/* Our reading of the chains of buf[0..rev_end) and buf[0..len); NULL when they cannot tell (encrypted, hybrid,
 * unreadable, out of memory): then every stream is compared. */
es_pdf_same *es_pdf_same_new(const unsigned char *buf, size_t len, size_t rev_end);
/* 1 when object id gen is, in both, the stream at the same offset of the signed bytes, whose length bytes of data
 * (the /Length both readers take) and "endstream" lie inside them: the two readers read the same data. */
int es_pdf_same_stream(const es_pdf_same *s, int id, int gen, long long length);
/* 1 when both read object id gen from the same signed bytes: the same entry in both chains, and the object (for one
 * in an object stream: that stream, with a direct /Length) read whole inside the signed bytes, as QPDF reads it
 * (pdf_verify_same.c). 0: not known, compare it. */
int es_pdf_same_object(const es_pdf_same *s, int id, int gen);
void es_pdf_same_free(es_pdf_same *s);

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

/* ---- the signature value as the file holds it (pdf_verify_raw.c) ---- */

#define ES_PDF_MAX_CONTENTS (1u << 20) /* bytes of a signature's /Contents */

/* Encrypted files: the signature dictionary objid gen, where the chain x (of buf) defines it, gives /Contents
 * exactly once, as a hex string at bytes [a, b) (the /ByteRange gap); *out (freed by the caller) its bytes, not
 * decrypted. Else -1, why saying what differs (signature wrapping, or a dictionary in an object stream). */
int es_pdf_raw_contents(const es_pdf_xref *x, const unsigned char *buf, size_t len, int objid, int gen, size_t a,
			size_t b, unsigned char **out, size_t *out_len, char *why, size_t why_len);

#endif
