/* pki/revocation.c: revocation status of a certificate: first from what the file carries (DSS, CMS crls,
 * XAdES RevocationValues), then, unless offline, OCSP (POST to the AIA responder) and the CRL distribution point.
 * Only plain http URLs from the certificate are followed, with a timeout and a size limit. Fetched answers are kept
 * in the verifier's cache (rev_cache.c) while fresh and checked again in full on every reuse.
 *
 * Freshness (ETSI EN 319 102-1): a fetched or cached answer must be current (es_rev_fresh: thisUpdate..nextUpdate
 * around now, 300 s leeway), or a replayed old OCSP response or CRL would pass for today's. Data carried in the file
 * is usable when issued at or after the seal's proof of existence (its time-stamp's genTime), or else while it is
 * still fresh at the validation time. Data that is not usable is ignored, as if absent. */
#include "revocation.h"

#include "chain.h"
#include "evidence.h"
#include "report.h"
#include "rev_cache.h"
#include "verifier.h"
#include "core/clock_internal.h"
#include "core/curl_internal.h"
#include "core/error_internal.h"
#include "core/url_internal.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#define ES_REV_MAX_BYTES (4u << 20)

typedef struct {
	unsigned char *buf;
	size_t len;
	int too_big;
} fetch_buf;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	fetch_buf *b = ud;
	size_t n = size * nmemb;
	unsigned char *nb;

	if (b->len + n > ES_REV_MAX_BYTES) {
		b->too_big = 1;
		return 0;
	}
	nb = realloc(b->buf, b->len + n + 1);
	if (nb == NULL)
		return 0;
	memcpy(nb + b->len, ptr, n);
	b->buf = nb;
	b->len += n;
	return n;
}

