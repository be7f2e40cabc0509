/* report/report_html.c: the HTML report: one self-contained UTF-8 file (inline CSS, pages as data: PNG), verdict first,
 * every text from a certificate or a file escaped (names in certificates are chosen by whoever got the certificate). */
#include "report_internal.h"
#include "core/error_internal.h"
#include "core/json_internal.h"
#include "pki/report.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define T(msgid) eseal_text(lang, (msgid))
/* Pictures in the HTML report: sharp enough to read a seal stamp, small enough to mail the report. */
#define HTML_DPI 72.0

/* Text as HTML character data or attribute value. Bytes that are not UTF-8 become U+FFFD, controls are dropped. */
static void esc(FILE *f, const char *s)
{
	int valid;

	if (s == NULL)
		return;
	valid = es_utf8_valid(s);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if (c < 0x20 && c != '\n' && c != '\t')
				break;
			if (c >= 0x80 && !valid)
				fputs("\xEF\xBF\xBD", f);
			else
				fputc(c, f);
		}
	}
}

static int png_to_memstream(void *closure, const unsigned char *data, size_t len)
{
	return fwrite(data, 1, len, closure) == len ? 0 : -1;
}

/* An <img> holding img as a data: URI. */
static void img_tag(FILE *f, const es_image *img, const char *alt)
{
	const es_render_ops *ops;
	char *png = NULL, *b64;
	size_t png_len = 0;
	FILE *m;
	eseal_error err;
	int n, encoded;

	/* A picture exists only when the module drew it, so it is loaded already. */
	if (es_render_ops_get(&ops, &err) != ESEAL_OK || (m = open_memstream(&png, &png_len)) == NULL)
		return;
	encoded = ops->png_encode(img, png_to_memstream, m) == 0;
	if (fclose(m) == 0 && encoded && png_len > 0 && (b64 = malloc(4 * ((png_len + 2) / 3) + 1)) != NULL) {
		n = EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)png, (int)png_len);
		b64[n] = '\0';
		fputs("<img alt=\"", f);
		esc(f, alt);
		fprintf(f, "\" width=\"%d\" src=\"data:image/png;base64,%s\">", img->width, b64);
		free(b64);
	}
	free(png);
}

static void row(FILE *f, const char *cls, const char *th, const char *td)
{
	fprintf(f, "<tr class=\"%s\"><th>", cls);
	esc(f, th);
	fputs("</th><td>", f);
	esc(f, td != NULL && td[0] != '\0' ? td : "-");
	fputs("</td></tr>\n", f);
}

static const char *verdict_class(eseal_indication ind)
{
	return ind == ESEAL_TOTAL_PASSED ? "valid" : ind == ESEAL_TOTAL_FAILED ? "invalid" : "undecided";
}

/* The pictures of one PAdES seal: each changed page signed | current, else the page that shows the seal. */
static void seal_pictures(FILE *f, const eseal_seal_report *s, const unsigned char *buf, size_t len, const char *lang)
{
	es_image a, b;
	int pages[ES_VISUAL_MAX_PAGES], n = 0, i, p;
	size_t j;
	char cap[256];

	for (j = 0; j < s->n_visual_changes && n < ES_VISUAL_MAX_PAGES; j++) {
		for (i = 0; i < n && pages[i] != s->visual_changes[j].page; i++)
			;
		if (i == n)
			pages[n++] = s->visual_changes[j].page;
	}
	if (n > 0) {
		fputs("<p class=\"changed\">", f);
		esc(f, T("What a reader sees was changed after sealing. Left: the page as sealed; right: the page now, "
			 "changed areas outlined in red."));
		fputs("</p>\n", f);
	}
	for (i = 0; i < n; i++) {
		p = pages[i];
		snprintf(cap, sizeof(cap), "%s %d", T("Page"), p + 1);
		fputs("<figure class=\"pair\"><figcaption>", f);
		esc(f, cap);
		fputs("</figcaption><div class=\"side\"><div>", f);
		esc(f, T("As sealed"));
		fputs("<br>", f);
		if (p >= 0 && es_report_page_picture(buf, s->signed_length, p, HTML_DPI, s, 0, &a)) {
			img_tag(f, &a, T("As sealed"));
			es_image_clear(&a);
		} else
			esc(f, T("(this page did not exist when the document was sealed)"));
		fputs("</div><div>", f);
		esc(f, T("Now"));
		fputs("<br>", f);
		if (es_report_page_picture(buf, len, p, HTML_DPI, s, 1, &b)) {
			img_tag(f, &b, T("Now"));
			es_image_clear(&b);
		}
		fputs("</div></div></figure>\n", f);
	}
	if (n == 0 && s->page >= 0 &&
	    es_report_page_picture(buf, s->signed_length > 0 ? s->signed_length : len, s->page, HTML_DPI, s, 0, &b)) {
		snprintf(cap, sizeof(cap), "%s %d: %s", T("Page"), s->page + 1, T("the seal is outlined in blue"));
		fputs("<figure class=\"page\"><figcaption>", f);
		esc(f, cap);
		fputs("</figcaption>", f);
		img_tag(f, &b, cap);
		es_image_clear(&b);
		fputs("</figure>\n", f);
	}
}

