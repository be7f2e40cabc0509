/* pdf/pdf_field_new.c: the seal's own signature field when none is named: one merged field + widget (eSealN)
 * holding the signature value, added to its page's /Annots without touching what other pages share. */
#include "pdf_seal_internal.h"

#include <stdio.h>

typedef struct shared_ctx {
	int annots, self; /* object numbers of the /Annots array and of the seal's page */
} shared_ctx;

static int names_annots(es_pdf_doc *d, qpdf_oh page, int index, void *ctx)
{
	shared_ctx *s = ctx;
	qpdf_oh a;
	int shared;

	(void)index;
	if (qpdf_oh_get_object_id(d->q, page) == s->self)
		return 0;
	a = qpdf_oh_get_key(d->q, page, "/Annots");
	shared = qpdf_oh_is_indirect(d->q, a) && qpdf_oh_get_object_id(d->q, a) == s->annots;
	qpdf_oh_release(d->q, a);
	return shared;
}

/* True if another page names the same indirect /Annots array (some generators share one): rewriting it would
 * put our widget on those pages too. A tree that cannot be walked counts as shared (the page is rewritten). */
static int annots_shared(es_pdf_seal_ctx *c, qpdf_oh annots)
{
	shared_ctx s = {qpdf_oh_get_object_id(c->doc.q, annots), qpdf_oh_get_object_id(c->doc.q, c->page)};

	return es_pdf_pages_walk(&c->doc, names_annots, &s) != 0;
}

/* Adds the widget to the page's /Annots: the array object itself is rewritten when indirect (and only this page's),
 * else the page, with the array made direct. */
static int add_to_page(es_pdf_seal_ctx *c, long long field, eseal_error *err)
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
			es_pdf_update_replace(&c->u, d->q, annots, &text);
	} else {
		es_buf_puts(&extra, "/Annots ");
		if (qpdf_oh_is_array(d->q, annots))
			rc = es_pdf_array_rewrite(d, annots, ref, &extra, err);
		else
			es_buf_printf(&extra, "[ %s ]", ref);
		if (rc == ESEAL_OK && (rc = es_pdf_dict_rewrite(d, c->page, skip, extra.data, &text, err)) == ESEAL_OK)
			es_pdf_update_replace(&c->u, d->q, c->page, &text);
	}
	qpdf_oh_release(d->q, annots);
	es_buf_free(&text);
	es_buf_free(&extra);
	return rc;
}

int es_pdf_field_new(es_pdf_seal_ctx *c, long long sig, long long *field, eseal_error *err)
{
	es_pdf_doc *d = &c->doc;
	double rect[4] = {0, 0, 0, 0};
	long long ap = 0;
	long long page_num, page_gen;
	int rc, i;

	if (d->lexed != NULL) {
		page_num = d->lexed->page_num;
		page_gen = d->lexed->page_gen;
	} else {
		page_num = qpdf_oh_get_object_id(d->q, c->page);
		page_gen = qpdf_oh_get_generation(d->q, c->page);
	}
	*field = es_pdf_update_new_num(&c->u);
	if (c->opts->visible && (rc = es_pdf_place_new(c, rect, &ap, err)) != ESEAL_OK)
		return rc;
	es_pdf_update_begin_obj(&c->u, *field, 0);
	es_buf_puts(&c->u.buf, "<< /Type /Annot /Subtype /Widget /FT /Sig /T ");
	es_pdf_text_string(&c->u.buf, &d->crypt, c->field_name);
	es_buf_printf(&c->u.buf, " /V %lld 0 R /F 132 /P %lld %lld R /Rect [", sig, page_num, page_gen);
	for (i = 0; i < 4; i++) {
		es_buf_puts(&c->u.buf, i ? " " : "");
		es_buf_real(&c->u.buf, rect[i]);
	}
	es_buf_puts(&c->u.buf, "]");
	if (ap)
		es_buf_printf(&c->u.buf, " /AP << /N %lld 0 R >>", ap);
	es_buf_puts(&c->u.buf, " >>");
	es_pdf_update_end_obj(&c->u);
	return d->lexed != NULL ? es_pdf_lexed_add_to_page(c, *field, err) : add_to_page(c, *field, err);
}
