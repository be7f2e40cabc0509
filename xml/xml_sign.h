/* xml/xml_sign.h: what the signature builder lends to other builders (asic/'s ASiCManifest): base64 as
 * XML-DSig writes it. */
#ifndef ES_XML_SIGN_H
#define ES_XML_SIGN_H

#include <stddef.h>

/* base64 without line breaks; OPENSSL_malloc'd, NUL-terminated. NULL on allocation failure. */
char *es_xml_base64(const unsigned char *data, size_t len);

#endif
