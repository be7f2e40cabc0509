/* pdf/pdf_verify_mods.c: what incremental updates after a signature change. The signed revision (the file cut at
 * the end of the signature's ByteRange) is opened as its own PDF and compared object by object with the final file;
 * every object that existed when the seal was made and differs now must be accounted for by a rule below, or it is
 * reported (this is what defeats the incremental saving, shadow and evil-annotation attacks).
 *
 * The rules follow ISO 32000-1 12.8.2.2 (DocMDP) for the level that applies to the signed revision: the /P of the
 * certification when that revision is certified, else 0 (an approval signature in an uncertified file, which this
 * verifier holds to the P=2 signing rules without form filling). Always allowed (EN 319 142-1 LTV): /DSS and
 * document time-stamps that draw nothing, /Info and /Metadata. P=0 and P>=2: new signatures (field, value, widget,
 * /AcroForm /Fields growth, /SigFlags) and empty signature fields receiving their value: only where the field
 * carries a signature made later that verifies (an unsigned field, or one naming an old signature, could paint
 * anything over the page). P>=2: form filling (/V, /RV, /AS, /AP, /M of fields and their widgets, and the widgets'
 * existing appearance streams; a read-only field only /M). P=3: annotations other than widgets added, changed or
 * deleted. The form's /DR and /DA may change only while no reader draws a field from them. Page template
 * instantiation (P>=2) is not recognised and is reported.
 *
 * What a reader sees comes first: an object page content, resources or a fixed appearance draw with never changes,
 * and an object keeps every role it had when signed: the free roles (/Info, /Metadata, DSS data) are granted only
 * to objects the signed revision reached through them alone, so a prepared document cannot have its page rewritten
 * as "metadata". A dictionary that gives a key twice (QPDF keeps the last value, Poppler the first of a large
 * one) makes the comparison meaningless and is reported. Before the DocMDP rules, FieldMDP (12.8.2.4): a value or
 * appearance change of a field the signature's /Reference locked (pdf_verify_lock.c), or of the /V it inherits, is
 * reported naming the field, whatever the DocMDP level. */
#include "pdf_verify_internal.h"
#include "pki/report.h"
#include "core/input_release.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ES_PDF_MAX_OBJECTS 2000000
#define ES_PDF_MAX_REPORTED 8
#define ES_PDF_MAX_WALK 4000000 /* references followed when collecting what page content uses */
#define ES_PDF_MAX_PAGES 100000

/* Kinds of permitted change, reported in a warning so that a permitted change is visible, not silent. */
enum {
	K_SIG = 1 << 0,
	K_DTS = 1 << 1,
	K_DSS = 1 << 2,
	K_FORM = 1 << 3,
	K_ANNOT = 1 << 4,
	K_INFO = 1 << 5,
	K_COPY = 1 << 6,
};

/* A set of object numbers: a bitmap grown on demand (object numbers are bounded by ES_PDF_MAX_OBJECTS). */
typedef struct {
	unsigned char *bits;
	size_t nbytes;
	int oom;
} id_set;

static int set_has(const id_set *s, int id)
{
	return id > 0 && (size_t)id / 8 < s->nbytes && (s->bits[id / 8] >> (id % 8) & 1);
}

static void set_add(id_set *s, int id)
{
	size_t need, n;
	unsigned char *nb;

	if (id <= 0 || id >= ES_PDF_MAX_OBJECTS)
		return;
	need = (size_t)id / 8 + 1;
	if (need > s->nbytes) {
		n = s->nbytes ? s->nbytes : 64;
		while (n < need)
			n *= 2;
		nb = realloc(s->bits, n);
		if (nb == NULL) {
			s->oom = 1;
			return;
		}
		memset(nb + s->nbytes, 0, n - s->nbytes);
		s->bits = nb;
		s->nbytes = n;
	}
	s->bits[id / 8] |= (unsigned char)(1u << (id % 8));
}

static void id_set_copy(id_set *to, const id_set *from)
{
	free(to->bits);
	to->bits = from->nbytes ? malloc(from->nbytes) : NULL;
	to->nbytes = to->bits != NULL ? from->nbytes : 0;
	if (to->bits != NULL)
		memcpy(to->bits, from->bits, from->nbytes);
	else if (from->nbytes)
		to->oom = 1;
}

/* An indirect reference as a reader of the signed revision meets it: number and generation. */
typedef struct {
	int id, gen;
} obj_ref;

typedef struct {
	int ap, widget;
} ap_owner;

typedef struct {
	qpdf_data qo, qf;  /* signed revision, final file */
	id_set allowed;    /* changed objects that a structural rule accounts for (catalog, pages, DSS, ...) */
	id_set page_used;  /* signed revision: reachable from page content and resources (never an appearance) */
	id_set form_ap;    /* signed revision: appearance streams (and /AP dictionaries) of widgets that form filling
			    * may rewrite */
	id_set annot_ap;   /* same for annotations other than widgets (P=3) */
	id_set fixed_ap;   /* appearances that must not change, with all they use (images, fonts, form XObjects): of
			    * signed signatures' widgets, of read-only fields' widgets, and of annotations under P<3 (an
			    * appearance shared with a fillable widget stays fixed) */
	id_set old_annots; /* signed revision: annotations other than widgets (P=3 may change or delete them) */
	id_set old_dss;    /* signed revision: reachable from /DSS */
	id_set old_hybrid; /* signed revision: reachable from the trailer's /AdditionalStreams */
	id_set structural; /* signed revision: reachable other than through /Info, /Metadata or /DSS (a role a reader
			    * sees, or one whose changes a rule judges): never rewritable in those free roles */
	id_set sig_ap;	   /* signed revision: appearances of empty signature fields, rewritable only by signing */
	id_set changed;	   /* objects of the signed revision that differ now (permitted or not) */
	ap_owner *sig_ap_owner; /* which empty signature widget each sig_ap object belongs to */
	size_t n_sig_ap, cap_sig_ap;
	int n_reported, p, kinds;
	int visible_sig;     /* a signature widget with an appearance was added */
	int dss_changed;     /* validation data (the catalog's /DSS or what it names) added or rewritten */
	int ext_changed;     /* the catalog's /Extensions changed (judged once the other changes are known) */
	char added[64];      /* subtypes of the annotations added (P=3) */
	int root_id;	     /* the signed revision's catalog */
	size_t rev_end;	     /* where the signed revision ends */
	const es_pdf_facts *facts;
	es_pdf_guesses guesses; /* QPDF's guesses in what a reader of the signed revision meets */
	es_pdf_locks *locks; /* fields this signature locked (FieldMDP), NULL if none */
	eseal_seal_report *s;
	obj_ref *refs; /* every reference reachable from the signed revision's trailer: what gets compared */
	size_t nrefs, caprefs;
	id_set signed_ids; /* the object numbers in refs */
	int refs_oom;
	es_pdf_same *same; /* streams read from the same bytes in both revisions (NULL: compare all) */
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

/* " (DocMDP P=n)" for messages about a certified revision, else "". */
static const char *level_text(const mods_ctx *c)
{
	static const char *const t[] = {"", " (DocMDP P=1)", " (DocMDP P=2)", " (DocMDP P=3)"};

	return t[c->p];
}

static char *unparse(qpdf_data q, qpdf_oh oh, int resolved)
{
	const char *u = resolved ? qpdf_oh_unparse_resolved(q, oh) : qpdf_oh_unparse(q, oh);

	return strdup(u != NULL ? u : "");
}

static int same_text(mods_ctx *c, qpdf_oh o, qpdf_oh f, int resolved)
{
	char *uo = unparse(c->qo, o, resolved), *uf = unparse(c->qf, f, resolved);
	int same = uo != NULL && uf != NULL && strcmp(uo, uf) == 0;

	free(uo);
	free(uf);
	return same;
}

static int key_in(const char *k, const char *const *list);

/* Rectangles and matrices: readers take any number there, and writers differ in how they print one (Poppler
 * rewrites a page's 612.0 as 612 when it adds a signature). Elsewhere an integer stays an integer: a reader that
 * wants one (/Rotate, a font's /Differences codes) ignores a real, so 90 and 90.0 draw different pages. */
static const char *const any_number_keys[] = {"/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox",
					      "/Rect",	   "/BBox",    "/Matrix",   NULL};

static int is_number(qpdf_data q, qpdf_oh oh)
{
	return qpdf_oh_is_integer(q, oh) || qpdf_oh_is_real(q, oh);
}

static int same_keys(mods_ctx *c, qpdf_oh o, qpdf_oh f, int depth);
static int same_stream_data(mods_ctx *c, qpdf_oh o, qpdf_oh f);

/* o and f say the same to a reader: values compared as values (a real by its number, a string by its bytes), an
 * indirect object inside as its reference (top: o and f are objects themselves); what this does not know how to
 * compare (streams, operators) is compared as text. */
static int same_tree(mods_ctx *c, qpdf_oh o, qpdf_oh f, int top, int any_number, int depth)
{
	enum qpdf_object_type_e t;
	size_t n, lo = 0, lf = 0, i;
	const char *so, *sf;
	char *copy;
	int same = 1;

	if (!top && (qpdf_oh_is_indirect(c->qo, o) || qpdf_oh_is_indirect(c->qf, f)))
		return qpdf_oh_is_indirect(c->qo, o) && qpdf_oh_is_indirect(c->qf, f) &&
		       qpdf_oh_get_object_id(c->qo, o) == qpdf_oh_get_object_id(c->qf, f) &&
		       qpdf_oh_get_generation(c->qo, o) == qpdf_oh_get_generation(c->qf, f);
	if (any_number && is_number(c->qo, o) && is_number(c->qf, f))
		return qpdf_oh_get_numeric_value(c->qo, o) == qpdf_oh_get_numeric_value(c->qf, f);
	t = qpdf_oh_get_type_code(c->qo, o);
	if (t != qpdf_oh_get_type_code(c->qf, f))
		return 0;
	switch (t) {
	case ot_null:
		return 1;
	case ot_boolean:
		return qpdf_oh_get_bool_value(c->qo, o) == qpdf_oh_get_bool_value(c->qf, f);
	case ot_integer:
		return qpdf_oh_get_int_value(c->qo, o) == qpdf_oh_get_int_value(c->qf, f);
	case ot_real:
		return qpdf_oh_get_numeric_value(c->qo, o) == qpdf_oh_get_numeric_value(c->qf, f);
	case ot_name:
	case ot_string:
		/* QPDF's string results live until its next such call on the same document: copy the first. */
		so = t == ot_name ? qpdf_oh_get_name(c->qo, o) : qpdf_oh_get_binary_string_value(c->qo, o, &lo);
		lo = t == ot_name ? strlen(so) : lo;
		copy = malloc(lo + 1);
		if (copy == NULL)
			return 0;
		memcpy(copy, so, lo);
		sf = t == ot_name ? qpdf_oh_get_name(c->qf, f) : qpdf_oh_get_binary_string_value(c->qf, f, &lf);
		lf = t == ot_name ? strlen(sf) : lf;
		same = lo == lf && memcmp(copy, sf, lo) == 0;
		free(copy);
		return same;
	case ot_array:
		if (depth > 32)
			return same_text(c, o, f, top);
		n = (size_t)qpdf_oh_get_array_n_items(c->qo, o);
		if (n != (size_t)qpdf_oh_get_array_n_items(c->qf, f))
			return 0;
		for (i = 0; i < n && same; i++) {
			qpdf_oh a = qpdf_oh_get_array_item(c->qo, o, (int)i), b = qpdf_oh_get_array_item(c->qf, f, (int)i);

			same = same_tree(c, a, b, 0, any_number, depth + 1);
			qpdf_oh_release(c->qo, a);
			qpdf_oh_release(c->qf, b);
		}
		return same;
	case ot_dictionary:
		return depth > 32 ? same_text(c, o, f, top) : same_keys(c, o, f, depth);
	default:
		return same_text(c, o, f, top);
	}
}

/* Two dictionaries with the same keys, each value the same (numbers of rectangles by value). */
static int same_keys(mods_ctx *c, qpdf_oh o, qpdf_oh f, int depth)
{
	size_t no = 0, nf = 0, i;
	char **ko = es_pdf_dict_keys(c->qo, o, &no), **kf = es_pdf_dict_keys(c->qf, f, &nf);
	int same = no == nf && (no == 0 || (ko != NULL && kf != NULL));

	for (i = 0; i < no && same; i++) {
		qpdf_oh a, b;

		if (strcmp(ko[i], kf[i]) != 0) {
			same = 0;
			break;
		}
		a = qpdf_oh_get_key(c->qo, o, ko[i]);
		b = qpdf_oh_get_key(c->qf, f, kf[i]);
		same = same_tree(c, a, b, 0, key_in(ko[i], any_number_keys), depth + 1);
		qpdf_oh_release(c->qo, a);
		qpdf_oh_release(c->qf, b);
	}
	es_pdf_free_keys(ko, no);
	es_pdf_free_keys(kf, nf);
	return same;
}

/* Values inside a dictionary or array: an indirect object counts as its reference ("12 0 R"), since every object
 * that existed when signed is compared on its own; resolving it would make a key differ whenever the object it
 * names does (a widget's /P whenever the page gets a new annotation, a kid's /Parent when the field gets /V). */
static int same_value(mods_ctx *c, qpdf_oh o, qpdf_oh f)
{
	return same_tree(c, o, f, 0, 0, 0);
}

/* The value of key k of two versions of a dictionary. */
static int same_value_of(mods_ctx *c, const char *k, qpdf_oh o, qpdf_oh f)
{
	return same_tree(c, o, f, 0, key_in(k, any_number_keys), 0);
}

/* Two versions of one object: its own content, references inside it as references. Streams: their dictionaries
 * and data are compared by the caller. */
static int same_object(mods_ctx *c, qpdf_oh o, qpdf_oh f)
{
	if (qpdf_oh_is_stream(c->qo, o) || qpdf_oh_is_stream(c->qf, f))
		return same_text(c, o, f, 1);
	return same_tree(c, o, f, 1, 0, 0);
}

static int key_in(const char *k, const char *const *list)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(k, *list) == 0)
			return 1;
	return 0;
}

