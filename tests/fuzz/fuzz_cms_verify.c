/* tests/fuzz/fuzz_cms_verify.c: libFuzzer target for detached CAdES verification (CMS parsing, signed attributes,
 * signing-certificate-v2, signature time-stamp). Any crash, leak or sanitizer report is a bug. */
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char content[] = "fuzz data\n";
	eseal_report *r = es_report_new("fuzz.p7s");

	if (r == NULL || size == 0)
		return (eseal_report_free(r), 0);
	es_cades_verify(fuzz_verifier, data, size, NULL, content, sizeof(content) - 1, r);
	fuzz_render(r);
	return 0;
}
