/* report/report_doc.c: eseal_report_write_document: picks the format by the report's extension, reads the sealed PDFs
 * again for their pictures, and writes the report through the library's atomic output (temp, fsync, rename). */
#include "report_internal.h"

#include "core/error_internal.h"
#include "core/input_internal.h"
#include "eseal/output.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* PDFs read again for their pictures: the verifier's own cap on a document. */
static const es_input_role report_input = {"cannot read it again for the report's pictures", ESEAL_E_IO,
					   ESEAL_E_INPUT, (size_t)1 << 30, 0};

eseal_status eseal_report_format_of(const char *path, eseal_report_format *out, eseal_error *err)
{
	const char *dot = path != NULL ? strrchr(path, '.') : NULL;

	eseal_error_clear(err);
	if (dot != NULL && (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0))
		*out = ESEAL_REPORT_HTML;
	else if (dot != NULL && strcasecmp(dot, ".pdf") == 0)
		*out = ESEAL_REPORT_PDF;
	else if (dot != NULL && strcasecmp(dot, ".xml") == 0)
		*out = ESEAL_REPORT_XML;
	else
		return es_error_set(err, ESEAL_E_USAGE, "%s: a report ends in .html, .pdf or .xml",
				    path != NULL ? path : "(no report path)");
	return ESEAL_OK;
}

static int has_pades(const eseal_report *r)
{
	size_t i;

	for (i = 0; i < r->n_seals; i++)
		if (strcmp(r->seals[i].format, "PAdES") == 0)
			return 1;
	return 0;
}

/* The report must never replace one of the files it reports on. */
static int is_an_input(const char *path, const eseal_report *const *reports, size_t n)
{
	struct stat a, b;
	size_t i;

	if (stat(path, &a) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (stat(reports[i]->file, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return 1;
	return 0;
}

eseal_status eseal_report_write_document(const eseal_report *const *reports, size_t n, const char *path,
					 const char *lang, eseal_error *err)
{
	eseal_report_format fmt;
	const es_render_ops *ops;
	unsigned char **bufs = NULL;
	size_t *lens = NULL, body_len = 0, i;
	char *body = NULL;
	FILE *m = NULL;
	eseal_output *out = NULL;
	eseal_error rerr;
	int rc, wrc;

	if ((rc = eseal_report_format_of(path, &fmt, err)) != ESEAL_OK)
		return rc;
	if (is_an_input(path, reports, n))
		return es_error_set(err, ESEAL_E_USAGE, "%s: the report would replace a file it reports on", path);
	/* The HTML and PDF reports are drawn by the renderer module: without it, say so rather than leave pictures
	 * out. Then the output: a report path in a missing folder fails before any rendering. */
	if ((fmt != ESEAL_REPORT_XML && (rc = es_render_ops_get(&ops, err)) != ESEAL_OK) ||
	    (rc = eseal_output_open(&out, path, 1, NULL, err)) != ESEAL_OK)
		return rc;
	bufs = calloc(n + 1, sizeof(*bufs));
	lens = calloc(n + 1, sizeof(*lens));
	if (bufs == NULL || lens == NULL || (m = open_memstream(&body, &body_len)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	for (i = 0; fmt != ESEAL_REPORT_XML && i < n; i++) {
		eseal_error_clear(&rerr);
		/* A file that cannot be read again only loses its pictures: the verdict is already made. */
		if (has_pades(reports[i]) &&
		    es_input_read(reports[i]->file, &report_input, &bufs[i], &lens[i], &rerr) != ESEAL_OK)
			bufs[i] = NULL;
	}
	if (fmt == ESEAL_REPORT_HTML)
		wrc = es_report_html(m, reports, (const unsigned char *const *)bufs, lens, n, lang);
	else if (fmt == ESEAL_REPORT_PDF)
		wrc = es_report_pdf(m, reports, (const unsigned char *const *)bufs, lens, n, lang);
	else
		wrc = es_report_xml(m, reports, n);
	if (fclose(m) != 0 || wrc != 0) {
		m = NULL;
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: the report could not be composed", path);
		goto cleanup;
	}
	m = NULL;
	if ((rc = eseal_output_write(out, body, body_len, err)) != ESEAL_OK ||
	    (rc = eseal_output_commit(out, err)) != ESEAL_OK)
		goto cleanup;
	rc = ESEAL_OK;
cleanup:
	if (m != NULL)
		fclose(m);
	free(body);
	for (i = 0; bufs != NULL && i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(lens);
	eseal_output_free(out);
	return rc;
}
