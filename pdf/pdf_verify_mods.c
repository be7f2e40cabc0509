/* pdf/pdf_verify_mods.c: what incremental updates after a signature change. The signed revision (the file cut at
 * the end of the signature's ByteRange) is opened as its own PDF and compared object by object with the final file.
 * Allowed: DSS, document time-stamps, new signature fields/values, their widgets, AcroForm /Fields additions,
 * document information. Everything else a reader could see (page content, resources, other annotations, form
 * values, catalog entries, page tree) is reported: this is what defeats the incremental saving and shadow attacks. */
#include "pdf_verify_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ES_PDF_MAX_OBJECTS 2000000
#define ES_PDF_MAX_REPORTED 8

typedef struct {
	int *ids;
	size_t n, cap;
} id_set;

static int set_has(const id_set *s, int id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->ids[i] == id)
			return 1;
	return 0;
}

static void set_add(id_set *s, int id)
{
	int *n;

	if (id <= 0 || set_has(s, id))
		return;
	if (s->n == s->cap) {
		n = realloc(s->ids, (s->cap ? s->cap * 2 : 32) * sizeof(*n));
		if (n == NULL)
			return;
		s->ids = n;
		s->cap = s->cap ? s->cap * 2 : 32;
	}
	s->ids[s->n++] = id;
}

typedef struct {
	qpdf_data qo, qf; /* signed revision, final file */
	id_set allowed;   /* changed objects that a rule accounts for */
	int n_reported, docmdp_p;
	eseal_seal_report *s;
} mods_ctx;

static void report(mods_ctx *c, const char *fmt, ...) ES_PRINTF(2, 3);
static void report(mods_ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	c->s->modified_after = 1;
	if (c->n_reported++ >= ES_PDF_MAX_REPORTED)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	es_seal_fail(c->s, ESEAL_TOTAL_FAILED, ESEAL_SUB_NONE, "modified after sealing: %s", msg);
}

static char *unparse(qpdf_data q, qpdf_oh oh)
{
	const char *u = qpdf_oh_unparse_resolved(q, oh);

	return strdup(u != NULL ? u : "");
}

/* Keys of a dictionary (QPDF's key iterator is global per document, so they are copied out first). */
static char **dict_keys(qpdf_data q, qpdf_oh d, size_t *n)
{
	char **keys = NULL, **nk;

	*n = 0;
	if (!qpdf_oh_is_dictionary(q, d))
		return NULL;
	qpdf_oh_begin_dict_key_iter(q, d);
	while (qpdf_oh_dict_more_keys(q)) {
		const char *k = qpdf_oh_dict_next_key(q);
		nk = realloc(keys, (*n + 1) * sizeof(*nk));
		if (nk == NULL)
			break;
		keys = nk;
		keys[(*n)++] = strdup(k);
	}
	return keys;
}

static void free_keys(char **k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(k[i]);
	free(k);
}

static int key_in(const char *k, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(k, *list) == 0)
			return 1;
	return 0;
}

/* Compares two dictionaries key by key, ignoring the keys in skip; reports the first differing key. */
static int dict_diff(mods_ctx *c, qpdf_oh o, qpdf_oh f, const char *const *skip, const char *what)
{
	size_t no = 0, nf = 0, i;
	char **ko = dict_keys(c->qo, o, &no), **kf = dict_keys(c->qf, f, &nf);
	int diff = 0;
	char buf[256];

	for (i = 0; i < nf + no && !diff; i++) {
		const char *k = i < nf ? kf[i] : ko[i - nf];
		char *uo, *uf;

		if (key_in(k, skip))
			continue;
		uo = unparse(c->qo, qpdf_oh_get_key(c->qo, o, k));
		uf = unparse(c->qf, qpdf_oh_get_key(c->qf, f, k));
		if (strcmp(uo, uf) != 0) {
			snprintf(buf, sizeof(buf), "%s %s", what, k);
			report(c, "%s changed", buf);
			diff = 1;
		}
		free(uo);
		free(uf);
	}
	free_keys(ko, no);
	free_keys(kf, nf);
	return diff;
}

