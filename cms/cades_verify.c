/* cms/cades_verify.c: detached CAdES (.p7s) verification: the data file is streamed through the digest the
 * SignerInfo names, then the core checks the CMS. The data is --data FILE or the .p7s path without ".p7s". */
#include "cades_verify.h"

#include "cades_levels.h"
#include "verify_cms.h"
#include "core/error_internal.h"
#include "core/input_internal.h"
#include "pki/evidence.h"
#include "pki/report.h"

#include <openssl/cms.h>
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
	es_cms_der c;
	es_evidence *ev = es_evidence_new();
	es_cades_data cd = {NULL, NULL, 0};
	char why[256];
	int have_der;

	memset(&c, 0, sizeof(c));
	if (s == NULL || ev == NULL) {
		es_evidence_free(ev);
		return ESEAL_E_INTERNAL;
	}
	/* Only once the data the signature covers is found and digested: a missing data file covers nothing. */
	s->covers_whole_document = 0;
	cms = es_cms_parse_signed(v, p7s, p7s_len, s);
	if (cms == NULL)
		goto cleanup;
	md = es_cms_signer_md(cms, s);
	if (md == NULL)
		goto cleanup;
	/* The DER elements: OCSP responses carried as RevocationInfoChoice other (OpenSSL's CMS shows none) and what
	 * archive time-stamps cover. A BER CMS reads without them: it then reaches B-T at most. */
	have_der = es_cms_der_parse(p7s, p7s_len, &c, why, sizeof(why)) == 0;
	if (have_der)
		es_cades_carried_ocsps(&c, ev);
	if (CMS_get0_content(cms) != NULL && *CMS_get0_content(cms) != NULL && data == NULL && data_path == NULL) {
		/* Enveloping CMS: the content is inside. Verify it as such, but it is not the detached profile. */
		ASN1_OCTET_STRING *content = *CMS_get0_content(cms);
		es_seal_warn(s, "the CMS encapsulates its content (not detached CAdES)");
		data = content->data;
		data_len = (size_t)content->length;
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
				     "detached signature: no data file given");
			goto cleanup;
		}
		eseal_error_clear(&derr);
		if (es_input_digest(data_path, &data_role, md, digest, &dlen, &derr) != ESEAL_OK) {
			es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_SIGNED_DATA_NOT_FOUND,
				     "signed data not readable: %s (the data file must be given)",
				     derr.message);
			goto cleanup;
		}
		s->coverage = es_strdup_printf("detached data file %s", data_path);
	}
	if (s->coverage == NULL)
		s->coverage = strdup(data != NULL ? "data given in memory or encapsulated" : "");
	s->covers_whole_document = 1;
	es_cms_verify_signer(v, cms, p7s, p7s_len, digest, dlen, ev, s, &res);
	if (have_der && res.signer != NULL) {
		STACK_OF(X509) *certs = CMS_get1_certs(cms);
		STACK_OF(X509_CRL) *crls = CMS_get1_crls(cms);
		int i;

		/* the levels judge everything the file carries, certificates and CRLs included */
		for (i = 0; i < sk_X509_num(certs); i++)
			if (sk_X509_push(ev->certs, sk_X509_value(certs, i)))
				sk_X509_set(certs, i, NULL);
		for (i = 0; i < sk_X509_CRL_num(crls); i++)
			if (sk_X509_CRL_push(ev->crls, sk_X509_CRL_value(crls, i)))
				sk_X509_CRL_set(crls, i, NULL);
		sk_X509_pop_free(certs, X509_free);
		sk_X509_CRL_pop_free(crls, X509_CRL_free);
		cd.path = data == NULL ? data_path : NULL;
		cd.buf = data;
		cd.len = data_len;
		es_cades_levels(v, cms, &c, res.signer, ev, &cd, s);
	}
	X509_free(res.signer);
cleanup:
	es_cms_der_clear(&c);
	es_evidence_free(ev);
	free(derived);
	CMS_ContentInfo_free(cms);
	return ESEAL_OK;
}