/* GET (body NULL) or POST of body; 0 on HTTP 200 with the answer in *out. */
static int http_fetch(const eseal_verifier *v, const char *url, const unsigned char *body, size_t body_len,
		      const char *ctype, fetch_buf *out, char *why, size_t why_len)
{
	const es_curl *cu;
	eseal_error err;
	CURL *c = NULL;
	struct curl_slist *hdrs = NULL;
	char hdr[128];
	long code = 0;
	CURLcode cc;
	int rc = -1;
	char shown[ES_URL_SHOW_MAX];

	memset(out, 0, sizeof(*out));
	es_url_show(url, shown, sizeof(shown)); /* a certificate's URL may carry credentials too */
	if (strncmp(url, "http://", 7) != 0) {
		snprintf(why, why_len, "only http:// revocation URLs are followed (%s)", shown);
		return -1;
	}
	/* A responder that just failed to answer would cost every later file of the run a timeout again. */
	if (es_rev_cache_is_down(v->rev_cache, url, time(NULL), why, why_len))
		return -1;
	if (es_curl_get(&cu, &err) != ESEAL_OK) {
		snprintf(why, why_len, "%s", err.message);
		return -1;
	}
	c = cu->easy_init();
	if (c == NULL) {
		snprintf(why, why_len, "cannot start HTTP client");
		return -1;
	}
	cu->easy_setopt(c, CURLOPT_URL, url);
	cu->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	cu->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu->easy_setopt(c, CURLOPT_TIMEOUT_MS, v->timeout_ms);
	cu->easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, v->timeout_ms);
	cu->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	cu->easy_setopt(c, CURLOPT_WRITEDATA, out);
	if (body != NULL) {
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", ctype);
		hdrs = cu->slist_append(hdrs, hdr);
		cu->easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
		cu->easy_setopt(c, CURLOPT_POSTFIELDS, body);
		cu->easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
	cc = cu->easy_perform(c);
	cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (cc != CURLE_OK) {
		snprintf(why, why_len, "%s: %s", shown, out->too_big ? "answer too large" : cu->easy_strerror(cc));
		if (!out->too_big) /* no connection, no answer in time: the responder, not this request, failed */
			es_rev_cache_set_down(v->rev_cache, url, why, time(NULL));
	} else if (code != 200)
		snprintf(why, why_len, "%s: HTTP status %ld", shown, code);
	else
		rc = 0;
	cu->slist_free_all(hdrs);
	cu->easy_cleanup(c);
	if (rc != 0) {
		free(out->buf);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

/* What one OCSP response or CRL says about a certificate, before anyone judges whether it is fresh. */
typedef struct {
	time_t this_upd, next_upd; /* next_upd 0 = absent */
	time_t rev_time;
	int rev_reason;
} rev_answer;

/* The responder's chain at the response's producedAt: OCSP_basic_verify checked the signature, the delegation and
 * the chain to an anchor but no validity period (its store would judge them at the real current time, and a
 * responder certificate that has expired since does not void what it answered while it was valid). */
static int responder_valid_when_produced(const eseal_verifier *v, OCSP_BASICRESP *bs, STACK_OF(X509) * untrusted,
					 char *why, size_t why_len)
{
	const STACK_OF(X509) *carried = OCSP_resp_get0_certs(bs);
	STACK_OF(X509) *pool = untrusted != NULL ? X509_chain_up_ref(untrusted) : sk_X509_new_null();
	STACK_OF(X509) *chain = NULL;
	X509 *signer = NULL;
	time_t produced = es_asn1_time_t(OCSP_resp_get0_produced_at(bs));
	char b[32];
	int i, rc = X509_V_ERR_UNSPECIFIED;

	for (i = 0; pool != NULL && i < sk_X509_num(carried); i++)
		if (X509_up_ref(sk_X509_value(carried, i)) && !sk_X509_push(pool, sk_X509_value(carried, i)))
			X509_free(sk_X509_value(carried, i));
	if (pool == NULL || produced == 0 || OCSP_resp_get0_signer(bs, &signer, pool) != 1) {
		snprintf(why, why_len, "OCSP response without a readable producedAt or responder certificate");
		goto cleanup;
	}
	rc = es_chain_build(v, signer, pool, produced, X509_PURPOSE_ANY, &chain);
	if (rc != X509_V_OK)
		snprintf(why, why_len, "OCSP responder certificate not valid when the response was produced (%s, %s)",
			 es_fmt_time(produced, b, sizeof(b)), X509_verify_cert_error_string(rc));
cleanup:
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(pool, X509_free);
	ERR_clear_error();
	return rc == X509_V_OK;
}

/* ocsp_status: the response names the certificate but its signature or responder cannot be trusted. */
#define OCSP_UNTRUSTED (-2)

/* Status of id in one OCSP response; -1 when the response does not answer for it, OCSP_UNTRUSTED when it does but
 * cannot be trusted. req: the request just sent (its nonce must be echoed), NULL for a cached or carried response.
 * Freshness is the caller's. */
static int ocsp_status(const eseal_verifier *v, OCSP_RESPONSE *resp, OCSP_CERTID *id, STACK_OF(X509) * untrusted,
		       OCSP_REQUEST *req, rev_answer *a, char *why, size_t why_len)
{
	OCSP_BASICRESP *bs = NULL;
	ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
	int status = -1, reason = 0, rc = -1;

	memset(a, 0, sizeof(*a));
	a->rev_reason = ES_REV_REASON_NONE;
	if (OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		snprintf(why, why_len, "OCSP responder status %ld", (long)OCSP_response_status(resp));
		goto cleanup;
	}
	bs = OCSP_response_get1_basic(resp);
	if (bs == NULL) {
		snprintf(why, why_len, "OCSP response without basic response");
		goto cleanup;
	}
	if (req != NULL && OCSP_check_nonce(req, bs) == 0) {
		snprintf(why, why_len, "OCSP nonce mismatch (replayed response?)");
		goto cleanup;
	}
	/* Looked up first only to tell "not about this certificate" from "about it but untrusted": nothing it says is
	 * used before the checks below. */
	if (OCSP_resp_find_status(bs, id, &status, &reason, &rev, &thisupd, &nextupd) != 1) {
		snprintf(why, why_len, "OCSP response does not cover the certificate");
		goto cleanup;
	}
	rc = OCSP_UNTRUSTED;
	if (OCSP_basic_verify(bs, untrusted, v->store_any_time, 0) != 1) {
		snprintf(why, why_len, "OCSP response signature or responder certificate invalid");
		goto cleanup;
	}
	if (!responder_valid_when_produced(v, bs, untrusted, why, why_len))
		goto cleanup;
	rc = -1;
	a->this_upd = es_asn1_time_t(thisupd);
	a->next_upd = es_asn1_time_t(nextupd);
	if (status == V_OCSP_CERTSTATUS_GOOD)
		rc = ES_REV_GOOD;
	else if (status == V_OCSP_CERTSTATUS_REVOKED) {
		rc = ES_REV_REVOKED;
		a->rev_time = es_asn1_time_t(rev);
		a->rev_reason = reason; /* OCSP_REVOKED_STATUS_NOSTATUS (= ES_REV_REASON_NONE) when absent */
	} else
		snprintf(why, why_len, "OCSP responder does not know the certificate");
cleanup:
	OCSP_BASICRESP_free(bs);
	ERR_clear_error();
	return rc;
}

/* Status from one CRL of issuer; -1 when the CRL is not from issuer or its signature fails. Freshness is the
 * caller's. */
static int crl_status(X509_CRL *crl, X509 *cert, X509 *issuer, rev_answer *a)
{
	X509_REVOKED *r = NULL;
	EVP_PKEY *pk = X509_get0_pubkey(issuer);
	ASN1_ENUMERATED *reason = NULL;

	memset(a, 0, sizeof(*a));
	a->rev_reason = ES_REV_REASON_NONE;
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0 || pk == NULL ||
	    X509_CRL_verify(crl, pk) != 1) {
		ERR_clear_error();
		return -1;
	}
	a->this_upd = es_asn1_time_t(X509_CRL_get0_lastUpdate(crl));
	a->next_upd = es_asn1_time_t(X509_CRL_get0_nextUpdate(crl));
	if (X509_CRL_get0_by_cert(crl, &r, cert) == 1 && r != NULL) {
		a->rev_time = es_asn1_time_t(X509_REVOKED_get0_revocationDate(r));
		reason = X509_REVOKED_get_ext_d2i(r, NID_crl_reason, NULL, NULL);
		a->rev_reason = reason != NULL ? (int)ASN1_ENUMERATED_get(reason) : ES_REV_REASON_NONE;
		ASN1_ENUMERATED_free(reason);
		ERR_clear_error();
		return ES_REV_REVOKED;
	}
	return ES_REV_GOOD;
}

/* "issued 2026-..., next update 2026-..." (or "no next update") of a, for messages. */
static const char *validity_text(const rev_answer *a, char *buf, size_t len)
{
	char b1[32], b2[32];

	snprintf(buf, len, "issued %s, %s%s", es_fmt_time(a->this_upd, b1, sizeof(b1)),
		 a->next_upd != 0 ? "next update " : "no next update",
		 a->next_upd != 0 ? es_fmt_time(a->next_upd, b2, sizeof(b2)) : "");
	return buf;
}

/* A fetched (or cached) answer must speak for now. */
static int current(const rev_answer *a, const char *what, char *why, size_t why_len)
{
	time_t now = time(NULL);
	char b[96];

	if (es_rev_fresh(a->this_upd, a->next_upd, now, now, now))
		return 1;
	snprintf(why, why_len, "%s outside its validity period (%s): not current", what,
		 validity_text(a, b, sizeof(b)));
	return 0;
}

/* What a collector of validation data asks of an online answer beyond the verifier's needs: issued at or after
 * not_before (0 = any), and the answer itself handed over (*ocsp or *crl, owned by the caller). */
typedef struct {
	time_t not_before;
	OCSP_RESPONSE **ocsp;
	X509_CRL **crl;
} online_want;

/* A current answer is still refused to a collector when issued before the time-stamp it must speak after: B-LT
 * data older than the seal's proof of existence proves nothing about the certificate when the seal was made. */
static int issued_after(const rev_answer *a, const online_want *w, const char *what, char *why, size_t why_len)
{
	char b1[32], b2[32], b3[32];

	if (w == NULL || w->not_before == 0 || a->this_upd >= w->not_before)
		return 1;
	snprintf(why, why_len, "%s issued %s, before the time-stamp %s%s%s", what,
		 es_fmt_time(a->this_upd, b1, sizeof(b1)), es_fmt_time(w->not_before, b2, sizeof(b2)),
		 a->next_upd != 0 ? "; the next one is due " : "",
		 a->next_upd != 0 ? es_fmt_time(a->next_upd, b3, sizeof(b3)) : "");
	return 0;
}

/* Data carried in the file: issued at or after the proof of existence poe (0 = none) it shows the certificate's
 * status after the seal existed, whatever its nextUpdate (that is what B-LT carries it for); issued before (or
 * without a time-stamp) it is usable only while fresh at the validation time t. Never issued after t. */
static int carried_usable(const rev_answer *a, time_t poe, time_t t, const char *what, char *why, size_t why_len)
{
	char b[96], b1[32], b2[32];

	if (a->this_upd != 0 && a->this_upd <= t + ES_REV_LEEWAY &&
	    ((poe != 0 && a->this_upd >= poe) || es_rev_fresh(a->this_upd, a->next_upd, a->this_upd, t, t)))
		return 1;
	if (a->this_upd > t + ES_REV_LEEWAY)
		snprintf(why, why_len, "%s is not fresh (%s): issued after the validation time %s", what,
			 validity_text(a, b, sizeof(b)), es_fmt_time(t, b2, sizeof(b2)));
	else if (poe != 0)
		snprintf(why, why_len,
			 "%s is not fresh (%s): issued before the time-stamp %s and not valid at the "
			 "validation time %s",
			 what, validity_text(a, b, sizeof(b)), es_fmt_time(poe, b1, sizeof(b1)),
			 es_fmt_time(t, b2, sizeof(b2)));
	else
		snprintf(why, why_len,
			 "%s is not fresh (%s): not valid at the validation time %s and no time-stamp "
			 "proves the seal existed before",
			 what, validity_text(a, b, sizeof(b)), es_fmt_time(t, b2, sizeof(b2)));
	return 0;
}

/* The cached answer for id: it passes the same checks as a fetched one (signature, responder authorisation against
 * the CertID's issuer, coverage, current now), only the nonce is not asked again. -1 when none is usable. */
static int ocsp_cached(const eseal_verifier *v, OCSP_CERTID *id, STACK_OF(X509) * untrusted, rev_answer *a,
		       const online_want *w, char *why, size_t why_len)
{
	OCSP_RESPONSE *resp = es_rev_cache_get_ocsp(v->rev_cache, id, es_verifier_time(v), time(NULL));
	int rc;

	if (resp == NULL)
		return -1;
	rc = ocsp_status(v, resp, id, untrusted, NULL, a, why, why_len);
	if (rc >= 0 && (!current(a, "cached OCSP response", why, why_len) ||
			!issued_after(a, w, "cached OCSP response", why, why_len)))
		rc = -1;
	if (rc >= 0 && w != NULL && w->ocsp != NULL) {
		*w->ocsp = resp;
		resp = NULL;
	}
	OCSP_RESPONSE_free(resp);
	return rc < 0 ? -1 : rc;
}

static int ocsp_online(const eseal_verifier *v, X509 *cert, X509 *issuer, STACK_OF(X509) * untrusted, rev_answer *a,
		       const online_want *w, char *why, size_t why_len)
{
	STACK_OF(OPENSSL_STRING) *urls = X509_get1_ocsp(cert);
	OCSP_REQUEST *req = NULL;
	OCSP_CERTID *id = NULL;
	OCSP_RESPONSE *resp = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	fetch_buf fb = {0};
	char shown[ES_URL_SHOW_MAX];
	int i, len, rc = -1, gated = 0;

	if (urls == NULL || sk_OPENSSL_STRING_num(urls) == 0) {
		snprintf(why, why_len, "certificate names no OCSP responder");
		goto cleanup;
	}
	id = OCSP_cert_to_id(NULL, cert, issuer);
	if (id != NULL && (rc = ocsp_cached(v, id, untrusted, a, w, why, why_len)) >= 0)
		goto cleanup;
	/* Another thread may be fetching this very answer: wait for it, then look again (rev_cache.h). */
	es_rev_cache_fetch_begin(v->rev_cache);
	gated = 1;
	if (id != NULL && (rc = ocsp_cached(v, id, untrusted, a, w, why, why_len)) >= 0)
		goto cleanup;
	req = OCSP_REQUEST_new();
	if (req == NULL || id == NULL || OCSP_request_add0_id(req, OCSP_CERTID_dup(id)) == NULL ||
	    OCSP_request_add1_nonce(req, NULL, -1) != 1 || (len = i2d_OCSP_REQUEST(req, &der)) <= 0) {
		snprintf(why, why_len, "cannot build OCSP request");
		goto cleanup;
	}
	for (i = 0; i < sk_OPENSSL_STRING_num(urls) && rc < 0; i++) {
		if (http_fetch(v, sk_OPENSSL_STRING_value(urls, i), der, (size_t)len, "application/ocsp-request", &fb,
			       why, why_len) != 0)
			continue;
		p = fb.buf;
		resp = d2i_OCSP_RESPONSE(NULL, &p, (long)fb.len);
		if (resp == NULL)
			snprintf(why, why_len, "%s: not an OCSP response",
				 es_url_show(sk_OPENSSL_STRING_value(urls, i), shown, sizeof(shown)));
		else
			rc = ocsp_status(v, resp, id, untrusted, req, a, why, why_len);
		if (rc >= 0 && !current(a, "OCSP response", why, why_len))
			rc = -1;
		if (rc >= 0)
			es_rev_cache_put_ocsp(v->rev_cache, id, resp, a->this_upd, a->next_upd, time(NULL));
		/* A responder that pre-produces its answers may lag behind the TSA: retry later, not now. */
		if (rc >= 0 && !issued_after(a, w, "the OCSP responder's answer was", why, why_len))
			rc = -1;
		if (rc >= 0 && w != NULL && w->ocsp != NULL) {
			*w->ocsp = resp;
			resp = NULL;
		}
		OCSP_RESPONSE_free(resp);
		resp = NULL;
		free(fb.buf);
		fb.buf = NULL;
	}
cleanup:
	if (gated)
		es_rev_cache_fetch_end(v->rev_cache);
	OPENSSL_free(der);
	OCSP_CERTID_free(id);
	OCSP_REQUEST_free(req);
	X509_email_free(urls);
	ERR_clear_error();
	return rc < 0 ? -1 : rc;
}

/* The cached CRL from url, checked against this certificate's issuer (name, signature) like a new one; -1 when
 * none is usable. */
static int crl_cached(const eseal_verifier *v, const char *url, X509 *cert, X509 *issuer, rev_answer *a,
		      const online_want *w, char *why, size_t why_len)
{
	X509_CRL *crl = es_rev_cache_get_crl(v->rev_cache, url, es_verifier_time(v), time(NULL));
	int rc = -1;

	if (crl != NULL && (rc = crl_status(crl, cert, issuer, a)) >= 0 &&
	    (!current(a, "cached CRL", why, why_len) || !issued_after(a, w, "the CRL was", why, why_len)))
		rc = -1;
	if (rc >= 0 && w != NULL && w->crl != NULL && X509_CRL_up_ref(crl))
		*w->crl = crl;
	X509_CRL_free(crl);
	return rc;
}

static int crl_online(const eseal_verifier *v, X509 *cert, X509 *issuer, rev_answer *a, const online_want *w, char *why,
		      size_t why_len)
{
	STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL, NULL);
	X509_CRL *crl = NULL;
	fetch_buf fb = {0};
	const unsigned char *p;
	char shown[ES_URL_SHOW_MAX];
	int i, j, rc = -1;

	if (dps == NULL) {
		snprintf(why, why_len, "certificate names no CRL distribution point");
		return -1;
	}
	for (i = 0; i < sk_DIST_POINT_num(dps) && rc < 0; i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(dps, i);

		if (dp->distpoint == NULL || dp->distpoint->type != 0)
			continue;
		for (j = 0; j < sk_GENERAL_NAME_num(dp->distpoint->name.fullname) && rc < 0; j++) {
			GENERAL_NAME *gn = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, j);
			char *url;

			if (gn->type != GEN_URI)
				continue;
			url = strndup((const char *)gn->d.uniformResourceIdentifier->data,
				      (size_t)gn->d.uniformResourceIdentifier->length);
			if (url == NULL || (rc = crl_cached(v, url, cert, issuer, a, w, why, why_len)) >= 0) {
				free(url);
				continue;
			}
			/* Another thread may be fetching this very CRL: wait for it, then look again (rev_cache.h). */
			es_rev_cache_fetch_begin(v->rev_cache);
			if ((rc = crl_cached(v, url, cert, issuer, a, w, why, why_len)) < 0 &&
			    http_fetch(v, url, NULL, 0, NULL, &fb, why, why_len) == 0) {
				p = fb.buf;
				crl = d2i_X509_CRL(NULL, &p, (long)fb.len);
				rc = crl != NULL ? crl_status(crl, cert, issuer, a) : -1;
				if (rc < 0) {
					snprintf(why, why_len, "%s: not a CRL of the issuer",
						 es_url_show(url, shown, sizeof(shown)));
				} else if (!current(a, "CRL", why, why_len)) {
					/* e.g. an old CRL replayed over plain http: it must not pass for today's */
					size_t used = strlen(why);

					snprintf(why + used, why_len - used, " (%s)", es_url_show(url, shown, sizeof(shown)));
					rc = -1;
				} else { /* after crl_status: its lookup sorted the entries, so other threads only read it */
					es_rev_cache_put_crl(v->rev_cache, url, crl, fb.len, time(NULL));
					/* A CA publishes on its own schedule: only its next CRL can speak after the
					 * time-stamp, and the message says when that is due. */
					if (!issued_after(a, w, "the CRL was", why, why_len)) {
						size_t used = strlen(why);

						snprintf(why + used, why_len - used, " (%s)",
							 es_url_show(url, shown, sizeof(shown)));
						rc = -1;
					} else if (w != NULL && w->crl != NULL && X509_CRL_up_ref(crl)) {
						*w->crl = crl;
					}
				}
				X509_CRL_free(crl);
				free(fb.buf);
				fb.buf = NULL;
			}
			es_rev_cache_fetch_end(v->rev_cache);
			free(url);
		}
	}
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
	ERR_clear_error();
	return rc;
}

