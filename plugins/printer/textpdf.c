/* plugins/printer/textpdf.c: plain text jobs as a PDF, laid out by Pango with a CJK font so Japanese prints.
 * UTF-8 is expected; Shift_JIS (CP932, what Japanese Windows writes) is converted, anything else is refused. */
#include "printer.h"

#include "error_internal.h"

#include <cairo-pdf.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <string.h>
#include <sys/stat.h>

/* Monospaced first (plain text is often aligned with spaces), then the proportional CJK faces Debian ships. */
#define TEXT_FONT "Noto Sans Mono CJK JP, Noto Sans CJK JP, Noto Serif CJK JP, monospace 10"
/* More text than this (some 2,000 pages) is not an office document, and Pango would lay it out for minutes. */
#define MAX_TEXT_BYTES (4 << 20)
#define MARGIN 42.0 /* points: about 15 mm, inside every printer's unprintable border */

static int read_text(const char *path, char **out, eseal_error *err)
{
	GError *gerr = NULL;
	gchar *raw = NULL, *conv;
	gsize len = 0;
	struct stat st;

	*out = NULL;
	if (stat(path, &st) == 0 && st.st_size > MAX_TEXT_BYTES)
		return es_error_set(err, ESEAL_E_INPUT, "text job: %lld bytes, more than the %d a text job may have",
				    (long long)st.st_size, MAX_TEXT_BYTES);
	if (!g_file_get_contents(path, &raw, &len, &gerr)) {
		es_error_set(err, ESEAL_E_IO, "text job: %s", gerr->message);
		g_error_free(gerr);
		return err->status;
	}
	if (memchr(raw, '\0', len) == NULL && g_utf8_validate(raw, (gssize)len, NULL)) {
		*out = raw;
		return ESEAL_OK;
	}
	conv = g_convert(raw, (gssize)len, "UTF-8", "CP932", NULL, NULL, NULL);
	g_free(raw);
	if (conv == NULL)
		return es_error_set(err, ESEAL_E_INPUT, "text job: neither UTF-8 nor Shift_JIS text");
	*out = conv;
	return ESEAL_OK;
}

int es_printer_text_to_pdf(const char *in_path, const char *out_path, double width, double height, eseal_error *err)
{
	cairo_surface_t *surface = NULL;
	cairo_t *cr = NULL;
	PangoLayout *layout = NULL;
	PangoFontDescription *font = NULL;
	PangoLayoutIter *iter = NULL;
	char *text = NULL;
	double y0 = 0, bottom;
	int rc;

	if (width < 144 || height < 144) {
		width = 595.0; /* A4 when the job names no usable size */
		height = 842.0;
	}
	if ((rc = read_text(in_path, &text, err)) != ESEAL_OK)
		goto cleanup;
	surface = cairo_pdf_surface_create(out_path, width, height);
	cr = cairo_create(surface);
	layout = pango_cairo_create_layout(cr);
	font = pango_font_description_from_string(TEXT_FONT);
	pango_layout_set_font_description(layout, font);
	pango_layout_set_width(layout, (int)((width - 2 * MARGIN) * PANGO_SCALE));
	pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_text(layout, text, -1);
	/* Lines are placed one by one so a page break never cuts through a line. */
	iter = pango_layout_get_iter(layout);
	bottom = height - MARGIN;
	do {
		PangoRectangle logical;
		double top, base;

		pango_layout_iter_get_line_extents(iter, NULL, &logical);
		top = (double)logical.y / PANGO_SCALE - y0;
		if (top + (double)logical.height / PANGO_SCALE > bottom - MARGIN && top > 0) {
			cairo_show_page(cr);
			y0 = (double)logical.y / PANGO_SCALE;
			top = 0;
		}
		base = (double)pango_layout_iter_get_baseline(iter) / PANGO_SCALE - y0;
		cairo_move_to(cr, MARGIN + (double)logical.x / PANGO_SCALE, MARGIN + base);
		pango_cairo_show_layout_line(cr, pango_layout_iter_get_line_readonly(iter));
		(void)top;
	} while (pango_layout_iter_next_line(iter));
	cairo_show_page(cr);
	cairo_surface_finish(surface);
	if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		rc = es_error_set(err, ESEAL_E_IO, "text job: %s: %s", out_path,
				  cairo_status_to_string(cairo_surface_status(surface)));
		goto cleanup;
	}
	rc = ESEAL_OK;
cleanup:
	if (iter != NULL)
		pango_layout_iter_free(iter);
	if (font != NULL)
		pango_font_description_free(font);
	if (layout != NULL)
		g_object_unref(layout);
	if (cr != NULL)
		cairo_destroy(cr);
	if (surface != NULL)
		cairo_surface_destroy(surface);
	g_free(text);
	return rc;
}
