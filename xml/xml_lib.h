/* xml/xml_lib.h: libxml2 and xmlsec made ready by the first XML operation of the process, not by eseal_init: a PDF
 * or CMS verification never initialises them. */
#ifndef ES_XML_LIB_H
#define ES_XML_LIB_H

#include "eseal/error.h"

/* Initialises libxml2 and xmlsec (with its OpenSSL back end) once per process; thread-safe, cheap after the first
 * call. Every path that parses or builds an XML document calls it first (es_xml_read, detached sealing, the ASiC
 * manifest). They stay initialised until the process ends: eseal_cleanup leaves them, as it leaves libcurl. */
eseal_status es_xml_lib_init(eseal_error *err);

#endif
