/* report/report_pdf.c: the PDF report, drawn by the renderer module (cairo and pango; Japanese in Noto Sans CJK or
 * IPA Gothic): the same content and order as the HTML report, on A4 pages, pictures of sealed pages included. */
#include "report_internal.h"
#include "core/error_internal.h"

#include <stdlib.h>
#include <string.h>

#define T(msgid) eseal_text(lang, (msgid))
#define PAGE_W 595.0
#define PAGE_H 842.0
#define MARGIN 48.0
#define PICTURE_DPI 100.0
#define FONT "Noto Sans CJK JP, IPAGothic, sans-serif"

typedef struct {
	const es_render_ops *ops;
	es_render_paper *paper;
	double y;
} pdf_ctx;

static void new_page_if(pdf_ctx *c, double need)
{
	if (c->y + need > PAGE_H - MARGIN && c->y > MARGIN) {
		c->ops->paper_next_page(c->paper);
		c->y = MARGIN;
	}
}

/* A paragraph of plain text (never markup: certificate names are not trusted), wrapped to the text width. */
static void para(pdf_ctx *c, const char *text, double size, int bold, double r, double g, double b, double indent)
{
	const double rgb[3] = {r, g, b};
	double width = PAGE_W - 2 * MARGIN - indent, h;

	text = text != NULL ? text : "-";
	h = c->ops->paper_text(c->paper, text, FONT, size, bold, width, 0, 0, 0, rgb);
	new_page_if(c, h);
	c->ops->paper_text(c->paper, text, FONT, size, bold, width, 1, MARGIN + indent, c->y, rgb);
	c->y += h + size * 0.3;
}

static void fact(pdf_ctx *c, const char *label, const char *value)
{
	char *line = NULL;

	if (asprintf(&line, "%s: %s", label, value != NULL && value[0] != '\0' ? value : "-") < 0)
		return;
	para(c, line, 10, 0, 0.1, 0.1, 0.1, 12);
	free(line);
}

static void verdict_rgb(eseal_indication ind, double rgb[3])
{
	rgb[0] = ind == ESEAL_TOTAL_PASSED ? 0.10 : ind == ESEAL_TOTAL_FAILED ? 0.78 : 0.70;
	rgb[1] = ind == ESEAL_TOTAL_PASSED ? 0.50 : ind == ESEAL_TOTAL_FAILED ? 0.16 : 0.42;
	rgb[2] = ind == ESEAL_TOTAL_PASSED ? 0.22 : ind == ESEAL_TOTAL_FAILED ? 0.16 : 0.00;
}

/* Draws img at x, scaled to width w (points); returns its height. */
static double picture(pdf_ctx *c, const es_image *img, double x, double w)
{
	double k = w / img->width;

	c->ops->paper_image(c->paper, img, x, c->y, k);
	return img->height * k;
}

static void seal_pictures(pdf_ctx *c, const eseal_seal_report *s, const unsigned char *buf, size_t len,
			  const char *lang)
{
	int pages[ES_VISUAL_MAX_PAGES], n = 0, i;
	size_t j;
	double half = (PAGE_W - 2 * MARGIN - 12) / 2, h = 0, hb;
	es_image a, b;
	int have_a, have_b;
	char cap[256];

	for (j = 0; j < s->n_visual_changes && n < ES_VISUAL_MAX_PAGES; j++) {
		for (i = 0; i < n && pages[i] != s->visual_changes[j].page; i++)
			;
		if (i == n)
			pages[n++] = s->visual_changes[j].page;
	}
	if (n > 0)
		para(c, T("What a reader sees was changed after sealing. Left: the page as sealed; right: the page now, "
			  "changed areas outlined in red."),
		     10, 1, 0.78, 0.16, 0.16, 0);
	for (i = 0; i < n; i++) {
		have_a = es_report_page_picture(buf, s->signed_length, pages[i], PICTURE_DPI, s, 0, &a);
		have_b = es_report_page_picture(buf, len, pages[i], PICTURE_DPI, s, 1, &b);
		if (have_b) {
			/* Caption and pictures on one page. */
			new_page_if(c, 24 + half * b.height / b.width);
			snprintf(cap, sizeof(cap), "%s %d: %s | %s", T("Page"), pages[i] + 1, T("As sealed"), T("Now"));
			para(c, cap, 10, 1, 0.2, 0.2, 0.2, 0);
			new_page_if(c, half * b.height / b.width);
			h = have_a ? picture(c, &a, MARGIN, half) : 0;
			hb = picture(c, &b, MARGIN + half + 12, half);
			c->y += (hb > h ? hb : h) + 8;
		}
		es_image_clear(&a);
		es_image_clear(&b);
	}
	if (n == 0 && s->page >= 0 &&
	    es_report_page_picture(buf, s->signed_length > 0 ? s->signed_length : len, s->page, PICTURE_DPI, s, 0,
				   &b)) {
		new_page_if(c, 24 + half * b.height / b.width);
		snprintf(cap, sizeof(cap), "%s %d: %s", T("Page"), s->page + 1, T("the seal is outlined in blue"));
		para(c, cap, 10, 1, 0.2, 0.2, 0.2, 0);
		new_page_if(c, half * b.height / b.width);
		c->y += picture(c, &b, MARGIN, half) + 8;
		es_image_clear(&b);
	}
}

