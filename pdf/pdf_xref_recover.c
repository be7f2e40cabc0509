/* pdf/pdf_xref_recover.c: a file whose cross-reference chain stops before its first revision (an update written with
 * /Prev 0 or without /Prev) read on through the startxref markers of its earlier revisions, as readers rebuild it. */
#include "pdf_lex.h"
#include "pdf_xref.h"
#include "eseal/error.h"
#include "core/error_internal.h"
#include "core/input_release.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Chains read (each a pass over a prefix of the file, and the verifier opens every signed revision): a producer
 * writing /Prev 0 in each update breaks the chain once per revision. */
#define MAX_SEGMENTS 64

typedef struct {
	long long xref; /* the startxref value */
	size_t eof_end; /* just past its "%%EOF" */
} marker;

typedef struct {
	unsigned int num, gen;
	unsigned char type;
	long long f1;
	size_t order; /* reading order: the first read defines the object */
} entry;

typedef struct {
	marker *m;
	size_t n_m;
	entry *e;
	size_t n_e, cap_e;
	long long *starts; /* sections read so far */
	size_t n_starts, cap_starts;
} recover;

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0;
}

#define SEARCH_WINDOW ((size_t)1 << 20)

/* memmem over [p, end) one window at a time, each window's pages given back once searched (es_input_release): the
 * search passes over the whole file, which need not stay in memory for it. */
/* memmem, by memchr on the needle's first byte: in a PDF's compressed streams that byte is as rare as any, and
 * memchr skips such data several times faster than glibc's memmem (a tenth of verifying a 36-page file in a batch). */
static const unsigned char *find_bytes(const unsigned char *p, size_t w, const char *needle, size_t n)
{
	const unsigned char *q = p, *last = p + w - n;

	if (w < n || n == 0)
		return n == 0 ? p : NULL;
	while (q <= last && (q = memchr(q, (unsigned char)needle[0], (size_t)(last - q) + 1)) != NULL) {
		if (memcmp(q, needle, n) == 0)
			return q;
		q++;
	}
	return NULL;
}

static const unsigned char *find_released(const unsigned char *p, const unsigned char *end, const char *needle)
{
	size_t n = strlen(needle), w;
	const unsigned char *hit;

	while ((size_t)(end - p) >= n) {
		w = (size_t)(end - p) > SEARCH_WINDOW + n ? SEARCH_WINDOW + n - 1 : (size_t)(end - p);
		if ((hit = find_bytes(p, w, needle, n)) != NULL)
			return hit;
		es_input_release(p, w - (n - 1));
		p += w - (n - 1); /* the windows overlap by n - 1 bytes: no match is cut in two */
	}
	return NULL;
}

/* Every "startxref N %%EOF" in the file, in file order. */
static int find_markers(const unsigned char *buf, size_t len, recover *r)
{
	const unsigned char *p = buf, *end = buf + len, *hit;
	size_t cap = 0, i;
	long long v;
	marker *nm;

	while ((hit = find_released(p, end, "startxref")) != NULL) {
		i = (size_t)(hit - buf) + 9;
		p = hit + 9;
		while (i < len && is_space(buf[i]))
			i++;
		for (v = 0; i < len && buf[i] >= '0' && buf[i] <= '9' && v < (1LL << 50); i++)
			v = v * 10 + (buf[i] - '0');
		while (i < len && is_space(buf[i]))
			i++;
		if (i + 5 > len || memcmp(buf + i, "%%EOF", 5) != 0)
			continue;
		if (r->n_m == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nm = realloc(r->m, cap * sizeof(*nm))) == NULL)
				return -1;
			r->m = nm;
		}
		r->m[r->n_m].xref = v;
		r->m[r->n_m++].eof_end = i + 5;
	}
	return 0;
}

