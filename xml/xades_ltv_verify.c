/* xml/xades_ltv_verify.c: the long-term levels of a XAdES seal: B-LT only when the seal itself carries fresh
 * validation data for every certificate of its chain and its time-stamp's TSA chain, B-LTA when archive time-stamps
 * that verify cover it. */
#include "xml_verify_internal.h"
#include "pki/chain.h"
#include "pki/evidence.h"
#include "pki/report.h"
#include "pki/revocation.h"
#include "pki/x509_text.h"
#include "timestamp/tst_verify.h"

#include <stdlib.h>
#include <string.h>

static int carried_cert(const es_evidence *ev, X509 *cert)
{
	int i;

	for (i = 0; i < sk_X509_num(ev->certs); i++)
		if (X509_cmp(sk_X509_value(ev->certs, i), cert) == 0)
			return 1;
	return 0;
}

/* 1 when one answer ev carries says cert (issued by issuer) is good and was issued at or after poe: only such an
 * answer shows the status after the seal existed (an older CRL still current then could not yet list a revocation
 * made in between). Each answer is judged alone: the first usable one need not be the fresh one. off is an offline
 * verifier: only what the file carries counts, never an answer fetched now. */
static int carried_good(const eseal_verifier *off, X509 *cert, X509 *issuer, const es_evidence *ev, time_t poe)
{
	STACK_OF(OCSP_RESPONSE) *ocsps = sk_OCSP_RESPONSE_new_null();
	STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
	es_evidence one = {ev->certs, crls, ocsps};
	es_rev_result r;
	int i, ok = 0;

	for (i = 0; ocsps != NULL && crls != NULL && i < sk_OCSP_RESPONSE_num(ev->ocsps) && !ok; i++) {
		sk_OCSP_RESPONSE_zero(ocsps);
		if (!sk_OCSP_RESPONSE_push(ocsps, sk_OCSP_RESPONSE_value(ev->ocsps, i)))
			break;
		ok = es_revocation_status(off, cert, issuer, &one, ev->certs, poe, &r) == ES_REV_GOOD &&
		     r.this_upd >= poe;
	}
	sk_OCSP_RESPONSE_zero(ocsps);
	for (i = 0; ocsps != NULL && crls != NULL && i < sk_X509_CRL_num(ev->crls) && !ok; i++) {
		sk_X509_CRL_zero(crls);
		if (!sk_X509_CRL_push(crls, sk_X509_CRL_value(ev->crls, i)))
			break;
		ok = es_revocation_status(off, cert, issuer, &one, ev->certs, poe, &r) == ES_REV_GOOD &&
		     r.this_upd >= poe;
	}
	sk_OCSP_RESPONSE_free(ocsps); /* the answers belong to ev */
	sk_X509_CRL_free(crls);
	return ok;
}

/* 1 when ev holds every certificate of chain (cert..anchor) and, for each below the anchor, an answer carried_good
 * accepts; else 0 with why naming the first gap. */
static int chain_carried(const eseal_verifier *off, STACK_OF(X509) * chain, const es_evidence *ev, time_t poe,
			 const char *whose, char *why, size_t why_len)
{
	char name[256], b[32];
	int i, n = sk_X509_num(chain);

	for (i = 0; i < n; i++) {
		X509 *cert = sk_X509_value(chain, i);

		es_x509_name_line(X509_get_subject_name(cert), name, sizeof(name));
		if (!carried_cert(ev, cert)) {
			snprintf(why, why_len, "%s certificate %s is not carried in the signature", whose, name);
			return 0;
		}
		if (i < n - 1 && !carried_good(off, cert, sk_X509_value(chain, i + 1), ev, poe)) {
			snprintf(
				why, why_len,
				"no revocation data carried for the %s certificate %s saying \"good\", issued after %s",
				whose, name, es_fmt_time(poe, b, sizeof(b)));
			return 0;
		}
	}
	return 1;
}