static void seal_html(FILE *f, const eseal_seal_report *s, size_t idx, const unsigned char *buf, size_t len,
		      const char *lang)
{
	eseal_indication ind = es_seal_effective(s);
	char t[96], t2[96], line[160], *covers = es_seal_covers(s, lang);
	size_t j;

	fprintf(f, "<section class=\"seal %s\"><h3>", verdict_class(ind));
	snprintf(line, sizeof(line), "%s %zu", strcmp(s->type, "signature") == 0 ? T("Seal") : T("Document time-stamp"),
		 idx + 1);
	esc(f, line);
	fputs(": <span class=\"word\">", f);
	esc(f, es_verdict_words(ind, lang));
	fputs("</span></h3>\n<p class=\"why\">", f);
	esc(f, es_seal_why(s, lang));
	fputs("</p>\n<table class=\"facts\">\n", f);
	row(f, "org", T("Sealed by"), s->organization);
	row(f, "orgid", T("Organization identifier"), s->organization_identifier);
	row(f, "kind", T("Certificate"), es_cert_kind_words(s->cert_kind, lang));
	if (s->timestamp_time != 0 || s->best_signature_time != 0)
		row(f, "time", T("Sealed at (proven by a time-stamp)"),
		    es_local_time(s->best_signature_time != 0 ? s->best_signature_time : s->timestamp_time, t, sizeof(t)));
	else {
		snprintf(line, sizeof(line), "%s %s", T("No time-stamp; the time the sealer claims:"),
			 es_local_time(s->signing_time, t, sizeof(t)));
		row(f, "time", T("Sealed at"), line);
	}
	row(f, "covers", T("Covers"), covers);
	if (s->page >= 0) {
		snprintf(line, sizeof(line), "%s %d", T("Page"), s->page + 1);
		row(f, "where", T("Seal shown on"), line);
	}
	row(f, "level", T("Level"), s->level != NULL ? s->level : T("none reached"));
	if (s->renew_by != 0) {
		snprintf(line, sizeof(line), "%s (%s)", es_local_time(s->renew_by, t, sizeof(t)),
			 T("extend it with eseal extend before then"));
		row(f, "renew", T("Can be relied on until"), line);
	}
	fputs("</table>\n", f);
	free(covers);
	if (buf != NULL && strcmp(s->format, "PAdES") == 0)
		seal_pictures(f, s, buf, len, lang);
	fputs("<h4>", f);
	esc(f, T("Chain of trust"));
	fputs("</h4>\n", f);
	if (s->n_chain == 0) {
		fputs("<p>", f);
		esc(f, T("No chain to a trusted authority was found."));
		fputs("</p>\n", f);
	} else {
		fputs("<ol class=\"chain\">\n", f);
		for (j = 0; j < s->n_chain; j++) {
			fputs("<li>", f);
			esc(f, s->chain[j].subject);
			snprintf(line, sizeof(line), " (%s %s – %s)%s", T("valid"),
				 es_local_time(s->chain[j].not_before, t, sizeof(t)),
				 es_local_time(s->chain[j].not_after, t2, sizeof(t2)),
				 j + 1 == s->n_chain ? T(" — trust anchor") : "");
			esc(f, line);
			fputs("</li>\n", f);
		}
		fputs("</ol>\n", f);
	}
	fputs("<details><summary>", f);
	esc(f, T("Technical details"));
	fputs("</summary><table class=\"tech\">\n", f);
	row(f, "t", "format", s->format);
	row(f, "t", "type", s->type);
	row(f, "t", "id", s->id);
	row(f, "t", "indication", eseal_indication_name(s->indication));
	row(f, "t", "sub-indication", eseal_sub_indication_name(s->sub_indication));
	row(f, "t", "modified after sealing", s->modified_after ? "yes" : "no");
	row(f, "t", "subject", s->subject);
	row(f, "t", "issuer", s->issuer);
	row(f, "t", "serial", s->serial);
	row(f, "t", "coverage", s->coverage);
	row(f, "t", "signing time (claimed, UTC)", s->signing_time ? es_fmt_time(s->signing_time, t, sizeof(t)) : NULL);
	row(f, "t", "time-stamp (UTC)", s->timestamp_time ? es_fmt_time(s->timestamp_time, t, sizeof(t)) : NULL);
	for (j = 0; j < s->n_visual_changes; j++) {
		snprintf(line, sizeof(line), "page %d [%.1f %.1f %.1f %.1f] pt", s->visual_changes[j].page + 1,
			 s->visual_changes[j].x0, s->visual_changes[j].y0, s->visual_changes[j].x1,
			 s->visual_changes[j].y1);
		row(f, "t", "visual change", line);
	}
	for (j = 0; j < s->n_errors; j++)
		row(f, "err", "error", s->errors[j]);
	for (j = 0; j < s->n_warnings; j++)
		row(f, "warn", "warning", s->warnings[j]);
	fputs("</table></details></section>\n", f);
}

