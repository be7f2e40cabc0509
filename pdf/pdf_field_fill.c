/* pdf/pdf_field_fill.c: sealing into a signature field the form's author placed (--field NAME): the terminal
 * field is found by its fully qualified name, must be an empty /Sig field, and receives /V (and, where its widget has
 * an area on a page, the seal's appearance in that rectangle). Everything else of the field (/Lock, /SV, flags,
 * /Rect, /P) is copied as it was, so the verifier's "a signature field was filled" rule is all the change there is. */
#include "pdf_seal_internal.h"
#include "core/error_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32
#define MAX_VISITS 100000

typedef struct find_ctx {
	es_pdf_doc *d;
	const char *want;
	qpdf_oh found;
	int visits, oom;
} find_ctx;

/* The partial name /T of a field as UTF-8 (malloc'd), NULL for a dictionary without one (a widget, not a field). */
static char *partial_name(es_pdf_doc *d, qpdf_oh f)
{
	qpdf_oh t = qpdf_oh_get_key(d->q, f, "/T");
	char *s = NULL;

	if (qpdf_oh_is_string(d->q, t))
		s = strdup(qpdf_oh_get_utf8_value(d->q, t));
	qpdf_oh_release(d->q, t);
	return s;
}

/* Descends only where the name so far is a prefix of the wanted one: a large form costs one path, not a walk. */
static void walk(find_ctx *f, qpdf_oh arr, const char *prefix, int depth)
{
	qpdf_data q = f->d->q;
	int n, i;

	if (depth > MAX_DEPTH || !qpdf_oh_is_array(q, arr))
		return;
	n = qpdf_oh_get_array_n_items(q, arr);
	for (i = 0; i < n && !f->found && f->visits < MAX_VISITS; i++, f->visits++) {
		qpdf_oh item = qpdf_oh_get_array_item(q, arr, i), kids;
		char *t = qpdf_oh_is_dictionary(q, item) ? partial_name(f->d, item) : NULL, *full = NULL;
		size_t len;

		if (t != NULL && (full = malloc(strlen(prefix) + strlen(t) + 2)) == NULL)
			f->oom = 1;
		if (full != NULL) {
			sprintf(full, "%s%s%s", prefix, *prefix ? "." : "", t);
			len = strlen(full);
			if (strcmp(full, f->want) == 0) {
				f->found = item;
				item = 0;
			} else if (strncmp(full, f->want, len) == 0 && f->want[len] == '.') {
				kids = qpdf_oh_get_key(q, item, "/Kids");
				walk(f, kids, full, depth + 1);
				qpdf_oh_release(q, kids);
			}
		}
		free(t);
		free(full);
		if (item)
			qpdf_oh_release(q, item);
	}
}

/* Kids that are widgets (no /T) are the field's appearances; a kid with /T is a sub-field. Counts both. */
static void count_kids(es_pdf_doc *d, qpdf_oh kids, int *fields, int *widgets, qpdf_oh *first_widget)
{
	int n = qpdf_oh_is_array(d->q, kids) ? qpdf_oh_get_array_n_items(d->q, kids) : 0, i;

	for (i = 0; i < n && i < MAX_VISITS; i++) {
		qpdf_oh k = qpdf_oh_get_array_item(d->q, kids, i);

		if (qpdf_oh_is_dictionary(d->q, k)) {
			if (qpdf_oh_has_key(d->q, k, "/T")) {
				(*fields)++;
			} else if ((*widgets)++ == 0) {
				*first_widget = k;
				continue;
			}
		}
		qpdf_oh_release(d->q, k);
	}
}

typedef struct widget_ctx {
	int id;       /* the widget's object number */
	qpdf_oh page; /* the page found */
} widget_ctx;

