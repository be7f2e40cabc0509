/* pdf/pdf_verify_dups.c: a signed revision whose signature dictionary, signature field, widget, /AcroForm, /Perms or
 * catalog gives a key twice, found from QPDF's warnings while those objects are read for the first time.
 *
 * QPDF (and our own lexer) keep the last value of a key given twice; Poppler keeps the last of a small dictionary
 * and, once a dictionary has 32 entries or more, sorts it and takes whichever of the two the sort leaves first;
 * other readers keep the first. Where the key says what was signed (/ByteRange, /SubFilter, /Reference, /V, /AP,
 * /Fields, /Perms, /Pages), a reader can be shown one signature or document while the verifier judged another, so
 * the seal cannot be judged. The walk resolves the objects in a fixed order and drains QPDF's warnings after each;
 * an object stream parsed on the way warns for its other objects too, so each warning is matched to the object its
 * text names, once every role is known. */
#include "pdf_verify_dups.h"
#include "core/input_release.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUPS_MAX_DEPTH 32
#define DUPS_MAX_NODES 20000   /* fields, widgets and annotations looked at */
#define DUPS_MAX_FOUND 64      /* duplicated keys kept */
#define DUPS_MAX_REPORTED 8

/* What an object is to the signature, strongest first: a duplicate fails the seal up to R_STRICT, warns after. */
enum {
	R_NONE,
	R_SIG,	    /* the signature dictionary */
	R_FIELD,    /* its field, a parent of it, or a widget of it */
	R_AP,	    /* an appearance of that widget */
	R_ACROFORM, /* the catalog's /AcroForm */
	R_PERMS,    /* the catalog's /Perms, and the signature dictionaries it names */
	R_CATALOG,
	R_TRAILER, /* (only /Root, the trailer keys the scan does not already refuse twice) */
	R_STRICT = R_TRAILER,
	R_OTHER_FIELD,
	R_PAGE,
};

static const char *const role_text[] = {
	"",
	"signature dictionary",
	"signature field or widget",
	"appearance stream of the signature's widget",
	"/AcroForm dictionary",
	"/Perms dictionary (or a signature it names)",
	"catalog",
	"trailer",
	"form field",
	"page",
};

typedef struct {
	int id, role;
} dup_role;

typedef struct {
	int id;	      /* -1: the trailer; 0: not said */
	char key[64]; /* "/SubFilter" */
	char where[96];
} dup_found;

typedef struct {
	qpdf_data q;
	dup_role *roles;
	size_t n_roles, cap_roles;
	dup_found found[DUPS_MAX_FOUND];
	size_t n_found;
	int cur;   /* the object being resolved: where a warning that names none belongs */
	long left; /* nodes still to look at */
	int oom;
} dups_ctx;

/* The object number in QPDF's "... (object 12 0, offset 345): ..." (-1 for "(trailer, ...)", 0 when neither). */
static int warned_object(const char *full)
{
	const char *o = full != NULL ? strstr(full, "(object ") : NULL;

	if (o != NULL)
		return atoi(o + 8);
	return full != NULL && strstr(full, "(trailer") != NULL ? -1 : 0;
}

/* Drains QPDF's warnings, keeping each duplicated key once per object. */
static void take(dups_ctx *c)
{
	static const char tag[] = "dictionary has duplicated key ";
	size_t i;

	while (qpdf_more_warnings(c->q)) {
		qpdf_error e = qpdf_next_warning(c->q);
		const char *d = e != NULL ? qpdf_get_error_message_detail(c->q, e) : NULL;
		const char *full = e != NULL ? qpdf_get_error_full_text(c->q, e) : NULL;
		dup_found f;
		const char *w;

		if (d == NULL || strncmp(d, tag, strlen(tag)) != 0)
			continue;
		memset(&f, 0, sizeof(f));
		f.id = warned_object(full);
		if (f.id == 0)
			f.id = c->cur;
		snprintf(f.key, sizeof(f.key), "%.*s", (int)strcspn(d + strlen(tag), "; "), d + strlen(tag));
		w = full != NULL ? strchr(full, '(') : NULL;
		if (w != NULL)
			snprintf(f.where, sizeof(f.where), "%.*s", (int)strcspn(w, ")") + 1, w);
		for (i = 0; i < c->n_found; i++)
			if (c->found[i].id == f.id && strcmp(c->found[i].key, f.key) == 0)
				break;
		if (i == c->n_found && c->n_found < DUPS_MAX_FOUND)
			c->found[c->n_found++] = f;
	}
	if (qpdf_has_error(c->q))
		qpdf_get_error(c->q);
}

