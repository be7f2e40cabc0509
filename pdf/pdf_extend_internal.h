/* pdf/pdf_extend_internal.h: what the steps of a PAdES extension share (not public): the DSS revision (pdf_dss.c)
 * and the document time-stamp revision (pdf_doc_ts.c) that pdf_extend.c chains after the original. */
#ifndef ES_PDF_EXTEND_INTERNAL_H
#define ES_PDF_EXTEND_INTERNAL_H

#include "pdf_internal.h"
#include "eseal/output.h"
#include "eseal/timestamp.h"
#include "core/error_internal.h"
#include "pki/evidence.h"

/* The validation data of one signature or document time-stamp, filed under its VRI key. */
typedef struct es_pdf_vri {
	char key[41];	  /* uppercase hex SHA-1 of its /Contents (see es_pdf_vri_key) */
	es_evidence *ev; /* its chains' certificates, OCSP responses and CRLs (owned by the caller) */
} es_pdf_vri;

/* The VRI key of a signature whose /Contents decodes to contents[0..len) (zero padding included). */
void es_pdf_vri_key(const unsigned char *contents, size_t len, char key[41]);

/* Adds to u the catalog's /DSS with every item of vris (deduplicated by their DER, against each other and what the
 * file's DSS already holds: that DSS is kept whole and extended) and /Extensions /ESIC level 5. */
int es_pdf_dss_write(es_pdf_update *u, es_pdf_doc *doc, const es_pdf_vri *vris, size_t n, eseal_error *err);

/* The file open as fd (path names it in messages) with one more revision: a document time-stamp from tsa over the
 * ByteRange digest (md) in a new invisible signature field. *out is a pending output for out_path (not committed:
 * the caller commits it, or reads it back through eseal_output_fd and frees it). *gen_time: the token's genTime. */
int es_pdf_doc_ts_write(const char *path, int fd, const char *out_path, int overwrite, const char *in_path,
			eseal_tsa *tsa, const EVP_MD *md, eseal_output **out, time_t *gen_time, eseal_error *err);

#endif
