/* pdf/pdf_verify_fields.c: the signature values a reader finds in a PDF (the form's fields, then signature widgets
 * only the pages name) and the catalog entries the verifier follows, read by our lexer where it reads them exactly.
 *
 * QPDF parses a whole object stream the first time one of its objects is resolved: a form whose catalog and fields
 * sit in object streams had them parsed whole just to learn that none of its text fields is a signature. Our lexer
 * reads those objects as QPDF resolves them (pdf_objread.c) or says it cannot; then QPDF lists the fields as before.
 * Signature values themselves (and any widget that holds one) are still resolved through QPDF, whose handles the
 * checks that follow use, so the two readings can differ only in what is not a signature. */
#include "pdf_objread.h"
#include "pdf_verify_internal.h"

#include <stdlib.h>
#include <string.h>

#define FIELDS_MAX 10000
#define FIELDS_MAX_DEPTH 32

static int have_sig(const es_pdf_sig_list *out, int objid)
{
	size_t i;

	for (i = 0; i < out->n; i++)
		if (out->refs[i].objid == objid)
			return 1;
	return 0;
}

/* Adds signature value (objid, gen) of field name (owned by the list from here, freed on failure). 0, or -1. */
static int add_sig(es_pdf_sig_list *out, int objid, int gen, int unreadable, char *name)
{
	es_pdf_sig_ref *nr = realloc(out->refs, (out->n + 1) * sizeof(*nr));

	if (nr == NULL) {
		free(name);
		return -1;
	}
	out->refs = nr;
	nr[out->n].objid = objid;
	nr[out->n].gen = gen;
	nr[out->n].unreadable = unreadable;
	nr[out->n].name = name;
	out->n++;
	return 0;
}

void es_pdf_sig_list_free(es_pdf_sig_list *sl)
{
	size_t i;

	for (i = 0; i < sl->n; i++)
		free(sl->refs[i].name);
	free(sl->refs);
	memset(sl, 0, sizeof(*sl));
}

/* ---- through QPDF ---- */

static int inherited_is_sig(qpdf_data q, qpdf_oh field)
{
	qpdf_oh cur = field, ft;
	int depth;

	for (depth = 0; depth < FIELDS_MAX_DEPTH && qpdf_oh_is_dictionary(q, cur); depth++) {
		ft = qpdf_oh_get_key(q, cur, "/FT");
		if (qpdf_oh_is_name(q, ft))
			return qpdf_oh_is_name_and_equals(q, ft, "/Sig");
		cur = qpdf_oh_get_key(q, cur, "/Parent");
	}
	return 0;
}

/* The field name of a prefix and a partial name t (may be NULL), as readers join them. */
static char *full_name(const char *prefix, const char *t)
{
	return t == NULL ? strdup(prefix) : prefix[0] ? es_strdup_printf("%s.%s", prefix, t) : strdup(t);
}

static void walk_fields(qpdf_data q, qpdf_oh arr, const char *prefix, int depth, es_pdf_sig_list *out)
{
	int i, n;

	if (!qpdf_oh_is_array(q, arr) || depth > FIELDS_MAX_DEPTH)
		return;
	n = qpdf_oh_get_array_n_items(q, arr);
	for (i = 0; i < n && out->fields_seen < FIELDS_MAX; i++) {
		qpdf_oh f = qpdf_oh_get_array_item(q, arr, i), v, kids;
		char *t = NULL, *full = NULL;

		out->fields_seen++;
		if (!qpdf_oh_is_dictionary(q, f))
			continue;
		t = es_pdf_dup_utf8(q, qpdf_oh_get_key(q, f, "/T"));
		full = full_name(prefix, t);
		free(t);
		if (full == NULL)
			continue;
		kids = qpdf_oh_get_key(q, f, "/Kids");
		if (qpdf_oh_is_array(q, kids) && qpdf_oh_has_key(q, f, "/T"))
			walk_fields(q, kids, full, depth + 1, out);
		v = qpdf_oh_get_key(q, f, "/V");
		/* A /V that names an object QPDF cannot read as a dictionary is a broken signature, not an empty field. */
		if (inherited_is_sig(q, f) && (qpdf_oh_is_dictionary(q, v) || qpdf_oh_get_object_id(q, v) > 0) &&
		    (qpdf_oh_get_object_id(q, v) == 0 || !have_sig(out, qpdf_oh_get_object_id(q, v)))) {
			add_sig(out, qpdf_oh_get_object_id(q, v), qpdf_oh_get_generation(q, v),
				!qpdf_oh_is_dictionary(q, v), full);
			full = NULL;
		}
		free(full);
	}
}

