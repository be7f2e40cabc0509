/* report/report_picture.c: pictures of sealed pages for the HTML and PDF reports: Poppler's rendering with the seal's
 * rectangle and the areas changed after sealing outlined (both drawn by the renderer module). */
#include "report_internal.h"

#include "pdf/pdf_render.h"

#include <string.h>

/* A rectangle in PDF points (origin bottom left) drawn on a picture of a page h points high at scale k px/pt. */
static void outline(const es_render_ops *ops, es_image *img, const double rgb[3], double k, double h, double x0,
		    double y0, double x1, double y1)
{
	double pad = 2.0;

	ops->stroke_rect(img, rgb, 3.0, x0 * k - pad, (h - y1) * k - pad, (x1 - x0) * k + 2 * pad,
			 (y1 - y0) * k + 2 * pad);
}

int es_report_page_picture(const unsigned char *buf, size_t len, int page, double dpi, const eseal_seal_report *s,
			   int mark_changes, es_image *out)
{
	/* The seal: pure blue, a colour pages rarely use; what changed: pure red. */
	static const double blue[3] = {0.0, 0.0, 1.0}, red[3] = {1.0, 0.0, 0.0};
	const es_render_ops *ops;
	es_pdf_render *doc = NULL;
	eseal_error err;
	double w, h, k = dpi / 72.0;
	size_t i;
	int made = 0;

	memset(out, 0, sizeof(*out));
	eseal_error_clear(&err);
	if (es_render_ops_get(&ops, &err) != ESEAL_OK ||
	    es_pdf_render_open(buf, len, NULL, "report", &doc, &err) != ESEAL_OK)
		return 0;
	if (es_pdf_render_page_size(doc, page, &w, &h, &err) != ESEAL_OK ||
	    es_pdf_render_page(doc, page, dpi, out, &err) != ESEAL_OK)
		goto cleanup;
	if (s != NULL && s->page == page)
		outline(ops, out, blue, k, h, s->rect[0], s->rect[1], s->rect[2], s->rect[3]);
	for (i = 0; s != NULL && mark_changes && i < s->n_visual_changes; i++)
		if (s->visual_changes[i].page == page)
			outline(ops, out, red, k, h, s->visual_changes[i].x0, s->visual_changes[i].y0,
				s->visual_changes[i].x1, s->visual_changes[i].y1);
	made = 1;
cleanup:
	es_pdf_render_free(doc);
	return made;
}