/* The first key (not in skip) whose value differs between o and f, or NULL (caller frees). */
static char *first_diff_key(mods_ctx *c, qpdf_oh o, qpdf_oh f, const char *const *skip)
{
	size_t no = 0, nf = 0, i;
	char **ko = es_pdf_dict_keys(c->qo, o, &no), **kf = es_pdf_dict_keys(c->qf, f, &nf), *diff = NULL;

	for (i = 0; i < nf + no && diff == NULL; i++) {
		const char *k = i < nf ? kf[i] : ko[i - nf];

		if (!key_in(k, skip) && !same_value_of(c, k, qpdf_oh_get_key(c->qo, o, k), qpdf_oh_get_key(c->qf, f, k)))
			diff = strdup(k);
	}
	es_pdf_free_keys(ko, no);
	es_pdf_free_keys(kf, nf);
	return diff;
}

/* Compares two dictionaries key by key, ignoring the keys in skip; reports the first differing key. */
static int dict_diff(mods_ctx *c, qpdf_oh o, qpdf_oh f, const char *const *skip, const char *what)
{
	char *k = first_diff_key(c, o, f, skip);

	if (k == NULL)
		return 0;
	report(c, "%s %s changed", what, k);
	free(k);
	return 1;
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

/* The value of an inheritable field attribute (/FT, /Ff, /V). */
static qpdf_oh inherited(qpdf_data q, qpdf_oh f, const char *key)
{
	int depth;

	for (depth = 0; depth < 32 && qpdf_oh_is_dictionary(q, f); depth++) {
		if (qpdf_oh_has_key(q, f, key))
			return qpdf_oh_get_key(q, f, key);
		f = qpdf_oh_get_key(q, f, "/Parent");
	}
	return qpdf_oh_new_null(q);
}

/* A field (or a widget of one) with the ReadOnly flag (/Ff bit 1, inheritable): its value and what it shows stay. */
static int is_read_only(qpdf_data q, qpdf_oh f)
{
	qpdf_oh ff = inherited(q, f, "/Ff");

	return qpdf_oh_is_integer(q, ff) && (qpdf_oh_get_int_value(q, ff) & 1);
}

static int is_widget(qpdf_data q, qpdf_oh a)
{
	return qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, a, "/Subtype"), "/Widget");
}

/* A form field or a widget of one (merged or kid): what form filling may touch. */
static int is_field_part(qpdf_data q, qpdf_oh d)
{
	return qpdf_oh_is_dictionary(q, d) && (is_widget(q, d) || qpdf_oh_is_name(q, inherited(q, d, "/FT")));
}

/* An annotation other than a widget (what P=3 lets change). */
static int is_plain_annot(qpdf_data q, qpdf_oh a)
{
	return qpdf_oh_is_dictionary(q, a) && qpdf_oh_is_name(q, qpdf_oh_get_key(q, a, "/Subtype")) &&
	       !is_widget(q, a) && !qpdf_oh_has_key(q, a, "/FT");
}

/* An object number a reader of the signed revision never met (not even as a reference to nothing), and that
 * the signed revision does not define at generation 0: what an update adds. Object numbers too large to be
 * tracked are never new. */
static int is_new_object(mods_ctx *c, int id)
{
	qpdf_oh o;
	int isnew;

	if (id <= 0 || id >= ES_PDF_MAX_OBJECTS || set_has(&c->signed_ids, id))
		return 0;
	o = qpdf_get_object_by_id(c->qo, id, 0);
	isnew = qpdf_oh_is_null(c->qo, o);
	qpdf_oh_release(c->qo, o);
	return isnew;
}

/* The same object in both revisions: number and generation (a new object may reuse a number). */
static int same_identity(mods_ctx *c, qpdf_oh o, qpdf_oh f)
{
	return qpdf_oh_get_object_id(c->qo, o) == qpdf_oh_get_object_id(c->qf, f) &&
	       qpdf_oh_get_generation(c->qo, o) == qpdf_oh_get_generation(c->qf, f);
}

/* An object that plays a role in both revisions (catalog, AcroForm, an /Annots array, /Info) is compared by the
 * caller and allowed to differ; but only if it played that role when signed, or is new: otherwise an object the
 * signed revision used elsewhere (say a content stream) could be rewritten under a new role. */
static void allow_role(mods_ctx *c, qpdf_oh o, qpdf_oh f)
{
	int id = qpdf_oh_get_object_id(c->qf, f);

	if (id > 0 && (same_identity(c, o, f) || is_new_object(c, id)))
		set_add(&c->allowed, id);
}

/* The same for the objects in a role a reader does not see and EN 319 142-1 lets later revisions rewrite (the
 * trailer's /Info, the catalog's /Metadata): only when the signed revision reached them through that role alone. */
static void allow_free_role(mods_ctx *c, qpdf_oh o, qpdf_oh f)
{
	if (!set_has(&c->structural, qpdf_oh_get_object_id(c->qf, f)))
		allow_role(c, o, f);
}

/* Objects reachable from oh (indirect ones into set), following dictionaries, arrays and stream dictionaries;
 * bounded by *budget. Streams' data is not parsed: a content stream names resources, which are walked instead. */
static void walk(qpdf_data q, qpdf_oh oh, id_set *set, int depth, long *budget)
{
	size_t n = 0, i;
	char **keys;
	int k, m, id = qpdf_oh_get_object_id(q, oh);

	if (depth > 32 || --*budget < 0)
		return;
	if (id > 0) {
		if (set_has(set, id))
			return;
		set_add(set, id);
	}
	if (qpdf_oh_is_array(q, oh)) {
		m = qpdf_oh_get_array_n_items(q, oh);
		for (k = 0; k<m && * budget> 0; k++) {
			qpdf_oh it = qpdf_oh_get_array_item(q, oh, k);
			walk(q, it, set, depth + 1, budget);
			qpdf_oh_release(q, it);
		}
		return;
	}
	if (qpdf_oh_is_stream(q, oh))
		oh = qpdf_oh_get_dict(q, oh);
	keys = es_pdf_dict_keys(q, oh, &n);
	for (i = 0; i<n && * budget> 0; i++) {
		qpdf_oh v;

		if (strcmp(keys[i], "/Parent") == 0 || strcmp(keys[i], "/P") == 0)
			continue; /* back links lead to the page tree, not to what is drawn */
		v = qpdf_oh_get_key(q, oh, keys[i]);
		walk(q, v, set, depth + 1, budget);
		qpdf_oh_release(q, v);
	}
	es_pdf_free_keys(keys, n);
}

static void add_ref(mods_ctx *c, int id, int gen)
{
	obj_ref *n;
	size_t cap;

	if (c->nrefs == c->caprefs) {
		cap = c->caprefs ? c->caprefs * 2 : 1024;
		n = realloc(c->refs, cap * sizeof(*n));
		if (n == NULL) {
			c->refs_oom = 1;
			return;
		}
		c->refs = n;
		c->caprefs = cap;
	}
	c->refs[c->nrefs].id = id;
	c->refs[c->nrefs++].gen = gen;
}

static int ref_cmp(const void *a, const void *b)
{
	const obj_ref *x = a, *y = b;

	return x->id != y->id ? (x->id > y->id) - (x->id < y->id) : (x->gen > y->gen) - (x->gen < y->gen);
}

/* The first entry of the sorted refs with this number (gen < 0) or this number and generation, or NULL. */
static const obj_ref *find_ref(const mods_ctx *c, int id, int gen)
{
	size_t lo = 0, hi = c->nrefs, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->refs[mid].id < id || (c->refs[mid].id == id && gen >= 0 && c->refs[mid].gen < gen))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->nrefs && c->refs[lo].id == id && (gen < 0 || c->refs[lo].gen == gen))
		return &c->refs[lo];
	return NULL;
}

static void note_signed(void *ctx, int id, int gen)
{
	mods_ctx *c = ctx;

	add_ref(c, id, gen);
	set_add(&c->signed_ids, id);
}

/* The edges to what a reader never draws and EN 319 142-1 lets later revisions rewrite: the trailer's /Info, the
 * catalog's /Metadata and /DSS; and the trailer's /AdditionalStreams, where LibreOffice names the document a hybrid
 * PDF carries in its own format (an ODF package): no PDF reader shows it, only LibreOffice's importer reads it. */
static int free_edge(void *ctx, int id, int top, const char *key)
{
	const mods_ctx *c = ctx;

	if (top && id == 0)
		return strcmp(key, "/Info") == 0 || strcmp(key, "/AdditionalStreams") == 0;
	return id == c->root_id && (strcmp(key, "/Metadata") == 0 || strcmp(key, "/DSS") == 0);
}

/* Every indirect reference a reader of the signed revision can meet, with its generation: the graph reachable
 * from the revision's trailer (/Root, /Info, /Encrypt), every key followed (back links too). This, not a /Size
 * the last update writes, is what gets compared: QPDF's C API cannot list a revision's objects, and an object
 * no reference reaches is not shown by any reader. A reference to an object the revision does not define is kept
 * too, so an update cannot give it content. Past ES_PDF_MAX_WALK references, or an object number too large to
 * track, the revision is reported as too large to compare rather than compared in part.
 *
 * Walked in two steps: first everything but the free edges (/Info, /Metadata, /DSS), which gives the objects with a
 * role a reader sees (c->structural); then what only the free edges reach. Only those may be rewritten in their
 * free role: a prepared document whose page content stream is also its /Metadata, /Info or a DSS certificate must
 * not let an update rewrite the page through the other role. QPDF's guesses met on the way go to c->guesses. */
static void collect_signed(mods_ctx *c)
{
	qpdf_data q = c->qo;
	es_pdf_walk w;
	qpdf_oh trailer = qpdf_get_trailer(q), root = qpdf_get_root(q);

	memset(&w, 0, sizeof(w));
	c->root_id = qpdf_oh_get_object_id(q, root);
	w.budget = ES_PDF_MAX_WALK;
	w.ctx = c;
	w.visit = note_signed;
	w.skip = free_edge;
	w.guesses = &c->guesses;
	es_pdf_walk_from(&w, q, qpdf_get_trailer(q));
	id_set_copy(&c->structural, &c->signed_ids);
	w.skip = NULL;
	es_pdf_walk_from(&w, q, qpdf_oh_get_key(q, trailer, "/Info"));
	es_pdf_walk_from(&w, q, qpdf_oh_get_key(q, root, "/Metadata"));
	es_pdf_walk_from(&w, q, qpdf_oh_get_key(q, root, "/DSS"));
	es_pdf_walk_from(&w, q, qpdf_oh_get_key(q, trailer, "/AdditionalStreams"));
	if (w.budget < 0)
		report(c, "the signed revision makes more than %d references: too large to compare", ES_PDF_MAX_WALK);
	if (w.too_big != 0)
		report(c, "the signed revision names object %d: too large a number to compare", w.too_big);
	if (w.oom)
		c->refs_oom = 1;
	es_pdf_walk_free(&w, q);
	if (c->nrefs > 0)
		qsort(c->refs, c->nrefs, sizeof(*c->refs), ref_cmp);
}

