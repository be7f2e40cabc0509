/* xml/xml_detached.h: detached XAdES over a set of files or a folder's tree (asic/ seals containers with it), and
 * the MIME type a file's name suggests. */
#ifndef ES_XML_DETACHED_H
#define ES_XML_DETACHED_H

#include <stddef.h>

#include "eseal/xml.h"

/* A detached XAdES over a set of files. */
typedef struct es_xml_detached_set {
	const char *const *paths; /* the files, digested over their raw bytes */
	const char *const *names; /* their names in the References, relative to the folder or container root, not
				   * escaped ('/' separated); NULL: each path relative to the signature file's directory */
	size_t n;
	int asic;              /* root asic:XAdESSignatures (META-INF/signatures*.xml of an ASiC container) */
	const char *perm_from; /* the output takes this file's permission bits (NULL: the least readable input) */
} es_xml_detached_set;

int es_xml_seal_set(const es_xml_detached_set *set, const char *out_path, const eseal_xml_options *opts,
		    eseal_error *err);
/* Every regular file below dir, referenced by its name relative to dir; out_path must lie outside dir. */
int es_xml_seal_dir(const char *dir, const char *out_path, const eseal_xml_options *opts, eseal_error *err);
/* A MIME type from a file name's extension (application/octet-stream when unknown). */
const char *es_xml_guess_mime(const char *path);

#endif
