/* pdf/pdf_seal_lexed.c: what a seal into a new field reads of the original (trailer, catalog, the path to its page,
 * form fields, certification) by our own reader instead of QPDF; what it does not read exactly is left to QPDF. */
#include "pdf_seal_internal.h"
#include "core/error_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TREE_DEPTH 32
#define MAX_NODES (1 << 22)
#define MAX_FIELDS 100000

void es_pdf_lexed_free(struct es_pdf_lexed *l)
{
	if (l == NULL)
		return;
	es_pdf_val_free(&l->root);
	es_pdf_val_free(&l->acro);
	es_pdf_val_free(&l->fields);
	es_pdf_val_free(&l->page);
	es_pdf_val_free(&l->annots);
	es_pdf_objs_free(l->objs);
	es_pdf_xref_free(l->xref);
	free(l);
}

/* "N G R" of a reference, or NULL. */
static char *ref_text(long long num, long long gen)
{
	char tmp[64];

	snprintf(tmp, sizeof(tmp), "%lld %lld R", num, gen);
	return strdup(tmp);
}

/* An array as QPDF unparses one ("[ a b ]"), its items as they are written, and its length in *len (a literal string
 * may hold a NUL); NULL when damaged or out of memory. */
static char *array_text(const es_pdf_val *a, size_t *len)
{
	char *s = malloc(2 * (a->v.end - a->v.start) + 4), *o = s; /* (an item takes a byte at least) */
	es_pdf_val item;
	size_t pos = 0;
	int more;

	if (s == NULL)
		return NULL;
	*o++ = '[';
	while ((more = es_pdf_val_next(a, &pos, &item)) == 1) {
		*o++ = ' ';
		memcpy(o, item.p + item.v.start, item.v.end - item.v.start);
		o += item.v.end - item.v.start;
		es_pdf_val_free(&item);
	}
	memcpy(o, " ]", 3);
	if (more < 0) {
		free(s);
		return NULL;
	}
	*len = (size_t)(o + 2 - s);
	return s;
}

/* A direct integer (a reference to one followed): 0, or -1. */
static int int_key(es_pdf_objs *r, const es_pdf_val *dict, const char *key, long long *out)
{
	es_pdf_val v;
	int rc = -1;

	if (es_pdf_val_key(r, dict, key, 1, &v, NULL, NULL) == 0 && v.v.type == ES_VAL_INT) {
		*out = v.v.num;
		rc = 0;
	}
	es_pdf_val_free(&v);
	return rc;
}

/* 1 when key's value (followed) is the name want, 0 when not; -1 unreadable. */
static int name_key(es_pdf_objs *r, const es_pdf_val *dict, const char *key, const char *want, int *absent)
{
	es_pdf_val v;
	int rc;

	if (es_pdf_val_key(r, dict, key, 1, &v, NULL, NULL) != 0)
		return -1;
	*absent = v.v.type == ES_VAL_NULL;
	rc = v.v.type == ES_VAL_NAME && v.v.name[0] != '\0' && strcmp(v.v.name, want) == 0;
	es_pdf_val_free(&v);
	return rc;
}

/* Signature fields with a value, walking /Kids as count_signatures of pdf_struct.c does: 0, or -1. */
static int count_signatures(es_pdf_doc *doc, const es_pdf_val *fields, int depth, int inherited_sig, int *visited)
{
	es_pdf_objs *r = doc->lexed->objs;
	es_pdf_val item, f, v, kids;
	size_t pos = 0;
	int more, sig, absent, rc = 0;

	if (depth > MAX_TREE_DEPTH || fields->v.type != ES_VAL_ARRAY)
		return 0;
	while (rc == 0 && *visited < MAX_FIELDS && (more = es_pdf_val_next(fields, &pos, &item)) != 0) {
		(*visited)++;
		if (more < 0 || es_pdf_val_resolve(r, &item, &f, NULL, NULL) != 0) {
			es_pdf_val_free(&item);
			return -1;
		}
		es_pdf_val_free(&item);
		if (f.v.type == ES_VAL_DICT) {
			sig = name_key(r, &f, "/FT", "/Sig", &absent);
			if (sig < 0 || es_pdf_val_key(r, &f, "/V", 1, &v, NULL, NULL) != 0) {
				es_pdf_val_free(&f);
				return -1;
			}
			sig = sig || (inherited_sig && absent);
			if (sig && v.v.type == ES_VAL_DICT)
				doc->n_signatures++;
			es_pdf_val_free(&v);
			if (es_pdf_val_key(r, &f, "/Kids", 1, &kids, NULL, NULL) != 0)
				rc = -1;
			else
				rc = count_signatures(doc, &kids, depth + 1, sig, visited);
			es_pdf_val_free(&kids);
		}
		es_pdf_val_free(&f);
	}
	return rc;
}

