/* pdf/pdf_verify_widget.c: where a seal shows on the page: the page and rectangle of the widget whose value is a
 * given signature dictionary, for reports that mark the seal on a picture of the page. */
#include "pdf_verify_internal.h"
#include "pdf_internal.h"

/* Page boxes and fields inherit through /Parent; a loop in a hostile file stops here. */
#define WIDGET_MAX_DEPTH 32
#define WIDGET_MAX_ANNOTS 100000

static qpdf_oh inherited(qpdf_data q, qpdf_oh oh, const char *key)
{
	int depth;

	for (depth = 0; depth < WIDGET_MAX_DEPTH && qpdf_oh_is_dictionary(q, oh); depth++) {
		if (qpdf_oh_has_key(q, oh, key))
			return qpdf_oh_get_key(q, oh, key);
		oh = qpdf_oh_get_key(q, oh, "/Parent");
	}
	return qpdf_oh_new_null(q);
}

/* The four numbers of a rectangle array, normalized (x0 < x1, y0 < y1); 0 when it is none. */
static int read_rect(qpdf_data q, qpdf_oh a, double out[4])
{
	double t;
	int i;

	if (!qpdf_oh_is_array(q, a) || qpdf_oh_get_array_n_items(q, a) != 4)
		return 0;
	for (i = 0; i < 4; i++) {
		qpdf_oh n = qpdf_oh_get_array_item(q, a, i);

		if (!qpdf_oh_is_number(q, n))
			return 0;
		out[i] = qpdf_oh_get_numeric_value(q, n);
	}
	if (out[0] > out[2]) {
		t = out[0];
		out[0] = out[2];
		out[2] = t;
	}
	if (out[1] > out[3]) {
		t = out[1];
		out[1] = out[3];
		out[3] = t;
	}
	return 1;
}

/* The widget a, on page (index i), if its value is sig_objid: its place into s, 1. */
static int place(qpdf_data q, qpdf_oh page, int i, qpdf_oh a, int sig_objid, eseal_seal_report *s)
{
	double box[4], rect[4];
	qpdf_oh v = inherited(q, a, "/V");

	if (qpdf_oh_get_object_id(q, v) != sig_objid ||
	    !qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, a, "/Subtype"), "/Widget") ||
	    !read_rect(q, qpdf_oh_get_key(q, a, "/Rect"), rect))
		return 0;
	/* Pictures of the page show its crop box (else media box): the rectangle is given from its lower left
	 * corner. */
	if (!read_rect(q, inherited(q, page, "/CropBox"), box) && !read_rect(q, inherited(q, page, "/MediaBox"), box))
		box[0] = box[1] = 0;
	s->page = i;
	s->rect[0] = rect[0] - box[0];
	s->rect[1] = rect[1] - box[1];
	s->rect[2] = rect[2] - box[0];
	s->rect[3] = rect[3] - box[1];
	return 1;
}

void es_pdf_seal_widget(qpdf_data q, const es_pdf_page_list *pl, int sig_objid, eseal_seal_report *s)
{
	int np, i, k, na, seen = 0, done = 0;

	if (pl != NULL) {
		for (i = 0; (size_t)i < pl->n_pages && seen < WIDGET_MAX_ANNOTS && !done; i++) {
			const es_pdf_page_ref *p = &pl->pages[i];
			size_t j;

			for (j = 0; j < p->n_annots && seen < WIDGET_MAX_ANNOTS && !done; j++, seen++) {
				const es_pdf_annot_ref *a = &pl->annots[p->first_annot + j];

				/* (read by our lexer as no widget: not the seal's, and QPDF need not parse it) */
				if (!a->not_widget)
					done = place(q, qpdf_get_object_by_id(q, p->id, p->gen), i,
						     qpdf_get_object_by_id(q, a->id, a->gen), sig_objid, s);
			}
		}
		es_pdf_clear_error(q);
		return;
	}
	np = qpdf_get_num_pages(q);
	for (i = 0; i < np && seen < WIDGET_MAX_ANNOTS && !done; i++) {
		qpdf_oh page = qpdf_get_page_n(q, (size_t)i), annots = qpdf_oh_get_key(q, page, "/Annots");

		na = qpdf_oh_is_array(q, annots) ? qpdf_oh_get_array_n_items(q, annots) : 0;
		for (k = 0; k < na && seen < WIDGET_MAX_ANNOTS && !done; k++, seen++)
			done = place(q, page, i, qpdf_oh_get_array_item(q, annots, k), sig_objid, s);
	}
	es_pdf_clear_error(q);
}
