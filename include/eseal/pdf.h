/* eseal/pdf.h: PAdES seals (ETSI EN 319 142-1) by incremental update.
 * The sealer finds where the signed bytes are and where the seal goes; signatures come from eseal/cms.h. */
#ifndef ESEAL_PDF_H
#define ESEAL_PDF_H

#include <openssl/evp.h>

#include "eseal/error.h"
#include "eseal/output.h"
#include "eseal/profile.h"
#include "eseal/signer.h"
#include "eseal/timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eseal_pdf_options {
	eseal_signer *signer;
	eseal_tsa *tsa;            /* non-NULL: B-T */
	const EVP_MD *md;          /* NULL = SHA-256 */
	const char *reason, *location, *contact;   /* optional */
	int visible;
	int page;                  /* 1-based; 0 = first; -1 = last */
	double rect[4];            /* x, y, w, h in points; all 0 = default place */
	const char *image;         /* optional PNG/JPEG seal image */
	eseal_certify certify;
	const char *password;      /* for encrypted input; NULL = none */
	int overwrite;             /* replace an existing output */
	eseal_output_group *output_group; /* batch: outputs committed in the background (eseal/output.h); NULL = alone */
	void *output_cookie;              /* with output_group: names this output in the group's report */
	/* Seal into this empty signature field (fully qualified name, e.g. "approval.seal") instead of a new one;
	 * NULL = new field. Its widget fixes page and place: page and rect must then be left 0. */
	const char *field;
	const char *timezone;      /* IANA zone of the stamp's time (Asia/Tokyo); NULL = the system's */
	eseal_warn_fn warn;        /* warnings (e.g. a stamp that could not avoid the page's content); NULL: none */
	void *warn_ctx;
} eseal_pdf_options;
/* Defaults: SHA-256, invisible, new field, no certification; signer must still be set. */
#define ESEAL_PDF_OPTIONS_INIT ESEAL_OPTIONS_ZERO

/* True if the file starts like a PDF (%PDF- within the first 1024 bytes). */
int eseal_pdf_detect(const unsigned char *head, size_t len);

/* Reads in_path (never modified), appends one incremental update holding the seal, writes out_path
 * atomically. Memory use does not grow with the file size. */
eseal_status eseal_pdf_seal(const char *in_path, const char *out_path, const eseal_pdf_options *opts, eseal_error *err);

#ifdef __cplusplus
}
#endif
#endif
