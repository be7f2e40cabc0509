/* pdf/pdf_update.c: the incremental update: objects appended after the original, then a cross-reference section
 * of the same kind as the original's last one (classic table or xref stream) chained to it with /Prev. */
#include "pdf_internal.h"
#include "core/error_internal.h"

#include <stdlib.h>
#include <string.h>

void es_pdf_update_init(es_pdf_update *u, const es_pdf_doc *doc)
{
	memset(u, 0, sizeof(*u));
	u->base = doc->size;
	u->next_num = doc->trailer_size;
	u->crypt = &doc->crypt;
	/* The original may end without an end-of-line after %%EOF; objects must start on a line of their own. */
	es_buf_puts(&u->buf, "\n");
}

long long es_pdf_update_new_num(es_pdf_update *u)
{
	return u->next_num++;
}

void es_pdf_update_begin_obj(es_pdf_update *u, long long num, int gen)
{
	es_pdf_xref_entry *tmp;

	if (u->n_entries == u->cap_entries) {
		size_t cap = u->cap_entries ? u->cap_entries * 2 : 16;

		tmp = realloc(u->entries, cap * sizeof(*tmp));
		if (tmp == NULL) {
			u->buf.oom = 1;
			return;
		}
		u->entries = tmp;
		u->cap_entries = cap;
	}
	u->entries[u->n_entries].num = num;
	u->entries[u->n_entries].gen = gen;
	u->entries[u->n_entries].rel = u->buf.len;
	u->n_entries++;
	es_buf_printf(&u->buf, "%lld %d obj\n", num, gen);
}

void es_pdf_update_end_obj(es_pdf_update *u)
{
	es_buf_puts(&u->buf, "\nendobj\n");
}

void es_pdf_update_replace(es_pdf_update *u, qpdf_data q, qpdf_oh obj, const es_buf *text)
{
	es_pdf_update_begin_obj(u, qpdf_oh_get_object_id(q, obj), qpdf_oh_get_generation(q, obj));
	es_buf_append(&u->buf, text->data, text->len);
	es_pdf_update_end_obj(u);
}

void es_pdf_update_stream(es_pdf_update *u, long long num, const char *dict_body, const void *data, size_t len)
{
	unsigned char *enc = NULL;

	if (u->crypt != NULL && u->crypt->active && u->crypt->streams) {
		if (es_pdf_crypt_data(u->crypt, data, len, &enc, &len) != 0) {
			u->buf.oom = 1;
			return;
		}
		data = enc;
	}
	es_pdf_update_begin_obj(u, num, 0);
	es_buf_printf(&u->buf, "<< %s /Length %zu >>\nstream\n", dict_body, len);
	es_buf_append(&u->buf, data, len);
	es_buf_puts(&u->buf, "\nendstream");
	es_pdf_update_end_obj(u);
	free(enc);
}

static int cmp_entry(const void *a, const void *b)
{
	const es_pdf_xref_entry *x = a, *y = b;

	return x->num < y->num ? -1 : x->num > y->num;
}

/* Length of the run of consecutive object numbers starting at entries[i]. */
static size_t run_length(const es_pdf_update *u, size_t i)
{
	size_t j = i + 1;

	while (j < u->n_entries && u->entries[j].num == u->entries[j - 1].num + 1)
		j++;
	return j - i;
}

static void trailer_common(es_pdf_update *u, const es_pdf_doc *doc)
{
	es_buf_printf(&u->buf, " /Size %lld /Root %s", u->next_num, doc->root_ref);
	if (doc->info_ref != NULL)
		es_buf_printf(&u->buf, " /Info %s", doc->info_ref);
	if (doc->id != NULL) {
		es_buf_puts(&u->buf, " /ID ");
		es_buf_append(&u->buf, doc->id, doc->id_len);
	}
	if (doc->encrypt != NULL)
		es_buf_printf(&u->buf, " /Encrypt %s", doc->encrypt);
	es_buf_printf(&u->buf, " /Prev %lld", doc->startxref);
}

