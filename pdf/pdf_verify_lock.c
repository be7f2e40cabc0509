/* pdf/pdf_verify_lock.c: FieldMDP (ISO 32000-1 12.8.2.4): which form fields a signature locked, read from its
 * /Reference transform parameters, and which objects of the signed revision hold those fields' values: the field,
 * its widgets and their appearance streams, and the fields above it, from which a field without /V inherits one. */
#include "pdf_verify_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32
#define MAX_VISITS 200000
#define MAX_NAMES 10000

typedef struct {
	int id;
	int name;  /* index into names */
	int kind;  /* ES_PDF_LOCK_VALUE, _AP or _ANCESTOR */
	int field; /* ES_PDF_LOCK_ANCESTOR: the locked (terminal) field below it */
} lock_entry;

struct es_pdf_locks {
	int action; /* 0 All, 1 Include, 2 Exclude */
	char **listed;
	size_t n_listed;
	char **names; /* fully qualified names of the locked terminal fields */
	unsigned char *reported;
	size_t n_names;
	lock_entry *e;
	size_t n, cap;
	int visits, oom;
};

static const char *const action_names[] = {"All", "Include", "Exclude"};

static void add_listed(es_pdf_locks *l, qpdf_data q, qpdf_oh fields)
{
	int n = qpdf_oh_is_array(q, fields) ? qpdf_oh_get_array_n_items(q, fields) : 0, i;
	char **nl;

	for (i = 0; i < n && l->n_listed < MAX_NAMES; i++) {
		char *s = es_pdf_dup_utf8(q, qpdf_oh_get_array_item(q, fields, i));

		nl = s != NULL ? realloc(l->listed, (l->n_listed + 1) * sizeof(*nl)) : NULL;
		if (nl == NULL) {
			free(s);
			continue;
		}
		l->listed = nl;
		l->listed[l->n_listed++] = s;
	}
}

/* A listed name locks that field and, naming a parent, every field under it. */
static int listed(const es_pdf_locks *l, const char *full)
{
	size_t i, len;

	for (i = 0; i < l->n_listed; i++) {
		len = strlen(l->listed[i]);
		if (strncmp(full, l->listed[i], len) == 0 && (full[len] == '\0' || full[len] == '.'))
			return 1;
	}
	return 0;
}

static int locked(const es_pdf_locks *l, const char *full)
{
	return l->action == 0 || (l->action == 1) == listed(l, full);
}

static void add_entry(es_pdf_locks *l, int id, int name, int kind, int field)
{
	lock_entry *ne;

	if (id <= 0)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;

		ne = realloc(l->e, cap * sizeof(*ne));
		if (ne == NULL) {
			l->oom = 1;
			return;
		}
		l->e = ne;
		l->cap = cap;
	}
	l->e[l->n].id = id;
	l->e[l->n].name = name;
	l->e[l->n].kind = kind;
	l->e[l->n].field = field;
	l->n++;
}

/* The appearance streams of a widget: /AP /N /D /R, each a stream or a dictionary of appearance states. */
static void add_widget(es_pdf_locks *l, qpdf_data q, qpdf_oh w, int name)
{
	static const char *const which[] = {"/N", "/D", "/R"};
	qpdf_oh ap = qpdf_oh_get_key(q, w, "/AP"), e;
	int i, k, n;

	add_entry(l, qpdf_oh_get_object_id(q, w), name, ES_PDF_LOCK_VALUE, 0);
	if (!qpdf_oh_is_dictionary(q, ap))
		return;
	add_entry(l, qpdf_oh_get_object_id(q, ap), name, ES_PDF_LOCK_AP, 0);
	for (i = 0; i < 3; i++) {
		e = qpdf_oh_get_key(q, ap, which[i]);
		add_entry(l, qpdf_oh_get_object_id(q, e), name, ES_PDF_LOCK_AP, 0);
		if (!qpdf_oh_is_dictionary(q, e) || qpdf_oh_is_stream(q, e))
			continue;
		qpdf_oh_begin_dict_key_iter(q, e);
		n = 0;
		while (qpdf_oh_dict_more_keys(q) && n++ < 64) {
			const char *key = qpdf_oh_dict_next_key(q);

			k = qpdf_oh_get_object_id(q, qpdf_oh_get_key(q, e, key));
			add_entry(l, k, name, ES_PDF_LOCK_AP, 0);
		}
	}
}