static int lists_widget(es_pdf_doc *d, qpdf_oh page, int index, void *ctx)
{
	widget_ctx *w = ctx;
	qpdf_oh annots = qpdf_oh_get_key(d->q, page, "/Annots"), a;
	int n = qpdf_oh_is_array(d->q, annots) ? qpdf_oh_get_array_n_items(d->q, annots) : 0, k, found = 0;

	(void)index;
	for (k = 0; k < n && k < MAX_VISITS && !found; k++) {
		a = qpdf_oh_get_array_item(d->q, annots, k);
		found = qpdf_oh_is_indirect(d->q, a) && qpdf_oh_get_object_id(d->q, a) == w->id;
		qpdf_oh_release(d->q, a);
	}
	qpdf_oh_release(d->q, annots);
	if (found)
		w->page = qpdf_oh_new_object(d->q, page);
	return found;
}

/* The page whose /Annots lists the widget: a widget is shown only from there, whatever its /P says. */
static qpdf_oh widget_page(es_pdf_doc *d, qpdf_oh widget)
{
	widget_ctx w = {qpdf_oh_get_object_id(d->q, widget), 0};

	return es_pdf_pages_walk(d, lists_widget, &w) == 1 ? w.page : 0;
}

/* The widget (merged into the field, or its one widget kid: count_kids' findings, widget owned from here), its page
 * and whether it has an area there. */
static int find_widget(es_pdf_seal_ctx *c, int widgets, qpdf_oh widget, eseal_error *err)
{
	es_pdf_doc *d = &c->doc;
	const char *name = c->opts->field;
	qpdf_oh rect = 0, subtype = qpdf_oh_get_key(d->q, c->field, "/Subtype");
	int rc = ESEAL_OK;

	if (widgets > 1) {
		rc = es_error_set(err, ESEAL_E_INPUT,
				  "%s: form field %s is shown in %d places; sealing into such a field is not supported",
				  d->path, name, widgets);
		goto cleanup;
	}
	if (widgets == 0 && (qpdf_oh_has_key(d->q, c->field, "/Rect") ||
			     qpdf_oh_is_name_and_equals(d->q, subtype, "/Widget")))
		widget = qpdf_oh_new_object(d->q, c->field);
	if (widget == 0)
		goto cleanup;
	if (!qpdf_oh_is_indirect(d->q, widget)) {
		rc = es_error_set(err, ESEAL_E_INPUT,
				  "%s: form field %s has a direct widget annotation; cannot seal into it", d->path,
				  name);
		goto cleanup;
	}
	c->widget = widget;
	widget = 0;
	c->page = widget_page(d, c->widget);
	rect = qpdf_oh_get_key(d->q, c->widget, "/Rect");
	c->widget_area = c->page != 0 && es_pdf_read_rect(d, rect, c->widget_rect) &&
			 c->widget_rect[2] - c->widget_rect[0] >= 1 && c->widget_rect[3] - c->widget_rect[1] >= 1;
cleanup:
	qpdf_oh_release(d->q, subtype);
	qpdf_oh_release(d->q, rect);
	if (widget)
		qpdf_oh_release(d->q, widget);
	return rc;
}

/* The field's /Lock (ISO 32000-1 12.7.4.5 table 233): /Action All, or Include/Exclude with /Fields, an array of
 * text strings. Its entries are copied into the seal's FieldMDP reference, so they must be readable as such. */