static xmlNodePtr unsigned_sig_props(xmlNodePtr qp)
{
	return es_xv_child(es_xv_child(qp, NS_XADES, "UnsignedProperties"), NS_XADES, "UnsignedSignatureProperties");
}

static int is_ats(const xmlNode *n)
{
	return es_xv_is_el(n, NS_XADES141, "ArchiveTimeStamp");
}

/* What the signature carries in ds:KeyInfo and in the unsigned signature properties before stop (NULL: all): the
 * validation data a time-stamp at stop covers. NULL when out of memory. */
static es_evidence *carried_before(xmlNodePtr sig, xmlNodePtr usp, xmlNodePtr stop)
{
	es_evidence *ev = es_evidence_new();
	xmlNodePtr n;

	if (ev == NULL)
		return NULL;
	es_xv_collect_certs(es_xv_child(sig, NS_DS, "KeyInfo"), ev->certs);
	for (n = usp != NULL ? usp->children : NULL; n != NULL && n != stop; n = n->next) {
		es_xv_collect_certs(n,
				    ev->certs); /* both look below n: CertificateValues, TimeStampValidationData... */
		es_xv_collect_revocation(n, ev);
	}
	return ev;
}

static xmlNodePtr next_ats_from(xmlNodePtr usp)
{
	xmlNodePtr n;

	for (n = usp != NULL ? usp->children : NULL; n != NULL; n = n->next)
		if (es_xv_is_el(n, NS_XADES141, "ArchiveTimeStamp"))
			return n;
	return NULL;
}

static xmlNodePtr next_ats(xmlNodePtr n)
{
	for (n = n != NULL ? n->next : NULL; n != NULL; n = n->next)
		if (es_xv_is_el(n, NS_XADES141, "ArchiveTimeStamp"))
			return n;
	return NULL;
}

/* Verifies each archive time-stamp against the input recomputed as it stood (what came before it). Returns 1 when
 * there is at least one and each verifies, proves its time and (all but the newest) has its own TSA's validation
 * data carried after it; reasons go into s. */
static int check_archive_timestamps(const eseal_verifier *v, const eseal_verifier *off, xmlNodePtr sig, xmlNodePtr usp,
				    const es_evidence *ev, int dirfd, eseal_seal_report *s)
{
	xmlNodePtr n, last = NULL;
	int count = 0, ok = 1;

	for (n = usp != NULL ? usp->children : NULL; n != NULL; n = n->next)
		if (is_ats(n))
			last = n;
	for (n = usp != NULL ? usp->children : NULL; n != NULL; n = n->next) {
		xmlNodePtr cm = es_xv_child(n, NS_DS, "CanonicalizationMethod");
		xmlNodePtr et = es_xv_child(n, NS_XADES, "EncapsulatedTimeStamp");
		xmlChar *alg = NULL, *b64 = NULL;
		unsigned char *token = NULL, dig[EVP_MAX_MD_SIZE];
		unsigned int dlen = 0;
		size_t token_len = 0;
		STACK_OF(X509) *tsa_chain = NULL;
		const EVP_MD *md;
		char why[512];
		time_t gen = 0;
		int rc;

		if (!is_ats(n))
			continue;
		count++;
		alg = cm != NULL ? xmlGetProp(cm, BAD_CAST "Algorithm") : NULL;
		b64 = et != NULL ? xmlNodeGetContent(et) : NULL;
		token = es_xv_b64_decode(b64, &token_len);
		md = token != NULL ? es_tst_imprint_md(token, token_len) : NULL;
		if (md == NULL || es_xades_ats_digest(sig, n, alg, md, dirfd, dig, &dlen, why, sizeof(why)) != 0) {
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
				     "malformed xadesv141:ArchiveTimeStamp (line %ld)%s%s", xmlGetLineNo(n),
				     md != NULL ? ": " : "", md != NULL ? why : "");
			ok = 0;
			goto next;
		}
		rc = es_tst_verify_digest(v, token, token_len, dig, dlen, ev, &gen, &tsa_chain, why, sizeof(why));
		if (rc == 0) {
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_HASH_FAILURE,
				     "archive time-stamp (line %ld) invalid: %s (the signature or validation data it "
				     "covers changed after it was time-stamped?)",
				     xmlGetLineNo(n), why);
			ok = 0;
		} else if (rc < 0) {
			es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND,
				     "archive time-stamp (line %ld): %s", xmlGetLineNo(n), why);
			ok = 0;
		} else if (!es_tst_check_revocation(v, token, token_len, tsa_chain, ev, gen, "archive time-stamp", s)) {
			ok = 0;
		} else if (n != last) {
			/* A time-stamp renewed without its own validation data under the next one leaves a gap in the
			 * chain of proofs. */
			es_evidence *cov = carried_before(sig, usp, next_ats(n));

			if (cov == NULL ||
			    !chain_carried(off, tsa_chain, cov, gen, "archive time-stamp's TSA", why, sizeof(why))) {
				es_seal_warn(s, "not B-LTA: archive time-stamp (line %ld) was renewed, but %s",
					     xmlGetLineNo(n), cov != NULL ? why : "out of memory");
				ok = 0;
			}
			es_evidence_free(cov);
		}
