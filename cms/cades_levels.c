/* cms/cades_levels.c: the CAdES levels above B-T as the verifier judges them: B-LT when the file alone proves every
 * certificate it relies on was good after the seal existed, B-LTA when archive time-stamps cover that proof. */
#include "cades_levels.h"

#include "cades_ats.h"
#include "verify_cms.h"
#include "core/input_internal.h"
#include "pki/chain.h"
#include "pki/evidence.h"
#include "pki/report.h"
#include "pki/revocation.h"
#include "pki/x509_text.h"
#include "timestamp/tst_verify.h"

#include <openssl/cms.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The OCSPResponse inside a RevocationInfoChoice other [id-ri-ocsp-response], or -1 for anything else. */
static int ocsp_of(es_der elem, es_der *resp)
{
	unsigned char want[16], tag;
	size_t wlen = es_der_oid(ES_OID_RI_OCSP, want, sizeof(want));
	const unsigned char *p = elem.p;
	es_der content, oid;

	if (wlen == 0 || es_der_read(&p, elem.p + elem.len, NULL, &tag, &content) != 0 || tag != 0xa1)
		return -1;
	p = content.p;
	if (es_der_read(&p, content.p + content.len, &oid, &tag, NULL) != 0 || tag != 0x06 || oid.len != wlen ||
	    memcmp(oid.p, want, wlen) != 0 || es_der_read(&p, content.p + content.len, resp, NULL, NULL) != 0)
		return -1;
	return 0;
}

void es_cades_carried_ocsps(const es_cms_der *c, es_evidence *ev)
{
	es_der resp;
	size_t i;

	for (i = 0; i < c->crls.n; i++)
		if (ocsp_of(c->crls.v[i], &resp) == 0)
			es_evidence_add_ocsp_der(ev, resp.p, resp.len);
}

/* The certificates, CRLs and OCSP responses of c an archive time-stamp covers (cov flags), as evidence. */
static es_evidence *covered_evidence(const es_cms_der *c, const unsigned char *cert_cov, const unsigned char *crl_cov)
{
	es_evidence *ev = es_evidence_new();
	es_der resp;
	size_t i;

	for (i = 0; ev != NULL && i < c->certs.n; i++)
		if (cert_cov[i])
			es_evidence_add_cert_der(ev, c->certs.v[i].p, c->certs.v[i].len);
	for (i = 0; ev != NULL && i < c->crls.n; i++) {
		if (!crl_cov[i])
			continue;
		if (ocsp_of(c->crls.v[i], &resp) == 0)
			es_evidence_add_ocsp_der(ev, resp.p, resp.len);
		else if (c->crls.v[i].p[0] == 0x30)
			es_evidence_add_crl_der(ev, c->crls.v[i].p, c->crls.v[i].len);
	}
	return ev;
}

static int cert_carried(STACK_OF(X509) * certs, X509 *x)
{
	int i;

	for (i = 0; i < sk_X509_num(certs); i++)
		if (X509_cmp(sk_X509_value(certs, i), x) == 0)
			return 1;
	return 0;
}

/* 1 when the file holds every certificate of chain and, for each below the anchor, an answer issued at or after
 * poe that says good; else 0 with why naming the first certificate missing it. */
static int chain_carried(const eseal_verifier *v, STACK_OF(X509) * chain, STACK_OF(X509) * certs, const es_evidence *ev,
			 time_t poe, const char *whose, char *why, size_t why_len)
{
	eseal_verifier off = *v;
	es_rev_result r;
	char name[256];
	int i, n = sk_X509_num(chain);

	/* only what the file carries counts: no fetch, no answer remembered from other files */
	off.offline = 1;
	off.rev_cache = NULL;
	for (i = 0; i < n; i++) {
		X509 *x = sk_X509_value(chain, i);

		es_x509_name_line(X509_get_subject_name(x), name, sizeof(name));
		if (!cert_carried(certs, x)) {
			snprintf(why, why_len, "the certificate %s of the %s chain is not in the CMS", name, whose);
			return 0;
		}
		if (i == n - 1)
			break; /* the anchor: trusted as such */
		es_revocation_status(&off, x, sk_X509_value(chain, i + 1), ev, certs, poe, &r);
		if (r.status != ES_REV_GOOD || r.this_upd < poe) {
			snprintf(
				why, why_len,
				"no revocation data issued after the time-stamp for the certificate %s of the %s chain%s%s",
				name, whose, r.status != ES_REV_GOOD ? ": " : "", r.status != ES_REV_GOOD ? r.why : "");
			return 0;
		}
	}
	return 1;
}

