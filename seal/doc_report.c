/* seal/doc_report.c: a document's report (sealed, failed, skipped, current) as one JSON line, for batch and
 * single-file front ends alike. Names are file names, i.e. bytes: the line stays valid JSON, the bytes kept beside. */
#include "eseal/batch.h"
#include "core/json_internal.h"

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

static const char *status_name(const eseal_doc_report *r, int ok)
{
	if (!ok)
		return "failed";
	switch (r->status) {
	case ESEAL_DOC_SKIPPED: return "skipped";
	case ESEAL_DOC_CURRENT: return "current";
	case ESEAL_DOC_SEALED:
	case ESEAL_DOC_FAILED: break;
	}
	return "sealed";
}

eseal_status eseal_doc_report_write_json(const eseal_doc_report *r, const char *level, FILE *out)
{
	int ok = r->err == NULL || r->err->status == ESEAL_OK;

	fputc('{', out);
	name_field(out, "input", r->input);
	fputc(',', out);
	name_field(out, "output", ok && r->status != ESEAL_DOC_CURRENT ? r->output : NULL);
	fprintf(out, ",\"status\":\"%s\"", status_name(r, ok));
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
	return fflush(out) != 0 || ferror(out) ? ESEAL_E_IO : ESEAL_OK;
}
