/* plugins/printer/driver.c: the e-Seal printer's one PAPPL driver: what it advertises, and how each format a client
 * may send becomes the PDF that is sealed (PDF as sent; PWG/Apple raster, JPEG and PNG as an image-only PDF; text). */
#include "printer.h"

#include "cups_internal.h"
#include "error_internal.h"
#include "textpdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A raster page larger than this (A3 at 600 dpi is 70 million) is refused rather than allocated. */
#define MAX_PAGE_PIXELS (100u * 1000u * 1000u)

pappl_pr_driver_t es_printer_drivers[1] = {{"eseal_pdf", "e-Seal printer (sealed PDF)", NULL, NULL}};

/* The papers offices use, Japanese sizes included: the size only matters to clients that render (raster, text). */
static const char *const media[] = {"iso_a4_210x297mm", "iso_a3_297x420mm",   "iso_a5_148x210mm", "jis_b4_257x364mm",
				    "jis_b5_182x257mm", "na_letter_8.5x11in", "na_legal_8.5x14in"};

static es_printer_app *app_of(pappl_job_t *job)
{
	pappl_pr_driver_data_t data;

	papplPrinterGetDriverData(papplJobGetPrinter(job), &data);
	return data.extension;
}

/* ---- the "eseal:" device: sealing happens in the filters; there is no hardware to talk to ------------------------ */

static bool dev_list(pappl_device_cb_t cb, void *data, pappl_deverror_cb_t err_cb, void *err_data)
{
	(void)err_cb;
	(void)err_data;
	return (cb)("e-Seal printer", "eseal:/", "MFG:eseal;MDL:e-Seal printer;CMD:PDF;", data);
}

static bool dev_open(pappl_device_t *device, const char *device_uri, const char *name)
{
	(void)device;
	(void)device_uri;
	(void)name;
	return true;
}

static void dev_close(pappl_device_t *device)
{
	(void)device;
}

static ssize_t dev_read(pappl_device_t *device, void *buffer, size_t bytes)
{
	(void)device;
	(void)buffer;
	(void)bytes;
	return 0;
}

static ssize_t dev_write(pappl_device_t *device, const void *buffer, size_t bytes)
{
	(void)device;
	(void)buffer;
	return (ssize_t)bytes;
}

static pappl_preason_t dev_status(pappl_device_t *device)
{
	(void)device;
	return PAPPL_PREASON_NONE;
}

void es_printer_add_device_scheme(void)
{
	papplDeviceAddScheme("eseal", PAPPL_DEVTYPE_CUSTOM_LOCAL, dev_list, dev_open, dev_close, dev_read, dev_write,
			     dev_status, NULL);
}

/* ---- documents sent whole: PDF (sealed as sent), anything unrecognised, text ---------------------------------- */

