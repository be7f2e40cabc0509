/* pdf/pdf_verify_pages.c: the pages of a file and the annotations each names, read by our own lexer rather than
 * QPDF, for the verifier's checks that must look at every page's /Annots.
 *
 * QPDF parses an object stream whole the first time one of its objects is resolved, so listing the pages (what
 * qpdf_get_num_pages does) parses nearly every object of a typical file, most of the verification's time; outside
 * object streams it builds a handle and a map entry per object, most of a classic file's. Here the page tree nodes,
 * pages and annotations are read by our own lexer: from an object stream's data (decoded by us, already sized by
 * es_pdf_xref_scan), or from the file where its cross-reference entry says (pdf_objread.c: the entry's generation,
 * "id gen obj" there, a dictionary giving no key twice, "endobj" after it). What the lexer will not read so is
 * resolved through QPDF, one object each. Anything this reader does not read exactly as QPDF's page list would (a
 * loop, a page listed twice, a direct kid, an indirect /Kids or /Annots, a free or redefined-in-a-hybrid-file object,
 * an encrypted file, a dictionary our lexer refuses in an object stream) makes it give up, and the caller lists the
 * pages through QPDF. */
#include "pdf_verify_internal.h"
#include "pdf_decode.h"
#include "pdf_lex.h"
#include "pdf_objread.h"
#include "core/input_release.h"

#include <stdlib.h>
#include <string.h>

#define PAGES_MAX_DEPTH 32
#define PAGES_MAX_NODES 200000
#define PAGES_MAX_OBJSTMS 64 /* decoded object streams kept at once */

typedef struct {
	unsigned int num;
	unsigned char *data;
	size_t len;
	long long first;
	long long *pairs; /* object number, offset: n pairs from the stream's header */
	size_t n;
	int bad; /* its header could not be read: none of its objects can be */
} objstm;

/* Kept with the list, to read more of the tree later (es_pdf_page_list_rect). */
struct es_pdf_page_reader {
	qpdf_data q;     /* the QPDF of the current call */
	es_pdf_objs *ix; /* the chain's entries by number, over the bytes q reads (NULL bytes: the index only) */
	es_pdf_val root; /* the catalog by our lexer, once root_read is 1 (-1: it cannot read it) */
	int root_read;
	const es_pdf_xref *x; /* its chain, with the object streams its sizing kept decoded */
	int lex_file;    /* objects outside object streams are lexed from those bytes */
	size_t limit;    /* what an object stream may decode to */
	objstm stm[PAGES_MAX_OBJSTMS];
	size_t n_stm;
	long nodes;
	es_pdf_page_list *out;
	unsigned long long *seen; /* pages and nodes met, (id << 32 | gen) */
	size_t n_seen, cap_seen;
	/* annotations read by our lexer, as a widget or as none: pages share them (a file made of one document's
	 * pages again and again names the same few link annotations thousands of times) */
	unsigned long long *annot_w, *annot_nw;
	size_t n_annot_w, cap_annot_w, n_annot_nw, cap_annot_nw;
};
typedef struct es_pdf_page_reader reader;

/* One object of the tree or an annotation: lexed from an object stream, or QPDF's handle. */
typedef struct {
	int lexed;
	qpdf_oh oh;
	const unsigned char *p; /* lexed: the object stream's data, d's offsets into it */
	es_dict d;
} node;

