/* verify/cades_verify.c: detached CAdES (.p7s) verification: the data file is streamed through the digest the
 * SignerInfo names, then the core checks the CMS. The data is --data FILE or the .p7s path without ".p7s". */
#include "verify_internal.h"
#include "input_internal.h"

#include <stdlib.h>
#include <string.h>

/* The data file of a detached .p7s: a FIFO or device is refused like a missing file, never waited on. */
static const es_input_role data_role = {"cannot read", ESEAL_E_IO, ESEAL_E_INPUT, 0, 0};

int es_cades_verify(const eseal_verifier *v, const unsigned char *p7s, size_t p7s_len, const char *data_path,
		    const unsigned char *data, size_t data_len, eseal_report *r)
{
	eseal_seal_report *s = es_report_add_seal(r, "CAdES", "signature");
	CMS_ContentInfo *cms = NULL;
	const EVP_MD *md;
	char *derived = NULL;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	eseal_error derr;
	size_t n;
	es_cms_result res = {0};

	if (s == NULL)
		return ESEAL_E_INTERNAL;
	/* Only once the data the signature covers is found and digested: a missing data file covers nothing. */
	s->covers_whole_document = 0;
	cms = es_cms_parse_signed(p7s, p7s_len, s);
	if (cms == NULL)
		goto cleanup;
	md = es_cms_signer_md(cms, s);
	if (md == NULL)
		goto cleanup;
	if (CMS_get0_content(cms) != NULL && *CMS_get0_content(cms) != NULL && data == NULL && data_path == NULL) {
		/* Enveloping CMS: the content is inside. Verify it as such, but it is not the detached profile. */
		ASN1_OCTET_STRING *c = *CMS_get0_content(cms);
		es_seal_warn(s, "the CMS encapsulates its content (not detached CAdES)");
		data = c->data;
		data_len = (size_t)c->length;
	}
	if (data != NULL) {
		if (EVP_Digest(data, data_len, digest, &dlen, md, NULL) != 1)
			goto cleanup;
	} else {
		if (data_path == NULL) {
			n = strlen(r->file);
			if (n > 4 && strcmp(r->file + n - 4, ".p7s") == 0)
				derived = strndup(r->file, n - 4);
			data_path = derived;
		}
		if (data_path == NULL) {
			es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_SIGNED_DATA_NOT_FOUND,
				     "detached signature: no data file (give --data FILE)");
			goto cleanup;
		}
		eseal_error_clear(&derr);
		if (es_input_digest(data_path, &data_role, md, digest, &dlen, &derr) != ESEAL_OK) {
			es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_SIGNED_DATA_NOT_FOUND,
				     "signed data not readable: %s (give the data file with --data FILE)", derr.message);
			goto cleanup;
		}
		s->coverage = es_strdup_printf("detached data file %s", data_path);
	}
	if (s->coverage == NULL)
		s->coverage = strdup(data != NULL ? "data given in memory or encapsulated" : "");
	s->covers_whole_document = 1;
	es_cms_verify_signer(v, cms, digest, dlen, NULL, s, &res);
	X509_free(res.signer);
cleanup:
	free(derived);
	CMS_ContentInfo_free(cms);
	return ESEAL_OK;
}
