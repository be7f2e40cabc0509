/* cms/cades_verify.h: the verifier of a CAdES signature (.p7s detached or enveloping, .p7m). */
#ifndef ES_CMS_CADES_VERIFY_H
#define ES_CMS_CADES_VERIFY_H

#include "eseal/verify.h"

#include <stddef.h>

int es_cades_verify(const eseal_verifier *v, const unsigned char *p7s, size_t p7s_len, const char *data_path,
		    const unsigned char *data, size_t data_len, eseal_report *r);

#endif