static void set_role(dups_ctx *c, int id, int role)
{
	size_t i;

	if (id <= 0)
		return;
	for (i = 0; i < c->n_roles; i++)
		if (c->roles[i].id == id) {
			if (role < c->roles[i].role)
				c->roles[i].role = role;
			return;
		}
	if (c->n_roles == c->cap_roles) {
		size_t cap = c->cap_roles ? 2 * c->cap_roles : 64;
		dup_role *nr = realloc(c->roles, cap * sizeof(*nr));

		if (nr == NULL) {
			c->oom = 1;
			return;
		}
		c->roles = nr;
		c->cap_roles = cap;
	}
	c->roles[c->n_roles].id = id;
	c->roles[c->n_roles++].role = role;
}

static int role_of(const dups_ctx *c, int id)
{
	size_t i;

	for (i = 0; i < c->n_roles; i++)
		if (c->roles[i].id == id)
			return c->roles[i].role;
	return R_NONE;
}

/* Resolves oh (QPDF parses it now, if it has not yet) with role, then takes the warnings that parse gave. */
static void meet(dups_ctx *c, qpdf_oh oh, int role)
{
	int id = qpdf_oh_get_object_id(c->q, oh);

	c->cur = id;
	set_role(c, id, role);
	es_input_release_turn();
	(void)qpdf_oh_get_type_code(c->q, oh);
	take(c);
}

/* The value of the signature (the field's /V, inherited through /Parent) is the signature dictionary sig_objid. */
static int holds_sig(qpdf_data q, qpdf_oh node, int sig_objid)
{
	int depth;

	for (depth = 0; depth < DUPS_MAX_DEPTH && qpdf_oh_is_dictionary(q, node); depth++) {
		qpdf_oh v = qpdf_oh_get_key(q, node, "/V");

		if (!qpdf_oh_is_null(q, v))
			return qpdf_oh_get_object_id(q, v) == sig_objid;
		node = qpdf_oh_get_key(q, node, "/Parent");
	}
	return 0;
}

/* The appearances of a widget: /AP and its /N, /D, /R, each a stream or a dictionary of states. */
static void meet_appearances(dups_ctx *c, qpdf_oh widget)
{
	static const char *const kinds[] = {"/N", "/D", "/R"};
	qpdf_oh ap = qpdf_oh_get_key(c->q, widget, "/AP"), a, st;
	size_t i, n = 0, k;
	char **keys;

	meet(c, ap, R_AP);
	for (i = 0; i < 3 && qpdf_oh_is_dictionary(c->q, ap); i++) {
		a = qpdf_oh_get_key(c->q, ap, kinds[i]);
		meet(c, a, R_AP);
		if (qpdf_oh_is_stream(c->q, a) || !qpdf_oh_is_dictionary(c->q, a))
			continue;
		keys = es_pdf_dict_keys(c->q, a, &n);
		for (k = 0; k < n && c->left-- > 0; k++) {
			st = qpdf_oh_get_key(c->q, a, keys[k]);
			meet(c, st, R_AP);
		}
		es_pdf_free_keys(keys, n);
	}
}

/* A field node and what hangs below it; sig: its value is the signature (then its widgets and parents, and their
 * appearances, are the signature's). */
