/* cms/cades_ltv.c: a CAdES .p7s raised to B-LT (validation data in SignedData certificates and crls) and B-LTA
 * (an archive-time-stamp-v3 over all of it), ETSI EN 319 122-1. The input is verified first and never modified. */
#include "cades_ats.h"
#include "cades_verify.h"
#include "ltv_collect.h"
#include "eseal/extend.h"
#include "core/error_internal.h"
#include "core/input_internal.h"
#include "pki/cms_der.h"
#include "pki/evidence.h"
#include "pki/renew.h"
#include "pki/report.h"

#include <stdlib.h>
#include <string.h>

/* A .p7s is read whole: it holds certificates and revocation data, never the document. */
static const es_input_role p7s_role = {"cannot read the signature", ESEAL_E_IO, ESEAL_E_INPUT, (size_t)64 << 20, 0};
static const es_input_role data_role = {"cannot read the signed data", ESEAL_E_IO, ESEAL_E_INPUT, 0, 0};

/* The verdict of the verifier as a status: what the extender must refuse before it adds anything. */
static eseal_status check_report(const eseal_report *r, const char *path, eseal_error *err)
{
	const eseal_seal_report *s;
	const char *why;

	if (r->error != NULL)
		return es_error_set(err, ESEAL_E_INPUT, "%s: %s", path, r->error);
	if (r->n_seals == 0)
		return es_error_set(err, ESEAL_E_INPUT, "%s: no signature found", path);
	s = &r->seals[0];
	why = s->n_errors > 0 ? s->errors[0] : "no reason given";
	if (s->indication == ESEAL_TOTAL_FAILED)
		return es_error_set(err, ESEAL_E_INPUT, "%s: the signature does not verify (TOTAL-FAILED): %s", path,
				    why);
	if (s->indication == ESEAL_INDETERMINATE) {
		switch (s->sub_indication) {
		case ESEAL_SUB_TRY_LATER:
			return es_error_set(err, ESEAL_E_TSA, "%s: the signature cannot be validated now: %s", path,
					    why);
		case ESEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND:
			return es_error_set(err, ESEAL_E_CONFIG, "%s: the signature's chain is not trusted: %s", path,
					    why);
		default:
			return es_error_set(err, ESEAL_E_INPUT,
					    "%s: the signature cannot be validated (INDETERMINATE): %s", path, why);
		}
	}
	if (s->timestamp_time == 0)
		return es_error_set(err, ESEAL_E_INPUT, "%s: needs a signature time-stamp (B-T) first", path);
	return ESEAL_OK;
}

static int add_elem(es_cms_der *c, es_der_list *l, const unsigned char *der, int len)
{
	if (len <= 0)
		return -1;
	if (es_der_list_has(l, der, (size_t)len))
		return 0;
	return es_cms_der_add_copy(c, l, der, (size_t)len);
}

/* An OCSP response as RevocationInfoChoice other [1] { id-ri-ocsp-response, OCSPResponse } (RFC 5940). */
static int add_ocsp(es_cms_der *c, OCSP_RESPONSE *resp)
{
	unsigned char oid[16], *der = NULL, *buf = NULL, *o;
	size_t olen = es_der_oid(ES_OID_RI_OCSP, oid, sizeof(oid)), body, total;
	int len = i2d_OCSP_RESPONSE(resp, &der), rc = -1;

	if (len <= 0 || olen == 0)
		goto cleanup;
	body = olen + (size_t)len;
	total = es_der_hdr_len(body) + body;
	if ((buf = malloc(total)) == NULL)
		goto cleanup;
	o = es_der_put_hdr(buf, 0xa1, body);
	memcpy(o, oid, olen);
	memcpy(o + olen, der, (size_t)len);
	rc = add_elem(c, &c->crls, buf, (int)total);
cleanup:
	OPENSSL_free(der);
	free(buf);
	return rc;
}

/* ev into c: certificates, CRLs, OCSP responses, each once. */
static eseal_status add_evidence(es_cms_der *c, const es_evidence *ev, eseal_error *err)
{
	unsigned char *der = NULL;
	int i, len, bad = 0;

	for (i = 0; !bad && i < sk_X509_num(ev->certs); i++) {
		len = i2d_X509(sk_X509_value(ev->certs, i), &der);
		bad = add_elem(c, &c->certs, der, len) != 0;
		OPENSSL_free(der);
		der = NULL;
	}
	for (i = 0; !bad && i < sk_X509_CRL_num(ev->crls); i++) {
		len = i2d_X509_CRL(sk_X509_CRL_value(ev->crls, i), &der);
		bad = add_elem(c, &c->crls, der, len) != 0;
		OPENSSL_free(der);
		der = NULL;
	}
	for (i = 0; !bad && i < sk_OCSP_RESPONSE_num(ev->ocsps); i++)
		bad = add_ocsp(c, sk_OCSP_RESPONSE_value(ev->ocsps, i)) != 0;
	return bad ? es_error_set(err, ESEAL_E_INTERNAL, "cannot add the validation data to the CMS") : ESEAL_OK;
}