static int pdf_space(unsigned char ch)
{
	return ch == 0 || ch == '\t' || ch == '\n' || ch == '\f' || ch == '\r' || ch == ' ';
}

static int pdf_delim(unsigned char ch)
{
	return pdf_space(ch) || strchr("()<>[]{}/%", ch) != NULL;
}

/* Past white space and comments from p. */
static size_t skip_space(const unsigned char *b, size_t p, size_t len)
{
	while (p < len && (pdf_space(b[p]) || b[p] == '%')) {
		if (b[p] == '%')
			while (p < len && b[p] != '\n' && b[p] != '\r')
				p++;
		else
			p++;
	}
	return p;
}

/* An unsigned integer at *p (at most 9 digits, else -1), *p moved past its digits. */
static long scan_int(const unsigned char *b, size_t *p, size_t len)
{
	long v = 0;
	int digits = 0;

	while (*p < len && b[*p] >= '0' && b[*p] <= '9') {
		if (++digits <= 9)
			v = v * 10 + (b[*p] - '0');
		(*p)++;
	}
	return digits == 0 ? -2 : digits > 9 ? -1 : v;
}

/* A signed object's number used by a later update at another generation. QPDF keeps the signed generation and
 * compares equal, but the newest cross-reference entry for a number is the object to other readers: the
 * reference of the signed revision then names nothing (ISO 32000-1 7.3.10), or, for readers that ignore
 * generations, the new object. Found by scanning the updates for object headers "N G obj" (white space and
 * comments between the tokens allowed; a match inside stream data only makes the check stricter), and for
 * objects an update compresses into an object stream (always generation 0) by asking QPDF for "N 0". */
static void check_reused_numbers(mods_ctx *c, const unsigned char *b, size_t len, size_t rev_end)
{
	size_t p = rev_end, q;
	long id, gen;
	const obj_ref *r;
	id_set seen = {0}; /* numbers reported, once each */

	while (p < len) {
		if (b[p] < '0' || b[p] > '9' || (p > rev_end && !pdf_delim(b[p - 1]))) {
			p++;
			continue;
		}
		id = scan_int(b, &p, len);
		q = skip_space(b, p, len);
		if (q == p || id <= 0 || id >= ES_PDF_MAX_OBJECTS || !set_has(&c->signed_ids, (int)id))
			continue;
		gen = scan_int(b, &q, len);
		if (gen < 0 || skip_space(b, q, len) == q)
			continue;
		q = skip_space(b, q, len);
		if (len - q < 3 || memcmp(b + q, "obj", 3) != 0 || (len - q > 3 && !pdf_delim(b[q + 3])))
			continue;
		if (find_ref(c, (int)id, (int)gen) == NULL && (r = find_ref(c, (int)id, -1)) != NULL &&
		    !set_has(&seen, (int)id)) {
			set_add(&seen, (int)id);
			report(c,
			       "a later update writes object %ld at generation %ld, the number of %d %d R when signed",
			       id, gen, r->id, r->gen);
		}
	}
	for (q = 0; q < c->nrefs; q++) {
		qpdf_oh o, f;

		r = &c->refs[q];
		if (r->gen == 0 || find_ref(c, r->id, 0) != NULL || (q > 0 && r[-1].id == r->id) ||
		    set_has(&seen, r->id))
			continue;
		o = qpdf_get_object_by_id(c->qo, r->id, 0);
		f = qpdf_get_object_by_id(c->qf, r->id, 0);
		if (qpdf_oh_is_null(c->qo, o) && !qpdf_oh_is_null(c->qf, f))
			report(c, "a later update defines object %d at generation 0, the number of %d %d R when signed",
			       r->id, r->id, r->gen);
		qpdf_oh_release(c->qo, o);
		qpdf_oh_release(c->qf, f);
		es_pdf_clear_error(c->qo);
		es_pdf_clear_error(c->qf);
	}
	if (seen.oom)
		c->refs_oom = 1;
	free(seen.bits);
}

/* Records that the appearance object ap belongs to the empty signature widget owner. */
static void add_sig_ap(mods_ctx *c, int ap, int owner)
{
	ap_owner *n;
	size_t cap;

	if (ap <= 0 || owner <= 0)
		return;
	set_add(&c->sig_ap, ap);
	if (c->n_sig_ap == c->cap_sig_ap) {
		cap = c->cap_sig_ap ? 2 * c->cap_sig_ap : 16;
		n = realloc(c->sig_ap_owner, cap * sizeof(*n));
		if (n == NULL) {
			c->sig_ap.oom = 1;
			return;
		}
		c->sig_ap_owner = n;
		c->cap_sig_ap = cap;
	}
	c->sig_ap_owner[c->n_sig_ap].ap = ap;
	c->sig_ap_owner[c->n_sig_ap++].widget = owner;
}

static void mark_ap(mods_ctx *c, id_set *set, int sig_owner, int id)
{
	if (sig_owner > 0)
		add_sig_ap(c, id, sig_owner);
	else
		set_add(set, id);
}

/* The appearance streams of an annotation: /AP and its /N /D /R entries, each a stream or a dictionary of states,
 * into set; or, for an empty signature widget (sig_owner: its object number), into sig_ap with their owner. */
static void add_ap(mods_ctx *c, qpdf_data q, qpdf_oh annot, id_set *set, int sig_owner)
{
	static const char *const which[] = {"/N", "/D", "/R"};
	qpdf_oh ap = qpdf_oh_get_key(q, annot, "/AP");
	size_t n = 0, i, w;
	char **keys;

	if (!qpdf_oh_is_dictionary(q, ap))
		return;
	mark_ap(c, set, sig_owner, qpdf_oh_get_object_id(q, ap));
	for (w = 0; w < 3; w++) {
		qpdf_oh e = qpdf_oh_get_key(q, ap, which[w]);

		mark_ap(c, set, sig_owner, qpdf_oh_get_object_id(q, e));
		if (!qpdf_oh_is_dictionary(q, e))
			continue;
		keys = es_pdf_dict_keys(q, e, &n);
		for (i = 0; i < n; i++)
			mark_ap(c, set, sig_owner, qpdf_oh_get_object_id(q, qpdf_oh_get_key(q, e, keys[i])));
		es_pdf_free_keys(keys, n);
	}
}

/* An appearance that must not change: its streams and everything they draw with (an image inside a seal's
 * appearance is no appearance of its own, yet rewriting it changes what the seal shows), signed revision. */
static void fix_ap(mods_ctx *c, qpdf_oh annot, long *budget)
{
	walk(c->qo, qpdf_oh_get_key(c->qo, annot, "/AP"), &c->fixed_ap, 0, budget);
}

/* /Resources of a page, inherited through the page tree. */
static qpdf_oh page_resources(qpdf_data q, qpdf_oh page)
{
	return inherited(q, page, "/Resources");
}

/* Sorts the annotations of the signed revision's pages into the appearance sets, and records what the page content
 * uses and which annotations P=3 may change. Only the signed revision says which objects are appearances: the final
 * file is not scanned, since an update that adds a widget or annotation (or points an existing one's /AP) naming an
 * existing object, say the image inside a seal's appearance, would otherwise make that object rewritable. */
static void scan_annotations(mods_ctx *c)
{
	qpdf_data q = c->qo;
	int np = qpdf_get_num_pages(q), i, k, na;
	long budget = ES_PDF_MAX_WALK;

	for (i = 0; i < np && i < ES_PDF_MAX_PAGES; i++) {
		qpdf_oh page = qpdf_get_page_n(q, (size_t)i), annots = qpdf_oh_get_key(q, page, "/Annots");

		walk(q, qpdf_oh_get_key(q, page, "/Contents"), &c->page_used, 0, &budget);
		walk(q, page_resources(q, page), &c->page_used, 0, &budget);
		na = qpdf_oh_is_array(q, annots) ? qpdf_oh_get_array_n_items(q, annots) : 0;
		for (k = 0; k < na; k++) {
			qpdf_oh a = qpdf_oh_get_array_item(q, annots, k);

			if (!qpdf_oh_is_dictionary(q, a))
				continue;
			if (is_sig_field(q, a)) {
				/* a signed signature's appearance is part of what it shows; an empty field's may change */
				if (qpdf_oh_is_dictionary(q, inherited(q, a, "/V")))
					fix_ap(c, a, &budget);
				else if (c->p != 1)
					add_ap(c, q, a, NULL, qpdf_oh_get_object_id(q, a));
			} else if (is_field_part(q, a)) {
				/* a read-only field shows what it showed when signed, whatever its /V says */
				if (c->p >= 2 && is_read_only(q, a))
					fix_ap(c, a, &budget);
				else if (c->p >= 2)
					add_ap(c, q, a, &c->form_ap, 0);
			} else {
				if (c->p == 3)
					add_ap(c, q, a, &c->annot_ap, 0);
				else
					fix_ap(c, a, &budget);
				set_add(&c->old_annots, qpdf_oh_get_object_id(q, a));
				set_add(&c->old_annots, qpdf_oh_get_object_id(q, qpdf_oh_get_key(q, a, "/Popup")));
			}
			qpdf_oh_release(q, a);
		}
	}
	if (budget < 0)
		report(c, "page content and appearances make more than %d references: too large to compare",
		       ES_PDF_MAX_WALK);
}

/* A widget with an area and an appearance: something a reader draws over the page. */
static int draws_on_page(mods_ctx *c, qpdf_oh a)
{
	qpdf_oh r = qpdf_oh_get_key(c->qf, a, "/Rect");
	double v[4] = {0, 0, 0, 0};
	int i;

	for (i = 0; i < 4 && qpdf_oh_is_array(c->qf, r) && qpdf_oh_get_array_n_items(c->qf, r) == 4; i++)
		v[i] = qpdf_oh_get_numeric_value(c->qf, qpdf_oh_get_array_item(c->qf, r, i));
	return v[0] != v[2] && v[1] != v[3] && qpdf_oh_is_dictionary(c->qf, qpdf_oh_get_key(c->qf, a, "/AP"));
}

static int bit(const unsigned char *bits, size_t len, int id)
{
	return id > 0 && (size_t)id / 8 < len && (bits[id / 8] >> (id % 8) & 1);
}

typedef struct {
	const es_pdf_sig_state *g;
	int unsettled;
} settled_ctx;

static void note_settled(void *ctx, int id, int gen)
{
	settled_ctx *t = ctx;

	(void)gen;
	if (!bit(t->g->seen, t->g->seen_len, id) || bit(t->g->changed, t->g->changed_len, id))
		t->unsettled = 1;
}

/* What a field draws and holds, not where it points: its page (/P) and, in its signature value, the document data
 * a DocMDP or FieldMDP reference names (/Reference). */
static int skip_links(void *ctx, int id, int top, const char *key)
{
	(void)ctx;
	(void)id;
	(void)top;
	return strcmp(key, "/P") == 0 || strcmp(key, "/Reference") == 0;
}

/* Whether a field of the final file, with all it draws and its value, is as the revision signed by g left it: g's
 * own rules judged everything after g, and a field added or rewritten after g (naming g's value again) is not
 * vouched for by g. */
static int settled_since(mods_ctx *c, const es_pdf_sig_state *g, qpdf_oh field)
{
	settled_ctx t = {g, 0};
	es_pdf_walk w;

	if (g->last)
		return 1;
	if (g->seen_len == 0)
		return 0;
	memset(&w, 0, sizeof(w));
	w.budget = ES_PDF_MAX_WALK;
	w.ctx = &t;
	w.visit = note_settled;
	w.skip = skip_links;
	es_pdf_walk_from(&w, c->qf, qpdf_oh_new_object(c->qf, field));
	if (w.budget < 0 || w.oom || w.too_big)
		t.unsettled = 1;
	es_pdf_walk_free(&w, c->qf);
	return !t.unsettled;
}