static int add_name(es_pdf_locks *l, const char *full)
{
	char **nn = realloc(l->names, (l->n_names + 1) * sizeof(*nn));
	unsigned char *nr;

	if (nn == NULL) {
		l->oom = 1;
		return -1;
	}
	l->names = nn;
	nr = realloc(l->reported, l->n_names + 1);
	if (nr == NULL || (nn[l->n_names] = strdup(full)) == NULL) {
		if (nr != NULL)
			l->reported = nr;
		l->oom = 1;
		return -1;
	}
	l->reported = nr;
	nr[l->n_names] = 0;
	return (int)l->n_names++;
}

/* The fields above the locked terminal field f hold its value when f has no /V of its own (/V is inheritable):
 * those on its /Parent chain and those the walk came through (anc, n_anc), in case the two disagree. */
static void add_ancestors(es_pdf_locks *l, qpdf_data q, qpdf_oh f, const int *anc, int n_anc, int name)
{
	int fid = qpdf_oh_get_object_id(q, f), depth, i, id;
	qpdf_oh p = qpdf_oh_get_key(q, f, "/Parent");

	for (i = 0; i < n_anc; i++)
		add_entry(l, anc[i], name, ES_PDF_LOCK_ANCESTOR, fid);
	for (depth = 0; depth < MAX_DEPTH && qpdf_oh_is_dictionary(q, p); depth++) {
		id = qpdf_oh_get_object_id(q, p);
		for (i = 0; i < n_anc && anc[i] != id; i++)
			;
		if (i == n_anc)
			add_entry(l, id, name, ES_PDF_LOCK_ANCESTOR, fid);
		p = qpdf_oh_get_key(q, p, "/Parent");
	}
}

/* Walks the field tree: a node whose kids have no /T is a terminal field, its kids (or itself) its widgets. anc
 * holds the object ids of the fields above (depth of them). */
static void walk(es_pdf_locks *l, qpdf_data q, qpdf_oh arr, const char *prefix, int depth, int *anc)
{
	int n = qpdf_oh_is_array(q, arr) ? qpdf_oh_get_array_n_items(q, arr) : 0, i, k, nk, sub, name;

	if (depth > MAX_DEPTH)
		return;
	for (i = 0; i < n && l->visits++ < MAX_VISITS; i++) {
		qpdf_oh f = qpdf_oh_get_array_item(q, arr, i), kids = qpdf_oh_get_key(q, f, "/Kids");
		char *t = es_pdf_dup_utf8(q, qpdf_oh_get_key(q, f, "/T")), *full;

		if (!qpdf_oh_is_dictionary(q, f) || t == NULL) {
			free(t);
			continue;
		}
		full = malloc(strlen(prefix) + strlen(t) + 2);
		if (full == NULL) {
			free(t);
			l->oom = 1;
			return;
		}
		sprintf(full, "%s%s%s", prefix, *prefix ? "." : "", t);
		free(t);
		nk = qpdf_oh_is_array(q, kids) ? qpdf_oh_get_array_n_items(q, kids) : 0;
		for (k = 0, sub = 0; k < nk && !sub; k++)
			sub = qpdf_oh_has_key(q, qpdf_oh_get_array_item(q, kids, k), "/T");
		if (sub) {
			anc[depth] = qpdf_oh_get_object_id(q, f);
			walk(l, q, kids, full, depth + 1, anc);
		} else if (locked(l, full) && (name = add_name(l, full)) >= 0) {
			add_ancestors(l, q, f, anc, depth, name);
			add_widget(l, q, f, name);
			for (k = 0; k < nk; k++)
				add_widget(l, q, qpdf_oh_get_array_item(q, kids, k), name);
		}
		free(full);
	}
}

