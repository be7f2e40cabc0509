/* xml/xml.c: loads the XML module (libeseal-xml.so.0) the first time an XML document is sealed, verified or extended,
 * once per process, and calls it; XML detection, which looks at a few bytes, stays here. */
#include "xml.h"

#include "core/error_internal.h"
#include "pki/report.h"

#include "eseal/eseal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Written once under pthread_once and only read afterwards: the module stays loaded until the process ends
 * (libxml2's and xmlsec's global state, set up by the first document, cannot be unloaded safely). */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const es_xml_ops *loaded;
static char load_error[512];

static void load(void)
{
	const es_xml_ops *(*entry)(void);
	const es_xml_ops *ops;
	Dl_info self;
	void *h;

	/* The module calls back into this library (xml/module_imports.txt), whose functions it finds in the global
	 * scope: a program that links the library statically exports them itself; libeseal.so exports them, but a
	 * program (or a language binding) that loaded libeseal.so with RTLD_LOCAL keeps it out of that scope, so it is
	 * promoted to it here. Where the library is the program itself, no object of that name is loaded and this is
	 * a no-op. */
	if (dladdr((void *)load, &self) != 0 && self.dli_fname != NULL && strchr(self.dli_fname, '/') != NULL)
		dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
	/* RTLD_LOCAL: libxml2's and xmlsec's symbols stay the module's; the library sees only the table. */
	if ((h = dlopen(ES_XML_MODULE, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(load_error, sizeof(load_error), "%s", dlerror());
		return;
	}
	*(void **)(&entry) = dlsym(h, ES_XML_ENTRY);
	if (entry == NULL || (ops = entry()) == NULL || ops->size != sizeof(*ops) || ops->version == NULL ||
	    strcmp(ops->version, ESEAL_VERSION) != 0) {
		snprintf(load_error, sizeof(load_error), "it has no %s table of this library's version (%s)",
			 ES_XML_ENTRY, ESEAL_VERSION);
		dlclose(h);
		return;
	}
	loaded = ops;
}

eseal_status es_xml_ops_get(const es_xml_ops **out, eseal_error *err)
{
	*out = NULL;
	if (pthread_once(&load_once, load) != 0 || loaded == NULL)
		return es_error_set(err, ESEAL_E_CONFIG,
				    "XML module " ES_XML_MODULE " not found: %s (install libeseal0 again; sealing, "
				    "verifying and extending XML documents and ASiC containers need it)",
				    load_error[0] != '\0' ? load_error : "it could not be loaded");
	*out = loaded;
	return ESEAL_OK;
}

eseal_status eseal_xml_seal(const char *in_path, const char *out_path, const eseal_xml_options *opts, eseal_error *err)
{
	const es_xml_ops *ops;
	eseal_status rc;

	eseal_error_clear(err);
	if ((rc = es_xml_ops_get(&ops, err)) != ESEAL_OK)
		return rc;
	return ops->seal(in_path, out_path, opts, err);
}

eseal_status eseal_xml_seal_detached(const char *const *in_paths, size_t n_in, const char *out_path,
				     const eseal_xml_options *opts, eseal_error *err)
{
	const es_xml_ops *ops;
	eseal_status rc;

	eseal_error_clear(err);
	if ((rc = es_xml_ops_get(&ops, err)) != ESEAL_OK)
		return rc;
	return ops->seal_detached(in_paths, n_in, out_path, opts, err);
}

eseal_status eseal_xml_extend(const char *in_path, const char *out_path, const eseal_extend_options *opts,
			      eseal_extend_result *result, eseal_error *err)
{
	return es_xml_extend_in(in_path, NULL, out_path, opts, result, err);
}

eseal_status es_xml_extend_in(const char *in_path, const char *data_dir, const char *out_path,
			      const eseal_extend_options *opts, eseal_extend_result *result, eseal_error *err)
{
	const es_xml_ops *ops;
	eseal_status rc;

	eseal_error_clear(err);
	if ((rc = es_xml_ops_get(&ops, err)) != ESEAL_OK)
		return rc;
	return ops->extend_in(in_path, data_dir, out_path, opts, result, err);
}

eseal_status es_xml_seal_set(const es_xml_detached_set *set, const char *out_path, const eseal_xml_options *opts,
			     eseal_error *err)
{
	const es_xml_ops *ops;
	eseal_status rc;

	if ((rc = es_xml_ops_get(&ops, err)) != ESEAL_OK)
		return rc;
	return ops->seal_set(set, out_path, opts, err);
}

int es_xml_verify(const eseal_verifier *v, const unsigned char *buf, size_t len, const char *base_dir, eseal_report *r)
{
	const es_xml_ops *ops;
	eseal_error err;

	eseal_error_clear(&err);
	if (es_xml_ops_get(&ops, &err) != ESEAL_OK) {
		es_report_file_error(r, "%s", err.message);
		return err.status;
	}
	return ops->verify(v, buf, len, base_dir, r);
}

eseal_status es_asic_manifest_write(const char *const *paths, char *const *names, size_t n, const EVP_MD *md,
				    unsigned char **out, size_t *out_len, eseal_error *err)
{
	const es_xml_ops *ops;
	eseal_status rc;

	*out = NULL;
	if ((rc = es_xml_ops_get(&ops, err)) != ESEAL_OK)
		return rc;
	return ops->manifest_write(paths, names, n, md, out, out_len, err);
}

eseal_status es_asic_manifest_read(const unsigned char *buf, size_t len, es_asic_manifest **out, eseal_error *err)
{
	const es_xml_ops *ops;
	eseal_status rc;

	*out = NULL;
	if ((rc = es_xml_ops_get(&ops, err)) != ESEAL_OK)
		return rc;
	return ops->manifest_read(buf, len, out, err);
}

void es_asic_manifest_free(es_asic_manifest *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n_refs; i++) {
		free(m->refs[i].uri);
		free(m->refs[i].name);
		free(m->refs[i].algorithm);
		free(m->refs[i].digest);
	}
	free(m->refs);
	free(m->sig_ref);
	free(m);
}

/* The start of a document as ASCII: UTF-16 (with a byte order mark, or "<?" without one) is narrowed to its
 * low bytes, which is all detection looks at. */
static size_t narrow_head(const unsigned char *head, size_t len, unsigned char *out, size_t size)
{
	size_t n = 0, i = 0, lo;

	if (len >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF))) {
		lo = head[0] == 0xFF ? 0 : 1;
		i = 2;
	} else if (len >= 4 && head[0] == '<' && head[1] == 0 && head[2] == '?' && head[3] == 0) {
		lo = 0;
	} else if (len >= 4 && head[0] == 0 && head[1] == '<' && head[2] == 0 && head[3] == '?') {
		lo = 1;
	} else {
		for (; n < len && n < size; n++)
			out[n] = head[n];
		return n;
	}
	for (; i + 1 < len && n < size; i += 2)
		out[n++] = head[i + lo];
	return n;
}

