/* render/module/module_internal.h: what the renderer module's files share (the module is a shared object of its own:
 * it uses cairo, pango and Poppler and nothing of the library but the table's types in render/render.h). */
#ifndef ESR_MODULE_INTERNAL_H
#define ESR_MODULE_INTERNAL_H

#include <cairo.h>

#include "render/render.h"

/* A cairo surface over img's pixels (not copied: img must outlive it). */
cairo_surface_t *esr_surface(es_image *img);

es_render_doc *esr_doc_open(const unsigned char *data, size_t len, const char *password, char *why, size_t why_len);
void esr_doc_free(es_render_doc *d);
int esr_doc_pages(const es_render_doc *d);
int esr_page_size(const es_render_doc *d, int page, double *width, double *height);
int esr_page_draw(const es_render_doc *d, int page, double scale, es_image *img, char *why, size_t why_len);

int esr_png_decode(const unsigned char *data, size_t len, int max_side, es_image *out, char *why, size_t why_len);
int esr_png_encode(const es_image *img, es_render_write_fn write, void *closure);
void esr_stroke_rect(es_image *img, const double rgb[3], double line_width, double x, double y, double w, double h);
int esr_stamp_draw(es_image *img, double scale, int clear, const char *const *lines, size_t n, char *why,
		   size_t why_len);

es_render_paper *esr_paper_new(es_render_write_fn write, void *closure, double width, double height,
			       const char *title, const char *creator);
double esr_paper_text(es_render_paper *p, const char *text, const char *font, double size, int bold, double width,
		      int draw, double x, double y, const double rgb[3]);
void esr_paper_image(es_render_paper *p, const es_image *img, double x, double y, double k);
void esr_paper_next_page(es_render_paper *p);
int esr_paper_finish(es_render_paper *p);

#endif
