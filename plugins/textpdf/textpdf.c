/* plugins/textpdf/textpdf.c: plain text as a PDF (es_textpdf_convert), laid out by Pango, written by cairo.
 * Why not cups-filters' texttopdf: Debian maps CJK to a font it does not install (boxes) and it writes no ToUnicode
 * map; Pango picks a font per script through fontconfig and cairo's PDF keeps the text extractable. */
#include "textpdf.h"

#include "error_internal.h"
#include "input_internal.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Monospaced first (plain text is often aligned with spaces), then the proportional CJK faces Debian ships
 * (fonts-noto-cjk, fonts-ipafont-gothic); fontconfig falls back per character beyond these. */
#define TEXT_FONT "Noto Sans Mono CJK JP, Noto Sans CJK JP, IPAGothic, monospace 10"
#define MARGIN 42.0 /* points: about 15 mm, inside every printer's unprintable border */

static const es_input_role text_role = {"cannot read the text job", ESEAL_E_IO, ESEAL_E_INPUT, ES_TEXTPDF_MAX_BYTES, 1};

/* *out: the text as UTF-8 (g_malloc'ed). */
static int decode(const char *raw, size_t len, char **out, eseal_error *err)
{
	*out = NULL;
	if (memchr(raw, '\0', len) != NULL)
		return es_error_set(err, ESEAL_E_INPUT, "text job: it holds NUL bytes; it is not plain text");
	if (g_utf8_validate(raw, (gssize)len, NULL)) {
		*out = g_strndup(raw, len);
		return ESEAL_OK;
	}
	/* Shift_JIS is what Japanese Windows' Notepad and most Japanese office software wrote for decades. */
	if ((*out = g_convert(raw, (gssize)len, "UTF-8", "CP932", NULL, NULL, NULL)) == NULL)
		return es_error_set(err, ESEAL_E_INPUT, "text job: neither UTF-8 nor Shift_JIS text");
	return ESEAL_OK;
}

cairo_status_t es_textpdf_write_fd(void *closure, const unsigned char *data, unsigned int len)
{
	int fd = *(const int *)closure;

	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return CAIRO_STATUS_WRITE_ERROR;
		data += n;
		len -= (unsigned int)n;
	}
	return CAIRO_STATUS_SUCCESS;
}

typedef struct pager {
	cairo_t *cr;
	PangoLayout *layout;
	double height, y; /* y: where the next line's top goes */
	int lines_on_page;
} pager;

static void new_page(pager *p)
{
	cairo_show_page(p->cr);
	p->y = MARGIN;
	p->lines_on_page = 0;
}

/* One paragraph (a line of the file, wrapped at the margin), line by line so that a page break never cuts through a
 * line and a paragraph longer than a page continues on the next. */
static void show_paragraph(pager *p, const char *text, size_t len)
{
	PangoLayoutIter *iter;

	/* An empty line still takes a line's height. Windows line ends leave a '\r' Pango would show. */
	if (len > 0 && text[len - 1] == '\r')
		len--;
	if (len == 0)
		pango_layout_set_text(p->layout, " ", 1);
	else
		pango_layout_set_text(p->layout, text, (int)len);
	iter = pango_layout_get_iter(p->layout);
	do {
		PangoRectangle logical;
		double h, baseline;

		pango_layout_iter_get_line_extents(iter, NULL, &logical);
		h = (double)logical.height / PANGO_SCALE;
		if (p->lines_on_page > 0 && p->y + h > p->height - MARGIN)
			new_page(p);
		baseline = (double)(pango_layout_iter_get_baseline(iter) - logical.y) / PANGO_SCALE;
		cairo_move_to(p->cr, MARGIN + (double)logical.x / PANGO_SCALE, p->y + baseline);
		pango_cairo_show_layout_line(p->cr, pango_layout_iter_get_line_readonly(iter));
		p->y += h;
		p->lines_on_page++;
	} while (pango_layout_iter_next_line(iter));
	pango_layout_iter_free(iter);
}

static void lay_out(pager *p, const char *text)
{
	const char *s = text, *end, *ff;

	for (;;) {
		end = s + strcspn(s, "\n");
		/* A form feed starts a new page, as on a line printer. */
		while ((ff = memchr(s, '\f', (size_t)(end - s))) != NULL) {
			if (ff > s)
				show_paragraph(p, s, (size_t)(ff - s));
			new_page(p);
			s = ff + 1;
		}
		/* Text after the last form feed, or a line (empty ones too) ended by a newline. */
		if (s < end || *end == '\n')
			show_paragraph(p, s, (size_t)(end - s));
		if (*end == '\0' || end[1] == '\0')
			break;
		s = end + 1;
	}
}

int es_textpdf_convert(const char *in_path, int out_fd, const es_textpdf_page *page, eseal_error *err)
{
	cairo_surface_t *surface = NULL;
	cairo_t *cr = NULL;
	PangoLayout *layout = NULL;
	PangoFontDescription *font = NULL;
	unsigned char *raw = NULL;
	char *text = NULL;
	size_t len = 0;
	double width = page->width, height = page->height;
	pager p;
	int rc;

	if (width < 144 || height < 144) {
		width = 595.0; /* A4 when the job names no usable size */
		height = 842.0;
	}
	if ((rc = es_input_read(in_path, &text_role, &raw, &len, err)) != ESEAL_OK ||
	    (rc = decode((const char *)raw, len, &text, err)) != ESEAL_OK)
		goto cleanup;
	surface = cairo_pdf_surface_create_for_stream(es_textpdf_write_fd, &out_fd, width, height);
	if (page->title != NULL)
		cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, page->title);
	cr = cairo_create(surface);
	layout = pango_cairo_create_layout(cr);
	font = pango_font_description_from_string(TEXT_FONT);
	pango_layout_set_font_description(layout, font);
	/* The language steers fontconfig's choice for Han characters that Chinese and Japanese share. */
	pango_context_set_language(pango_layout_get_context(layout), pango_language_from_string("ja"));
	pango_layout_set_width(layout, (int)((width - 2 * MARGIN) * PANGO_SCALE));
	pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	p = (pager){cr, layout, height, MARGIN, 0};
	lay_out(&p, text);
	/* A page ended by a form feed is out already; cairo's finish emits the first page even if it stays blank. */
	if (p.lines_on_page > 0)
		cairo_show_page(cr);
	cairo_surface_finish(surface);
	if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		rc = es_error_set(err, ESEAL_E_IO, "text job: cannot write the PDF: %s",
				  cairo_status_to_string(cairo_surface_status(surface)));
		goto cleanup;
	}
	rc = ESEAL_OK;
cleanup:
	if (font != NULL)
		pango_font_description_free(font);
	if (layout != NULL)
		g_object_unref(layout);
	if (cr != NULL)
		cairo_destroy(cr);
	if (surface != NULL)
		cairo_surface_destroy(surface);
	g_free(text);
	free(raw);
	return rc;
}
