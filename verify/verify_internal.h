/* verify/verify_internal.h: what the verification layers share: the verifier object, evidence carried by a file,
 * report building helpers, and the core checks (cms/, timestamp/) that the format verifiers (pdf/, xml/) call. */
#ifndef ES_VERIFY_INTERNAL_H
#define ES_VERIFY_INTERNAL_H

#include <openssl/cms.h>
#include <openssl/ocsp.h>
#include <openssl/err.h>
#include <openssl/safestack.h>
#include <openssl/x509.h>

#include "eseal/verify.h"
#include "error_internal.h"

struct eseal_verifier {
	X509_STORE *store; /* trust anchors from --trust only */
	/* The same anchors without validity-period checks, for OpenSSL calls that would judge a chain at the real
	 * current time (TS_RESP_verify_token, OCSP_basic_verify): every such chain is judged again by es_chain_build
	 * at the time the evidence speaks for, and its expiry is weighed against proofs of existence. */
	X509_STORE *store_any_time;
	STACK_OF(X509) * anchors;
	int offline;
	time_t at; /* 0 = now */
	long timeout_ms;
	int visual_compare; /* compare renderings of signed and current revisions (PDF) */
	/* OCSP/CRL answers fetched for earlier files (cms/rev_cache.h); NULL = none. Mutable behind the const
	 * verifier pointers the checks receive: it has its own lock. */
	struct es_rev_cache *rev_cache;
};

/* Validation data a file carries besides the CMS itself (PAdES DSS, XAdES CertificateValues/RevocationValues,
 * CMS certificates/crls). Owned by the format verifier; the core only reads it. */
/* OpenSSL has no stack type for whole OCSP responses. */
DEFINE_STACK_OF(OCSP_RESPONSE)

typedef struct es_evidence {
	STACK_OF(X509) * certs;
	STACK_OF(X509_CRL) * crls;
	STACK_OF(OCSP_RESPONSE) * ocsps;
} es_evidence;

es_evidence *es_evidence_new(void);
void es_evidence_free(es_evidence *ev);
/* Adds DER items; bad items are ignored (they are only hints). */
void es_evidence_add_cert_der(es_evidence *ev, const unsigned char *der, size_t len);
void es_evidence_add_crl_der(es_evidence *ev, const unsigned char *der, size_t len);
void es_evidence_add_ocsp_der(es_evidence *ev, const unsigned char *der, size_t len);
/* Adds one item (up-ref'd or copied) unless an equal one is there: 0, or -1 when out of memory. */
int es_evidence_add_cert(es_evidence *ev, X509 *x);
int es_evidence_add_crl(es_evidence *ev, X509_CRL *x);
int es_evidence_add_ocsp(es_evidence *ev, OCSP_RESPONSE *x);

/* ---- validation data for long-term seals (verify/ltv_collect.c) ----
 * What extending a seal to B-LT adds, fetched online through the verifier (its anchors decide the chains; its
 * revocation cache makes one fetch serve a batch while the answer is fresh enough). Every answer verifies, says
 * "good", is current and was issued at or after the proof of existence it must speak after. Statuses:
 * ESEAL_E_INPUT a certificate is revoked (named) or the signature unusable; ESEAL_E_TSA no such answer can be had
 * now (responder down, or only data older than the time-stamp: the message says when the next is due);
 * ESEAL_E_CONFIG a certificate names no OCSP responder and no CRL, or no chain reaches an anchor. */
/* cert's chain (built at not_before from untrusted and the anchors), anchor included, into ev. */
eseal_status es_ltv_collect_chain(const eseal_verifier *v, X509 *cert, STACK_OF(X509) * untrusted, time_t not_before,
				  es_evidence *ev, eseal_error *err);
/* The chain of the TSA that signed token (a DER TimeStampToken), data issued after its genTime (*gen_time). */
eseal_status es_ltv_collect_tst(const eseal_verifier *v, const unsigned char *token, size_t len, es_evidence *ev,
				time_t *gen_time, eseal_error *err);
/* A CMS signature (CAdES, PAdES /Contents): each signature time-stamp's TSA chain into tsa_ev, then the signer's
 * chain into ev (may be tsa_ev) with data issued after poe, or when poe is 0 after the earliest signature
 * time-stamp (ESEAL_E_INPUT without one: a B-B seal needs a proof of existence first, e.g. a PDF document
 * time-stamp, whose genTime the caller passes as poe). */
eseal_status es_ltv_collect_cms(const eseal_verifier *v, const unsigned char *der, size_t len, time_t poe,
				es_evidence *ev, es_evidence *tsa_ev, eseal_error *err);