static int check_lock(es_pdf_seal_ctx *c, eseal_error *err)
{
	es_pdf_doc *d = &c->doc;
	qpdf_oh lock = qpdf_oh_get_key(d->q, c->field, "/Lock"), action = 0, fields = 0, it;
	int rc = ESEAL_OK, n, i;

	if (qpdf_oh_is_null(d->q, lock))
		goto cleanup;
	action = qpdf_oh_get_key_if_dict(d->q, lock, "/Action");
	fields = qpdf_oh_get_key_if_dict(d->q, lock, "/Fields");
	if (!qpdf_oh_is_dictionary(d->q, lock) || !(qpdf_oh_is_name_and_equals(d->q, action, "/All") ||
						    qpdf_oh_is_name_and_equals(d->q, action, "/Include") ||
						    qpdf_oh_is_name_and_equals(d->q, action, "/Exclude"))) {
		rc = es_error_set(err, ESEAL_E_INPUT,
				  "%s: form field %s: its /Lock has no /Action All, Include or Exclude; the fields it "
				  "locks cannot be named in the seal",
				  d->path, c->opts->field);
		goto cleanup;
	}
	if (!qpdf_oh_is_name_and_equals(d->q, action, "/All")) {
		n = qpdf_oh_is_array(d->q, fields) ? qpdf_oh_get_array_n_items(d->q, fields) : -1;
		for (i = 0; i < n; i++) {
			it = qpdf_oh_get_array_item(d->q, fields, i);
			if (!qpdf_oh_is_string(d->q, it))
				n = -1;
			qpdf_oh_release(d->q, it);
		}
		if (n < 0) {
			rc = es_error_set(
				err, ESEAL_E_INPUT,
				"%s: form field %s: its /Lock /Fields is missing or not an array of field names",
				d->path, c->opts->field);
			goto cleanup;
		}
	}
	c->lock = lock;
	lock = 0;
cleanup:
	if (lock)
		qpdf_oh_release(d->q, lock);
	qpdf_oh_release(d->q, action);
	qpdf_oh_release(d->q, fields);
	return rc;
}

int es_pdf_field_find(es_pdf_seal_ctx *c, eseal_error *err)
{
	es_pdf_doc *d = &c->doc;
	const eseal_pdf_options *o = c->opts;
	const char *name = o->field;
	qpdf_oh root = qpdf_get_root(d->q), acro = qpdf_oh_get_key(d->q, root, "/AcroForm");
	qpdf_oh fields = qpdf_oh_get_key_if_dict(d->q, acro, "/Fields"), ft = 0, v = 0, kids = 0, widget = 0;
	find_ctx f = {d, name, 0, 0, 0};
	int rc = ESEAL_OK, sub = 0, widgets = 0;

	if (*name == '\0') {
		rc = es_error_set(err, ESEAL_E_USAGE, "%s: an empty signature field name", d->path);
		goto cleanup;
	}
	/* The field's widget fixes page and place; a second opinion from the options is a mistake, not a hint. */
	if (o->page != 0 || es_pdf_rect_given(o)) {
		rc = es_error_set(
			err, ESEAL_E_USAGE,
			"%s: field %s: the seal goes where the field is; a page or place cannot be combined with it",
			d->path, name);
		goto cleanup;
	}
	walk(&f, fields, "", 0);
	if (es_pdf_qpdf_failed(d, "reading the form fields", err)) {
		rc = ESEAL_E_INPUT;
		goto cleanup;
	}
	if (f.found == 0) {
		rc = f.oom ? es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", d->path) :
			     es_error_set(err, ESEAL_E_INPUT, "%s: no form field named %s", d->path, name);
		goto cleanup;
	}
	c->field = f.found;
	/* A name that stops at a parent (approval of approval.seal) is a user's slip worth naming as such. */
	kids = qpdf_oh_get_key(d->q, c->field, "/Kids");
	count_kids(d, kids, &sub, &widgets, &widget);
	if (sub > 0) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: form field %s has sub-fields; name one of them", d->path,
				  name);
		goto cleanup;
	}
	ft = es_pdf_page_inherited(d, c->field, "/FT");
	if (!qpdf_oh_is_name_and_equals(d->q, ft, "/Sig")) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: form field %s is not a signature field", d->path, name);
		goto cleanup;
	}
	v = es_pdf_page_inherited(d, c->field, "/V");
	if (!qpdf_oh_is_null(d->q, v)) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: form field %s is already signed", d->path, name);
		goto cleanup;
	}
	/* The update replaces whole objects: a field that is not one of its own cannot be given a value alone. */
	if (!qpdf_oh_is_indirect(d->q, c->field)) {
		rc = es_error_set(err, ESEAL_E_INPUT,
				  "%s: form field %s is not an indirect object; cannot seal into it", d->path, name);
		goto cleanup;
	}
	rc = find_widget(c, widgets, widget, err);
	widget = 0;
	if (rc != ESEAL_OK || (rc = check_lock(c, err)) != ESEAL_OK)
		goto cleanup;
	if (o->visible && !c->widget_area)
		rc = es_error_set(err, ESEAL_E_USAGE,
				  "%s: form field %s has no area on a page (an invisible signature field); "
				  "it cannot show a visible seal",
				  d->path, name);
	else if (o->visible && !es_pdf_stamp_size_ok(c->widget_rect[2] - c->widget_rect[0],
						     c->widget_rect[3] - c->widget_rect[1]))
		/* The document's own rectangle, not the user's: an input error, as any other unusable field. */
		rc = es_error_set(err, ESEAL_E_INPUT,
				  "%s: form field %s: its widget (%gx%g pt) is too small or too large for a visible "
				  "seal",
				  d->path, name, c->widget_rect[2] - c->widget_rect[0],
				  c->widget_rect[3] - c->widget_rect[1]);
