/* pdf/pdf_free_area.c: where the default visible seal goes so that it hides nothing that was printed: the page is
 * rendered as printed (Poppler), and the blank area nearest the preferred corner is chosen, smaller if need be. */
#include "pdf_render.h"
#include "pdf_seal_internal.h"
#include "core/error_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* 1 pixel per point: enough to see a line of 6 pt text, cheap for any page size we accept. */
#define DPI 72.0
/* A pixel darker than this in any channel is ink (anti-aliased text edges included). */
#define INK_LEVEL 235
/* Blank space kept around the stamp and between it and the page edge, in points. */
#define PAD 3.0
#define EDGE 12.0
#define STEP 3.0

static const double shrink[] = {1.0, 0.85, 0.72, 0.6, 0.5};

/* Ink pixels in rows [y0, y1) and columns [x0, x1) from the summed-area table (stride w + 1). */
static uint32_t ink_in(const uint32_t *sat, int stride, int x0, int y0, int x1, int y1)
{
	return sat[y1 * stride + x1] - sat[y0 * stride + x1] - sat[y1 * stride + x0] + sat[y0 * stride + x0];
}

/* Summed-area table of ink pixels of an ARGB32 rendering on white; NULL when out of memory. */
static uint32_t *ink_table(const es_image *s, int *w_out, int *h_out)
{
	int w = s->width, h = s->height, stride = s->stride, x, y;
	const unsigned char *px = s->px;
	uint32_t *sat;

	if (px == NULL || (sat = calloc((size_t)(w + 1) * (size_t)(h + 1), sizeof(*sat))) == NULL)
		return NULL;
	for (y = 0; y < h; y++) {
		uint32_t row = 0;

		for (x = 0; x < w; x++) {
			uint32_t v;

			memcpy(&v, px + (size_t)y * (size_t)stride + (size_t)x * 4, 4);
			row += ((v >> 16) & 0xff) < INK_LEVEL || ((v >> 8) & 0xff) < INK_LEVEL ||
			       (v & 0xff) < INK_LEVEL;
			sat[(size_t)(y + 1) * (size_t)(w + 1) + (size_t)(x + 1)] =
				sat[(size_t)y * (size_t)(w + 1) + (size_t)(x + 1)] + row;
		}
	}
	*w_out = w;
	*h_out = h;
	return sat;
}

int es_pdf_free_area(const es_pdf_seal_ctx *c, double dw, double dh, double box[4], eseal_error *err)
{
	const eseal_pdf_options *o = c->opts;
	es_pdf_render *r = NULL;
	es_image img = {0};
	uint32_t *sat = NULL;
	void *map = MAP_FAILED;
	struct stat st;
	double pref_x = box[0], pref_y = box[1], best = -1;
	size_t i;
	int fd = -1, iw = 0, ih = 0, rc = 0;

	if ((fd = open(c->doc.path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0 || st.st_size <= 0) {
		rc = -es_error_set(err, ESEAL_E_IO, "%s: cannot read it again to render the page: %s", c->doc.path,
				   strerror(errno));
		goto cleanup;
	}
	if ((map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		rc = -es_error_set(err, ESEAL_E_IO, "%s: cannot map it to render the page: %s", c->doc.path,
				   strerror(errno));
		goto cleanup;
	}
	if (es_pdf_render_open(map, (size_t)st.st_size, o->password, c->doc.path, &r, err) != ESEAL_OK ||
	    es_pdf_render_page(r, c->page_index, DPI, &img, err) != ESEAL_OK) {
		rc = -1;
		goto cleanup;
	}
	if ((sat = ink_table(&img, &iw, &ih)) == NULL) {
		rc = -es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < sizeof(shrink) / sizeof(shrink[0]) && best < 0; i++) {
		double w = box[2] * shrink[i], h = box[3] * shrink[i], x, y;
		double sx = iw / dw, sy = ih / dh;

		for (y = EDGE; y + h <= dh - EDGE; y += STEP)
			for (x = EDGE; x + w <= dw - EDGE; x += STEP) {
				/* Displayed coordinates have y up; image rows go down. */
				int px0 = (int)floor((x - PAD) * sx), px1 = (int)ceil((x + w + PAD) * sx);
				int py0 = (int)floor((dh - y - h - PAD) * sy), py1 = (int)ceil((dh - y + PAD) * sy);
				double d = (x - pref_x) * (x - pref_x) + (y - pref_y) * (y - pref_y);

				px0 = px0 < 0 ? 0 : px0;
				py0 = py0 < 0 ? 0 : py0;
				px1 = px1 > iw ? iw : px1;
				py1 = py1 > ih ? ih : py1;
				if ((best < 0 || d < best) && ink_in(sat, iw + 1, px0, py0, px1, py1) == 0) {
					best = d;
					box[0] = x;
					box[1] = y;
					box[2] = w;
					box[3] = h;
				}
			}
	}
	rc = best >= 0 ? 1 : 0;
cleanup:
	free(sat);
	es_image_clear(&img);
	es_pdf_render_free(r);
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	return rc;
}