/* The first usable answer the file carries for cert (status, *a filled), else -1 with stale naming data that
 * covered cert but was not fresh (left empty when there was none). */
static int carried_status(const eseal_verifier *v, X509 *cert, X509 *issuer, const es_evidence *ev,
			  STACK_OF(X509) * untrusted, time_t poe, rev_answer *a, const char **source, char *stale,
			  size_t stale_len)
{
	OCSP_CERTID *id = OCSP_cert_to_id(NULL, cert, issuer);
	time_t t = es_verifier_time(v);
	char why[512];
	int i, st = -1;

	for (i = 0; id != NULL && i < sk_OCSP_RESPONSE_num(ev->ocsps) && st < 0; i++) {
		st = ocsp_status(v, sk_OCSP_RESPONSE_value(ev->ocsps, i), id, untrusted, NULL, a, why, sizeof(why));
		if (st == OCSP_UNTRUSTED && stale[0] == '\0')
			snprintf(stale, stale_len, "the OCSP response carried in the file: %s", why);
		if (st >= 0 && !carried_usable(a, poe, t, "the OCSP response carried in the file", why, sizeof(why))) {
			if (stale[0] == '\0')
				snprintf(stale, stale_len, "%s", why);
			st = -1;
		}
		*source = "OCSP response carried in the file";
	}
	for (i = 0; i < sk_X509_CRL_num(ev->crls) && st < 0; i++) {
		st = crl_status(sk_X509_CRL_value(ev->crls, i), cert, issuer, a);
		if (st >= 0 && !carried_usable(a, poe, t, "the CRL carried in the file", why, sizeof(why))) {
			if (stale[0] == '\0')
				snprintf(stale, stale_len, "%s", why);
			st = -1;
		}
		*source = "CRL carried in the file";
	}
	OCSP_CERTID_free(id);
	if (st < 0)
		*source = NULL;
	return st;
}

