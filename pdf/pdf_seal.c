/* pdf/pdf_seal.c: eseal_pdf_seal: opens the original, assembles the update from its steps (signature dictionary,
 * field, form and catalog) and runs the signing pass, again with more room if the signature outgrew its estimate. */
#include "pdf_seal_internal.h"
#include "eseal/cms.h"
#include "eseal/output.h"
#include "eseal/pdf.h"
#include "core/error_internal.h"
#include "core/input_internal.h"
#include "pki/x509_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

int eseal_pdf_detect(const unsigned char *head, size_t len)
{
	size_t i;

	if (head == NULL)
		return 0;
	if (len > 1024)
		len = 1024;
	for (i = 0; i + 5 <= len; i++)
		if (memcmp(head + i, "%PDF-", 5) == 0)
			return 1;
	return 0;
}

static void read_subject(es_pdf_seal_ctx *c)
{
	X509 *cert = eseal_signer_certificate(c->opts->signer);

	c->org = es_x509_subject_attr(cert, NID_organizationName);
	c->org_id = es_x509_subject_attr(cert, NID_organizationIdentifier);
	if (c->org == NULL)
		c->org = es_x509_subject_attr(cert, NID_commonName);
}

static int build_update(es_pdf_seal_ctx *c, size_t reserve, eseal_error *err)
{
	es_pdf_doc *d = &c->doc;
	long long sig, field = 0;
	int rc;

	es_pdf_update_init(&c->u, d);
	sig = es_pdf_update_new_num(&c->u);
	es_pdf_sigdict_write(c, sig, reserve);
	rc = c->field != 0 ? es_pdf_field_fill(c, sig, err) : es_pdf_field_new(c, sig, &field, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	if ((rc = es_pdf_form_update(c, sig, field, err)) != ESEAL_OK)
		goto cleanup;
	rc = es_pdf_update_finish(&c->u, d, err);
cleanup:
	if (rc == ESEAL_OK && c->u.buf.oom)
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", d->path);
	return rc;
}

static int check_allowed(es_pdf_seal_ctx *c, eseal_error *err)
{
	if (c->opts->certify != ESEAL_CERTIFY_NONE && c->doc.n_signatures > 0)
		return es_error_set(err, ESEAL_E_INPUT,
				    "%s: already holds %d signature(s); a certifying seal must be the first signature",
				    c->doc.path, c->doc.n_signatures);
	if (c->doc.certified && c->doc.docmdp_p == 1)
		return es_error_set(err, ESEAL_E_INPUT,
				    "%s: certified with no changes allowed (DocMDP P=1); another seal would break it",
				    c->doc.path);
	return ESEAL_OK;
}

/* A seal into a new field of an unencrypted file is read by our own reader, which reads only the objects it changes;
 * everything else (a named field, a password, a file it does not read exactly as QPDF does) by QPDF. */
static int open_document(es_pdf_seal_ctx *c, const char *path, int fd, eseal_error *err)
{
	int rc;

	if (c->opts->field == NULL && c->opts->password == NULL) {
		rc = es_pdf_doc_open_lexed(&c->doc, path, fd, err);
		if (rc != 1 && (rc != ESEAL_OK || check_allowed(c, err) != ESEAL_OK || es_pdf_lexed_target(c) == 0))
			return rc; /* (check_allowed's refusal is check_allowed's again below) */
		es_pdf_doc_close(&c->doc);
		c->page_index = 0;
	}
	return es_pdf_doc_open(&c->doc, path, fd, c->opts->password, err);
}

/* Where the seal goes: the named field, else a new field eSealN on the chosen page. Even a document with exactly
 * one empty signature field gets a new one unless it is named: which field a seal fills is the user's decision. */
static int choose_target(es_pdf_seal_ctx *c, eseal_error *err)
{
	int rc;

	if (c->doc.lexed != NULL)
		return ESEAL_OK; /* (chosen as it was opened) */
	if (c->opts->field != NULL)
		return es_pdf_field_find(c, err);
	if ((rc = es_pdf_place_choose_page(c, err)) != ESEAL_OK)
		return rc;
	if (!es_pdf_new_field_name(&c->doc, c->field_name, sizeof(c->field_name)))
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", c->doc.path);
	return ESEAL_OK;
}

eseal_status eseal_pdf_seal(const char *in_path, const char *out_path, const eseal_pdf_options *opts, eseal_error *err)
{
	eseal_error_clear(err);
	return es_pdf_seal_reserving(in_path, out_path, opts, 0, err);
}

int es_pdf_seal_reserving(const char *in_path, const char *out_path, const eseal_pdf_options *opts,
			  size_t first_reserve, eseal_error *err)
{
	es_pdf_seal_ctx c;
	eseal_cms_options cmsopts;
	eseal_output *out = NULL;
	const EVP_MD *md;
	unsigned char digest[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int dlen = 0;
	size_t der_len = 0, reserve;
	int fd = -1, rc = ESEAL_OK, attempt;

	memset(&c, 0, sizeof(c));
	if (in_path == NULL || out_path == NULL || opts == NULL || opts->signer == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "PDF seal: input, output and signer are required");
	c.opts = opts;
	md = opts->md != NULL ? opts->md : EVP_sha256();
	if ((rc = es_input_open(in_path, &es_input_document, &fd, NULL, err)) != ESEAL_OK)
		return rc;
	if ((rc = open_document(&c, in_path, fd, err)) != ESEAL_OK)
		goto cleanup;
	if ((rc = check_allowed(&c, err)) != ESEAL_OK || (rc = choose_target(&c, err)) != ESEAL_OK)
		goto cleanup;
	read_subject(&c);
	c.now = time(NULL);
	memset(&cmsopts, 0, sizeof(cmsopts));
	cmsopts.md = md;
	cmsopts.add_signing_time = 0; /* PAdES: the claimed time is /M */
	cmsopts.signing_time = c.now;
	cmsopts.tsa = opts->tsa;
	reserve = first_reserve != 0 ? first_reserve : eseal_cms_max_size(opts->signer, &cmsopts);
	if (reserve == 0) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot size the signature", in_path);
		goto cleanup;
	}
	/* The estimate should always hold; if the token or TSA returns more, seal again with room for what came
	 * back rather than ever cutting the signature. */
	for (attempt = 0; attempt < 2; attempt++) {
		es_pdf_update_free(&c.u);
		eseal_output_free(out);
		out = NULL;
		OPENSSL_free(der);
		der = NULL;
		if ((rc = build_update(&c, reserve, err)) != ESEAL_OK ||
		    (rc = es_pdf_sigdict_patch_byterange(&c, err)) != ESEAL_OK)
			goto cleanup;
		if ((rc = eseal_output_open(&out, out_path, opts->overwrite, in_path, err)) != ESEAL_OK)
			goto cleanup;
		eseal_output_set_group(out, opts->output_group, opts->output_cookie);
		if ((rc = es_pdf_pass_write_and_hash(&c, fd, out, md, digest, &dlen, err)) != ESEAL_OK)
			goto cleanup;
		if ((rc = eseal_cms_sign_digest(opts->signer, &cmsopts, digest, dlen, &der, &der_len, err)) != ESEAL_OK)
			goto cleanup;
		if (der_len <= reserve)
			break;
		reserve = der_len + 2048;
	}
	/* Refuses a signature larger than this file's placeholder (if the second estimate failed too). */
	if ((rc = es_pdf_pass_patch_contents(&c, out, der, der_len, err)) != ESEAL_OK)
		goto cleanup;
	rc = eseal_output_commit(out, err);
cleanup:
	eseal_output_free(out);
	OPENSSL_free(der);
	es_pdf_update_free(&c.u);
	es_pdf_doc_close(&c.doc);
	free(c.org);
	free(c.org_id);
	if (fd >= 0)
		close(fd);
	return rc;
}
