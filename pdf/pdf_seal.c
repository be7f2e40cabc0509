/* pdf/pdf_seal.c: eseal_pdf_seal: builds the update (signature dictionary, field/widget, page, AcroForm, catalog),
 * copies the original unchanged while hashing the ByteRange, gets the CMS from the core and patches /Contents. */
#include "eseal/pdf.h"
#include "eseal/cms.h"
#include "eseal/output.h"
#include "pdf_internal.h"
#include "error_internal.h"
#include "cms/x509_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#define COPY_BUF (1024 * 1024)
/* "[0 a b c]" is patched in once the offsets are known; 80 characters hold three 20-digit numbers. */
#define BYTERANGE_WIDTH 80
#define DEFAULT_W 180.0
#define DEFAULT_H 70.0
#define MARGIN 36.0

int eseal_pdf_detect(const unsigned char *head, size_t len)
{
	size_t i;

	if (head == NULL)
		return 0;
	if (len > 1024)
		len = 1024;
	for (i = 0; i + 5 <= len; i++)
		if (memcmp(head + i, "%PDF-", 5) == 0)
			return 1;
	return 0;
}

/* Everything one seal needs while the update is assembled. */
typedef struct seal_ctx {
	const eseal_pdf_options *opts;
	es_pdf_doc doc;
	qpdf_oh page;
	time_t now;
	char *org, *org_id; /* from the signing certificate (UTF-8), may be NULL */
	char field_name[32];
	/* results of build_update */
	es_pdf_update u;
	size_t contents_rel;  /* offset of '<' of /Contents within the update */
	size_t contents_len;  /* bytes of the hex string including < > */
	size_t byterange_rel; /* offset of the ByteRange placeholder */
} seal_ctx;

