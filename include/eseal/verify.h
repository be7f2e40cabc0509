/* eseal/verify.h: verification of PAdES, XAdES and CAdES seals with an ETSI EN 319 102-1 style report.
 * One verifier object holds the trust anchors and policy (offline, validation time); it verifies any number of files,
 * also from several threads at once, and asks an OCSP responder or CRL distribution point once for all of them. */
#ifndef ESEAL_VERIFY_H
#define ESEAL_VERIFY_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "eseal/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eseal_verifier eseal_verifier;

typedef struct eseal_verifier_options {
	const char *const *trust_files; /* PEM bundles of trust anchors; the system store is never used */
	size_t n_trust_files;
	int offline;     /* 1: use only revocation data the file carries (DSS, CMS, XAdES) */
	time_t at;       /* validation time; 0 = now */
	long timeout_ms; /* per OCSP/CRL request; 0 = 5000 */
	/* 1: no revocation cache (every file fetches its OCSP/CRL answers again; for measurements). By default the
	 * verifier keeps fetched OCSP responses and CRLs while fresh, and responders that failed for a minute. */
	int no_revocation_cache;
	/* 1: for each PDF seal followed by later updates, render the signed revision and the current file with Poppler
	 * and record the areas that differ (eseal_seal_report.visual_changes). Costs two renderings per page. */
	int visual_compare;
} eseal_verifier_options;
/* Defaults: online, now, 5 s per request, cached revocation data; trust_files must still be set. */
#define ESEAL_VERIFIER_OPTIONS_INIT ESEAL_OPTIONS_ZERO

/* Main indication (ETSI EN 319 102-1 clause 5.1.3). */
typedef enum { ESEAL_TOTAL_PASSED = 0, ESEAL_INDETERMINATE, ESEAL_TOTAL_FAILED } eseal_indication;

/* Sub-indications (ETSI EN 319 102-1 table 5/6); NONE with TOTAL-PASSED. */
typedef enum {
	ESEAL_SUB_NONE = 0,
	ESEAL_SUB_FORMAT_FAILURE,
	ESEAL_SUB_HASH_FAILURE,
	ESEAL_SUB_SIG_CRYPTO_FAILURE,
	ESEAL_SUB_REVOKED,
	ESEAL_SUB_SIG_CONSTRAINTS_FAILURE,
	ESEAL_SUB_CHAIN_CONSTRAINTS_FAILURE,
	ESEAL_SUB_CERTIFICATE_CHAIN_GENERAL_FAILURE,
	ESEAL_SUB_CRYPTO_CONSTRAINTS_FAILURE,
	ESEAL_SUB_EXPIRED,
	ESEAL_SUB_NOT_YET_VALID,
	ESEAL_SUB_NO_SIGNING_CERTIFICATE_FOUND,
	ESEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND,
	ESEAL_SUB_REVOKED_NO_POE,
	ESEAL_SUB_OUT_OF_BOUNDS_NO_POE,
	ESEAL_SUB_TIMESTAMP_ORDER_FAILURE,
	ESEAL_SUB_TRY_LATER,
	ESEAL_SUB_SIGNED_DATA_NOT_FOUND
} eseal_sub_indication;

/* Kind of certificate that made the seal. */
typedef enum {
	ESEAL_CERT_UNKNOWN = 0,
	ESEAL_CERT_ESEAL, /* organization subject (O + organizationIdentifier), QC type eseal if QCStatements present */
	ESEAL_CERT_PERSONAL /* a natural person's signature certificate (no organizationIdentifier, or qcType esign) */
} eseal_cert_kind;

/* One certificate of a seal's chain, as the report shows it. */
typedef struct eseal_cert_info {
	char *subject;     /* one-line RFC 2253 subject */
	char *issuer;
	char *serial;      /* hex */
	time_t not_before, not_after;
	char *der_base64;  /* the certificate itself (for machine-readable reports) */
} eseal_cert_info;

/* An area of a page whose rendering differs between the signed revision and the current file, in PDF points in the
 * page's view (origin at the bottom left of the crop box, y up). */
typedef struct eseal_visual_change {
	int page; /* 0-based */
	double x0, y0, x1, y1;
} eseal_visual_change;

