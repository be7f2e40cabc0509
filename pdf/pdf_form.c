/* pdf/pdf_form.c: the document-level entries a seal changes: /AcroForm (a new field in /Fields, SigFlags 3) and,
 * for a certifying seal, the catalog's /Perms /DocMDP. Indirect objects are rewritten on their own; the catalog only
 * when something it holds directly changed, so the update stays as small as the change. */
#include "pdf_seal_internal.h"
#include "core/error_internal.h"

#include <stdio.h>
#include <string.h>

/* Adds field (0: none, sealing into an existing one) to /AcroForm /Fields with SigFlags 3 (SignaturesExist |
 * AppendOnly). What is direct travels with the catalog, which *catalog_extra then carries. */
static int add_to_acroform(es_pdf_seal_ctx *c, long long field, qpdf_oh root, es_buf *catalog_extra, eseal_error *err)
{
	es_pdf_doc *d = &c->doc;
	qpdf_oh acro = qpdf_oh_get_key(d->q, root, "/AcroForm");
	qpdf_oh fields = qpdf_oh_get_key_if_dict(d->q, acro, "/Fields");
	qpdf_oh flags = qpdf_oh_get_key_if_dict(d->q, acro, "/SigFlags");
	static const char *const skip[] = {"/Fields", "/SigFlags", NULL};
	static const char *const skip_sigflags[] = {"/SigFlags", NULL};
	es_buf text = {0}, extra = {0};
	char ref[48] = "";
	long long old_flags = qpdf_oh_is_integer(d->q, flags) ? qpdf_oh_get_int_value(d->q, flags) : 0;
	long long sigflags = old_flags | 3;
	int rc = ESEAL_OK;

	if (field != 0)
		snprintf(ref, sizeof(ref), "%lld 0 R", field);
	if (!qpdf_oh_is_dictionary(d->q, acro)) {
		es_buf_printf(catalog_extra, " /AcroForm << /Fields [ %s ] /SigFlags 3 >>", ref);
		goto cleanup;
	}
	if (field == 0) {
		/* The form already lists the field: only SigFlags may need to change. */
		if (sigflags == old_flags)
			goto cleanup;
		es_buf_printf(&extra, "/SigFlags %lld", sigflags);
		rc = es_pdf_dict_rewrite(d, acro, skip_sigflags, extra.data, &text, err);
	} else if (qpdf_oh_is_indirect(d->q, fields) && qpdf_oh_is_array(d->q, fields)) {
		/* The /Fields array is its own object: rewrite it; the AcroForm dict only for its SigFlags. */
		if ((rc = es_pdf_array_rewrite(d, fields, ref, &text, err)) != ESEAL_OK)
			goto cleanup;
		es_pdf_update_replace(&c->u, d->q, fields, &text);
		es_buf_free(&text);
		es_buf_printf(&extra, "/SigFlags %lld", sigflags);
		rc = es_pdf_dict_rewrite(d, acro, skip_sigflags, extra.data, &text, err);
	} else {
		if (qpdf_oh_is_array(d->q, fields)) {
			es_buf_puts(&extra, "/Fields ");
			rc = es_pdf_array_rewrite(d, fields, ref, &extra, err);
		} else {
			es_buf_printf(&extra, "/Fields [ %s ]", ref);
		}
		es_buf_printf(&extra, " /SigFlags %lld", sigflags);
		if (rc == ESEAL_OK && !extra.oom)
			rc = es_pdf_dict_rewrite(d, acro, skip, extra.data, &text, err);
	}
	if (rc != ESEAL_OK)
		goto cleanup;
	if (qpdf_oh_is_indirect(d->q, acro)) {
		es_pdf_update_replace(&c->u, d->q, acro, &text);
	} else {
		es_buf_puts(catalog_extra, " /AcroForm ");
		es_buf_append(catalog_extra, text.data, text.len);
	}
cleanup:
	qpdf_oh_release(d->q, acro);
	qpdf_oh_release(d->q, fields);
	qpdf_oh_release(d->q, flags);
	es_buf_free(&text);
	es_buf_free(&extra);
	return rc;
}

int es_pdf_form_update(es_pdf_seal_ctx *c, long long sig, long long field, eseal_error *err)
{
	es_pdf_doc *d = &c->doc;
	const eseal_pdf_options *o = c->opts;
	qpdf_oh root = 0, perms = 0;
	es_buf catalog_extra = {0}, text = {0}, perms_text = {0};
	static const char *const skip_catalog[] = {"/AcroForm", "/Perms", NULL};
	static const char *const skip_docmdp[] = {"/DocMDP", NULL};
	int rc, acro_changed;

	if (d->lexed != NULL)
		return es_pdf_lexed_form_update(c, sig, field, err);
	root = qpdf_get_root(d->q);
	if ((rc = add_to_acroform(c, field, root, &catalog_extra, err)) != ESEAL_OK)
		goto cleanup;
	acro_changed = catalog_extra.len > 0;
	if (o->certify != ESEAL_CERTIFY_NONE) {
		perms = qpdf_oh_get_key(d->q, root, "/Perms");
		es_buf_printf(&perms_text, "/DocMDP %lld 0 R", sig);
		if (qpdf_oh_is_dictionary(d->q, perms)) {
			es_buf extra = perms_text;

			memset(&perms_text, 0, sizeof(perms_text));
			rc = es_pdf_dict_rewrite(d, perms, skip_docmdp, extra.data, &perms_text, err);
			es_buf_free(&extra);
			if (rc != ESEAL_OK)
				goto cleanup;
			es_buf_puts(&catalog_extra, " /Perms ");
			es_buf_append(&catalog_extra, perms_text.data, perms_text.len);
		} else {
			es_buf_printf(&catalog_extra, " /Perms << %s >>", perms_text.data);
		}
	}
	if (catalog_extra.len > 0) {
		const char *const *skip = skip_catalog;
		static const char *const skip_acro_only[] = {"/AcroForm", NULL};
		static const char *const skip_perms_only[] = {"/Perms", NULL};

		if (o->certify == ESEAL_CERTIFY_NONE)
			skip = skip_acro_only;
		else if (!acro_changed)
			skip = skip_perms_only;
		if ((rc = es_pdf_dict_rewrite(d, root, skip, catalog_extra.data + 1, &text, err)) != ESEAL_OK)
			goto cleanup;
		es_pdf_update_replace(&c->u, d->q, root, &text);
	}
cleanup:
	qpdf_oh_release(d->q, root);
	qpdf_oh_release(d->q, perms);
	es_buf_free(&catalog_extra);
	es_buf_free(&text);
	es_buf_free(&perms_text);
	return rc;
}