/* The signature or document time-stamp a signature field of the final file carries (its /V, inherited from a
 * parent field if need be), when that value was made after the signed revision, verifies on its own, and the field
 * is as that later signature's revision left it: only such a value makes a new signature field, or a value and
 * appearance given to an empty one, a permitted change. An unsigned field, a value that does not verify, or one
 * that signs no later revision (an existing seal's dictionary named again) lets an update paint anything over the
 * page. NULL when there is none. */
static const es_pdf_sig_state *later_signature(mods_ctx *c, qpdf_oh field)
{
	qpdf_oh v = inherited(c->qf, field, "/V");
	int id = qpdf_oh_get_object_id(c->qf, v);
	size_t i;

	if (id <= 0 || !qpdf_oh_is_dictionary(c->qf, v) || c->facts == NULL)
		return NULL;
	for (i = 0; i < c->facts->n_sigs; i++) {
		const es_pdf_sig_state *g = &c->facts->sigs[i];

		if (g->objid == id && g->rev_end > c->rev_end && g->intact && settled_since(c, g, field))
			return g;
	}
	return NULL;
}

/* Notes what an added annotation is, for the warning: a permitted annotation or signature appearance can still
 * cover page content (the Evil Annotation and Sneaky Signature attacks), so the reader of the report should know. */
static void note_added(mods_ctx *c, qpdf_oh a, int sig)
{
	qpdf_oh st = qpdf_oh_get_key(c->qf, a, "/Subtype");
	const char *name = qpdf_oh_is_name(c->qf, st) ? qpdf_oh_get_name(c->qf, st) + 1 : "?";
	size_t len = strlen(c->added);

	if (sig) {
		if (draws_on_page(c, a))
			c->visible_sig = 1;
		return;
	}
	if (strstr(c->added, name) == NULL && len + strlen(name) + 3 < sizeof(c->added))
		snprintf(c->added + len, sizeof(c->added) - len, "%s%s", len ? ", " : "", name);
}

/* What an update may add to an array of fields (annots 0) or annotations (annots 1): a signature field carrying a
 * later signature that verifies (not under P=1), or one carrying a later document time-stamp that draws nothing,
 * or under P=3 an annotation other than a widget. 1: permitted; 0: not (the caller reports it); -1: not, and
 * reported here with the reason. */
static int accept_new_entry(mods_ctx *c, qpdf_oh f, int id, int annots, const char *what)
{
	const es_pdf_sig_state *g;

	if (annots && !is_widget(c->qf, f)) {
		if (c->p == 3 && is_plain_annot(c->qf, f)) {
			c->kinds |= K_ANNOT;
			note_added(c, f, 0);
			return 1;
		}
		return 0;
	}
	if (!is_sig_field(c->qf, f))
		return 0;
	g = later_signature(c, f);
	if (g == NULL) {
		report(c, "%s: a signature field without a later signature that verifies was added (object %d)%s", what,
		       id, draws_on_page(c, f) ? ", drawn over the page" : "");
		return -1;
	}
	if (g->is_dts) {
		if (draws_on_page(c, f)) {
			report(c, "%s: a document time-stamp field drawn over the page was added (object %d): a "
				  "time-stamp shows nothing",
			       what, id);
			return -1;
		}
		c->kinds |= K_DTS;
		return 1;
	}
	if (c->p == 1)
		return 0;
	c->kinds |= K_SIG;
	if (annots)
		note_added(c, f, 1);
	return 1;
}

static void report_addition(mods_ctx *c, qpdf_oh it, int id, const char *what)
{
	if (id <= 0)
		report(c, "%s: a direct entry was added", what);
	else if (c->p == 1 && is_sig_field(c->qf, it))
		report(c, "%s: a signature was added although the certification%s allows no changes (object %d)", what,
		       level_text(c), id);
	else if (is_plain_annot(c->qf, it))
		report(c, "%s: a %s annotation was added (object %d)%s%s", what,
		       qpdf_oh_get_name(c->qf, qpdf_oh_get_key(c->qf, it, "/Subtype")) + 1, id,
		       c->p == 1 || c->p == 2 ? ", which the certification does not permit (annotations need P=3)" : "",
		       level_text(c));
	else
		report(c, "%s: an entry other than a signature was added (object %d)%s", what, id,
		       c->p >= 2 ? " (form filling does not add fields)" : "");
}

/* Entries of an array of fields or annotations: additions must pass accept_new_entry, removals are only of
 * annotations other than widgets under P=3, and direct entries (which no object comparison sees) must stay. */
static void array_changes(mods_ctx *c, qpdf_oh o, qpdf_oh f, int annots, const char *what)
{
	id_set old = {0}, now = {0};
	int i, no, nf, id, direct_same = 1, ko = 0, kf = 0;

	no = qpdf_oh_is_array(c->qo, o) ? qpdf_oh_get_array_n_items(c->qo, o) : 0;
	nf = qpdf_oh_is_array(c->qf, f) ? qpdf_oh_get_array_n_items(c->qf, f) : 0;
	for (i = 0; i < no; i++)
		set_add(&old, qpdf_oh_get_object_id(c->qo, qpdf_oh_get_array_item(c->qo, o, i)));
	for (i = 0; i < nf; i++)
		set_add(&now, qpdf_oh_get_object_id(c->qf, qpdf_oh_get_array_item(c->qf, f, i)));
	for (i = 0; i < nf; i++) {
		qpdf_oh it = qpdf_oh_get_array_item(c->qf, f, i);

		id = qpdf_oh_get_object_id(c->qf, it);
		if (id > 0 && set_has(&old, id))
			continue;
		if (id <= 0 || accept_new_entry(c, it, id, annots, what) == 0)
			report_addition(c, it, id, what);
	}
	for (i = 0; i < no; i++) {
		qpdf_oh it = qpdf_oh_get_array_item(c->qo, o, i);

		id = qpdf_oh_get_object_id(c->qo, it);
		if (id <= 0 || set_has(&now, id))
			continue;
		if (annots && c->p == 3 && is_plain_annot(c->qo, it)) {
			c->kinds |= K_ANNOT;
			continue;
		}
		report(c, "%s: entry object %d removed%s", what, id,
		       annots && c->p >= 1 && c->p < 3 && is_plain_annot(c->qo, it) ?
			       " (deleting annotations needs DocMDP P=3)" :
			       "");
	}
	/* Direct entries in order: P=3 may change direct annotations, nothing may change direct widgets. */
	while (direct_same) {
		qpdf_oh a = 0, b = 0;

		for (; ko < no; ko++) {
			a = qpdf_oh_get_array_item(c->qo, o, ko);
			if (qpdf_oh_get_object_id(c->qo, a) == 0 && !(c->p == 3 && is_plain_annot(c->qo, a)))
				break;
		}
		for (; kf < nf; kf++) {
			b = qpdf_oh_get_array_item(c->qf, f, kf);
			if (qpdf_oh_get_object_id(c->qf, b) == 0 && !(c->p == 3 && is_plain_annot(c->qf, b)))
				break;
		}
		if (ko >= no || kf >= nf) {
			direct_same = ko >= no && kf >= nf;
			break;
		}
		direct_same = same_value(c, a, b);
		ko++;
		kf++;
	}
	if (!direct_same)
		report(c, "%s: a direct entry changed", what);
	if (old.oom || now.oom)
		report(c, "%s: out of memory comparing entries", what);
	free(old.bits);
	free(now.bits);
}

/* Whether a reader of q draws some field from the form's default appearance and resources (/DA, /DR): it makes
 * a field's appearance itself when /NeedAppearances is true or a widget has no normal appearance. */
static int draws_from_defaults(qpdf_data q)
{
	qpdf_oh form = qpdf_oh_get_key(q, qpdf_get_root(q), "/AcroForm"), na = qpdf_oh_get_key(q, form, "/NeedAppearances");
	int np = qpdf_get_num_pages(q), i, k, n, found = 0;

	if (qpdf_oh_is_bool(q, na) && qpdf_oh_get_bool_value(q, na))
		return 1;
	for (i = 0; i < np && i < ES_PDF_MAX_PAGES && !found; i++) {
		qpdf_oh annots = qpdf_oh_get_key(q, qpdf_get_page_n(q, (size_t)i), "/Annots");

		n = qpdf_oh_is_array(q, annots) ? qpdf_oh_get_array_n_items(q, annots) : 0;
		for (k = 0; k < n && !found; k++) {
			qpdf_oh a = qpdf_oh_get_array_item(q, annots, k);

			found = is_widget(q, a) && !is_sig_field(q, a) &&
				!qpdf_oh_has_key(q, qpdf_oh_get_key(q, a, "/AP"), "/N");
			qpdf_oh_release(q, a);
		}
	}
	es_pdf_clear_error(q);
	return found;
}

/* The form's /DR or /DA differs between the signed revision's /AcroForm ao and the final one af. */
static int defaults_changed(mods_ctx *c, qpdf_oh ao, qpdf_oh af)
{
	return !same_value_of(c, "/DR", qpdf_oh_get_key(c->qo, ao, "/DR"), qpdf_oh_get_key(c->qf, af, "/DR")) ||
	       !same_value_of(c, "/DA", qpdf_oh_get_key(c->qo, ao, "/DA"), qpdf_oh_get_key(c->qf, af, "/DA"));
}

static void check_catalog(mods_ctx *c)
{
	/* /Extensions declares what the file uses (ESIC level 5: PAdES's DSS, ETSI EN 319 142-1 5.4.1) and draws
	 * nothing; an archive adding the DSS adds it. Objects it names are compared like any others. */
	static const char *const skip[] = {"/DSS", "/AcroForm", "/Metadata", "/Extensions", NULL};
	/* /DR and /DA (what new signature appearances are often made with) change nothing a reader draws unless a
	 * reader makes some field's appearance from them; then they are compared like the rest. */
	static const char *const skip_form[] = {"/Fields", "/SigFlags", "/DR", "/DA", NULL};
	static const char *const skip_form_fill[] = {"/Fields", "/SigFlags", "/DR", "/DA", "/NeedAppearances", NULL};
	static const char *const skip_form_drawn[] = {"/Fields", "/SigFlags", NULL};
	static const char *const skip_form_fill_drawn[] = {"/Fields", "/SigFlags", "/NeedAppearances", NULL};
	int drawn;
	qpdf_oh ro = qpdf_get_root(c->qo), rf = qpdf_get_root(c->qf);
	qpdf_oh ao = qpdf_oh_get_key(c->qo, ro, "/AcroForm"), af = qpdf_oh_get_key(c->qf, rf, "/AcroForm");
	qpdf_oh mo = qpdf_oh_get_key(c->qo, ro, "/Metadata"), mf = qpdf_oh_get_key(c->qf, rf, "/Metadata");
	qpdf_oh eo, ef;

	allow_role(c, ro, rf);
	/* /Perms (the certification's DocMDP, usage rights) is compared with the rest: a certification added after
	 * a signature, or a changed one, is a modification. */
	dict_diff(c, ro, rf, skip, "catalog");
	if (!same_value(c, qpdf_oh_get_key(c->qo, ro, "/DSS"), qpdf_oh_get_key(c->qf, rf, "/DSS"))) {
		c->kinds |= K_DSS;
		c->dss_changed = 1;
	}
	eo = qpdf_oh_get_key(c->qo, ro, "/Extensions");
	ef = qpdf_oh_get_key(c->qf, rf, "/Extensions");
	if (qpdf_oh_is_indirect(c->qf, ef) && same_identity(c, eo, ef))
		allow_role(c, eo, ef); /* rewritten in place: judged as a whole by check_extensions */
	c->ext_changed = !same_value(c, eo, ef) || !same_object(c, eo, ef);
	if (!qpdf_oh_is_null(c->qf, af) || !qpdf_oh_is_null(c->qo, ao)) {
		allow_role(c, ao, af);
		allow_role(c, qpdf_oh_get_key(c->qo, ao, "/Fields"), qpdf_oh_get_key(c->qf, af, "/Fields"));
		if (!qpdf_oh_is_dictionary(c->qf, af))
			report(c, "catalog /AcroForm removed");
		else if (qpdf_oh_is_dictionary(c->qo, ao)) {
			/* Whether a reader draws a field from /DR and /DA (every widget of every page looked at)
			 * decides only whether a change of them is compared: asked when there is one. */
			drawn = defaults_changed(c, ao, af) &&
				(draws_from_defaults(c->qo) || draws_from_defaults(c->qf));
			dict_diff(c, ao, af,
				  c->p >= 2 ? (drawn ? skip_form_fill_drawn : skip_form_fill) :
					      (drawn ? skip_form_drawn : skip_form),
				  "AcroForm");
		}
		array_changes(c, qpdf_oh_get_key(c->qo, ao, "/Fields"), qpdf_oh_get_key(c->qf, af, "/Fields"), 0,
			      "AcroForm /Fields");
	}
	/* XMP metadata is not what a reader shows; the stream may be rewritten, not replaced by another object. */
	if (!qpdf_oh_is_null(c->qo, mo)) {
		allow_free_role(c, mo, mf);
		if (!same_object(c, mo, mf) || qpdf_oh_get_object_id(c->qo, mo) != qpdf_oh_get_object_id(c->qf, mf))
			c->kinds |= K_INFO;
	} else if (!qpdf_oh_is_null(c->qf, mf)) {
		if (qpdf_oh_is_indirect(c->qf, mf) && !is_new_object(c, qpdf_oh_get_object_id(c->qf, mf)))
			report(c, "catalog /Metadata names an object that existed when signed (object %d)",
			       qpdf_oh_get_object_id(c->qf, mf));
		c->kinds |= K_INFO;
	}
}

