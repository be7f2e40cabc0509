/* eseal/report.h: verification reports for people and for other systems: one HTML, PDF or ETSI TS 119 102-2 XML
 * document over the reports of any number of files, made from eseal_verify_file's results (nothing is verified again). */
#ifndef ESEAL_REPORT_H
#define ESEAL_REPORT_H

#include <stddef.h>

#include "eseal/error.h"
#include "eseal/verify.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { ESEAL_REPORT_HTML = 0, ESEAL_REPORT_PDF, ESEAL_REPORT_XML } eseal_report_format;

/* The format a report path asks for by its extension (.html/.htm, .pdf, .xml, any case); ESEAL_E_USAGE otherwise. */
eseal_status eseal_report_format_of(const char *path, eseal_report_format *out, eseal_error *err);

/* Writes one report over reports[0..n) to path (temporary file, fsync, rename; an existing report is replaced, an
 * input file never). lang: "ja", "en" or a locale name; NULL follows LC_ALL/LC_MESSAGES/LANG. Times are shown in
 * the process's time zone (TZ). HTML and PDF reports show each sealed PDF page with the seal marked and, where a
 * later update changed what a reader sees, the signed and current page side by side with the changes outlined
 * (from the verifier's visual_changes: open it with visual_compare). The inputs are read again for the pictures. */
eseal_status eseal_report_write_document(const eseal_report *const *reports, size_t n, const char *path,
					 const char *lang, eseal_error *err);

#ifdef __cplusplus
}
#endif
#endif
