/* pdf/pdf_render.h: what a reader sees: a PDF (or one earlier revision of it, given as its leading bytes) rendered
 * page by page with Poppler (in the renderer module, render/), for seal placement on blank areas and for reports
 * that show signed and current pages. */
#ifndef ES_PDF_RENDER_H
#define ES_PDF_RENDER_H

#include "eseal/error.h"
#include "render/render.h"

#include <stddef.h>

typedef struct es_pdf_render es_pdf_render;

/* Largest image es_pdf_render_page makes, in pixels: a page at a DPI that would exceed it is refused, not shrunk, so
 * a caller comparing two renderings never compares different scales. */
#define ES_PDF_RENDER_MAX_PIXELS (64u * 1024u * 1024u)

/* Opens the PDF held in data (not copied: data must outlive *out); password may be NULL. name is the file named in
 * messages. ESEAL_E_INPUT when Poppler cannot read it, ESEAL_E_CONFIG when the renderer module is missing. */
eseal_status es_pdf_render_open(const unsigned char *data, size_t len, const char *password, const char *name,
				es_pdf_render **out, eseal_error *err);
void es_pdf_render_free(es_pdf_render *r);

int es_pdf_render_page_count(const es_pdf_render *r);

/* The page's size in points as a reader sees it (the crop box, after /Rotate). page is 0-based. */
eseal_status es_pdf_render_page_size(const es_pdf_render *r, int page, double *width, double *height,
				     eseal_error *err);

/* Renders page at dpi on white into *out (the caller clears it with es_image_clear), as printed: without
 * annotations that are hidden when printing, with form fields' appearances. */
eseal_status es_pdf_render_page(const es_pdf_render *r, int page, double dpi, es_image *out, eseal_error *err);

#endif