/* /Perms /DocMDP as read_docmdp of pdf_struct.c reads it: 0, or -1. */
static int read_docmdp(es_pdf_doc *doc)
{
	struct es_pdf_lexed *l = doc->lexed;
	es_pdf_val perms, sig = {0}, refs = {0}, item, ref, params;
	size_t pos = 0;
	long long p;
	int more, rc = -1;

	if (es_pdf_val_key(l->objs, &l->root, "/Perms", 1, &perms, NULL, NULL) != 0)
		return -1;
	if (perms.v.type == ES_VAL_DICT && es_pdf_val_key(l->objs, &perms, "/DocMDP", 1, &sig, NULL, NULL) != 0)
		goto cleanup;
	rc = 0;
	if (sig.v.type != ES_VAL_DICT)
		goto cleanup;
	doc->certified = 1;
	doc->docmdp_p = 2; /* the default when /P is absent */
	if ((rc = es_pdf_val_key(l->objs, &sig, "/Reference", 1, &refs, NULL, NULL)) != 0 ||
	    refs.v.type != ES_VAL_ARRAY)
		goto cleanup;
	while (rc == 0 && (more = es_pdf_val_next(&refs, &pos, &item)) != 0) {
		rc = more < 0 || es_pdf_val_resolve(l->objs, &item, &ref, NULL, NULL) != 0 ? -1 : 0;
		es_pdf_val_free(&item);
		if (rc != 0)
			break;
		if (ref.v.type == ES_VAL_DICT &&
		    (rc = es_pdf_val_key(l->objs, &ref, "/TransformParams", 1, &params, NULL, NULL)) == 0) {
			if (params.v.type == ES_VAL_DICT && int_key(l->objs, &params, "/P", &p) == 0 && p >= -0x7fffffff &&
			    p <= 0x7fffffff)
				doc->docmdp_p = (int)p;
			es_pdf_val_free(&params);
		}
		es_pdf_val_free(&ref);
	}
cleanup:
	es_pdf_val_free(&refs);
	es_pdf_val_free(&sig);
	es_pdf_val_free(&perms);
	return rc;
}

/* The trailer and catalog entries es_pdf_doc_open reads through QPDF: 0, or -1. */
static int read_document(es_pdf_doc *doc)
{
	struct es_pdf_lexed *l = doc->lexed;
	es_pdf_val trailer, v, pages;
	long long size, count;
	int visited = 0, rc = -1;

	if (es_pdf_objs_trailer(l->objs, &trailer) != 0)
		return -1;
	if (es_pdf_val_key(l->objs, &trailer, "/Encrypt", 0, &v, NULL, NULL) != 0 || v.v.type != ES_VAL_NULL)
		goto cleanup;
	es_pdf_val_free(&v);
	if (int_key(l->objs, &trailer, "/Size", &size) != 0 || size < 1 || size > 8388607)
		goto cleanup;
	doc->trailer_size = size;
	if (es_pdf_val_key(l->objs, &trailer, "/Root", 0, &v, NULL, NULL) != 0 || v.v.type != ES_VAL_REF ||
	    es_pdf_val_resolve(l->objs, &v, &l->root, &l->root_num, &l->root_gen) != 0 ||
	    l->root.v.type != ES_VAL_DICT || (doc->root_ref = ref_text(l->root_num, l->root_gen)) == NULL)
		goto cleanup;
	es_pdf_val_free(&v);
	if (es_pdf_val_key(l->objs, &trailer, "/Info", 0, &v, NULL, NULL) != 0 ||
	    (v.v.type == ES_VAL_REF && (doc->info_ref = ref_text(v.v.num, v.v.gen)) == NULL))
		goto cleanup;
	es_pdf_val_free(&v);
	if (es_pdf_val_key(l->objs, &trailer, "/ID", 0, &v, NULL, NULL) != 0 ||
	    (v.v.type != ES_VAL_NULL && v.v.type != ES_VAL_ARRAY) ||
	    (v.v.type == ES_VAL_ARRAY && (doc->id = array_text(&v, &doc->id_len)) == NULL))
		goto cleanup;
	es_pdf_val_free(&v);
	/* The root /Pages node's /Count, as es_pdf_pages_count reads it; without one QPDF counts the pages. */
	if (es_pdf_val_key(l->objs, &l->root, "/Pages", 1, &pages, NULL, NULL) != 0)
		goto cleanup;
	rc = pages.v.type == ES_VAL_DICT && int_key(l->objs, &pages, "/Count", &count) == 0 && count >= 1 &&
			     count <= MAX_NODES ?
		     0 :
		     -1;
	es_pdf_val_free(&pages);
	if (rc != 0)
		goto cleanup;
	doc->n_pages = (int)count;
	rc = -1;
	if (es_pdf_val_key(l->objs, &l->root, "/AcroForm", 1, &l->acro, &l->acro_num, &l->acro_gen) != 0 ||
	    (l->acro.v.type != ES_VAL_DICT && l->acro.v.type != ES_VAL_NULL))
		goto cleanup;
	if (l->acro.v.type == ES_VAL_DICT &&
	    es_pdf_val_key(l->objs, &l->acro, "/Fields", 1, &l->fields, &l->fields_num, &l->fields_gen) != 0)
		goto cleanup;
	if (count_signatures(doc, &l->fields, 0, 0, &visited) != 0 || read_docmdp(doc) != 0)
		goto cleanup;
	rc = 0;
cleanup:
	es_pdf_val_free(&v);
	es_pdf_val_free(&trailer);
	return rc;
}

