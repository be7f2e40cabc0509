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

int es_pdf_raw_contents(const es_pdf_xref *x, const unsigned char *buf, size_t len, int objid, int gen, size_t a,
			size_t b, unsigned char **out, size_t *out_len, char *why, size_t why_len)
{
	const es_pdf_xref_object *o = NULL;
	const es_dict_entry *c;
	es_lex lx;
	es_tok t1, t2, t3;
	es_dict d = {0};
	char lex_why[160];
	size_t i, k;
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
			 objid, o == NULL ? "no entry" : o->type == 2 ? "in an object stream, encrypted with it" : "a "
			 "free or other entry");
		return -1;
	}
	es_lex_init(&lx, buf, len, (size_t)o->offset);
	if (es_lex_next(&lx, &t1) != ES_TOK_INT || es_lex_next(&lx, &t2) != ES_TOK_INT ||
	    es_lex_next(&lx, &t3) != ES_TOK_WORD || strcmp(t3.text, "obj") != 0 || t1.ival != objid ||
	    t2.ival != gen || es_lex_dict(&lx, &d, lex_why, sizeof(lex_why)) != 0) {
		snprintf(why, why_len, "object %d is not a dictionary at offset %lld", objid, o->offset);
		goto cleanup;
	}
	c = es_dict_get(&d, "/Contents", &n);
	if (n != 1 || c->start != a || c->end != b) {
		snprintf(why, why_len,
			 n > 1 ? "the signature dictionary (object %d) gives /Contents %d times (signature wrapping?)" :
				 "the /ByteRange gap is not the /Contents of the signature dictionary (object %d) "
				 "(signature wrapping?)",
			 objid, n);
		goto cleanup;
	}
	if (b - a < 4 || buf[a] != '<' || buf[b - 1] != '>' || (b - a - 2) % 2 != 0 ||
	    (b - a - 2) / 2 > ES_PDF_MAX_CONTENTS) {
		snprintf(why, why_len, "the /Contents of object %d is not a hex string of at most %u bytes", objid,
			 ES_PDF_MAX_CONTENTS);
		goto cleanup;
	}
	*out_len = (b - a - 2) / 2;
	if ((*out = malloc(*out_len)) == NULL) {
		snprintf(why, why_len, "out of memory");
		goto cleanup;
	}
	for (k = 0; k < *out_len; k++) {
		int hi = hexv(buf[a + 1 + 2 * k]), lo = hexv(buf[a + 2 + 2 * k]);

		if (hi < 0 || lo < 0) {
			snprintf(why, why_len, "the /Contents of object %d holds a byte that is no hex digit", objid);
			free(*out);
			*out = NULL;
			goto cleanup;
		}
		(*out)[k] = (unsigned char)(hi << 4 | lo);
	}
	rc = 0;
cleanup:
	es_dict_free(&d);
	return rc;
}
