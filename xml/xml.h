/* xml/xml.h: what the library calls of xml/: XAdES sealing, verification and extension and the ASiCManifest, in the
 * XML module libeseal-xml.so.0, loaded by the first XML document so that a PDF or CMS never maps libxml2 or xmlsec. */
#ifndef ES_XML_H
#define ES_XML_H

#include <stddef.h>
#include <openssl/evp.h>

#include "eseal/error.h"
#include "eseal/extend.h"
#include "eseal/verify.h"
#include "eseal/xml.h"

/* The module's file name (dlopen searches it as the dynamic linker does: the caller's RUNPATH, ld.so.cache, the
 * system folders) and the one function it exports, returning its table. A new table layout gets a new name. */
#define ES_XML_MODULE "libeseal-xml.so.0"
#define ES_XML_ENTRY "eseal_xml_module_v1"

/* A detached XAdES over a set of files. */
typedef struct es_xml_detached_set {
	const char *const *paths; /* the files, digested over their raw bytes */
	const char *const *names; /* their names in the References, relative to the folder or container root, not
				   * escaped ('/' separated); NULL: each path relative to the signature file's directory */
	size_t n;
	int asic;              /* root asic:XAdESSignatures (META-INF/signatures*.xml of an ASiC container) */
	const char *perm_from; /* the output takes this file's permission bits (NULL: the least readable input) */
} es_xml_detached_set;

/* One DataObjectReference of an ASiCManifest (EN 319 162-1 A.4) as it is written. */
typedef struct es_asic_manifest_ref {
	char *uri;       /* the URI attribute as written ("" when absent) */
	char *name;      /* the URI decoded; NULL when absent or not a plain relative reference (":#?") */
	char *algorithm; /* ds:DigestMethod's Algorithm, NULL when absent */
	char *digest;    /* ds:DigestValue's text, NULL when absent */
} es_asic_manifest_ref;

/* An ASiCManifest read: everything malloc'd, freed by es_asic_manifest_free. */
typedef struct es_asic_manifest {
	char *sig_ref;   /* SigReference's URI decoded, NULL when absent or not a plain relative reference */
	int is_manifest; /* the root is asic:ASiCManifest; no reference is read otherwise */
	es_asic_manifest_ref *refs;
	size_t n_refs;
} es_asic_manifest;

/* The module's table. Unlike the renderer module, this one calls back into the library that loads it (the
 * functions xml/module_imports.txt names: errors, inputs, outputs, chains, time-stamps, reports), so it is made
 * for one build of the library: version must be its ESEAL_VERSION. */
typedef struct es_xml_ops {
	size_t size;         /* sizeof(es_xml_ops) the module was built with */
	const char *version; /* ESEAL_VERSION the module was built with */

	eseal_status (*seal)(const char *in_path, const char *out_path, const eseal_xml_options *opts,
			     eseal_error *err);
	eseal_status (*seal_detached)(const char *const *in_paths, size_t n_in, const char *out_path,
				      const eseal_xml_options *opts, eseal_error *err);
	eseal_status (*seal_set)(const es_xml_detached_set *set, const char *out_path, const eseal_xml_options *opts,
				 eseal_error *err);
	eseal_status (*extend_in)(const char *in_path, const char *data_dir, const char *out_path,
				  const eseal_extend_options *opts, eseal_extend_result *result, eseal_error *err);
	int (*verify)(const eseal_verifier *v, const unsigned char *buf, size_t len, const char *base_dir,
		      eseal_report *r);
	eseal_status (*manifest_write)(const char *const *paths, char *const *names, size_t n, const EVP_MD *md,
				       unsigned char **out, size_t *out_len, eseal_error *err);
	eseal_status (*manifest_read)(const unsigned char *buf, size_t len, es_asic_manifest **out, eseal_error *err);
} es_xml_ops;

/* The module's table, loaded once per process (thread-safe); ESEAL_E_CONFIG naming the module and dlopen's reason
 * when it is not installed or is not this library's. */
eseal_status es_xml_ops_get(const es_xml_ops **out, eseal_error *err);

/* Each of these loads the module and calls its function of the same name; without the module they fail with
 * es_xml_ops_get's error (es_xml_verify: into r->error, returning ESEAL_E_CONFIG). */

/* A detached XAdES over set's files into out_path. */
eseal_status es_xml_seal_set(const es_xml_detached_set *set, const char *out_path, const eseal_xml_options *opts,
			     eseal_error *err);
/* eseal_xml_extend with the files of a detached signature's References read beneath data_dir (a folder seal's
 * folder, an unpacked container's root); NULL: the signature file's directory. */
eseal_status es_xml_extend_in(const char *in_path, const char *data_dir, const char *out_path,
			      const eseal_extend_options *opts, eseal_extend_result *result, eseal_error *err);
/* Every XAdES signature of an XML document into r. base_dir: directory of the XML file, where detached data files
 * are looked up; NULL = detached data not read. */
int es_xml_verify(const eseal_verifier *v, const unsigned char *buf, size_t len, const char *base_dir, eseal_report *r);
/* The manifest naming the n files at paths (as names in the container) with their md digests, and
 * META-INF/signature001.p7s as its signature: UTF-8 with a declaration, malloc'd into *out. */
eseal_status es_asic_manifest_write(const char *const *paths, char *const *names, size_t n, const EVP_MD *md,
				    unsigned char **out, size_t *out_len, eseal_error *err);
/* buf read under the XML verifier's policy into *out (malloc'd); ESEAL_E_INPUT with the reason (no file name: the
 * caller adds it) when it is no XML the policy accepts, ESEAL_E_INTERNAL out of memory. */
eseal_status es_asic_manifest_read(const unsigned char *buf, size_t len, es_asic_manifest **out, eseal_error *err);
/* Frees m and all it holds; m may be NULL. */
void es_asic_manifest_free(es_asic_manifest *m);

#endif