int es_pdf_doc_open_lexed(es_pdf_doc *doc, const char *path, int fd, eseal_error *err)
{
	es_pdf_xref *xr = NULL;
	es_pdf_objs *objs = NULL;
	int rc = es_pdf_doc_prepare(doc, path, fd, &xr, &objs, err);

	if (rc != ESEAL_OK) {
		es_pdf_xref_free(xr);
		es_pdf_doc_close(doc);
		return rc;
	}
	rc = 1;
	/* QPDF's warnings are refusals to the sealer: QPDF gives the message. */
	if (objs == NULL || xr->qpdf_warning != NULL || (doc->lexed = calloc(1, sizeof(*doc->lexed))) == NULL) {
		es_pdf_objs_free(objs);
		es_pdf_xref_free(xr);
		goto cleanup;
	}
	doc->lexed->xref = xr;
	doc->lexed->objs = objs;
	if (read_document(doc) == 0)
		rc = ESEAL_OK;
cleanup:
	if (rc != ESEAL_OK)
		es_pdf_doc_close(doc);
	return rc;
}

/* ---- the page tree ---- */

typedef int (*page_fn)(struct es_pdf_lexed *l, es_pdf_val *page, long long num, long long gen, int index,
		       void *ctx);

typedef struct walk {
	struct es_pdf_lexed *l;
	page_fn fn;
	void *ctx;
	int index;
	long nodes;
	int stopped;
} walk;

/* As visit in pdf_pages.c: a node with a /Kids array is an inner node, any other dictionary below the root a page.
 * Only direct /Kids arrays of references are followed here. 0, or -1 (leave it to QPDF). */
static int visit(walk *w, es_pdf_val *node, long long num, long long gen, int depth)
{
	es_pdf_val kids, item, kid;
	long long kn, kg;
	size_t pos = 0;
	int more, rc = 0;

	if (depth > MAX_TREE_DEPTH || ++w->nodes > MAX_NODES || node->v.type != ES_VAL_DICT)
		return -1;
	if (es_pdf_val_key(w->l->objs, node, "/Kids", 0, &kids, NULL, NULL) != 0)
		return -1;
	if (kids.v.type == ES_VAL_NULL) {
		if (depth == 0)
			return -1;
		w->stopped = w->fn(w->l, node, num, gen, w->index++, w->ctx);
		return w->stopped < 0 ? -1 : 0;
	}
	if (kids.v.type != ES_VAL_ARRAY) {
		es_pdf_val_free(&kids);
		return -1;
	}
	while (rc == 0 && !w->stopped && (more = es_pdf_val_next(&kids, &pos, &item)) != 0) {
		if (more < 0 || item.v.type != ES_VAL_REF ||
		    es_pdf_val_resolve(w->l->objs, &item, &kid, &kn, &kg) != 0) {
			rc = -1;
		} else {
			rc = visit(w, &kid, kn, kg, depth + 1);
			es_pdf_val_free(&kid);
		}
		es_pdf_val_free(&item);
	}
	es_pdf_val_free(&kids);
	return rc;
}