/* The decoded object stream num with its header read, or NULL. */
static const objstm *get_objstm(reader *r, unsigned int num)
{
	const es_pdf_objstm_data *kept;
	long long offset;
	int type;
	objstm *s;
	qpdf_oh st, n_oh, f_oh;
	es_lex lx;
	es_tok a, b;
	char why[256];
	size_t i;
	long long n;

	for (i = 0; i < r->n_stm; i++)
		if (r->stm[i].num == num)
			return r->stm[i].bad ? NULL : &r->stm[i];
	if (r->n_stm == PAGES_MAX_OBJSTMS)
		return NULL;
	s = &r->stm[r->n_stm];
	memset(s, 0, sizeof(*s));
	s->num = num;
	st = qpdf_get_object_by_id(r->q, (int)num, 0);
	if (!qpdf_oh_is_stream(r->q, st))
		return NULL;
	n_oh = qpdf_oh_get_key(r->q, qpdf_oh_get_dict(r->q, st), "/N");
	f_oh = qpdf_oh_get_key(r->q, qpdf_oh_get_dict(r->q, st), "/First");
	if (!qpdf_oh_is_integer(r->q, n_oh) || !qpdf_oh_is_integer(r->q, f_oh))
		return NULL;
	n = qpdf_oh_get_int_value(r->q, n_oh);
	s->first = qpdf_oh_get_int_value(r->q, f_oh);
	if (n < 0 || n > 1000000 || s->first < 0)
		return NULL;
	/* The sizing pass's data when it read the stream's very bytes as QPDF reads them (no warning about the chain,
	 * so QPDF's entry for num is ours); else QPDF's raw data through our capped decoder. */
	if (r->lex_file && es_pdf_objs_entry(r->ix, num, &type, &offset) && type == 1 && offset >= 0 &&
	    (kept = es_pdf_xref_kept(r->x, num, (size_t)offset)) != NULL) {
		if ((s->data = malloc(kept->len + 1)) == NULL)
			return NULL;
		memcpy(s->data, kept->data, kept->len);
		s->len = kept->len;
	} else if (es_pdf_stream_decode_sized(r->q, st, r->limit, &s->data, &s->len, why, sizeof(why)) !=
		   ES_PDF_DECODE_OK) {
		return NULL;
	}
	r->n_stm++; /* (owns data from here: freed with the reader) */
	s->bad = 1;
	if ((size_t)s->first > s->len || (s->pairs = malloc(((size_t)n + 1) * 2 * sizeof(*s->pairs))) == NULL)
		return NULL;
	es_lex_init(&lx, s->data, (size_t)s->first, 0);
	for (s->n = 0; s->n < (size_t)n; s->n++) {
		if (es_lex_next(&lx, &a) != ES_TOK_INT || es_lex_next(&lx, &b) != ES_TOK_INT || a.ival < 0 ||
		    b.ival < 0 || b.ival > (long long)s->len)
			return NULL;
		s->pairs[2 * s->n] = a.ival;
		s->pairs[2 * s->n + 1] = b.ival;
	}
	s->bad = 0;
	return s;
}

static void node_free(node *n)
{
	es_dict_free(&n->d);
}

/* Object (id, gen) outside object streams, lexed where its entry says as QPDF reads it (not a stream): 0, or -1
 * when QPDF must read it (a dictionary giving a key twice among them: QPDF warns of it once it parses it). */
static int lex_in_file(reader *r, int id, int gen, node *out)
{
	es_pdf_val v;

	if (!r->lex_file || es_pdf_objs_get(r->ix, id, gen, &v) != 0)
		return -1;
	if (v.v.type != ES_VAL_DICT) {
		es_pdf_val_free(&v);
		return -1;
	}
	out->lexed = 1;
	out->p = v.p;
	out->d = v.d; /* (owned by out from here) */
	return 0;
}

