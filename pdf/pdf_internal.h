/* pdf/pdf_internal.h: what the files of the PDF sealer share (not public).
 * pdf_struct reads the original's structure, pdf_update writes the appended update, pdf_seal ties them together. */
#ifndef ES_PDF_INTERNAL_H
#define ES_PDF_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include <qpdf/qpdf-c.h>

#include "eseal/error.h"
#include "eseal/pdf.h"
#include "pdf_xref.h"
#include "pdf_objread.h"

/* ---- growable byte buffer (pdf_buf.c) ---- */

typedef struct es_buf {
	char *data;
	size_t len, cap;
	int oom; /* sticky: checked once at the end instead of after every append */
} es_buf;

void es_buf_append(es_buf *b, const void *data, size_t len);
void es_buf_puts(es_buf *b, const char *s);
/* n copies of ch (a placeholder's padding). */
void es_buf_fill(es_buf *b, char ch, size_t n);
void es_buf_printf(es_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A real number without exponent and without trailing zeros ("12.5", "0", "-3"). */
void es_buf_real(es_buf *b, double v);
void es_buf_free(es_buf *b);

/* ---- encryption of the update (pdf_crypt.c) ---- */

typedef struct es_pdf_crypt {
	int active;            /* the original is encrypted: the update's strings and streams must be too */
	int strings, streams;  /* per kind; 0 when its crypt filter is /Identity */
	unsigned char key[32]; /* AES-256 file key */
} es_pdf_crypt;

/* A string in the update: hex, encrypted when c is active (c may be NULL). */
void es_pdf_string(es_buf *b, const es_pdf_crypt *c, const void *bytes, size_t len);
/* A PDF text string from UTF-8: a literal (escaped) string when printable ASCII, else UTF-16BE with BOM in hex;
 * encrypted when c is active (c may be NULL). */
void es_pdf_text_string(es_buf *b, const es_pdf_crypt *c, const char *utf8);
/* IV + AES-256-CBC of in; *out is malloc'd. */
int es_pdf_crypt_data(const es_pdf_crypt *c, const void *in, size_t len, unsigned char **out, size_t *out_len);

/* ---- the original document (pdf_struct.c) ---- */

typedef struct es_pdf_doc {
	const char *path; /* for messages */
	qpdf_data q;
	off_t size;          /* bytes of the original; the update starts here */
	unsigned char *bytes; /* a small original read whole (QPDF reads it from here), else NULL */
	long long startxref; /* offset the file's last startxref names: the new section's /Prev */
	int xref_stream;     /* the last section is a cross-reference stream (else a classic table) */
	int version_major, version_minor;
	long long trailer_size; /* first object number the update may use */
	char *root_ref;         /* "N G R" of the catalog */
	char *info_ref;         /* "N G R" of /Info, or NULL */
	char *id;               /* the /ID array as written, or NULL */
	size_t id_len;          /* its length (copied from the original, a literal string in it may hold a NUL) */
	int n_signatures;       /* signature fields holding a value */
	int certified;          /* /Perms /DocMDP present */
	int docmdp_p;           /* its /P (1, 2, 3), 0 if not certified */
	int n_pages;
	char *encrypt; /* the trailer's /Encrypt value ("N G R" or a direct dictionary), or NULL */
	es_pdf_crypt crypt;
	/* read by our own reader (pdf_seal_lexed.c) without QPDF, which then is not open (q NULL) */
	struct es_pdf_lexed *lexed;
} es_pdf_doc;

/* pdf_seal_lexed.c */
void es_pdf_lexed_free(struct es_pdf_lexed *l);

/* Derives the file key of an AES-256 (V5 R5/R6) encrypted document from password (user or owner). */
int es_pdf_crypt_init(es_pdf_doc *doc, qpdf_oh encrypt, const char *password, eseal_error *err);

/* Opens and checks path (header, startxref, cross-reference kind, AES-256 if encrypted, no recovery needed).
 * fd is an open descriptor of the same file (the one the bytes are copied from). On failure nothing stays open. */
/* A four-number rectangle (normalised, lower-left first) into out: 1, or 0 when a is no such array. The one reader
 * of rectangles for the sealer and the verifier (pdf_verify_pages.c). */
int es_pdf_rect_value(qpdf_data q, qpdf_oh a, double out[4]);

int es_pdf_doc_open(es_pdf_doc *doc, const char *path, int fd, const char *password, eseal_error *err);
/* What opening does before QPDF: the header, the tail, a small file read whole (doc->bytes), and our reading of the
 * cross-reference chain into *xr (the caller's to free, also on failure), which refuses what QPDF must not inflate.
 * A file held in memory that our reader reads (es_pdf_objs_new) is refused when a used cross-reference entry points
 * at no header of its object; that reader goes to *objs (NULL: none; the caller frees it before *xr), or is freed
 * when objs is NULL. */
int es_pdf_doc_prepare(es_pdf_doc *doc, const char *path, int fd, es_pdf_xref **xr, es_pdf_objs **objs,
		       eseal_error *err);
void es_pdf_doc_close(es_pdf_doc *doc);
/* Sets *err from QPDF's pending error (if any) and returns non-zero when there was one. */
int es_pdf_qpdf_failed(es_pdf_doc *doc, const char *what, eseal_error *err);

/* Serialises dict (a direct or indirect dictionary) as "<< ... >>" without the keys in skip (NULL-terminated),
 * followed by extra (may be NULL) before the closing ">>". */
int es_pdf_dict_rewrite(es_pdf_doc *doc, qpdf_oh dict, const char *const *skip, const char *extra, es_buf *out,
			eseal_error *err);
/* Serialises array (direct or indirect) as "[ items... extra ]". */
int es_pdf_array_rewrite(es_pdf_doc *doc, qpdf_oh array, const char *extra, es_buf *out, eseal_error *err);
/* Looks up key in dict, following /Parent: inheritable page attributes (Rotate, CropBox, MediaBox) and field
 * attributes (FT, V) alike. */
qpdf_oh es_pdf_page_inherited(es_pdf_doc *doc, qpdf_oh page, const char *key);
/* pdf_pages.c: the page tree read as far as needed, not QPDF's list of every page (which resolves them all).
 * The root /Pages node's /Count, or -1 when it has none a reader could use. */
int es_pdf_pages_count(es_pdf_doc *doc);
/* Calls fn for each page in reading order (index from 0) until it returns non-zero. Returns 1 when fn stopped the
 * walk, 0 when every page was visited, -1 for a tree no reader follows (a node not a dictionary, deeper than 32
 * levels, more than 4 M nodes) or a QPDF error. */
typedef int (*es_pdf_page_fn)(es_pdf_doc *doc, qpdf_oh page, int index, void *ctx);
int es_pdf_pages_walk(es_pdf_doc *doc, es_pdf_page_fn fn, void *ctx);
/* Page index (from 0) as a new handle, or a null object when the tree has no such page. */
qpdf_oh es_pdf_page_at(es_pdf_doc *doc, int index);
/* Reads a 4-number rectangle, normalised so that x0 <= x1, y0 <= y1. */
int es_pdf_read_rect(es_pdf_doc *doc, qpdf_oh arr, double r[4]);
/* The first eSeal<k> (k = 1, 2, ...) that is not a top-level field name in /AcroForm /Fields, into name[len]: a new
 * field's name must be unique. Returns 0 when out of memory. */
int es_pdf_new_field_name(es_pdf_doc *doc, char *name, size_t len);

/* ---- the incremental update (pdf_update.c) ---- */

typedef struct es_pdf_xref_entry {
	long long num;
	int gen;
	size_t rel; /* offset of "num gen obj" within the update */
} es_pdf_xref_entry;

typedef struct es_pdf_update {
	es_buf buf; /* the update's bytes; written after the original */
	off_t base; /* size of the original */
	es_pdf_xref_entry *entries;
	size_t n_entries, cap_entries;
	long long next_num;
	const es_pdf_crypt *crypt; /* the document's: strings and streams of new objects are encrypted with it */
} es_pdf_update;

void es_pdf_update_init(es_pdf_update *u, const es_pdf_doc *doc);
long long es_pdf_update_new_num(es_pdf_update *u);
/* Starts "num gen obj\n" and records its offset for the cross-reference section. */
void es_pdf_update_begin_obj(es_pdf_update *u, long long num, int gen);
void es_pdf_update_end_obj(es_pdf_update *u);
/* A new revision of the original's indirect object obj (same number and generation) whose value is text. */
void es_pdf_update_replace(es_pdf_update *u, qpdf_data q, qpdf_oh obj, const es_buf *text);
/* A whole stream object: dict_body goes between "<<" and ">>" (without /Length, added here). */
void es_pdf_update_stream(es_pdf_update *u, long long num, const char *dict_body, const void *data, size_t len);
/* Appends the cross-reference section (kind of the original's last one), trailer and %%EOF. */
int es_pdf_update_finish(es_pdf_update *u, const es_pdf_doc *doc, eseal_error *err);
void es_pdf_update_free(es_pdf_update *u);

/* ---- sealing (pdf_seal.c; its steps share pdf_seal_internal.h) ---- */

/* eseal_pdf_seal with the first /Contents reservation given (0 = the core's estimate); tests use a too small one to
 * exercise the reseal-with-more-room path. */
int es_pdf_seal_reserving(const char *in_path, const char *out_path, const eseal_pdf_options *opts,
			  size_t first_reserve, eseal_error *err);

/* ---- visible seal (pdf_appearance.c, pdf_image.c) ---- */

typedef struct es_pdf_image {
	int width, height;
	char *dict;          /* dictionary body of the image XObject (without /Length, /SMask) */
	unsigned char *data; /* encoded stream data */
	size_t len;
	unsigned char *smask; /* Flate-compressed 8-bit alpha, or NULL */
	size_t smask_len;
} es_pdf_image;

/* Loads a PNG (decoded by Cairo, re-encoded Flate + SMask) or a JPEG (DCTDecode passthrough). */
int es_pdf_image_load(const char *path, es_pdf_image *img, eseal_error *err);
/* RGBA pixels (Cairo ARGB32, premultiplied) -> Flate RGB image + Flate alpha SMask. */
int es_pdf_image_from_argb(const unsigned char *px, int width, int height, int stride, es_pdf_image *img,
			   eseal_error *err);
void es_pdf_image_free(es_pdf_image *img);

typedef struct es_pdf_stamp_text {
	const char *organization;   /* UTF-8, may be NULL */
	const char *org_identifier; /* may be NULL */
	const char *timezone;       /* the stamp's time zone; NULL = the system's */
	int clear;                  /* no opaque background: the stamp lies over page content */
	time_t when;
} es_pdf_stamp_text;

/* Whether a w x h point stamp can be rendered (about 2 to 2000 points a side). */
int es_pdf_stamp_size_ok(double w, double h);
/* Renders the generated stamp (frame, organization, identifier, time) at w x h points to an image. */
int es_pdf_stamp_render(const es_pdf_stamp_text *t, double w, double h, es_pdf_image *img, eseal_error *err);

/* Writes image XObjects and the appearance form XObject for a w x h widget into u; rotate is the page's
 * /Rotate (0, 90, 180, 270). text (ASCII; may be NULL) is laid invisibly over the stamp, so that the stamp's time can
 * be searched and copied like the rest of the page. Returns the form's object number in *ap_num. */
int es_pdf_appearance_write(es_pdf_update *u, double w, double h, int rotate, const es_pdf_image *seal_image,
			    const es_pdf_image *stamp, const char *text, long long *ap_num, eseal_error *err);
/* The stamp's time line ("e-Seal 2026-12-04 03:10:33 JST (UTC+09:00)"), as drawn. */
int es_pdf_stamp_time_line(const es_pdf_stamp_text *t, char *out, size_t size, eseal_error *err);

#endif
