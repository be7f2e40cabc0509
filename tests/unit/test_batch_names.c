/* tests/unit/test_batch_names.c: where a batch puts each output (eseal_batch_output_name): input directories
 * mirrored, no escape from the output directory, suffixes before the extension, detached formats' extensions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "eseal/batch.h"

static void expect_name(const char *input, eseal_format format, const char *suffix, const char *want)
{
	char *got = eseal_batch_output_name("out", input, format, suffix);

	assert_non_null(got);
	assert_string_equal(got, want);
	eseal_string_free(got);
}

static void test_relative_inputs_keep_their_directories(void **state)
{
	(void)state;
	expect_name("a.pdf", ESEAL_FORMAT_PDF, NULL, "out/a.pdf");
	expect_name("./sub/dir/a.xml", ESEAL_FORMAT_XML, NULL, "out/sub/dir/a.xml");
	/* one path, however it is written */
	expect_name("sub//./dir/a.xml", ESEAL_FORMAT_XML, NULL, "out/sub/dir/a.xml");
	expect_name("x/../sub/dir/a.xml", ESEAL_FORMAT_XML, NULL, "out/sub/dir/a.xml");
	/* ".." inside a name is no component */
	expect_name("v1..2/a..b.pdf", ESEAL_FORMAT_PDF, NULL, "out/v1..2/a..b.pdf");
}

static void test_no_escape_from_the_output_directory(void **state)
{
	(void)state;
	expect_name("/etc/passwd.xml", ESEAL_FORMAT_XML, NULL, "out/passwd.xml");
	expect_name("../../x/inv.xml", ESEAL_FORMAT_XML, NULL, "out/inv.xml");
	expect_name("sub/../../inv.xml", ESEAL_FORMAT_XML, NULL, "out/inv.xml");
	expect_name("/srv/in/sub/inv.xml", ESEAL_FORMAT_XML, NULL, "out/inv.xml");
}

static void test_suffix_goes_before_the_extension(void **state)
{
	(void)state;
	expect_name("report.pdf", ESEAL_FORMAT_PDF, "sealed", "out/report.sealed.pdf");
	expect_name("README", ESEAL_FORMAT_CADES, "sealed", "out/README.sealed.p7s");
	expect_name("sub/.hidden", ESEAL_FORMAT_CADES, "s", "out/sub/.hidden.s.p7s");
	expect_name("v1.2/plan", ESEAL_FORMAT_CADES, NULL, "out/v1.2/plan.p7s");
}

static void test_detached_formats_add_their_extension(void **state)
{
	(void)state;
	expect_name("drawing.dwg", ESEAL_FORMAT_CADES, NULL, "out/drawing.dwg.p7s");
	expect_name("index.xml", ESEAL_FORMAT_XML_DETACHED, NULL, "out/index.xml.xades.xml");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relative_inputs_keep_their_directories),
		cmocka_unit_test(test_no_escape_from_the_output_directory),
		cmocka_unit_test(test_suffix_goes_before_the_extension),
		cmocka_unit_test(test_detached_formats_add_their_extension),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
