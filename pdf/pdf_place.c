/* pdf/pdf_place.c: where a visible seal goes on its page (displayed-page coordinates turned into user space for
 * any /Rotate) and drawing it there: the generated stamp and the optional seal image, via pdf_appearance.c. */
#include "pdf_seal_internal.h"
#include "core/error_internal.h"
#include "render/render.h"

#include <string.h>

#define DEFAULT_W 180.0
#define DEFAULT_H 70.0
#define MARGIN 36.0

int es_pdf_place_page_index(const eseal_pdf_options *o, int n)
{
	if (o->page == 0)
		return 0;
	if (o->page == -1)
		return n - 1;
	return o->page >= 1 && o->page <= n ? o->page - 1 : -1;
}

int es_pdf_place_choose_page(es_pdf_seal_ctx *c, eseal_error *err)
{
	int idx = es_pdf_place_page_index(c->opts, c->doc.n_pages), n = c->doc.n_pages;

	if (idx < 0)
		return es_error_set(err, ESEAL_E_USAGE, "%s: page %d does not exist (the document has %d pages)",
				    c->doc.path, c->opts->page, n);
	c->page = es_pdf_page_at(&c->doc, idx);
	c->page_index = idx;
	if (es_pdf_qpdf_failed(&c->doc, "reading the page", err))
		return ESEAL_E_INPUT;
	if (!qpdf_oh_is_dictionary(c->doc.q, c->page) || !qpdf_oh_is_indirect(c->doc.q, c->page))
		return es_error_set(err, ESEAL_E_INPUT, "%s: damaged page tree (page %d)", c->doc.path, idx + 1);
	return ESEAL_OK;
}

/* The rectangle in displayed-page coordinates (x right, y up from the visible lower-left corner of the crop box)
 * is turned into default user space according to /Rotate (clockwise degrees). */
static void displayed_to_user(const double crop[4], int rotate, double u, double v, double *x, double *y)
{
	double W = crop[2] - crop[0], H = crop[3] - crop[1];

	switch (rotate) {
	case 90:
		*x = crop[0] + W - v;
		*y = crop[1] + u;
		break;
	case 180:
		*x = crop[0] + W - u;
		*y = crop[1] + H - v;
		break;
	case 270:
		*x = crop[0] + v;
		*y = crop[1] + H - u;
		break;
	default: *x = crop[0] + u; *y = crop[1] + v;
	}
}

void es_pdf_place_page_geometry(es_pdf_doc *d, qpdf_oh page, double crop[4], int *rotate)
{
	qpdf_oh box = es_pdf_page_inherited(d, page, "/CropBox");
	qpdf_oh rot;
	int ok = es_pdf_read_rect(d, box, crop);

	qpdf_oh_release(d->q, box);
	if (!ok) {
		box = es_pdf_page_inherited(d, page, "/MediaBox");
		ok = es_pdf_read_rect(d, box, crop);
		qpdf_oh_release(d->q, box);
	}
	if (!ok || crop[2] - crop[0] < 1 || crop[3] - crop[1] < 1) {
		/* Letter, what readers assume for a page without a usable box. */
		crop[0] = crop[1] = 0;
		crop[2] = 612;
		crop[3] = 792;
	}
	rot = es_pdf_page_inherited(d, page, "/Rotate");
	*rotate = qpdf_oh_is_integer(d->q, rot) ? (int)(((qpdf_oh_get_int_value(d->q, rot) % 360) + 360) % 360) : 0;
	if (*rotate % 90 != 0)
		*rotate = 0;
	qpdf_oh_release(d->q, rot);
}

int es_pdf_place_draw(es_pdf_seal_ctx *c, double w, double h, int rotate, long long *ap_num, eseal_error *err)
{
	const eseal_pdf_options *o = c->opts;
	es_pdf_image seal_img = {0}, stamp = {0};
	es_pdf_stamp_text text;
	char line[96];
	double sw = w;
	int rc;

	if (o->image != NULL && (rc = es_pdf_image_load(o->image, &seal_img, err)) != ESEAL_OK) {
		/* In a batch, the document the seal image was meant for must be named too. */
		es_error_prefix(err, "%s", c->doc.path);
		goto cleanup;
	}
	text.organization = c->org;
	text.org_identifier = c->org_id;
	text.when = c->now;
	text.timezone = o->timezone;
	text.clear = c->stamp_clear;
	/* With a seal image the stamp takes the space the image leaves (see es_pdf_appearance_write). */
	if (o->image != NULL) {
		double iw = h * seal_img.width / (double)seal_img.height;

		sw = w - (iw > w / 2 ? w / 2 : iw);
	}
	if ((rc = es_pdf_stamp_render(&text, sw, h, &stamp, err)) != ESEAL_OK)
		goto cleanup;
	if ((rc = es_pdf_stamp_time_line(&text, line, sizeof(line), err)) != ESEAL_OK)
		goto cleanup;
	rc = es_pdf_appearance_write(&c->u, w, h, rotate, o->image != NULL ? &seal_img : NULL, &stamp, line, ap_num,
				     err);
cleanup:
	es_pdf_image_free(&seal_img);
	es_pdf_image_free(&stamp);
	return rc;
}