next:
		sk_X509_pop_free(tsa_chain, X509_free);
		free(token);
		xmlFree(alg);
		xmlFree(b64);
	}
	return ok && count > 0;
}

const char *es_xv_long_term_level(const eseal_verifier *v, xmlNodePtr sig, xmlNodePtr qp, X509 *signer,
				  STACK_OF(X509) * tst_chain, time_t tst_gen, const es_evidence *ev, int dirfd,
				  eseal_seal_report *s)
{
	eseal_verifier off = *v;
	STACK_OF(X509) *chain = NULL;
	xmlNodePtr usp = unsigned_sig_props(qp), n;
	const char *level = "B-T";
	char why[512];
	int has_ats = 0, lt = 0;

	/* Only what the file carries counts: no online answer, no answer another file left in the cache. */
	off.offline = 1;
	off.rev_cache = NULL;
	for (n = usp != NULL ? usp->children : NULL; n != NULL; n = n->next)
		has_ats |= is_ats(n);
	if (es_chain_build(v, signer, ev->certs, tst_gen, X509_PURPOSE_ANY, &chain) != 0)
		snprintf(why, sizeof(why), "no chain for the signing certificate at the time-stamp's time");
	else if (chain_carried(&off, chain, ev, tst_gen, "signer's", why, sizeof(why)) &&
		 chain_carried(&off, tst_chain, ev, tst_gen, "signature time-stamp's TSA", why, sizeof(why)))
		lt = 1;
	if (lt)
		level = "B-LT";
	else if (has_ats || es_xv_find(qp, NS_XADES, "CertificateValues") != NULL ||
		 es_xv_find(qp, NS_XADES, "RevocationValues") != NULL)
		es_seal_warn(s, "not B-LT: %s", why);
	/* An archive time-stamp is checked whatever the level: if what it covers changed, the seal fails. B-LTA needs
	 * the B-LT data under the first one: data appended after it is carried but not covered. */
	if (has_ats && check_archive_timestamps(v, &off, sig, usp, ev, dirfd, s) && lt) {
		es_evidence *cov = carried_before(sig, usp, next_ats_from(usp));

		if (cov != NULL && chain_carried(&off, chain, cov, tst_gen, "signer's", why, sizeof(why)) &&
		    chain_carried(&off, tst_chain, cov, tst_gen, "signature time-stamp's TSA", why, sizeof(why)))
			level = "B-LTA";
		else
			es_seal_warn(s,
				     "not B-LTA: the first archive time-stamp does not cover the validation data: %s",
				     cov != NULL ? why : "out of memory");
		es_evidence_free(cov);
	}
	sk_X509_pop_free(chain, X509_free);
	return level;
}