static int add_start(recover *r, long long start)
{
	long long *ns;

	if (r->n_starts == r->cap_starts) {
		r->cap_starts = r->cap_starts ? r->cap_starts * 2 : 64;
		if ((ns = realloc(r->starts, r->cap_starts * sizeof(*ns))) == NULL)
			return -1;
		r->starts = ns;
	}
	r->starts[r->n_starts++] = start;
	return 0;
}

static int was_read(const recover *r, long long start)
{
	size_t i;

	for (i = 0; i < r->n_starts; i++)
		if (r->starts[i] == start)
			return 1;
	return 0;
}

/* The entries of one chain, after those read before (which win), and its sections; *tail: where the last section
 * read starts (the one whose /Prev ended the chain). */
static int add_chain(recover *r, const es_pdf_xref *x, long long *tail)
{
	size_t i;
	entry *ne;

	*tail = -1;
	for (i = 0; i < x->n_sections; i++) {
		if (add_start(r, x->sections[i].start) < 0)
			return -1;
		if (!x->sections[i].hybrid)
			*tail = x->sections[i].start;
	}
	for (i = 0; i < x->n_objects; i++) {
		if (r->n_e == r->cap_e) {
			r->cap_e = r->cap_e ? r->cap_e * 2 : 1024;
			if ((ne = realloc(r->e, r->cap_e * sizeof(*ne))) == NULL)
				return -1;
			r->e = ne;
		}
		ne = &r->e[r->n_e];
		ne->num = x->objects[i].num;
		ne->gen = x->objects[i].gen;
		ne->type = x->objects[i].type;
		ne->f1 = x->objects[i].offset;
		ne->order = r->n_e++;
	}
	return 0;
}

