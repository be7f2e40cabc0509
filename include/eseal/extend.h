/* eseal/extend.h: long-term seals: adds validation data (B-LT) and an archive time-stamp (B-LTA) to seals that
 * already exist in a PDF, an XML document or a detached CMS, eseal's own and other tools'. */
#ifndef ESEAL_EXTEND_H
#define ESEAL_EXTEND_H

#include <time.h>

#include <openssl/evp.h>

#include "eseal/error.h"
#include "eseal/output.h"
#include "eseal/profile.h"
#include "eseal/timestamp.h"
#include "eseal/verify.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eseal_extend_options {
	eseal_level level; /* ESEAL_LEVEL_B_LT or ESEAL_LEVEL_B_LTA */
	/* Online, trusting the anchors of the seal's chain and of every TSA; its revocation cache makes one fetch per
	 * certificate serve a whole batch. Every seal extended must verify with it first (a broken seal is refused). */
	eseal_verifier *verifier;
	eseal_tsa *tsa;    /* the archive time-stamp's TSA: required for B-LTA, unused for B-LT */
	const EVP_MD *md;  /* digest of the archive time-stamp; NULL = SHA-256 */
	int overwrite;     /* replace an existing output */
	/* Seconds; 0 = always extend. Otherwise a file whose every seal's newest time-stamp still proves its time
	 * (eseal_seal_report.renew_by) later than the verifier's time plus renew_before is left alone: nothing is
	 * written (an existing output stays as it was) and the result says "current". A seal without a time-stamp
	 * is always extended. */
	long long renew_before;
	eseal_output_group *output_group; /* batch: outputs committed in the background; NULL = alone */
	void *output_cookie;
} eseal_extend_options;
/* Defaults: SHA-256, always extend; level and verifier must still be set. */
#define ESEAL_EXTEND_OPTIONS_INIT ESEAL_OPTIONS_ZERO

/* What an extend call did, filled on ESEAL_OK (zeroed on entry). */
typedef struct eseal_extend_result {
	int current;     /* 1: not extended, nothing written: renew_by is later than the time plus renew_before */
	time_t renew_by; /* when the file's earliest-expiring newest time-stamp stops proving anything, as verified
			  * before extending (0: a seal had no time-stamp); the file's state before, not after */
} eseal_extend_result;

/* Each reads in_path (never modified) and writes out_path atomically with every seal of the file raised to
 * opts->level: validation data (certificates, OCSP responses or CRLs issued after each seal's time-stamp) for the
 * seal's and its time-stamps' chains and, for B-LTA, a time-stamp over all of it. A file already at B-LTA is renewed:
 * validation data for its newest time-stamp, then a new one. A PDF seal without a time-stamp of its own (B-B) first
 * gets a document time-stamp (opts->tsa, else ESEAL_E_USAGE). Returns ESEAL_E_INPUT for a file without a seal, a seal
 * that does not verify, an XML or CMS seal without a time-stamp (B-B), or a revoked certificate (named); ESEAL_E_TSA
 * when a responder, CRL server or the TSA cannot be reached or answers with data not yet fresh (retry later);
 * ESEAL_E_CONFIG when a certificate names neither an OCSP responder nor a CRL, or a chain does not reach a trust
 * anchor. result may be NULL. */
eseal_status eseal_pdf_extend(const char *in_path, const char *out_path, const eseal_extend_options *opts,
			      eseal_extend_result *result, eseal_error *err);
eseal_status eseal_xml_extend(const char *in_path, const char *out_path, const eseal_extend_options *opts,
			      eseal_extend_result *result, eseal_error *err);
/* data_path: the signed file of a detached .p7s (NULL: the .p7s without its suffix, or encapsulated content). */
eseal_status eseal_cades_extend(const char *p7s_path, const char *data_path, const char *out_path,
				const eseal_extend_options *opts, eseal_extend_result *result, eseal_error *err);

#ifdef __cplusplus
}
#endif

#endif
