/* render/module/draw.c: the renderer module's cairo and pango drawing on images: the generated seal stamp (any script,
 * Japanese names included, without embedding a font), PNG in and out, outlines on page pictures. */
#include "module_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pango/pangocairo.h>

#define STAMP_FONT "Noto Sans CJK JP"

cairo_surface_t *esr_surface(es_image *img)
{
	return cairo_image_surface_create_for_data(img->px, CAIRO_FORMAT_ARGB32, img->width, img->height, img->stride);
}

/* Cairo reads the PNG from the bytes the library already read (the file is opened once). */
struct png_source {
	const unsigned char *data;
	size_t len, pos;
};

static cairo_status_t read_png_bytes(void *closure, unsigned char *out, unsigned int length)
{
	struct png_source *src = closure;

	if (length > src->len - src->pos)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(out, src->data + src->pos, length);
	src->pos += length;
	return CAIRO_STATUS_SUCCESS;
}

int esr_png_decode(const unsigned char *data, size_t len, int max_side, es_image *out, char *why, size_t why_len)
{
	struct png_source png = {data, len, 0};
	cairo_surface_t *src = NULL, *argb = NULL;
	cairo_t *cr = NULL;
	int w, h, rc = -1;

	memset(out, 0, sizeof(*out));
	src = cairo_image_surface_create_from_png_stream(read_png_bytes, &png);
	if (cairo_surface_status(src) != CAIRO_STATUS_SUCCESS) {
		snprintf(why, why_len, "cannot read the PNG image: %s", cairo_status_to_string(cairo_surface_status(src)));
		goto cleanup;
	}
	w = cairo_image_surface_get_width(src);
	h = cairo_image_surface_get_height(src);
	if (w < 1 || h < 1 || w > max_side || h > max_side) {
		snprintf(why, why_len, "image size %dx%d not supported (1..%d pixels a side)", w, h, max_side);
		goto cleanup;
	}
	if ((out->px = calloc((size_t)w * (size_t)h, 4)) == NULL) {
		snprintf(why, why_len, "out of memory for a %dx%d image", w, h);
		goto cleanup;
	}
	out->width = w;
	out->height = h;
	out->stride = w * 4;
	/* Whatever format Cairo decoded to (RGB24, A8, ...), one ARGB32 layout for the caller. */
	argb = esr_surface(out);
	cr = cairo_create(argb);
	cairo_set_source_surface(cr, src, 0, 0);
	cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
	cairo_paint(cr);
	cairo_surface_flush(argb);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
		snprintf(why, why_len, "cannot convert the image: %s", cairo_status_to_string(cairo_status(cr)));
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (cr != NULL)
		cairo_destroy(cr);
	if (argb != NULL)
		cairo_surface_destroy(argb);
	if (src != NULL)
		cairo_surface_destroy(src);
	if (rc != 0) {
		free(out->px);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

struct png_sink {
	es_render_write_fn write;
	void *closure;
};

static cairo_status_t write_png_bytes(void *closure, const unsigned char *data, unsigned int len)
{
	struct png_sink *sink = closure;

	return sink->write(sink->closure, data, len) == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int esr_png_encode(const es_image *img, es_render_write_fn write, void *closure)
{
	struct png_sink sink = {write, closure};
	/* cairo only reads the pixels to encode them: the cast drops a const cairo's signature lacks. */
	cairo_surface_t *s = esr_surface((es_image *)img);
	cairo_status_t st = cairo_surface_write_to_png_stream(s, write_png_bytes, &sink);

	cairo_surface_destroy(s);
	return st == CAIRO_STATUS_SUCCESS ? 0 : -1;
}

void esr_stroke_rect(es_image *img, const double rgb[3], double line_width, double x, double y, double w, double h)
{
	cairo_surface_t *s = esr_surface(img);
	cairo_t *cr = cairo_create(s);

	cairo_set_line_width(cr, line_width);
	cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
	cairo_rectangle(cr, x, y, w, h);
	cairo_stroke(cr);
	cairo_destroy(cr);
	cairo_surface_flush(s);
	cairo_surface_destroy(s);
}

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

int esr_stamp_draw(es_image *img, double scale, int clear, const char *const *lines, size_t n, char *why,
		   size_t why_len)
{
	/* Share of the inner height per line: the organization is what "origin" means to a reader, so it is largest. */
	static const double three[3] = {0.42, 0.29, 0.29}, two[2] = {0.55, 0.45};
	const double *share = n == 3 ? three : two;
	cairo_surface_t *surface = esr_surface(img);
	cairo_t *cr = cairo_create(surface);
	double line = 2.0 * scale, pad = 4 * scale, inner_w, inner_h, y;
	int pw = img->width, ph = img->height, rc = 0;
	size_t i;

	/* Frame and a light, mostly opaque background so the text stays legible over page content. */
	rounded_rect(cr, line / 2, line / 2, pw - line, ph - line, 4 * scale);
	if (!clear) {
		cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
		cairo_fill_preserve(cr);
	}
	cairo_set_source_rgb(cr, 0.72, 0.07, 0.07);
	cairo_set_line_width(cr, line);
	cairo_stroke(cr);
	inner_w = pw - 2 * pad;
	inner_h = ph - 2 * pad;
	y = pad;
	for (i = 0; i < n && i < 3; i++) {
		draw_line(cr, lines[i], i == 0, pad, inner_w, y, inner_h * share[i]);
		y += inner_h * share[i];
	}
	cairo_surface_flush(surface);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
		snprintf(why, why_len, "%s", cairo_status_to_string(cairo_status(cr)));
		rc = -1;
	}
	cairo_destroy(cr);
	cairo_surface_destroy(surface);
	return rc;
}