static void finish_table(es_pdf_update *u, const es_pdf_doc *doc)
{
	size_t i, j, n;
	unsigned long long xref_off = (unsigned long long)u->base + u->buf.len;

	es_buf_puts(&u->buf, "xref\n");
	for (i = 0; i < u->n_entries; i += n) {
		n = run_length(u, i);
		es_buf_printf(&u->buf, "%lld %zu\n", u->entries[i].num, n);
		/* Each entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, two-byte EOL. */
		for (j = i; j < i + n; j++)
			es_buf_printf(&u->buf, "%010llu %05d n\r\n", (unsigned long long)u->base + u->entries[j].rel,
				      u->entries[j].gen);
	}
	es_buf_puts(&u->buf, "trailer\n<<");
	trailer_common(u, doc);
	es_buf_printf(&u->buf, " >>\nstartxref\n%llu\n%%%%EOF\n", xref_off);
}

static void put_be(unsigned char *p, unsigned long long v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

static void finish_stream(es_pdf_update *u, const es_pdf_doc *doc)
{
	long long num = es_pdf_update_new_num(u);
	unsigned long long xref_off = (unsigned long long)u->base + u->buf.len, max_off;
	unsigned char *data = NULL;
	size_t i, n, k;
	int w = 1;

	/* The stream lists itself too, so it is entered before the entries are sorted. */
	es_pdf_update_begin_obj(u, num, 0);
	if (u->buf.oom)
		return;
	qsort(u->entries, u->n_entries, sizeof(*u->entries), cmp_entry);
	max_off = xref_off;
	while (w < 8 && (max_off >> (8 * w)) != 0)
		w++;
	data = calloc(u->n_entries, (size_t)(3 + w));
	if (data == NULL) {
		u->buf.oom = 1;
		return;
	}
	for (i = 0; i < u->n_entries; i++) {
		unsigned char *row = data + i * (size_t)(3 + w);

		row[0] = 1;
		put_be(row + 1, (unsigned long long)u->base + u->entries[i].rel, w);
		put_be(row + 1 + w, (unsigned long long)u->entries[i].gen, 2);
	}
	es_buf_puts(&u->buf, "<< /Type /XRef");
	trailer_common(u, doc);
	es_buf_puts(&u->buf, " /Index [");
	for (i = 0; i < u->n_entries; i += n) {
		n = run_length(u, i);
		es_buf_printf(&u->buf, "%s%lld %zu", i ? " " : "", u->entries[i].num, n);
	}
	k = u->n_entries * (size_t)(3 + w);
	es_buf_printf(&u->buf, "] /W [1 %d 2] /Length %zu >>\nstream\n", w, k);
	es_buf_append(&u->buf, data, k);
	es_buf_puts(&u->buf, "\nendstream");
	es_pdf_update_end_obj(u);
	es_buf_printf(&u->buf, "startxref\n%llu\n%%%%EOF\n", xref_off);
	free(data);
}

int es_pdf_update_finish(es_pdf_update *u, const es_pdf_doc *doc, eseal_error *err)
{
	size_t i;

	if (u->n_entries == 0)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: empty update", doc->path);
	qsort(u->entries, u->n_entries, sizeof(*u->entries), cmp_entry);
	/* One object in two roles the seal changes (a page that is also the catalog, one array that is both the page's
	 * /Annots and the form's /Fields) would be written twice, each copy with half the change, and readers differ on
	 * which copy of a number a cross-reference section means. */
	for (i = 0; i < u->n_entries; i++) {
		if (i > 0 && u->entries[i].num == u->entries[i - 1].num)
			return es_error_set(err, ESEAL_E_INPUT,
					    "%s: damaged PDF: object %lld plays two roles the seal must change (e.g. a "
					    "page that is also the catalog); refusing to write it twice",
					    doc->path, u->entries[i].num);
		/* ISO 32000 caps generations at 65535: a table entry has five digits, our stream entries two bytes.
		 * A larger one (QPDF reads it from a cross-reference stream) would be written as another object. */
		if (u->entries[i].gen < 0 || u->entries[i].gen > 65535)
			return es_error_set(err, ESEAL_E_INPUT,
					    "%s: damaged PDF: object %lld has generation %d (at most 65535)", doc->path,
					    u->entries[i].num, u->entries[i].gen);
	}
	if (doc->xref_stream)
		finish_stream(u, doc);
	else
		finish_table(u, doc);
	if (u->buf.oom)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", doc->path);
	return ESEAL_OK;
}

void es_pdf_update_free(es_pdf_update *u)
{
	if (u == NULL)
		return;
	es_buf_free(&u->buf);
	free(u->entries);
	u->entries = NULL;
	u->n_entries = u->cap_entries = 0;
}