static void meet_field(dups_ctx *c, qpdf_oh node, int sig_objid, int depth)
{
	qpdf_oh kids, p;
	int n, i, is_sig, d;

	if (depth > DUPS_MAX_DEPTH || c->left-- <= 0)
		return;
	meet(c, node, R_OTHER_FIELD);
	if (!qpdf_oh_is_dictionary(c->q, node))
		return;
	is_sig = holds_sig(c->q, node, sig_objid);
	kids = qpdf_oh_get_key(c->q, node, "/Kids");
	n = qpdf_oh_is_array(c->q, kids) ? qpdf_oh_get_array_n_items(c->q, kids) : 0;
	if (is_sig) {
		set_role(c, qpdf_oh_get_object_id(c->q, node), R_FIELD);
		for (p = node, d = 0; d < DUPS_MAX_DEPTH && qpdf_oh_is_dictionary(c->q, p); d++) {
			set_role(c, qpdf_oh_get_object_id(c->q, p), R_FIELD);
			p = qpdf_oh_get_key(c->q, p, "/Parent");
		}
		meet_appearances(c, node);
	}
	for (i = 0; i < n; i++)
		meet_field(c, qpdf_oh_get_array_item(c->q, kids, i), sig_objid, depth + 1);
}

/* An annotation of a page: a widget of the signature there has the role of its field, and its appearances. */
static void meet_annot(dups_ctx *c, qpdf_oh a, int sig_objid)
{
	meet(c, a, R_PAGE);
	if (qpdf_oh_is_name_and_equals(c->q, qpdf_oh_get_key(c->q, a, "/Subtype"), "/Widget") &&
	    holds_sig(c->q, a, sig_objid)) {
		set_role(c, qpdf_oh_get_object_id(c->q, a), R_FIELD);
		meet_appearances(c, a);
	}
}

/* The widgets pages show, for a widget of the signature that the form's /Fields does not reach. With pl, the pages
 * as es_pdf_page_list_read read them: a page or annotation our lexer read gives no key twice (else QPDF lists them
 * and warns), an annotation it read as no widget is not the signature's, so QPDF need not parse them. */
static void meet_pages(dups_ctx *c, const es_pdf_page_list *pl, int sig_objid)
{
	int np, i, k, na;

	take(c); /* (the page tree: warnings of its own nodes are pages') */
	if (pl != NULL && !pl->dup_key) {
		for (i = 0; (size_t)i < pl->n_pages && c->left-- > 0; i++) {
			const es_pdf_page_ref *p = &pl->pages[i];
			size_t j;

			if (p->lexed)
				set_role(c, p->id, R_PAGE);
			else
				meet(c, qpdf_get_object_by_id(c->q, p->id, p->gen), R_PAGE);
			for (j = 0; j < p->n_annots && c->left-- > 0; j++) {
				const es_pdf_annot_ref *a = &pl->annots[p->first_annot + j];

				if (a->not_widget)
					set_role(c, a->id, R_PAGE);
				else
					meet_annot(c, qpdf_get_object_by_id(c->q, a->id, a->gen), sig_objid);
			}
		}
		take(c);
		return;
	}
	np = qpdf_get_num_pages(c->q);
	take(c);
	for (i = 0; i < np && c->left-- > 0; i++) {
		qpdf_oh page = qpdf_get_page_n(c->q, (size_t)i), annots;

		meet(c, page, R_PAGE);
		annots = qpdf_oh_get_key(c->q, page, "/Annots");
		meet(c, annots, R_PAGE);
		na = qpdf_oh_is_array(c->q, annots) ? qpdf_oh_get_array_n_items(c->q, annots) : 0;
		for (k = 0; k < na && c->left-- > 0; k++)
			meet_annot(c, qpdf_oh_get_array_item(c->q, annots, k), sig_objid);
	}
}

