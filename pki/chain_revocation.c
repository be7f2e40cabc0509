/* pki/chain_revocation.c: revocation of every certificate of a validated chain below its anchor: for a verifier, a
 * seal's signing chain and a time-stamp's TSA chain judged by the time they are proven to exist; for a sealer, whether
 * a chain is good now, before a certificate of it is relied on. */
#include "chain_revocation.h"

#include "evidence.h"
#include "report.h"
#include "rev_cache.h"
#include "revocation.h"
#include "x509_text.h"
#include "core/error_internal.h"

#include <openssl/x509v3.h>

int es_cert_has_revocation_pointers(X509 *cert)
{
	STACK_OF(OPENSSL_STRING) *ocsp = X509_get1_ocsp(cert);
	int has = (ocsp != NULL && sk_OPENSSL_STRING_num(ocsp) > 0) ||
		  X509_get_ext_by_NID(cert, NID_crl_distribution_points, -1) >= 0;

	X509_email_free(ocsp);
	return has;
}

const char *es_crl_reason_name(int reason)
{
	return reason == ES_REV_REASON_NONE ? "no reason given" : OCSP_crl_reason_str(reason);
}

int es_tsa_revocation_voids(time_t rev_time, int reason, time_t gen_time)
{
	/* A TSA revoked before the time it vouches for signed with a key it no longer held by right. After genTime,
	 * RFC 3161 section 4 keeps earlier tokens valid only for a revocation that names a harmless reason; a
	 * compromised key (or CA), or no reason at all, puts every token of that key in doubt. */
	if (rev_time == 0 || rev_time <= gen_time)
		return 1;
	return reason == ES_REV_REASON_NONE || reason == OCSP_REVOKED_STATUS_KEYCOMPROMISE ||
	       reason == OCSP_REVOKED_STATUS_CACOMPROMISE;
}

/* A time-stamp's chain: revocation decides whether the token still proves its genTime (what = which token). */
static int tsa_cert_status(int st, X509 *cert, int i, time_t rev_time, int reason, const char *source, const char *why,
			   time_t gen, const char *what, eseal_seal_report *s)
{
	char b1[32], b2[32], name[512];
	const char *role = i == 0 ? "TSA certificate" : "CA certificate of the TSA";

	es_x509_name_line(X509_get_subject_name(cert), name, sizeof(name));
	if (st == ES_REV_REVOKED && es_tsa_revocation_voids(rev_time, reason, gen)) {
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_REVOKED_NO_POE,
			     "%s not trusted: its %s %s was revoked on %s (%s, %s)%s %s; the time it states is not "
			     "proven",
			     what, role, name, es_fmt_time(rev_time, b1, sizeof(b1)), source, es_crl_reason_name(reason),
			     rev_time <= gen ? ", before the time-stamp's genTime" : " after the time-stamp's genTime",
			     es_fmt_time(gen, b2, sizeof(b2)));
		return 0;
	}
	if (st == ES_REV_REVOKED)
		es_seal_warn(s,
			     "%s: its %s %s was revoked on %s (%s, %s), after the time-stamp's genTime %s; the "
			     "time-stamp stays valid",
			     what, role, name, es_fmt_time(rev_time, b1, sizeof(b1)), source, es_crl_reason_name(reason),
			     es_fmt_time(gen, b2, sizeof(b2)));
	else if (st == ES_REV_UNKNOWN && !es_cert_has_revocation_pointers(cert))
		es_seal_warn(s, "%s: its %s %s names no OCSP responder or CRL: revocation not checkable", what, role,
			     name);
	else if (st == ES_REV_UNKNOWN && i == 0)
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_TRY_LATER,
			     "%s: revocation status of its TSA certificate %s unknown: %s", what, name, why);
	else if (st == ES_REV_UNKNOWN)
		es_seal_warn(s, "%s: revocation status of its %s %s unknown: %s", what, role, name, why);
	return 1;
}

