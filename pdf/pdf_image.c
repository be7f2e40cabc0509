/* pdf/pdf_image.c: seal images as PDF image XObjects: PNG (decoded by Cairo, Flate RGB + alpha SMask so a scanned
 * seal keeps its transparency) and JPEG (passed through as DCTDecode after reading its frame header). */
#include "pdf_internal.h"
#include "core/error_internal.h"
#include "core/input_internal.h"
#include "render/render.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define MAX_IMAGE_BYTES ((size_t)32 * 1024 * 1024)
#define MAX_IMAGE_SIDE 10000

static int deflate_buf(const unsigned char *in, size_t len, unsigned char **out, size_t *out_len)
{
	uLongf n = compressBound((uLong)len);
	unsigned char *p = malloc(n);

	if (p == NULL)
		return -1;
	if (compress2(p, &n, in, (uLong)len, Z_BEST_COMPRESSION) != Z_OK) {
		free(p);
		return -1;
	}
	*out = p;
	*out_len = n;
	return 0;
}

int es_pdf_image_from_argb(const unsigned char *px, int width, int height, int stride, es_pdf_image *img,
			   eseal_error *err)
{
	unsigned char *rgb = NULL, *alpha = NULL;
	size_t npx = (size_t)width * (size_t)height, i = 0;
	int x, y, opaque = 1, rc = ESEAL_OK;
	char dict[256];

	memset(img, 0, sizeof(*img));
	/* calloc: at -O2 gcc cannot see that the loops below fill every byte, and a zeroed buffer costs nothing here. */
	rgb = calloc(npx, 3);
	alpha = calloc(npx, 1);
	if (rgb == NULL || alpha == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory for a %dx%d image", width, height);
		goto cleanup;
	}
	for (y = 0; y < height; y++) {
		const uint32_t *row = (const uint32_t *)(const void *)(px + (size_t)y * (size_t)stride);

		for (x = 0; x < width; x++, i++) {
			uint32_t p = row[x];
			unsigned a = p >> 24, r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;

			/* Cairo stores premultiplied colour; PDF wants it straight, with alpha in the SMask. */
			if (a != 0 && a != 255) {
				r = (r * 255 + a / 2) / a;
				g = (g * 255 + a / 2) / a;
				b = (b * 255 + a / 2) / a;
			}
			rgb[i * 3] = (unsigned char)(r > 255 ? 255 : r);
			rgb[i * 3 + 1] = (unsigned char)(g > 255 ? 255 : g);
			rgb[i * 3 + 2] = (unsigned char)(b > 255 ? 255 : b);
			alpha[i] = (unsigned char)a;
			if (a != 255)
				opaque = 0;
		}
	}
	if (deflate_buf(rgb, npx * 3, &img->data, &img->len) != 0 ||
	    (!opaque && deflate_buf(alpha, npx, &img->smask, &img->smask_len) != 0)) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "cannot compress a %dx%d image", width, height);
		goto cleanup;
	}
	snprintf(dict, sizeof(dict),
		 "/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 "
		 "/Filter /FlateDecode",
		 width, height);
	img->dict = strdup(dict);
	if (img->dict == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	img->width = width;
	img->height = height;
cleanup:
	free(rgb);
	free(alpha);
	if (rc != ESEAL_OK)
		es_pdf_image_free(img);
	return rc;
}

/* The size a PNG declares in its header (IHDR, the first chunk): checked before Cairo decodes it, since Cairo
 * allocates and fills the whole surface first (a few kilobytes of zlib data can declare gigabytes of pixels). */
static int png_size_ok(const char *path, const unsigned char *data, size_t len, eseal_error *err)
{
	uint32_t w, h;

	if (len < 24 || memcmp(data + 12, "IHDR", 4) != 0)
		return es_error_set(err, ESEAL_E_USAGE, "%s: damaged PNG (no IHDR header)", path);
	w = (uint32_t)data[16] << 24 | (uint32_t)data[17] << 16 | (uint32_t)data[18] << 8 | data[19];
	h = (uint32_t)data[20] << 24 | (uint32_t)data[21] << 16 | (uint32_t)data[22] << 8 | data[23];
	if (w < 1 || h < 1 || w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE)
		return es_error_set(err, ESEAL_E_USAGE, "%s: image size %ux%u not supported (1..%d pixels a side)",
				    path, (unsigned)w, (unsigned)h, MAX_IMAGE_SIDE);
	return ESEAL_OK;
}

