/* eseal/profile.h: seal profiles read from an INI file ([profile NAME] sections).
 * Front ends load one profile, then let their own flags override fields before opening a sealer. */
#ifndef ESEAL_PROFILE_H
#define ESEAL_PROFILE_H

#include <stddef.h>

#include "eseal/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ESEAL_DEFAULT_CONFIG "/etc/eseal/eseal.conf"
#define ESEAL_MAX_TSA_URLS 8

/* Ordered: each level includes the ones before it (B-T and above time-stamp; B-LT adds validation data, B-LTA an
 * archive time-stamp over it). */
typedef enum { ESEAL_LEVEL_B_B = 0, ESEAL_LEVEL_B_T, ESEAL_LEVEL_B_LT, ESEAL_LEVEL_B_LTA } eseal_level;

/* DocMDP /P 1, 2 and 3 (ISO 32000-1 12.8.2.2 table 254). */
typedef enum {
	ESEAL_CERTIFY_NONE = 0,
	ESEAL_CERTIFY_NO_CHANGES,
	ESEAL_CERTIFY_FORM_FILL,
	ESEAL_CERTIFY_ANNOTATIONS
} eseal_certify;

typedef enum {
	ESEAL_PLACEMENT_ENVELOPED = 0, /* last child of the root */
	ESEAL_PLACEMENT_UBL,           /* OASIS UBL 2.1 extension block */
	ESEAL_PLACEMENT_FATTURAPA,     /* enveloped XAdES-BES, last child of the root */
	ESEAL_PLACEMENT_DETACHED       /* separate XAdES file referencing external files */
} eseal_placement;

/* Whether a sealer checks, before it uses a time-stamp token, that the TSA certificate which signed it (and its CA
 * certificates below the trust anchor) is not revoked. */
typedef enum {
	ESEAL_TSA_REVOCATION_REQUIRE = 0, /* status must be known good (OCSP, else CRL); needs TSA trust anchors */
	ESEAL_TSA_REVOCATION_OFF          /* not checked: a revoked TSA's tokens are used (eseal verify rejects them) */
} eseal_tsa_revocation;

/* Every string is owned by the profile (heap), NULL when unset. */
typedef struct eseal_profile {
	char *name;
	/* key and certificate */
	char *key;           /* RFC 7512 URI, csc: URL, or a PEM/PKCS#12 path (development) */
	char *pin_file;
	char *csc_token_file; /* csc: keys: the client's bearer token */
	char *csc_ca;         /* csc: keys: PEM CA certificates for the service's TLS (default: system's) */
	char *csc_client_id;          /* csc: keys: OAuth2 client_id, instead of a token file */
	char *csc_client_secret_file; /* csc: keys: file whose first line is the OAuth2 client_secret */
	int csc_batch;                /* csc: keys: most hashes per signHash call (0: default; 1: no batching) */
	char *cert;
	char *sig_scheme;    /* "auto", "pkcs1", "pss", "ecdsa" */
	char *digest;        /* "sha256" (default), "sha384", "sha512" */
	/* time-stamping */
	char *tsa[ESEAL_MAX_TSA_URLS];
	size_t n_tsa;
	char *tsa_ca;        /* PEM trust anchors for TSA certificates */
	char *trust;         /* PEM trust anchors for the seal's own chain: B-LT and B-LTA collect its validation data */
	char *tsa_tls_ca;    /* PEM CA certificates for an https:// TSA's server certificate (default: system's) */
	char *tsa_auth_file; /* "user:password" */
	char *tsa_policy;
	long tsa_timeout_ms;
	int tsa_retries;
	eseal_tsa_revocation tsa_revocation;
	eseal_level level;
	/* PDF */
	char *reason, *location, *contact;
	int visible;
	int page;            /* 1-based; 0 = first; -1 = last */
	double rect[4];      /* x, y, w, h in points; all 0 = default place */
	char *image;         /* PNG/JPEG seal image */
	eseal_certify certify;
	char *field;         /* name of an existing empty signature field to seal into, or NULL */
	char *timezone;      /* IANA zone of the stamp's time (Asia/Tokyo); NULL = the system's */
	/* XML */
	eseal_placement placement;
	/* CUPS printer */
	char *output_dir;
} eseal_profile;

/* Empty profile with defaults (level B-B, sha256, ...). */
eseal_status eseal_profile_new(eseal_profile **out, eseal_error *err);
/* Loads [profile NAME] from path. path NULL: $ESEAL_CONFIG, else ESEAL_DEFAULT_CONFIG. Unknown keys are
 * errors (a typo must not silently drop a setting). */
eseal_status eseal_profile_load(eseal_profile **out, const char *path, const char *name, eseal_error *err);
/* Sets one key as it would be read from the file ("level", "B-T"); used for CLI overrides.
 * For "tsa", each call with a value appends one URL; value NULL clears the list. */
eseal_status eseal_profile_set(eseal_profile *p, const char *key, const char *value, eseal_error *err);
/* Deep copy (a sealer keeps its own, so the caller may free theirs). */
eseal_status eseal_profile_copy(eseal_profile **out, const eseal_profile *p, eseal_error *err);
void eseal_profile_free(eseal_profile *p);

/* Parsers shared by the profile and the CLI: ESEAL_E_USAGE (*out unchanged) for a word they do not know. */
eseal_status eseal_level_parse(const char *s, eseal_level *out);
const char *eseal_level_name(eseal_level level);

#ifdef __cplusplus
}
#endif
#endif
