/* pdf/pdf_walk.c: the verifier's one walk over what a reader of a PDF can meet (every indirect object reachable from
 * the trailer, once per number and generation, within a budget), and the duplicated-key warnings QPDF gives on the way.
 *
 * QPDF parses objects lazily and reports a dictionary that names a key twice, or a token out of place, only as a
 * warning, the first time it parses that object, and reads it by a guess (the last value of a key; null for the
 * stray token). Other readers guess otherwise (Poppler keeps the first value once a dictionary has 32 entries or
 * more), so such an object shows one reader one document and another reader another. The walk drains QPDF's
 * warnings after every object it resolves, so none of them is lost between two lookups. */
#include "pdf_verify_internal.h"
#include "core/input_release.h"

#include <stdlib.h>
#include <string.h>

#define ES_PDF_WALK_MAX_ID 2000000

/* The first slot of key in a table of cap (a power of two) slots. The product's high half carries the object number
 * (bits 32 and up of the key), folded down: its bits 20-31 alone are the same for every key of generation 0, which
 * sent every pair to one run of slots. */
static size_t pair_slot(unsigned long long key, size_t cap)
{
	unsigned long long h = key * 0x9E3779B97F4A7C15ull;

	return (size_t)(h ^ h >> 32) & (cap - 1);
}

static unsigned long long pair_key(int id, int gen)
{
	return ((unsigned long long)(unsigned)id << 32 | (unsigned)gen) + 1;
}

int es_pdf_pair_has(const unsigned long long *set, size_t cap, int id, int gen)
{
	unsigned long long key = pair_key(id, gen);
	size_t i;

	if (cap == 0)
		return 0;
	for (i = pair_slot(key, cap); set[i] != 0; i = (i + 1) & (cap - 1))
		if (set[i] == key)
			return 1;
	return 0;
}

int es_pdf_pair_add(unsigned long long **set, size_t *n, size_t *cap, int id, int gen)
{
	unsigned long long key = pair_key(id, gen), *nk;
	size_t i, nc;

	if (2 * (*n + 1) > *cap) {
		nc = *cap ? 2 * *cap : 256;
		nk = calloc(nc, sizeof(*nk));
		if (nk == NULL)
			return -1;
		for (i = 0; i < *cap; i++) {
			size_t j = pair_slot((*set)[i], nc);

			if ((*set)[i] == 0)
				continue;
			while (nk[j] != 0)
				j = (j + 1) & (nc - 1);
			nk[j] = (*set)[i];
		}
		free(*set);
		*set = nk;
		*cap = nc;
	}
	for (i = pair_slot(key, *cap); (*set)[i] != 0; i = (i + 1) & (*cap - 1))
		if ((*set)[i] == key)
			return 0;
	(*set)[i] = key;
	(*n)++;
	return 1;
}

/* Where QPDF says the dictionary is: the "(trailer, offset 382)" or "(object 3 0, offset 125)" of its full message
 * "FILE (WHERE): DETAIL", or the byte offset alone. */
static void dup_where(qpdf_data q, qpdf_error e, const char *detail, char *out, size_t len)
{
	const char *full = qpdf_get_error_full_text(q, e), *d = full != NULL ? strstr(full, detail) : NULL, *open;

	if (d != NULL && d - full >= 4 && d[-2] == ':' && d[-3] == ')') {
		for (open = d - 3; open > full && *open != '('; open--)
			;
		if (*open == '(' && d - 3 - open < 96) {
			snprintf(out, len, "%.*s", (int)(d - 2 - open), open);
			return;
		}
	}
	snprintf(out, len, "(offset %llu)", qpdf_get_error_file_position(q, e));
}

/* QPDF's warnings that say it guessed how to read an object (QPDFParser), as the start of their detail text. */
static const char *const guess_tags[] = {
	"dictionary has duplicated key ",
	"treating unexpected ",
	"unexpected dictionary close token",
	"expected dictionary key but found non-name object",
	"dictionary ended prematurely",
	"unknown token while reading object",
	"treating unknown token type",
	"too many errors; giving up",
	"parse error while reading object",
	"ignoring excessively deeply nested data structure",
	NULL,
};

