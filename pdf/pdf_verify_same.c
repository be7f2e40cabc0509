/* pdf/pdf_verify_same.c: what the revision comparison need not read: an object that the signed revision and the final
 * file both read from the same signed bytes (the same cross-reference entry in both chains, the object whole inside
 * those bytes) is the same object, so only the objects an update changed cost time and memory. */
#include "pdf_verify_internal.h"
#include "pdf_xref_internal.h"
#include "core/input_release.h"

#include <stdlib.h>
#include <string.h>

#define MAX_NUM 2000000 /* object numbers indexed (the comparison's own bound) */

struct es_pdf_same {
	const unsigned char *buf;
	size_t rev_end;
	es_pdf_xref *o, *f; /* the chains of the signed revision and of the final file */
	int *io, *iff;      /* object number -> the entry a reader takes (-1: none, -2: two in one section) */
	size_t n;
};

/* The entry a reader takes for each number: the first in reading order, as QPDF keeps it. */
static int *index_entries(const es_pdf_xref *x, size_t n)
{
	int *ix = malloc(n * sizeof(*ix));
	size_t s, i;

	if (ix == NULL)
		return NULL;
	memset(ix, 0xff, n * sizeof(*ix)); /* -1 */
	for (s = 0; s < x->n_sections; s++)
		for (i = x->sections[s].first; i < x->sections[s].first + x->sections[s].n; i++) {
			unsigned int num = x->objects[i].num;

			if (num >= n)
				continue;
			if (ix[num] == -1)
				ix[num] = (int)i;
			else if (ix[num] >= 0 && (size_t)ix[num] >= x->sections[s].first)
				ix[num] = -2; /* defined twice in one section: leave it to the full comparison */
		}
	return ix;
}

/* Only plain chains: no encryption (the data are decrypted with keys the revisions may not share) and no hybrid
 * file (whose table and stream entries QPDF merges by rules of its own); es_pdf_same_new also wants chains QPDF
 * reads without a warning, where it may take other entries than ours. */
static int plain(const es_pdf_xref *x)
{
	size_t s;

	if (x->encrypted)
		return 0;
	for (s = 0; s < x->n_sections; s++)
		if (x->sections[s].hybrid || x->sections[s].xref_stm >= 0)
			return 0;
	return 1;
}

es_pdf_same *es_pdf_same_new(const unsigned char *buf, size_t len, size_t rev_end)
{
	es_pdf_same *s = calloc(1, sizeof(*s));
	char why[256];
	size_t i;

	if (s == NULL)
		return NULL;
	s->buf = buf;
	s->rev_end = rev_end;
	if (rev_end > len || es_pdf_xref_scan(buf, -1, rev_end, &s->o, why, sizeof(why)) != ESEAL_OK ||
	    es_pdf_xref_scan(buf, -1, len, &s->f, why, sizeof(why)) != ESEAL_OK || !plain(s->o) || !plain(s->f) ||
	    s->o->qpdf_warning != NULL || s->f->qpdf_warning != NULL)
		goto fail;
	for (i = 0; i < s->o->n_objects; i++)
		if (s->o->objects[i].num >= s->n && s->o->objects[i].num < MAX_NUM)
			s->n = s->o->objects[i].num + 1;
	if (s->n == 0 || (s->io = index_entries(s->o, s->n)) == NULL || (s->iff = index_entries(s->f, s->n)) == NULL)
		goto fail;
	return s;
fail:
	es_pdf_same_free(s);
	return NULL;
}

void es_pdf_same_free(es_pdf_same *s)
{
	if (s == NULL)
		return;
	es_pdf_xref_free(s->o);
	es_pdf_xref_free(s->f);
	free(s->io);
	free(s->iff);
	free(s);
}

/* The entries both readers take for id: 1 when they are the same entry (type, offset or object stream, generation
 * or index), with *e the signed revision's. */
static int same_entry(const es_pdf_same *s, int id, const es_pdf_xref_object **e)
{
	const es_pdf_xref_object *eo, *ef;

	if (id <= 0 || (size_t)id >= s->n || s->io[id] < 0 || s->iff[id] < 0)
		return 0;
	eo = &s->o->objects[s->io[id]];
	ef = &s->f->objects[s->iff[id]];
	*e = eo;
	return eo->type == ef->type && eo->offset == ef->offset && eo->gen == ef->gen;
}

/* Gives back the file pages [from, to) of the signed bytes mapped (a big file's objects lie megabytes apart). */
static void release(const es_pdf_same *s, size_t from, size_t to)
{
	if (from < to && to <= s->rev_end)
		es_input_release_spot(s->buf + from, to - from);
}