/* The annotation a, if it is a signature widget whose value the form's fields did not give, into out. */
static void page_widget(qpdf_data q, qpdf_oh a, es_pdf_sig_list *out)
{
	qpdf_oh f = a, v;
	char *name;
	int depth;

	if (!qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, a, "/Subtype"), "/Widget") || !inherited_is_sig(q, a))
		return;
	for (depth = 0; depth < FIELDS_MAX_DEPTH && !qpdf_oh_has_key(q, f, "/V") &&
			qpdf_oh_is_dictionary(q, qpdf_oh_get_key(q, f, "/Parent"));
	     depth++)
		f = qpdf_oh_get_key(q, f, "/Parent");
	v = qpdf_oh_get_key(q, f, "/V");
	if (qpdf_oh_get_object_id(q, v) == 0 || have_sig(out, qpdf_oh_get_object_id(q, v)))
		return;
	name = es_pdf_dup_utf8(q, qpdf_oh_get_key(q, f, "/T"));
	if (name == NULL && (name = strdup("(unnamed)")) == NULL)
		return;
	add_sig(out, qpdf_oh_get_object_id(q, v), qpdf_oh_get_generation(q, v), !qpdf_oh_is_dictionary(q, v), name);
}

/* ---- by our lexer ---- */

/* The value of key in v, resolved, as QPDF's lookup gives it: a key of anything but a dictionary is null. 0, or -1
 * when our lexer cannot read it as QPDF resolves it. num: the reference it was written as (0: direct). */
static int lexed_key(es_pdf_objs *o, const es_pdf_val *v, const char *key, es_pdf_val *out, long long *num)
{
	if (v->v.type != ES_VAL_DICT) {
		memset(out, 0, sizeof(*out));
		out->p = v->p;
		out->v.type = ES_VAL_NULL;
		if (num != NULL)
			*num = 0;
		return 0;
	}
	return es_pdf_val_key(o, v, key, 1, out, num, NULL);
}

/* inherited_is_sig over lexed values: 1, 0, or -1. */
static int lexed_is_sig(es_pdf_objs *o, const es_pdf_val *field)
{
	es_pdf_val cur, ft, next;
	const es_pdf_val *at = field;
	int depth, rc = 0;

	memset(&cur, 0, sizeof(cur));
	for (depth = 0; depth < FIELDS_MAX_DEPTH && at->v.type == ES_VAL_DICT; depth++) {
		if (lexed_key(o, at, "/FT", &ft, NULL) != 0) {
			rc = -1;
			break;
		}
		if (ft.v.type == ES_VAL_NAME) {
			rc = strcmp(ft.v.name, "/Sig") == 0;
			es_pdf_val_free(&ft);
			break;
		}
		es_pdf_val_free(&ft);
		if (lexed_key(o, at, "/Parent", &next, NULL) != 0) {
			rc = -1;
			break;
		}
		es_pdf_val_free(&cur);
		cur = next;
		at = &cur;
	}
	es_pdf_val_free(&cur);
	return rc;
}

