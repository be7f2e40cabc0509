/* pdf/pdf_seal_lexed_update.c: the objects a new field changes (the page's /Annots, /AcroForm, the catalog) written
 * from the original's own bytes, for a document pdf_seal_lexed.c read: keys in order, values copied as they are. */
#include "pdf_seal_internal.h"
#include "core/error_internal.h"

#include <stdio.h>
#include <string.h>

static int is_skipped(const char *key, const char *const *skip)
{
	for (; skip != NULL && *skip != NULL; skip++)
		if (strcmp(key, *skip) == 0)
			return 1;
	return 0;
}

/* "<< key value ... extra >>" as es_pdf_dict_rewrite writes it, without the keys in skip and those whose value is
 * null (an absent key to a reader). Keys longer than the lexer's names are never skipped, nor are they keys a seal
 * changes. extra comes with its length: it may carry the original's own bytes, and a literal string may hold a NUL.
 * 0, or -1 when dict is not a dictionary. */
static int dict_rewrite(const es_pdf_val *dict, const char *const *skip, const char *extra, size_t extra_len,
			es_buf *out)
{
	es_lex lx;
	es_tok key;
	es_dict_entry e;
	char why[160];

	if (dict->v.type != ES_VAL_DICT)
		return -1;
	es_lex_init(&lx, dict->p, dict->v.end, dict->v.start);
	if (es_lex_next(&lx, &key) != ES_TOK_DICT_OPEN)
		return -1;
	es_buf_puts(out, "<<");
	for (;;) {
		if (es_lex_next(&lx, &key) == ES_TOK_DICT_CLOSE)
			break;
		if (key.type != ES_TOK_NAME || es_lex_value(&lx, &e, why, sizeof(why)) != 0)
			return -1;
		if ((key.text[0] != '\0' && is_skipped(key.text, skip)) || e.type == ES_VAL_NULL)
			continue;
		es_buf_puts(out, " ");
		es_buf_append(out, dict->p + key.start, key.end - key.start);
		es_buf_puts(out, " ");
		es_buf_append(out, dict->p + e.start, e.end - e.start);
	}
	if (extra_len > 0) {
		es_buf_puts(out, " ");
		es_buf_append(out, extra, extra_len);
	}
	es_buf_puts(out, " >>");
	return 0;
}

/* "[ item ... extra ]" as es_pdf_array_rewrite writes it; extra is a reference. 0, or -1 when a is not an array. */
static int array_rewrite(const es_pdf_val *a, const char *extra, es_buf *out)
{
	es_pdf_val item;
	size_t pos = 0;
	int more;

	if (a->v.type != ES_VAL_ARRAY)
		return -1;
	es_buf_puts(out, "[");
	while ((more = es_pdf_val_next(a, &pos, &item)) == 1) {
		es_buf_puts(out, " ");
		es_buf_append(out, item.p + item.v.start, item.v.end - item.v.start);
		es_pdf_val_free(&item);
	}
	if (more < 0)
		return -1;
	if (extra != NULL) {
		es_buf_puts(out, " ");
		es_buf_puts(out, extra);
	}
	es_buf_puts(out, " ]");
	return 0;
}

/* A new revision of object (num, gen) holding text. */
static void replace(es_pdf_update *u, long long num, long long gen, const es_buf *text)
{
	es_pdf_update_begin_obj(u, num, (int)gen);
	es_buf_append(&u->buf, text->data, text->len);
	es_pdf_update_end_obj(u);
}

/* The lexed values were all read when the document was opened: what fails here is memory, or bytes that changed
 * their meaning between two reads of the same lexer (never). */
static int result(es_pdf_seal_ctx *c, int rc, const es_buf *b, eseal_error *err)
{
	if (rc != 0)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot rewrite a dictionary it has read", c->doc.path);
	return b->oom ? es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", c->doc.path) : ESEAL_OK;
}

int es_pdf_lexed_add_to_page(es_pdf_seal_ctx *c, long long field, eseal_error *err)
{
	struct es_pdf_lexed *l = c->doc.lexed;
	static const char *const skip[] = {"/Annots", NULL};
	es_buf text = {0}, extra = {0};
	char ref[48];
	int rc = 0;

	snprintf(ref, sizeof(ref), "%lld 0 R", field);
	if (l->annots_num != 0 && l->annots.v.type == ES_VAL_ARRAY && !l->annots_shared) {
		if ((rc = array_rewrite(&l->annots, ref, &text)) == 0)
			replace(&c->u, l->annots_num, l->annots_gen, &text);
	} else {
		es_buf_puts(&extra, "/Annots ");
		if (l->annots.v.type == ES_VAL_ARRAY)
			rc = array_rewrite(&l->annots, ref, &extra);
		else
			es_buf_printf(&extra, "[ %s ]", ref);
		if (rc == 0 && !extra.oom && (rc = dict_rewrite(&l->page, skip, extra.data, extra.len, &text)) == 0)
			replace(&c->u, l->page_num, l->page_gen, &text);
	}
	rc = result(c, rc, extra.oom ? &extra : &text, err);
	es_buf_free(&text);
	es_buf_free(&extra);
	return rc;
}