/* ---- report building (verify/report.c) ---- */
eseal_report *es_report_new(const char *file);
eseal_seal_report *es_report_add_seal(eseal_report *r, const char *format, const char *type);
void es_report_file_error(eseal_report *r, const char *fmt, ...) ES_PRINTF(2, 3);
/* Records a reason; the indication only ever gets worse, the sub-indication of the first worst reason is kept. */
void es_seal_fail(eseal_seal_report *s, eseal_indication ind, eseal_sub_indication sub, const char *fmt, ...)
	ES_PRINTF(4, 5);
void es_seal_warn(eseal_seal_report *s, const char *fmt, ...) ES_PRINTF(2, 3);
/* A detached data file the seal covers (its name relative to the data directory); a name no seal covers. */
void es_seal_add_file(eseal_seal_report *s, const char *name);
void es_report_add_not_covered(eseal_report *r, const char *name);
/* Verifies the file at path into r (appending its seals) as eseal_verify_file would, with detached XAdES data read
 * beneath base_dir and a detached .p7s's data at data_path. */
int es_verify_path_in(const eseal_verifier *v, eseal_report *r, const char *path, const char *data_path,
		      const char *base_dir, eseal_error *err);
/* asic/: a zip file (mapped at buf) verified as an ASiC container into r. */
int es_asic_verify(const eseal_verifier *v, eseal_report *r, const unsigned char *buf, size_t len, const char *path);
void es_seal_set_str(char **field, const char *value);
/* A valid time-stamp of genTime gen that proves its time until proves_until (0 = no end known) covers s: updates its
 * proofs of existence (best_signature_time, newest_timestamp_time, renew_by). */
void es_seal_note_timestamp(eseal_seal_report *s, time_t gen, time_t proves_until);
char *es_strdup_printf(const char *fmt, ...) ES_PRINTF(1, 2);
/* verify/renew.c: the file's renew_by: the earliest over its seals of the time their newest time-stamp stops proving
 * anything (in a PDF the newest document time-stamp speaks for every seal); 0 when a seal has no time-stamp. */
time_t es_report_renew_by(const eseal_report *r);
/* For an extender, after verifying the file into r: fills result (may be NULL) and returns 1 when o->renew_before
 * is set and the file's renew_by is later than the verifier's time plus renew_before (nothing to do), else 0. */
struct eseal_extend_options;
struct eseal_extend_result;
int es_extend_is_current(const struct eseal_extend_options *o, const eseal_report *r,
			 struct eseal_extend_result *result);
/* t as 2026-01-31T12:00:00Z (UTC) in buf, returned for use in messages. */
const char *es_fmt_time(time_t t, char *buf, size_t len);

/* ---- core checks ---- */
time_t es_verifier_time(const eseal_verifier *v);
/* verify/verifier.c: dst keeps its revocation answers in src's cache from now on (both own it), so that two verifiers
 * of one batch ask each responder once between them; every reuse is still checked against dst's own anchors. Before
 * dst is used by any thread; nothing when either verifier has no cache. */
void es_verifier_share_rev_cache(eseal_verifier *dst, const eseal_verifier *src);

/* verify/report.c: records chain (cert..anchor) in s->chain (replacing what was there). */
void es_seal_set_chain(eseal_seal_report *s, STACK_OF(X509) * chain);

/* cms/cert_profile.c: fills organization, identifier, subject, issuer, serial and cert_kind from cert and warns
 * where the certificate does not fit a seal (keyUsage, CA:TRUE). */
void es_cert_profile(X509 *cert, eseal_seal_report *s);

/* cms/chain.c: builds the chain of cert at time t against the verifier's anchors only. On success *chain holds
 * cert..anchor (caller frees with OSSL_STACK_OF_X509_free) and 0 is returned; else the X509_V_ERR code. */
int es_chain_build(const eseal_verifier *v, X509 *cert, STACK_OF(X509) * untrusted, time_t t, int purpose,
		   STACK_OF(X509) * *chain);

/* cms/revocation.c: status of cert (issued by issuer) from the evidence, then (unless offline) OCSP, then CRL.
 * Only fresh data counts: fetched answers current now; carried ones issued at or after poe (the time-stamp's genTime
 * that proves the seal existed, 0 = none) or else still fresh at the validation time; the rest is ignored.
 * Fills *r and returns r->status: ES_REV_GOOD, ES_REV_REVOKED (rev_time and rev_reason set: a CRLReason code, or
 * ES_REV_REASON_NONE when the CRL entry or OCSP answer names none), or ES_REV_UNKNOWN with why filled. */