/* PDF, and application/octet-stream that PAPPL could not type: sealed only if it is a PDF, byte for byte. */
static bool pdf_filter(pappl_job_t *job, pappl_device_t *device, void *cbdata)
{
	es_printer_app *app = cbdata;
	const char *path = papplJobGetFilename(job);
	eseal_error err;
	int fd;
	bool ok;

	(void)device;
	if (!es_printer_check_size(app, job, path, NULL))
		return false;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	eseal_error_clear(&err);
	if (fd < 0 || es_cups_check_pdf(fd, "the document", &err) != ESEAL_OK) {
		es_printer_job_fail(app, job, PAPPL_JREASON_DOCUMENT_FORMAT_ERROR, "This document is not a PDF.",
				    fd < 0 ? strerror(errno) : err.message);
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	papplJobSetImpressions(job, 1);
	ok = es_printer_seal_job(app, job, path);
	if (ok)
		papplJobSetImpressionsCompleted(job, 1);
	return ok;
}

static bool text_filter(pappl_job_t *job, pappl_device_t *device, void *cbdata)
{
	es_printer_app *app = cbdata;
	const char *path = papplJobGetFilename(job);
	pappl_pr_options_t *options;
	es_textpdf_page page;
	eseal_error err;
	char pdf[1024];
	int fd, rc;
	bool ok = false;

	(void)device;
	if (!es_printer_check_size(app, job, path, NULL))
		return false;
	options = papplJobCreatePrintOptions(job, 0, false);
	/* media sizes are hundredths of millimetres */
	page = (es_textpdf_page){options->media.size_width * 72.0 / 2540.0, options->media.size_length * 72.0 / 2540.0,
				 papplJobGetName(job)};
	if ((fd = papplJobOpenFile(job, pdf, sizeof(pdf), NULL, "text.pdf", "w")) < 0) {
		papplJobDeletePrintOptions(options);
		es_printer_job_fail(app, job, PAPPL_JREASON_ERRORS_DETECTED,
				    "The document could not be converted to PDF.", strerror(errno));
		return false;
	}
	eseal_error_clear(&err);
	rc = es_textpdf_convert(path, fd, &page, &err);
	papplJobDeletePrintOptions(options);
	if (rc == ESEAL_OK && fsync(fd) != 0)
		rc = es_error_set(&err, ESEAL_E_IO, "text job: %s: %s", pdf, strerror(errno));
	close(fd);
	if (rc != ESEAL_OK)
		es_printer_job_fail(app, job, PAPPL_JREASON_DOCUMENT_FORMAT_ERROR,
				    "The document could not be converted to PDF.", err.message);
	else
		ok = es_printer_seal_job(app, job, pdf);
	unlink(pdf);
	return ok;
}

/* PAPPL looks a filter up by (document format, driver format) and, failing that, (format, "image/pwg-raster"); it
 * lists a filter's source as supported, and PDF as preferred, only when the filter's destination is the driver's
 * format or PWG raster. So the driver's format is PWG raster (which PAPPL streams to the raster callbacks below)
 * and the whole-document filters are registered "to PWG raster", although they make and seal a PDF. */
void es_printer_add_filters(pappl_system_t *system, es_printer_app *app)
{
	papplSystemAddMIMEFilter(system, "application/pdf", "image/pwg-raster", pdf_filter, app);
	papplSystemAddMIMEFilter(system, "application/octet-stream", "image/pwg-raster", pdf_filter, app);
	papplSystemAddMIMEFilter(system, "text/plain", "image/pwg-raster", text_filter, app);
}

/* ---- raster (PWG raster, Apple raster, and JPEG/PNG through PAPPL's image filters): an image-only PDF -------- */

typedef struct raster_job {
	char path[1024];
	int fd;
	cairo_surface_t *pdf;
	cairo_surface_t *page;
	unsigned width, height, bpp;
	double page_w, page_h;
	bool failed;
} raster_job;

static void raster_free(pappl_job_t *job, raster_job *r)
{
	if (r == NULL)
		return;
	if (r->page != NULL)
		cairo_surface_destroy(r->page);
	if (r->pdf != NULL)
		cairo_surface_destroy(r->pdf);
	if (r->fd >= 0)
		close(r->fd);
	if (r->path[0] != '\0')
		unlink(r->path);
	free(r);
	papplJobSetData(job, NULL);
}

static bool r_startjob(pappl_job_t *job, pappl_pr_options_t *options, pappl_device_t *device)
{
	es_printer_app *app = app_of(job);
	raster_job *r = calloc(1, sizeof(*r));

	(void)options;
	(void)device;
	if (r == NULL)
		return false;
	r->fd = papplJobOpenFile(job, r->path, sizeof(r->path), NULL, "raster.pdf", "w");
	if (r->fd < 0) {
		r->path[0] = '\0';
		es_printer_job_fail(app, job, PAPPL_JREASON_ERRORS_DETECTED,
				    "The document could not be converted to PDF.", strerror(errno));
		free(r);
		return false;
	}
	r->pdf = cairo_pdf_surface_create_for_stream(es_textpdf_write_fd, &r->fd, 595.0, 842.0);
	papplJobSetData(job, r);
	if (cairo_surface_status(r->pdf) != CAIRO_STATUS_SUCCESS) {
		es_printer_job_fail(app, job, PAPPL_JREASON_ERRORS_DETECTED,
				    "The document could not be converted to PDF.",
				    cairo_status_to_string(cairo_surface_status(r->pdf)));
		raster_free(job, r);
		return false;
	}
	return true;
}

static bool r_startpage(pappl_job_t *job, pappl_pr_options_t *options, pappl_device_t *device, unsigned page)
{
	es_printer_app *app = app_of(job);
	raster_job *r = papplJobGetData(job);
	unsigned w = options->header.cupsWidth, h = options->header.cupsHeight, bpp = options->header.cupsBitsPerPixel;
	char detail[160];
	struct stat st;

	(void)device;
	if (r == NULL)
		return false;
	/* Raster is streamed, never spooled whole: the cap on a document's size applies to the PDF it becomes. */
	if (fstat(r->fd, &st) == 0 && st.st_size > app->max_job_bytes) {
		snprintf(detail, sizeof(detail),
			 "page %u: the PDF made so far has %lld bytes, the limit (max-job-size) "
			 "is %lld",
			 page, (long long)st.st_size, (long long)app->max_job_bytes);
		es_printer_job_fail(app, job, PAPPL_JREASON_DOCUMENT_UNPRINTABLE_ERROR,
				    "The document is larger than this printer accepts.", detail);
		r->failed = true;
		return false;
	}
	snprintf(detail, sizeof(detail), "page %u: %ux%u pixels, %u bits per pixel", page, w, h, bpp);
	/* Our driver advertises 8-bit grey and 24-bit sRGB; PAPPL hands us the client's lines as they come. */
	if ((bpp != 8 && bpp != 24) || w == 0 || h == 0 || (unsigned long long)w * h > MAX_PAGE_PIXELS) {
		es_printer_job_fail(app, job, PAPPL_JREASON_DOCUMENT_UNPRINTABLE_ERROR,
				    "The document could not be converted to PDF.", detail);
		r->failed = true;
		return false;
	}
	r->width = w;
	r->height = h;
	r->bpp = bpp;
	/* cupsPageSize is in points; fall back to the resolution when a client leaves it empty. */
	r->page_w = options->header.cupsPageSize[0] > 0 ?
			    options->header.cupsPageSize[0] :
			    w * 72.0 / (options->header.HWResolution[0] ? options->header.HWResolution[0] : 300);
	r->page_h = options->header.cupsPageSize[1] > 0 ?
			    options->header.cupsPageSize[1] :
			    h * 72.0 / (options->header.HWResolution[1] ? options->header.HWResolution[1] : 300);
	r->page = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)w, (int)h);
	if (cairo_surface_status(r->page) != CAIRO_STATUS_SUCCESS) {
		es_printer_job_fail(app, job, PAPPL_JREASON_ERRORS_DETECTED,
				    "The document could not be converted to PDF.", detail);
		r->failed = true;
		return false;
	}
	return true;
}

