/* pdf/pdf_appearance.c: the visible seal: a generated stamp (organization, identifier, time) rendered with
 * Cairo/Pango to an image, so any script (Japanese names included) shows without embedding a font, plus the
 * optional seal image, placed by an appearance form XObject that counter-rotates for the page's /Rotate. */
#include "pdf_internal.h"
#include "core/error_internal.h"
#include "core/tz_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cairo.h>
#include <pango/pangocairo.h>

/* Pixels per point of the rendered stamp: sharp when printed at 288 dpi, still small once compressed. */
#define STAMP_SCALE 4.0
#define STAMP_FONT "Noto Sans CJK JP"

/* Draws one line centred in [y, y+line_h), shrinking the font until it fits the width. */
static void draw_line(cairo_t *cr, const char *text, int bold, double x0, double width, double y, double line_h)
{
	PangoLayout *layout = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_new();
	PangoRectangle ink, logical;
	double size = line_h * 0.68;

	pango_font_description_set_family(fd, STAMP_FONT);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_layout_set_font_description(layout, fd);
	pango_layout_set_text(layout, text, -1);
	pango_layout_get_pixel_extents(layout, &ink, &logical);
	if (logical.width > width && logical.width > 0) {
		size *= 0.96 * width / logical.width;
		pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
		pango_layout_set_font_description(layout, fd);
		pango_layout_get_pixel_extents(layout, &ink, &logical);
	}
	cairo_move_to(cr, x0 + (width - logical.width) / 2.0, y + (line_h - logical.height) / 2.0);
	pango_cairo_show_layout(cr, layout);
	pango_font_description_free(fd);
	g_object_unref(layout);
}

static void rounded_rect(cairo_t *cr, double x, double y, double w, double h, double r)
{
	cairo_new_sub_path(cr);
	cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
	cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
	cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
	cairo_arc(cr, x + r, y + r, r, M_PI, 1.5 * M_PI);
	cairo_close_path(cr);
}

/* Compared as doubles, before any conversion to int: a widget's /Rect comes from the document and may be 1e30 or
 * infinite (the negation keeps NaN out too). */
int es_pdf_stamp_size_ok(double w, double h)
{
	return ceil(w * STAMP_SCALE) >= 8 && ceil(h * STAMP_SCALE) >= 8 && ceil(w * STAMP_SCALE) <= 8000 &&
	       ceil(h * STAMP_SCALE) <= 8000;
}

int es_pdf_stamp_time_line(const es_pdf_stamp_text *t, char *out, size_t size, eseal_error *err)
{
	char when[64];
	int rc;

	if ((rc = es_tz_format(t->timezone, t->when, when, sizeof(when), err)) != ESEAL_OK)
		return rc;
	snprintf(out, size, "e-Seal %s", when);
	return ESEAL_OK;
}

int es_pdf_stamp_render(const es_pdf_stamp_text *t, double w, double h, es_pdf_image *img, eseal_error *err)
{
	cairo_surface_t *surface = NULL;
	cairo_t *cr = NULL;
	int pw, ph, rc = ESEAL_OK;
	double line = 2.0 * STAMP_SCALE, pad, inner_w, inner_h, y;
	char line3[96];
	int lines;

	memset(img, 0, sizeof(*img));
	if (!es_pdf_stamp_size_ok(w, h))
		return es_error_set(err, ESEAL_E_USAGE, "seal rectangle %.1fx%.1f pt is too small or too large", w, h);
	pw = (int)ceil(w * STAMP_SCALE);
	ph = (int)ceil(h * STAMP_SCALE);
	if ((rc = es_pdf_stamp_time_line(t, line3, sizeof(line3), err)) != ESEAL_OK)
		return rc;

	surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, pw, ph);
	cr = cairo_create(surface);
	/* Frame and a light, mostly opaque background so the text stays legible over page content. */
	rounded_rect(cr, line / 2, line / 2, pw - line, ph - line, 4 * STAMP_SCALE);
	if (!t->clear) {
		cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
		cairo_fill_preserve(cr);
	}
	cairo_set_source_rgb(cr, 0.72, 0.07, 0.07);
	cairo_set_line_width(cr, line);
	cairo_stroke(cr);

	pad = 4 * STAMP_SCALE;
	inner_w = pw - 2 * pad;
	inner_h = ph - 2 * pad;
	lines = (t->org_identifier != NULL && *t->org_identifier) ? 3 : 2;
	y = pad;
	/* The organization is what "origin" means to a reader: it gets the largest line. */
	draw_line(cr, t->organization != NULL && *t->organization ? t->organization : "e-Seal", 1, pad, inner_w, y,
		  inner_h * (lines == 3 ? 0.42 : 0.55));
	y += inner_h * (lines == 3 ? 0.42 : 0.55);
	if (lines == 3) {
		draw_line(cr, t->org_identifier, 0, pad, inner_w, y, inner_h * 0.29);
		y += inner_h * 0.29;
	}
	draw_line(cr, line3, 0, pad, inner_w, y, inner_h * (lines == 3 ? 0.29 : 0.45));
	cairo_surface_flush(surface);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "cannot render the seal stamp: %s",
				  cairo_status_to_string(cairo_status(cr)));
		goto cleanup;
	}
	rc = es_pdf_image_from_argb(cairo_image_surface_get_data(surface), pw, ph,
				    cairo_image_surface_get_stride(surface), img, err);
