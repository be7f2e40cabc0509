/* render/module/poppler.c: the renderer module's Poppler half (poppler-glib over cairo): a PDF held in memory turned
 * into page images. The reader's view is what attacks on PDF signatures aim at, so it comes from a real reader. */
#include "module_internal.h"

#include <glib.h>
#include <limits.h>
#include <poppler.h>
#include <stdio.h>
#include <stdlib.h>

struct es_render_doc {
	PopplerDocument *doc;
};

es_render_doc *esr_doc_open(const unsigned char *data, size_t len, const char *password, char *why, size_t why_len)
{
	es_render_doc *d = NULL;
	GBytes *bytes = NULL;
	GError *gerr = NULL;

	if (len > INT_MAX) {
		snprintf(why, why_len, "too large to render (%zu bytes)", len);
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	/* Static: Poppler reads the caller's bytes in place; a 200 MB file is not copied for a thumbnail. */
	bytes = g_bytes_new_static(data, len);
	if ((d->doc = poppler_document_new_from_bytes(bytes, password, &gerr)) == NULL) {
		snprintf(why, why_len, "Poppler cannot render it: %s", gerr != NULL ? gerr->message : "unknown error");
		free(d);
		d = NULL;
	}
	if (gerr != NULL)
		g_error_free(gerr);
	g_bytes_unref(bytes);
	return d;
}

void esr_doc_free(es_render_doc *d)
{
	if (d == NULL)
		return;
	if (d->doc != NULL)
		g_object_unref(d->doc);
	free(d);
}

int esr_doc_pages(const es_render_doc *d)
{
	return poppler_document_get_n_pages(d->doc);
}

static PopplerPage *get_page(const es_render_doc *d, int page)
{
	if (page < 0 || page >= poppler_document_get_n_pages(d->doc))
		return NULL;
	return poppler_document_get_page(d->doc, page);
}

int esr_page_size(const es_render_doc *d, int page, double *width, double *height)
{
	PopplerPage *p = get_page(d, page);

	if (p == NULL)
		return -1;
	poppler_page_get_size(p, width, height);
	g_object_unref(p);
	return 0;
}

int esr_page_draw(const es_render_doc *d, int page, double scale, es_image *img, char *why, size_t why_len)
{
	PopplerPage *p = get_page(d, page);
	cairo_surface_t *s;
	cairo_t *cr;
	int rc = 0;

	if (p == NULL) {
		snprintf(why, why_len, "Poppler cannot read page %d", page + 1);
		return -1;
	}
	s = esr_surface(img);
	cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_scale(cr, scale, scale);
	/* As printed: what a recipient files or hands on is the printed view, and pdftoppm renders the same way. */
	poppler_page_render_for_printing(p, cr);
	cairo_surface_flush(s);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
		snprintf(why, why_len, "cannot draw page %d: %s", page + 1, cairo_status_to_string(cairo_status(cr)));
		rc = -1;
	}
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	g_object_unref(p);
	return rc;
}