static bool r_writeline(pappl_job_t *job, pappl_pr_options_t *options, pappl_device_t *device, unsigned y,
			const unsigned char *line)
{
	raster_job *r = papplJobGetData(job);
	unsigned char *row;
	uint32_t *px;
	unsigned x;

	(void)options;
	(void)device;
	if (r == NULL || r->page == NULL || y >= r->height)
		return false;
	row = cairo_image_surface_get_data(r->page) + (size_t)y * (size_t)cairo_image_surface_get_stride(r->page);
	px = (uint32_t *)(void *)row;
	for (x = 0; x < r->width; x++)
		px[x] = r->bpp == 8 ?
				(uint32_t)line[x] * 0x010101u :
				((uint32_t)line[3 * x] << 16) | ((uint32_t)line[3 * x + 1] << 8) | line[3 * x + 2];
	return true;
}

static bool r_endpage(pappl_job_t *job, pappl_pr_options_t *options, pappl_device_t *device, unsigned page)
{
	raster_job *r = papplJobGetData(job);
	cairo_t *cr;

	(void)options;
	(void)device;
	(void)page;
	if (r == NULL || r->page == NULL)
		return false;
	cairo_surface_mark_dirty(r->page);
	cairo_pdf_surface_set_size(r->pdf, r->page_w, r->page_h);
	cr = cairo_create(r->pdf);
	cairo_scale(cr, r->page_w / r->width, r->page_h / r->height);
	cairo_set_source_surface(cr, r->page, 0, 0);
	cairo_paint(cr);
	cairo_show_page(cr);
	cairo_destroy(cr);
	cairo_surface_destroy(r->page);
	r->page = NULL;
	return true;
}

