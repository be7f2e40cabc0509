/* report/visual_diff.c: what changed on the pages since a PDF seal: Poppler renders the signed revision and the
 * current file, and the pixels that differ are gathered into boxes, so an overlay that hides signed text shows. */
#include "visual_diff.h"

#include "report_internal.h"
#include "core/error_internal.h"
#include "pdf/pdf_render.h"
#include "pki/report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Pixels are compared in cells of CELL x CELL; a channel must differ by more than THRESHOLD to count (Poppler's
 * anti-aliasing of the same content is identical between two renderings, but a margin costs nothing). */
#define CELL 4
#define THRESHOLD 24
/* Changed cells closer than this many cells belong to one box: a changed paragraph is one box, not one per glyph. */
#define MERGE_GAP 3
#define MAX_BOXES 64

typedef struct {
	int x0, y0, x1, y1; /* in cells, inclusive */
} cell_box;

static int pixel_differs(uint32_t a, uint32_t b)
{
	int k, d;

	for (k = 0; k < 32; k += 8) {
		d = (int)((a >> k) & 0xff) - (int)((b >> k) & 0xff);
		if (d > THRESHOLD || d < -THRESHOLD)
			return 1;
	}
	return 0;
}

/* Marks in grid (gw x gh cells) the cells where a and b (same size) differ. */
static void diff_cells(const es_image *a, const es_image *b, unsigned char *grid, int gw, int gh)
{
	int w = a->width, h = a->height, sa = a->stride, sb = b->stride, x, y;
	const unsigned char *da = a->px, *db = b->px;

	for (y = 0; y < h; y++) {
		const uint32_t *ra = (const uint32_t *)(const void *)(da + (size_t)y * (size_t)sa);
		const uint32_t *rb = (const uint32_t *)(const void *)(db + (size_t)y * (size_t)sb);

		for (x = 0; x < w; x++)
			if (ra[x] != rb[x] && pixel_differs(ra[x], rb[x]))
				grid[(y / CELL) * gw + x / CELL] = 1;
	}
	(void)gh;
}

static int boxes_near(const cell_box *a, const cell_box *b)
{
	return a->x0 <= b->x1 + MERGE_GAP && b->x0 <= a->x1 + MERGE_GAP && a->y0 <= b->y1 + MERGE_GAP &&
	       b->y0 <= a->y1 + MERGE_GAP;
}

/* Boxes around the marked cells: each cell joins (and grows) a box it is near; boxes that come to touch are merged
 * until none are near each other. Returns how many (at most MAX_BOXES: beyond that everything is one box). */
static size_t cells_to_boxes(const unsigned char *grid, int gw, int gh, cell_box *out)
{
	size_t n = 0, i, j;
	int x, y, merged;

	for (y = 0; y < gh; y++)
		for (x = 0; x < gw; x++) {
			cell_box c = {x, y, x, y};

			if (!grid[y * gw + x])
				continue;
			for (i = 0; i < n && !boxes_near(&out[i], &c); i++)
				;
			if (i == n) {
				if (n == MAX_BOXES) {
					/* Too scattered to outline piece by piece: one box around all of it. */
					for (j = 1; j < n; j++) {
						out[0].x0 = out[j].x0 < out[0].x0 ? out[j].x0 : out[0].x0;
						out[0].y0 = out[j].y0 < out[0].y0 ? out[j].y0 : out[0].y0;
						out[0].x1 = out[j].x1 > out[0].x1 ? out[j].x1 : out[0].x1;
						out[0].y1 = out[j].y1 > out[0].y1 ? out[j].y1 : out[0].y1;
					}
					n = 1;
					i = 0;
				} else {
					out[n++] = c;
					continue;
				}
			}
			out[i].x0 = x < out[i].x0 ? x : out[i].x0;
			out[i].x1 = x > out[i].x1 ? x : out[i].x1;
			out[i].y1 = y > out[i].y1 ? y : out[i].y1;
		}
	do {
		merged = 0;
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (boxes_near(&out[i], &out[j])) {
					out[i].x0 = out[j].x0 < out[i].x0 ? out[j].x0 : out[i].x0;
					out[i].y0 = out[j].y0 < out[i].y0 ? out[j].y0 : out[i].y0;
					out[i].x1 = out[j].x1 > out[i].x1 ? out[j].x1 : out[i].x1;
					out[i].y1 = out[j].y1 > out[i].y1 ? out[j].y1 : out[i].y1;
					out[j--] = out[--n];
					merged = 1;
				}
	} while (merged);
	return n;
}