/* Reads object (id, gen) as QPDF would resolve "id gen R": 0, or -1 to give up. A dictionary is required. */
static int node_read(reader *r, int id, int gen, node *out)
{
	const objstm *s;
	es_lex lx;
	char why[160];
	size_t i, at = 0;
	int found = 0, dup, type = 0;
	long long offset = 0;

	memset(out, 0, sizeof(*out));
	if (!es_pdf_objs_entry(r->ix, id, &type, &offset) || type == 0)
		return -1;
	if (type == 1) {
		/* A page object after each 5 MB drawing of a 200 MB file kept 64 MB of it mapped (see pdf_walk.c). */
		es_input_release_turn();
		if (lex_in_file(r, id, gen, out) == 0)
			return 0;
		out->oh = qpdf_get_object_by_id(r->q, id, gen);
		return qpdf_oh_is_dictionary(r->q, out->oh) && !qpdf_oh_is_stream(r->q, out->oh) ? 0 : -1;
	}
	/* In an object stream: QPDF takes the offset its header gives the number (the entry's index aside). */
	if (gen != 0 || offset <= 0 || offset > 0xffffffffLL || (s = get_objstm(r, (unsigned)offset)) == NULL)
		return -1;
	for (i = 0; i < s->n; i++)
		if (s->pairs[2 * i] == id) {
			if (found++)
				return -1;
			at = (size_t)(s->first + s->pairs[2 * i + 1]);
		}
	if (!found || at >= s->len)
		return -1;
	es_lex_init(&lx, s->data, s->len, at);
	if (es_lex_dict(&lx, &out->d, why, sizeof(why)) != 0)
		return -1;
	out->lexed = 1;
	out->p = s->data;
	dup = es_pdf_dict_has_dup(s->data, &out->d);
	if (dup < 0) {
		node_free(out);
		return -1;
	}
	if (r->out != NULL) /* (while the list is read) */
		r->out->dup_key |= dup;
	return 0;
}

/* The references of an array of indirect objects: into *refs (2 ints each), or -1 when the value is anything else.
 * absent: the key is missing or null. */
static int node_refs(reader *r, node *n, const char *key, int **refs, size_t *count, int *absent)
{
	size_t cap = 0;
	int *nr;

	*refs = NULL;
	*count = 0;
	*absent = 0;
	if (n->lexed) {
		const es_dict_entry *e = es_dict_get(&n->d, key, NULL);
		es_lex lx;
		es_tok a, b, w;

		if (e == NULL || e->type == ES_VAL_NULL) {
			*absent = 1;
			return 0;
		}
		if (e->type != ES_VAL_ARRAY)
			return -1;
		es_lex_init(&lx, n->p, e->end, e->start);
		es_lex_next(&lx, &a); /* [ */
		for (;;) {
			if (es_lex_next(&lx, &a) == ES_TOK_ARRAY_CLOSE)
				return 0;
			if (a.type != ES_TOK_INT || es_lex_next(&lx, &b) != ES_TOK_INT ||
			    es_lex_next(&lx, &w) != ES_TOK_WORD || strcmp(w.text, "R") != 0 || a.ival <= 0 ||
			    a.ival > 0x7fffffff || b.ival < 0 || b.ival > 0xffff)
				goto fail;
			if (*count == cap) {
				cap = cap ? 2 * cap : 16;
				if ((nr = realloc(*refs, cap * 2 * sizeof(*nr))) == NULL)
					goto fail;
				*refs = nr;
			}
			(*refs)[2 * *count] = (int)a.ival;
			(*refs)[2 * *count + 1] = (int)b.ival;
			(*count)++;
		}
	} else {
		qpdf_oh v;
		int i, k;

		if (!qpdf_oh_has_key(r->q, n->oh, key)) {
			*absent = 1;
			return 0;
		}
		v = qpdf_oh_get_key(r->q, n->oh, key);
		/* (an indirect array: one more object to read, which the lexed path does not; rare enough to give up) */
		if (!qpdf_oh_is_array(r->q, v) || qpdf_oh_is_indirect(r->q, v))
			return -1;
		k = qpdf_oh_get_array_n_items(r->q, v);
		if (k > 0 && (*refs = malloc((size_t)k * 2 * sizeof(**refs))) == NULL)
			return -1;
		for (i = 0; i < k; i++) {
			qpdf_oh item = qpdf_oh_get_array_item(r->q, v, i);

			if (!qpdf_oh_is_indirect(r->q, item))
				goto fail;
			(*refs)[2 * i] = qpdf_oh_get_object_id(r->q, item);
			(*refs)[2 * i + 1] = qpdf_oh_get_generation(r->q, item);
		}
		*count = (size_t)k;
	}
	return 0;
fail:
	free(*refs);
	*refs = NULL;
	*count = 0;
	return -1;
}

