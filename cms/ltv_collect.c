/* cms/ltv_collect.c: the validation data a long-term seal (B-LT) carries: every certificate of the seal's and its
 * time-stamps' chains and, for each below the anchor, an OCSP response or CRL issued after the seal's time-stamp. */
#include "ltv_collect.h"

#include "core/error_internal.h"
#include "pki/chain.h"
#include "pki/chain_revocation.h"
#include "pki/evidence.h"
#include "pki/report.h"
#include "pki/revocation.h"
#include "pki/x509_text.h"
#include "timestamp/tst_verify.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ts.h>
#include <string.h>

/* Where the answer for one certificate came from and what it says, turned into the status classes of extend.h. */
static eseal_status judge(const es_rev_result *r, X509 *cert, int i, const char *whose, eseal_error *err)
{
	char name[512], b[32];
	const char *role = i == 0 ? "" : "'s CA";

	es_x509_name_line(X509_get_subject_name(cert), name, sizeof(name));
	if (r->status == ES_REV_GOOD)
		return ESEAL_OK;
	if (r->status == ES_REV_REVOKED)
		return es_error_set(err, ESEAL_E_INPUT, "the %s%s certificate %s was revoked on %s (%s, %s)", whose, role,
				    name, es_fmt_time(r->rev_time, b, sizeof(b)), r->source,
				    es_crl_reason_name(r->rev_reason));
	if (!es_cert_has_revocation_pointers(cert))
		return es_error_set(err, ESEAL_E_CONFIG,
				    "the %s%s certificate %s names no OCSP responder and no CRL distribution point: no "
				    "validation data can be had for it",
				    whose, role, name);
	return es_error_set(err, ESEAL_E_TSA, "no validation data for the %s%s certificate %s yet: %s; try again later",
			    whose, role, name, r->why);
}

/* The chain itself, then one answer per certificate below the anchor (the anchor is trusted by configuration). */
static eseal_status collect(const eseal_verifier *v, STACK_OF(X509) * chain, STACK_OF(X509) * untrusted,
			    time_t not_before, const char *whose, es_evidence *ev, eseal_error *err)
{
	OCSP_RESPONSE *ocsp = NULL;
	X509_CRL *crl = NULL;
	es_rev_result r;
	eseal_status st = ESEAL_OK;
	int i;

	for (i = 0; i < sk_X509_num(chain); i++)
		if (es_evidence_add_cert(ev, sk_X509_value(chain, i)) != 0)
			return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	for (i = 0; i + 1 < sk_X509_num(chain) && st == ESEAL_OK; i++) {
		X509 *cert = sk_X509_value(chain, i);

		es_revocation_fetch(v, cert, sk_X509_value(chain, i + 1), untrusted, not_before, &r, &ocsp, &crl);
		st = judge(&r, cert, i, whose, err);
		if (st == ESEAL_OK && ((ocsp != NULL && es_evidence_add_ocsp(ev, ocsp) != 0) ||
				       (crl != NULL && es_evidence_add_crl(ev, crl) != 0)))
			st = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		OCSP_RESPONSE_free(ocsp);
		X509_CRL_free(crl);
		ocsp = NULL;
		crl = NULL;
	}
	return st;
}

eseal_status es_ltv_collect_chain(const eseal_verifier *v, X509 *cert, STACK_OF(X509) * untrusted, time_t not_before,
				  es_evidence *ev, eseal_error *err)
{
	STACK_OF(X509) *chain = NULL;
	char name[512];
	eseal_status st;
	int rc;

	/* At the time the seal is proven to exist: years later its certificate may have expired, which is what the
	 * data is collected for. */
	rc = es_chain_build(v, cert, untrusted, not_before, X509_PURPOSE_ANY, &chain);
	if (rc != X509_V_OK)
		return es_error_set(err, ESEAL_E_CONFIG, "no chain for the seal's certificate %s to a trust anchor (%s)",
				    es_x509_name_line(X509_get_subject_name(cert), name, sizeof(name)),
				    X509_verify_cert_error_string(rc));
	st = collect(v, chain, untrusted, not_before, "seal", ev, err);
	sk_X509_pop_free(chain, X509_free);
	return st;
}

eseal_status es_ltv_collect_tst(const eseal_verifier *v, const unsigned char *token, size_t len, es_evidence *ev,
				time_t *gen_time, eseal_error *err)
{
	STACK_OF(X509) *chain = NULL, *untrusted = NULL;
	char why[512];
	eseal_status st;

	if (!es_tst_chain(v, token, len, gen_time, &chain, &untrusted, why, sizeof(why)))
		return es_error_set(err, ESEAL_E_CONFIG, "time-stamp: %s", why);
	st = collect(v, chain, untrusted, *gen_time, "TSA", ev, err);
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(untrusted, X509_free);
	return st;
}

/* The signer of the (single) SignerInfo among the certificates the CMS carries. */
static X509 *cms_signer(CMS_SignerInfo *si, STACK_OF(X509) * certs)
{
	int i;

	for (i = 0; i < sk_X509_num(certs); i++)
		if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0)
			return sk_X509_value(certs, i);
	return NULL;
}

eseal_status es_ltv_collect_cms(const eseal_verifier *v, const unsigned char *der, size_t len, time_t poe,
				es_evidence *ev, es_evidence *tsa_ev, eseal_error *err)
{
	const unsigned char *p = der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	STACK_OF(CMS_SignerInfo) *sis = cms != NULL ? CMS_get0_SignerInfos(cms) : NULL;
	STACK_OF(X509) *certs = NULL;
	CMS_SignerInfo *si;
	X509 *signer;
	time_t gen, earliest = 0;
	eseal_status st = ESEAL_OK;
	int idx = -1;

	if (sis == NULL || sk_CMS_SignerInfo_num(sis) != 1) {
		st = es_error_set(err, ESEAL_E_INPUT, "not a CMS signature with one signer");
		goto cleanup;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	certs = CMS_get1_certs(cms);
	if ((signer = cms_signer(si, certs)) == NULL) {
		st = es_error_set(err, ESEAL_E_INPUT, "the signature does not carry its signing certificate");
		goto cleanup;
	}
	/* Every signature time-stamp's TSA; the earliest genTime is the seal's proof of existence. */
	while ((idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, idx)) >= 0) {
		ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, idx), 0);

		if (t == NULL || t->type != V_ASN1_SEQUENCE) {
			st = es_error_set(err, ESEAL_E_INPUT, "a signature time-stamp attribute is not a token");
			goto cleanup;
		}
		st = es_ltv_collect_tst(v, t->value.sequence->data, (size_t)t->value.sequence->length, tsa_ev, &gen,
					err);
		if (st != ESEAL_OK)
			goto cleanup;
		if (earliest == 0 || gen < earliest)
			earliest = gen;
	}
	if (poe == 0)
		poe = earliest;
	if (poe == 0) {
		st = es_error_set(err, ESEAL_E_INPUT,
				  "the seal has no signature time-stamp (B-B): it needs one (B-T) before validation data "
				  "can be added");
		goto cleanup;
	}
	st = es_ltv_collect_chain(v, signer, certs, poe, ev, err);
cleanup:
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return st;
}
