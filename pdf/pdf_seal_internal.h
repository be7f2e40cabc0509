/* pdf/pdf_seal_internal.h: what the files of one seal share (not public): the seal context and the steps that
 * fill it: placement on the page, the field (new or the form's own), the signature dictionary, the signing pass. */
#ifndef ES_PDF_SEAL_INTERNAL_H
#define ES_PDF_SEAL_INTERNAL_H

#include <openssl/evp.h>

#include "pdf_internal.h"
#include "pdf_objread.h"

/* Everything one seal needs while the update is assembled. */
typedef struct es_pdf_seal_ctx {
	const eseal_pdf_options *opts;
	es_pdf_doc doc;
	qpdf_oh page; /* the page the widget is on (0 when an existing field has none) */
	int page_index;      /* its 0-based number (a new field) */
	int stamp_clear;     /* draw the stamp without its opaque background (no blank place on the page) */
	time_t now;
	char *org, *org_id;  /* from the signing certificate (UTF-8), may be NULL */
	char field_name[32]; /* name of a new field (eSealN); unused when sealing into opts->field */
	qpdf_oh field;       /* opts->field: the terminal field found in the form, else 0 */
	qpdf_oh widget;      /* its widget annotation (== field when merged), 0 if it has none */
	qpdf_oh lock;        /* the field's /Lock (checked by es_pdf_field_find), 0 if none: FieldMDP reference */
	double widget_rect[4];
	int widget_area; /* the widget has a non-empty /Rect on a page: the seal is drawn there */
	/* results of building the update */
	es_pdf_update u;
	size_t contents_rel;  /* offset of '<' of /Contents within the update */
	size_t contents_len;  /* bytes of the hex string including < > */
	size_t byterange_rel; /* offset of the ByteRange placeholder */
} es_pdf_seal_ctx;

/* ---- a new field's seal read by our own reader (pdf_seal_lexed.c, pdf_seal_lexed_update.c) ---- */

/* What the update changes, as the original holds it. An indirect value's number is kept (0: direct in its holder);
 * an absent value is ES_VAL_NULL. */
struct es_pdf_lexed {
	es_pdf_xref *xref;
	es_pdf_objs *objs;
	es_pdf_val root;
	long long root_num, root_gen;
	es_pdf_val acro; /* the catalog's /AcroForm */
	long long acro_num, acro_gen;
	es_pdf_val fields; /* its /Fields */
	long long fields_num, fields_gen;
	es_pdf_val page; /* the seal's page */
	long long page_num, page_gen;
	es_pdf_val annots; /* its /Annots */
	long long annots_num, annots_gen;
	int annots_shared; /* another page names the same indirect /Annots (or the tree cannot tell) */
	double crop[4];    /* the page's visible box and /Rotate, as es_pdf_place_page_geometry reads them */
	int rotate;
};

/* Opens path for a seal into a new field without QPDF: the checks of es_pdf_doc_open before QPDF, then the trailer,
 * catalog, page count, signatures and certification read by our own reader. ESEAL_OK (doc->lexed set, doc->q NULL);
 * 1 when the file is one to leave to QPDF (encrypted, not read whole, anything our reader does not read as QPDF
 * would: nothing stays open); or the refusal es_pdf_doc_open would give (header, tail, structure). */
int es_pdf_doc_open_lexed(es_pdf_doc *doc, const char *path, int fd, eseal_error *err);
/* The lexed counterpart of choosing the page and the new field's name: 0, or 1 to leave the seal to QPDF (a page
 * not there included: the QPDF path says why). */
int es_pdf_lexed_target(es_pdf_seal_ctx *c);
/* pdf_seal_lexed_update.c: what es_pdf_field_new (the page's /Annots) and es_pdf_form_update write, for a document
 * es_pdf_doc_open_lexed opened: the same objects, rewritten from their own bytes (keys in order, values verbatim, the
 * changed keys replaced). */
int es_pdf_lexed_add_to_page(es_pdf_seal_ctx *c, long long field, eseal_error *err);
int es_pdf_lexed_form_update(es_pdf_seal_ctx *c, long long sig, long long field, eseal_error *err);

/* ---- placement (pdf_place.c) ---- */