/* Reads annotation ar with our lexer where it can, from a decoded object stream or from the file where its entry
 * says (one it will not read in the file is left to QPDF, as the checks that look at it resolve it), once: pages
 * share annotations. 0, or -1 to give up the list. */
static int read_annot(reader *r, es_pdf_annot_ref *ar)
{
	const es_dict_entry *st;
	long long offset = 0;
	int type = 0;
	node a;

	if (es_pdf_pair_has(r->annot_nw, r->cap_annot_nw, ar->id, ar->gen)) {
		ar->lexed = ar->not_widget = 1;
		return 0;
	}
	if (es_pdf_pair_has(r->annot_w, r->cap_annot_w, ar->id, ar->gen)) {
		ar->lexed = 1;
		return 0;
	}
	if (!es_pdf_objs_entry(r->ix, ar->id, &type, &offset))
		return 0;
	if (type == 2) {
		if (node_read(r, ar->id, ar->gen, &a) != 0)
			return -1;
	} else if (type != 1 || lex_in_file(r, ar->id, ar->gen, &a) != 0) {
		return 0;
	}
	st = es_dict_get(&a.d, "/Subtype", NULL);
	ar->lexed = 1;
	ar->not_widget = st != NULL && st->type == ES_VAL_NAME && strcmp(st->name, "/Widget") != 0;
	node_free(&a);
	if (ar->not_widget)
		return es_pdf_pair_add(&r->annot_nw, &r->n_annot_nw, &r->cap_annot_nw, ar->id, ar->gen) < 0 ? -1 : 0;
	return es_pdf_pair_add(&r->annot_w, &r->n_annot_w, &r->cap_annot_w, ar->id, ar->gen) < 0 ? -1 : 0;
}

static int add_annots(reader *r, node *page)
{
	es_pdf_page_list *l = r->out;
	int *refs = NULL, absent, rc = 0;
	size_t n = 0, i;
	es_pdf_annot_ref *na;

	if (node_refs(r, page, "/Annots", &refs, &n, &absent) != 0)
		return -1;
	if (n > 0 && (na = realloc(l->annots, (l->n_annots + n) * sizeof(*na))) == NULL) {
		free(refs);
		return -1;
	}
	if (n > 0)
		l->annots = na;
	for (i = 0; i < n && rc == 0; i++) {
		es_pdf_annot_ref *ar = &l->annots[l->n_annots];

		memset(ar, 0, sizeof(*ar));
		ar->id = refs[2 * i];
		ar->gen = refs[2 * i + 1];
		if ((rc = read_annot(r, ar)) == 0)
			l->n_annots++;
	}
	free(refs);
	return rc;
}

/* A node of the tree: one with /Kids is an inner node, as QPDF's page list reads it. */
static int visit(reader *r, int id, int gen, int depth, int root)
{
	es_pdf_page_list *l = r->out;
	node n;
	int *kids = NULL, absent, rc = -1;
	size_t nk = 0, i;
	es_pdf_page_ref *np;

	if (depth > PAGES_MAX_DEPTH || ++r->nodes > PAGES_MAX_NODES ||
	    es_pdf_pair_add(&r->seen, &r->n_seen, &r->cap_seen, id, gen) != 1)
		return -1;
	if (node_read(r, id, gen, &n) != 0)
		return -1;
	if (node_refs(r, &n, "/Kids", &kids, &nk, &absent) != 0)
		goto cleanup;
	if (root &&
	    (absent || (n.lexed ? es_dict_get(&n.d, "/Parent", NULL) != NULL : qpdf_oh_has_key(r->q, n.oh, "/Parent"))))
		goto cleanup; /* (QPDF refuses or repairs such a root) */
	if (!absent) {
		for (i = 0; i < nk; i++)
			if (visit(r, kids[2 * i], kids[2 * i + 1], depth + 1, 0) != 0)
				goto cleanup;
		rc = 0;
		goto cleanup;
	}
	if ((np = realloc(l->pages, (l->n_pages + 1) * sizeof(*np))) == NULL)
		goto cleanup;
	l->pages = np;
	np = &l->pages[l->n_pages++];
	np->id = id;
	np->gen = gen;
	np->lexed = n.lexed;
	np->first_annot = l->n_annots;
	rc = add_annots(r, &n);
	np->n_annots = l->n_annots - np->first_annot;
cleanup:
	free(kids);
	node_free(&n);
	return rc;
}