cleanup:
	if (cr != NULL)
		cairo_destroy(cr);
	if (surface != NULL)
		cairo_surface_destroy(surface);
	return rc;
}

/* Image XObject (and its SMask); returns its object number. */
static long long write_image(es_pdf_update *u, const es_pdf_image *img)
{
	long long num = es_pdf_update_new_num(u), smask = 0;
	es_buf dict = {0};
	char smask_dict[200];

	if (img->smask != NULL) {
		smask = es_pdf_update_new_num(u);
		snprintf(smask_dict, sizeof(smask_dict),
			 "/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
			 "/BitsPerComponent 8 /Filter /FlateDecode",
			 img->width, img->height);
		es_pdf_update_stream(u, smask, smask_dict, img->smask, img->smask_len);
	}
	es_buf_puts(&dict, img->dict);
	if (smask)
		es_buf_printf(&dict, " /SMask %lld 0 R", smask);
	if (dict.oom)
		u->buf.oom = 1;
	else
		es_pdf_update_stream(u, num, dict.data, img->data, img->len);
	es_buf_free(&dict);
	return num;
}

int es_pdf_appearance_write(es_pdf_update *u, double w, double h, int rotate, const es_pdf_image *seal_image,
			    const es_pdf_image *stamp, const char *text, long long *ap_num, eseal_error *err)
{
	es_buf content = {0}, dict = {0};
	long long im_seal = 0, im_stamp = 0;
	double iw = 0, ih = 0, sx = 0;
	static const char *const matrix[4] = {"1 0 0 1 0 0", "0 1 -1 0 0 0", "-1 0 0 -1 0 0", "0 -1 1 0 0 0"};
	int rc = ESEAL_OK;

	if (seal_image != NULL) {
		/* The seal image keeps its aspect ratio, on the left, at most half the width when a stamp follows. */
		double max_w = stamp != NULL ? w / 2 : w;

		ih = h;
		iw = h * seal_image->width / (double)seal_image->height;
		if (iw > max_w) {
			iw = max_w;
			ih = iw * seal_image->height / (double)seal_image->width;
		}
		im_seal = write_image(u, seal_image);
		es_buf_puts(&content, "q ");
		es_buf_real(&content, iw);
		es_buf_puts(&content, " 0 0 ");
		es_buf_real(&content, ih);
		es_buf_puts(&content, " 0 ");
		es_buf_real(&content, (h - ih) / 2);
		es_buf_puts(&content, " cm /Seal Do Q\n");
		sx = iw;
	}
	if (stamp != NULL) {
		im_stamp = write_image(u, stamp);
		es_buf_puts(&content, "q ");
		es_buf_real(&content, w - sx);
		es_buf_puts(&content, " 0 0 ");
		es_buf_real(&content, h);
		es_buf_puts(&content, " ");
		es_buf_real(&content, sx);
		es_buf_puts(&content, " 0 cm /Stamp Do Q\n");
	}
	if (text != NULL) {
		const char *p;

		/* Render mode 3: neither filled nor stroked, only there for text extraction (as OCR layers are). */
		es_buf_puts(&content, "BT 3 Tr /EsF 6 Tf ");
		es_buf_real(&content, sx + 4);
		es_buf_puts(&content, " 4 Td (");
		for (p = text; *p != '\0'; p++)
			if (*p == '(' || *p == ')' || *p == '\\')
				es_buf_printf(&content, "\\%c", *p);
			else if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f)
				es_buf_printf(&content, "%c", *p);
		es_buf_puts(&content, ") Tj ET\n");
	}
	es_buf_puts(&dict, "/Type /XObject /Subtype /Form /BBox [0 0 ");
	es_buf_real(&dict, w);
	es_buf_puts(&dict, " ");
	es_buf_real(&dict, h);
	/* The viewer maps the transformed BBox onto /Rect; the matrix turns the content against the page's rotation
	 * so the seal reads upright on screen. */
	es_buf_printf(&dict, "] /Matrix [%s] /Resources << /XObject <<", matrix[(rotate / 90) & 3]);
	if (im_seal)
		es_buf_printf(&dict, " /Seal %lld 0 R", im_seal);
	if (im_stamp)
		es_buf_printf(&dict, " /Stamp %lld 0 R", im_stamp);
	es_buf_puts(&dict, " >>");
	if (text != NULL)
		es_buf_puts(&dict, " /Font << /EsF << /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
				   "/Encoding /WinAnsiEncoding >> >>");
	es_buf_puts(&dict, " >>");
	if (content.oom || dict.oom) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	*ap_num = es_pdf_update_new_num(u);
	es_pdf_update_stream(u, *ap_num, dict.data, content.data ? content.data : "", content.len);
cleanup:
	es_buf_free(&content);
	es_buf_free(&dict);
	return rc;
}