/* add_to_acroform of pdf_form.c over the lexed form. */
static int add_to_acroform(es_pdf_seal_ctx *c, long long field, es_buf *catalog_extra, eseal_error *err)
{
	struct es_pdf_lexed *l = c->doc.lexed;
	es_pdf_val flags;
	static const char *const skip[] = {"/Fields", "/SigFlags", NULL};
	static const char *const skip_sigflags[] = {"/SigFlags", NULL};
	es_buf text = {0}, extra = {0};
	char ref[48] = "";
	long long old_flags = 0, sigflags;
	int rc = 0;

	if (field != 0)
		snprintf(ref, sizeof(ref), "%lld 0 R", field);
	if (l->acro.v.type != ES_VAL_DICT) {
		es_buf_printf(catalog_extra, " /AcroForm << /Fields [ %s ] /SigFlags 3 >>", ref);
		return ESEAL_OK;
	}
	if (es_pdf_val_key(l->objs, &l->acro, "/SigFlags", 1, &flags, NULL, NULL) != 0)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot read /SigFlags again", c->doc.path);
	if (flags.v.type == ES_VAL_INT)
		old_flags = flags.v.num;
	es_pdf_val_free(&flags);
	sigflags = old_flags | 3;
	if (field == 0) {
		if (sigflags == old_flags)
			goto cleanup;
		es_buf_printf(&extra, "/SigFlags %lld", sigflags);
		rc = extra.oom ? 0 : dict_rewrite(&l->acro, skip_sigflags, extra.data, extra.len, &text);
	} else if (l->fields_num != 0 && l->fields.v.type == ES_VAL_ARRAY) {
		if ((rc = array_rewrite(&l->fields, ref, &text)) != 0)
			goto cleanup;
		replace(&c->u, l->fields_num, l->fields_gen, &text);
		es_buf_free(&text);
		es_buf_printf(&extra, "/SigFlags %lld", sigflags);
		rc = extra.oom ? 0 : dict_rewrite(&l->acro, skip_sigflags, extra.data, extra.len, &text);
	} else {
		if (l->fields.v.type == ES_VAL_ARRAY) {
			es_buf_puts(&extra, "/Fields ");
			rc = array_rewrite(&l->fields, ref, &extra);
		} else {
			es_buf_printf(&extra, "/Fields [ %s ]", ref);
		}
		es_buf_printf(&extra, " /SigFlags %lld", sigflags);
		if (rc == 0 && !extra.oom)
			rc = dict_rewrite(&l->acro, skip, extra.data, extra.len, &text);
	}
	if (rc != 0 || extra.oom)
		goto cleanup;
	if (l->acro_num != 0) {
		replace(&c->u, l->acro_num, l->acro_gen, &text);
	} else {
		es_buf_puts(catalog_extra, " /AcroForm ");
		es_buf_append(catalog_extra, text.data, text.len);
	}
cleanup:
	rc = result(c, rc, extra.oom ? &extra : &text, err);
	es_buf_free(&text);
	es_buf_free(&extra);
	return rc;
}

int es_pdf_lexed_form_update(es_pdf_seal_ctx *c, long long sig, long long field, eseal_error *err)
{
	struct es_pdf_lexed *l = c->doc.lexed;
	const eseal_pdf_options *o = c->opts;
	es_pdf_val perms = {0};
	es_buf catalog_extra = {0}, text = {0}, perms_extra = {0};
	static const char *const skip_docmdp[] = {"/DocMDP", NULL};
	static const char *const skip_catalog[] = {"/AcroForm", "/Perms", NULL};
	static const char *const skip_acro_only[] = {"/AcroForm", NULL};
	static const char *const skip_perms_only[] = {"/Perms", NULL};
	const char *const *skip = skip_catalog;
	int rc, acro_changed;

	if ((rc = add_to_acroform(c, field, &catalog_extra, err)) != ESEAL_OK)
		goto cleanup;
	acro_changed = catalog_extra.len > 0;
	if (o->certify != ESEAL_CERTIFY_NONE) {
		if (es_pdf_val_key(l->objs, &l->root, "/Perms", 1, &perms, NULL, NULL) != 0) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot read /Perms again", c->doc.path);
			goto cleanup;
		}
		es_buf_printf(&perms_extra, "/DocMDP %lld 0 R", sig);
		if (perms.v.type == ES_VAL_DICT) {
			es_buf_puts(&catalog_extra, " /Perms ");
			if (!perms_extra.oom)
				rc = dict_rewrite(&perms, skip_docmdp, perms_extra.data, perms_extra.len,
						  &catalog_extra);
		} else {
			es_buf_printf(&catalog_extra, " /Perms << %s >>", perms_extra.data);
		}
	}
	if (rc == ESEAL_OK && catalog_extra.len > 0 && !catalog_extra.oom) {
		if (o->certify == ESEAL_CERTIFY_NONE)
			skip = skip_acro_only;
		else if (!acro_changed)
			skip = skip_perms_only;
		if ((rc = dict_rewrite(&l->root, skip, catalog_extra.data + 1, catalog_extra.len - 1, &text)) == 0)
			replace(&c->u, l->root_num, l->root_gen, &text);
	}
	rc = result(c, rc, catalog_extra.oom ? &catalog_extra : perms_extra.oom ? &perms_extra : &text, err);
cleanup:
	es_pdf_val_free(&perms);
	es_buf_free(&catalog_extra);
	es_buf_free(&text);
	es_buf_free(&perms_extra);
	return rc;
}