/* XML 1.0 allows no C0 control character but tab, CR and LF anywhere in a document. A binary file (a CAD
 * drawing, a photo) that happens to start with '<' has some within its first kilobyte; text never does. */
static int has_control_bytes(const unsigned char *head, size_t len)
{
	size_t i;

	while (len > 0 && head[len - 1] == 0) /* a C string's terminator, or zero padding, is not content */
		len--;
	for (i = 0; i < len; i++)
		if (head[i] < 0x20 && head[i] != '\t' && head[i] != '\n' && head[i] != '\r')
			return 1;
	return 0;
}

int eseal_xml_detect(const unsigned char *head, size_t len)
{
	unsigned char buf[256];
	size_t i = 0, raw_len = len;
	int utf16;

	if (head == NULL)
		return 0;
	utf16 = len >= 2 && (head[0] == 0 || head[1] == 0 || (head[0] == 0xFF && head[1] == 0xFE) ||
			     (head[0] == 0xFE && head[1] == 0xFF));
	len = narrow_head(head, len, buf, sizeof(buf));
	/* UTF-16 is narrowed to its low bytes above; other encodings are ASCII-compatible, so raw bytes count. */
	if (!utf16 && has_control_bytes(head, raw_len))
		return 0;
	if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i + 1 >= len || buf[i] != '<')
		return 0;
	/* '<?xml', '<!--', '<!DOCTYPE' or an element name. */
	return buf[i + 1] == '?' || buf[i + 1] == '!' || buf[i + 1] == '_' || buf[i + 1] == ':' ||
	       (buf[i + 1] >= 'A' && buf[i + 1] <= 'Z') || (buf[i + 1] >= 'a' && buf[i + 1] <= 'z') ||
	       buf[i + 1] >= 0x80;
}
