/* pdf/pdf_sigdict.c: the signature value dictionary (ETSI.CAdES.detached, or a document time-stamp's ETSI.RFC3161)
 * with its placeholders: a blank ByteRange patched once the offsets are known, a zero-filled /Contents. */
#include "pdf_seal_internal.h"
#include "core/error_internal.h"

#include <stdio.h>
#include <string.h>

/* "[0 a b c]" is patched in once the offsets are known; 80 characters hold three 20-digit numbers. */
#define BYTERANGE_WIDTH 80

/* The /Reference entries: DocMDP for a certifying seal (ISO 32000-1 12.8.2.2), FieldMDP when the field sealed into
 * has a /Lock (12.8.2.4: its /Action and /Fields are copied, since a signature dictionary holds only direct
 * objects; table 253 requires /Data, an indirect reference to what the analysis is over: the catalog). */
static void write_references(es_pdf_seal_ctx *c, es_buf *b)
{
	const eseal_pdf_options *o = c->opts;
	qpdf_data q = c->doc.q;
	qpdf_oh action, fields;
	int i, n;

	if (o->certify == ESEAL_CERTIFY_NONE && c->lock == 0)
		return;
	es_buf_puts(b, "\n/Reference [");
	if (o->certify != ESEAL_CERTIFY_NONE)
		es_buf_printf(b,
			      "<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams "
			      "/P %d /V /1.2 >> >>",
			      o->certify == ESEAL_CERTIFY_NO_CHANGES ? 1 :
			      o->certify == ESEAL_CERTIFY_FORM_FILL  ? 2 :
								       3);
	if (c->lock != 0) {
		action = qpdf_oh_get_key(q, c->lock, "/Action");
		fields = qpdf_oh_get_key(q, c->lock, "/Fields");
		es_buf_printf(b,
			      "%s<< /Type /SigRef /TransformMethod /FieldMDP /Data %s /TransformParams << /Type "
			      "/TransformParams /Action %s",
			      o->certify != ESEAL_CERTIFY_NONE ? "\n" : "", c->doc.root_ref,
			      qpdf_oh_get_name(q, action));
		if (!qpdf_oh_is_name_and_equals(q, action, "/All")) {
			es_buf_puts(b, " /Fields [");
			n = qpdf_oh_get_array_n_items(q, fields);
			for (i = 0; i < n; i++) {
				qpdf_oh it = qpdf_oh_get_array_item(q, fields, i);

				es_buf_puts(b, " ");
				es_pdf_text_string(b, &c->doc.crypt, qpdf_oh_get_utf8_value(q, it));
				qpdf_oh_release(q, it);
			}
			es_buf_puts(b, " ]");
		}
		es_buf_puts(b, " /V /1.2 >> >>");
		qpdf_oh_release(q, action);
		qpdf_oh_release(q, fields);
	}
	es_buf_puts(b, "]");
}

/* The ByteRange placeholder, its place recorded in c. */
static void put_byterange(es_pdf_seal_ctx *c, es_buf *b)
{
	es_buf_puts(b, " /ByteRange ");
	c->byterange_rel = b->len;
	es_buf_fill(b, ' ', BYTERANGE_WIDTH);
}

/* The /Contents placeholder of reserve bytes, its place recorded in c. */
static void put_contents(es_pdf_seal_ctx *c, es_buf *b, size_t reserve)
{
	es_buf_puts(b, "\n/Contents ");
	c->contents_rel = b->len;
	es_buf_puts(b, "<");
	/* Zero-filled: what is left after the CMS is DER-neutral padding every verifier accepts. */
	es_buf_fill(b, '0', reserve * 2);
	es_buf_puts(b, ">");
	c->contents_len = b->len - c->contents_rel;
}

void es_pdf_sigdict_write_dts(es_pdf_seal_ctx *c, long long num, size_t reserve)
{
	es_buf *b = &c->u.buf;

	es_pdf_update_begin_obj(&c->u, num, 0);
	es_buf_puts(b, "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161");
	put_byterange(c, b);
	put_contents(c, b, reserve);
	es_buf_puts(b, "\n>>");
	es_pdf_update_end_obj(&c->u);
}

void es_pdf_sigdict_write(es_pdf_seal_ctx *c, long long num, size_t reserve)
{
	const eseal_pdf_options *o = c->opts;
	const struct {
		const char *key, *value;
	} text[] = {{"/Name", c->org}, {"/Reason", o->reason}, {"/Location", o->location}, {"/ContactInfo", o->contact}};
	es_buf *b = &c->u.buf;
	struct tm tm;
	char m[32];
	size_t i;

	gmtime_r(&c->now, &tm);
	strftime(m, sizeof(m), "D:%Y%m%d%H%M%S+00'00'", &tm);
	es_pdf_update_begin_obj(&c->u, num, 0);
	es_buf_puts(b, "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached");
	put_byterange(c, b);
	es_buf_puts(b, "\n/M ");
	es_pdf_text_string(b, &c->doc.crypt, m);
	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		if (text[i].value == NULL)
			continue;
		es_buf_printf(b, " %s ", text[i].key);
		es_pdf_text_string(b, &c->doc.crypt, text[i].value);
	}
	write_references(c, b);
	put_contents(c, b, reserve);
	es_buf_puts(b, "\n>>");
	es_pdf_update_end_obj(&c->u);
}

/* ByteRange [0 a b c]: everything but the /Contents hex string, its angle brackets included. */
int es_pdf_sigdict_patch_byterange(es_pdf_seal_ctx *c, eseal_error *err)
{
	unsigned long long a = (unsigned long long)c->u.base + c->contents_rel;
	unsigned long long b = a + c->contents_len;
	unsigned long long total = (unsigned long long)c->u.base + c->u.buf.len;
	char tmp[BYTERANGE_WIDTH + 1];
	int n;

	n = snprintf(tmp, sizeof(tmp), "[0 %llu %llu %llu]", a, b, total - b);
	if (n < 0 || n > BYTERANGE_WIDTH)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: ByteRange does not fit", c->doc.path);
	memcpy(c->u.buf.data + c->byterange_rel, tmp, (size_t)n);
	return ESEAL_OK;
}
