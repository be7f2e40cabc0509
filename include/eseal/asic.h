/* eseal/asic.h: seals over a set of files: ASiC containers (ETSI EN 319 162-1, ASiC-E and ASiC-S) and a folder checked
 * against its detached XAdES. A folder seal itself is eseal_xml_seal_detached given one directory (eseal/xml.h). */
#ifndef ESEAL_ASIC_H
#define ESEAL_ASIC_H

#include <stddef.h>
#include <openssl/evp.h>

#include "eseal/error.h"
#include "eseal/extend.h"
#include "eseal/signer.h"
#include "eseal/timestamp.h"
#include "eseal/verify.h"
#include "eseal/xml.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	ESEAL_ASIC_E = 0, /* any number of files, mimetype application/vnd.etsi.asic-e+zip */
	ESEAL_ASIC_S      /* one file, mimetype application/vnd.etsi.asic-s+zip */
} eseal_asic_kind;

typedef enum {
	ESEAL_ASIC_XADES = 0, /* META-INF/signatures001.xml (ASiC-S: signatures.xml): asic:XAdESSignatures, detached
			       * References to the files by their names in the container */
	ESEAL_ASIC_CADES      /* ASiC-E: META-INF/ASiCManifest001.xml naming the files and their digests, sealed by
			       * META-INF/signature001.p7s; ASiC-S: META-INF/signature.p7s over the one file */
} eseal_asic_signature;

typedef struct eseal_asic_options {
	eseal_asic_kind kind;
	eseal_asic_signature signature;
	eseal_signer *signer;
	eseal_tsa *tsa;   /* non-NULL: B-T */
	const EVP_MD *md; /* NULL = SHA-256 */
	int overwrite;    /* replace an existing output */
	/* non-NULL: B-LT or B-LTA (its level, verifier and archive TSA), the B-T container (tsa required) raised
	 * with eseal_asic_extend before it gets the output's name; NULL: B-B or B-T as tsa says */
	const eseal_extend_options *long_term;
} eseal_asic_options;
/* Defaults: ASiC-E with XAdES, SHA-256, B-B; signer must still be set. */
#define ESEAL_ASIC_OPTIONS_INIT ESEAL_OPTIONS_ZERO

/* Writes a new container at out_path holding the inputs and a seal over all of them. A directory contributes every
 * regular file below it under its name relative to the directory (a delivery folder becomes the container's root);
 * a file is stored under its base name. Names are kept as UTF-8 (the zip's UTF-8 flag set for non-ASCII names).
 * `mimetype` comes first, stored. The inputs are only read. Two inputs of the same name, a name reserved by ASiC
 * (mimetype, META-INF/...), links and special files are refused. ASiC-S takes exactly one file. */
eseal_status eseal_asic_seal(const char *const *inputs, size_t n_inputs, const char *out_path,
			     const eseal_asic_options *opts, eseal_error *err);

/* Raises every seal of the container in_path to opts->level as eseal_xml_extend and eseal_cades_extend do for files
 * (eseal/extend.h; a B-LTA seal is renewed) and writes the container with the extended signature files to out_path:
 * XAdES seals get their validation data and a xadesv141:ArchiveTimeStamp whose input includes the container's files
 * its References name; a CAdES seal an archive-time-stamp-v3 over its signed data, the ASiCManifest (which holds
 * every file's digest) or the one file of ASiC-S. The whole container is verified first: a seal that does not
 * verify, a file changed or missing is refused (ESEAL_E_INPUT, naming it). in_path is never modified. */
eseal_status eseal_asic_extend(const char *in_path, const char *out_path, const eseal_extend_options *opts,
			       eseal_extend_result *result, eseal_error *err);

/* A detached XAdES over files (eseal_xml_seal_detached: one folder, every file under it, or files beside the output)
 * and, when long_term is non-NULL, raised to long_term->level before it gets the name out_path (opts->tsa needed). */
eseal_status eseal_folder_seal(const char *const *inputs, size_t n_inputs, const char *out_path,
			       const eseal_xml_options *opts, const eseal_extend_options *long_term, eseal_error *err);

/* eseal_xml_extend of a folder seal: the files its References name are read beneath data_dir (NULL: the signature
 * file's directory, as for a detached XAdES over files beside it). */
eseal_status eseal_folder_extend(const char *sig_path, const char *data_dir, const char *out_path,
				 const eseal_extend_options *opts, eseal_extend_result *result, eseal_error *err);

/* Verifies an ASiC-E or ASiC-S container (XAdES or CAdES with ASiCManifest): every seal, each file it covers
 * (eseal_seal_report.files), and the files no seal covers (eseal_report.not_covered). A zip that is not ASiC,
 * duplicate or unsafe entry names and entries inflating past the caps are refused (report->error, ESEAL_E_INPUT).
 * eseal_verify_file calls this for a file that starts as a zip does. */
eseal_status eseal_verify_container(eseal_verifier *v, const char *path, eseal_report **report, eseal_error *err);

/* Verifies the detached XAdES sig_path against the folder data_dir: its References are read beneath data_dir only;
 * every file under data_dir that no Reference names is listed in report->not_covered. */
eseal_status eseal_verify_folder(eseal_verifier *v, const char *sig_path, const char *data_dir, eseal_report **report,
				 eseal_error *err);

#ifdef __cplusplus
}
#endif
#endif