static int cmp_entry(const void *a, const void *b)
{
	const lock_entry *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* The terminal field whose value is the signature sig_objid (walked only as far as needed), or 0. */
static qpdf_oh field_of(qpdf_data q, qpdf_oh arr, int sig_objid, int depth, int *visits)
{
	int n = qpdf_oh_is_array(q, arr) ? qpdf_oh_get_array_n_items(q, arr) : 0, i;
	qpdf_oh f, v, r;

	for (i = 0; i < n && depth <= MAX_DEPTH && (*visits)++ < MAX_VISITS; i++) {
		f = qpdf_oh_get_array_item(q, arr, i);
		v = qpdf_oh_get_key(q, f, "/V");
		if (qpdf_oh_is_dictionary(q, v) && qpdf_oh_get_object_id(q, v) == sig_objid)
			return f;
		if ((r = field_of(q, qpdf_oh_get_key(q, f, "/Kids"), sig_objid, depth + 1, visits)) != 0)
			return r;
	}
	return 0;
}

es_pdf_locks *es_pdf_locks_read(qpdf_data q, int sig_objid, char *note, size_t note_len)
{
	qpdf_oh sig = qpdf_get_object_by_id(q, sig_objid, 0), refs = qpdf_oh_get_key(q, sig, "/Reference"), field;
	qpdf_oh fields = qpdf_oh_get_key(q, qpdf_oh_get_key(q, qpdf_get_root(q), "/AcroForm"), "/Fields");
	es_pdf_locks *l = NULL;
	int anc[MAX_DEPTH + 1];
	int i, n = qpdf_oh_is_array(q, refs) ? qpdf_oh_get_array_n_items(q, refs) : 0, a, visits = 0, found = 0;

	*note = '\0';
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->action = -1;
	for (i = 0; i < n; i++) {
		qpdf_oh r = qpdf_oh_get_array_item(q, refs, i), tp = qpdf_oh_get_key(q, r, "/TransformParams");
		qpdf_oh act = qpdf_oh_get_key(q, tp, "/Action");

		if (!qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, r, "/TransformMethod"), "/FieldMDP"))
			continue;
		found = 1;
		for (a = 0; a < 3; a++)
			if (qpdf_oh_is_name(q, act) && strcmp(qpdf_oh_get_name(q, act) + 1, action_names[a]) == 0)
				break;
		/* Several references: Include lists are joined; any other combination is held as All (stricter than
		 * the union, never weaker). An /Action that is none of the three locks everything. */
		if (a == 3)
			snprintf(note, note_len,
				 "a FieldMDP reference has no /Action All, Include or Exclude: all fields held locked");
		if (a == 3 || a == 0 || (l->action >= 0 && !(l->action == 1 && a == 1)))
			l->action = 0;
		else
			l->action = a;
		add_listed(l, q, qpdf_oh_get_key(q, tp, "/Fields"));
	}
	if (!found) {
		field = field_of(q, fields, sig_objid, 0, &visits);
		if (field != 0 && qpdf_oh_is_dictionary(q, qpdf_oh_get_key(q, field, "/Lock")))
			snprintf(note, note_len,
				 "the signed field has a /Lock but the signature has no FieldMDP reference: the fields "
				 "it names are not held locked (ISO 32000-1 12.8.2.4: the signer copies the lock into "
				 "the signature, and that is what is verified)");
		es_pdf_locks_free(l);
		return NULL;
	}
	walk(l, q, fields, "", 0, anc);
	qsort(l->e, l->n, sizeof(*l->e), cmp_entry);
	return l;
}

const char *es_pdf_locks_action(const es_pdf_locks *l)
{
	return l != NULL && l->action >= 0 && l->action < 3 ? action_names[l->action] : "?";
}

int es_pdf_locks_find(const es_pdf_locks *l, int id, int nth, int *kind, int *field)
{
	lock_entry key, *e;

	if (l == NULL || l->n == 0 || nth < 0)
		return -1;
	key.id = id;
	e = bsearch(&key, l->e, l->n, sizeof(*l->e), cmp_entry);
	if (e == NULL)
		return -1;
	while (e > l->e && e[-1].id == id)
		e--;
	if ((size_t)nth >= l->n - (size_t)(e - l->e) || e[nth].id != id)
		return -1;
	*kind = e[nth].kind;
	*field = e[nth].field;
	return e[nth].name;
}

const char *es_pdf_locks_name(const es_pdf_locks *l, int name)
{
	return l != NULL && name >= 0 && (size_t)name < l->n_names ? l->names[name] : "?";
}

int es_pdf_locks_first_report(es_pdf_locks *l, int name)
{
	if (l == NULL || name < 0 || (size_t)name >= l->n_names || l->reported[name])
		return 0;
	l->reported[name] = 1;
	return 1;
}

int es_pdf_locks_incomplete(const es_pdf_locks *l)
{
	return l != NULL && (l->oom || l->visits >= MAX_VISITS);
}

void es_pdf_locks_free(es_pdf_locks *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n_listed; i++)
		free(l->listed[i]);
	for (i = 0; i < l->n_names; i++)
		free(l->names[i]);
	free(l->listed);
	free(l->names);
	free(l->reported);
	free(l->e);
	free(l);
}
