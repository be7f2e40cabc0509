/* report/report_picture.c: pictures of sealed pages for the HTML and PDF reports: Poppler's rendering with the seal's
 * rectangle and the areas changed after sealing outlined, and PNG as base64 for a self-contained HTML file. */
#include "report_internal.h"

#include "pdf/pdf_render.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* A rectangle in PDF points (origin bottom left) drawn on a picture of a page h points high at scale k px/pt. */
static void outline(cairo_t *cr, double k, double h, double x0, double y0, double x1, double y1)
{
	double pad = 2.0;

	cairo_rectangle(cr, x0 * k - pad, (h - y1) * k - pad, (x1 - x0) * k + 2 * pad, (y1 - y0) * k + 2 * pad);
	cairo_stroke(cr);
}

cairo_surface_t *es_report_page_picture(const unsigned char *buf, size_t len, int page, double dpi,
					const eseal_seal_report *s, int mark_changes)
{
	es_pdf_render *doc = NULL;
	cairo_surface_t *img = NULL;
	cairo_t *cr;
	eseal_error err;
	double w, h, k = dpi / 72.0;
	size_t i;

	eseal_error_clear(&err);
	if (es_pdf_render_open(buf, len, NULL, "report", &doc, &err) != ESEAL_OK)
		return NULL;
	if (es_pdf_render_page_size(doc, page, &w, &h, &err) != ESEAL_OK ||
	    es_pdf_render_page(doc, page, dpi, &img, &err) != ESEAL_OK)
		goto cleanup;
	cr = cairo_create(img);
	cairo_set_line_width(cr, 3.0);
	if (s != NULL && s->page == page) {
		cairo_set_source_rgb(cr, 0.0, 0.0, 1.0); /* the seal: pure blue, a colour pages rarely use */
		outline(cr, k, h, s->rect[0], s->rect[1], s->rect[2], s->rect[3]);
	}
	if (s != NULL && mark_changes) {
		cairo_set_source_rgb(cr, 1.0, 0.0, 0.0); /* what changed: pure red */
		for (i = 0; i < s->n_visual_changes; i++)
			if (s->visual_changes[i].page == page)
				outline(cr, k, h, s->visual_changes[i].x0, s->visual_changes[i].y0,
					s->visual_changes[i].x1, s->visual_changes[i].y1);
	}
	cairo_destroy(cr);
	cairo_surface_flush(img);
cleanup:
	es_pdf_render_free(doc);
	return img;
}
