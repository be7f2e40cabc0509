/* xml/xades_ltv.h: the XAdES extender for callers whose detached data lies elsewhere than beside the signature file
 * (asic/: an unpacked container's root, a sealed folder). */
#ifndef ES_XML_XADES_LTV_H
#define ES_XML_XADES_LTV_H

#include "eseal/extend.h"

/* es_xml_extend_in (xml/xml.h) in the module. */
eseal_status esx_extend_in(const char *in_path, const char *data_dir, const char *out_path,
			   const eseal_extend_options *opts, eseal_extend_result *result, eseal_error *err);

#endif