enum { ES_REV_GOOD = 0, ES_REV_REVOKED, ES_REV_UNKNOWN };
#define ES_REV_REASON_NONE (-1)
typedef struct es_rev_result {
	int status;
	time_t rev_time;
	int rev_reason;
	const char *source;        /* what decided: "OCSP", "CRL", "CRL carried in the file", ...; NULL if unknown */
	time_t this_upd, next_upd; /* validity of the answer that decided (next_upd 0 = it names no next update) */
	char why[512];
} es_rev_result;
int es_revocation_status(const eseal_verifier *v, X509 *cert, X509 *issuer, const es_evidence *ev,
			 STACK_OF(X509) * untrusted, time_t poe, es_rev_result *r);

/* For a collector of validation data (verify/ltv_collect.c): the status of cert asked online only (OCSP, then the
 * CRL; the cache first), from an answer that is current and issued at or after not_before (0 = any). That answer
 * is handed over in *ocsp or *crl (the other NULL; both NULL when r->status is ES_REV_UNKNOWN, why saying what was
 * tried); the caller frees it. */
int es_revocation_fetch(const eseal_verifier *v, X509 *cert, X509 *issuer, STACK_OF(X509) * untrusted,
			time_t not_before, es_rev_result *r, OCSP_RESPONSE **ocsp, X509_CRL **crl);

/* cms/chain_revocation.c: whether cert names an OCSP responder or a CRL distribution point at all. */
int es_cert_has_revocation_pointers(X509 *cert);
/* OpenSSL's name of a CRLReason; an answer that names none is said so (OCSP_crl_reason_str would say "(UNKNOWN)"). */
const char *es_crl_reason_name(int reason);
/* cms/chain_revocation.c: revocation of every certificate of chain (cert..anchor) but the anchor, reported into s.
 * tsa_what NULL: chain of the seal's signing certificate, poe = time proven by its time-stamp (0 = none).
 * tsa_what e.g. "signature time-stamp": chain of that token's TSA, poe = its genTime; returns 0 when a revocation
 * voids the token (reported INDETERMINATE/REVOKED_NO_POE naming the certificate), else 1. revoked_at (may be NULL):
 * the earliest revocation time found in the chain, 0 if none was revoked. */
int es_chain_revocation(const eseal_verifier *v, STACK_OF(X509) * chain, STACK_OF(X509) * untrusted,
			const es_evidence *ev, time_t poe, const char *tsa_what, eseal_seal_report *s,
			time_t *revoked_at);
/* cms/crypto_suite.c: 1 when md (may be NULL) or the key pk (may be NULL) is no longer acceptable for a seal or a
 * time-stamp (why says which and why), else 0. */
int es_crypto_retired(const EVP_MD *md, EVP_PKEY *pk, char *why, size_t why_len);
/* For a sealer: the status now of every certificate of chain (cert..anchor) below the anchor, asked online (OCSP,
 * then CRL; answers kept in v's cache, so a batch asks once per certificate while they are fresh). whose names the
 * chain in messages ("TSA": "the TSA certificate ...", "the TSA's CA certificate ..."). ES_CHAIN_GOOD with *good_until
 * (when the first answer relied on stops being current); otherwise the first problem, why naming the certificate:
 * ES_CHAIN_REVOKED (revocation time, source and reason), ES_CHAIN_UNCHECKABLE (the certificate names no OCSP
 * responder and no CRL: a configuration matter), ES_CHAIN_UNKNOWN (no usable answer now: responder unreachable or
 * answering badly; worth asking again later). */
typedef enum { ES_CHAIN_GOOD = 0, ES_CHAIN_REVOKED, ES_CHAIN_UNCHECKABLE, ES_CHAIN_UNKNOWN } es_chain_status;
es_chain_status es_chain_status_now(const eseal_verifier *v, STACK_OF(X509) * chain, STACK_OF(X509) * untrusted,
				    const char *whose, time_t *good_until, char *why, size_t why_len);
/* 1 when a TSA (or TSA CA) certificate revoked at rev_time for reason voids a token of gen_time: revoked at or
 * before genTime, or later for keyCompromise, cACompromise or no reason (RFC 3161 section 4). */
int es_tsa_revocation_voids(time_t rev_time, int reason, time_t gen_time);

/* timestamp/tst_verify.c: validates an RFC 3161 token whose imprint must be the hash of data (or, when data is
 * NULL, must equal digest computed by the caller with the token's algorithm). Chain against the verifier's anchors,
 * timeStamping EKU, and a chain for the TSA certificate at the token's genTime (a token from before the TSA
 * certificate's validity proves no time). Returns 1 valid (gen_time set; with tsa_chain, *tsa_chain = that chain,
 * TSA certificate first, anchor last, freed by the caller with sk_X509_pop_free(, X509_free)), 0 invalid: imprint or
 * signature wrong (reason in why), -1 cannot be validated (TSA certificate not trusted, or no chain at genTime). */
