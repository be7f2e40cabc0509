/* render/module/paper.c: the renderer module's PDF pages (cairo's PDF surface, text laid out by pango): what the PDF
 * report draws on. The report decides what goes where; this only draws. */
#include "module_internal.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>

struct es_render_paper {
	cairo_surface_t *surface;
	cairo_t *cr;
	es_render_write_fn write;
	void *closure;
};

static cairo_status_t to_sink(void *closure, const unsigned char *data, unsigned int len)
{
	es_render_paper *p = closure;

	return p->write(p->closure, data, len) == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

es_render_paper *esr_paper_new(es_render_write_fn write, void *closure, double width, double height,
			       const char *title, const char *creator)
{
	es_render_paper *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->write = write;
	p->closure = closure;
	p->surface = cairo_pdf_surface_create_for_stream(to_sink, p, width, height);
	p->cr = cairo_create(p->surface);
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, creator);
	return p;
}

double esr_paper_text(es_render_paper *p, const char *text, const char *font, double size, int bold, double width,
		      int draw, double x, double y, const double rgb[3])
{
	PangoLayout *l = pango_cairo_create_layout(p->cr);
	PangoFontDescription *fd = pango_font_description_from_string(font);
	int w, h;

	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(l, fd);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	/* Plain text: certificate names are not trusted, so never pango markup. */
	pango_layout_set_text(l, text, -1);
	pango_layout_get_size(l, &w, &h);
	if (draw) {
		cairo_set_source_rgb(p->cr, rgb[0], rgb[1], rgb[2]);
		cairo_move_to(p->cr, x, y);
		pango_cairo_show_layout(p->cr, l);
	}
	pango_font_description_free(fd);
	g_object_unref(l);
	return (double)h / PANGO_SCALE;
}

void esr_paper_image(es_render_paper *p, const es_image *img, double x, double y, double k)
{
	/* A copy cairo owns: the PDF surface keeps its source until the document is finished, and the caller's pixels
	 * are freed as soon as this returns. */
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, img->width, img->height);
	int row;

	if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
		unsigned char *dst = cairo_image_surface_get_data(s);
		int stride = cairo_image_surface_get_stride(s);

		cairo_surface_flush(s);
		for (row = 0; row < img->height; row++)
			memcpy(dst + (size_t)row * (size_t)stride, img->px + (size_t)row * (size_t)img->stride,
			       (size_t)img->width * 4);
		cairo_surface_mark_dirty(s);
		cairo_save(p->cr);
		cairo_translate(p->cr, x, y);
		cairo_scale(p->cr, k, k);
		cairo_set_source_surface(p->cr, s, 0, 0);
		cairo_paint(p->cr);
		cairo_restore(p->cr);
	}
	cairo_surface_destroy(s);
	cairo_set_source_rgb(p->cr, 0.6, 0.6, 0.6);
	cairo_set_line_width(p->cr, 0.5);
	cairo_rectangle(p->cr, x, y, img->width * k, img->height * k);
	cairo_stroke(p->cr);
}

void esr_paper_next_page(es_render_paper *p)
{
	cairo_show_page(p->cr);
}

int esr_paper_finish(es_render_paper *p)
{
	int rc;

	if (p == NULL)
		return -1;
	cairo_destroy(p->cr);
	cairo_surface_finish(p->surface);
	rc = cairo_surface_status(p->surface) == CAIRO_STATUS_SUCCESS ? 0 : -1;
	cairo_surface_destroy(p->surface);
	free(p);
	return rc;
}