static void reader_free(reader *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n_stm; i++) {
		free(r->stm[i].data);
		free(r->stm[i].pairs);
	}
	es_pdf_val_free(&r->root);
	es_pdf_objs_free(r->ix);
	free(r->seen);
	free(r->annot_w);
	free(r->annot_nw);
	free(r);
}

int es_pdf_page_list_read(qpdf_data q, const unsigned char *buf, size_t len, const es_pdf_xref *x,
			  es_pdf_page_list *out)
{
	reader *r;
	qpdf_oh root, pages;
	int rc = -1, id, gen;

	memset(out, 0, sizeof(*out));
	/* (an encrypted or hybrid file has no index: given up) */
	if (x == NULL || (r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	/* (a chain QPDF warns about may be read by QPDF otherwise than by us: there QPDF reads each object) */
	r->lex_file = buf != NULL && x->qpdf_warning == NULL;
	/* (a damaged entry: QPDF's pages would depend on the order it meets objects in, ours on the chain; QPDF, whose
	 * reading the checks compare with, lists them alone) */
	if ((r->ix = es_pdf_objs_new(buf, buf != NULL ? len : 0, x)) == NULL) {
		reader_free(r);
		return -1;
	}
	out->headers_read = buf != NULL;
	if ((out->damaged = es_pdf_objs_damaged(r->ix)) != 0) {
		reader_free(r);
		return -1;
	}
	r->limit = x->limit;
	r->x = x;
	r->q = q;
	r->out = out;
	out->rd = r;
	/* (the catalog by our lexer: QPDF would parse the whole object stream it may sit in) */
	switch (es_pdf_catalog_ref(out, "/Pages", &id, &gen)) {
	case 1:
		rc = visit(r, id, gen, 0, 1);
		break;
	case 0:
		break; /* (no tree: QPDF's list would be empty or refused; QPDF says which) */
	default:
		root = qpdf_get_root(q);
		pages = qpdf_oh_get_key(q, root, "/Pages");
		if (qpdf_oh_is_indirect(q, pages))
			rc = visit(r, qpdf_oh_get_object_id(q, pages), qpdf_oh_get_generation(q, pages), 0, 1);
	}
	free(r->seen);
	free(r->annot_w);
	free(r->annot_nw);
	r->seen = r->annot_w = r->annot_nw = NULL;
	r->n_seen = r->cap_seen = r->n_annot_w = r->cap_annot_w = r->n_annot_nw = r->cap_annot_nw = 0;
	r->out = NULL;
	/* (QPDF's warnings stay pending: the duplicated-key check takes those of the objects it resolved) */
	if (rc == 0 && qpdf_has_error(q))
		rc = -1;
	if (rc != 0) {
		es_pdf_page_list_free(out);
		out->headers_read = buf != NULL; /* (and found none damaged) */
	}
	return rc;
}

struct es_pdf_objs *es_pdf_page_list_objs(const es_pdf_page_list *pl)
{
	return pl->rd != NULL && pl->rd->lex_file ? pl->rd->ix : NULL;
}

const es_pdf_val *es_pdf_page_list_root(const es_pdf_page_list *pl)
{
	reader *r = pl->rd;
	es_pdf_val tr;
	int rc;

	if (r == NULL || !r->lex_file)
		return NULL;
	if (r->root_read == 0) {
		r->root_read = -1;
		if (es_pdf_objs_trailer(r->ix, &tr) != 0)
			return NULL;
		rc = es_pdf_val_key(r->ix, &tr, "/Root", 1, &r->root, NULL, NULL);
		es_pdf_val_free(&tr);
		/* (a /Root that is no dictionary: QPDF refuses the file, and says so) */
		if (rc == 0 && r->root.v.type == ES_VAL_DICT)
			r->root_read = 1;
		else
			es_pdf_val_free(&r->root);
	}
	return r->root_read == 1 ? &r->root : NULL;
}

int es_pdf_rect_value(qpdf_data q, qpdf_oh a, double out[4])
{
	double t;
	int i;

	if (!qpdf_oh_is_array(q, a) || qpdf_oh_get_array_n_items(q, a) != 4)
		return 0;
	for (i = 0; i < 4; i++) {
		qpdf_oh n = qpdf_oh_get_array_item(q, a, i);
		int is_number = qpdf_oh_is_number(q, n);

		if (is_number)
			out[i] = qpdf_oh_get_numeric_value(q, n);
		qpdf_oh_release(q, n);
		if (!is_number)
			return 0;
	}
	if (out[0] > out[2]) {
		t = out[0];
		out[0] = out[2];
		out[2] = t;
	}
	if (out[1] > out[3]) {
		t = out[1];
		out[1] = out[3];
		out[3] = t;
	}
	return 1;
}

/* The rectangle key gives the page (id, gen) or the first node up its /Parent chain that has key, as QPDF's lookups
 * find it (at most depth nodes): 1, 0 none, -1 ask QPDF. */
static int inherited_rect(reader *r, int id, int gen, const char *key, double out[4])
{
	node n;
	const es_dict_entry *e;
	qpdf_oh oh, p;
	int depth, rc = 0;

	if (node_read(r, id, gen, &n) != 0)
		return -1;
	for (depth = 0; depth < PAGES_MAX_DEPTH; depth++) {
		if (!n.lexed) {
			oh = n.oh;
			if (qpdf_oh_has_key(r->q, oh, key))
				return es_pdf_rect_value(r->q, qpdf_oh_get_key(r->q, oh, key), out);
			p = qpdf_oh_get_key(r->q, oh, "/Parent");
			/* (asked before anything resolves it: an indirect parent may sit in an object stream) */
			if (qpdf_oh_is_indirect(r->q, p)) {
				if (node_read(r, qpdf_oh_get_object_id(r->q, p), qpdf_oh_get_generation(r->q, p), &n) !=
				    0)
					return -1;
				continue;
			}
			if (!qpdf_oh_is_dictionary(r->q, p))
				return 0;
			n.oh = p; /* (a direct parent: QPDF has parsed it with its child) */
			continue;
		}
		e = es_dict_get(&n.d, key, NULL);
		if (e != NULL && e->type == ES_VAL_REF) {
			rc = -1; /* (perhaps a reference to null: QPDF tells) */
			break;
		}
		if (e != NULL && e->type != ES_VAL_NULL) {
			rc = es_pdf_val_rect(n.p, e, out);
			break;
		}
		e = es_dict_get(&n.d, "/Parent", NULL);
		if (e == NULL || e->type == ES_VAL_NULL) {
			rc = 0;
			break;
		}
		if (e->type != ES_VAL_REF || e->num <= 0 || e->num > 0x7fffffff || e->gen < 0 || e->gen > 0xffff) {
			rc = -1;
			break;
		}
		id = (int)e->num;
		gen = (int)e->gen;
		node_free(&n);
		if (node_read(r, id, gen, &n) != 0)
			return -1;
	}
	node_free(&n);
	return depth == PAGES_MAX_DEPTH ? 0 : rc;
}

int es_pdf_page_list_box(const es_pdf_page_list *pl, qpdf_data q, size_t page, double box[4])
{
	int rc;

	if (pl->rd == NULL || page >= pl->n_pages)
		return -1;
	pl->rd->q = q;
	rc = inherited_rect(pl->rd, pl->pages[page].id, pl->pages[page].gen, "/CropBox", box);
	if (rc == 0)
		rc = inherited_rect(pl->rd, pl->pages[page].id, pl->pages[page].gen, "/MediaBox", box);
	return rc;
}

void es_pdf_page_list_free(es_pdf_page_list *l)
{
	free(l->pages);
	free(l->annots);
	reader_free(l->rd);
	memset(l, 0, sizeof(*l));
}