static int is_sig_field(qpdf_data q, qpdf_oh f)
{
	int depth;

	for (depth = 0; depth < 32 && qpdf_oh_is_dictionary(q, f); depth++) {
		qpdf_oh ft = qpdf_oh_get_key(q, f, "/FT");
		if (qpdf_oh_is_name(q, ft))
			return qpdf_oh_is_name_and_equals(q, ft, "/Sig");
		f = qpdf_oh_get_key(q, f, "/Parent");
	}
	return 0;
}

static int is_doc_ts_field(qpdf_data q, qpdf_oh f)
{
	qpdf_oh v = qpdf_oh_get_key(q, f, "/V");

	return qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, v, "/Type"), "/DocTimeStamp") ||
	       qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, v, "/SubFilter"), "/ETSI.RFC3161");
}

/* New entries of an array (by object id) must pass accept(); old entries must all remain. */
static int array_additions(mods_ctx *c, qpdf_oh o, qpdf_oh f, int (*accept)(mods_ctx *, qpdf_oh), const char *what)
{
	id_set old = {0};
	int i, n, id, bad = 0;

	n = qpdf_oh_is_array(c->qo, o) ? qpdf_oh_get_array_n_items(c->qo, o) : 0;
	for (i = 0; i < n; i++)
		set_add(&old, qpdf_oh_get_object_id(c->qo, qpdf_oh_get_array_item(c->qo, o, i)));
	n = qpdf_oh_is_array(c->qf, f) ? qpdf_oh_get_array_n_items(c->qf, f) : 0;
	for (i = 0; i < n; i++) {
		qpdf_oh it = qpdf_oh_get_array_item(c->qf, f, i);
		id = qpdf_oh_get_object_id(c->qf, it);
		if (id > 0 && set_has(&old, id)) {
			continue;
		}
		if (id <= 0 || !accept(c, it)) {
			if (c->docmdp_p == 1 && is_sig_field(c->qf, it))
				report(c,
				       "%s: a signature was added although the certification (DocMDP P=1) allows no "
				       "changes (object %d)",
				       what, id);
			else
				report(c, "%s: an entry other than a signature was added (object %d)", what, id);
			bad = 1;
		} else {
			set_add(&c->allowed, id);
		}
	}
	/* Removing entries hides what was signed. */
	n = qpdf_oh_is_array(c->qf, f) ? qpdf_oh_get_array_n_items(c->qf, f) : 0;
	for (size_t k = 0; k < old.n; k++) {
		int found = 0;
		for (i = 0; i < n && !found; i++)
			found = qpdf_oh_get_object_id(c->qf, qpdf_oh_get_array_item(c->qf, f, i)) == old.ids[k];
		if (!found) {
			report(c, "%s: entry object %d removed", what, old.ids[k]);
			bad = 1;
		}
	}
	free(old.ids);
	return bad;
}

static int accept_sig_field(mods_ctx *c, qpdf_oh f)
{
	if (!is_sig_field(c->qf, f))
		return 0;
	if (c->docmdp_p == 1 && !is_doc_ts_field(c->qf, f))
		return 0;
	set_add(&c->allowed, qpdf_oh_get_object_id(c->qf, qpdf_oh_get_key(c->qf, f, "/V")));
	return 1;
}

static int accept_sig_widget(mods_ctx *c, qpdf_oh a)
{
	return qpdf_oh_is_name_and_equals(c->qf, qpdf_oh_get_key(c->qf, a, "/Subtype"), "/Widget") &&
	       accept_sig_field(c, a);
}

