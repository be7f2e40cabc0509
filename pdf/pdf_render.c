/* pdf/pdf_render.c: Poppler (poppler-glib over cairo) turning a PDF held in memory into page images.
 * The reader's view is what attacks on PDF signatures aim at, so it comes from a real reader, not our parser. */
#include "pdf_render.h"

#include "core/error_internal.h"

#include <glib.h>
#include <limits.h>
#include <math.h>
#include <poppler.h>
#include <stdlib.h>

struct es_pdf_render {
	PopplerDocument *doc;
	const char *name;
};

eseal_status es_pdf_render_open(const unsigned char *data, size_t len, const char *password, const char *name,
				es_pdf_render **out, eseal_error *err)
{
	es_pdf_render *r = NULL;
	GBytes *bytes = NULL;
	GError *gerr = NULL;
	eseal_status rc;

	*out = NULL;
	if (len > INT_MAX) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: too large to render (%zu bytes)", name, len);
		goto cleanup;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	r->name = name;
	/* Static: Poppler reads the caller's bytes in place; a 200 MB file is not copied for a thumbnail. */
	bytes = g_bytes_new_static(data, len);
	if ((r->doc = poppler_document_new_from_bytes(bytes, password, &gerr)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: Poppler cannot render it: %s", name,
				  gerr != NULL ? gerr->message : "unknown error");
		goto cleanup;
	}
	*out = r;
	r = NULL;
	rc = ESEAL_OK;
cleanup:
	if (gerr != NULL)
		g_error_free(gerr);
	if (bytes != NULL)
		g_bytes_unref(bytes);
	es_pdf_render_free(r);
	return rc;
}

void es_pdf_render_free(es_pdf_render *r)
{
	if (r == NULL)
		return;
	if (r->doc != NULL)
		g_object_unref(r->doc);
	free(r);
}

int es_pdf_render_page_count(const es_pdf_render *r)
{
	return poppler_document_get_n_pages(r->doc);
}

static eseal_status get_page(const es_pdf_render *r, int page, PopplerPage **out, eseal_error *err)
{
	int n = poppler_document_get_n_pages(r->doc);

	if (page < 0 || page >= n)
		return es_error_set(err, ESEAL_E_INPUT, "%s: no page %d (it has %d)", r->name, page + 1, n);
	if ((*out = poppler_document_get_page(r->doc, page)) == NULL)
		return es_error_set(err, ESEAL_E_INPUT, "%s: Poppler cannot read page %d", r->name, page + 1);
	return ESEAL_OK;
}

eseal_status es_pdf_render_page_size(const es_pdf_render *r, int page, double *width, double *height,
				     eseal_error *err)
{
	PopplerPage *p;
	eseal_status rc;

	if ((rc = get_page(r, page, &p, err)) != ESEAL_OK)
		return rc;
	poppler_page_get_size(p, width, height);
	g_object_unref(p);
	return ESEAL_OK;
}

eseal_status es_pdf_render_page(const es_pdf_render *r, int page, double dpi, cairo_surface_t **out,
				eseal_error *err)
{
	cairo_surface_t *s = NULL;
	cairo_t *cr = NULL;
	PopplerPage *p = NULL;
	double w, h, scale = dpi / 72.0;
	eseal_status rc;

	*out = NULL;
	if ((rc = get_page(r, page, &p, err)) != ESEAL_OK)
		goto cleanup;
	poppler_page_get_size(p, &w, &h);
	if (!(dpi > 0) || !(w > 0) || !(h > 0) || ceil(w * scale) * ceil(h * scale) > ES_PDF_RENDER_MAX_PIXELS) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: page %d (%.0f x %.0f pt) cannot be rendered at %.0f dpi",
				  r->name, page + 1, w, h, dpi);
		goto cleanup;
	}
	s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)ceil(w * scale), (int)ceil(h * scale));
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: no memory for page %d's image", r->name, page + 1);
		goto cleanup;
	}
	cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_scale(cr, scale, scale);
	/* As printed: what a recipient files or hands on is the printed view, and pdftoppm renders the same way. */
	poppler_page_render_for_printing(p, cr);
	cairo_surface_flush(s);
	*out = s;
	s = NULL;
	rc = ESEAL_OK;
cleanup:
	if (cr != NULL)
		cairo_destroy(cr);
	if (s != NULL)
		cairo_surface_destroy(s);
	if (p != NULL)
		g_object_unref(p);
	return rc;
}