/* The answer a decided: status st into r. */
static void settle(es_rev_result *r, int st, const rev_answer *a)
{
	r->status = st;
	r->this_upd = a->this_upd;
	r->next_upd = a->next_upd;
	if (st == ES_REV_REVOKED) {
		r->rev_time = a->rev_time;
		r->rev_reason = a->rev_reason;
	}
}

int es_revocation_status(const eseal_verifier *v, X509 *cert, X509 *issuer, const es_evidence *ev,
			 STACK_OF(X509) * untrusted, time_t poe, es_rev_result *r)
{
	rev_answer a;
	char why2[512] = "", stale[512] = "";
	size_t used;
	int st = -1;

	memset(r, 0, sizeof(*r));
	r->status = ES_REV_UNKNOWN;
	r->rev_reason = ES_REV_REASON_NONE;
	snprintf(r->why, sizeof(r->why), "no revocation information");
	if (ev != NULL)
		st = carried_status(v, cert, issuer, ev, untrusted, poe, &a, &r->source, stale, sizeof(stale));
	if (st < 0 && v->offline) {
		if (stale[0] != '\0')
			snprintf(r->why, sizeof(r->why),
				 "offline, and the revocation data the file carries for it is not usable: %s", stale);
		else
			snprintf(r->why, sizeof(r->why),
				 "offline and the file carries no revocation information for it");
		return r->status;
	}
	if (st < 0) {
		st = ocsp_online(v, cert, issuer, untrusted, &a, NULL, r->why, sizeof(r->why));
		r->source = st >= 0 ? "OCSP" : NULL;
	}
	if (st < 0) {
		st = crl_online(v, cert, issuer, &a, NULL, why2, sizeof(why2));
		r->source = st >= 0 ? "CRL" : NULL;
	}
	if (st >= 0) {
		settle(r, st, &a);
		return r->status;
	}
	if (why2[0] != '\0') {
		used = strlen(r->why);
		snprintf(r->why + used, sizeof(r->why) - used, "; %s", why2);
	}
	if (stale[0] != '\0') {
		used = strlen(r->why);
		snprintf(r->why + used, sizeof(r->why) - used, "; %s", stale);
	}
	return r->status;
}