/* Validation data for the TSA of the newest archive time-stamp of a B-LTA being renewed, into c. */
static eseal_status add_tst_evidence(const eseal_verifier *v, es_cms_der *c, const unsigned char *token,
				     size_t token_len, eseal_error *err)
{
	es_evidence *ev = es_evidence_new();
	time_t gen = 0;
	eseal_status rc;

	if (ev == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	rc = es_ltv_collect_tst(v, token, token_len, ev, &gen, err);
	if (rc == ESEAL_OK)
		rc = add_evidence(c, ev, err);
	else
		es_error_prefix(err, "archive time-stamp");
	es_evidence_free(ev);
	return rc;
}

/* The signed data hashed with md, as the message-digest attribute hashed it: the eContent, or the detached file. */
static eseal_status data_hash(const es_cms_der *c, const char *data_path, const EVP_MD *md, unsigned char *out,
			      unsigned int *out_len, eseal_error *err)
{
	if (c->econtent.p != NULL) {
		if (!EVP_Digest(c->econtent.p, c->econtent.len, out, out_len, md, NULL))
			return es_error_set_ossl(err, ESEAL_E_CRYPTO, "cannot hash the encapsulated content");
		return ESEAL_OK;
	}
	return es_input_digest(data_path, &data_role, md, out, out_len, err);
}

/* B-LTA: an archive-time-stamp-v3 over c as it is now. Its TSA's validation data comes with the next renewal: a
 * CRL issued after its genTime does not exist yet when it is made. */
static eseal_status add_ats(const eseal_extend_options *opts, es_cms_der *c, const char *data_path, eseal_error *err)
{
	const EVP_MD *md = eseal_tsa_md(opts->tsa);
	unsigned char dh[EVP_MAX_MD_SIZE], imprint[EVP_MAX_MD_SIZE], *index = NULL, *token = NULL, *tok2 = NULL;
	unsigned int dh_len = 0, imp_len = 0;
	size_t index_len = 0, token_len = 0, tok2_len = 0;
	char why[256];
	eseal_status rc;

	if (opts->md != NULL && EVP_MD_get_type(opts->md) != EVP_MD_get_type(md))
		return es_error_set(err, ESEAL_E_CONFIG,
				    "the archive time-stamp digest %s differs from the TSA client's %s",
				    EVP_MD_get0_name(opts->md), EVP_MD_get0_name(md));
	if ((rc = data_hash(c, data_path, md, dh, &dh_len, err)) != ESEAL_OK)
		return rc;
	if (es_ats_hash_index(c, md, &index, &index_len) != 0 ||
	    es_ats_imprint(c, md, dh, dh_len, index, index_len, imprint, &imp_len) != 0) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "cannot compute the archive time-stamp imprint");
		goto cleanup;
	}
	if ((rc = eseal_tsa_stamp_digest(opts->tsa, imprint, imp_len, &token, &token_len, err)) != ESEAL_OK) {
		es_error_prefix(err, "archive time-stamp");
		goto cleanup;
	}
	if (es_ats_token_add_index(token, token_len, index, index_len, &tok2, &tok2_len, why, sizeof(why)) != 0) {
		rc = es_error_set(err, ESEAL_E_TSA, "the TSA's token cannot take the ats-hash-index-v3: %s", why);
		goto cleanup;
	}
	if (es_cms_der_add_attr(c, ES_OID_ATS_V3, tok2, tok2_len) != 0) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "cannot add the archive-time-stamp-v3 attribute");
		goto cleanup;
	}
	rc = ESEAL_OK;
cleanup:
	free(index);
	OPENSSL_free(token);
	free(tok2);
	return rc;
}

