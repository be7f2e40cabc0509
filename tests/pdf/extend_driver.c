/* tests/pdf/extend_driver.c: eseal_pdf_extend from the command line for tests/pdf/extend.sh, until `eseal extend`
 * exists: extend_driver --level B-LT|B-LTA [--tsa URL --tsa-ca F] --trust F... [--timeout MS] IN OUT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/extend.h"
#include "../../pdf/pdf_extend_internal.h"

int main(int argc, char **argv)
{
	const char *trust[8], *url = NULL, *tsa_ca = NULL, *in = NULL, *out = NULL;
	eseal_verifier_options vo;
	eseal_tsa_options to;
	eseal_extend_options eo;
	eseal_verifier *v = NULL;
	eseal_tsa *tsa = NULL;
	eseal_error err;
	size_t n_trust = 0;
	long timeout = 0;
	int i, rc;

	memset(&vo, 0, sizeof(vo));
	memset(&to, 0, sizeof(to));
	memset(&eo, 0, sizeof(eo));
	memset(&err, 0, sizeof(err));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--level") == 0 && i + 1 < argc)
			eo.level = strcmp(argv[++i], "B-LTA") == 0 ? ESEAL_LEVEL_B_LTA : ESEAL_LEVEL_B_LT;
		else if (strcmp(argv[i], "--tsa") == 0 && i + 1 < argc)
			url = argv[++i];
		else if (strcmp(argv[i], "--tsa-ca") == 0 && i + 1 < argc)
			tsa_ca = argv[++i];
		else if (strcmp(argv[i], "--trust") == 0 && i + 1 < argc && n_trust < 8)
			trust[n_trust++] = argv[++i];
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			timeout = atol(argv[++i]);
		else if (in == NULL)
			in = argv[i];
		else if (out == NULL)
			out = argv[i];
		else
			return 64;
	}
	if (in == NULL || out == NULL || eo.level == 0) {
		fprintf(stderr, "usage: %s --level B-LT|B-LTA [--tsa URL --tsa-ca F] --trust F... IN OUT\n", argv[0]);
		return 64;
	}
	vo.trust_files = trust;
	vo.n_trust_files = n_trust;
	vo.timeout_ms = timeout;
	if ((rc = eseal_verifier_open(&v, &vo, &err)) != ESEAL_OK)
		goto done;
	if (url != NULL) {
		to.urls = &url;
		to.n_urls = 1;
		to.ca_file = tsa_ca;
		to.timeout_ms = timeout;
		if ((rc = eseal_tsa_open(&tsa, &to, &err)) != ESEAL_OK)
			goto done;
	}
	eo.verifier = v;
	eo.tsa = tsa;
	rc = eseal_pdf_extend(in, out, &eo, NULL, &err);
done:
	if (rc != ESEAL_OK)
		fprintf(stderr, "eseal: %s\n", err.message);
	eseal_tsa_free(tsa);
	eseal_verifier_free(v);
	return eseal_status_exit_code((eseal_status)rc);
}
