/* seal/doc_report.c: a sealed (or failed, skipped, current) document's report as one JSON line, for batch and single-file
 * front ends alike. Names are file names, i.e. bytes: the line stays valid JSON and the bytes are kept beside it. */
#include "eseal/batch.h"
#include "json_internal.h"

/* "key":"value", then "key_hex":"..." when value is not valid UTF-8 (es_json_string showed it with U+FFFD). */
static void name_field(FILE *out, const char *key, const char *value)
{
	fprintf(out, "\"%s\":", key);
	es_json_string(out, value);
	if (value != NULL && !es_utf8_valid(value)) {
		fprintf(out, ",\"%s_hex\":", key);
		es_json_hex(out, value);
	}
}

int eseal_doc_report_write_json(const eseal_doc_report *r, const char *level, FILE *out)
{
	int ok = r->err == NULL || r->err->status == ESEAL_OK;

	fputc('{', out);
	name_field(out, "input", r->input);
	fputc(',', out);
	name_field(out, "output", ok && r->status != ESEAL_DOC_CURRENT ? r->output : NULL);
	fprintf(out, ",\"status\":\"%s\"",
		!ok ? "failed" : r->status == ESEAL_DOC_SKIPPED ? "skipped" : r->status == ESEAL_DOC_CURRENT ? "current" : "sealed");
	if (ok && r->status == ESEAL_DOC_CURRENT) {
		fputs(",\"renew_by\":", out);
		es_json_time(out, r->renew_by);
	}
	fputs(",\"format\":", out);
	es_json_string(out, r->format != ESEAL_FORMAT_AUTO ? eseal_format_name(r->format) : NULL);
	fputs(",\"level\":", out);
	es_json_string(out, ok ? level : NULL);
	fputs(",\"error\":", out);
	es_json_string(out, ok ? NULL : r->err->message);
	fputs(",\"error_class\":", out);
	es_json_string(out, ok ? NULL : eseal_status_name(r->err->status));
	fprintf(out, ",\"ms\":%.1f}\n", r->ms);
	return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
