/* pdf/pdf_objread.h: objects of an unencrypted PDF held in memory, read by our cross-reference reader and lexer
 * rather than QPDF: the few dictionaries a seal changes, without parsing every object of the streams they sit in. */
#ifndef ES_PDF_OBJREAD_H
#define ES_PDF_OBJREAD_H

#include <stddef.h>

#include "pdf_lex.h"
#include "pdf_xref.h"

typedef struct es_pdf_objs es_pdf_objs;

/* A value as the file holds it: its bytes p[v.start, v.end), its kind in v (ES_VAL_NULL for an absent key), and for
 * a dictionary its entries in d (read one level deep; es_pdf_val_free). */
typedef struct es_pdf_val {
	const unsigned char *p;
	es_dict_entry v;
	es_dict d;
} es_pdf_val;

/* A reader of buf[0..len), whose chain x (es_pdf_xref_scan's, kept by the caller) has sized every object stream; buf
 * NULL: the index of the chain only (es_pdf_objs_entry). NULL when the file is one this reader does not read as QPDF
 * would (encrypted, a hybrid file) or out of memory. */
es_pdf_objs *es_pdf_objs_new(const unsigned char *buf, size_t len, const es_pdf_xref *x);
/* The entry QPDF uses for object num (the first in the chain's reading order): 1 with its type (0 free, 1 in the
 * file, 2 in an object stream) and offset (type 2: the object stream's number), 0 when the chain has none or num
 * is the number a cross-reference stream's "num gen obj" gives (QPDF keeps that stream as the object). */
int es_pdf_objs_entry(const es_pdf_objs *r, long long num, int *type, long long *offset);
void es_pdf_objs_free(es_pdf_objs *r);

/* The first object whose entry QPDF uses (in use, offset 0 included) points at no "num gen obj" of it (a reader
 * built on buf), else 0: QPDF, reading that object, rebuilds its cross-reference table from the file's object
 * headers, after which what it reads depends on what it had read before (Poppler rebuilds it too, and reads the
 * last header of each number). Nothing our lexer reads stands for QPDF's reading of such a file. */
long long es_pdf_objs_damaged(const es_pdf_objs *r);
/* The same check for a file es_pdf_objs_new does not read (encrypted: object headers are not encrypted; hybrid: every
 * entry of the chain is checked, used or not), over buf, the file's bytes, and x, its chain: the object number, 0,
 * or -1 out of memory. */
long long es_pdf_xref_damaged(const unsigned char *buf, size_t len, const es_pdf_xref *x);
/* The newest trailer dictionary (a cross-reference stream's dictionary). 0, or -1. */
int es_pdf_objs_trailer(es_pdf_objs *r, es_pdf_val *out);
/* Object (num, gen) as QPDF resolves "num gen R", its value (not a stream) into *out. 0, or -1 when it cannot be read
 * so (free, in a broken object stream, damaged, a dictionary giving a key twice at any depth): the caller lets QPDF
 * read the file. */
int es_pdf_objs_get(es_pdf_objs *r, long long num, long long gen, es_pdf_val *out);
/* The same, and a stream's dictionary as QPDF reads it (the dictionary before "stream"; *is_stream set): for what
 * depends on the dictionary only. Not kept among the objects read last. */
int es_pdf_objs_get_head(es_pdf_objs *r, long long num, long long gen, es_pdf_val *out, int *is_stream);
/* The value of key in dict (ES_VAL_NULL when absent), a reference followed once when resolve is set; an indirect
 * value's number and generation in *num, *gen (0 for a direct one; may be NULL). 0, or -1. */
int es_pdf_val_key(es_pdf_objs *r, const es_pdf_val *dict, const char *key, int resolve, es_pdf_val *out,
		   long long *num, long long *gen);
/* The next item of array value a (as it is written: not resolved) into *out; *pos is 0 before the first. 1, 0 after
 * the last, -1 damaged. */
int es_pdf_val_next(const es_pdf_val *a, size_t *pos, es_pdf_val *out);
/* A reference's target (a non-reference is copied). 0, or -1. */
int es_pdf_val_resolve(es_pdf_objs *r, const es_pdf_val *v, es_pdf_val *out, long long *num, long long *gen);
void es_pdf_val_free(es_pdf_val *v);
/* A string value's bytes as QPDF decodes them, when our lexer can tell without decoding escapes: a literal without
 * backslash or line end (QPDF normalises those), or a hex string of hex digits and white space. Into *raw (malloc),
 * *n bytes: 1, 0 when v is no string, -1 when only QPDF can tell or out of memory. */
int es_pdf_val_string_bytes(const es_pdf_val *v, unsigned char **raw, size_t *n);
/* A lexed rectangle value e (bytes in p), as es_pdf_rect_value reads it: 1, 0 not a rectangle, -1 when only QPDF
 * can tell (a reference inside, a number our lexer and QPDF may read apart). */
int es_pdf_val_rect(const unsigned char *p, const es_dict_entry *e, double out[4]);
/* Whether d (read from p), or a dictionary inside one of its values, gives a key twice (QPDF keeps the last, other
 * readers the first): 1, 0, or -1 when our lexer cannot read it or tell (a key too long for it to keep). */
int es_pdf_dict_has_dup(const unsigned char *p, const es_dict *d);

#endif
