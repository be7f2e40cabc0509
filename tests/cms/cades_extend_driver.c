/* tests/cms/cades_extend_driver.c: eseal_cades_extend from the command line, for tests/cms/test_cades_extend.sh until
 * `eseal extend` exists: cades_extend_driver B-LT|B-LTA TRUST.pem [--tsa URL --tsa-ca F] [--data F] IN.p7s OUT.p7s */
#include "eseal/eseal.h"
#include "eseal/extend.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	eseal_verifier_options vo = {0};
	eseal_tsa_options to = {0};
	eseal_extend_options eo = {0};
	eseal_verifier *v = NULL;
	eseal_tsa *tsa = NULL;
	eseal_error err;
	const char *trust, *tsa_url = NULL, *data = NULL;
	int i, rc;

	eseal_error_clear(&err);
	if (argc < 5) {
		fprintf(stderr, "usage: %s B-LT|B-LTA TRUST [--tsa URL --tsa-ca F] [--data F] IN OUT\n", argv[0]);
		return 64;
	}
	eo.level = strcmp(argv[1], "B-LTA") == 0 ? ESEAL_LEVEL_B_LTA : ESEAL_LEVEL_B_LT;
	trust = argv[2];
	for (i = 3; i + 2 < argc; i += 2) {
		if (strcmp(argv[i], "--tsa") == 0)
			tsa_url = argv[i + 1];
		else if (strcmp(argv[i], "--tsa-ca") == 0)
			to.ca_file = argv[i + 1];
		else if (strcmp(argv[i], "--data") == 0)
			data = argv[i + 1];
		else
			break;
	}
	if (i + 2 != argc) {
		fprintf(stderr, "bad arguments\n");
		return 64;
	}
	vo.trust_files = &trust;
	vo.n_trust_files = 1;
	if ((rc = eseal_verifier_open(&v, &vo, &err)) != ESEAL_OK)
		goto done;
	if (tsa_url != NULL) {
		to.urls = &tsa_url;
		to.n_urls = 1;
		if ((rc = eseal_tsa_open(&tsa, &to, &err)) != ESEAL_OK)
			goto done;
	}
	eo.verifier = v;
	eo.tsa = tsa;
	rc = eseal_cades_extend(argv[i], data, argv[i + 1], &eo, NULL, &err);
done:
	if (rc != ESEAL_OK)
		fprintf(stderr, "eseal: %s\n", err.message);
	eseal_tsa_free(tsa);
	eseal_verifier_free(v);
	return eseal_status_exit_code(rc);
}