static void check_catalog(mods_ctx *c)
{
	static const char *const skip[] = {"/DSS", "/AcroForm", "/Perms", "/Metadata", NULL};
	static const char *const skip_form[] = {"/Fields", "/SigFlags", "/DR", "/DA", NULL};
	qpdf_oh ro = qpdf_get_root(c->qo), rf = qpdf_get_root(c->qf);
	qpdf_oh ao = qpdf_oh_get_key(c->qo, ro, "/AcroForm"), af = qpdf_oh_get_key(c->qf, rf, "/AcroForm");
	char *uo = unparse(c->qo, qpdf_oh_get_key(c->qo, ro, "/Perms")),
	     *uf = unparse(c->qf, qpdf_oh_get_key(c->qf, rf, "/Perms"));

	set_add(&c->allowed, qpdf_oh_get_object_id(c->qf, rf));
	dict_diff(c, ro, rf, skip, "catalog");
	if (strcmp(uo, uf) != 0 && strcmp(uo, "null") != 0)
		report(c, "catalog /Perms (certification permissions) changed");
	free(uo);
	free(uf);
	if (!qpdf_oh_is_null(c->qf, af)) {
		set_add(&c->allowed, qpdf_oh_get_object_id(c->qf, af));
		set_add(&c->allowed, qpdf_oh_get_object_id(c->qf, qpdf_oh_get_key(c->qf, af, "/Fields")));
		if (qpdf_oh_is_dictionary(c->qo, ao))
			dict_diff(c, ao, af, skip_form, "AcroForm");
		array_additions(c, qpdf_oh_get_key(c->qo, ao, "/Fields"), qpdf_oh_get_key(c->qf, af, "/Fields"),
				accept_sig_field, "AcroForm /Fields");
	}
	if (!qpdf_oh_is_null(c->qo, qpdf_oh_get_key(c->qo, ro, "/Metadata")) &&
	    strcmp(qpdf_oh_unparse(c->qo, qpdf_oh_get_key(c->qo, ro, "/Metadata")), "null") != 0)
		set_add(&c->allowed, qpdf_oh_get_object_id(c->qf, qpdf_oh_get_key(c->qf, rf, "/Metadata")));
}

static void check_pages(mods_ctx *c)
{
	static const char *const skip[] = {"/Annots", NULL};
	int no = qpdf_get_num_pages(c->qo), nf = qpdf_get_num_pages(c->qf), i;
	char what[64];

	if (no < 0 || nf < 0) {
		report(c, "page tree unreadable");
		return;
	}
	if (no != nf) {
		report(c, "number of pages changed (now %d)", nf);
		return;
	}
	for (i = 0; i < nf; i++) {
		qpdf_oh po = qpdf_get_page_n(c->qo, (size_t)i), pf = qpdf_get_page_n(c->qf, (size_t)i);

		snprintf(what, sizeof(what), "page %d", i + 1);
		if (qpdf_oh_get_object_id(c->qo, po) != qpdf_oh_get_object_id(c->qf, pf)) {
			report(c, "%s replaced by another page object (%d)", what, qpdf_oh_get_object_id(c->qf, pf));
			continue;
		}
		if (dict_diff(c, po, pf, skip, what))
			continue;
		set_add(&c->allowed, qpdf_oh_get_object_id(c->qf, pf));
		set_add(&c->allowed, qpdf_oh_get_object_id(c->qf, qpdf_oh_get_key(c->qf, pf, "/Annots")));
		snprintf(what, sizeof(what), "page %d /Annots", i + 1);
		array_additions(c, qpdf_oh_get_key(c->qo, po, "/Annots"), qpdf_oh_get_key(c->qf, pf, "/Annots"),
				accept_sig_widget, what);
	}
}

