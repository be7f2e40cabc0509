/* tests/xml/xml_extend_driver.c: eseal_xml_extend from the command line for tests/xml/xml_extend.sh:
 * xml_extend_driver --level B-LT|B-LTA --trust PEM [--tsa URL --tsa-ca PEM] IN OUT; exits as the CLI would. */
#include <stdio.h>
#include <string.h>

#include "eseal/eseal.h"
#include "eseal/extend.h"

int main(int argc, char **argv)
{
	const char *level = NULL, *trust = NULL, *tsa_url = NULL, *tsa_ca = NULL, *in = NULL, *out = NULL;
	eseal_verifier_options vo;
	eseal_tsa_options to;
	eseal_extend_options eo;
	eseal_verifier *v = NULL;
	eseal_tsa *tsa = NULL;
	eseal_error err;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--level") == 0 && i + 1 < argc)
			level = argv[++i];
		else if (strcmp(argv[i], "--trust") == 0 && i + 1 < argc)
			trust = argv[++i];
		else if (strcmp(argv[i], "--tsa") == 0 && i + 1 < argc)
			tsa_url = argv[++i];
		else if (strcmp(argv[i], "--tsa-ca") == 0 && i + 1 < argc)
			tsa_ca = argv[++i];
		else if (in == NULL)
			in = argv[i];
		else
			out = argv[i];
	}
	if (level == NULL || trust == NULL || in == NULL || out == NULL ||
	    (strcmp(level, "B-LT") != 0 && strcmp(level, "B-LTA") != 0)) {
		fprintf(stderr, "usage: %s --level B-LT|B-LTA --trust PEM [--tsa URL --tsa-ca PEM] IN OUT\n", argv[0]);
		return 64;
	}
	eseal_error_clear(&err);
	rc = eseal_init(&err);
	memset(&vo, 0, sizeof(vo));
	vo.trust_files = &trust;
	vo.n_trust_files = 1;
	if (rc == ESEAL_OK)
		rc = eseal_verifier_open(&v, &vo, &err);
	if (rc == ESEAL_OK && tsa_url != NULL) {
		memset(&to, 0, sizeof(to));
		to.urls = &tsa_url;
		to.n_urls = 1;
		to.ca_file = tsa_ca;
		rc = eseal_tsa_open(&tsa, &to, &err);
	}
	if (rc == ESEAL_OK) {
		memset(&eo, 0, sizeof(eo));
		eo.level = strcmp(level, "B-LTA") == 0 ? ESEAL_LEVEL_B_LTA : ESEAL_LEVEL_B_LT;
		eo.verifier = v;
		eo.tsa = tsa;
		rc = eseal_xml_extend(in, out, &eo, NULL, &err);
	}
	if (rc != ESEAL_OK)
		fprintf(stderr, "eseal: %s\n", err.message);
	eseal_tsa_free(tsa);
	eseal_verifier_free(v);
	eseal_cleanup();
	return rc == ESEAL_OK ? 0 : eseal_status_exit_code(rc);
}