int es_revocation_fetch(const eseal_verifier *v, X509 *cert, X509 *issuer, STACK_OF(X509) * untrusted,
			time_t not_before, es_rev_result *r, OCSP_RESPONSE **ocsp, X509_CRL **crl)
{
	online_want w = {not_before, ocsp, crl};
	rev_answer a;
	char why2[512] = "";
	size_t used;
	int st;

	memset(r, 0, sizeof(*r));
	r->status = ES_REV_UNKNOWN;
	r->rev_reason = ES_REV_REASON_NONE;
	*ocsp = NULL;
	*crl = NULL;
	if (v->offline) {
		snprintf(r->why, sizeof(r->why), "offline: validation data cannot be fetched");
		return r->status;
	}
	st = ocsp_online(v, cert, issuer, untrusted, &a, &w, r->why, sizeof(r->why));
	r->source = st >= 0 ? "OCSP" : NULL;
	if (st < 0) {
		st = crl_online(v, cert, issuer, &a, &w, why2, sizeof(why2));
		r->source = st >= 0 ? "CRL" : NULL;
	}
	if (st < 0) {
		used = strlen(r->why);
		snprintf(r->why + used, sizeof(r->why) - used, "; %s", why2);
		return r->status;
	}
	settle(r, st, &a);
	return r->status;
}
