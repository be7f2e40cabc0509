/* pdf/pdf_verify_same.c: stream data the revision comparison need not read: a stream that the signed revision and the
 * final file both read from the same bytes of the file (the same cross-reference entry in both chains, its data and
 * "endstream" inside the signed bytes) is the same stream, however large, so only the changed objects cost memory. */
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
 * file (whose table and stream entries QPDF merges by rules of its own). */
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
	    es_pdf_xref_scan(buf, -1, len, &s->f, why, sizeof(why)) != ESEAL_OK || !plain(s->o) || !plain(s->f))
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

int es_pdf_same_stream(const es_pdf_same *s, int id, int gen, long long length)
{
	const es_pdf_xref_object *eo, *ef;
	es_lex lx;
	es_tok t;
	es_dict d = {0};
	char why[128];
	size_t start, end;
	int ok;

	if (s == NULL || id <= 0 || (size_t)id >= s->n || s->io[id] < 0 || s->iff[id] < 0 || length < 0)
		return 0;
	eo = &s->o->objects[s->io[id]];
	ef = &s->f->objects[s->iff[id]];
	if (eo->type != 1 || ef->type != 1 || eo->offset != ef->offset || eo->gen != (unsigned int)gen ||
	    ef->gen != (unsigned int)gen || eo->offset < 0 || (size_t)eo->offset >= s->rev_end)
		return 0;
	/* "id gen obj << ... >> stream": where the data start, read from the signed bytes as QPDF reads them */
	es_lex_init(&lx, s->buf, s->rev_end, (size_t)eo->offset);
	if (es_lex_next(&lx, &t) != ES_TOK_INT || t.ival != id || es_lex_next(&lx, &t) != ES_TOK_INT ||
	    t.ival != gen || es_lex_next(&lx, &t) != ES_TOK_WORD || strcmp(t.text, "obj") != 0 ||
	    es_lex_dict(&lx, &d, why, sizeof(why)) != 0)
		return 0;
	es_dict_free(&d);
	if (es_lex_next(&lx, &t) != ES_TOK_WORD || strcmp(t.text, "stream") != 0)
		return 0;
	es_input_release_spot(s->buf + eo->offset, t.end - (size_t)eo->offset);
	start = es_xref_data_start(&lx, t.end);
	if ((size_t)length > s->rev_end - start)
		return 0;
	end = start + (size_t)length;
	while (end < s->rev_end && es_lex_is_space(s->buf[end]))
		end++;
	ok = s->rev_end - end >= 9 && memcmp(s->buf + end, "endstream", 9) == 0;
	/* Forty 5 MB drawings kept 40 MB of the file mapped through these nine bytes each. */
	es_input_release_spot(s->buf + (end < s->rev_end ? end : s->rev_end - 1), 1);
	return ok;
}
