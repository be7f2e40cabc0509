/* xml/xades_props.h: the XML-DSig, XAdES and ASiC vocabulary of the XAdES sealer and the ASiCManifest: namespaces
 * and algorithm URIs. */
#ifndef ES_XADES_PROPS_H
#define ES_XADES_PROPS_H

#include <openssl/evp.h>

#define ES_NS_DS "http://www.w3.org/2000/09/xmldsig#"
#define ES_NS_XADES "http://uri.etsi.org/01903/v1.3.2#"
#define ES_ALG_EXC_C14N "http://www.w3.org/2001/10/xml-exc-c14n#"
#define ES_NS_ASIC "http://uri.etsi.org/02918/v1.2.1#"
#define ES_TYPE_SIGNED_PROPS "http://uri.etsi.org/01903#SignedProperties"

/* The XML-DSig DigestMethod URI of md (SHA-256 for anything else). */
const char *es_xml_digest_href(const EVP_MD *md);

#endif