static void seal_pdf(pdf_ctx *c, const eseal_seal_report *s, size_t idx, const unsigned char *buf, size_t len,
		     const char *lang)
{
	eseal_indication ind = es_seal_effective(s);
	char t[96], t2[96], line[512], *covers = es_seal_covers(s, lang);
	double rgb[3];
	size_t j;

	verdict_rgb(ind, rgb);
	snprintf(line, sizeof(line), "%s %zu", strcmp(s->type, "signature") == 0 ? T("Seal") : T("Document time-stamp"),
		 idx + 1);
	snprintf(line + strlen(line), sizeof(line) - strlen(line), ": %s", es_verdict_words(ind, lang));
	para(c, line, 13, 1, rgb[0], rgb[1], rgb[2], 0);
	para(c, es_seal_why(s, lang), 10, 0, 0.1, 0.1, 0.1, 12);
	fact(c, T("Sealed by"), s->organization);
	fact(c, T("Organization identifier"), s->organization_identifier);
	fact(c, T("Certificate"), es_cert_kind_words(s->cert_kind, lang));
	if (s->timestamp_time != 0 || s->best_signature_time != 0)
		fact(c, T("Sealed at (proven by a time-stamp)"),
		     es_local_time(s->best_signature_time != 0 ? s->best_signature_time : s->timestamp_time, t, sizeof(t)));
	else {
		snprintf(line, sizeof(line), "%s %s", T("No time-stamp; the time the sealer claims:"),
			 es_local_time(s->signing_time, t, sizeof(t)));
		fact(c, T("Sealed at"), line);
	}
	fact(c, T("Covers"), covers);
	free(covers);
	if (s->page >= 0) {
		snprintf(line, sizeof(line), "%s %d", T("Page"), s->page + 1);
		fact(c, T("Seal shown on"), line);
	}
	fact(c, T("Level"), s->level != NULL ? s->level : T("none reached"));
	if (s->renew_by != 0) {
		snprintf(line, sizeof(line), "%s (%s)", es_local_time(s->renew_by, t, sizeof(t)),
			 T("extend it with eseal extend before then"));
		fact(c, T("Can be relied on until"), line);
	}
	if (buf != NULL && strcmp(s->format, "PAdES") == 0)
		seal_pictures(c, s, buf, len, lang);
	para(c, T("Chain of trust"), 11, 1, 0.2, 0.2, 0.2, 0);
	if (s->n_chain == 0)
		para(c, T("No chain to a trusted authority was found."), 10, 0, 0.1, 0.1, 0.1, 12);
	for (j = 0; j < s->n_chain; j++) {
		snprintf(line, sizeof(line), "%zu. %s (%s %s – %s)%s", j + 1, s->chain[j].subject ? s->chain[j].subject : "?",
			 T("valid"), es_local_time(s->chain[j].not_before, t, sizeof(t)),
			 es_local_time(s->chain[j].not_after, t2, sizeof(t2)),
			 j + 1 == s->n_chain ? T(" — trust anchor") : "");
		para(c, line, 9, 0, 0.1, 0.1, 0.1, 12);
	}
	para(c, T("Technical details"), 11, 1, 0.2, 0.2, 0.2, 0);
	snprintf(line, sizeof(line), "%s %s %s: %s%s%s", s->format, s->type, s->id ? s->id : "",
		 eseal_indication_name(s->indication), s->sub_indication ? " / " : "",
		 s->sub_indication ? eseal_sub_indication_name(s->sub_indication) : "");
	para(c, line, 8, 0, 0.3, 0.3, 0.3, 12);
	if (s->subject != NULL)
		para(c, s->subject, 8, 0, 0.3, 0.3, 0.3, 12);
	if (s->coverage != NULL)
		para(c, s->coverage, 8, 0, 0.3, 0.3, 0.3, 12);
	for (j = 0; j < s->n_visual_changes; j++) {
		snprintf(line, sizeof(line), "visual change: page %d [%.1f %.1f %.1f %.1f] pt", s->visual_changes[j].page + 1,
			 s->visual_changes[j].x0, s->visual_changes[j].y0, s->visual_changes[j].x1,
			 s->visual_changes[j].y1);
		para(c, line, 8, 0, 0.3, 0.3, 0.3, 12);
	}
	for (j = 0; j < s->n_errors; j++)
		para(c, s->errors[j], 8, 0, 0.6, 0.1, 0.1, 12);
	for (j = 0; j < s->n_warnings; j++)
		para(c, s->warnings[j], 8, 0, 0.45, 0.35, 0.0, 12);
	c->y += 8;
}