static bool r_endjob(pappl_job_t *job, pappl_pr_options_t *options, pappl_device_t *device)
{
	es_printer_app *app = app_of(job);
	raster_job *r = papplJobGetData(job);
	cairo_status_t st;
	bool ok = false;

	(void)options;
	(void)device;
	if (r == NULL)
		return false;
	cairo_surface_finish(r->pdf);
	st = cairo_surface_status(r->pdf);
	if (r->failed || papplJobIsCanceled(job)) {
		ok = !r->failed;
	} else if (st != CAIRO_STATUS_SUCCESS || fsync(r->fd) != 0) {
		es_printer_job_fail(app, job, PAPPL_JREASON_ERRORS_DETECTED,
				    "The document could not be converted to PDF.",
				    st != CAIRO_STATUS_SUCCESS ? cairo_status_to_string(st) : strerror(errno));
	} else {
		ok = es_printer_seal_job(app, job, r->path);
	}
	raster_free(job, r);
	return ok;
}

/* A raw document in the driver's own format never reaches us (PAPPL streams PWG raster); refuse, never pretend. */
static bool printfile(pappl_job_t *job, pappl_pr_options_t *options, pappl_device_t *device)
{
	(void)options;
	(void)device;
	es_printer_job_fail(app_of(job), job, PAPPL_JREASON_DOCUMENT_FORMAT_ERROR,
			    "The document could not be converted to PDF.", papplJobGetFormat(job));
	return false;
}

bool es_printer_driver_cb(pappl_system_t *system, const char *driver_name, const char *device_uri,
			  const char *device_id, pappl_pr_driver_data_t *data, ipp_t **attrs, void *cbdata)
{
	size_t i;

	(void)system;
	(void)device_uri;
	(void)device_id;
	(void)attrs;
	if (strcmp(driver_name, es_printer_drivers[0].name) != 0)
		return false;
	data->extension = cbdata;
	data->printfile_cb = printfile;
	data->rstartjob_cb = r_startjob;
	data->rstartpage_cb = r_startpage;
	data->rwriteline_cb = r_writeline;
	data->rendpage_cb = r_endpage;
	data->rendjob_cb = r_endjob;
	data->format = "image/pwg-raster";
	snprintf(data->make_and_model, sizeof(data->make_and_model), "eseal e-Seal printer");
	data->ppm = 60;
	data->ppm_color = 60;
	data->kind = PAPPL_KIND_DOCUMENT;
	data->color_supported = PAPPL_COLOR_MODE_AUTO | PAPPL_COLOR_MODE_COLOR | PAPPL_COLOR_MODE_MONOCHROME;
	data->color_default = PAPPL_COLOR_MODE_AUTO;
	data->content_default = PAPPL_CONTENT_AUTO;
	data->quality_default = IPP_QUALITY_NORMAL;
	data->scaling_default = PAPPL_SCALING_AUTO;
	data->raster_types = PAPPL_PWG_RASTER_TYPE_SGRAY_8 | PAPPL_PWG_RASTER_TYPE_SRGB_8;
	data->force_raster_type = PAPPL_PWG_RASTER_TYPE_NONE;
	data->duplex = PAPPL_DUPLEX_NONE;
	data->sides_supported = PAPPL_SIDES_ONE_SIDED;
	data->sides_default = PAPPL_SIDES_ONE_SIDED;
	data->orient_default = IPP_ORIENT_NONE;
	data->num_resolution = 1;
	data->x_resolution[0] = data->y_resolution[0] = 300;
	data->x_default = data->y_default = 300;
	data->borderless = true;
	data->left_right = data->bottom_top = 0;
	data->num_media = (int)(sizeof(media) / sizeof(media[0]));
	for (i = 0; i < sizeof(media) / sizeof(media[0]); i++)
		data->media[i] = media[i];
	data->num_source = 1;
	data->source[0] = "auto";
	snprintf(data->media_default.size_name, sizeof(data->media_default.size_name), "%s", media[0]);
	data->media_default.size_width = 21000;
	data->media_default.size_length = 29700;
	snprintf(data->media_default.source, sizeof(data->media_default.source), "auto");
	snprintf(data->media_default.type, sizeof(data->media_default.type), "stationery");
	data->media_ready[0] = data->media_default;
	data->num_type = 1;
	data->type[0] = "stationery";
	return true;
}
