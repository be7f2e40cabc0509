/* tests/fuzz/fuzz_xml_verify.c: libFuzzer target for the XAdES verifier (hardened parsing, Id registration,
 * xmlsec reference processing, XAdES properties). Any crash, leak or sanitizer report is a bug. */
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_init() || fuzz_load_xml_module();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	eseal_report *r = es_report_new("fuzz.xml");

	if (r == NULL || size == 0)
		return (eseal_report_free(r), 0);
	es_xml_verify(fuzz_verifier, data, size, NULL, r);
	fuzz_render(r);
	return 0;
}
