/* render/render.c: loads the renderer module (libeseal-render.so.0) the first time something is drawn, once per
 * process, and hands out its table; the images both sides pass are plain malloc'd pixels. */
#include "render.h"

#include "core/error_internal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Written once under pthread_once and only read afterwards: the module stays loaded until the process ends (glib,
 * which Poppler and pango use, cannot be unloaded). */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const es_render_ops *loaded;
static char load_error[512];

static void load(void)
{
	const es_render_ops *(*entry)(void);
	const es_render_ops *ops;
	void *h;

	/* RTLD_LOCAL: cairo's, pango's and Poppler's symbols stay the module's; the library sees only the table. */
	if ((h = dlopen(ES_RENDER_MODULE, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(load_error, sizeof(load_error), "%s", dlerror());
		return;
	}
	*(void **)(&entry) = dlsym(h, ES_RENDER_ENTRY);
	if (entry == NULL || (ops = entry()) == NULL || ops->size != sizeof(*ops)) {
		snprintf(load_error, sizeof(load_error), "it has no %s table of this library's version", ES_RENDER_ENTRY);
		dlclose(h);
		return;
	}
	loaded = ops;
}

eseal_status es_render_ops_get(const es_render_ops **out, eseal_error *err)
{
	*out = NULL;
	if (pthread_once(&load_once, load) != 0 || loaded == NULL)
		return es_error_set(err, ESEAL_E_CONFIG,
				    "renderer module " ES_RENDER_MODULE " not found: %s (install libeseal0 again; stamps, "
				    "page pictures, HTML/PDF reports and visual comparison need it)",
				    load_error[0] != '\0' ? load_error : "it could not be loaded");
	*out = loaded;
	return ESEAL_OK;
}

eseal_status es_image_new(es_image *img, int width, int height, eseal_error *err)
{
	memset(img, 0, sizeof(*img));
	if (width < 1 || height < 1 || (size_t)width > ((size_t)1 << 30) / 4 / (size_t)height)
		return es_error_set(err, ESEAL_E_INTERNAL, "image of %dx%d pixels refused", width, height);
	if ((img->px = calloc((size_t)width * (size_t)height, 4)) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory for a %dx%d image", width, height);
	img->width = width;
	img->height = height;
	img->stride = width * 4;
	return ESEAL_OK;
}

void es_image_clear(es_image *img)
{
	if (img == NULL)
		return;
	free(img->px);
	memset(img, 0, sizeof(*img));
}
