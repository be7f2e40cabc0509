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

/* The widget a, on page (index i; pl: the page list it comes from, or NULL), if its value is sig_objid: its place
 * into s, 1. */
static int place(qpdf_data q, const es_pdf_page_list *pl, qpdf_oh page, int i, qpdf_oh a, int sig_objid,
		 eseal_seal_report *s)
{
	double box[4], rect[4];
	qpdf_oh v = inherited(q, a, "/V");
	int rc = -1;

	if (qpdf_oh_get_object_id(q, v) != sig_objid ||
	    !qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, a, "/Subtype"), "/Widget") ||
	    !es_pdf_rect_value(q, qpdf_oh_get_key(q, a, "/Rect"), rect))
		return 0;
	/* Pictures of the page show its crop box (else media box): the rectangle is given from its lower left
	 * corner. (The page list reads them without QPDF parsing the object stream of the page's parent.) */
	if (pl != NULL)
		rc = es_pdf_page_list_box(pl, q, (size_t)i, box);
	if (rc < 0)
		rc = es_pdf_rect_value(q, inherited(q, page, "/CropBox"), box) ||
		     es_pdf_rect_value(q, inherited(q, page, "/MediaBox"), box);
	if (rc == 0)
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
					done = place(q, pl, qpdf_get_object_by_id(q, p->id, p->gen), i,
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
			done = place(q, NULL, page, i, qpdf_oh_get_array_item(q, annots, k), sig_objid, s);
	}
	es_pdf_clear_error(q);
}