/* Whether the caller chose the seal's rectangle (all zero: the default place). */
static inline int es_pdf_rect_given(const eseal_pdf_options *o)
{
	return o->rect[0] != 0 || o->rect[1] != 0 || o->rect[2] != 0 || o->rect[3] != 0;
}

/* The 0-based page opts->page names (0: the first, -1: the last) in a document of n pages, or -1 when there is none. */
int es_pdf_place_page_index(const eseal_pdf_options *o, int n);
/* Sets c->page from opts->page (a new field). */
int es_pdf_place_choose_page(es_pdf_seal_ctx *c, eseal_error *err);
/* The visible crop box (falls back to the media box, then Letter) and /Rotate (0, 90, 180, 270) of page. */
void es_pdf_place_page_geometry(es_pdf_doc *d, qpdf_oh page, double crop[4], int *rotate);
/* A new field's widget rectangle (user space) from opts->rect (displayed-page coordinates) or the default place,
 * and its appearance. */
int es_pdf_place_new(es_pdf_seal_ctx *c, double rect[4], long long *ap_num, eseal_error *err);
/* pdf_free_area.c: for the default place, the blank area of the displayed page (dw x dh pt; c->page_index rendered
 * with Poppler) nearest the preferred place box = {x, y, w, h} that holds the stamp with a little white around it,
 * shrunk step by step to half its size if need be. Returns 1 and updates box when found, 0 when the page has no
 * such area, -1 (err set) when the page cannot be rendered. */
int es_pdf_free_area(const es_pdf_seal_ctx *c, double dw, double dh, double box[4], eseal_error *err);
/* Writes the appearance (stamp and optional seal image) for a w x h widget (displayed orientation) on a page
 * rotated by rotate; returns the form XObject's number in *ap_num. */
int es_pdf_place_draw(es_pdf_seal_ctx *c, double w, double h, int rotate, long long *ap_num, eseal_error *err);

/* ---- the field ---- */

/* pdf_field_new.c: a new merged field + widget eSealN with /V sig on c->page, added to the page's /Annots. */
int es_pdf_field_new(es_pdf_seal_ctx *c, long long sig, long long *field, eseal_error *err);
/* pdf_field_fill.c: finds opts->field (fully qualified name) and checks that it is an empty signature field;
 * sets c->field and c->page (the page its widget is on, if any), and c->lock when the field has a well-formed
 * signature field lock dictionary (a malformed one is refused: the seal would not lock what the form says). */
int es_pdf_field_find(es_pdf_seal_ctx *c, eseal_error *err);
/* Rewrites the found field (and its widget) with /V sig and, for a widget with an area, the seal's appearance. */
int es_pdf_field_fill(es_pdf_seal_ctx *c, long long sig, eseal_error *err);

/* pdf_form.c: /AcroForm (the new field in /Fields when field != 0, SigFlags 3) and, when certifying, the
 * catalog's /Perms; the catalog is rewritten only when something it holds directly changed. */
int es_pdf_form_update(es_pdf_seal_ctx *c, long long sig, long long field, eseal_error *err);

/* ---- the signature dictionary (pdf_sigdict.c) ---- */

/* Writes object num: /Type /Sig with a blank ByteRange and a zero-filled /Contents of reserve bytes; records their
 * places in c. */
void es_pdf_sigdict_write(es_pdf_seal_ctx *c, long long num, size_t reserve);
/* Writes object num: a document time-stamp's /Type /DocTimeStamp, ETSI.RFC3161, with the same placeholders. */
void es_pdf_sigdict_write_dts(es_pdf_seal_ctx *c, long long num, size_t reserve);
/* Fills the ByteRange placeholder once the update is complete (its size known). */
int es_pdf_sigdict_patch_byterange(es_pdf_seal_ctx *c, eseal_error *err);

/* ---- the signing pass (pdf_seal_pass.c) ---- */

/* Copies the original (unchanged) and the update to out while hashing everything but /Contents. */
int es_pdf_pass_write_and_hash(es_pdf_seal_ctx *c, int fd, eseal_output *out, const EVP_MD *md, unsigned char *digest,
			       unsigned int *dlen, eseal_error *err);
/* Writes the CMS as hex into the placeholder of the output. */
int es_pdf_pass_patch_contents(es_pdf_seal_ctx *c, eseal_output *out, const unsigned char *der, size_t der_len,
			       eseal_error *err);

#endif
