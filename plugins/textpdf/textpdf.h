/* plugins/textpdf/textpdf.h: a plain-text print job as a PDF, for the front ends that accept text (the CUPS queue's
 * filter eseal-texttopdf, the printer application), so that both print Japanese text the same way. */
#ifndef ES_TEXTPDF_H
#define ES_TEXTPDF_H

#include <cairo.h>

#include "eseal/error.h"

/* More text than this (some 8,000 pages) is not an office document. */
#define ES_TEXTPDF_MAX_BYTES ((size_t)16 << 20)

typedef struct es_textpdf_page {
	double width, height; /* points; either below 144 (2 inches): A4 */
	const char *title;    /* the PDF's /Title (the job's name); NULL: none */
} es_textpdf_page;

/* Reads the text at in_path ("-": standard input, a pipe is read to its end) and writes a PDF of it to out_fd.
 * The text is UTF-8, or Shift_JIS (CP932, what Japanese Windows writes), which is converted; anything else, NUL bytes
 * or more than ES_TEXTPDF_MAX_BYTES is refused (ESEAL_E_INPUT). Lines wrap at the margin, a page break never cuts a
 * line, a form feed starts a page; Pango picks a font per script (Noto CJK or IPA Gothic for Japanese) and cairo
 * embeds it with a ToUnicode map, so the PDF's text can be searched and copied. A write error is ESEAL_E_IO. */
int es_textpdf_convert(const char *in_path, int out_fd, const es_textpdf_page *page, eseal_error *err);

/* A cairo_write_func_t that writes to the descriptor *(int *)closure (EINTR retried, short writes continued), for the
 * PDF surfaces the front ends stream into a job file (the printer's raster pages use it too). */
cairo_status_t es_textpdf_write_fd(void *closure, const unsigned char *data, unsigned int len);

#endif