/* Everything reachable from the DSS is validation data: certificates, OCSP responses, CRLs, VRI. */
static void allow_reachable(mods_ctx *c, qpdf_oh oh, int depth)
{
	size_t n = 0, i;
	char **keys;
	int k, m;

	if (depth > 6)
		return;
	if (qpdf_oh_is_indirect(c->qf, oh))
		set_add(&c->allowed, qpdf_oh_get_object_id(c->qf, oh));
	if (qpdf_oh_is_array(c->qf, oh)) {
		m = qpdf_oh_get_array_n_items(c->qf, oh);
		for (k = 0; k < m && k < 10000; k++)
			allow_reachable(c, qpdf_oh_get_array_item(c->qf, oh, k), depth + 1);
	} else if (qpdf_oh_is_dictionary(c->qf, oh) && !qpdf_oh_is_stream(c->qf, oh)) {
		keys = dict_keys(c->qf, oh, &n);
		for (i = 0; i < n; i++)
			allow_reachable(c, qpdf_oh_get_key(c->qf, oh, keys[i]), depth + 1);
		free_keys(keys, n);
	}
}

static int same_stream_data(mods_ctx *c, qpdf_oh o, qpdf_oh f)
{
	unsigned char *bo = NULL, *bf = NULL;
	size_t lo = 0, lf = 0;
	int same;

	if ((qpdf_oh_get_stream_data(c->qo, o, qpdf_dl_none, NULL, &bo, &lo) & QPDF_ERRORS) ||
	    (qpdf_oh_get_stream_data(c->qf, f, qpdf_dl_none, NULL, &bf, &lf) & QPDF_ERRORS))
		same = 0;
	else
		same = lo == lf && (lo == 0 || memcmp(bo, bf, lo) == 0);
	free(bo);
	free(bf);
	return same;
}

static const char *describe(mods_ctx *c, qpdf_oh f)
{
	int i, n = qpdf_get_num_pages(c->qf), id = qpdf_oh_get_object_id(c->qf, f);

	for (i = 0; i < n && i < 10000; i++) {
		qpdf_oh contents = qpdf_oh_get_key(c->qf, qpdf_get_page_n(c->qf, (size_t)i), "/Contents");
		int k, m = qpdf_oh_is_array(c->qf, contents) ? qpdf_oh_get_array_n_items(c->qf, contents) : 0;

		if (qpdf_oh_get_object_id(c->qf, contents) == id)
			return "page content stream";
		for (k = 0; k < m; k++)
			if (qpdf_oh_get_object_id(c->qf, qpdf_oh_get_array_item(c->qf, contents, k)) == id)
				return "page content stream";
	}
	if (qpdf_oh_is_stream(c->qf, f))
		return "stream (content, image, font or form XObject)";
	if (qpdf_oh_is_dictionary(c->qf, f)) {
		qpdf_oh t = qpdf_oh_get_key(c->qf, f, "/Type");
		if (qpdf_oh_is_name_and_equals(c->qf, qpdf_oh_get_key(c->qf, f, "/Subtype"), "/Widget") ||
		    qpdf_oh_has_key(c->qf, f, "/FT"))
			return "form field or widget (a value or appearance changed)";
		if (qpdf_oh_is_name(c->qf, t))
			return qpdf_oh_get_name(c->qf, t);
		return "dictionary";
	}
	if (qpdf_oh_is_null(c->qf, f))
		return "object deleted";
	return "object";
}

/* An existing signature field that was empty may receive its /V (and an appearance); nothing else. */
static int sig_field_filled(mods_ctx *c, qpdf_oh o, qpdf_oh f)
{
	static const char *const skip[] = {"/V", "/AP", "/AS", NULL};
	size_t no = 0, nf = 0, i;
	char **ko, **kf;
	int same = 1;

	if (!is_sig_field(c->qo, o) || !is_sig_field(c->qf, f) ||
	    qpdf_oh_is_dictionary(c->qo, qpdf_oh_get_key(c->qo, o, "/V")))
		return 0;
	ko = dict_keys(c->qo, o, &no);
	kf = dict_keys(c->qf, f, &nf);
	for (i = 0; i < nf + no && same; i++) {
		const char *k = i < nf ? kf[i] : ko[i - nf];
		char *uo, *uf;

		if (key_in(k, skip))
			continue;
		uo = unparse(c->qo, qpdf_oh_get_key(c->qo, o, k));
		uf = unparse(c->qf, qpdf_oh_get_key(c->qf, f, k));
		same = strcmp(uo, uf) == 0;
		free(uo);
		free(uf);
	}
	free_keys(ko, no);
	free_keys(kf, nf);
	if (same && c->docmdp_p == 1 && !is_doc_ts_field(c->qf, f))
		return 0;
	return same;
}

