/* xml/xades_ltv.h: the XAdES extender for callers whose detached data lies elsewhere than beside the signature file
 * (asic/: an unpacked container's root, a sealed folder). */
#ifndef ES_XML_XADES_LTV_H
#define ES_XML_XADES_LTV_H

#include "eseal/extend.h"

/* eseal_xml_extend with the files of a detached signature's References read beneath data_dir (a folder seal's
 * folder, an unpacked container's root); NULL: the signature file's directory. */
int es_xml_extend_in(const char *in_path, const char *data_dir, const char *out_path,
		     const eseal_extend_options *opts, eseal_extend_result *result, eseal_error *err);

#endif
