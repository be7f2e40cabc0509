/* xml/xml_verify.h: the XAdES verifier: every signature of an XML document. */
#ifndef ES_XML_VERIFY_H
#define ES_XML_VERIFY_H

#include "eseal/verify.h"

#include <stddef.h>

/* base_dir: directory of the XML file, where detached data files are looked up; NULL = detached data not read. */
int es_xml_verify(const eseal_verifier *v, const unsigned char *buf, size_t len, const char *base_dir, eseal_report *r);

#endif
