/* pdf/pdf_verify_ltv.c: whether a PAdES signature's validation data is all there (B-LT): for every certificate below
 * the anchor of the signer's chain and of each time-stamp's TSA chain, a carried OCSP response or CRL that says good. */
#include "pdf_verify_internal.h"
#include "pki/chain.h"
#include "pki/evidence.h"
#include "pki/report.h"
#include "pki/revocation.h"
#include "pki/x509_text.h"
#include "timestamp/tst_verify.h"

#include <stdio.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>

/* Whether ev holds, for cert (issued by issuer), one answer that says good and was issued at or after poe. Each
 * answer is tried alone: the verifier's own lookup stops at the first usable one, which may be an older answer
 * still current today, and says nothing of what the file proves for the years after. */
static int answered_after(const eseal_verifier *off, X509 *cert, X509 *issuer, const es_evidence *ev,
			  STACK_OF(X509) * untrusted, time_t poe)
{
	es_evidence *one = es_evidence_new();
	es_rev_result r;
	int i, n, found = 0;

	if (one == NULL)
		return 0;
	n = sk_OCSP_RESPONSE_num(ev->ocsps);
	for (i = 0; i < n && !found; i++) {
		sk_OCSP_RESPONSE_zero(one->ocsps);
		sk_OCSP_RESPONSE_push(one->ocsps, sk_OCSP_RESPONSE_value(ev->ocsps, i));
		found = es_revocation_status(off, cert, issuer, one, untrusted, poe, &r) == ES_REV_GOOD &&
			r.this_upd >= poe;
	}
	sk_OCSP_RESPONSE_zero(one->ocsps);
	n = sk_X509_CRL_num(ev->crls);
	for (i = 0; i < n && !found; i++) {
		sk_X509_CRL_zero(one->crls);
		sk_X509_CRL_push(one->crls, sk_X509_CRL_value(ev->crls, i));
		found = es_revocation_status(off, cert, issuer, one, untrusted, poe, &r) == ES_REV_GOOD &&
			r.this_upd >= poe;
	}
	sk_X509_CRL_zero(one->crls);
	es_evidence_free(one); /* (the items are ev's: the stacks are empty again) */
	return found;
}

/* Every certificate of chain (cert..anchor) but the anchor answered for after poe; else 0 with why naming it. */
static int chain_answered(const eseal_verifier *off, STACK_OF(X509) * chain, const es_evidence *ev,
			  STACK_OF(X509) * untrusted, time_t poe, const char *whose, char *why, size_t why_len)
{
	char name[512], b[32];
	int i;

	for (i = 0; i + 1 < sk_X509_num(chain); i++) {
		if (answered_after(off, sk_X509_value(chain, i), sk_X509_value(chain, i + 1), ev, untrusted, poe))
			continue;
		snprintf(why, why_len, "the DSS has no revocation data issued after %s for the %s%s certificate %s",
			 es_fmt_time(poe, b, sizeof(b)), whose, i == 0 ? "" : "'s CA",
			 es_x509_name_line(X509_get_subject_name(sk_X509_value(chain, i)), name, sizeof(name)));
		return 0;
	}
	return 1;
}

/* A time-stamp token's TSA chain answered for after its genTime (*gen). */
static int tst_answered(const eseal_verifier *off, const unsigned char *tok, size_t len, const es_evidence *ev,
			const char *whose, time_t *gen, char *why, size_t why_len)
{
	STACK_OF(X509) *chain = NULL, *untrusted = NULL;
	int i, ok;

	if (!es_tst_chain(off, tok, len, gen, &chain, &untrusted, why, why_len))
		return 0;
	for (i = 0; i < sk_X509_num(ev->certs); i++)
		if (X509_up_ref(sk_X509_value(ev->certs, i)) != 1 || !sk_X509_push(untrusted, sk_X509_value(ev->certs, i)))
			break;
	ok = chain_answered(off, chain, ev, untrusted, *gen, whose, why, why_len);
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(untrusted, X509_free);
	return ok;
}

int es_pdf_ltv_covered(const eseal_verifier *v, const unsigned char *cms_der, size_t cms_len,
		       const unsigned char *dts, size_t dts_len, const es_evidence *ev, char *why, size_t why_len)
{
	eseal_verifier off = *v;
	const unsigned char *p = cms_der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)cms_len);
	STACK_OF(CMS_SignerInfo) *sis = cms != NULL ? CMS_get0_SignerInfos(cms) : NULL;
	CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
	STACK_OF(X509) *untrusted = cms != NULL ? CMS_get1_certs(cms) : NULL, *chain = NULL;
	X509 *signer = NULL;
	time_t poe = 0, gen;
	int i, ok = 0, idx;

	/* Only what the file carries counts, whatever the verifier may fetch. */
	off.offline = 1;
	off.rev_cache = NULL;
	snprintf(why, why_len, "the signature cannot be read");
	if (si == NULL || (untrusted == NULL && (untrusted = sk_X509_new_null()) == NULL))
		goto cleanup;
	for (i = 0; i < sk_X509_num(ev->certs); i++)
		if (X509_up_ref(sk_X509_value(ev->certs, i)) != 1 || !sk_X509_push(untrusted, sk_X509_value(ev->certs, i)))
			goto cleanup;
	for (i = 0; i < sk_X509_num(untrusted) && signer == NULL; i++)
		if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(untrusted, i)) == 0)
			signer = sk_X509_value(untrusted, i);
	if (signer == NULL)
		goto cleanup;
	/* Each signature time-stamp's TSA chain, after its genTime; the earliest proves when the seal existed. */
	for (idx = -1; (idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, idx)) >= 0;) {
		ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, idx), 0);
		unsigned char *tok = NULL;
		int tl = t != NULL ? i2d_ASN1_TYPE(t, &tok) : -1;

		ok = tl > 0 && tst_answered(&off, tok, (size_t)tl, ev, "signature time-stamp's TSA", &gen, why, why_len);
		OPENSSL_free(tok);
		if (!ok)
			goto cleanup;
		if (poe == 0 || gen < poe)
			poe = gen;
	}
	/* A B-B signature: the document time-stamp after it is its proof of existence (PAdES B-T). */
	if (poe == 0) {
		ok = dts != NULL && tst_answered(&off, dts, dts_len, ev, "document time-stamp's TSA", &poe, why, why_len);
		if (!ok) {
			if (dts == NULL)
				snprintf(why, why_len, "no time-stamp proves when the signature existed");
			goto cleanup;
		}
	}
	ok = 0;
	if ((i = es_chain_build(&off, signer, untrusted, poe, X509_PURPOSE_ANY, &chain)) != X509_V_OK) {
		snprintf(why, why_len, "no chain for the signing certificate at %ld: %s", (long)poe,
			 X509_verify_cert_error_string(i));
		goto cleanup;
	}
	ok = chain_answered(&off, chain, ev, untrusted, poe, "signing", why, why_len);
cleanup:
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(untrusted, X509_free);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return ok;
}