/* Whether o (signed revision) and f (final file) hold the same values all the way down, references followed: an
 * object both name by the same number that existed when signed counts as the same (it is compared on its own),
 * another pair of references is resolved and compared. Streams: their dictionaries and data as stored. Bounded by
 * depth and *budget (past them: not the same). */
static int same_resolved(mods_ctx *c, qpdf_oh o, qpdf_oh f, int depth, long *budget)
{
	size_t no = 0, nf = 0, i;
	char **ko, **kf;
	qpdf_oh dofs, df;
	int n, same;

	if (depth > 32 || --*budget < 0)
		return 0;
	if (qpdf_oh_is_indirect(c->qo, o) && qpdf_oh_is_indirect(c->qf, f) && same_identity(c, o, f))
		return !is_new_object(c, qpdf_oh_get_object_id(c->qf, f));
	if (qpdf_oh_get_type_code(c->qo, o) != qpdf_oh_get_type_code(c->qf, f))
		return 0;
	if (qpdf_oh_is_array(c->qo, o)) {
		n = qpdf_oh_get_array_n_items(c->qo, o);
		same = n == qpdf_oh_get_array_n_items(c->qf, f);
		for (i = 0; same && i < (size_t)n; i++)
			same = same_resolved(c, qpdf_oh_get_array_item(c->qo, o, (int)i),
					     qpdf_oh_get_array_item(c->qf, f, (int)i), depth + 1, budget);
		return same;
	}
	if (qpdf_oh_is_stream(c->qo, o)) {
		dofs = qpdf_oh_get_dict(c->qo, o);
		df = qpdf_oh_get_dict(c->qf, f);
		same = same_stream_data(c, o, f) && same_resolved(c, dofs, df, depth + 1, budget);
		qpdf_oh_release(c->qo, dofs);
		qpdf_oh_release(c->qf, df);
		return same;
	}
	if (!qpdf_oh_is_dictionary(c->qo, o))
		return same_tree(c, o, f, 1, 0, 0);
	ko = es_pdf_dict_keys(c->qo, o, &no);
	kf = es_pdf_dict_keys(c->qf, f, &nf);
	same = no == nf && (no == 0 || (ko != NULL && kf != NULL));
	for (i = 0; i < no && same; i++)
		same = strcmp(ko[i], kf[i]) == 0 &&
		       (strcmp(ko[i], "/Length") == 0 ||
			same_resolved(c, qpdf_oh_get_key(c->qo, o, ko[i]), qpdf_oh_get_key(c->qf, f, kf[i]), depth + 1,
				      budget));
	es_pdf_free_keys(ko, no);
	es_pdf_free_keys(kf, nf);
	return same;
}

/* A page's /Resources replaced by a copy under another object number (some tools renumber what they rewrite when
 * they add a signature): permitted when the copy holds the same values, every font, image and form XObject the
 * same, so the page draws the same; a copy that differs anywhere (one font) is the change it looks like. */
static int resources_copied(mods_ctx *c, qpdf_oh po, qpdf_oh pf)
{
	qpdf_oh ro = page_resources(c->qo, po), rf = qpdf_oh_get_key(c->qf, pf, "/Resources");
	long budget = 100000;

	if (same_value(c, qpdf_oh_get_key(c->qo, po, "/Resources"), rf) || !qpdf_oh_is_dictionary(c->qf, rf))
		return 0;
	return same_resolved(c, ro, rf, 0, &budget);
}

/* The final file's pages resolved by QPDF one at a time, the mapping given back between them, before its page list
 * reads them all in one call: our page list read them with our lexer, and after each 5 MB drawing of a 200 MB file
 * the one fault reading a page maps a large folio, 40 MB of them by the end of that call. */
static void resolve_pages(qpdf_data qf, const es_pdf_page_list *pl)
{
	size_t i;

	for (i = 0; pl != NULL && i < pl->n_pages && i < ES_PDF_MAX_PAGES; i++) {
		if (!pl->pages[i].lexed)
			continue;
		es_input_release_turn();
		(void)qpdf_oh_get_type_code(qf, qpdf_get_object_by_id(qf, pl->pages[i].id, pl->pages[i].gen));
	}
	es_pdf_clear_error(qf); /* (as the page list left QPDF's warnings of the pages it resolved) */
}

static void check_pages(mods_ctx *c)
{
	static const char *const skip[] = {"/Annots", NULL};
	static const char *const skip_res[] = {"/Annots", "/Resources", NULL};
	int no = qpdf_get_num_pages(c->qo), nf = qpdf_get_num_pages(c->qf), i, copied;
	char what[64];

	if (no < 0 || nf < 0) {
		report(c, "page tree unreadable");
		return;
	}
	if (no != nf) {
		report(c, "number of pages changed (now %d)", nf);
		return;
	}
	for (i = 0; i < nf && i < ES_PDF_MAX_PAGES; i++) {
		qpdf_oh po = qpdf_get_page_n(c->qo, (size_t)i), pf = qpdf_get_page_n(c->qf, (size_t)i);

		es_input_release_turn();
		snprintf(what, sizeof(what), "page %d", i + 1);
		if (!same_identity(c, po, pf)) {
			report(c, "%s replaced by another page object (%d)", what, qpdf_oh_get_object_id(c->qf, pf));
			continue;
		}
		/* (a page both read from the same signed bytes has the same keys and values: only what its /Annots
		 * names may differ) */
		copied = 0;
		if (!es_pdf_same_object(c->same, qpdf_oh_get_object_id(c->qf, pf), qpdf_oh_get_generation(c->qf, pf))) {
			copied = resources_copied(c, po, pf);
			if (dict_diff(c, po, pf, copied ? skip_res : skip, what))
				continue;
		}
		if (copied)
			c->kinds |= K_COPY;
		set_add(&c->allowed, qpdf_oh_get_object_id(c->qf, pf));
		allow_role(c, qpdf_oh_get_key(c->qo, po, "/Annots"), qpdf_oh_get_key(c->qf, pf, "/Annots"));
		snprintf(what, sizeof(what), "page %d /Annots", i + 1);
		array_changes(c, qpdf_oh_get_key(c->qo, po, "/Annots"), qpdf_oh_get_key(c->qf, pf, "/Annots"), 1, what);
	}
}

/* Validation data (certificates, OCSP responses, CRLs, VRI) reachable from the final DSS may be new or rewritten;
 * a rewritten object must have been DSS data when signed. Collected with the budgeted, deduplicating walk (a DSS
 * whose arrays name each other thousands of times is walked once); what lies past the budget is not allowed, so
 * its changes are reported. */
static void allow_dss(mods_ctx *c, qpdf_oh dss)
{
	id_set now = {0};
	long budget = ES_PDF_MAX_WALK;
	size_t i;
	int id;

	walk(c->qf, dss, &now, 0, &budget);
	es_pdf_clear_error(c->qf);
	for (i = 0; i < now.nbytes; i++) {
		if (now.bits[i] == 0)
			continue;
		for (id = (int)i * 8; id < (int)i * 8 + 8; id++)
			if (set_has(&now, id) && ((set_has(&c->old_dss, id) && !set_has(&c->structural, id)) ||
						  is_new_object(c, id)))
				set_add(&c->allowed, id);
	}
	if (now.oom)
		c->allowed.oom = 1;
	free(now.bits);
}

/* The streams a LibreOffice hybrid PDF names in its trailer's /AdditionalStreams ([/mime-type N 0 R ...], the ODF
 * package LibreOffice opens instead of the PDF) may be defined or rewritten by a later update, whose trailer may
 * name them again or not (Poppler, signing next, writes only the keys it knows): no PDF reader draws them. Only
 * objects the signed revision reached through that key alone (named there, defined or not): an object that is also
 * page content, a resource, an appearance or anything else reachable from the catalog keeps that role and is
 * compared as such, whatever the trailer names; and a later revision can show one only by changing or adding an
 * object that refers to it, which the other rules judge. */
static void allow_hybrid(mods_ctx *c)
{
	size_t i;
	int id;

	for (i = 0; i < c->old_hybrid.nbytes; i++) {
		if (c->old_hybrid.bits[i] == 0)
			continue;
		for (id = (int)i * 8; id < (int)i * 8 + 8; id++)
			if (set_has(&c->old_hybrid, id) && !set_has(&c->structural, id))
				set_add(&c->allowed, id);
	}
}

/* A stream's dictionary says how its data are read (/Filter, /DecodeParms) and drawn (an image's /Decode,
 * /ColorSpace, /Width; a form's /Matrix, /BBox, /Resources): compared key by key like any dictionary. /Length is
 * left out: the data are compared on their own, and in an encrypted file /Length counts encrypted bytes. */
static int same_stream_dict(mods_ctx *c, qpdf_oh o, qpdf_oh f)
{
	static const char *const skip[] = {"/Length", NULL};
	qpdf_oh dofs = qpdf_oh_get_dict(c->qo, o), df = qpdf_oh_get_dict(c->qf, f);
	char *k = first_diff_key(c, dofs, df, skip);

	qpdf_oh_release(c->qo, dofs);
	qpdf_oh_release(c->qf, df);
	free(k);
	return k == NULL;
}

/* A stream's /Length as QPDF reads its data (direct or indirect), or -1. */
static long long stream_length(qpdf_data q, qpdf_oh stream)
{
	qpdf_oh d = qpdf_oh_get_dict(q, stream), l = qpdf_oh_get_key(q, d, "/Length");
	long long n = qpdf_oh_is_integer(q, l) ? qpdf_oh_get_int_value(q, l) : -1;

	qpdf_oh_release(q, l);
	qpdf_oh_release(q, d);
	return n;
}

/* Both revisions read the stream from the same bytes of the file (pdf_verify_same.c): the same data, unread. */
static int same_bytes(mods_ctx *c, qpdf_oh o, qpdf_oh f)
{
	int id = qpdf_oh_get_object_id(c->qo, o), gen = qpdf_oh_get_generation(c->qo, o);
	long long lo;

	if (c->same == NULL || id <= 0 || id != qpdf_oh_get_object_id(c->qf, f) ||
	    gen != qpdf_oh_get_generation(c->qf, f))
		return 0;
	lo = stream_length(c->qo, o);
	return lo >= 0 && lo == stream_length(c->qf, f) && es_pdf_same_stream(c->same, id, gen, lo);
}

/* The data as stored (filters not applied; QPDF decrypts an encrypted file's), compared byte for byte. */
static int same_stream_data(mods_ctx *c, qpdf_oh o, qpdf_oh f)
{
	unsigned char *bo = NULL, *bf = NULL;
	size_t lo = 0, lf = 0;
	int same;

	if (same_bytes(c, o, f))
		return 1;
	if ((qpdf_oh_get_stream_data(c->qo, o, qpdf_dl_none, NULL, &bo, &lo) & QPDF_ERRORS) ||
	    (qpdf_oh_get_stream_data(c->qf, f, qpdf_dl_none, NULL, &bf, &lf) & QPDF_ERRORS))
		same = 0;
	else
		same = lo == lf && (lo == 0 || memcmp(bo, bf, lo) == 0);
	free(bo);
	free(bf);
	return same;
}

