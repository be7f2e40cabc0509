/* eseal/seal.h: the entry point front ends call to seal a file with a profile.
 * A sealer opens the key, TSA and settings once and then seals any number of files, from any number of threads. */
#ifndef ESEAL_SEAL_H
#define ESEAL_SEAL_H

#include "eseal/error.h"
#include "eseal/profile.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eseal_sealer eseal_sealer;

typedef enum { ESEAL_FORMAT_AUTO = 0, ESEAL_FORMAT_PDF, ESEAL_FORMAT_XML, ESEAL_FORMAT_CADES } eseal_format;

typedef struct eseal_seal_options {
	eseal_format format;    /* AUTO: detected from the content */
	int overwrite;
	int force;              /* XML: seal a document that already holds a signature */
	const char *password;   /* PDF: encrypted input */
} eseal_seal_options;

/* Opens the signer (one login) and, for B-T, the TSA client, from the profile. */
int eseal_sealer_open(eseal_sealer **out, const eseal_profile *profile, eseal_error *err);
void eseal_sealer_free(eseal_sealer *sealer);

/* Seals one file. Format detection: PDF, XML, else detached CAdES (.p7s). Thread-safe. */
int eseal_sealer_seal(eseal_sealer *sealer, const char *in_path, const char *out_path,
		      const eseal_seal_options *opts, eseal_format *format_used, eseal_error *err);

const char *eseal_format_name(eseal_format format);

#ifdef __cplusplus
}
#endif
#endif