static int to_file(void *closure, const unsigned char *data, size_t len)
{
	return fwrite(data, 1, len, closure) == len ? 0 : -1;
}

int es_report_pdf(FILE *f, const eseal_report *const *reports, const unsigned char *const *bufs, const size_t *lens,
		  size_t n, const char *lang)
{
	eseal_indication worst = es_reports_overall(reports, n);
	pdf_ctx c;
	char line[512], t[96];
	double rgb[3];
	size_t i, j;
	int rc;

	eseal_error err;

	eseal_error_clear(&err);
	if (es_render_ops_get(&c.ops, &err) != ESEAL_OK ||
	    (c.paper = c.ops->paper_new(to_file, f, PAGE_W, PAGE_H, T("Verification report"), "eseal")) == NULL)
		return -1;
	c.y = MARGIN;
	para(&c, T("Verification report"), 18, 1, 0.1, 0.1, 0.1, 0);
	verdict_rgb(worst, rgb);
	para(&c, es_verdict_words(worst, lang), 22, 1, rgb[0], rgb[1], rgb[2], 0);
	para(&c, es_report_headline_why(reports, n, worst, lang), 11, 0, rgb[0], rgb[1], rgb[2], 0);
	snprintf(line, sizeof(line), "%s: %s", T("Checked at"),
		 es_local_time(es_reports_validation_time(reports, n), t, sizeof(t)));
	para(&c, line, 10, 0, 0.3, 0.3, 0.3, 0);
	for (i = 0; i < n; i++) {
		const eseal_report *r = reports[i];
		char *uncovered;

		c.y += 6;
		snprintf(line, sizeof(line), "%s: %s", T("File"), r->file);
		para(&c, line, 14, 1, 0.1, 0.1, 0.1, 0);
		if (r->error != NULL || r->n_seals == 0) {
			snprintf(line, sizeof(line), "%s %s", T("This file could not be checked:"),
				 r->error != NULL ? r->error : T("no seal found"));
			para(&c, line, 10, 0, 0.7, 0.42, 0, 12);
		}
		if ((uncovered = es_report_not_covered(r, lang)) != NULL) {
			para(&c, uncovered, 10, 0, 0.7, 0.42, 0, 12);
			free(uncovered);
		}
		for (j = 0; j < r->n_seals; j++)
			seal_pdf(&c, &r->seals[j], j, bufs[i], lens[i], lang);
	}
	rc = c.ops->paper_finish(c.paper) == 0 && !ferror(f) ? 0 : -1;
	return rc;
}
