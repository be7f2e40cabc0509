/* pdf/pdf_verify_dups_lexed.c: the duplicated-key check of a signed revision answered by our own lexer where it can
 * vouch for every object the check reads, so that no second QPDF need open and parse the revision.
 *
 * es_pdf_check_dups learns of a key given twice from QPDF's warnings, which QPDF gives only when it first parses an
 * object: it opens the revision afresh and resolves the trailer's /Root, the signature dictionary and its
 * /Reference, /AcroForm, /Perms, every form field with its /V and /Parent chain, the appearances of the signature's
 * widgets and every widget on the pages. Our lexer refuses a dictionary that gives a key twice at any depth
 * (pdf_objread.c reads an object as QPDF resolves it: the entry's generation, "num gen obj" there, the value, "endobj"
 * or "stream"). So when it reads every one of those objects, every trailer of the chain and the pages (es_pdf_page_list
 * read them so), QPDF would have warned of nothing; anything it does not read (a free object, a stream dictionary
 * it refuses, the walk's budget spent) leaves the answer to QPDF. */
#include "pdf_verify_dups.h"
#include "pdf_lex.h"
#include "pdf_objread.h"

#include <string.h>

#define LX_MAX_DEPTH 32    /* as es_pdf_check_dups */
#define LX_MAX_NODES 20000 /* as es_pdf_check_dups: spent, QPDF's walk warns of it */

typedef struct {
	es_pdf_objs *r;
	long long sig_num;
	long left;
} lx_ctx;

/* v resolved into *out (es_pdf_val_free): a reference read by our lexer, a direct value as it is. *is_stream: out is
 * a stream's dictionary. 0, or -1 when our lexer cannot vouch for it. */
static int resolve(lx_ctx *c, const es_pdf_val *v, es_pdf_val *out, int *is_stream)
{
	*is_stream = 0;
	if (v->v.type == ES_VAL_REF)
		return es_pdf_objs_get_head(c->r, v->v.num, v->v.gen, out, is_stream);
	return es_pdf_val_resolve(c->r, v, out, NULL, NULL);
}

/* The value of key in dict, resolved (ES_VAL_NULL when absent); *ref: the reference it was written as (0: direct). */
static int key(lx_ctx *c, const es_pdf_val *dict, const char *k, es_pdf_val *out, int *is_stream, long long *ref)
{
	es_pdf_val raw;
	int rc;

	memset(out, 0, sizeof(*out));
	*is_stream = 0;
	if (ref != NULL)
		*ref = 0;
	if (dict->v.type != ES_VAL_DICT) {
		out->p = dict->p;
		out->v.type = ES_VAL_NULL; /* (QPDF: a key of no dictionary is null) */
		return 0;
	}
	if (es_pdf_val_key(c->r, dict, k, 0, &raw, NULL, NULL) != 0)
		return -1;
	if (ref != NULL && raw.v.type == ES_VAL_REF)
		*ref = raw.v.num;
	rc = resolve(c, &raw, out, is_stream);
	es_pdf_val_free(&raw);
	return rc;
}

static int is_dict(const es_pdf_val *v, int is_stream)
{
	return v->v.type == ES_VAL_DICT && !is_stream;
}

/* Whether node's value (/V, inherited through /Parent) is the signature: 1, 0, or -1 cannot tell. node: a
 * dictionary already read. Reads every node up the /Parent chain (QPDF's walk resolves them all to give them the
 * field's role when the value is the signature; reading them when it is not costs only a fall back to QPDF) and the
 * value found. */