/* B-LT: the signer's chain at the time-stamp, and each signature time-stamp's TSA chain at its genTime. */
static int long_term_data(const eseal_verifier *v, CMS_ContentInfo *cms, X509 *signer, STACK_OF(X509) * certs,
			  const es_evidence *ev, time_t poe, char *why, size_t why_len)
{
	CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
	ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
	STACK_OF(X509) *chain = NULL;
	int idx = -1, ok = 0, n = 0;
	time_t gen = 0;
	char twhy[256];

	if (es_chain_build(v, signer, certs, poe, X509_PURPOSE_ANY, &chain) != X509_V_OK) {
		snprintf(why, why_len, "the signer's chain cannot be built at the time-stamp");
		return 0;
	}
	if (!chain_carried(v, chain, certs, ev, poe, "signer's", why, why_len))
		goto cleanup;
	while ((idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, idx)) >= 0) {
		X509_ATTRIBUTE *a = CMS_unsigned_get_attr(si, idx);
		ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(a, 0);

		sk_X509_pop_free(chain, X509_free);
		chain = NULL;
		if (t == NULL || t->type != V_ASN1_SEQUENCE ||
		    es_tst_verify(v, t->value.sequence->data, (size_t)t->value.sequence->length, sig->data,
				  (size_t)sig->length, ev, &gen, &chain, twhy, sizeof(twhy)) != 1)
			continue; /* es_cms_verify_signer judged it; an unusable token proves nothing here */
		n++;
		if (!chain_carried(v, chain, certs, ev, gen, "signature time-stamp TSA's", why, why_len))
			goto cleanup;
	}
	if (n == 0) {
		snprintf(why, why_len, "no valid signature time-stamp");
		goto cleanup;
	}
	ok = 1;
cleanup:
	sk_X509_pop_free(chain, X509_free);
	return ok;
}

static int hash_data(const es_cades_data *data, const EVP_MD *md, unsigned char *out, unsigned int *out_len)
{
	eseal_error e;

	if (data->path != NULL) {
		eseal_error_clear(&e);
		return es_input_digest(data->path, &es_input_document, md, out, out_len, &e) == ESEAL_OK ? 0 : -1;
	}
	return EVP_Digest(data->buf != NULL ? data->buf : (const unsigned char *)"", data->len, out, out_len, md,
			  NULL) ?
		       0 :
		       -1;
}

