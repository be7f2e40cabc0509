/* pdf/pdf_verify.h: the PAdES verifier: every signature and document time-stamp of a PDF. */
#ifndef ES_PDF_VERIFY_H
#define ES_PDF_VERIFY_H

#include "eseal/verify.h"

#include <stddef.h>

int es_pdf_verify(const eseal_verifier *v, const unsigned char *buf, size_t len, eseal_report *r);

#endif
