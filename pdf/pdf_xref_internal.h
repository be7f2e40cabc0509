/* pdf/pdf_xref_internal.h: what the parts of our structure reader share: pdf_xref.c (the cross-reference chain),
 * pdf_objstm.c (the object streams it names), and pdf_xref_io.c (reading the file, dictionaries, feeding streams). */
#ifndef ES_PDF_XREF_INTERNAL_H
#define ES_PDF_XREF_INTERNAL_H

#include <stddef.h>

#include "pdf_decode.h"
#include "pdf_lex.h"
#include "pdf_xref.h"

#define ES_XREF_WIN ((size_t)1 << 20) /* bytes read at a time; also the largest dictionary we read */

typedef struct es_xref_scan {
	const unsigned char *mem;
	int fd;
	size_t len;
	unsigned char *win; /* fd: the bytes at win_off */
	size_t win_off, win_len;
	es_pdf_xref *x;
	size_t max_objects, cap_objects, cap_sections;
	unsigned int *in_objstm; /* numbers of objects that type-2 entries put in an object stream, ascending */
	size_t n_in_objstm;
	int count_tokens; /* sizing object streams also counts their tokens */
	int enc_ref;      /* the last trailer's /Encrypt is a reference: to enc_num enc_gen */
	long long enc_num, enc_gen;
	long long size; /* the last trailer's /Size */
	char *why;
	size_t why_len;
	int rc;
} es_xref_scan;

/* QPDF's QUtil::is_space: white space as its cross-reference reader skips it (no NUL). */
int es_xref_qspace(unsigned char c);
/* A warning QPDF gives while it reads the chain (it refuses nothing, but readers may disagree): the first is kept
 * (QPDF's own message reports it again). */
void es_xref_qpdf_warns(es_xref_scan *s, const char *warning);
/* The first failure wins (rc and a one-line why); returns -1 for `return es_xref_refuse(...)`. */
int es_xref_refuse(es_xref_scan *s, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Up to ES_XREF_WIN bytes at off (fewer at the end of the file), valid until the next call. */
const unsigned char *es_xref_view(es_xref_scan *s, size_t off, size_t *got);
/* A lexer over the bytes at off (token offsets relative to off); *cut: the view stops before the file does. */
void es_xref_lex_at(es_xref_scan *s, size_t off, es_lex *lx, int *cut);
/* Where the next token starts (the lexer does not move). */
size_t es_xref_next_start(es_lex *lx);
/* *e = the entry of key; refused when key occurs more than once (QPDF keeps the last, other readers the first). */
int es_xref_once(es_xref_scan *s, const es_dict *d, const char *key, const char *what, size_t off,
		 const es_dict_entry **e);
/* A direct integer value into *v; absent (e NULL) or null leaves *v as it is; anything else is refused. */
int es_xref_opt_int(es_xref_scan *s, const es_dict_entry *e, const char *what, size_t off, long long *v);
/* The dictionary next in lx, refused (naming what and off) when damaged or larger than the window; one giving a key
 * twice at any depth is read, with QPDF's warning noted. */
int es_xref_read_dict(es_xref_scan *s, es_lex *lx, int cut, es_dict *d, const char *what, size_t off);
/* /Filter and /DecodeParms of a stream we size: none or one FlateDecode, direct; anything else is refused. */
int es_xref_stream_filter(es_xref_scan *s, const es_lex *lx, const es_dict *d, const char *what, size_t off,
			  es_pdf_filter *f);
/* Where a stream's data start after the "stream" keyword ending at rel, as QPDF takes the line end after it. */
size_t es_xref_data_start(const es_lex *lx, size_t rel);
/* 1 when QPDF warns about what follows "stream" (ending at rel): anything but "\n" or "\r\n" (a lone CR, spaces). */
int es_xref_data_start_odd(const es_lex *lx, size_t rel);
/* Feeds file bytes [from, to) to d until it ends or fails (es_pdf_decoder_finish is the caller's). */
void es_xref_feed(es_xref_scan *s, es_pdf_decoder *d, size_t from, size_t to);
/* What the cross-reference and object streams may still decode to. */
size_t es_xref_budget(const es_xref_scan *s);
/* "8 MB", "14 kB": sizes in messages, into buf. */
const char *es_xref_human(size_t n, char *buf, size_t len);
/* "<what> decodes to more than <limit> (...)". */
void es_xref_bomb_message(const es_pdf_xref *x, const char *what, char *why, size_t why_len);
void es_xref_too_big(es_xref_scan *s, const char *what);

/* pdf_objstm.c: sizes (unencrypted) or checks (encrypted) every object stream the entries name. */
int es_xref_check_objstms(es_xref_scan *s);

/* qsort after one look for order: the entries of most cross-reference sections and streams come in order already,
 * and sorting them costs a batch more than reading them. Elements cmp calls equal must be interchangeable. */
void es_xref_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

#endif
