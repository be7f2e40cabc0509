/* pdf/pdf_appearance.c: the visible seal: a generated stamp (organization, identifier, time) drawn by the renderer
 * module (Cairo/Pango) to an image, so any script (Japanese names included) shows without embedding a font, plus the
 * optional seal image, placed by an appearance form XObject that counter-rotates for the page's /Rotate. */
#include "pdf_internal.h"
#include "core/error_internal.h"
#include "core/tz_internal.h"

#include "render/render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Pixels per point of the rendered stamp: sharp when printed at 288 dpi, still small once compressed. */
#define STAMP_SCALE 4.0

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
	const es_render_ops *ops;
	es_image px = {0};
	const char *lines[3];
	char line3[96], why[256] = "";
	size_t n = 0;
	int rc;

	memset(img, 0, sizeof(*img));
	if (!es_pdf_stamp_size_ok(w, h))
		return es_error_set(err, ESEAL_E_USAGE, "seal rectangle %.1fx%.1f pt is too small or too large", w, h);
	if ((rc = es_pdf_stamp_time_line(t, line3, sizeof(line3), err)) != ESEAL_OK)
		return rc;
	if ((rc = es_render_ops_get(&ops, err)) != ESEAL_OK ||
	    (rc = es_image_new(&px, (int)ceil(w * STAMP_SCALE), (int)ceil(h * STAMP_SCALE), err)) != ESEAL_OK)
		goto cleanup;
	lines[n++] = t->organization != NULL && *t->organization ? t->organization : "e-Seal";
	if (t->org_identifier != NULL && *t->org_identifier)
		lines[n++] = t->org_identifier;
	lines[n++] = line3;
	if (ops->stamp_draw(&px, STAMP_SCALE, t->clear, lines, n, why, sizeof(why)) != 0) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "cannot render the seal stamp: %s", why);
		goto cleanup;
	}
	rc = es_pdf_image_from_argb(px.px, px.width, px.height, px.stride, img, err);
cleanup:
	es_image_clear(&px);
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