void es_pdf_check_later_updates(qpdf_data fin, const unsigned char *buf, size_t len, size_t rev_end, int docmdp_p,
				eseal_seal_report *s)
{
	mods_ctx c;
	char why[256];
	qpdf_oh size_oh, info;
	long long size;
	int id;

	memset(&c, 0, sizeof(c));
	c.qf = fin;
	c.s = s;
	c.docmdp_p = docmdp_p;
	c.qo = es_pdf_open(buf, rev_end, "signed revision", why, sizeof(why));
	if (c.qo == NULL) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "the signed revision is not a readable PDF: %s", why);
		return;
	}
	check_catalog(&c);
	check_pages(&c);
	allow_reachable(&c, qpdf_oh_get_key(fin, qpdf_get_root(fin), "/DSS"), 0);
	info = qpdf_oh_get_key(fin, qpdf_get_trailer(fin), "/Info");
	if (qpdf_oh_is_indirect(fin, info))
		set_add(&c.allowed, qpdf_oh_get_object_id(fin, info));

	size_oh = qpdf_oh_get_key(fin, qpdf_get_trailer(fin), "/Size");
	size = qpdf_oh_is_integer(fin, size_oh) ? qpdf_oh_get_int_value(fin, size_oh) : 0;
	if (size <= 0 || size > ES_PDF_MAX_OBJECTS) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "trailer /Size missing or implausible");
		size = 0;
	}
	/* Objects that existed when the seal was made and differ now: each must be accounted for by a rule above. */
	for (id = 1; id < size; id++) {
		qpdf_oh o = qpdf_get_object_by_id(c.qo, id, 0), f;
		char *uo, *uf;
		int changed;

		if (qpdf_oh_is_null(c.qo, o)) {
			qpdf_oh_release(c.qo, o);
			continue;
		}
		f = qpdf_get_object_by_id(fin, id, 0);
		uo = unparse(c.qo, o);
		uf = unparse(fin, f);
		changed = strcmp(uo, uf) != 0 || (qpdf_oh_is_stream(c.qo, o) && !same_stream_data(&c, o, f));
		if (changed && !set_has(&c.allowed, id) && !sig_field_filled(&c, o, f)) {
			if (qpdf_oh_is_null(fin, f))
				report(&c, "object %d was signed and is gone", id);
			else
				report(&c, "%s (object %d) changed",
				       c.n_reported < ES_PDF_MAX_REPORTED ? describe(&c, f) : "object", id);
		}
		free(uo);
		free(uf);
		qpdf_oh_release(c.qo, o);
		qpdf_oh_release(fin, f);
		/* Type-mismatch warnings accumulate inside QPDF: drain them so memory stays bounded. */
		while (qpdf_more_warnings(c.qo))
			qpdf_next_warning(c.qo);
		while (qpdf_more_warnings(fin))
			qpdf_next_warning(fin);
		if (qpdf_has_error(c.qo))
			qpdf_get_error(c.qo);
		if (qpdf_has_error(fin))
			qpdf_get_error(fin);
	}
	if (s->modified_after && c.n_reported > ES_PDF_MAX_REPORTED)
		es_seal_warn(s, "%d further changes after sealing not listed", c.n_reported - ES_PDF_MAX_REPORTED);
	if (!s->modified_after)
		es_seal_warn(s, "later incremental updates only add validation data, time-stamps or signatures");
	free(c.allowed.ids);
	qpdf_cleanup(&c.qo);
}