static void utf8_put(unsigned long c, char *out, size_t *o)
{
	if (c < 0x80) {
		out[(*o)++] = (char)c;
	} else if (c < 0x800) {
		out[(*o)++] = (char)(0xc0 | c >> 6);
		out[(*o)++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		out[(*o)++] = (char)(0xe0 | c >> 12);
		out[(*o)++] = (char)(0x80 | (c >> 6 & 0x3f));
		out[(*o)++] = (char)(0x80 | (c & 0x3f));
	} else {
		out[(*o)++] = (char)(0xf0 | c >> 18);
		out[(*o)++] = (char)(0x80 | (c >> 12 & 0x3f));
		out[(*o)++] = (char)(0x80 | (c >> 6 & 0x3f));
		out[(*o)++] = (char)(0x80 | (c & 0x3f));
	}
}

/* A text string's bytes as UTF-8, as es_pdf_dup_utf8 gives QPDF's reading of it, into *out (malloc): 1, 0 when v
 * is no string, -1 when only QPDF can tell (an escape or a line end in a literal, a byte outside printable ASCII
 * that is not UTF-16BE with its byte order mark, an unpaired surrogate or a NUL that QPDF's reading would cut). */
static int lexed_text(const es_pdf_val *v, char **out)
{
	unsigned char *raw;
	char *u;
	size_t n, o = 0, i;
	unsigned long c, lo;
	int rc;

	*out = NULL;
	if ((rc = es_pdf_val_string_bytes(v, &raw, &n)) <= 0)
		return rc;
	rc = -1;
	/* (UTF-8 takes at most 3 bytes for each 2 of UTF-16 and 1 for each printable byte) */
	if ((u = malloc(n * 2 + 1)) == NULL)
		goto cleanup;
	if (n >= 2 && raw[0] == 0xfe && raw[1] == 0xff) {
		if (n % 2 != 0)
			goto fail;
		for (i = 2; i < n; i += 2) {
			c = (unsigned long)raw[i] << 8 | raw[i + 1];
			if (c == 0 || (c >= 0xdc00 && c <= 0xdfff))
				goto fail;
			if (c >= 0xd800 && c <= 0xdbff) {
				if (i + 3 >= n)
					goto fail;
				lo = (unsigned long)raw[i + 2] << 8 | raw[i + 3];
				if (lo < 0xdc00 || lo > 0xdfff)
					goto fail;
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			}
			utf8_put(c, u, &o);
		}
	} else {
		for (i = 0; i < n; i++) {
			if (raw[i] < 0x20 || raw[i] > 0x7e) /* (PDFDocEncoding is ASCII in that range only) */
				goto fail;
			u[o++] = (char)raw[i];
		}
	}
	u[o] = '\0';
	*out = u;
	rc = 1;
	goto cleanup;
fail:
	free(u);
cleanup:
	free(raw);
	return rc;
}

/* A field's /V when the field is a signature: added to out as walk_fields adds it. QPDF resolves the value itself
 * (the checks read it through QPDF next), so whether it is a dictionary is QPDF's answer. 0, or -1. */
static int lexed_add_value(qpdf_data q, es_pdf_objs *o, const es_pdf_val *f, char *full, es_pdf_sig_list *out)
{
	es_pdf_val v;
	es_val_type type;
	long long num, gen;
	int dict;

	if (es_pdf_val_key(o, f, "/V", 0, &v, NULL, NULL) != 0) {
		free(full);
		return -1;
	}
	num = v.v.num;
	gen = v.v.gen;
	type = v.v.type;
	es_pdf_val_free(&v);
	if (type == ES_VAL_REF) {
		qpdf_oh oh;

		if (num <= 0 || num > 0x7fffffff || gen < 0 || gen > 0xffff) {
			free(full);
			return -1;
		}
		if (have_sig(out, (int)num)) {
			free(full);
			return 0;
		}
		oh = qpdf_get_object_by_id(q, (int)num, (int)gen);
		dict = qpdf_oh_is_dictionary(q, oh);
		qpdf_oh_release(q, oh);
		return add_sig(out, (int)num, (int)gen, !dict, full);
	}
	dict = type == ES_VAL_DICT;
	if (!dict) {
		free(full);
		return 0;
	}
	return add_sig(out, 0, 0, 0, full);
}

/* walk_fields over lexed values: arr as written (an array or a reference to one). 0, or -1. */
static int lexed_walk_fields(qpdf_data q, es_pdf_objs *o, const es_pdf_val *arr_raw, const char *prefix, int depth,
			     es_pdf_sig_list *out)
{
	es_pdf_val arr, item, f, t, kids;
	size_t pos = 0;
	char *name, *full;
	int more, sig, rc = 0;

	if (depth > FIELDS_MAX_DEPTH)
		return 0;
	if (es_pdf_val_resolve(o, arr_raw, &arr, NULL, NULL) != 0)
		return -1;
	while (rc == 0 && arr.v.type == ES_VAL_ARRAY && out->fields_seen < FIELDS_MAX &&
	       (more = es_pdf_val_next(&arr, &pos, &item)) != 0) {
		if (more < 0 || es_pdf_val_resolve(o, &item, &f, NULL, NULL) != 0) {
			if (more > 0)
				es_pdf_val_free(&item);
			rc = -1;
			break;
		}
		es_pdf_val_free(&item);
		out->fields_seen++;
		if (f.v.type != ES_VAL_DICT) {
			es_pdf_val_free(&f);
			continue;
		}
		name = full = NULL;
		memset(&t, 0, sizeof(t));
		memset(&kids, 0, sizeof(kids));
		if (lexed_key(o, &f, "/T", &t, NULL) != 0 || lexed_text(&t, &name) < 0 ||
		    (full = full_name(prefix, name)) == NULL || lexed_key(o, &f, "/Kids", &kids, NULL) != 0) {
			rc = -1;
		} else if (kids.v.type == ES_VAL_ARRAY && t.v.type != ES_VAL_NULL) {
			/* (kids resolved: its items are read from where it was) */
			rc = lexed_walk_fields(q, o, &kids, full, depth + 1, out);
		}
		if (rc == 0 && (sig = lexed_is_sig(o, &f)) != 0) {
			if (sig < 0) {
				rc = -1;
			} else {
				rc = lexed_add_value(q, o, &f, full, out);
				full = NULL; /* (the list's, or freed) */
			}
		}
		free(full);
		free(name);
		es_pdf_val_free(&kids);
		es_pdf_val_free(&t);
		es_pdf_val_free(&f);
	}
	es_pdf_val_free(&arr);
	return rc;
}

/* /AcroForm /Fields of the catalog root walked by our lexer. 0, or -1 (out then holds part of the list). */
static int lexed_fields(qpdf_data q, es_pdf_objs *o, const es_pdf_val *root, es_pdf_sig_list *out)
{
	es_pdf_val form, fields;
	int rc = -1;

	memset(&fields, 0, sizeof(fields));
	if (lexed_key(o, root, "/AcroForm", &form, NULL) == 0) {
		if (lexed_key(o, &form, "/Fields", &fields, NULL) == 0)
			rc = fields.v.type == ES_VAL_ARRAY ? lexed_walk_fields(q, o, &fields, "", 0, out) : 0;
		es_pdf_val_free(&form);
	}
	es_pdf_val_free(&fields);
	return rc;
}

/* page_widget over a lexed annotation: 0 when it adds nothing (no signature widget, or one whose value is direct,
 * absent or listed already), 1 when it may (QPDF reads it then), -1 when our lexer cannot read it. */
static int lexed_widget_no_sig(es_pdf_objs *o, int id, int gen, const es_pdf_sig_list *out)
{
	es_pdf_val a, st, v, parent, cur;
	const es_pdf_val *f = &a;
	long long num = 0;
	int depth, rc, has_v;

	if (es_pdf_objs_get(o, id, gen, &a) != 0)
		return -1;
	if (lexed_key(o, &a, "/Subtype", &st, NULL) != 0) {
		es_pdf_val_free(&a);
		return -1;
	}
	rc = st.v.type == ES_VAL_NAME && strcmp(st.v.name, "/Widget") == 0 ? lexed_is_sig(o, &a) : 0;
	es_pdf_val_free(&st);
	memset(&cur, 0, sizeof(cur));
	/* (a signature widget: its value, up the /Parent chain while the field has none) */
	for (depth = 0; rc == 1; depth++) {
		if (lexed_key(o, f, "/V", &v, &num) != 0) {
			rc = -1;
			break;
		}
		has_v = v.v.type != ES_VAL_NULL;
		es_pdf_val_free(&v);
		if (has_v || depth >= FIELDS_MAX_DEPTH)
			break;
		if (lexed_key(o, f, "/Parent", &parent, NULL) != 0) {
			rc = -1;
			break;
		}
		if (parent.v.type != ES_VAL_DICT) {
			es_pdf_val_free(&parent);
			break;
		}
		es_pdf_val_free(&cur);
		cur = parent;
		f = &cur;
	}
	if (rc == 1)
		rc = num != 0 && !have_sig(out, (int)num);
	es_pdf_val_free(&cur);
	es_pdf_val_free(&a);
	return rc;
}

/* ---- both ---- */

/* Signature widgets reachable from the pages but missing from /AcroForm /Fields (some tools forget to add them):
 * a reader still shows them, so they are verified too. pl (may be NULL): the pages as es_pdf_page_list_read read
 * them; an annotation our lexer read as no widget, or as one that adds no signature, is not resolved by QPDF. */
static void walk_page_widgets(qpdf_data q, const es_pdf_page_list *pl, es_pdf_objs *o, es_pdf_sig_list *out)
{
	int np, i, k, na;

	if (pl != NULL) {
		for (i = 0; (size_t)i < pl->n_pages && i < 100000 && out->fields_seen < FIELDS_MAX; i++) {
			const es_pdf_page_ref *p = &pl->pages[i];
			size_t j;

			for (j = 0; j < p->n_annots && out->fields_seen < FIELDS_MAX; j++) {
				const es_pdf_annot_ref *a = &pl->annots[p->first_annot + j];

				out->fields_seen++;
				if (!a->not_widget && (o == NULL || lexed_widget_no_sig(o, a->id, a->gen, out) != 0))
					page_widget(q, qpdf_get_object_by_id(q, a->id, a->gen), out);
			}
		}
		return;
	}
	np = qpdf_get_num_pages(q);
	for (i = 0; i < np && i < 100000 && out->fields_seen < FIELDS_MAX; i++) {
		qpdf_oh annots = qpdf_oh_get_key(q, qpdf_get_page_n(q, (size_t)i), "/Annots");

		na = qpdf_oh_is_array(q, annots) ? qpdf_oh_get_array_n_items(q, annots) : 0;
		for (k = 0; k < na && out->fields_seen < FIELDS_MAX; k++) {
			out->fields_seen++;
			page_widget(q, qpdf_oh_get_array_item(q, annots, k), out);
		}
	}
}

void es_pdf_list_signatures(qpdf_data q, const es_pdf_page_list *pl, es_pdf_sig_list *sl)
{
	es_pdf_objs *o = pl != NULL ? es_pdf_page_list_objs(pl) : NULL;
	const es_pdf_val *root = o != NULL ? es_pdf_page_list_root(pl) : NULL;

	if (root == NULL || lexed_fields(q, o, root, sl) != 0) {
		es_pdf_sig_list_free(sl);
		walk_fields(q, qpdf_oh_get_key(q, qpdf_oh_get_key(q, qpdf_get_root(q), "/AcroForm"), "/Fields"), "", 0,
			    sl);
	}
	walk_page_widgets(q, pl, o, sl);
	es_pdf_clear_error(q);
}

int es_pdf_catalog_ref(const es_pdf_page_list *pl, const char *key, int *id, int *gen)
{
	es_pdf_objs *o = pl != NULL ? es_pdf_page_list_objs(pl) : NULL;
	const es_pdf_val *root = o != NULL ? es_pdf_page_list_root(pl) : NULL;
	es_pdf_val v;
	int rc = -1;

	if (root == NULL)
		return -1;
	if (es_pdf_val_key(o, root, key, 0, &v, NULL, NULL) == 0) {
		rc = v.v.type == ES_VAL_NULL ? 0 : v.v.type == ES_VAL_REF ? 1 : -1;
		if (rc == 1 && (v.v.num <= 0 || v.v.num > 0x7fffffff || v.v.gen < 0 || v.v.gen > 0xffff))
			rc = -1;
		*id = rc == 1 ? (int)v.v.num : 0;
		*gen = rc == 1 ? (int)v.v.gen : 0;
		es_pdf_val_free(&v);
	}
	return rc;
}

qpdf_oh es_pdf_catalog_key(qpdf_data q, const es_pdf_page_list *pl, const char *key)
{
	int id, gen;

	/* (an indirect value is the object QPDF's lookup would resolve; a direct one needs QPDF's catalog) */
	switch (es_pdf_catalog_ref(pl, key, &id, &gen)) {
	case 0: return qpdf_oh_new_null(q);
	case 1: return qpdf_get_object_by_id(q, id, gen);
	default: return qpdf_oh_get_key(q, qpdf_get_root(q), key);
	}
}
