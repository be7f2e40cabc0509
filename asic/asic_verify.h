/* asic/asic_verify.h: the verifier of ASiC containers and of folders sealed by a detached XAdES. The seal files they
 * hold are verified by the caller's format dispatch (verify/), handed down, as asic/ sits below it. */
#ifndef ES_ASIC_VERIFY_H
#define ES_ASIC_VERIFY_H

#include "eseal/verify.h"

#include <stddef.h>

/* Verifies the file at path into r (appending its seals) as eseal_verify_file would, with detached XAdES data read
 * beneath base_dir and a detached .p7s's data at data_path. */
typedef int (*es_verify_path_fn)(const eseal_verifier *v, eseal_report *r, const char *path, const char *data_path,
				 const char *base_dir, eseal_error *err);

/* A zip file (mapped at buf) verified as an ASiC container into r. */
int es_asic_verify(const eseal_verifier *v, es_verify_path_fn verify_path, eseal_report *r, const unsigned char *buf,
		   size_t len, const char *path);
/* eseal_verify_folder (include/eseal/asic.h) with its seal file verified through verify_path. */
int es_asic_verify_folder(const eseal_verifier *v, es_verify_path_fn verify_path, const char *sig_path,
			  const char *data_dir, eseal_report **report, eseal_error *err);

#endif