static const char *describe(mods_ctx *c, int id, qpdf_oh o, qpdf_oh f, char *buf, size_t len)
{
	qpdf_oh t = qpdf_oh_get_key(c->qf, qpdf_oh_is_stream(c->qf, f) ? qpdf_oh_get_dict(c->qf, f) : f, "/Type");

	if (set_has(&c->page_used, id)) {
		snprintf(buf, len, "page %s%s%s",
			 qpdf_oh_is_stream(c->qf, f) ? "content stream or resource" : "resource",
			 qpdf_oh_is_name(c->qf, t) ? " " : "",
			 qpdf_oh_is_name(c->qf, t) ? qpdf_oh_get_name(c->qf, t) : "");
		return buf;
	}
	if (set_has(&c->sig_ap, id))
		return "appearance of an empty signature field, changed without a later signature that verifies";
	if (set_has(&c->fixed_ap, id))
		return qpdf_oh_is_stream(c->qf, f) ?
			       "stream (appearance, image, font or form XObject) that a signature, "
			       "an annotation or a read-only field shows" :
			       "appearance of a signature, an annotation or a read-only field";
	if (qpdf_oh_is_stream(c->qf, f))
		return "stream (content, image, font or form XObject)";
	if (qpdf_oh_is_dictionary(c->qf, f)) {
		if (is_sig_field(c->qo, o) && !qpdf_oh_is_dictionary(c->qo, inherited(c->qo, o, "/V")) &&
		    later_signature(c, f) == NULL)
			return "empty signature field, changed without a later signature that verifies (or more than "
			       "its value and appearance)";
		if (is_field_part(c->qf, f))
			return c->p >= 2 ? "form field or widget (more than its value or appearance changed)" :
					   "form field or widget (a value or appearance changed)";
		if (is_plain_annot(c->qf, f))
			return "annotation";
		if (qpdf_oh_is_name(c->qf, t))
			return qpdf_oh_get_name(c->qf, t);
		return "dictionary";
	}
	if (qpdf_oh_is_null(c->qf, f))
		return "object deleted";
	return "object";
}

/* An existing signature field that was empty may receive its /V, an appearance and a modification date (pdfsig
 * -sign sets /M on the widget), and nothing else; only when the value is a later signature that verifies (a
 * document time-stamp: no new appearance either, it shows nothing). */
static int sig_field_filled(mods_ctx *c, qpdf_oh o, qpdf_oh f)
{
	static const char *const skip[] = {"/V", "/AP", "/AS", "/M", NULL};
	static const char *const skip_dts[] = {"/V", "/M", NULL};
	const es_pdf_sig_state *g;
	char *k;

	if (!qpdf_oh_is_dictionary(c->qo, o) || !is_sig_field(c->qo, o) || !is_sig_field(c->qf, f) ||
	    qpdf_oh_is_dictionary(c->qo, qpdf_oh_get_key(c->qo, o, "/V")))
		return 0;
	g = later_signature(c, f);
	if (g == NULL || (c->p == 1 && !g->is_dts))
		return 0;
	/* (a kid widget's /Parent must name the same field: compared by reference like every other key) */
	k = first_diff_key(c, o, f, g->is_dts ? skip_dts : skip);
	if (k != NULL) {
		free(k);
		return 0;
	}
	c->kinds |= g->is_dts ? K_DTS : K_SIG;
	return 1;
}

/* A later signer may lock a field already signed (ReadOnly, /Ff bit 1, which some signing tools set on the fields
 * whose signatures they count on): it draws nothing and changes nothing signed. Only with a later signature that
 * verifies, not under DocMDP P=1, and nothing else of the field may change. */
static int sig_field_locked(mods_ctx *c, qpdf_oh o, qpdf_oh f)
{
	static const char *const skip[] = {"/Ff", NULL};
	qpdf_oh fo, ff;
	long long vo, vf;
	size_t i;
	int later = 0;
	char *k;

	if (c->p == 1 || c->facts == NULL || !qpdf_oh_is_dictionary(c->qo, o) || !is_sig_field(c->qo, o) ||
	    !is_sig_field(c->qf, f) || !qpdf_oh_is_dictionary(c->qo, qpdf_oh_get_key(c->qo, o, "/V")))
		return 0;
	for (i = 0; i < c->facts->n_sigs && !later; i++)
		later = c->facts->sigs[i].rev_end > c->rev_end && c->facts->sigs[i].intact && !c->facts->sigs[i].is_dts;
	fo = qpdf_oh_get_key(c->qo, o, "/Ff");
	ff = qpdf_oh_get_key(c->qf, f, "/Ff");
	vo = qpdf_oh_is_null(c->qo, fo) ? 0 : qpdf_oh_is_integer(c->qo, fo) ? qpdf_oh_get_int_value(c->qo, fo) : -1;
	vf = qpdf_oh_is_integer(c->qf, ff) ? qpdf_oh_get_int_value(c->qf, ff) : -1;
	if (!later || vo < 0 || vf == vo || vf != (vo | 1))
		return 0;
	k = first_diff_key(c, o, f, skip);
	if (k != NULL) {
		free(k);
		return 0;
	}
	c->kinds |= K_SIG;
	return 1;
}

/* An appearance of an empty signature field changes only by the field being signed: one of its widgets now carries
 * a later signature that verifies. */
static int sig_ap_signed(mods_ctx *c, int id)
{
	size_t i;
	int ok = 0;

	for (i = 0; i < c->n_sig_ap && !ok; i++) {
		const es_pdf_sig_state *g;
		qpdf_oh w;

		if (c->sig_ap_owner[i].ap != id)
			continue;
		w = qpdf_get_object_by_id(c->qf, c->sig_ap_owner[i].widget, 0);
		g = later_signature(c, w);
		ok = g != NULL && !g->is_dts && c->p != 1;
		qpdf_oh_release(c->qf, w);
	}
	if (ok)
		c->kinds |= K_SIG;
	return ok;
}

/* What form filling changes in a field or widget, and what FieldMDP and the ReadOnly flag hold still. */
static const char *const value_keys[] = {"/V", "/RV", "/AS", "/AP", NULL};

/* The first of value_keys whose value differs between o and f, or NULL. */
static const char *changed_value_key(mods_ctx *c, qpdf_oh o, qpdf_oh f)
{
	int i;

	for (i = 0; value_keys[i] != NULL; i++)
		if (!same_value(c, qpdf_oh_get_key(c->qo, o, value_keys[i]), qpdf_oh_get_key(c->qf, f, value_keys[i])))
			return value_keys[i];
	return NULL;
}

/* Form filling (P>=2): a field other than a signature, or one of its widgets, changes only its value, rich-text
 * value, appearance state, appearance or modification date; a read-only field none of these but the date (its
 * widgets' appearance streams are in fixed_ap: a new appearance saying another amount is no fill). */
static int form_field_filled(mods_ctx *c, qpdf_oh o, qpdf_oh f)
{
	static const char *const skip[] = {"/V", "/RV", "/AS", "/AP", "/M", NULL};
	const char *key;
	char *k;

	if (c->p < 2 || !is_field_part(c->qo, o) || !qpdf_oh_is_dictionary(c->qf, f) || is_sig_field(c->qo, o) ||
	    is_sig_field(c->qf, f))
		return 0;
	k = first_diff_key(c, o, f, skip);
	if (k != NULL) {
		free(k);
		return 0;
	}
	if (is_read_only(c->qo, o) && (key = changed_value_key(c, o, f)) != NULL) {
		/* reported here, with a clearer reason than the generic one */
		report(c, "read-only form field (object %d) changed its %s", qpdf_oh_get_object_id(c->qo, o),
		       key[1] == 'A' ? "appearance" : "value"); /* /AP, /AS */
		return 1;
	}
	c->kinds |= K_FORM;
	return 1;
}

/* Whether the /V that the locked field `field` inherits changed, `ancestor` (o, f) being a field above it that
 * changed. A kid with its own /V does not see its parent's, so only the value the kid sees counts; an ancestor
 * reached through /Kids but not on the kid's /Parent chain (links that disagree) counts when its own /V changed,
 * since a reader that walks /Kids shows that one. */
static int inherited_value_changed(mods_ctx *c, int field, int ancestor, qpdf_oh o, qpdf_oh f)
{
	qpdf_oh ko = qpdf_get_object_by_id(c->qo, field, 0), kf = qpdf_get_object_by_id(c->qf, field, 0), p;
	int changed, depth, on_chain = 0;

	changed = !same_object(c, inherited(c->qo, ko, "/V"), inherited(c->qf, kf, "/V"));
	p = qpdf_oh_get_key(c->qf, kf, "/Parent");
	for (depth = 0; !on_chain && depth < 32 && qpdf_oh_is_dictionary(c->qf, p); depth++) {
		on_chain = qpdf_oh_get_object_id(c->qf, p) == ancestor;
		p = qpdf_oh_get_key(c->qf, p, "/Parent");
	}
	if (!changed && !on_chain)
		changed = !same_object(c, qpdf_oh_get_key(c->qo, o, "/V"), qpdf_oh_get_key(c->qf, f, "/V"));
	qpdf_oh_release(c->qo, ko);
	qpdf_oh_release(c->qf, kf);
	return changed;
}

/* FieldMDP: a field the signature locked changed its value (/V, /RV, /AS, an appearance of one of its widgets, or
 * the /V it inherits from a field above it). Reported once per field, naming it; no DocMDP level permits it. Other
 * changes of the field's objects (a widget moved, say) are judged by the DocMDP rules. */
static int locked_change(mods_ctx *c, int id, qpdf_oh o, qpdf_oh f)
{
	int nth, name, kind = 0, field = 0, hit = -1, is_ap = 0;

	for (nth = 0; hit < 0 && (name = es_pdf_locks_find(c->locks, id, nth, &kind, &field)) >= 0; nth++) {
		if (kind == ES_PDF_LOCK_AP) {
			hit = name;
			is_ap = 1;
		} else if (kind == ES_PDF_LOCK_ANCESTOR) {
			if (inherited_value_changed(c, field, id, o, f))
				hit = name;
		} else if (changed_value_key(c, o, f) != NULL) {
			hit = name;
		}
	}
	if (hit < 0)
		return 0;
	if (es_pdf_locks_first_report(c->locks, hit))
		report(c, "form field %s is locked by this signature (FieldMDP /%s) and its %s changed (object %d)",
		       es_pdf_locks_name(c->locks, hit), es_pdf_locks_action(c->locks), is_ap ? "appearance" : "value",
		       id);
	c->s->modified_after = 1;
	return 1;
}

/* Tagged PDF (ISO 32000-1 14.7): a signer that adds a signature widget to a tagged document also links it into the
 * structure tree, as Acrobat does (PDF/UA wants every widget there): a new /StructElem /S /Form whose /K is an
 * object reference (OBJR) to the widget, appended to an existing element's (or the root's) /K; a /ParentTree entry
 * from the widget's /StructParent to that element; /ParentTreeNextKey moved past it. Nothing of what assistive
 * technology reads of the signed content changes: every existing kid, /Alt, /ActualText, /Lang and role stays, only
 * new elements that stand for widgets the update added are appended. A /ParentTree split into /Kids nodes is not
 * followed: its changes are reported. */

/* An object reference (ISO 32000-1 14.7.4.3) to a signature widget an update added, carrying a later signature
 * that verifies (the text a new element gives it is that signer's). */
static int objr_to_new_widget(mods_ctx *c, qpdf_oh r)
{
	static const char *const keys[] = {"/Type", "/Obj", "/Pg", NULL};
	qpdf_oh obj = qpdf_oh_get_key(c->qf, r, "/Obj");
	size_t n = 0, i;
	char **k;
	int ok;

	if (!qpdf_oh_is_dictionary(c->qf, r) || (qpdf_oh_is_indirect(c->qf, r) &&
						 !is_new_object(c, qpdf_oh_get_object_id(c->qf, r))))
		return 0;
	ok = qpdf_oh_is_name_and_equals(c->qf, qpdf_oh_get_key(c->qf, r, "/Type"), "/OBJR") &&
	     qpdf_oh_is_indirect(c->qf, obj) && is_new_object(c, qpdf_oh_get_object_id(c->qf, obj)) &&
	     qpdf_oh_is_dictionary(c->qf, obj) && is_widget(c->qf, obj) && is_sig_field(c->qf, obj) &&
	     later_signature(c, obj) != NULL;
	k = es_pdf_dict_keys(c->qf, r, &n);
	for (i = 0; i < n && ok; i++)
		ok = key_in(k[i], keys);
	es_pdf_free_keys(k, n);
	return ok;
}

