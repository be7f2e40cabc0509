/* pdf/pdf_pages.c: the page tree read only as far as a seal needs it: the page count from the root's /Count and one
 * page by walking the tree in order, instead of QPDF's list of all pages (which resolves every page of the file). */
#include "pdf_internal.h"
#include "core/input_release.h"

#define MAX_TREE_DEPTH 32
#define MAX_NODES (1 << 22)

/* The root /Pages node's /Count: what a reader shows as the number of pages (-1 when absent or not a count). */
int es_pdf_pages_count(es_pdf_doc *doc)
{
	qpdf_oh root = qpdf_get_root(doc->q);
	qpdf_oh pages = qpdf_oh_get_key_if_dict(doc->q, root, "/Pages");
	qpdf_oh count = qpdf_oh_get_key_if_dict(doc->q, pages, "/Count");
	long long n = qpdf_oh_is_integer(doc->q, count) ? qpdf_oh_get_int_value(doc->q, count) : -1;

	qpdf_oh_release(doc->q, count);
	qpdf_oh_release(doc->q, pages);
	qpdf_oh_release(doc->q, root);
	return n < 0 || n > MAX_NODES ? -1 : (int)n;
}

typedef struct walk {
	es_pdf_doc *doc;
	es_pdf_page_fn fn;
	void *ctx;
	int index;   /* pages seen so far */
	long nodes;  /* nodes visited: a hostile tree that names its nodes many times ends here */
	int stopped; /* fn asked to stop */
} walk;

/* A node with /Kids is an inner node (as QPDF and Poppler read it), any other dictionary below the root a page; the
 * root itself is never a page (a root without /Kids has none, for QPDF too). Returns -1 for a tree no reader would
 * follow (not a dictionary, a root without /Kids, too deep, too many nodes), else 0. */
static int visit(walk *w, qpdf_oh node, int depth)
{
	qpdf_data q = w->doc->q;
	qpdf_oh kids, kid;
	int n, i, rc = 0;

	if (depth > MAX_TREE_DEPTH || ++w->nodes > MAX_NODES || !qpdf_oh_is_dictionary(q, node))
		return -1;
	kids = qpdf_oh_get_key(q, node, "/Kids");
	if (!qpdf_oh_is_array(q, kids)) {
		qpdf_oh_release(q, kids);
		if (depth == 0)
			return -1;
		w->stopped = w->fn(w->doc, node, w->index++, w->ctx);
		/* A big file being verified: each page QPDF resolves maps a large folio of it (see pdf_walk.c). */
		if ((w->index & 3) == 0)
			es_input_release_all();
		return 0;
	}
	n = qpdf_oh_get_array_n_items(q, kids);
	for (i = 0; i < n && rc == 0 && !w->stopped; i++) {
		kid = qpdf_oh_get_array_item(q, kids, i);
		rc = visit(w, kid, depth + 1);
		qpdf_oh_release(q, kid);
	}
	qpdf_oh_release(q, kids);
	return rc;
}

int es_pdf_pages_walk(es_pdf_doc *doc, es_pdf_page_fn fn, void *ctx)
{
	qpdf_oh root = qpdf_get_root(doc->q), pages = qpdf_oh_get_key_if_dict(doc->q, root, "/Pages");
	walk w = {doc, fn, ctx, 0, 0, 0};
	int rc = visit(&w, pages, 0);

	qpdf_oh_release(doc->q, pages);
	qpdf_oh_release(doc->q, root);
	if (rc != 0 || qpdf_has_error(doc->q))
		return -1;
	return w.stopped ? 1 : 0;
}

typedef struct find_ctx {
	int want;
	qpdf_oh page;
} find_ctx;

static int take_nth(es_pdf_doc *doc, qpdf_oh page, int index, void *ctx)
{
	find_ctx *f = ctx;

	if (index != f->want)
		return 0;
	f->page = qpdf_oh_new_object(doc->q, page);
	return 1;
}

qpdf_oh es_pdf_page_at(es_pdf_doc *doc, int index)
{
	find_ctx f = {index, 0};

	if (index < 0 || es_pdf_pages_walk(doc, take_nth, &f) != 1)
		return qpdf_oh_new_null(doc->q);
	return f.page;
}
