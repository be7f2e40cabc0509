/* tests/install/consumer.c: a program as a user of the installed libeseal writes it, built only with
 * `pkg-config --cflags --libs eseal` (or find_package(eseal)): seals an XML and a PDF from memory to memory, verifies
 * both from memory, and writes them to OUTDIR for other tools to judge.
 *   consumer KEY CHAIN TRUST IN.xml IN.pdf OUTDIR     exit 0 when both seals verify TOTAL-PASSED */
#include <eseal/eseal.h>
#include <eseal/verify.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *buf = NULL;
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto cleanup;
	if ((buf = malloc((size_t)n + 1)) != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	*len = (size_t)n;
cleanup:
	if (f != NULL)
		fclose(f);
	return buf;
}

static int spill(const char *path, const unsigned char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok = f != NULL && fwrite(buf, 1, len, f) == len;

	if (f != NULL && fclose(f) != 0)
		ok = 0;
	return ok;
}

static int seal_and_verify(eseal_sealer *sealer, eseal_verifier *v, const char *in, const char *out)
{
	eseal_seal_options so = ESEAL_SEAL_OPTIONS_INIT;
	eseal_report *report = NULL;
	eseal_error err;
	unsigned char *doc = NULL, *buf = NULL;
	size_t doc_len = 0, len = 0;
	int ok = 0;

	if ((doc = slurp(in, &doc_len)) == NULL) {
		fprintf(stderr, "consumer: cannot read %s\n", in);
		goto cleanup;
	}
	/* No eseal_error_clear first: the library must set the message it reports. */
	if (eseal_sealer_seal_memory(sealer, in, doc, doc_len, &so, &buf, &len, NULL, &err) != ESEAL_OK) {
		fprintf(stderr, "consumer: sealing %s: %s\n", in, err.message);
		goto cleanup;
	}
	if (!spill(out, buf, len)) {
		fprintf(stderr, "consumer: cannot write %s\n", out);
		goto cleanup;
	}
	if (eseal_verify_memory(v, out, buf, len, NULL, 0, &report, &err) != ESEAL_OK) {
		fprintf(stderr, "consumer: verifying %s: %s\n", out, err.message);
		goto cleanup;
	}
	if (report->n_seals != 1 || eseal_report_overall(report) != ESEAL_TOTAL_PASSED) {
		char *text = eseal_report_to_text(report);

		fprintf(stderr, "consumer: %s does not verify:\n%s", out, text != NULL ? text : "");
		eseal_string_free(text);
		goto cleanup;
	}
	printf("%s: %s, sealed by %s\n", out, eseal_indication_name(eseal_report_overall(report)),
	       report->seals[0].organization);
	ok = 1;
cleanup:
	eseal_report_free(report);
	eseal_bytes_free(buf);
	free(doc);
	return ok;
}

int main(int argc, char **argv)
{
	eseal_profile *profile = NULL;
	eseal_sealer *sealer = NULL;
	eseal_verifier *v = NULL;
	eseal_verifier_options vo = ESEAL_VERIFIER_OPTIONS_INIT;
	eseal_error err;
	char out_xml[4096], out_pdf[4096];
	int rc = 1;

	if (argc != 7) {
		fprintf(stderr, "usage: consumer KEY CHAIN TRUST IN.xml IN.pdf OUTDIR\n");
		return 64;
	}
	snprintf(out_xml, sizeof(out_xml), "%s/sealed.xml", argv[6]);
	snprintf(out_pdf, sizeof(out_pdf), "%s/sealed.pdf", argv[6]);
	if (eseal_init(&err) != ESEAL_OK || eseal_profile_new(&profile, &err) != ESEAL_OK ||
	    eseal_profile_set(profile, "key", argv[1], &err) != ESEAL_OK ||
	    eseal_profile_set(profile, "cert", argv[2], &err) != ESEAL_OK ||
	    eseal_sealer_open(&sealer, profile, &err) != ESEAL_OK) {
		fprintf(stderr, "consumer: %s\n", err.message);
		goto cleanup;
	}
	vo.trust_files = (const char *const *)&argv[3];
	vo.n_trust_files = 1;
	if (eseal_verifier_open(&v, &vo, &err) != ESEAL_OK) {
		fprintf(stderr, "consumer: %s\n", err.message);
		goto cleanup;
	}
	if (!seal_and_verify(sealer, v, argv[4], out_xml) || !seal_and_verify(sealer, v, argv[5], out_pdf))
		goto cleanup;
	/* A failure explains itself without the caller clearing the error first: the output exists already; the reason
	 * tells a program what happened without reading the message. */
	if (eseal_sealer_seal(sealer, argv[4], out_xml, NULL, NULL, &err) == ESEAL_OK ||
	    strstr(err.message, "sealed.xml") == NULL || err.reason != ESEAL_REASON_OUTPUT_EXISTS) {
		fprintf(stderr, "consumer: sealing over an existing output: wrong answer '%s'\n", err.message);
		goto cleanup;
	}
	printf("refused as expected: %s\n", err.message);
	rc = 0;
cleanup:
	eseal_verifier_free(v);
	eseal_sealer_free(sealer);
	eseal_profile_free(profile);
	eseal_cleanup();
	return rc;
}