/* A new structure element standing for new signature widgets only: /S /Form, its /K one OBJR to such a widget or
 * an array of them, its /P the element it was appended to (parent > 0; any when parent is 0). It may describe the
 * widget (/Alt, /ActualText, /T, /Lang): that text is the new signer's, about the new signature. */
static int new_form_elem(mods_ctx *c, qpdf_oh e, int parent)
{
	static const char *const keys[] = {"/Type", "/S",	   "/P", "/K",	  "/Pg",
					   "/Alt",  "/ActualText", "/T", "/Lang", NULL};
	qpdf_oh k, p;
	size_t n = 0, i;
	char **names;
	int ok, m;

	if (!qpdf_oh_is_indirect(c->qf, e) || !is_new_object(c, qpdf_oh_get_object_id(c->qf, e)) ||
	    !qpdf_oh_is_dictionary(c->qf, e))
		return 0;
	k = qpdf_oh_get_key(c->qf, e, "/K");
	p = qpdf_oh_get_key(c->qf, e, "/P");
	ok = qpdf_oh_is_name_and_equals(c->qf, qpdf_oh_get_key(c->qf, e, "/S"), "/Form") &&
	     qpdf_oh_is_indirect(c->qf, p) && (parent == 0 || qpdf_oh_get_object_id(c->qf, p) == parent);
	if (ok && qpdf_oh_is_array(c->qf, k)) {
		m = qpdf_oh_get_array_n_items(c->qf, k);
		ok = m > 0;
		for (i = 0; ok && i < (size_t)m; i++)
			ok = objr_to_new_widget(c, qpdf_oh_get_array_item(c->qf, k, (int)i));
	} else if (ok) {
		ok = objr_to_new_widget(c, k);
	}
	names = es_pdf_dict_keys(c->qf, e, &n);
	for (i = 0; i < n && ok; i++)
		ok = key_in(names[i], keys);
	es_pdf_free_keys(names, n);
	return ok;
}

/* The n-th kid of a /K value (a single kid or an array of them), borrowed from q. */
static int kid_count(qpdf_data q, qpdf_oh k)
{
	return qpdf_oh_is_array(q, k) ? qpdf_oh_get_array_n_items(q, k) : qpdf_oh_is_null(q, k) ? 0 : 1;
}

static qpdf_oh kid_at(qpdf_data q, qpdf_oh k, int i)
{
	return qpdf_oh_is_array(q, k) ? qpdf_oh_get_array_item(q, k, i) : k;
}

/* /K of the element `parent` kept every kid it had, in order, and gained only new form elements. */
static int kids_gained_links(mods_ctx *c, qpdf_oh ko, qpdf_oh kf, int parent)
{
	int no = kid_count(c->qo, ko), nf = kid_count(c->qf, kf), i, ok = nf > no;

	for (i = 0; ok && i < no; i++)
		ok = same_value(c, kid_at(c->qo, ko, i), kid_at(c->qf, kf, i));
	for (i = no; ok && i < nf; i++)
		ok = new_form_elem(c, kid_at(c->qf, kf, i), parent);
	return ok;
}

/* A flat number tree (/Nums, no /Kids) that kept its pairs, in order, and gained pairs keyed from next on whose
 * values are new form elements: what the /ParentTree gains for a new widget's /StructParent. */
static int nums_gained_links(mods_ctx *c, qpdf_oh o, qpdf_oh f, long long next)
{
	static const char *const skip[] = {"/Nums", NULL};
	qpdf_oh no = qpdf_oh_get_key(c->qo, o, "/Nums"), nf = qpdf_oh_get_key(c->qf, f, "/Nums");
	int lo, lf, i, ok;
	char *k;

	if (!qpdf_oh_is_dictionary(c->qo, o) || !qpdf_oh_is_dictionary(c->qf, f) || !qpdf_oh_is_array(c->qo, no) ||
	    !qpdf_oh_is_array(c->qf, nf))
		return 0;
	k = first_diff_key(c, o, f, skip);
	ok = k == NULL;
	free(k);
	lo = qpdf_oh_get_array_n_items(c->qo, no);
	lf = qpdf_oh_get_array_n_items(c->qf, nf);
	ok = ok && lo % 2 == 0 && lf % 2 == 0 && lf > lo;
	for (i = 0; ok && i < lo; i++)
		ok = same_value(c, qpdf_oh_get_array_item(c->qo, no, i), qpdf_oh_get_array_item(c->qf, nf, i));
	for (i = lo; ok && i < lf; i += 2) {
		qpdf_oh key = qpdf_oh_get_array_item(c->qf, nf, i);

		ok = qpdf_oh_is_integer(c->qf, key) && qpdf_oh_get_int_value(c->qf, key) >= next &&
		     new_form_elem(c, qpdf_oh_get_array_item(c->qf, nf, i + 1), 0);
		next = qpdf_oh_get_int_value(c->qf, key) + 1;
	}
	return ok;
}

/* The first key the signed /ParentTree may use for a new entry: its root's /ParentTreeNextKey, else one past the
 * largest key it holds. */
static long long parent_tree_next(mods_ctx *c, qpdf_oh tree_root)
{
	qpdf_oh next = qpdf_oh_get_key(c->qo, tree_root, "/ParentTreeNextKey");
	qpdf_oh nums = qpdf_oh_get_key(c->qo, qpdf_oh_get_key(c->qo, tree_root, "/ParentTree"), "/Nums");
	long long v = 0;
	int i, n;

	if (qpdf_oh_is_integer(c->qo, next))
		return qpdf_oh_get_int_value(c->qo, next);
	n = qpdf_oh_is_array(c->qo, nums) ? qpdf_oh_get_array_n_items(c->qo, nums) : 0;
	for (i = 0; i + 1 < n; i += 2) {
		qpdf_oh key = qpdf_oh_get_array_item(c->qo, nums, i);

		if (qpdf_oh_is_integer(c->qo, key) && qpdf_oh_get_int_value(c->qo, key) >= v)
			v = qpdf_oh_get_int_value(c->qo, key) + 1;
	}
	return v;
}

/* Whether the structure element o (the tree root too) leads, through /P, to the signed structure tree root. */
static int in_struct_tree(mods_ctx *c, qpdf_oh o, int tree_root)
{
	int depth;

	for (depth = 0; depth < 64 && qpdf_oh_is_dictionary(c->qo, o); depth++) {
		if (qpdf_oh_get_object_id(c->qo, o) == tree_root)
			return 1;
		if (!qpdf_oh_is_name(c->qo, qpdf_oh_get_key(c->qo, o, "/S")))
			return 0;
		o = qpdf_oh_get_key(c->qo, o, "/P");
	}
	return 0;
}

/* A changed object of the signed structure tree (its root, an element, the flat /ParentTree) whose only change
 * links new signature widgets. */
static int struct_link_added(mods_ctx *c, int id, qpdf_oh o, qpdf_oh f)
{
	static const char *const skip_root[] = {"/K", "/ParentTree", "/ParentTreeNextKey", NULL};
	static const char *const skip_elem[] = {"/K", NULL};
	qpdf_oh tr = qpdf_oh_get_key(c->qo, qpdf_get_root(c->qo), "/StructTreeRoot"), pt, ptf, no, nf;
	int tr_id = qpdf_oh_get_object_id(c->qo, tr), ok;
	char *k;

	if (tr_id <= 0 || !qpdf_oh_is_dictionary(c->qo, o) || !qpdf_oh_is_dictionary(c->qf, f))
		return 0;
	pt = qpdf_oh_get_key(c->qo, tr, "/ParentTree");
	if (qpdf_oh_get_object_id(c->qo, pt) == id) {
		ok = nums_gained_links(c, o, f, parent_tree_next(c, tr));
	} else if (id == tr_id) {
		k = first_diff_key(c, o, f, skip_root);
		ok = k == NULL;
		free(k);
		no = qpdf_oh_get_key(c->qo, o, "/ParentTreeNextKey");
		nf = qpdf_oh_get_key(c->qf, f, "/ParentTreeNextKey");
		ok = ok && (same_value(c, no, nf) ||
			    (qpdf_oh_is_integer(c->qf, nf) &&
			     qpdf_oh_get_int_value(c->qf, nf) >= parent_tree_next(c, o)));
		ptf = qpdf_oh_get_key(c->qf, f, "/ParentTree");
		/* a /ParentTree held in the root itself gains its entries there */
		ok = ok && (same_value(c, pt, ptf) ||
			    (!qpdf_oh_is_indirect(c->qo, pt) && !qpdf_oh_is_indirect(c->qf, ptf) &&
			     nums_gained_links(c, pt, ptf, parent_tree_next(c, o))));
		ok = ok && (same_value(c, qpdf_oh_get_key(c->qo, o, "/K"), qpdf_oh_get_key(c->qf, f, "/K")) ||
			    kids_gained_links(c, qpdf_oh_get_key(c->qo, o, "/K"), qpdf_oh_get_key(c->qf, f, "/K"), id));
	} else if (in_struct_tree(c, o, tr_id)) {
		k = first_diff_key(c, o, f, skip_elem);
		ok = k == NULL &&
		     kids_gained_links(c, qpdf_oh_get_key(c->qo, o, "/K"), qpdf_oh_get_key(c->qf, f, "/K"), id);
		free(k);
	} else {
		return 0;
	}
	if (ok)
		c->kinds |= K_SIG;
	return ok;
}

/* Whether a rule permits this change of an object that existed when signed. */
static int change_permitted(mods_ctx *c, int id, qpdf_oh o, qpdf_oh f)
{
	/* What a reader sees first: an object that page content, resources or a fixed appearance draw with never
	 * changes, whatever other role (metadata, validation data, catalog entry, field) it plays as well. */
	if (set_has(&c->page_used, id) || set_has(&c->fixed_ap, id))
		return 0;
	if (set_has(&c->allowed, id)) {
		if (set_has(&c->old_dss, id) && !set_has(&c->structural, id)) {
			c->kinds |= K_DSS;
			c->dss_changed = 1;
		}
		return 1;
	}
	if (struct_link_added(c, id, o, f))
		return 1;
	if (sig_field_filled(c, o, f) || sig_field_locked(c, o, f) || form_field_filled(c, o, f))
		return 1;
	if (set_has(&c->sig_ap, id))
		return sig_ap_signed(c, id);
	if (set_has(&c->form_ap, id)) {
		c->kinds |= K_FORM;
		return 1;
	}
	if (c->p == 3 && (set_has(&c->annot_ap, id) ||
			  (set_has(&c->old_annots, id) && (qpdf_oh_is_null(c->qf, f) || is_plain_annot(c->qf, f))))) {
		c->kinds |= K_ANNOT;
		return 1;
	}
	return 0;
}

static void warn_permitted(mods_ctx *c)
{
	static const struct {
		int kind;
		const char *text;
	} names[] = {{K_FORM, "form fill"},          {K_SIG, "signature"},
		     {K_ANNOT, "annotations"},       {K_DSS, "validation data (DSS)"},
		     {K_DTS, "document time-stamp"}, {K_INFO, "document information"},
		     {K_COPY, "page resources rewritten as an identical copy"}};
	char list[256] = "";
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(c->kinds & names[i].kind))
			continue;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", list[0] ? ", " : "", names[i].text);
		if (names[i].kind == K_SIG && c->visible_sig)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), " (a visible one added)");
		if (names[i].kind == K_ANNOT && c->added[0])
			snprintf(list + strlen(list), sizeof(list) - strlen(list), " (added: %s)", c->added);
	}
	if (list[0] == '\0')
		snprintf(list, sizeof(list), "none a reader sees");
	if (c->p > 0)
		es_seal_warn(c->s, "later changes permitted by the certification (DocMDP P=%d): %s", c->p, list);
	else
		es_seal_warn(c->s, "later changes permitted after a signature: %s", list);
}

/* The DocMDP level that governs changes after the revision qo: the certification's P when qo is certified by the
 * signature the final file names (P outside 1..3 counts as 1, the strictest), else 0. */