static void read_subject(seal_ctx *c)
{
	X509 *cert = eseal_signer_certificate(c->opts->signer);

	c->org = es_x509_subject_attr(cert, NID_organizationName);
	c->org_id = es_x509_subject_attr(cert, NID_organizationIdentifier);
	if (c->org == NULL)
		c->org = es_x509_subject_attr(cert, NID_commonName);
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

static int page_geometry(seal_ctx *c, double crop[4], int *rotate)
{
	es_pdf_doc *d = &c->doc;
	qpdf_oh box = es_pdf_page_inherited(d, c->page, "/CropBox");
	qpdf_oh rot;
	int ok = es_pdf_read_rect(d, box, crop);

	qpdf_oh_release(d->q, box);
	if (!ok) {
		box = es_pdf_page_inherited(d, c->page, "/MediaBox");
		ok = es_pdf_read_rect(d, box, crop);
		qpdf_oh_release(d->q, box);
	}
	if (!ok || crop[2] - crop[0] < 1 || crop[3] - crop[1] < 1) {
		/* Letter, what readers assume for a page without a usable box. */
		crop[0] = crop[1] = 0;
		crop[2] = 612;
		crop[3] = 792;
	}
	rot = es_pdf_page_inherited(d, c->page, "/Rotate");
	*rotate = qpdf_oh_is_integer(d->q, rot) ? (int)(((qpdf_oh_get_int_value(d->q, rot) % 360) + 360) % 360) : 0;
	if (*rotate % 90 != 0)
		*rotate = 0;
	qpdf_oh_release(d->q, rot);
	return ESEAL_OK;
}

/* Widget rectangle (user space) and appearance stream for a visible seal. */
static int write_visible(seal_ctx *c, double rect[4], long long *ap_num, eseal_error *err)
{
	const eseal_pdf_options *o = c->opts;
	es_pdf_image seal_img = {0}, stamp = {0};
	es_pdf_stamp_text text;
	double crop[4], dw, dh, x, y, w, h, x0, y0, x1, y1;
	int rotate = 0, rc;

	page_geometry(c, crop, &rotate);
	dw = rotate % 180 ? crop[3] - crop[1] : crop[2] - crop[0];
	dh = rotate % 180 ? crop[2] - crop[0] : crop[3] - crop[1];
	if (o->rect[0] == 0 && o->rect[1] == 0 && o->rect[2] == 0 && o->rect[3] == 0) {
		w = DEFAULT_W < dw ? DEFAULT_W : dw;
		h = DEFAULT_H < dh ? DEFAULT_H : dh;
		x = dw - w - MARGIN > 0 ? dw - w - MARGIN : 0;
		y = MARGIN + h < dh ? MARGIN : 0;
	} else {
		x = o->rect[0];
		y = o->rect[1];
		w = o->rect[2];
		h = o->rect[3];
		if (!(w >= 4 && h >= 4 && w <= 14400 && h <= 14400))
			return es_error_set(err, ESEAL_E_USAGE, "%s: seal rectangle %gx%g pt is not usable",
					    c->doc.path, w, h);
		/* A seal off the visible page would be there and never seen. */
		if (x < -0.5 || y < -0.5 || x + w > dw + 0.5 || y + h > dh + 0.5)
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

	if (o->image != NULL && (rc = es_pdf_image_load(o->image, &seal_img, err)) != ESEAL_OK) {
		/* In a batch, the document the seal image was meant for must be named too. */
		es_error_prefix(err, "%s", c->doc.path);
		goto cleanup;
	}
	text.organization = c->org;
	text.org_identifier = c->org_id;
	text.when = c->now;
	{
		/* With a seal image the stamp takes the space the image leaves (see es_pdf_appearance_write). */
		double sw = w;

		if (o->image != NULL) {
			double iw = h * seal_img.width / (double)seal_img.height;

			sw = w - (iw > w / 2 ? w / 2 : iw);
		}
		if ((rc = es_pdf_stamp_render(&text, sw, h, &stamp, err)) != ESEAL_OK)
			goto cleanup;
	}
	rc = es_pdf_appearance_write(&c->u, w, h, rotate, o->image != NULL ? &seal_img : NULL, &stamp, ap_num, err);
cleanup:
	es_pdf_image_free(&seal_img);
	es_pdf_image_free(&stamp);
	return rc;
}

static void sig_dict(seal_ctx *c, long long num, size_t reserve)
{
	const eseal_pdf_options *o = c->opts;
	es_buf *b = &c->u.buf;
	struct tm tm;
	char m[32];

	gmtime_r(&c->now, &tm);
	strftime(m, sizeof(m), "D:%Y%m%d%H%M%S+00'00'", &tm);
	es_pdf_update_begin_obj(&c->u, num, 0);
	es_buf_puts(b, "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange ");
	c->byterange_rel = b->len;
	es_buf_fill(b, ' ', BYTERANGE_WIDTH);
	es_buf_puts(b, "\n/M ");
	if (c->doc.crypt.active)
		es_pdf_string(b, &c->doc.crypt, m, strlen(m));
	else
		es_buf_printf(b, "(%s)", m);
	if (c->org != NULL) {
		es_buf_puts(b, " /Name ");
		es_pdf_text_string(b, &c->doc.crypt, c->org);
	}
	if (o->reason != NULL) {
		es_buf_puts(b, " /Reason ");
		es_pdf_text_string(b, &c->doc.crypt, o->reason);
	}
	if (o->location != NULL) {
		es_buf_puts(b, " /Location ");
		es_pdf_text_string(b, &c->doc.crypt, o->location);
	}
	if (o->contact != NULL) {
		es_buf_puts(b, " /ContactInfo ");
		es_pdf_text_string(b, &c->doc.crypt, o->contact);
	}
	if (o->certify != ESEAL_CERTIFY_NONE)
		es_buf_printf(b,
			      "\n/Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type "
			      "/TransformParams /P %d /V /1.2 >> >>]",
			      o->certify == ESEAL_CERTIFY_NO_CHANGES ? 1 : 2);
	es_buf_puts(b, "\n/Contents ");
	c->contents_rel = b->len;
	es_buf_puts(b, "<");
	/* Zero-filled: what is left after the CMS is DER-neutral padding every verifier accepts. */
	es_buf_fill(b, '0', reserve * 2);
	es_buf_puts(b, ">");
	c->contents_len = b->len - c->contents_rel;
	es_buf_puts(b, "\n>>");
	es_pdf_update_end_obj(&c->u);
}

/* Rewrites obj (num gen taken from it) in the update as `text`. */
static void rewrite_object(seal_ctx *c, qpdf_oh obj, const es_buf *text)
{
	es_pdf_update_begin_obj(&c->u, qpdf_oh_get_object_id(c->doc.q, obj), qpdf_oh_get_generation(c->doc.q, obj));
	es_buf_append(&c->u.buf, text->data, text->len);
	es_pdf_update_end_obj(&c->u);
}

/* True if another page names the same indirect /Annots array (some generators share one): rewriting it would
 * put our widget on those pages too. */
static int annots_shared(seal_ctx *c, qpdf_oh annots)
{
	qpdf_data q = c->doc.q;
	int id = qpdf_oh_get_object_id(q, annots), self = qpdf_oh_get_object_id(q, c->page), i, shared = 0;
	qpdf_oh p, a;

	for (i = 0; i < c->doc.n_pages && !shared; i++) {
		p = qpdf_get_page_n(q, (size_t)i);
		if (qpdf_oh_get_object_id(q, p) != self) {
			a = qpdf_oh_get_key(q, p, "/Annots");
			shared = qpdf_oh_is_indirect(q, a) && qpdf_oh_get_object_id(q, a) == id;
			qpdf_oh_release(q, a);
		}
		qpdf_oh_release(q, p);
	}
	return shared;
}

/* Adds the widget to the page's /Annots: the array object itself is rewritten when indirect (and only this page's),
 * else the page, with the array made direct. */
static int add_to_page(seal_ctx *c, long long field, eseal_error *err)
{
	es_pdf_doc *d = &c->doc;
	qpdf_oh annots = qpdf_oh_get_key(d->q, c->page, "/Annots");
	static const char *const skip[] = {"/Annots", NULL};
	es_buf text = {0}, extra = {0};
	char ref[48];
	int rc = ESEAL_OK;

	snprintf(ref, sizeof(ref), "%lld 0 R", field);
	if (qpdf_oh_is_indirect(d->q, annots) && qpdf_oh_is_array(d->q, annots) && !annots_shared(c, annots)) {
		if ((rc = es_pdf_array_rewrite(d, annots, ref, &text, err)) == ESEAL_OK)
			rewrite_object(c, annots, &text);
	} else {
		es_buf_puts(&extra, "/Annots ");
		if (qpdf_oh_is_array(d->q, annots))
			rc = es_pdf_array_rewrite(d, annots, ref, &extra, err);
		else
			es_buf_printf(&extra, "[ %s ]", ref);
		if (rc == ESEAL_OK && (rc = es_pdf_dict_rewrite(d, c->page, skip, extra.data, &text, err)) == ESEAL_OK)
			rewrite_object(c, c->page, &text);
	}
	qpdf_oh_release(d->q, annots);
	es_buf_free(&text);
	es_buf_free(&extra);
	return rc;
}

/* Adds the field to /AcroForm /Fields with SigFlags 3 (SignaturesExist | AppendOnly). Whatever is indirect is
 * rewritten as its own object; what is direct travels with the catalog, which *catalog_extra then carries. */
static int add_to_acroform(seal_ctx *c, long long field, qpdf_oh root, es_buf *catalog_extra, eseal_error *err)
{
	es_pdf_doc *d = &c->doc;
	qpdf_oh acro = qpdf_oh_get_key(d->q, root, "/AcroForm");
	qpdf_oh fields = qpdf_oh_get_key_if_dict(d->q, acro, "/Fields");
	qpdf_oh flags = qpdf_oh_get_key_if_dict(d->q, acro, "/SigFlags");
	static const char *const skip[] = {"/Fields", "/SigFlags", NULL};
	static const char *const skip_sigflags[] = {"/SigFlags", NULL};
	es_buf text = {0}, extra = {0};
	char ref[48];
	long long sigflags = qpdf_oh_is_integer(d->q, flags) ? qpdf_oh_get_int_value(d->q, flags) : 0;
	int rc = ESEAL_OK;

	snprintf(ref, sizeof(ref), "%lld 0 R", field);
	sigflags |= 3;
	if (!qpdf_oh_is_dictionary(d->q, acro)) {
		es_buf_printf(catalog_extra, " /AcroForm << /Fields [ %s ] /SigFlags 3 >>", ref);
		goto cleanup;
	}
	if (qpdf_oh_is_indirect(d->q, fields) && qpdf_oh_is_array(d->q, fields)) {
		/* The /Fields array is its own object: rewrite it; the AcroForm dict only for its SigFlags. */
		if ((rc = es_pdf_array_rewrite(d, fields, ref, &text, err)) != ESEAL_OK)
			goto cleanup;
		rewrite_object(c, fields, &text);
		es_buf_free(&text);
		es_buf_printf(&extra, "/SigFlags %lld", sigflags);
		rc = es_pdf_dict_rewrite(d, acro, skip_sigflags, extra.data, &text, err);
	} else {
		if (qpdf_oh_is_array(d->q, fields)) {
			es_buf_puts(&extra, "/Fields ");
			rc = es_pdf_array_rewrite(d, fields, ref, &extra, err);
		} else {
			es_buf_printf(&extra, "/Fields [ %s ]", ref);
		}
		es_buf_printf(&extra, " /SigFlags %lld", sigflags);
		if (rc == ESEAL_OK && !extra.oom)
			rc = es_pdf_dict_rewrite(d, acro, skip, extra.data, &text, err);
	}
	if (rc != ESEAL_OK)
		goto cleanup;
	if (qpdf_oh_is_indirect(d->q, acro)) {
		rewrite_object(c, acro, &text);
	} else {
		es_buf_puts(catalog_extra, " /AcroForm ");
		es_buf_append(catalog_extra, text.data, text.len);
	}
cleanup:
	qpdf_oh_release(d->q, acro);
	qpdf_oh_release(d->q, fields);
	qpdf_oh_release(d->q, flags);
	es_buf_free(&text);
	es_buf_free(&extra);
	return rc;
}

static int build_update(seal_ctx *c, size_t reserve, eseal_error *err)
{
	es_pdf_doc *d = &c->doc;
	const eseal_pdf_options *o = c->opts;
	qpdf_oh root = 0, perms = 0;
	es_buf catalog_extra = {0}, text = {0}, perms_text = {0};
	static const char *const skip_catalog[] = {"/AcroForm", "/Perms", NULL};
	static const char *const skip_docmdp[] = {"/DocMDP", NULL};
	long long sig, field, ap = 0;
	double rect[4] = {0, 0, 0, 0};
	int rc = ESEAL_OK, i, acro_changed;

	es_pdf_update_init(&c->u, d);
	sig = es_pdf_update_new_num(&c->u);
	field = es_pdf_update_new_num(&c->u);
	sig_dict(c, sig, reserve);
	if (o->visible && (rc = write_visible(c, rect, &ap, err)) != ESEAL_OK)
		goto cleanup;

	/* Merged field + widget annotation. */
	es_pdf_update_begin_obj(&c->u, field, 0);
	es_buf_puts(&c->u.buf, "<< /Type /Annot /Subtype /Widget /FT /Sig /T ");
	es_pdf_text_string(&c->u.buf, &c->doc.crypt, c->field_name);
	es_buf_printf(&c->u.buf, " /V %lld 0 R /F 132 /P %d %d R /Rect [", sig, qpdf_oh_get_object_id(d->q, c->page),
		      qpdf_oh_get_generation(d->q, c->page));
	for (i = 0; i < 4; i++) {
		es_buf_puts(&c->u.buf, i ? " " : "");
		es_buf_real(&c->u.buf, rect[i]);
	}
	es_buf_puts(&c->u.buf, "]");
	if (ap)
		es_buf_printf(&c->u.buf, " /AP << /N %lld 0 R >>", ap);
	es_buf_puts(&c->u.buf, " >>");
	es_pdf_update_end_obj(&c->u);

	if ((rc = add_to_page(c, field, err)) != ESEAL_OK)
		goto cleanup;
	root = qpdf_get_root(d->q);
	if ((rc = add_to_acroform(c, field, root, &catalog_extra, err)) != ESEAL_OK)
		goto cleanup;
	acro_changed = catalog_extra.len > 0;
	if (o->certify != ESEAL_CERTIFY_NONE) {
		perms = qpdf_oh_get_key(d->q, root, "/Perms");
		es_buf_printf(&perms_text, "/DocMDP %lld 0 R", sig);
		if (qpdf_oh_is_dictionary(d->q, perms)) {
			es_buf extra = perms_text;

			memset(&perms_text, 0, sizeof(perms_text));
			rc = es_pdf_dict_rewrite(d, perms, skip_docmdp, extra.data, &perms_text, err);
			es_buf_free(&extra);
			if (rc != ESEAL_OK)
				goto cleanup;
			es_buf_puts(&catalog_extra, " /Perms ");
			es_buf_append(&catalog_extra, perms_text.data, perms_text.len);
		} else {
			es_buf_printf(&catalog_extra, " /Perms << %s >>", perms_text.data);
		}
	}
	/* The catalog is rewritten only when something it holds directly changed. */
	if (catalog_extra.len > 0) {
		const char *const *skip = skip_catalog;
		static const char *const skip_acro_only[] = {"/AcroForm", NULL};
		static const char *const skip_perms_only[] = {"/Perms", NULL};

		if (o->certify == ESEAL_CERTIFY_NONE)
			skip = skip_acro_only;
		else if (!acro_changed)
			skip = skip_perms_only;
		if ((rc = es_pdf_dict_rewrite(d, root, skip, catalog_extra.data + 1, &text, err)) != ESEAL_OK)
			goto cleanup;
		rewrite_object(c, root, &text);
	}
	rc = es_pdf_update_finish(&c->u, d, err);
cleanup:
	qpdf_oh_release(d->q, root);
	qpdf_oh_release(d->q, perms);
	es_buf_free(&catalog_extra);
	es_buf_free(&text);
	es_buf_free(&perms_text);
	if (rc == ESEAL_OK && c->u.buf.oom)
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", d->path);
	return rc;
}

/* ByteRange [0 a b c]: everything but the /Contents hex string, its angle brackets included. */
static int patch_byterange(seal_ctx *c, eseal_error *err)
{
	unsigned long long a = (unsigned long long)c->u.base + c->contents_rel;
	unsigned long long b = a + c->contents_len;
	unsigned long long total = (unsigned long long)c->u.base + c->u.buf.len;
	char tmp[BYTERANGE_WIDTH + 1];
	int n;

	n = snprintf(tmp, sizeof(tmp), "[0 %llu %llu %llu]", a, b, total - b);
	if (n < 0 || n > BYTERANGE_WIDTH)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: ByteRange does not fit", c->doc.path);
	memcpy(c->u.buf.data + c->byterange_rel, tmp, (size_t)n);
	return ESEAL_OK;
}

static int read_full(int fd, unsigned char *buf, size_t len, off_t off, size_t *got)
{
	ssize_t n;

	for (;;) {
		n = pread(fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		*got = (size_t)n;
		return 0;
	}
}

/* One pass: original bytes (unchanged) and the update go to the output while the ByteRange is hashed. */
static int write_and_hash(seal_ctx *c, int fd, eseal_output *out, const EVP_MD *md, unsigned char *digest,
			  unsigned int *dlen, eseal_error *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *buf = malloc(COPY_BUF);
	off_t off = 0;
	size_t got = 0;
	int rc = ESEAL_OK;
	const char *u = c->u.buf.data;
	size_t after = c->contents_rel + c->contents_len;

	if (ctx == NULL || buf == NULL || EVP_DigestInit_ex(ctx, md, NULL) != 1) {
		rc = es_error_set_ossl(err, ESEAL_E_INTERNAL, "%s: cannot start the digest", c->doc.path);
		goto cleanup;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while (off < c->doc.size) {
		size_t want = c->doc.size - off < COPY_BUF ? (size_t)(c->doc.size - off) : COPY_BUF;

		if (read_full(fd, buf, want, off, &got) != 0) {
			rc = es_error_set(err, ESEAL_E_IO, "%s: read failed: %s", c->doc.path, strerror(errno));
			goto cleanup;
		}
		if (got == 0) {
			rc = es_error_set(err, ESEAL_E_IO, "%s: file shrank while being sealed", c->doc.path);
			goto cleanup;
		}
		if (EVP_DigestUpdate(ctx, buf, got) != 1) {
			rc = es_error_set_ossl(err, ESEAL_E_INTERNAL, "%s: digest failed", c->doc.path);
			goto cleanup;
		}
		if ((rc = eseal_output_write(out, buf, got, err)) != ESEAL_OK)
			goto cleanup;
		off += (off_t)got;
	}
	if (EVP_DigestUpdate(ctx, u, c->contents_rel) != 1 ||
	    EVP_DigestUpdate(ctx, u + after, c->u.buf.len - after) != 1 || EVP_DigestFinal_ex(ctx, digest, dlen) != 1) {
		rc = es_error_set_ossl(err, ESEAL_E_INTERNAL, "%s: digest failed", c->doc.path);
		goto cleanup;
	}
	rc = eseal_output_write(out, u, c->u.buf.len, err);
cleanup:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}

static int patch_contents(seal_ctx *c, eseal_output *out, const unsigned char *der, size_t der_len, eseal_error *err)
{
	static const char hex[] = "0123456789ABCDEF";
	char *h = malloc(der_len * 2 + 1);
	size_t i;
	int rc;

	if (h == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	if (der_len * 2 + 2 > c->contents_len) {
		free(h);
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: signature larger than its placeholder", c->doc.path);
	}
	for (i = 0; i < der_len; i++) {
		h[2 * i] = hex[der[i] >> 4];
		h[2 * i + 1] = hex[der[i] & 15];
	}
	rc = eseal_output_pwrite(out, (off_t)(c->u.base + (off_t)c->contents_rel + 1), h, der_len * 2, err);
	free(h);
	return rc;
}

static int choose_page(seal_ctx *c, eseal_error *err)
{
	int idx, n = c->doc.n_pages;

	if (c->opts->page == 0)
		idx = 0;
	else if (c->opts->page == -1)
		idx = n - 1;
	else if (c->opts->page >= 1 && c->opts->page <= n)
		idx = c->opts->page - 1;
	else
		return es_error_set(err, ESEAL_E_USAGE, "%s: page %d does not exist (the document has %d pages)",
				    c->doc.path, c->opts->page, n);
	c->page = qpdf_get_page_n(c->doc.q, (size_t)idx);
	if (es_pdf_qpdf_failed(&c->doc, "reading the page", err))
		return ESEAL_E_INPUT;
	if (!qpdf_oh_is_dictionary(c->doc.q, c->page) || !qpdf_oh_is_indirect(c->doc.q, c->page))
		return es_error_set(err, ESEAL_E_INPUT, "%s: damaged page tree (page %d)", c->doc.path, idx + 1);
	return ESEAL_OK;
}

static int check_allowed(seal_ctx *c, eseal_error *err)
{
	if (c->opts->certify != ESEAL_CERTIFY_NONE && c->doc.n_signatures > 0)
		return es_error_set(err, ESEAL_E_INPUT,
				    "%s: already holds %d signature(s); a certifying seal must be the first signature",
				    c->doc.path, c->doc.n_signatures);
	if (c->doc.certified && c->doc.docmdp_p == 1)
		return es_error_set(err, ESEAL_E_INPUT,
				    "%s: certified with no changes allowed (DocMDP P=1); another seal would break it",
				    c->doc.path);
	return ESEAL_OK;
}

int eseal_pdf_seal(const char *in_path, const char *out_path, const eseal_pdf_options *opts, eseal_error *err)
{
	return es_pdf_seal_reserving(in_path, out_path, opts, 0, err);
}

int es_pdf_seal_reserving(const char *in_path, const char *out_path, const eseal_pdf_options *opts,
			  size_t first_reserve, eseal_error *err)
{
	seal_ctx c;
	eseal_cms_options cmsopts;
	eseal_output *out = NULL;
	const EVP_MD *md;
	unsigned char digest[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int dlen = 0;
	size_t der_len = 0, reserve, placed = 0;
	int fd = -1, rc = ESEAL_OK, attempt, n;

	memset(&c, 0, sizeof(c));
	if (in_path == NULL || out_path == NULL || opts == NULL || opts->signer == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "PDF seal: input, output and signer are required");
	c.opts = opts;
	md = opts->md != NULL ? opts->md : EVP_sha256();
	fd = open(in_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot open: %s", in_path, strerror(errno));
	if ((rc = es_pdf_doc_open(&c.doc, in_path, fd, opts->password, err)) != ESEAL_OK)
		goto cleanup;
	if ((rc = check_allowed(&c, err)) != ESEAL_OK || (rc = choose_page(&c, err)) != ESEAL_OK)
		goto cleanup;
	read_subject(&c);
	for (n = 1; n < 100000; n++) {
		snprintf(c.field_name, sizeof(c.field_name), "eSeal%d", n);
		if (!es_pdf_field_name_used(&c.doc, c.field_name))
			break;
	}
	c.now = time(NULL);
	memset(&cmsopts, 0, sizeof(cmsopts));
	cmsopts.md = md;
	cmsopts.add_signing_time = 0; /* PAdES: the claimed time is /M */
	cmsopts.signing_time = c.now;
	cmsopts.tsa = opts->tsa;
	reserve = first_reserve != 0 ? first_reserve : eseal_cms_max_size(opts->signer, &cmsopts);
	if (reserve == 0) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot size the signature", in_path);
		goto cleanup;
	}
	/* The estimate should always hold; if the token or TSA returns more, seal again with room for what came
	 * back rather than ever cutting the signature. */
	for (attempt = 0; attempt < 2; attempt++) {
		es_pdf_update_free(&c.u);
		eseal_output_free(out);
		out = NULL;
		OPENSSL_free(der);
		der = NULL;
		placed = reserve;
		if ((rc = build_update(&c, placed, err)) != ESEAL_OK || (rc = patch_byterange(&c, err)) != ESEAL_OK)
			goto cleanup;
		if ((rc = eseal_output_open(&out, out_path, opts->overwrite, in_path, err)) != ESEAL_OK)
			goto cleanup;
		eseal_output_set_group(out, opts->output_group, opts->output_cookie);
		if ((rc = write_and_hash(&c, fd, out, md, digest, &dlen, err)) != ESEAL_OK)
			goto cleanup;
		if ((rc = eseal_cms_sign_digest(opts->signer, &cmsopts, digest, dlen, &der, &der_len, err)) != ESEAL_OK)
			goto cleanup;
		if (der_len <= placed)
			break;
		reserve = der_len + 2048;
	}
	/* Checked against what this file's placeholder holds, never against the next estimate. */
	if (der_len > placed) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: signature of %zu bytes does not fit the reserved %zu",
				  in_path, der_len, placed);
		goto cleanup;
	}
	if ((rc = patch_contents(&c, out, der, der_len, err)) != ESEAL_OK)
		goto cleanup;
	rc = eseal_output_commit(out, err);
cleanup:
	eseal_output_free(out);
	OPENSSL_free(der);
	es_pdf_update_free(&c.u);
	es_pdf_doc_close(&c.doc);
	free(c.org);
	free(c.org_id);
	if (fd >= 0)
		close(fd);
	return rc;
}