cleanup:
	qpdf_oh_release(d->q, root);
	qpdf_oh_release(d->q, acro);
	qpdf_oh_release(d->q, fields);
	qpdf_oh_release(d->q, ft);
	qpdf_oh_release(d->q, v);
	qpdf_oh_release(d->q, kids);
	if (widget)
		qpdf_oh_release(d->q, widget);
	return rc;
}

/* Rewrites obj with the keys in skip replaced by extra. */
static int rewrite(es_pdf_seal_ctx *c, qpdf_oh obj, const char *const *skip, const char *extra, eseal_error *err)
{
	es_buf text = {0};
	int rc = es_pdf_dict_rewrite(&c->doc, obj, skip, extra, &text, err);

	if (rc == ESEAL_OK)
		es_pdf_update_replace(&c->u, c->doc.q, obj, &text);
	es_buf_free(&text);
	return rc;
}

int es_pdf_field_fill(es_pdf_seal_ctx *c, long long sig, eseal_error *err)
{
	static const char *const skip_v[] = {"/V", NULL};
	static const char *const skip_both[] = {"/V", "/AP", NULL};
	qpdf_data q = c->doc.q;
	char v[48], both[112];
	double crop[4], w, h;
	long long ap = 0;
	int rotate = 0, rc;

	if (c->widget_area) {
		/* The widget's /Rect is in user space; the appearance is drawn as the page is displayed. */
		es_pdf_place_page_geometry(&c->doc, c->page, crop, &rotate);
		w = c->widget_rect[2] - c->widget_rect[0];
		h = c->widget_rect[3] - c->widget_rect[1];
		if (rotate % 180 != 0) {
			double t = w;

			w = h;
			h = t;
		}
		if ((rc = es_pdf_place_draw(c, w, h, rotate, &ap, err)) != ESEAL_OK)
			return rc;
	}
	snprintf(v, sizeof(v), "/V %lld 0 R", sig);
	if (ap != 0)
		snprintf(both, sizeof(both), "%s /AP << /N %lld 0 R >>", v, ap);
	else
		snprintf(both, sizeof(both), "%s", v);
	if (c->widget == 0 || qpdf_oh_get_object_id(q, c->widget) == qpdf_oh_get_object_id(q, c->field))
		return rewrite(c, c->field, ap != 0 ? skip_both : skip_v, both, err);
	if ((rc = rewrite(c, c->field, skip_v, v, err)) != ESEAL_OK)
		return rc;
	/* The widget kid gets the same /V: Poppler (pdfsig, Evince, Okular) takes a kid with /Parent for a field of its
	 * own and reads the value there, not inherited; readers that follow the standard ignore /V on a widget. */
	return rewrite(c, c->widget, ap != 0 ? skip_both : skip_v, both, err);
}