/* One archive-time-stamp-v3 (the k-th, from 1): 1 valid and proving its time, 0 not (reported into s). */
static int check_ats(const eseal_verifier *v, const es_cms_der *c, es_der token, size_t k, const es_evidence *ev,
		     const es_cades_data *data, unsigned char *cert_cov, unsigned char *crl_cov, eseal_seal_report *s)
{
	const EVP_MD *md = NULL, *tmd = es_tst_imprint_md(token.p, token.len);
	unsigned char dh[EVP_MAX_MD_SIZE], imprint[EVP_MAX_MD_SIZE];
	unsigned int dh_len = 0, imp_len = 0;
	STACK_OF(X509) *tsa_chain = NULL;
	char why[512], what[64];
	es_der index;
	time_t gen = 0;
	int rc, ok = 0;

	snprintf(what, sizeof(what), "archive time-stamp %zu", k);
	if (tmd == NULL || es_ats_token_index(token.p, token.len, &index, why, sizeof(why)) != 0) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "%s is malformed: %s", what,
			     tmd == NULL ? "not an RFC 3161 token" : why);
		return 0;
	}
	if (es_ats_index_check(c, index, &md, cert_cov, crl_cov, why, sizeof(why)) != 0) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_HASH_FAILURE, "%s invalid: %s", what, why);
		return 0;
	}
	if (EVP_MD_get_type(md) != EVP_MD_get_type(tmd)) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "%s: its hash index uses %s, its imprint %s (they must be the same)", what,
			     EVP_MD_get0_name(md), EVP_MD_get0_name(tmd));
		return 0;
	}
	if (hash_data(data, md, dh, &dh_len) != 0) {
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_SIGNED_DATA_NOT_FOUND,
			     "%s: the signed data cannot be read", what);
		return 0;
	}
	if (es_ats_imprint(c, md, dh, dh_len, index.p, index.len, imprint, &imp_len) != 0)
		return 0;
	rc = es_tst_verify_digest(v, token.p, token.len, imprint, imp_len, ev, &gen, &tsa_chain, why, sizeof(why));
	if (rc == 1)
		ok = es_tst_check_revocation(v, token.p, token.len, tsa_chain, ev, gen, what, s);
	else if (rc == 0)
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_HASH_FAILURE,
			     "%s invalid: %s (the signature, its data or what the time-stamp covers was changed)", what,
			     why);
	else
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND, "%s: %s", what, why);
	sk_X509_pop_free(tsa_chain, X509_free);
	return ok;
}

void es_cades_levels(const eseal_verifier *v, CMS_ContentInfo *cms, const es_cms_der *c, X509 *signer,
		     const es_evidence *ev, const es_cades_data *data, eseal_seal_report *s)
{
	STACK_OF(X509) *certs = CMS_get1_certs(cms);
	unsigned char *cert_cov = calloc(c->certs.n + 1, 1), *crl_cov = calloc(c->crls.n + 1, 1);
	es_evidence *covered = NULL;
	es_der_list ats = {0};
	char why[512];
	size_t i;
	int lta = 1;

	if (cert_cov == NULL || crl_cov == NULL)
		goto cleanup;
	if (es_cms_der_attr_values(c, ES_OID_ATS_V3, &ats) != 0) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "malformed unsigned attributes");
		goto cleanup;
	}
	/* every archive time-stamp is checked, whatever the level: a broken one means something it covered changed */
	for (i = 0; i < ats.n; i++)
		lta &= check_ats(v, c, ats.v[i], i + 1, ev, data, cert_cov, crl_cov, s);
	if (s->level == NULL || strcmp(s->level, "B-T") != 0 || s->indication == ESEAL_TOTAL_FAILED)
		goto cleanup;
	if (!long_term_data(v, cms, signer, certs, ev, s->timestamp_time, why, sizeof(why))) {
		if (c->crls.n > 0 || ats.n > 0)
			es_seal_warn(s, "not B-LT: %s", why);
		goto cleanup;
	}
	es_seal_set_str(&s->level, "B-LT");
	if (!lta || ats.n == 0)
		goto cleanup;
	/* B-LTA: the validation data B-LT rests on must itself be under an archive time-stamp, not added after */
	covered = covered_evidence(c, cert_cov, crl_cov);
	if (covered != NULL &&
	    long_term_data(v, cms, signer, covered->certs, covered, s->timestamp_time, why, sizeof(why)))
		es_seal_set_str(&s->level, "B-LTA");
	else
		es_seal_warn(s, "not B-LTA: the archive time-stamps do not cover the validation data (%s)",
			     covered != NULL ? why : "out of memory");
cleanup:
	es_evidence_free(covered);
	free(cert_cov);
	free(crl_cov);
	es_der_list_free(&ats);
	sk_X509_pop_free(certs, X509_free);
}