static void warn(const es_pdf_seal_ctx *c, const char *msg)
{
	if (c->opts->warn != NULL)
		c->opts->warn(c->opts->warn_ctx, msg);
}

/* The default place must not hide what was printed: the blank area nearest the corner, else (a full page) the
 * corner with a see-through stamp, and a warning either way something could not be done as intended. */
static void avoid_content(es_pdf_seal_ctx *c, double dw, double dh, double *x, double *y, double *w, double *h)
{
	double box[4] = {*x, *y, *w, *h};
	char msg[ESEAL_ERROR_MESSAGE_MAX + 200];
	eseal_error err;
	int found;

	eseal_error_clear(&err);
	found = es_pdf_free_area(c, dw, dh, box, &err);
	if (found == 1) {
		*x = box[0];
		*y = box[1];
		*w = box[2];
		*h = box[3];
		return;
	}
	if (found == 0) {
		c->stamp_clear = 1;
		snprintf(
			msg, sizeof(msg),
			"%s: page %d has no blank area for the visible seal; it is drawn without its background at the "
			"bottom right, over the page's content (a rect chooses the place)",
			c->doc.path, c->page_index + 1);
	} else {
		snprintf(msg, sizeof(msg),
			 "%s: the visible seal is at the bottom right of page %d, possibly over content: %s",
			 c->doc.path, c->page_index + 1, err.message);
	}
	warn(c, msg);
}

int es_pdf_place_new(es_pdf_seal_ctx *c, double rect[4], long long *ap_num, eseal_error *err)
{
	const eseal_pdf_options *o = c->opts;
	const es_render_ops *ops;
	double crop[4], dw, dh, x, y, w, h, x0, y0, x1, y1;
	int rotate = 0, rc;

	/* The stamp and the search for a blank area are the renderer module's: without it, that one error. */
	if ((rc = es_render_ops_get(&ops, err)) != ESEAL_OK)
		return rc;
	if (c->doc.lexed != NULL) {
		memcpy(crop, c->doc.lexed->crop, sizeof(crop));
		rotate = c->doc.lexed->rotate;
	} else {
		es_pdf_place_page_geometry(&c->doc, c->page, crop, &rotate);
	}
	dw = rotate % 180 ? crop[3] - crop[1] : crop[2] - crop[0];
	dh = rotate % 180 ? crop[2] - crop[0] : crop[3] - crop[1];
	if (!es_pdf_rect_given(o)) {
		w = DEFAULT_W < dw ? DEFAULT_W : dw;
		h = DEFAULT_H < dh ? DEFAULT_H : dh;
		x = dw - w - MARGIN > 0 ? dw - w - MARGIN : 0;
		y = MARGIN + h < dh ? MARGIN : 0;
		avoid_content(c, dw, dh, &x, &y, &w, &h);
	} else {
		x = o->rect[0];
		y = o->rect[1];
		w = o->rect[2];
		h = o->rect[3];
		if (!(w >= 4 && h >= 4 && w <= 14400 && h <= 14400))
			return es_error_set(err, ESEAL_E_USAGE, "%s: seal rectangle %gx%g pt is not usable",
					    c->doc.path, w, h);
		/* A seal off the visible page would be there and never seen. Negated, so that NaN is outside too. */
		if (!(x >= -0.5 && y >= -0.5 && x + w <= dw + 0.5 && y + h <= dh + 0.5))
			return es_error_set(err, ESEAL_E_USAGE,
					    "%s: seal rectangle %g,%g,%g,%g lies outside the page (%gx%g pt)",
					    c->doc.path, x, y, w, h, dw, dh);
	}
	displayed_to_user(crop, rotate, x, y, &x0, &y0);
	displayed_to_user(crop, rotate, x + w, y + h, &x1, &y1);
	rect[0] = x0 < x1 ? x0 : x1;
	rect[1] = y0 < y1 ? y0 : y1;
	rect[2] = x0 < x1 ? x1 : x0;
	rect[3] = y0 < y1 ? y1 : y0;
	return es_pdf_place_draw(c, w, h, rotate, ap_num, err);
}
