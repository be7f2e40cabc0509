/* eseal/xml.h: XAdES seals (ETSI EN 319 132-1) for XML documents, enveloped or detached.
 * Parsing is hardened (no network, no external entities or DTDs, no entity expansion). */
#ifndef ESEAL_XML_H
#define ESEAL_XML_H

#include <stddef.h>
#include <openssl/evp.h>

#include "eseal/error.h"
#include "eseal/output.h"
#include "eseal/profile.h"
#include "eseal/signer.h"
#include "eseal/timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eseal_xml_options {
	eseal_signer *signer;
	eseal_tsa *tsa;            /* non-NULL: B-T */
	const EVP_MD *md;          /* NULL = SHA-256 */
	eseal_placement placement;
	int force;                 /* seal enveloped even if the document already holds a signature */
	int overwrite;             /* replace an existing output */
	eseal_output_group *output_group; /* batch: outputs committed in the background (eseal/output.h); NULL = alone */
	void *output_cookie;              /* with output_group: names this output in the group's report */
} eseal_xml_options;
/* Defaults: SHA-256, enveloped; signer must still be set. */
#define ESEAL_XML_OPTIONS_INIT ESEAL_OPTIONS_ZERO

/* True if the bytes look like an XML document (optional BOM, then '<?xml' or '<'). */
int eseal_xml_detect(const unsigned char *head, size_t len);

/* Enveloped placements (enveloped, ubl, fatturapa): in_path is never modified; out_path gets the
 * document with the ds:Signature added and nothing else changed (encoding, DOCTYPE, comments, PIs). */
eseal_status eseal_xml_seal(const char *in_path, const char *out_path, const eseal_xml_options *opts, eseal_error *err);

/* Detached: one XAdES document at out_path with a Reference to each input (by relative URI). */
eseal_status eseal_xml_seal_detached(const char *const *in_paths, size_t n_in, const char *out_path,
				     const eseal_xml_options *opts, eseal_error *err);

#ifdef __cplusplus
}
#endif
#endif
