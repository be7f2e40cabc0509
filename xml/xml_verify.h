/* xml/xml_verify.h: the XAdES verifier: every signature of an XML document. */
#ifndef ES_XML_VERIFY_H
#define ES_XML_VERIFY_H

#include "eseal/verify.h"

#include <stddef.h>

/* es_xml_verify in the module (xml/xml.h). */
int esx_verify(const eseal_verifier *v, const unsigned char *buf, size_t len, const char *base_dir, eseal_report *r);

#endif
