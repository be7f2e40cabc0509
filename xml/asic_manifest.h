/* xml/asic_manifest.h: the ASiCManifest of a CAdES ASiC-E container (EN 319 162-1 A.4) written and read as XML:
 * the module's side of es_asic_manifest_write and es_asic_manifest_read (xml/xml.h), which asic/ calls. */
#ifndef ES_ASIC_MANIFEST_H
#define ES_ASIC_MANIFEST_H

#include "xml.h"

eseal_status esx_manifest_write(const char *const *paths, char *const *names, size_t n, const EVP_MD *md,
				unsigned char **out, size_t *out_len, eseal_error *err);
eseal_status esx_manifest_read(const unsigned char *buf, size_t len, es_asic_manifest **out, eseal_error *err);

#endif