static int add_change(eseal_seal_report *s, int page, double x0, double y0, double x1, double y1)
{
	eseal_visual_change *n = realloc(s->visual_changes, (s->n_visual_changes + 1) * sizeof(*n));

	if (n == NULL)
		return -1;
	s->visual_changes = n;
	n[s->n_visual_changes].page = page;
	n[s->n_visual_changes].x0 = x0;
	n[s->n_visual_changes].y0 = y0;
	n[s->n_visual_changes].x1 = x1;
	n[s->n_visual_changes].y1 = y1;
	s->n_visual_changes++;
	return 0;
}

/* Compares one page; boxes in points from the page's lower left corner. */
static void compare_page(const es_pdf_render *signed_doc, const es_pdf_render *current, int page,
			 eseal_seal_report *s)
{
	es_image a = {0}, b = {0};
	unsigned char *grid = NULL;
	cell_box boxes[MAX_BOXES];
	eseal_error err;
	double w, h, k = 72.0 / ES_VISUAL_DPI;
	int gw, gh, iw, ih;
	size_t i, n;

	eseal_error_clear(&err);
	if (es_pdf_render_page(signed_doc, page, ES_VISUAL_DPI, &a, &err) != ESEAL_OK ||
	    es_pdf_render_page(current, page, ES_VISUAL_DPI, &b, &err) != ESEAL_OK) {
		es_seal_warn(s, "page %d could not be rendered to compare it with the signed revision: %s", page + 1,
			     err.message);
		goto cleanup;
	}
	iw = a.width;
	ih = a.height;
	es_pdf_render_page_size(current, page, &w, &h, &err);
	if (iw != b.width || ih != b.height) {
		/* A page whose size changed has changed as a whole. */
		add_change(s, page, 0, 0, w, h);
		goto cleanup;
	}
	gw = (iw + CELL - 1) / CELL;
	gh = (ih + CELL - 1) / CELL;
	if ((grid = calloc((size_t)gw * (size_t)gh, 1)) == NULL)
		goto cleanup;
	diff_cells(&a, &b, grid, gw, gh);
	n = cells_to_boxes(grid, gw, gh, boxes);
	for (i = 0; i < n; i++) {
		/* Image rows go down, PDF y goes up; a box is clipped to the page. */
		double x0 = boxes[i].x0 * CELL * k, x1 = (boxes[i].x1 + 1) * CELL * k;
		double y1 = h - boxes[i].y0 * CELL * k, y0 = h - (boxes[i].y1 + 1) * CELL * k;

		add_change(s, page, x0, y0 < 0 ? 0 : y0, x1 > w ? w : x1, y1);
	}
cleanup:
	free(grid);
	es_image_clear(&a);
	es_image_clear(&b);
}

static void compare_seal(const unsigned char *buf, size_t len, const es_pdf_render *current, eseal_seal_report *s)
{
	es_pdf_render *signed_doc = NULL;
	eseal_error err;
	double w, h;
	int n_signed, n_current, p;

	eseal_error_clear(&err);
	if (es_pdf_render_open(buf, s->signed_length, NULL, "signed revision", &signed_doc, &err) != ESEAL_OK) {
		es_seal_warn(s, "the signed revision could not be rendered to compare it with the file: %s",
			     err.message);
		return;
	}
	(void)len;
	s->visual_compared = 1;
	n_signed = es_pdf_render_page_count(signed_doc);
	n_current = es_pdf_render_page_count(current);
	for (p = 0; p < n_signed && p < n_current && p < ES_VISUAL_MAX_PAGES; p++)
		compare_page(signed_doc, current, p, s);
	/* Pages added after the seal are new as a whole. */
	for (p = n_signed; p < n_current && p < ES_VISUAL_MAX_PAGES; p++)
		if (es_pdf_render_page_size(current, p, &w, &h, &err) == ESEAL_OK)
			add_change(s, p, 0, 0, w, h);
	if (n_current > ES_VISUAL_MAX_PAGES)
		es_seal_warn(s, "only the first %d pages were compared with the signed revision", ES_VISUAL_MAX_PAGES);
	es_pdf_render_free(signed_doc);
}

void es_visual_compare(eseal_report *r, const unsigned char *buf, size_t len)
{
	es_pdf_render *current = NULL;
	eseal_error err;
	size_t i;

	for (i = 0; i < r->n_seals; i++) {
		eseal_seal_report *s = &r->seals[i];

		if (strcmp(s->format, "PAdES") != 0 || s->signed_length == 0 || s->signed_length >= len ||
		    s->covers_whole_document)
			continue;
		eseal_error_clear(&err);
		if (current == NULL && es_pdf_render_open(buf, len, NULL, r->file, &current, &err) != ESEAL_OK) {
			es_seal_warn(s, "the file could not be rendered to compare it with the signed revision: %s",
				     err.message);
			return;
		}
		compare_seal(buf, len, current, s);
	}
	es_pdf_render_free(current);
}
