/* xml/xml_detached.h: detached XAdES over a set of files or a folder's tree (asic/ seals containers with it through
 * es_xml_seal_set), and the MIME type a file's name suggests. */
#ifndef ES_XML_DETACHED_H
#define ES_XML_DETACHED_H

#include <stddef.h>

#include "xml.h"

/* es_xml_seal_set and eseal_xml_seal_detached in the module (xml/xml.h). */
eseal_status esx_seal_set(const es_xml_detached_set *set, const char *out_path, const eseal_xml_options *opts,
			  eseal_error *err);
eseal_status esx_seal_detached(const char *const *in_paths, size_t n_in, const char *out_path,
			       const eseal_xml_options *opts, eseal_error *err);
/* Every regular file below dir, referenced by its name relative to dir; out_path must lie outside dir. */
int es_xml_seal_dir(const char *dir, const char *out_path, const eseal_xml_options *opts, eseal_error *err);
/* A MIME type from a file name's extension (application/octet-stream when unknown). */
const char *es_xml_guess_mime(const char *path);

#endif