static int level_for(mods_ctx *c, int docmdp_p, int docmdp_objid)
{
	qpdf_oh sig = qpdf_oh_get_key(c->qo, qpdf_oh_get_key(c->qo, qpdf_get_root(c->qo), "/Perms"), "/DocMDP");

	if (docmdp_objid <= 0 || !qpdf_oh_is_dictionary(c->qo, sig) ||
	    qpdf_oh_get_object_id(c->qo, sig) != docmdp_objid)
		return 0;
	if (docmdp_p < 1 || docmdp_p > 3) {
		es_seal_warn(c->s,
			     "the certification's DocMDP /P (%d) is missing or not 1, 2 or 3: no changes permitted",
			     docmdp_p);
		return 1;
	}
	return docmdp_p;
}

/* Compares one object of the signed revision with the final file's and reports a change no rule permits.
 * defined_only: skip it when the signed revision does not define it. */
static void compare_one(mods_ctx *c, int id, int gen, int defined_only)
{
	qpdf_oh o, f;
	char what[128];
	int changed;

	/* Read from the same signed bytes by both: unchanged, and neither QPDF need resolve it (an update touches a few
	 * objects; resolving all of them in both revisions was most of the time of verifying an updated file). */
	if (es_pdf_same_object(c->same, id, gen))
		return;
	o = qpdf_get_object_by_id(c->qo, id, gen);
	f = qpdf_get_object_by_id(c->qf, id, gen);
	es_input_release_turn();
	if (defined_only && qpdf_oh_is_null(c->qo, o))
		goto done;
	changed = !same_object(c, o, f) || (qpdf_oh_is_stream(c->qo, o) && qpdf_oh_is_stream(c->qf, f) &&
					    (!same_stream_dict(c, o, f) || !same_stream_data(c, o, f)));
	if (changed)
		set_add(&c->changed, id);
	if (changed && !locked_change(c, id, o, f) && !change_permitted(c, id, o, f)) {
		if (qpdf_oh_is_null(c->qo, o))
			report(c, "object %d %d R was named but undefined when signed and is defined now", id, gen);
		else if (qpdf_oh_is_null(c->qf, f))
			report(c, "object %d %d R was signed and is gone", id, gen);
		else
			report(c, "%s (object %d) changed",
			       c->n_reported < ES_PDF_MAX_REPORTED ? describe(c, id, o, f, what, sizeof(what)) : "object",
			       id);
	}
done:
	qpdf_oh_release(c->qo, o);
	qpdf_oh_release(c->qf, f);
	es_pdf_clear_error(c->qo);
	es_pdf_clear_error(c->qf);
}

/* A revision's trailer /Size, or 0. */
static long long trailer_size(qpdf_data q)
{
	qpdf_oh t = qpdf_get_trailer(q), oh = qpdf_oh_get_key(q, t, "/Size");
	long long size = qpdf_oh_is_integer(q, oh) ? qpdf_oh_get_int_value(q, oh) : 0;

	qpdf_oh_release(q, oh);
	qpdf_oh_release(q, t);
	return size;
}

/* An object QPDF read only by guessing (a key given twice: QPDF, which this comparison reads with, keeps the last
 * value, Poppler the first of a large dictionary; a stray token) shows one reader one document and another reader
 * another: where later updates follow a seal, nothing the comparison finds would be what every reader sees. */
static void check_guesses(mods_ctx *c)
{
	const es_pdf_guesses *fin = c->facts != NULL ? c->facts->guesses : NULL;
	static const char why[] = "readers differ on what it holds, so what a reader sees cannot be compared";

	if (fin != NULL && fin->n > 0)
		report(c, "the file holds an object QPDF can read only by guessing (%s%s): %s", fin->first,
		       fin->n > 1 ? ", and more" : "", why);
	else if (fin != NULL && fin->incomplete)
		report(c, "the file makes too many references to check that every object reads one way");
	else if (c->guesses.n > 0)
		report(c, "the signed revision holds an object QPDF can read only by guessing (%s%s): %s",
		       c->guesses.first, c->guesses.n > 1 ? ", and more" : "", why);
}

/* A developer extensions dictionary (ISO 32000-1 7.12.2): what /Extensions holds per prefix, alone or (ISO
 * 32000-2) in an array. */
static int is_extension(qpdf_data q, qpdf_oh e)
{
	static const char *const keys[] = {"/Type", "/BaseVersion", "/ExtensionLevel", "/URL", "/ExtensionRevision",
					   NULL};
	size_t n = 0, i;
	char **k;
	int ok = qpdf_oh_is_dictionary(q, e) && qpdf_oh_is_name(q, qpdf_oh_get_key(q, e, "/BaseVersion")) &&
		 qpdf_oh_is_integer(q, qpdf_oh_get_key(q, e, "/ExtensionLevel"));

	k = ok ? es_pdf_dict_keys(q, e, &n) : NULL;
	for (i = 0; i < n && ok; i++)
		ok = key_in(k[i], keys);
	es_pdf_free_keys(k, n);
	return ok;
}

/* The catalog's /Extensions declares what the file uses and draws nothing. Tools that add validation data declare
 * PAdES's DSS (/ESIC, EN 319 142-1 5.4.1) or Acrobat's extension level (/ADBE) with it, signers sometimes with a
 * new signature; so it may change only into developer extensions dictionaries, and only beside validation data, a
 * document time-stamp or a signature added after this one. Alone, it is reported: nothing legitimate changes it
 * so, and a verifier that let it change freely would give an update a place to put what it likes. */
static void check_extensions(mods_ctx *c)
{
	qpdf_oh e = qpdf_oh_get_key(c->qf, qpdf_get_root(c->qf), "/Extensions");
	size_t n = 0, i;
	char **k;
	int ok = 1, m, j;

	if (!c->ext_changed)
		return;
	if (!qpdf_oh_is_null(c->qf, e)) {
		ok = qpdf_oh_is_dictionary(c->qf, e);
		k = ok ? es_pdf_dict_keys(c->qf, e, &n) : NULL;
		for (i = 0; i < n && ok; i++) {
			qpdf_oh v = qpdf_oh_get_key(c->qf, e, k[i]);

			if (strcmp(k[i], "/Type") == 0)
				continue;
			m = qpdf_oh_is_array(c->qf, v) ? qpdf_oh_get_array_n_items(c->qf, v) : -1;
			ok = m < 0 ? is_extension(c->qf, v) : m > 0;
			for (j = 0; j < m && ok; j++)
				ok = is_extension(c->qf, qpdf_oh_get_array_item(c->qf, v, j));
		}
		es_pdf_free_keys(k, n);
	}
	es_pdf_clear_error(c->qf);
	if (!ok)
		report(c, "catalog /Extensions changed into something other than developer extensions dictionaries");
	else if (!c->dss_changed && !(c->kinds & (K_DTS | K_SIG)))
		report(c, "catalog /Extensions changed with no validation data (DSS), document time-stamp or signature "
			  "added");
	else
		c->kinds |= K_DSS;
}

void es_pdf_check_later_updates(qpdf_data fin, qpdf_data qo, const unsigned char *buf, size_t len,
				const es_pdf_facts *facts, int as_stored, es_pdf_sig_state *self, eseal_seal_report *s)
{
	size_t rev_end = self->rev_end;
	int sig_objid = self->objid;
	mods_ctx c;
	char note[256];
	qpdf_oh info_o, info_f;
	long long size, signed_size;
	long budget = ES_PDF_MAX_WALK;
	size_t r;
	int id;

	memset(&c, 0, sizeof(c));
	c.qf = fin;
	c.qo = qo;
	c.s = s;
	c.facts = facts;
	c.rev_end = rev_end;
	c.same = as_stored ? es_pdf_same_new(buf, len, rev_end) : NULL;
	/* QPDF, which does not rebuild a table here, and a reader that does then read other objects for the same
	 * numbers (the last header of each in the file, wherever an update put it): no comparison stands for both. */
	if (facts->damaged > 0)
		report(&c,
		       "the cross-reference entry of object %lld points at no header of it (damaged PDF): readers rebuild "
		       "the table from the objects' headers and may show another document than the one compared",
		       facts->damaged);
	else if (facts->damaged < 0)
		report(&c, "out of memory while reading the objects' headers");
	/* First, while QPDF has parsed nothing of the revision but its trailers: the walk sees every warning. */
	collect_signed(&c);
	check_guesses(&c);
	c.p = level_for(&c, facts->docmdp_p, facts->docmdp_objid);
	c.locks = es_pdf_locks_read(c.qo, sig_objid, note, sizeof(note));
	if (note[0] != '\0')
		es_seal_warn(s, "%s", note);
	if (es_pdf_locks_incomplete(c.locks))
		report(&c, "the form is too large to tell which fields the signature locked (FieldMDP)");
	scan_annotations(&c);
	walk(c.qo, qpdf_oh_get_key(c.qo, qpdf_get_root(c.qo), "/DSS"), &c.old_dss, 0, &budget);
	check_catalog(&c);
	resolve_pages(fin, facts->pages);
	check_pages(&c);
	allow_dss(&c, qpdf_oh_get_key(fin, qpdf_get_root(fin), "/DSS"));
	budget = ES_PDF_MAX_WALK;
	walk(c.qo, qpdf_oh_get_key(c.qo, qpdf_get_trailer(c.qo), "/AdditionalStreams"), &c.old_hybrid, 0, &budget);
	allow_hybrid(&c);
	info_o = qpdf_oh_get_key(c.qo, qpdf_get_trailer(c.qo), "/Info");
	info_f = qpdf_oh_get_key(fin, qpdf_get_trailer(fin), "/Info");
	if (qpdf_oh_is_indirect(fin, info_f)) {
		allow_free_role(&c, info_o, info_f);
		if (!same_object(&c, info_o, info_f))
			c.kinds |= K_INFO;
	}
	es_pdf_clear_error(c.qo);
	es_pdf_clear_error(fin);

	size = trailer_size(fin);
	signed_size = trailer_size(c.qo);
	if (size <= 0 || size > ES_PDF_MAX_OBJECTS) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "trailer /Size missing or implausible");
	} else if (size < signed_size) {
		/* An update cannot remove object numbers (ISO 32000-1 7.5.6): /Size only grows. */
		report(&c, "the trailer's /Size shrank from %lld when signed to %lld", signed_size, size);
	}
	check_reused_numbers(&c, buf, len, rev_end);
	/* Objects a reader of the signed revision meets that differ now (by number and generation, whatever the final
	 * /Size says): each must be accounted for by a rule above. */
	for (r = 0; r < c.nrefs; r++)
		compare_one(&c, c.refs[r].id, c.refs[r].gen, 0);
	/* And, as before, every object the signed revision defines at generation 0 below its own /Size (inside the
	 * signed bytes), reached or not: an object no reference reached then could be given a role by a permitted
	 * change now. */
	for (id = 1; id < signed_size && id < ES_PDF_MAX_OBJECTS; id++)
		if (find_ref(&c, id, 0) == NULL)
			compare_one(&c, id, 0, 1);
	check_extensions(&c);
	if (c.allowed.oom || c.page_used.oom || c.form_ap.oom || c.annot_ap.oom || c.fixed_ap.oom || c.old_annots.oom ||
	    c.old_dss.oom || c.old_hybrid.oom || c.signed_ids.oom || c.structural.oom || c.sig_ap.oom ||
	    c.changed.oom || c.refs_oom)
		report(&c, "out of memory while comparing the revisions");
	if (s->modified_after && c.n_reported > ES_PDF_MAX_REPORTED)
		es_seal_warn(s, "%d further changes after sealing not listed", c.n_reported - ES_PDF_MAX_REPORTED);
	if (!s->modified_after)
		warn_permitted(&c);
	free(c.allowed.bits);
	free(c.page_used.bits);
	free(c.form_ap.bits);
	free(c.annot_ap.bits);
	free(c.fixed_ap.bits);
	free(c.old_annots.bits);
	free(c.old_dss.bits);
	free(c.old_hybrid.bits);
	/* what a signature made before this one needs to know of it (later_signature) */
	self->seen = c.signed_ids.bits;
	self->seen_len = c.signed_ids.nbytes;
	self->changed = c.changed.bits;
	self->changed_len = c.changed.nbytes;
	if (c.signed_ids.oom || c.changed.oom || c.refs_oom)
		self->seen_len = 0; /* nothing is known to be unchanged */
	free(c.structural.bits);
	free(c.sig_ap.bits);
	free(c.sig_ap_owner);
	free(c.refs);
	es_pdf_locks_free(c.locks);
	es_pdf_same_free(c.same);
}