/* 1 stopped by fn, 0 all visited, -1 not followed. */
static int pages_walk(struct es_pdf_lexed *l, page_fn fn, void *ctx)
{
	es_pdf_val pages;
	long long num, gen;
	walk w = {l, fn, ctx, 0, 0, 0};
	int rc;

	if (es_pdf_val_key(l->objs, &l->root, "/Pages", 1, &pages, &num, &gen) != 0)
		return -1;
	rc = visit(&w, &pages, num, gen, 0);
	es_pdf_val_free(&pages);
	if (rc != 0)
		return -1;
	return w.stopped ? 1 : 0;
}

typedef struct find_ctx {
	int want;
	es_pdf_val page;
	long long num, gen;
} find_ctx;

static int take_nth(struct es_pdf_lexed *l, es_pdf_val *page, long long num, long long gen, int index, void *ctx)
{
	find_ctx *f = ctx;

	(void)l;
	if (index != f->want)
		return 0;
	f->page = *page; /* (taken over: the caller's copy is emptied) */
	memset(&page->d, 0, sizeof(page->d));
	f->num = num;
	f->gen = gen;
	return 1;
}

static int names_annots(struct es_pdf_lexed *l, es_pdf_val *page, long long num, long long gen, int index, void *ctx)
{
	es_pdf_val a;
	int shared;

	(void)index;
	(void)ctx;
	if (num == l->page_num && gen == l->page_gen)
		return 0;
	if (es_pdf_val_key(l->objs, page, "/Annots", 0, &a, NULL, NULL) != 0)
		return -1;
	shared = a.v.type == ES_VAL_REF && a.v.num == l->annots_num;
	es_pdf_val_free(&a);
	return shared;
}

/* The value key gives the page or the first node up its /Parent chain that has it, as es_pdf_page_inherited finds
 * it: 0 (*out ES_VAL_NULL when none), or -1. */
static int inherited(struct es_pdf_lexed *l, const char *key, es_pdf_val *out)
{
	es_pdf_val node, parent;
	int depth;

	if (es_pdf_val_resolve(l->objs, &l->page, &node, NULL, NULL) != 0)
		return -1;
	for (depth = 0; depth < MAX_TREE_DEPTH && node.v.type == ES_VAL_DICT; depth++) {
		if (es_pdf_val_key(l->objs, &node, key, 1, out, NULL, NULL) != 0)
			break;
		if (out->v.type != ES_VAL_NULL) {
			es_pdf_val_free(&node);
			return 0;
		}
		if (es_pdf_val_key(l->objs, &node, "/Parent", 1, &parent, NULL, NULL) != 0)
			break;
		es_pdf_val_free(&node);
		node = parent;
	}
	es_pdf_val_free(&node);
	memset(out, 0, sizeof(*out));
	out->v.type = ES_VAL_NULL;
	return depth < MAX_TREE_DEPTH && node.v.type != ES_VAL_DICT ? 0 : -1;
}

/* es_pdf_place_page_geometry over lexed values: 0, or -1. */
static int geometry(struct es_pdf_lexed *l)
{
	es_pdf_val v;
	int ok;

	if (inherited(l, "/CropBox", &v) != 0)
		return -1;
	ok = es_pdf_val_rect(v.p, &v.v, l->crop);
	es_pdf_val_free(&v);
	if (ok == 0) {
		if (inherited(l, "/MediaBox", &v) != 0)
			return -1;
		ok = es_pdf_val_rect(v.p, &v.v, l->crop);
		es_pdf_val_free(&v);
	}
	if (ok < 0)
		return -1;
	if (!ok || l->crop[2] - l->crop[0] < 1 || l->crop[3] - l->crop[1] < 1) {
		l->crop[0] = l->crop[1] = 0;
		l->crop[2] = 612;
		l->crop[3] = 792;
	}
	if (inherited(l, "/Rotate", &v) != 0)
		return -1;
	/* (anything but an integer is no rotation to QPDF's reading either) */
	l->rotate = v.v.type == ES_VAL_INT ? (int)(((v.v.num % 360) + 360) % 360) : 0;
	if (l->rotate % 90 != 0)
		l->rotate = 0;
	es_pdf_val_free(&v);
	return 0;
}

/* A string's text when it is ASCII (UTF-16BE or UTF-8 with its byte order mark) into out, "" when it is not (no
 * seal's field name). 0, or -1 when only QPDF can tell (es_pdf_val_string_bytes: an escape, a line end). */