int es_tst_verify(const eseal_verifier *v, const unsigned char *token, size_t token_len, const unsigned char *data,
		  size_t data_len, const es_evidence *ev, time_t *gen_time, STACK_OF(X509) * *tsa_chain, char *why,
		  size_t why_len);
int es_tst_verify_digest(const eseal_verifier *v, const unsigned char *token, size_t token_len,
			 const unsigned char *digest, size_t digest_len, const es_evidence *ev, time_t *gen_time,
			 STACK_OF(X509) * *tsa_chain, char *why, size_t why_len);
/* For a collector of validation data: the genTime of token and the chain of its TSA at that time (TSA certificate
 * first, anchor last) with the certificates the token carries (*untrusted); the imprint is not checked. 1, or 0 with
 * why set; both stacks are the caller's (sk_X509_pop_free). */
int es_tst_chain(const eseal_verifier *v, const unsigned char *token, size_t token_len, time_t *gen_time,
		 STACK_OF(X509) * *chain, STACK_OF(X509) * *untrusted, char *why, size_t why_len);
/* The imprint algorithm of a token (for callers that stream the data themselves), or NULL. */
const EVP_MD *es_tst_imprint_md(const unsigned char *token, size_t token_len);
/* How many CertificateChoices of the token are not X.509 certificates (attribute certificates): they are left out
 * when the token is read, and the caller warns. */
int es_tst_non_x509_certs(const unsigned char *token, size_t len);
/* After es_tst_verify*() accepted a token: the revocation of the certificates of its tsa_chain (from there) at genTime
 * gen, reported into s with what naming the token ("signature time-stamp", "document time-stamp"). Returns 1 when
 * the token still proves gen (then noted in s with the time it stops proving anything: the chain's first notAfter,
 * a later revocation of it, or at once when its digests or the TSA key are retired), 0 when it must be disregarded
 * as proof of time. */
int es_tst_check_revocation(const eseal_verifier *v, const unsigned char *token, size_t token_len,
			    STACK_OF(X509) * tsa_chain, const es_evidence *ev, time_t gen, const char *what,
			    eseal_seal_report *s);

/* cms/verify_cms.c */
CMS_ContentInfo *es_cms_parse_signed(const unsigned char *der, size_t len, eseal_seal_report *s);
/* Digest algorithm of the (single) SignerInfo, or NULL (reported as FORMAT_FAILURE). */
const EVP_MD *es_cms_signer_md(CMS_ContentInfo *cms, eseal_seal_report *s);

typedef struct es_cms_result {
	int has_signing_cert_attr; /* signing-certificate(-v2) present and matching */
	int has_signature_tst;     /* a valid signature-time-stamp */
	X509 *signer;              /* up-ref'd, caller frees */
} es_cms_result;

/* The whole core validation of one CMS signature given the digest of the signed data: integrity, signing
 * certificate, e-Seal profile, chain, signature time-stamp, revocation, time; der/der_len is the CMS as received
 * (its signed attributes are verified as they stand there). Fills s (and sets s->level to B-B or
 * B-T when the requirements are met). */
void es_cms_verify_signer(const eseal_verifier *v, CMS_ContentInfo *cms, const unsigned char *der, size_t der_len,
			  const unsigned char *digest, size_t digest_len, const es_evidence *ev, eseal_seal_report *s,
			  es_cms_result *res);

/* Shared certificate-validation step (chain + time + revocation) for a signing certificate, used by the CMS and
 * the XAdES paths: poe_time is the time-stamp time (0 = none). */
void es_validate_signing_cert(const eseal_verifier *v, X509 *cert, STACK_OF(X509) * untrusted, const es_evidence *ev,
			      time_t poe_time, eseal_seal_report *s);

/* Format verifiers (pdf/, xml/, verify/cades_verify.c) */
int es_pdf_verify(const eseal_verifier *v, const unsigned char *buf, size_t len, eseal_report *r);
/* base_dir: directory of the XML file, where detached data files are looked up; NULL = detached data not read. */
int es_xml_verify(const eseal_verifier *v, const unsigned char *buf, size_t len, const char *base_dir, eseal_report *r);
int es_cades_verify(const eseal_verifier *v, const unsigned char *p7s, size_t p7s_len, const char *data_path,
		    const unsigned char *data, size_t data_len, eseal_report *r);

/* Passes over the file being verified (eseal_verify_file maps it) call this for what they are done with: inside
 * the file's mapping the pages are given back, so the memory used does not grow with the file; a no-op for any
 * other buffer. */
void es_verify_release(const unsigned char *p, size_t len);

#endif
