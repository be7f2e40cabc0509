/* xml/xml_module.c: the one symbol libeseal-xml.so.0 exports: its table (xml/xml.h). Everything else in the module is
 * hidden, so the module adds no name to a process but this one. */
#include "asic_manifest.h"
#include "xades_ltv.h"
#include "xml_internal.h"
#include "xml_verify.h"

#include "eseal/eseal.h"

static const es_xml_ops ops = {
	.size = sizeof(es_xml_ops),
	.version = ESEAL_VERSION,
	.seal = esx_seal,
	.seal_detached = esx_seal_detached,
	.seal_set = esx_seal_set,
	.extend_in = esx_extend_in,
	.verify = esx_verify,
	.manifest_write = esx_manifest_write,
	.manifest_read = esx_manifest_read,
};

__attribute__((visibility("default"))) const es_xml_ops *eseal_xml_module_v1(void);

const es_xml_ops *eseal_xml_module_v1(void)
{
	return &ops;
}
