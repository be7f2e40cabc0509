/* tests/verify/ltv_collect_tool.c: test driver for the collector of long-term validation data: collects for a CMS
 * signature (.p7s) online and writes each item as DER into a directory, for openssl to referee. */
#include "eseal/eseal.h"
#include "cms/ltv_collect.h"
#include "core/error_internal.h"
#include "pki/evidence.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/ocsp.h>

static int write_der(const char *dir, const char *what, int i, unsigned char *der, int len)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s-%d.der", dir, what, i);
	if (len <= 0 || (f = fopen(path, "wb")) == NULL)
		return -1;
	ok = fwrite(der, 1, (size_t)len, f) == (size_t)len;
	OPENSSL_free(der);
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int write_all(const char *dir, const char *prefix, const es_evidence *ev)
{
	char what[64];
	unsigned char *der;
	int i, len;

	for (i = 0; i < sk_X509_num(ev->certs); i++) {
		der = NULL;
		len = i2d_X509(sk_X509_value(ev->certs, i), &der);
		snprintf(what, sizeof(what), "%scert", prefix);
		if (write_der(dir, what, i, der, len) != 0)
			return -1;
	}
	for (i = 0; i < sk_OCSP_RESPONSE_num(ev->ocsps); i++) {
		der = NULL;
		len = i2d_OCSP_RESPONSE(sk_OCSP_RESPONSE_value(ev->ocsps, i), &der);
		snprintf(what, sizeof(what), "%socsp", prefix);
		if (write_der(dir, what, i, der, len) != 0)
			return -1;
	}
	for (i = 0; i < sk_X509_CRL_num(ev->crls); i++) {
		der = NULL;
		len = i2d_X509_CRL(sk_X509_CRL_value(ev->crls, i), &der);
		snprintf(what, sizeof(what), "%scrl", prefix);
		if (write_der(dir, what, i, der, len) != 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	eseal_verifier_options vo = ESEAL_VERIFIER_OPTIONS_INIT;
	eseal_verifier *v = NULL;
	eseal_error err = {0};
	es_evidence *ev = es_evidence_new(), *tsa_ev = es_evidence_new();
	unsigned char *buf = NULL;
	const char *trust[1];
	long len;
	FILE *f = NULL;
	int rc = 70;

	if (argc != 4) {
		fprintf(stderr, "usage: %s TRUST.pem SIGNATURE.p7s OUTDIR\n", argv[0]);
		return 64;
	}
	trust[0] = argv[1];
	vo.trust_files = trust;
	vo.n_trust_files = 1;
	if (ev == NULL || tsa_ev == NULL || eseal_init(&err) != ESEAL_OK || eseal_verifier_open(&v, &vo, &err) != 0)
		goto cleanup;
	if ((f = fopen(argv[2], "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)len)) == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "%s: cannot read\n", argv[2]);
		rc = 66;
		goto cleanup;
	}
	if (es_ltv_collect_cms(v, buf, (size_t)len, 0, ev, tsa_ev, &err) != ESEAL_OK) {
		rc = eseal_status_exit_code(err.status);
		goto cleanup;
	}
	rc = write_all(argv[3], "", ev) == 0 && write_all(argv[3], "tsa-", tsa_ev) == 0 ? 0 : 73;
cleanup:
	if (err.status != ESEAL_OK)
		fprintf(stderr, "%s: %s\n", argv[2], err.message);
	if (f != NULL)
		fclose(f);
	free(buf);
	es_evidence_free(ev);
	es_evidence_free(tsa_ev);
	eseal_verifier_free(v);
	eseal_cleanup();
	return rc;
}
