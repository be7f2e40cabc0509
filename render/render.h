/* render/render.h: the drawing the library does (Poppler's page images, the stamp, PNG, the PDF report's pages) as a
 * table of functions in the renderer module libeseal-render.so.0, loaded on first use so that a verification or a
 * seal without a visible stamp never maps cairo, pango or Poppler. */
#ifndef ES_RENDER_H
#define ES_RENDER_H

#include <stddef.h>

#include "eseal/error.h"

/* The module's file name (dlopen searches it as the dynamic linker does: the caller's RUNPATH, ld.so.cache, the
 * system folders) and the one function it exports, returning its table. A new table layout gets a new name. */
#define ES_RENDER_MODULE "libeseal-render.so.0"
#define ES_RENDER_ENTRY "eseal_render_module_v1"

/* An image in cairo's ARGB32 layout: native-endian 32-bit pixels, alpha premultiplied, rows stride bytes apart.
 * px is malloc'd (the module allocates the images it decodes with the same malloc). */
typedef struct es_image {
	unsigned char *px;
	int width, height, stride;
} es_image;

/* Where the module writes a PNG or a PDF: 0 when all len bytes were taken. */
typedef int (*es_render_write_fn)(void *closure, const unsigned char *data, size_t len);

typedef struct es_render_doc es_render_doc;     /* a PDF opened by Poppler */
typedef struct es_render_paper es_render_paper; /* a PDF being drawn (cairo's PDF surface) */

/* Functions that can fail return 0, or -1 with a one-line reason in why[why_len] (no file name: the caller adds
 * it). The module knows nothing of the library: no eseal_error, no es_* function, only what is passed here. */
typedef struct es_render_ops {
	size_t size; /* sizeof(es_render_ops) the module was built with */

	/* Poppler. data is read in place and must outlive the document; password may be NULL. */
	es_render_doc *(*doc_open)(const unsigned char *data, size_t len, const char *password, char *why,
				   size_t why_len);
	void (*doc_free)(es_render_doc *d);
	int (*doc_pages)(const es_render_doc *d);
	/* The page's size in points as a reader sees it (crop box after /Rotate); -1 when Poppler cannot read it. */
	int (*page_size)(const es_render_doc *d, int page, double *width, double *height);
	/* Paints img white and draws page on it at scale pixels per point, as printed. */
	int (*page_draw)(const es_render_doc *d, int page, double scale, es_image *img, char *why, size_t why_len);

	/* A PNG decoded to a new image (width and height at most max_side; the caller frees px). */
	int (*png_decode)(const unsigned char *data, size_t len, int max_side, es_image *out, char *why,
			  size_t why_len);
	int (*png_encode)(const es_image *img, es_render_write_fn write, void *closure);
	/* A rectangle's outline (pixels, y down) in an opaque colour. */
	void (*stroke_rect)(es_image *img, const double rgb[3], double line_width, double x, double y, double w,
			    double h);
	/* The generated seal stamp on img (transparent), scale pixels per point: a red rounded frame, a white
	 * background unless clear, and lines[0] (the organization, bold and largest), then the others; n is 2 or 3. */
	int (*stamp_draw)(es_image *img, double scale, int clear, const char *const *lines, size_t n, char *why,
			  size_t why_len);

	/* A PDF of width x height point pages written through write; NULL when cairo cannot start one. */
	es_render_paper *(*paper_new)(es_render_write_fn write, void *closure, double width, double height,
				      const char *title, const char *creator);
	/* Plain text (never markup) in font at size points, wrapped to width; drawn with its top left at (x, y) in
	 * rgb when draw is set. Returns its height in points either way. */
	double (*paper_text)(es_render_paper *p, const char *text, const char *font, double size, int bold,
			     double width, int draw, double x, double y, const double rgb[3]);
	/* img with its top left at (x, y), k points per pixel, framed by a thin grey line. */
	void (*paper_image)(es_render_paper *p, const es_image *img, double x, double y, double k);
	void (*paper_next_page)(es_render_paper *p);
	/* Finishes the PDF and frees p: 0 when everything was written. */
	int (*paper_finish)(es_render_paper *p);
} es_render_ops;

/* The module's table, loaded once per process (thread-safe); ESEAL_E_CONFIG naming the module and dlopen's reason
 * when it is not installed or is not ours. */
eseal_status es_render_ops_get(const es_render_ops **out, eseal_error *err);

/* A w x h image of transparent pixels; ESEAL_E_INTERNAL out of memory. */
eseal_status es_image_new(es_image *img, int width, int height, eseal_error *err);
/* Frees the pixels and zeroes img; img may be zeroed already. */
void es_image_clear(es_image *img);

#endif