static int field_name_of(const es_pdf_val *v, char *out, size_t size)
{
	unsigned char *raw;
	size_t n, i, o = 0;
	int rc;

	out[0] = '\0';
	if ((rc = es_pdf_val_string_bytes(v, &raw, &n)) <= 0)
		return rc;
	i = n >= 3 && raw[0] == 0xef && raw[1] == 0xbb && raw[2] == 0xbf ? 3 : 0;
	if (n >= 2 && raw[0] == 0xfe && raw[1] == 0xff) {
		for (i = 2; i + 1 < n; i += 2) {
			if (raw[i] != 0 || raw[i + 1] >= 0x80 || raw[i + 1] == 0 || o + 1 >= size) {
				o = 0;
				break;
			}
			out[o++] = (char)raw[i + 1];
		}
	} else {
		for (; i < n; i++) {
			if (raw[i] >= 0x80 || raw[i] == 0 || o + 1 >= size) {
				o = 0;
				break;
			}
			out[o++] = (char)raw[i];
		}
	}
	out[o] = '\0';
	free(raw);
	return 0;
}

/* es_pdf_new_field_name over lexed fields: 0, or -1. */
static int new_field_name(es_pdf_seal_ctx *c)
{
	struct es_pdf_lexed *l = c->doc.lexed;
	es_pdf_val item, f, t;
	unsigned char *taken = NULL;
	char s[64], *end;
	size_t pos = 0;
	long k;
	int n = 0, i, more, pick, rc = -1;

	/* The items are counted first: among n fields one of eSeal1..eSeal<n+1> is free. */
	while (l->fields.v.type == ES_VAL_ARRAY && (more = es_pdf_val_next(&l->fields, &pos, &item)) != 0) {
		es_pdf_val_free(&item);
		if (more < 0)
			return -1;
		n++;
	}
	if (n > MAX_FIELDS)
		n = MAX_FIELDS;
	if ((taken = calloc((size_t)n + 2, 1)) == NULL)
		return -1;
	for (i = 0, pos = 0; i < n; i++) {
		if (es_pdf_val_next(&l->fields, &pos, &item) != 1 || es_pdf_val_resolve(l->objs, &item, &f, NULL, NULL) != 0) {
			es_pdf_val_free(&item);
			goto cleanup;
		}
		es_pdf_val_free(&item);
		if (f.v.type == ES_VAL_DICT) {
			if (es_pdf_val_key(l->objs, &f, "/T", 1, &t, NULL, NULL) != 0) {
				es_pdf_val_free(&f);
				goto cleanup;
			}
			if (field_name_of(&t, s, sizeof(s)) != 0) {
				es_pdf_val_free(&t);
				es_pdf_val_free(&f);
				goto cleanup;
			}
			if (strncmp(s, "eSeal", 5) == 0 && s[5] >= '1' && s[5] <= '9' &&
			    (k = strtol(s + 5, &end, 10)) <= n + 1 && *end == '\0')
				taken[k] = 1;
			es_pdf_val_free(&t);
		}
		es_pdf_val_free(&f);
	}
	for (pick = 1; taken[pick]; pick++)
		;
	snprintf(c->field_name, sizeof(c->field_name), "eSeal%d", pick);
	rc = 0;
cleanup:
	free(taken);
	return rc;
}

int es_pdf_lexed_target(es_pdf_seal_ctx *c)
{
	struct es_pdf_lexed *l = c->doc.lexed;
	find_ctx f;
	int idx = es_pdf_place_page_index(c->opts, c->doc.n_pages);

	if (idx < 0)
		return 1;
	memset(&f, 0, sizeof(f));
	f.want = idx;
	if (pages_walk(l, take_nth, &f) != 1)
		return 1;
	l->page = f.page;
	l->page_num = f.num;
	l->page_gen = f.gen;
	c->page_index = idx;
	if (l->page_num <= 0 || l->page_gen < 0 || l->page_gen > 65535)
		return 1;
	if (es_pdf_val_key(l->objs, &l->page, "/Annots", 1, &l->annots, &l->annots_num, &l->annots_gen) != 0)
		return 1;
	if (l->annots_num != 0 && l->annots.v.type == ES_VAL_ARRAY)
		l->annots_shared = pages_walk(l, names_annots, NULL) != 0;
	if (geometry(l) != 0 || new_field_name(c) != 0)
		return 1;
	return 0;
}