void es_pdf_take_warnings(qpdf_data q, es_pdf_guesses *guesses)
{
	char where[128];
	size_t i;

	while (qpdf_more_warnings(q)) {
		qpdf_error e = qpdf_next_warning(q);
		const char *d = e != NULL ? qpdf_get_error_message_detail(q, e) : NULL;

		for (i = 0; guesses != NULL && d != NULL && guess_tags[i] != NULL; i++)
			if (strncmp(d, guess_tags[i], strlen(guess_tags[i])) == 0)
				break;
		if (guesses == NULL || d == NULL || guess_tags[i] == NULL)
			continue;
		if (guesses->n++ > 0)
			continue;
		dup_where(q, e, d, where, sizeof(where));
		if (i == 0) /* "dictionary has duplicated key /Root; last occurrence overrides earlier ones" */
			snprintf(guesses->first, sizeof(guesses->first), "key %.*s given twice %s",
				 (int)strcspn(d + strlen(guess_tags[0]), "; "), d + strlen(guess_tags[0]), where);
		else
			snprintf(guesses->first, sizeof(guesses->first), "%.120s %s", d, where);
	}
	if (qpdf_has_error(q))
		qpdf_get_error(q);
}

/* The stack holds handles still to visit; those the walk resolved itself are released when popped. */
static int push(es_pdf_walk *w, qpdf_oh oh, int top)
{
	if (w->n_stack == w->cap_stack) {
		size_t cap = w->cap_stack ? 2 * w->cap_stack : 256;
		es_pdf_walk_item *ns = realloc(w->stack, cap * sizeof(*ns));

		if (ns == NULL)
			return -1;
		w->stack = ns;
		w->cap_stack = cap;
	}
	w->stack[w->n_stack].oh = oh;
	w->stack[w->n_stack++].top = top;
	return 0;
}

void es_pdf_walk_from(es_pdf_walk *w, qpdf_data q, qpdf_oh start)
{
	char **keys;
	size_t nk = 0, i;
	int id, gen, k, m, added, top;
	qpdf_oh oh, d;

	if (push(w, start, 1) != 0) {
		w->oom = 1;
		return;
	}
	while (w->n_stack > 0) {
		oh = w->stack[--w->n_stack].oh;
		top = w->stack[w->n_stack].top;
		id = qpdf_oh_get_object_id(q, oh);
		if (--w->budget < 0)
			goto next;
		if (id != 0) {
			gen = qpdf_oh_get_generation(q, oh);
			if (id < 0 || id >= ES_PDF_WALK_MAX_ID) {
				w->too_big = id;
				goto next;
			}
			added = es_pdf_pair_add(&w->done, &w->n_done, &w->cap_done, id, gen);
			if (added < 0)
				w->oom = 1;
			if (added <= 0)
				goto next;
			if (w->visit != NULL)
				w->visit(w->ctx, id, gen);
			/* Resolving a stream makes QPDF check the "endstream" after its data, which maps a large folio of a
			 * big file each time: forty 5 MB drawings kept 40 MB mapped through one walk. */
			es_input_release_turn();
			if (qpdf_oh_is_null(q, oh))
				goto next;
		}
		m = qpdf_oh_is_array(q, oh) ? qpdf_oh_get_array_n_items(q, oh) : 0;
		d = qpdf_oh_is_stream(q, oh) ? qpdf_oh_get_dict(q, oh) : oh;
		keys = es_pdf_dict_keys(q, d, &nk);
		for (k = 0; k < m && !w->oom; k++)
			if (push(w, qpdf_oh_get_array_item(q, oh, k), 0) != 0)
				w->oom = 1;
		for (i = 0; i < nk && !w->oom; i++) {
			if (w->skip != NULL && w->skip(w->ctx, id, top, keys[i]))
				continue;
			if (push(w, qpdf_oh_get_key(q, d, keys[i]), 0) != 0)
				w->oom = 1;
		}
		es_pdf_free_keys(keys, nk);
		if (d != oh)
			qpdf_oh_release(q, d);
next:
		qpdf_oh_release(q, oh);
		es_pdf_take_warnings(q, w->guesses);
	}
}

void es_pdf_walk_free(es_pdf_walk *w, qpdf_data q)
{
	while (w->n_stack > 0)
		qpdf_oh_release(q, w->stack[--w->n_stack].oh);
	free(w->stack);
	free(w->done);
	w->stack = NULL;
	w->done = NULL;
	w->cap_stack = w->cap_done = w->n_done = 0;
}

char **es_pdf_dict_keys(qpdf_data q, qpdf_oh d, size_t *n)
{
	char **keys = NULL, **nk;

	*n = 0;
	if (!qpdf_oh_is_dictionary(q, d))
		return NULL;
	qpdf_oh_begin_dict_key_iter(q, d);
	while (qpdf_oh_dict_more_keys(q)) {
		const char *k = qpdf_oh_dict_next_key(q);
		char *dup = strdup(k);

		nk = dup != NULL ? realloc(keys, (*n + 1) * sizeof(*nk)) : NULL;
		if (nk == NULL) {
			free(dup);
			break;
		}
		keys = nk;
		keys[(*n)++] = dup;
	}
	return keys;
}

void es_pdf_free_keys(char **k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(k[i]);
	free(k);
}
