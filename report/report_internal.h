/* report/report_internal.h: what the report layer's files share: the visual comparison of a PDF seal's signed
 * revision with the current file (visual_diff.h, which the verifier also runs), and the pieces every report format
 * draws from. */
#ifndef ES_REPORT_INTERNAL_H
#define ES_REPORT_INTERNAL_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "eseal/i18n.h"
#include "eseal/report.h"
#include "eseal/verify.h"
#include "render/render.h"
#include "visual_diff.h"

/* Resolution of the comparison: fine enough for a changed word, coarse enough to ignore anti-aliasing noise. */
#define ES_VISUAL_DPI 60.0
/* Pages compared per seal; a longer document is compared on its first pages (and says so in a warning). */
#define ES_VISUAL_MAX_PAGES 50

/* ---- shared by the report formats (report_text.c) ---- */

/* The overall verdict of all reports: worst effective indication (a file error or no seal counts as INDETERMINATE). */
eseal_indication es_reports_overall(const eseal_report *const *reports, size_t n);
/* One sentence saying why a seal (or a file) got its verdict, in lang; "" for a passed seal. */
const char *es_seal_why(const eseal_seal_report *s, const char *lang);
/* The verdict in plain words ("Valid", "Not valid", "Cannot be decided") in lang. */
const char *es_verdict_words(eseal_indication ind, const char *lang);
/* t in the process's time zone (TZ) as "2026-12-03 17:41:26 JST (+0900)", or "-" for 0. */
const char *es_local_time(time_t t, char *buf, size_t len);
/* The certificate kind in words. */
const char *es_cert_kind_words(eseal_cert_kind k, const char *lang);
/* What the seal covers, in words: "whole document", "pages 1-3 and later changes" ... */
char *es_seal_covers(const eseal_seal_report *s, const char *lang);
/* Names joined for a person ("a, b, c", the first ones and how many more); malloc'd, NULL out of memory. */
char *es_file_names(char *const *names, size_t n, const char *lang);
/* The sentence naming the files of a container or folder that no seal covers; NULL when there are none. */
char *es_report_not_covered(const eseal_report *r, const char *lang);
/* The effective indication of a seal (modified_after counts as TOTAL-FAILED). */
eseal_indication es_seal_effective(const eseal_seal_report *s);

/* The time the files were judged at (the first report that has one), 0 when none has. */
time_t es_reports_validation_time(const eseal_report *const *reports, size_t n);
/* One sentence for the headline: why the worst verdict of all reports (the first seal or file that got it). */
const char *es_report_headline_why(const eseal_report *const *reports, size_t n, eseal_indication worst,
				   const char *lang);

/* The formats (report_html.c, report_pdf.c, report_xml.c) write the whole document to f; bufs[i]/lens[i] are the
 * bytes of reports[i]'s file for pictures of its pages (bufs[i] NULL: no pictures). 0, or -1 on a write error. */
int es_report_html(FILE *f, const eseal_report *const *reports, const unsigned char *const *bufs, const size_t *lens,
		   size_t n, const char *lang);
int es_report_pdf(FILE *f, const eseal_report *const *reports, const unsigned char *const *bufs, const size_t *lens,
		  size_t n, const char *lang);
int es_report_xml(FILE *f, const eseal_report *const *reports, size_t n);

/* A picture of page (0-based) of buf[0..len) at dpi with the seal rectangle (s->rect on s->page, may be absent)
 * and visual-change boxes of that page outlined, in *out (es_image_clear frees it); 0 when Poppler cannot render it
 * (*out then empty), 1 when it did. */
int es_report_page_picture(const unsigned char *buf, size_t len, int page, double dpi, const eseal_seal_report *s,
			   int mark_changes, es_image *out);

#endif