static int holds_sig(lx_ctx *c, const es_pdf_val *node)
{
	es_pdf_val cur, v, next;
	const es_pdf_val *at = node;
	long long ref;
	int depth, st = 0, found = 0, rc = 0;

	memset(&cur, 0, sizeof(cur));
	for (depth = 0; depth < LX_MAX_DEPTH && is_dict(at, st); depth++) {
		if (!found) {
			if (key(c, at, "/V", &v, &st, &ref) != 0) {
				rc = -1;
				break;
			}
			found = v.v.type != ES_VAL_NULL;
			rc = found && ref != 0 && ref == c->sig_num;
			es_pdf_val_free(&v);
		}
		if (key(c, at, "/Parent", &next, &st, NULL) != 0) {
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

/* The appearances of a widget: /AP, its /N, /D, /R, and each state of those that are dictionaries. 0, or -1. */
static int read_appearances(lx_ctx *c, const es_pdf_val *widget)
{
	static const char *const kinds[] = {"/N", "/D", "/R"};
	es_pdf_val ap, a, state;
	size_t i, k;
	int st, sa, ss, rc = 0;

	if (key(c, widget, "/AP", &ap, &st, NULL) != 0)
		return -1;
	for (i = 0; i < 3 && rc == 0 && is_dict(&ap, st); i++) {
		if (key(c, &ap, kinds[i], &a, &sa, NULL) != 0) {
			rc = -1;
			break;
		}
		for (k = 0; rc == 0 && is_dict(&a, sa) && k < a.d.n && c->left-- > 0; k++) {
			if (key(c, &a, a.d.e[k].key, &state, &ss, NULL) != 0)
				rc = -1;
			else
				es_pdf_val_free(&state);
		}
		es_pdf_val_free(&a);
	}
	es_pdf_val_free(&ap);
	return rc;
}

/* A field node (written as raw) and what hangs below it, as es_pdf_check_dups walks them. 0, or -1. */
static int read_field(lx_ctx *c, const es_pdf_val *raw, int depth)
{
	es_pdf_val node, kids, item;
	size_t pos = 0;
	int st, sk, sig, more, rc = 0;

	if (depth > LX_MAX_DEPTH)
		return 0;
	if (c->left-- <= 0)
		return -1;
	if (resolve(c, raw, &node, &st) != 0)
		return -1;
	if (!is_dict(&node, st)) {
		es_pdf_val_free(&node);
		return 0;
	}
	if ((sig = holds_sig(c, &node)) < 0 || key(c, &node, "/Kids", &kids, &sk, NULL) != 0) {
		es_pdf_val_free(&node);
		return -1;
	}
	if (sig && read_appearances(c, &node) != 0)
		rc = -1;
	while (rc == 0 && kids.v.type == ES_VAL_ARRAY && (more = es_pdf_val_next(&kids, &pos, &item)) != 0) {
		rc = more < 0 ? -1 : read_field(c, &item, depth + 1);
		if (more > 0)
			es_pdf_val_free(&item);
	}
	es_pdf_val_free(&kids);
	es_pdf_val_free(&node);
	return rc;
}

/* An annotation our page list did not read as no widget: read, and if it is a widget of the signature, its
 * appearances. 0, or -1. */
static int read_annot(lx_ctx *c, const es_pdf_annot_ref *ar)
{
	es_pdf_val a, sub;
	int st, ss, sig, rc = 0;

	if (es_pdf_objs_get_head(c->r, ar->id, ar->gen, &a, &st) != 0)
		return -1;
	if (key(c, &a, "/Subtype", &sub, &ss, NULL) != 0) {
		es_pdf_val_free(&a);
		return -1;
	}
	if (!st && sub.v.type == ES_VAL_NAME && strcmp(sub.v.name, "/Widget") == 0) {
		sig = holds_sig(c, &a);
		if (sig < 0 || (sig && read_appearances(c, &a) != 0))
			rc = -1;
	}
	es_pdf_val_free(&sub);
	es_pdf_val_free(&a);
	return rc;
}

/* Every trailer of the chain gives no key twice (QPDF warns of those of all while it opens the file). */
static int trailers_clean(const unsigned char *buf, size_t len, const es_pdf_xref *x)
{
	char why[160];
	es_dict d = {0};
	es_lex lx;
	size_t i;
	int dup;

	for (i = 0; i < x->n_sections; i++) {
		const es_pdf_xref_section *sec = &x->sections[i];

		if (sec->trailer_start < 0 || sec->trailer_end > (long long)len ||
		    sec->trailer_start >= sec->trailer_end)
			return 0;
		es_lex_init(&lx, buf, (size_t)sec->trailer_end, (size_t)sec->trailer_start);
		if (es_lex_dict(&lx, &d, why, sizeof(why)) != 0)
			return 0;
		dup = es_pdf_dict_has_dup(buf, &d);
		es_dict_free(&d);
		if (dup != 0)
			return 0;
	}
	return 1;
}

/* The catalog's /Perms and what it names, the signature dictionary with its /Reference and their transform
 * parameters, /AcroForm and every field. 0, or -1. */
static int read_form(lx_ctx *c, const es_pdf_val *root, long long sig_num, long long sig_gen)
{
	es_pdf_val sig, refs, item, r, tp, form, perms, v, fields;
	size_t pos = 0, k;
	int st, more = 0, rc = -1;

	memset(&refs, 0, sizeof(refs));
	memset(&form, 0, sizeof(form));
	memset(&perms, 0, sizeof(perms));
	memset(&fields, 0, sizeof(fields));
	if (es_pdf_objs_get_head(c->r, sig_num, sig_gen, &sig, &st) != 0)
		return -1;
	if (key(c, &sig, "/Reference", &refs, &st, NULL) != 0)
		goto cleanup;
	for (k = 0; refs.v.type == ES_VAL_ARRAY && k < LX_MAX_DEPTH && (more = es_pdf_val_next(&refs, &pos, &item));
	     k++) {
		if (more < 0 || resolve(c, &item, &r, &st) != 0)
			goto item_failed;
		if (key(c, &r, "/TransformParams", &tp, &st, NULL) != 0) {
			es_pdf_val_free(&r);
			goto item_failed;
		}
		es_pdf_val_free(&tp);
		es_pdf_val_free(&r);
		es_pdf_val_free(&item);
	}
	if (key(c, root, "/AcroForm", &form, &st, NULL) != 0 || key(c, root, "/Perms", &perms, &st, NULL) != 0)
		goto cleanup;
	for (k = 0; is_dict(&perms, st) && k < perms.d.n; k++) {
		if (key(c, &perms, perms.d.e[k].key, &v, &st, NULL) != 0)
			goto cleanup;
		es_pdf_val_free(&v);
	}
	if (key(c, &form, "/Fields", &fields, &st, NULL) != 0)
		goto cleanup;
	pos = 0;
	while (fields.v.type == ES_VAL_ARRAY && c->left > 0 && (more = es_pdf_val_next(&fields, &pos, &item)) != 0) {
		if (more < 0)
			goto cleanup;
		more = read_field(c, &item, 0);
		es_pdf_val_free(&item);
		if (more != 0)
			goto cleanup;
	}
	rc = 0;
	goto cleanup;
item_failed:
	if (more > 0)
		es_pdf_val_free(&item);
cleanup:
	es_pdf_val_free(&fields);
	es_pdf_val_free(&perms);
	es_pdf_val_free(&form);
	es_pdf_val_free(&refs);
	es_pdf_val_free(&sig);
	return rc;
}

int es_pdf_dups_none_lexed(const unsigned char *buf, size_t len, const es_pdf_xref *x, const es_pdf_page_list *pl,
			   int sig_objid, int sig_gen)
{
	lx_ctx c;
	es_pdf_val tr, root;
	size_t i, j;
	int st, ok = 0;

	/* (a chain QPDF warns about may be read otherwise by QPDF; pages QPDF must list are QPDF's to look at) */
	if (x == NULL || x->encrypted || x->qpdf_warning != NULL || pl == NULL || pl->dup_key ||
	    !trailers_clean(buf, len, x))
		return 0;
	memset(&c, 0, sizeof(c));
	c.sig_num = sig_objid;
	c.left = LX_MAX_NODES;
	if ((c.r = es_pdf_objs_new(buf, len, x)) == NULL)
		return 0;
	if (es_pdf_objs_trailer(c.r, &tr) != 0)
		goto cleanup;
	if (key(&c, &tr, "/Root", &root, &st, NULL) != 0) {
		es_pdf_val_free(&tr);
		goto cleanup;
	}
	ok = is_dict(&root, st) && read_form(&c, &root, sig_objid, sig_gen) == 0;
	es_pdf_val_free(&root);
	es_pdf_val_free(&tr);
	for (i = 0; ok && i < pl->n_pages; i++) {
		const es_pdf_page_ref *p = &pl->pages[i];

		ok = p->lexed && c.left-- > 0;
		for (j = 0; ok && j < p->n_annots; j++) {
			const es_pdf_annot_ref *a = &pl->annots[p->first_annot + j];

			ok = c.left-- > 0 && (a->not_widget || read_annot(&c, a) == 0);
		}
	}
	/* (the budget spent: QPDF's walk says the form was too large to look at whole) */
	ok = ok && c.left > 0;
cleanup:
	es_pdf_objs_free(c.r);
	return ok;
}