eseal_status eseal_cades_extend(const char *p7s_path, const char *data_path, const char *out_path,
				const eseal_extend_options *opts, eseal_extend_result *result, eseal_error *err)
{
	eseal_output *out = NULL;
	eseal_report *r = NULL;
	es_evidence *ev = NULL;
	es_cms_der c;
	es_der_list ats = {0};
	unsigned char *p7s = NULL, *der = NULL;
	size_t p7s_len = 0, der_len = 0, n;
	char *derived = NULL, why[256];
	int already_lt;
	eseal_status rc;

	eseal_error_clear(err);
	memset(&c, 0, sizeof(c));
	if (result != NULL)
		memset(result, 0, sizeof(*result));
	if (p7s_path == NULL || out_path == NULL || opts == NULL || opts->verifier == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "CAdES extension needs a .p7s, an output and a verifier");
	if (opts->level != ESEAL_LEVEL_B_LT && opts->level != ESEAL_LEVEL_B_LTA)
		return es_error_set(err, ESEAL_E_USAGE, "a CAdES signature is extended to B-LT or B-LTA only");
	if (opts->level == ESEAL_LEVEL_B_LTA && opts->tsa == NULL)
		return es_error_set(err, ESEAL_E_CONFIG, "B-LTA needs a TSA for the archive time-stamp");
	/* The output first: a refused one (exists, is the input, a symlink) fails before any network request. */
	if ((rc = eseal_output_open(&out, out_path, opts->overwrite, p7s_path, err)) != ESEAL_OK)
		goto cleanup;
	if ((rc = es_input_read(p7s_path, &p7s_role, &p7s, &p7s_len, err)) != ESEAL_OK)
		goto cleanup;
	if (es_cms_der_parse(p7s, p7s_len, &c, why, sizeof(why)) != 0) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: not a CMS signature: %s", p7s_path, why);
		goto cleanup;
	}
	if (data_path == NULL && c.econtent.p == NULL) {
		n = strlen(p7s_path);
		if (n <= 4 || strcmp(p7s_path + n - 4, ".p7s") != 0) {
			rc = es_error_set(err, ESEAL_E_USAGE, "%s: detached signature: give its data file", p7s_path);
			goto cleanup;
		}
		if ((derived = strndup(p7s_path, n - 4)) == NULL) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
			goto cleanup;
		}
		data_path = derived;
	}

	/* 1. The signature must hold before anything is added to it. */
	if ((r = es_report_new(p7s_path)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	es_cades_verify(opts->verifier, p7s, p7s_len, data_path, NULL, 0, r);
	/* A current file: the output opened above is dropped unwritten. */
	if ((rc = check_report(r, p7s_path, err)) != ESEAL_OK || es_extend_is_current(opts, r, result))
		goto cleanup;

	/* 2. Validation data for the signer's chain and each signature time-stamp's TSA, issued after its genTime (not
	 * again when the file already carries it: the verifier found B-LT); for a B-LTA being renewed, for the TSA of
	 * its newest archive time-stamp. */
	if ((ev = es_evidence_new()) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	already_lt = r->seals[0].level != NULL && strncmp(r->seals[0].level, "B-LT", 4) == 0;
	if (!already_lt && (rc = es_ltv_collect_cms(opts->verifier, p7s, p7s_len, 0, ev, ev, err)) != ESEAL_OK) {
		es_error_prefix(err, "%s", p7s_path);
		goto cleanup;
	}
	if ((rc = add_evidence(&c, ev, err)) != ESEAL_OK)
		goto cleanup;
	if (es_cms_der_attr_values(&c, ES_OID_ATS_V3, &ats) != 0) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: malformed unsigned attributes", p7s_path);
		goto cleanup;
	}
	if (ats.n > 0 &&
	    (rc = add_tst_evidence(opts->verifier, &c, ats.v[ats.n - 1].p, ats.v[ats.n - 1].len, err)) != ESEAL_OK) {
		es_error_prefix(err, "%s", p7s_path);
		goto cleanup;
	}

	/* 3. B-LTA: a new archive time-stamp over all of it. */
	if (opts->level == ESEAL_LEVEL_B_LTA && (rc = add_ats(opts, &c, data_path, err)) != ESEAL_OK) {
		es_error_prefix(err, "%s", p7s_path);
		goto cleanup;
	}
	if (es_cms_der_encode(&c, &der, &der_len) != 0) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "cannot encode the extended CMS");
		goto cleanup;
	}
	if ((rc = eseal_output_write(out, der, der_len, err)) != ESEAL_OK)
		goto cleanup;
	eseal_output_set_group(out, opts->output_group, opts->output_cookie);
	rc = eseal_output_commit(out, err);
cleanup:
	es_der_list_free(&ats);
	es_cms_der_clear(&c);
	es_evidence_free(ev);
	eseal_report_free(r);
	eseal_output_free(out);
	free(p7s);
	free(der);
	free(derived);
	return rc;
}
