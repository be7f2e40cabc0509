/* pdf/pdf_doc_ts.c: the document time-stamp revision of PAdES B-LTA (ETSI EN 319 142-1 5.4): an invisible signature
 * field whose value is a /DocTimeStamp dictionary holding an RFC 3161 token over the ByteRange, as a seal's is made. */
#include "pdf_extend_internal.h"
#include "pdf_seal_internal.h"
#include "core/error_internal.h"

#include <string.h>

#include <openssl/crypto.h>

/* The update: signature dictionary, a new field with a widget of /Rect [0 0 0 0] on the first page (what
 * es_pdf_field_new makes for an invisible seal), the form's /Fields and /SigFlags. */
static int build_update(es_pdf_seal_ctx *c, size_t reserve, eseal_error *err)
{
	long long sig, field = 0;
	int rc;

	es_pdf_update_init(&c->u, &c->doc);
	sig = es_pdf_update_new_num(&c->u);
	es_pdf_sigdict_write_dts(c, sig, reserve);
	if ((rc = es_pdf_field_new(c, sig, &field, err)) != ESEAL_OK ||
	    (rc = es_pdf_form_update(c, sig, field, err)) != ESEAL_OK ||
	    (rc = es_pdf_update_finish(&c->u, &c->doc, err)) != ESEAL_OK)
		return rc;
	if (c->u.buf.oom)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", c->doc.path);
	return es_pdf_sigdict_patch_byterange(c, err);
}

int es_pdf_doc_ts_write(const char *path, int fd, const char *out_path, int overwrite, const char *in_path,
			eseal_tsa *tsa, const EVP_MD *md, eseal_output **out, time_t *gen_time, eseal_error *err)
{
	eseal_pdf_options none; /* no text, not visible, not certifying: the field and form steps read these */
	es_pdf_seal_ctx c;
	unsigned char digest[EVP_MAX_MD_SIZE], *token = NULL;
	unsigned int dlen = 0;
	size_t token_len = 0, reserve;
	int rc, attempt;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	memset(&none, 0, sizeof(none));
	c.opts = &none;
	if ((rc = es_pdf_doc_open(&c.doc, path, fd, NULL, err)) != ESEAL_OK)
		return rc;
	if (c.doc.certified && c.doc.docmdp_p == 1) {
		/* ETSI EN 319 142-1 permits DSS and document time-stamps after a P=1 certification, but readers that
		 * follow ISO 32000-1 alone report the new field as a forbidden change. */
		rc = es_error_set(err, ESEAL_E_INPUT,
				  "%s: certified with no changes allowed (DocMDP P=1); a document time-stamp would be "
				  "reported as a change by readers",
				  path);
		goto cleanup;
	}
	if ((rc = es_pdf_place_choose_page(&c, err)) != ESEAL_OK)
		goto cleanup;
	if (!es_pdf_new_field_name(&c.doc, c.field_name, sizeof(c.field_name))) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
		goto cleanup;
	}
	c.now = time(NULL);
	reserve = eseal_tsa_token_size_hint(tsa);
	/* As a seal: a token larger than its room is never cut; the revision is written again with room for it. */
	for (attempt = 0; attempt < 2; attempt++) {
		es_pdf_update_free(&c.u);
		eseal_output_free(*out);
		*out = NULL;
		OPENSSL_free(token);
		token = NULL;
		if ((rc = build_update(&c, reserve, err)) != ESEAL_OK ||
		    (rc = eseal_output_open(out, out_path, overwrite, in_path, err)) != ESEAL_OK ||
		    (rc = es_pdf_pass_write_and_hash(&c, fd, *out, md, digest, &dlen, err)) != ESEAL_OK)
			goto cleanup;
		/* The TSA client's message names the TSA, not the document a batch must report. */
		if ((rc = eseal_tsa_stamp_digest(tsa, digest, dlen, &token, &token_len, err)) != ESEAL_OK) {
			es_error_prefix(err, "%s: document time-stamp", in_path);
			goto cleanup;
		}
		if (token_len <= reserve)
			break;
		reserve = token_len + 1024;
	}
	if ((rc = es_pdf_pass_patch_contents(&c, *out, token, token_len, err)) != ESEAL_OK ||
	    (rc = eseal_tst_gen_time(token, token_len, gen_time, err)) != ESEAL_OK)
		goto cleanup;
cleanup:
	if (rc != ESEAL_OK) {
		eseal_output_free(*out);
		*out = NULL;
	}
	OPENSSL_free(token);
	es_pdf_update_free(&c.u);
	es_pdf_doc_close(&c.doc);
	return rc;
}