static int by_num_then_order(const void *a, const void *b)
{
	const entry *x = a, *y = b;

	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/* Sorted by number, the first read of each kept. */
static void merge(recover *r)
{
	size_t i, k = 0;

	qsort(r->e, r->n_e, sizeof(*r->e), by_num_then_order);
	for (i = 0; i < r->n_e; i++)
		if (k == 0 || r->e[k - 1].num != r->e[i].num)
			r->e[k++] = r->e[i];
	r->n_e = k;
}

static const entry *find(const recover *r, unsigned int num)
{
	size_t lo = 0, hi = r->n_e, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (r->e[mid].num == num)
			return &r->e[mid];
		if (r->e[mid].num < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A reader rebuilding the file takes, for each object, its last "N G obj" at the start of a line: the recovered
 * sections must name that one, else the document we read is not the one it shows. */
static int rebuilt_differs(const unsigned char *buf, size_t len, const recover *r, char *note, size_t note_len)
{
	size_t i = 0, j, head, at;
	long long num, gen;
	const entry *e;

	while (i < len) {
		j = i;
		while (j < len && (buf[j] == ' ' || buf[j] == '\t'))
			j++;
		head = j;
		for (num = 0; j < len && buf[j] >= '0' && buf[j] <= '9' && num <= UINT32_MAX; j++)
			num = num * 10 + (buf[j] - '0');
		if (j > i && buf[j - 1] >= '0' && buf[j - 1] <= '9' && j < len && buf[j] == ' ') {
			while (j < len && buf[j] == ' ')
				j++;
			for (gen = -1; j < len && buf[j] >= '0' && buf[j] <= '9' && gen < 100000; j++)
				gen = (gen < 0 ? 0 : gen * 10) + (buf[j] - '0');
			while (j < len && buf[j] == ' ')
				j++;
			if (gen >= 0 && num <= UINT32_MAX && j + 3 <= len && memcmp(buf + j, "obj", 3) == 0 &&
			    (j + 3 == len ||
			     !((buf[j + 3] >= 'a' && buf[j + 3] <= 'z') || (buf[j + 3] >= 'A' && buf[j + 3] <= 'Z')))) {
				e = find(r, (unsigned int)num);
				/* (an offset may point at white space before the header: readers skip it) */
				for (at = e != NULL && e->type == 1 && e->f1 >= 0 ? (size_t)e->f1 : 0;
				     e != NULL && at < head && is_space(buf[at]);)
					at++;
				if (e == NULL || (e->type == 1 && at < head)) {
					snprintf(
						note, note_len,
						"object %lld is defined at offset %zu, where no cross-reference section "
						"puts it: a reader rebuilding the file reads it from there",
						num, head);
					return 1;
				}
			}
		}
		while (i < len && buf[i] != '\n' && buf[i] != '\r')
			i++;
		while (i < len && (buf[i] == '\n' || buf[i] == '\r'))
			i++;
	}
	return 0;
}

/* The copy: buf, then one cross-reference stream holding every recovered entry, with the final trailer's keys. */
static unsigned char *append_section(const unsigned char *buf, size_t len, const es_pdf_xref *head, recover *r,
				     size_t *out_len)
{
	static const char *const keys[] = {"/Root", "/Info", "/ID", "/Encrypt"};
	const es_pdf_xref_section *s = &head->sections[0];
	es_lex lx;
	es_dict d = {0};
	const es_dict_entry *de;
	char why[160], *dict = NULL;
	unsigned char *out = NULL, *row;
	size_t i, k, runs = 0, dlen = 0, data_len, pos, cap;
	unsigned int self = r->n_e ? r->e[r->n_e - 1].num + 1 : 1;
	int n;

	es_lex_init(&lx, buf, (size_t)s->trailer_end, (size_t)s->trailer_start);
	if (es_lex_dict(&lx, &d, why, sizeof(why)) != 0)
		return NULL;
	for (i = 0; i < r->n_e; i++)
		runs += i == 0 || r->e[i].num != r->e[i - 1].num + 1;
	/* the stream itself is one more entry, after the last */
	cap = 256 + (runs + 1) * 24 + (size_t)(s->trailer_end - s->trailer_start);
	if ((dict = malloc(cap)) == NULL)
		goto fail;
	dlen = (size_t)snprintf(dict, cap, "<< /Type /XRef /Size %u /W [1 8 4] /Length %zu /Index [", self + 1,
				(r->n_e + 1) * 13);
	for (i = 0; i < r->n_e; i = k) {
		for (k = i + 1; k < r->n_e && r->e[k].num == r->e[k - 1].num + 1;)
			k++;
		dlen += (size_t)snprintf(dict + dlen, cap - dlen, "%u %zu ", r->e[i].num, k - i);
	}
	dlen += (size_t)snprintf(dict + dlen, cap - dlen, "%u 1]", self);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		de = es_dict_get(&d, keys[i], &n);
		if (de == NULL)
			continue;
		dlen += (size_t)snprintf(dict + dlen, cap - dlen, " %s %.*s", keys[i], (int)(de->end - de->start),
					 (const char *)buf + de->start);
	}
	dlen += (size_t)snprintf(dict + dlen, cap - dlen, " >>");
	data_len = (r->n_e + 1) * 13;
	*out_len = len + 64 + dlen + data_len + 64;
	if ((out = malloc(*out_len)) == NULL)
		goto fail;
	memcpy(out, buf, len);
	pos = len + (size_t)sprintf((char *)out + len, "\n%u 0 obj\n", self);
	memcpy(out + pos, dict, dlen);
	pos += dlen;
	pos += (size_t)sprintf((char *)out + pos, "\nstream\n");
	for (i = 0; i <= r->n_e; i++) {
		unsigned long long f1 = i < r->n_e ? (unsigned long long)r->e[i].f1 : (unsigned long long)len + 1;
		unsigned long f2 = i < r->n_e ? (r->e[i].type == 0 ? 0 : r->e[i].gen) : 0;

		row = out + pos;
		row[0] = i < r->n_e ? r->e[i].type : 1;
		for (k = 0; k < 8; k++)
			row[1 + k] = (unsigned char)(f1 >> (8 * (7 - k)));
		for (k = 0; k < 4; k++)
			row[9 + k] = (unsigned char)(f2 >> (8 * (3 - k)));
		pos += 13;
	}
	pos += (size_t)sprintf((char *)out + pos, "\nendstream\nendobj\nstartxref\n%zu\n%%%%EOF\n", len + 1);
	*out_len = pos;
	free(dict);
	es_dict_free(&d);
	return out;
fail:
	free(dict);
	free(out);
	es_dict_free(&d);
	return NULL;
}

int es_pdf_xref_recover(const unsigned char *buf, size_t len, const es_pdf_xref *chain, unsigned char **out,
			size_t *out_len, char *note, size_t note_len)
{
	recover r;
	es_pdf_xref *own = NULL, *x = NULL;
	const es_pdf_xref *head = chain;
	char why[256], breaks[160] = "";
	long long tail;
	size_t i, n_segments = 1, defined, gained;
	int rc = 0, best, too_many = 0;

	memset(&r, 0, sizeof(r));
	*out = NULL;
	*out_len = 0;
	note[0] = '\0';
	if (find_markers(buf, len, &r) < 0)
		goto oom;
	if (r.n_m < 2)
		goto cleanup; /* one revision: nothing before it to recover */
	if (head == NULL) {
		if (es_pdf_xref_scan(buf, -1, len, &own, why, sizeof(why)) != ESEAL_OK)
			goto cleanup; /* the ordinary open says why */
		head = own;
	}
	if (add_chain(&r, head, &tail) < 0)
		goto oom;
	defined = head->n_objects;
	while (tail >= 0) {
		/* the latest revision that ends before the section that stopped the chain, not yet read */
		for (best = -1, i = 0; i < r.n_m; i++)
			if (r.m[i].eof_end <= (size_t)tail && r.m[i].xref > 0 && !was_read(&r, r.m[i].xref))
				best = (int)i;
		if (best < 0)
			break;
		if (n_segments == MAX_SEGMENTS) {
			snprintf(note, note_len,
				 "the cross-reference chain breaks (/Prev 0 or none) more than %d times "
				 "before the file's first revision: the revisions before were not read",
				 MAX_SEGMENTS - 1);
			too_many = 1;
			break;
		}
		if (es_pdf_xref_scan(buf, -1, r.m[best].eof_end, &x, why, sizeof(why)) != ESEAL_OK)
			break; /* that revision is no readable file of its own: nothing to recover from it */
		if (n_segments == 1)
			snprintf(breaks, sizeof(breaks), "%lld", tail);
		if (add_chain(&r, x, &tail) < 0)
			goto oom;
		es_pdf_xref_free(x);
		x = NULL;
		n_segments++;
	}
	if (n_segments == 1) {
		note[0] = '\0';
		goto cleanup;
	}
	merge(&r);
	/* Earlier sections that add nothing (a producer writing a complete table each time) change nothing read. */
	for (gained = 0, i = 0; i < r.n_e; i++)
		gained += r.e[i].order >= defined && r.e[i].type != 0;
	if (gained == 0 && !too_many) {
		note[0] = '\0';
		goto cleanup;
	}
	if ((*out = append_section(buf, len, head, &r, out_len)) == NULL)
		goto oom;
	if (too_many || rebuilt_differs(buf, len, &r, note, note_len)) {
		rc = 2;
		goto cleanup;
	}
	snprintf(note, note_len,
		 "the cross-reference chain from the last startxref stops at the section at offset %s (/Prev 0 or "
		 "none), short of the file's earlier revisions: they were read on from their startxref markers, as a "
		 "reader rebuilding the file reads them",
		 breaks);
	rc = 1;
	goto cleanup;
oom:
	rc = -1;
cleanup:
	es_pdf_xref_free(own);
	es_pdf_xref_free(x);
	free(r.m);
	free(r.e);
	free(r.starts);
	return rc;
}
