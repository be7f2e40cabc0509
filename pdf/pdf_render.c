/* pdf/pdf_render.c: a PDF held in memory turned into page images by Poppler, through the renderer module.
 * The reader's view is what attacks on PDF signatures aim at, so it comes from a real reader, not our parser. */
#include "pdf_render.h"

#include "core/error_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct es_pdf_render {
	const es_render_ops *ops;
	es_render_doc *doc;
	const char *name;
};

eseal_status es_pdf_render_open(const unsigned char *data, size_t len, const char *password, const char *name,
				es_pdf_render **out, eseal_error *err)
{
	es_pdf_render *r = NULL;
	char why[256] = "";
	eseal_status rc;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	r->name = name;
	if ((rc = es_render_ops_get(&r->ops, err)) != ESEAL_OK)
		goto cleanup;
	if ((r->doc = r->ops->doc_open(data, len, password, why, sizeof(why))) == NULL) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: %s", name, why);
		goto cleanup;
	}
	*out = r;
	r = NULL;
	rc = ESEAL_OK;
cleanup:
	es_pdf_render_free(r);
	return rc;
}

void es_pdf_render_free(es_pdf_render *r)
{
	if (r == NULL)
		return;
	if (r->doc != NULL)
		r->ops->doc_free(r->doc);
	free(r);
}

int es_pdf_render_page_count(const es_pdf_render *r)
{
	return r->ops->doc_pages(r->doc);
}

eseal_status es_pdf_render_page_size(const es_pdf_render *r, int page, double *width, double *height,
				     eseal_error *err)
{
	int n = r->ops->doc_pages(r->doc);

	if (page < 0 || page >= n)
		return es_error_set(err, ESEAL_E_INPUT, "%s: no page %d (it has %d)", r->name, page + 1, n);
	if (r->ops->page_size(r->doc, page, width, height) != 0)
		return es_error_set(err, ESEAL_E_INPUT, "%s: Poppler cannot read page %d", r->name, page + 1);
	return ESEAL_OK;
}

eseal_status es_pdf_render_page(const es_pdf_render *r, int page, double dpi, es_image *out, eseal_error *err)
{
	double w, h, scale = dpi / 72.0;
	char why[256] = "";
	eseal_status rc;

	memset(out, 0, sizeof(*out));
	if ((rc = es_pdf_render_page_size(r, page, &w, &h, err)) != ESEAL_OK)
		return rc;
	if (!(dpi > 0) || !(w > 0) || !(h > 0) || ceil(w * scale) * ceil(h * scale) > ES_PDF_RENDER_MAX_PIXELS)
		return es_error_set(err, ESEAL_E_INPUT, "%s: page %d (%.0f x %.0f pt) cannot be rendered at %.0f dpi",
				    r->name, page + 1, w, h, dpi);
	if ((rc = es_image_new(out, (int)ceil(w * scale), (int)ceil(h * scale), err)) != ESEAL_OK)
		return rc;
	if (r->ops->page_draw(r->doc, page, scale, out, why, sizeof(why)) != 0) {
		es_image_clear(out);
		return es_error_set(err, ESEAL_E_INPUT, "%s: %s", r->name, why);
	}
	return ESEAL_OK;
}