/* The seal's own chain: revocation against the proof of existence poe (0 = none), as ETSI EN 319 102-1 5.2.6. */
static void signer_cert_status(int st, X509 *cert, int i, time_t rev_time, const char *source, const char *why,
			       time_t poe, eseal_seal_report *s)
{
	char b1[32], b2[32], name[512];
	const char *what = i == 0 ? "signing certificate" : "CA certificate";

	if (st == ES_REV_REVOKED) {
		if (poe != 0 && rev_time != 0 && poe < rev_time)
			es_seal_warn(s, "%s revoked on %s, after the time-stamp (%s) that proves the seal existed",
				     what, es_fmt_time(rev_time, b1, sizeof(b1)), es_fmt_time(poe, b2, sizeof(b2)));
		else if (poe != 0)
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_REVOKED,
				     "%s revoked on %s (%s), before the time-stamp %s", what,
				     es_fmt_time(rev_time, b1, sizeof(b1)), source, es_fmt_time(poe, b2, sizeof(b2)));
		else
			es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_REVOKED_NO_POE,
				     "%s revoked on %s (%s) and no time-stamp proves the seal existed before", what,
				     es_fmt_time(rev_time, b1, sizeof(b1)), source);
	} else if (st == ES_REV_UNKNOWN) {
		if (i > 0 && !es_cert_has_revocation_pointers(cert))
			es_seal_warn(
				s, "CA certificate %s names no OCSP responder or CRL: its revocation was not checkable",
				es_x509_name_line(X509_get_subject_name(cert), name, sizeof(name)));
		else if (!es_cert_has_revocation_pointers(cert))
			es_seal_warn(s, "%s names no OCSP responder or CRL: revocation not checked", what);
		else if (i == 0)
			es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_TRY_LATER,
				     "revocation status of the %s unknown: %s", what, why);
		else
			es_seal_warn(s, "revocation status of a %s unknown: %s", what, why);
	}
}

int es_chain_revocation(const eseal_verifier *v, STACK_OF(X509) * chain, STACK_OF(X509) * untrusted,
			const es_evidence *ev, time_t poe, const char *tsa_what, eseal_seal_report *s,
			time_t *revoked_at)
{
	es_rev_result r;
	int i, ok = 1;

	if (revoked_at != NULL)
		*revoked_at = 0;
	/* The anchor is trusted by configuration; every certificate below it is checked. */
	for (i = 0; i + 1 < sk_X509_num(chain); i++) {
		X509 *cert = sk_X509_value(chain, i);

		es_revocation_status(v, cert, sk_X509_value(chain, i + 1), ev, untrusted, poe, &r);
		if (revoked_at != NULL && r.status == ES_REV_REVOKED && r.rev_time != 0 &&
		    (*revoked_at == 0 || r.rev_time < *revoked_at))
			*revoked_at = r.rev_time;
		if (tsa_what != NULL)
			ok &= tsa_cert_status(r.status, cert, i, r.rev_time, r.rev_reason, r.source, r.why, poe,
					      tsa_what, s);
		else
			signer_cert_status(r.status, cert, i, r.rev_time, r.source, r.why, poe, s);
	}
	return ok;
}

es_chain_status es_chain_status_now(const eseal_verifier *v, STACK_OF(X509) * chain, STACK_OF(X509) * untrusted,
				    const char *whose, time_t *good_until, char *why, size_t why_len)
{
	es_rev_result r;
	char name[512], b[32];
	time_t now = time(NULL), until;
	int i;

	*good_until = 0;
	if (sk_X509_num(chain) < 2) { /* a certificate that is its own anchor: nothing to ask about */
		*good_until = now + ES_RC_NO_NEXT_UPDATE_SECS;
		return ES_CHAIN_GOOD;
	}
	for (i = 0; i + 1 < sk_X509_num(chain); i++) {
		X509 *cert = sk_X509_value(chain, i);

		es_x509_name_line(X509_get_subject_name(cert), name, sizeof(name));
		/* No data carried by a file and no proof of existence: what the responders say now decides. */
		es_revocation_status(v, cert, sk_X509_value(chain, i + 1), NULL, untrusted, 0, &r);
		if (r.status == ES_REV_REVOKED) {
			snprintf(why, why_len, "the %s%s certificate %s was revoked on %s (%s, %s)", whose,
				 i == 0 ? "" : "'s CA", name, es_fmt_time(r.rev_time, b, sizeof(b)), r.source,
				 es_crl_reason_name(r.rev_reason));
			return ES_CHAIN_REVOKED;
		}
		if (r.status != ES_REV_GOOD && !es_cert_has_revocation_pointers(cert)) {
			snprintf(why, why_len,
				 "the %s%s certificate %s names no OCSP responder and no CRL distribution point: its "
				 "revocation status cannot be checked",
				 whose, i == 0 ? "" : "'s CA", name);
			return ES_CHAIN_UNCHECKABLE;
		}
		if (r.status != ES_REV_GOOD) {
			snprintf(why, why_len, "revocation status of the %s%s certificate %s unknown: %s", whose,
				 i == 0 ? "" : "'s CA", name, r.why);
			return ES_CHAIN_UNKNOWN;
		}
		/* An answer without nextUpdate vouches for no period: it is asked again soon (the cache's rule). */
		until = r.next_upd != 0 ? r.next_upd : now + ES_RC_NO_NEXT_UPDATE_SECS;
		if (*good_until == 0 || until < *good_until)
			*good_until = until;
	}
	return ES_CHAIN_GOOD;
}
