/* pdf/pdf_verify_raw.c: a signature's /Contents as the file holds it, for encrypted files: the signature value is not
 * encrypted (ISO 32000), yet QPDF and Poppler decrypt it unless the dictionary says /Type /Sig (optional there). */
#include "pdf_verify_internal.h"

#include "pdf_lex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexv(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* n hex digits (n even) into *out, or -1 (nothing allocated) when one is not a digit. */
static int decode_hex(const unsigned char *p, size_t n, unsigned char **out, size_t *out_len)
{
	size_t k;
	int hi, lo;

	*out_len = n / 2;
	if ((*out = malloc(*out_len > 0 ? *out_len : 1)) == NULL)
		return -1;
	for (k = 0; k < *out_len; k++) {
		hi = hexv(p[2 * k]);
		lo = hexv(p[2 * k + 1]);
		if (hi < 0 || lo < 0) {
			free(*out);
			*out = NULL;
			return -1;
		}
		(*out)[k] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int es_pdf_raw_contents(const es_pdf_xref *x, const unsigned char *buf, size_t len, int objid, int gen, size_t a,
			size_t b, unsigned char **out, size_t *out_len, char *why, size_t why_len)
{
	const es_pdf_xref_object *o = NULL;
	const es_dict_entry *c;
	es_lex lx;
	es_tok t1, t2, t3;
	es_dict d = {0};
	char lex_why[160];
	unsigned char *now = NULL;
	size_t i, now_len = 0;
	int n = 0, rc = -1;

	*out = NULL;
	*out_len = 0;
	/* the entry a reader takes: the first read, from the last section back */
	for (i = 0; i < x->n_objects && o == NULL; i++)
		if (x->objects[i].num == (unsigned int)objid)
			o = &x->objects[i];
	if (o == NULL || o->type != 1 || o->gen != (unsigned int)gen || o->offset < 0 || (size_t)o->offset >= len) {
		snprintf(why, why_len,
			 "the signature dictionary (object %d) is not stored on its own in the file (%s), so its "
			 "/Contents is not the /ByteRange gap",
			 objid,
			 o == NULL    ? "no entry" :
			 o->type == 2 ? "in an object stream, encrypted with it" :
					"a free entry");
		return -1;
	}
	es_lex_init(&lx, buf, len, (size_t)o->offset);
	if (es_lex_next(&lx, &t1) != ES_TOK_INT || es_lex_next(&lx, &t2) != ES_TOK_INT ||
	    es_lex_next(&lx, &t3) != ES_TOK_WORD || strcmp(t3.text, "obj") != 0 || t1.ival != objid || t2.ival != gen ||
	    es_lex_dict(&lx, &d, lex_why, sizeof(lex_why)) != 0) {
		snprintf(why, why_len, "object %d is not a dictionary at offset %lld", objid, o->offset);
		goto cleanup;
	}
	c = es_dict_get(&d, "/Contents", &n);
	if (n > 1) {
		snprintf(why, why_len,
			 "the signature dictionary (object %d) gives /Contents %d times (signature wrapping?)", objid,
			 n);
		goto cleanup;
	}
	if (b - a < 4 || buf[a] != '<' || buf[b - 1] != '>' || (b - a - 2) % 2 != 0 ||
	    (b - a - 2) / 2 > ES_PDF_MAX_CONTENTS || decode_hex(buf + a + 1, b - a - 2, out, out_len) != 0) {
		snprintf(why, why_len, "the /ByteRange gap (bytes %zu-%zu) is not a hex string of at most %u bytes", a,
			 b, ES_PDF_MAX_CONTENTS);
		goto cleanup;
	}
	/* The dictionary as it stands now: its value at the gap, or (rewritten in a later update) the same value. */
	if (n == 0 || (c->start != a && (c->end - c->start != b - a ||
					 decode_hex(buf + c->start + 1, c->end - c->start - 2, &now, &now_len) != 0 ||
					 buf[c->start] != '<' || memcmp(now, *out, now_len) != 0))) {
		snprintf(why, why_len,
			 "the /ByteRange gap is not the /Contents of the signature dictionary (object %d) (signature "
			 "wrapping?)",
			 objid);
		free(*out);
		*out = NULL;
		goto cleanup;
	}
	rc = 0;
cleanup:
	free(now);
	es_dict_free(&d);
	return rc;
}