static int load_png(const char *path, const unsigned char *data, size_t len, es_pdf_image *img, eseal_error *err)
{
	const es_render_ops *ops;
	es_image px = {0};
	char why[256] = "";
	int rc;

	if ((rc = es_render_ops_get(&ops, err)) != ESEAL_OK)
		return rc;
	if (ops->png_decode(data, len, MAX_IMAGE_SIDE, &px, why, sizeof(why)) != 0)
		return es_error_set(err, ESEAL_E_USAGE, "%s: %s", path, why);
	rc = es_pdf_image_from_argb(px.px, px.width, px.height, px.stride, img, err);
	es_image_clear(&px);
	return rc;
}

static int jpeg_info(const unsigned char *p, size_t len, int *w, int *h, int *comps, int *adobe)
{
	size_t i = 2, seg;
	unsigned m;

	*adobe = 0;
	while (i + 4 <= len) {
		if (p[i] != 0xff)
			return -1;
		m = p[i + 1];
		if (m == 0xff) {
			i++;
			continue;
		}
		if (m == 0xd8 || (m >= 0xd0 && m <= 0xd7) || m == 0x01) {
			i += 2;
			continue;
		}
		if (m == 0xd9 || m == 0xda)
			return -1;
		seg = ((size_t)p[i + 2] << 8) | p[i + 3];
		if (seg < 2 || i + 2 + seg > len)
			return -1;
		if (m == 0xee && seg >= 7 && memcmp(p + i + 4, "Adobe", 5) == 0)
			*adobe = 1;
		if ((m >= 0xc0 && m <= 0xcf) && m != 0xc4 && m != 0xc8 && m != 0xcc) {
			if (seg < 8 || p[i + 4] != 8)
				return -1;
			*h = (p[i + 5] << 8) | p[i + 6];
			*w = (p[i + 7] << 8) | p[i + 8];
			*comps = p[i + 9];
			return 0;
		}
		i += 2 + seg;
	}
	return -1;
}

static int load_jpeg(const char *path, const unsigned char *data, size_t len, es_pdf_image *img, eseal_error *err)
{
	int w = 0, h = 0, comps = 0, adobe = 0;
	const char *cs;
	char dict[320];

	if (jpeg_info(data, len, &w, &h, &comps, &adobe) != 0 || w < 1 || h < 1 || w > MAX_IMAGE_SIDE ||
	    h > MAX_IMAGE_SIDE)
		return es_error_set(err, ESEAL_E_USAGE, "%s: unsupported or damaged JPEG (baseline 8-bit expected)",
				    path);
	if (comps == 1)
		cs = "/DeviceGray";
	else if (comps == 3)
		cs = "/DeviceRGB";
	else if (comps == 4)
		cs = "/DeviceCMYK";
	else
		return es_error_set(err, ESEAL_E_USAGE, "%s: JPEG with %d components not supported", path, comps);
	snprintf(dict, sizeof(dict),
		 "/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 "
		 "/Filter /DCTDecode%s",
		 w, h, cs, comps == 4 && adobe ? " /Decode [1 0 1 0 1 0 1 0]" : "");
	memset(img, 0, sizeof(*img));
	img->dict = strdup(dict);
	img->data = malloc(len);
	if (img->dict == NULL || img->data == NULL) {
		es_pdf_image_free(img);
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	}
	memcpy(img->data, data, len);
	img->len = len;
	img->width = w;
	img->height = h;
	return ESEAL_OK;
}

/* A FIFO or device given as the image is refused, never waited on (core/input.c). */
static const es_input_role image_role = {"cannot open the seal image", ESEAL_E_USAGE, ESEAL_E_USAGE, MAX_IMAGE_BYTES,
					 0};

int es_pdf_image_load(const char *path, es_pdf_image *img, eseal_error *err)
{
	unsigned char *data = NULL;
	size_t size = 0;
	int rc = ESEAL_OK;

	memset(img, 0, sizeof(*img));
	if ((rc = es_input_read(path, &image_role, &data, &size, err)) != ESEAL_OK)
		return rc;
	if (size < 8) {
		rc = es_error_set(err, ESEAL_E_USAGE, "%s: seal image of %zu bytes (8 bytes to 32 MiB supported)", path,
				  size);
		goto cleanup;
	}
	if (memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0)
		rc = png_size_ok(path, data, size, err) != ESEAL_OK ? ESEAL_E_USAGE : load_png(path, data, size, img, err);
	else if (data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
		rc = load_jpeg(path, data, size, img, err);
	else
		rc = es_error_set(err, ESEAL_E_USAGE, "%s: seal image must be PNG or JPEG", path);
cleanup:
	free(data);
	return rc;
}

void es_pdf_image_free(es_pdf_image *img)
{
	if (img == NULL)
		return;
	free(img->dict);
	free(img->data);
	free(img->smask);
	memset(img, 0, sizeof(*img));
}
