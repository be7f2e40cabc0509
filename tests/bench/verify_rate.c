/* tests/bench/verify_rate.c: verification throughput of the library on many files with one verifier, with or without
 * its revocation cache (the CLI always has it), for tests/bench/verify_bulk.sh. Prints one line; exit 1 unless all pass.
 *   verify_rate [--no-cache] TRUST.pem FILE... */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "eseal/eseal.h"
#include "eseal/verify.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	eseal_verifier_options vo;
	eseal_verifier *v = NULL;
	eseal_report *r = NULL;
	eseal_error err;
	const char *trust;
	int i = 1, passed = 0, n = 0;
	double t0, t1;

	memset(&vo, 0, sizeof(vo));
	if (argc > 1 && strcmp(argv[1], "--no-cache") == 0) {
		vo.no_revocation_cache = 1;
		i++;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: verify_rate [--no-cache] TRUST.pem FILE...\n");
		return 64;
	}
	trust = argv[i++];
	vo.trust_files = &trust;
	vo.n_trust_files = 1;
	eseal_error_clear(&err);
	if (eseal_init(&err) != ESEAL_OK || eseal_verifier_open(&v, &vo, &err) != ESEAL_OK) {
		fprintf(stderr, "verify_rate: %s\n", err.message);
		return 1;
	}
	t0 = now_s();
	for (; i < argc; i++, n++) {
		eseal_error_clear(&err);
		eseal_verify_file(v, argv[i], NULL, &r, &err);
		if (r != NULL && eseal_report_exit_code(r) == 0)
			passed++;
		else
			fprintf(stderr, "verify_rate: %s does not pass\n", argv[i]);
		eseal_report_free(r);
		r = NULL;
	}
	t1 = now_s();
	eseal_verifier_free(v);
	printf("cache=%s files=%d passed=%d seconds=%.2f rate=%.1f/s\n", vo.no_revocation_cache ? "off" : "on", n,
	       passed, t1 - t0, (double)n / (t1 - t0));
	return passed == n ? 0 : 1;
}