static void report_found(dups_ctx *c, eseal_seal_report *s)
{
	size_t i, failed = 0, warned = 0;
	int role;

	for (i = 0; i < c->n_found; i++) {
		const dup_found *f = &c->found[i];

		role = f->id < 0 ? (strcmp(f->key, "/Root") == 0 ? R_TRAILER : R_NONE) : role_of(c, f->id);
		if (role == R_NONE)
			continue;
		if (role <= R_STRICT && failed++ < DUPS_MAX_REPORTED) {
			/* The signature value and the bytes it covers given twice: two signatures in one dictionary. */
			int wrap = role == R_SIG && (strcmp(f->key, "/Contents") == 0 || strcmp(f->key, "/ByteRange") == 0);

			es_seal_fail(s, wrap ? ESEAL_TOTAL_FAILED : ESEAL_INDETERMINATE, ESEAL_SUB_FORMAT_FAILURE,
				     "the signed revision's %s %s gives %s twice: readers differ on which value counts, "
				     "so a reader may be shown another %s than the one verified%s",
				     role_text[role], f->where, f->key,
				     role == R_SIG || role == R_PERMS ? "signature" : "document",
				     wrap ? " (signature wrapping?)" : "");
		} else if (role > R_STRICT && warned++ < DUPS_MAX_REPORTED) {
			es_seal_warn(s, "the signed revision's %s %s gives %s twice (readers differ on which value counts)",
				     role_text[role], f->where, f->key);
		}
	}
	if (c->oom)
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_FORMAT_FAILURE,
			     "out of memory while looking for keys given twice in the signed revision");
	else if (c->left <= 0)
		es_seal_warn(s, "the form is too large to look for keys given twice in all of it");
}

void es_pdf_check_dups(qpdf_data q, const es_pdf_page_list *pl, int sig_objid, int sig_gen, eseal_seal_report *s)
{
	dups_ctx c;
	qpdf_oh root, form, perms, fields, v;
	size_t n = 0, i;
	char **keys;
	int nf, k;

	memset(&c, 0, sizeof(c));
	c.q = q;
	c.left = DUPS_MAX_NODES;
	c.cur = -1;
	take(&c); /* what opening the revision parsed: its trailers */
	root = qpdf_get_root(q);
	meet(&c, root, R_CATALOG);
	v = qpdf_get_object_by_id(q, sig_objid, sig_gen);
	meet(&c, v, R_SIG);
	/* (a /Reference's transform parameters may be indirect: they say what a certification permits) */
	v = qpdf_oh_get_key(q, v, "/Reference");
	nf = qpdf_oh_is_array(q, v) ? qpdf_oh_get_array_n_items(q, v) : 0;
	for (k = 0; k < nf && k < DUPS_MAX_DEPTH; k++) {
		qpdf_oh r = qpdf_oh_get_array_item(q, v, k);

		meet(&c, r, R_SIG);
		meet(&c, qpdf_oh_get_key(q, r, "/TransformParams"), R_SIG);
	}
	form = qpdf_oh_get_key(q, root, "/AcroForm");
	meet(&c, form, R_ACROFORM);
	perms = qpdf_oh_get_key(q, root, "/Perms");
	meet(&c, perms, R_PERMS);
	keys = qpdf_oh_is_dictionary(q, perms) ? es_pdf_dict_keys(q, perms, &n) : NULL;
	for (i = 0; i < n; i++)
		meet(&c, qpdf_oh_get_key(q, perms, keys[i]), R_PERMS);
	es_pdf_free_keys(keys, n);
	fields = qpdf_oh_get_key(q, form, "/Fields");
	meet(&c, fields, R_ACROFORM);
	nf = qpdf_oh_is_array(q, fields) ? qpdf_oh_get_array_n_items(q, fields) : 0;
	for (k = 0; k < nf && c.left > 0; k++)
		meet_field(&c, qpdf_oh_get_array_item(q, fields, k), sig_objid, 0);
	meet_pages(&c, pl, sig_objid);
	report_found(&c, s);
	free(c.roles);
	es_pdf_clear_error(q);
}