/* "id gen obj" at offset, inside the signed bytes: the lexer after it in *lx, 0; or -1. */
static int object_header(const es_pdf_same *s, int id, unsigned int gen, long long offset, es_lex *lx)
{
	es_tok t;

	if (offset < 0 || (size_t)offset >= s->rev_end)
		return -1;
	es_lex_init(lx, s->buf, s->rev_end, (size_t)offset);
	if (es_lex_next(lx, &t) != ES_TOK_INT || t.ival != id || es_lex_next(lx, &t) != ES_TOK_INT ||
	    t.ival != (long long)gen || es_lex_next(lx, &t) != ES_TOK_WORD || strcmp(t.text, "obj") != 0)
		return -1;
	return 0;
}

/* The stream whose dictionary starts at lx (after its "id gen obj", at offset): 1 when its data, length bytes of
 * them (length < 0: the dictionary's direct /Length, given once), end inside the signed bytes where white space and
 * a whole "endstream" token follow, as QPDF reads it; *after: just past that token. The data are not read: both
 * readers skip them by the same length. */
static int data_end_at_endstream(const es_pdf_same *s, es_lex *lx, long long offset, long long length, size_t *after)
{
	const es_dict_entry *len;
	es_dict d = {0};
	es_tok t;
	char why[128];
	size_t start, end;
	int count = 0, ok = 0;

	if (es_lex_dict(lx, &d, why, sizeof(why)) != 0 || es_lex_next(lx, &t) != ES_TOK_WORD ||
	    strcmp(t.text, "stream") != 0)
		goto done;
	if (length < 0) {
		len = es_dict_get(&d, "/Length", &count);
		if (len == NULL || count != 1 || len->type != ES_VAL_INT || len->num < 0)
			goto done;
		length = len->num;
	}
	start = es_xref_data_start(lx, t.end);
	release(s, (size_t)offset, lx->pos);
	if (start > s->rev_end || (unsigned long long)length > s->rev_end - start)
		goto done;
	end = start + (size_t)length;
	while (end < s->rev_end && es_lex_is_space(s->buf[end]))
		end++;
	es_lex_init(lx, s->buf, s->rev_end, end);
	ok = es_lex_next(lx, &t) == ES_TOK_WORD && t.start == end && strcmp(t.text, "endstream") == 0;
	*after = lx->pos;
	/* Forty 5 MB drawings kept 40 MB of the file mapped through these few bytes each. */
	es_input_release_spot(s->buf + (end < s->rev_end ? end : s->rev_end - 1), 1);
done:
	es_dict_free(&d);
	return ok;
}

int es_pdf_same_stream(const es_pdf_same *s, int id, int gen, long long length)
{
	const es_pdf_xref_object *e;
	es_lex lx;
	size_t after;

	if (s == NULL || length < 0 || gen < 0 || !same_entry(s, id, &e) || e->type != 1 ||
	    e->gen != (unsigned int)gen || object_header(s, id, e->gen, e->offset, &lx) != 0)
		return 0;
	return data_end_at_endstream(s, &lx, e->offset, length, &after);
}

/* 1 when the type-1 object id at offset reads, as QPDF reads it, from the signed bytes alone: "id gen obj", a value
 * (for a stream, its data as data_end_at_endstream finds them by a direct /Length), then "endobj", all before
 * rev_end (with a byte after it, so that no reader sees the token go on). stream: it must be a stream. */
static int read_inside(const es_pdf_same *s, int id, long long offset, unsigned int gen, int stream)
{
	es_lex lx;
	es_tok t;
	es_dict_entry v;
	char why[128];
	size_t start, after;
	int ok = 0;

	if (object_header(s, id, gen, offset, &lx) != 0)
		return 0;
	start = lx.pos;
	if (es_lex_value(&lx, &v, why, sizeof(why)) != 0 || es_lex_next(&lx, &t) != ES_TOK_WORD)
		goto done;
	if (strcmp(t.text, "stream") != 0) {
		ok = !stream && strcmp(t.text, "endobj") == 0 && t.end < s->rev_end;
		goto done;
	}
	es_lex_init(&lx, s->buf, s->rev_end, start);
	if (v.type != ES_VAL_DICT || !data_end_at_endstream(s, &lx, offset, -1, &after))
		goto done;
	es_lex_init(&lx, s->buf, s->rev_end, after);
	ok = es_lex_next(&lx, &t) == ES_TOK_WORD && strcmp(t.text, "endobj") == 0 && t.end < s->rev_end;
	offset = (long long)after;
done:
	release(s, (size_t)offset, lx.pos);
	return ok;
}

int es_pdf_same_object(const es_pdf_same *s, int id, int gen)
{
	const es_pdf_xref_object *e, *stm;

	if (s == NULL || gen < 0 || !same_entry(s, id, &e))
		return 0;
	if (e->type == 1)
		return e->gen == (unsigned int)gen && read_inside(s, id, e->offset, e->gen, 0);
	/* In an object stream: the same index of the same stream, and that stream read from the same bytes. */
	if (e->type != 2 || gen != 0 || e->offset <= 0 || e->offset > 0x7fffffffLL ||
	    !same_entry(s, (int)e->offset, &stm) || stm->type != 1 || stm->gen != 0)
		return 0;
	return read_inside(s, (int)e->offset, stm->offset, 0, 1);
}