int es_report_html(FILE *f, const eseal_report *const *reports, const unsigned char *const *bufs, const size_t *lens,
		   size_t n, const char *lang)
{
	eseal_indication worst = es_reports_overall(reports, n);
	const char *ja = eseal_text(lang, "en");
	char t[96];
	size_t i, j;

	/* The catalog's translation of "en" names the report's language (ja.po: "ja"). */
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">\n<title>", strcmp(ja, "ja") == 0 ? "ja" : "en");
	esc(f, T("Verification report"));
	fputs("</title>\n<style>\n"
	      "body{font-family:'Noto Sans CJK JP','IPAGothic',sans-serif;margin:2em;color:#222;max-width:1300px}\n"
	      ".verdict{font-size:1.6em;padding:.6em 1em;border-radius:6px;margin:1em 0}\n"
	      ".valid{border-left:8px solid #1a7f37}.invalid{border-left:8px solid #c62828}"
	      ".undecided{border-left:8px solid #b26a00}\n"
	      ".verdict.valid{background:#e6f4ea}.verdict.invalid{background:#fdecea}.verdict.undecided{background:#fff4e0}\n"
	      ".seal{padding:.2em 1em;margin:1em 0;background:#fafafa}\n"
	      ".valid .word{color:#1a7f37}.invalid .word{color:#c62828}.undecided .word{color:#b26a00}\n"
	      "table{border-collapse:collapse}th,td{text-align:left;vertical-align:top;padding:.2em .8em}"
	      "th{color:#555;font-weight:normal}\n"
	      ".side{display:flex;gap:1em}.side img,.page img{border:1px solid #999;max-width:100%}\n"
	      ".changed{color:#c62828;font-weight:bold}.tech td{font-family:monospace;word-break:break-all}\n"
	      "</style></head><body>\n<h1>",
	      f);
	esc(f, T("Verification report"));
	fprintf(f, "</h1>\n<div id=\"verdict\" class=\"verdict %s\"><strong>", verdict_class(worst));
	esc(f, es_verdict_words(worst, lang));
	fputs("</strong> — ", f);
	esc(f, es_report_headline_why(reports, n, worst, lang));
	fputs("</div>\n<p class=\"when\">", f);
	esc(f, T("Checked at"));
	fputs(": ", f);
	esc(f, es_local_time(es_reports_validation_time(reports, n), t, sizeof(t)));
	fputs("</p>\n", f);
	for (i = 0; i < n; i++) {
		const eseal_report *r = reports[i];
		char *uncovered;

		fprintf(f, "<section class=\"file %s\"><h2>", verdict_class(eseal_report_overall(r)));
		esc(f, T("File"));
		fputs(": ", f);
		esc(f, r->file);
		fputs("</h2>\n", f);
		if (r->error != NULL || r->n_seals == 0) {
			fputs("<p class=\"why\">", f);
			esc(f, T("This file could not be checked:"));
			fputs(" ", f);
			esc(f, r->error != NULL ? r->error : T("no seal found"));
			fputs("</p>\n", f);
		}
		if ((uncovered = es_report_not_covered(r, lang)) != NULL) {
			fputs("<p class=\"why notcovered\">", f);
			esc(f, uncovered);
			fputs("</p>\n", f);
			free(uncovered);
		}
		for (j = 0; j < r->n_seals; j++)
			seal_html(f, &r->seals[j], j, bufs[i], lens[i], lang);
		fputs("</section>\n", f);
	}
	fputs("</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}