typedef struct eseal_seal_report {
	const char *format; /* "PAdES", "XAdES", "CAdES" (static) */
	const char *type;   /* "signature" or "document-timestamp" (static) */
	char *id;           /* PDF field name, XML Signature Id, or NULL */
	char *level;        /* "B-B", "B-T", "B-LT", "B-LTA" or NULL when no level is reached */
	eseal_indication indication;
	eseal_sub_indication sub_indication;
	char *organization;            /* subject O of the signing (or TSA) certificate */
	char *organization_identifier; /* subject 2.5.4.97, e.g. NTRJP-1234567890123 */
	char *subject;                 /* one-line RFC 2253 subject */
	char *issuer;
	char *serial; /* hex */
	eseal_cert_kind cert_kind;
	time_t signing_time;       /* claimed (/M, SigningTime, signing-time attribute); 0 = none */
	time_t timestamp_time;     /* genTime of a valid signature time-stamp; 0 = none */
	int covers_whole_document; /* 1: the signed bytes are the whole file (PDF) or document (XML); CAdES: the data
				    * file, 0 when it was not found (SIGNED_DATA_NOT_FOUND) */
	int modified_after;        /* 1: a later update changes what a reader sees (PDF) */
	char *coverage;            /* one line describing what is signed, e.g. "bytes 0-1234 and 5678-9999 of 9999" */
	/* Proofs of existence (EN 319 102-1): the earliest genTime of a valid time-stamp over the seal (0 = none), the
	 * newest one (signature, document or archive time-stamp; in a PDF also a later document time-stamp), and
	 * renew_by, when that newest one stops proving anything (0 = no time-stamp): its TSA chain's first notAfter, or
	 * an earlier revocation of that chain (one after its genTime for a harmless reason leaves it valid till then),
	 * or its genTime when its digests or its TSA's key are retired (MD2, MD4, MD5, SHA-1, RSA under 2048 bits). An
	 * archive schedules `eseal extend` before renew_by (`eseal extend --renew-before`). */
	time_t best_signature_time;
	time_t newest_timestamp_time;
	time_t renew_by;
	int relies_on_poe; /* 1: its certificate had expired at the validation time; only a time-stamp keeps it valid */
	/* The chain of the signing certificate up to its trust anchor, as built when the seal was judged (signing
	 * certificate first, anchor last); empty when no chain was found. */
	eseal_cert_info *chain;
	size_t n_chain;
	/* PAdES: the length of the signed revision (the end of the /ByteRange, 0 unknown), the seal widget's page
	 * (0-based, -1 none or not found) and its /Rect in the same coordinates as visual changes. */
	size_t signed_length;
	int page;
	double rect[4];
	/* PAdES, when the verifier was asked to compare renderings (visual_compare): where a later update changed what
	 * a reader sees on the pages, comparing Poppler's rendering of the signed revision with the current file;
	 * visual_compared is 1 when that comparison was made (so an empty list means "nothing visible changed"). */
	eseal_visual_change *visual_changes;
	size_t n_visual_changes;
	int visual_compared;
	char **errors;             /* reasons for a non-passing indication */
	size_t n_errors;
	char **warnings;
	size_t n_warnings;
	/* Detached XAdES over files (a folder seal, an ASiC container): the data files this seal's References name,
	 * relative to the folder or container root, each read and digested (a failing one is named in errors). */
	char **files;
	size_t n_files;
} eseal_seal_report;

typedef struct eseal_report {
	char *file;
	eseal_seal_report *seals;
	size_t n_seals;
	char *error; /* file-level error (unreadable, no seal found), else NULL */
	time_t validation_time; /* the time the seals were judged at (--at, else now) */
	/* A container (eseal/asic.h) or a folder checked with its detached seal: "ASiC-E", "ASiC-S", "folder"; NULL for a
	 * single document. */
	const char *container;
	/* Files present in the container or folder that no seal covers; any makes the report at best INDETERMINATE. */
	char **not_covered;
	size_t n_not_covered;
} eseal_report;

eseal_status eseal_verifier_open(eseal_verifier **out, const eseal_verifier_options *opts, eseal_error *err);
void eseal_verifier_free(eseal_verifier *v);

/* Verifies every seal in path: PDF (signatures and document time-stamps), XML (every ds:Signature),
 * or a detached .p7s whose data is data_path (NULL: path without ".p7s"). Returns ESEAL_OK when the file
 * could be examined (the verdict is in *report, even when it is TOTAL-FAILED); an error status only when the
 * file cannot be read or the arguments are wrong (then *report still names the file and the error). */
eseal_status eseal_verify_file(eseal_verifier *v, const char *path, const char *data_path, eseal_report **report,
			       eseal_error *err);

/* Same for a document held in memory: name is what the report and messages call it (NULL: "-"), the format is
 * detected from the bytes, a detached CAdES (.p7s) needs its data in data/data_len, and an ASiC container is unpacked
 * into a private directory under $TMPDIR, removed before the call returns. The buffers are only read. */
eseal_status eseal_verify_memory(eseal_verifier *v, const char *name, const unsigned char *buf, size_t len,
				 const unsigned char *data, size_t data_len, eseal_report **report, eseal_error *err);

void eseal_report_free(eseal_report *report);

/* Worst indication over all seals; a file with no seal or a file error, or a container or folder holding a file no
 * seal covers, is at best INDETERMINATE. A seal with
 * modified_after set counts as TOTAL-FAILED. */
eseal_indication eseal_report_overall(const eseal_report *report);

/* Exit status of `eseal verify` for one report (the CLI takes the maximum over files):
 * 0 all seals TOTAL-PASSED and not modified after, 1 TOTAL-FAILED (or modified), 2 INDETERMINATE,
 * 74 the file could not be read, 65 not a sealed document it can read (malformed, unsupported, or no seal found
 * in it, whatever its format). */
int eseal_report_exit_code(const eseal_report *report);

const char *eseal_indication_name(eseal_indication ind);
const char *eseal_sub_indication_name(eseal_sub_indication sub);

/* One JSON object (one line, terminated by '\n') for the report. ESEAL_E_IO when out failed. */
eseal_status eseal_report_write_json(const eseal_report *report, FILE *out);
/* Human text, verdict first, then organization and identifier. */
eseal_status eseal_report_write_text(const eseal_report *report, FILE *out);
/* Same, into a NUL-terminated string (free with eseal_string_free); NULL when out of memory. */
char *eseal_report_to_json(const eseal_report *report);
char *eseal_report_to_text(const eseal_report *report);

#ifdef __cplusplus
}
#endif
#endif
