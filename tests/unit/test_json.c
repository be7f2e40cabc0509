/* tests/unit/test_json.c: the one JSON string writer (core/json.c): escapes (\t, \n, \r, controls and DEL as \u00XX),
 * valid UTF-8 kept byte for byte, each invalid byte as U+FFFD (overlong forms, surrogates, truncated sequences). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_internal.h"

static char *render(void (*fn)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, s);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void expect(const char *in, const char *want)
{
	char *got = render(es_json_string, in);

	if (strcmp(got, want) != 0)
		fail_msg("es_json_string: got %s, want %s", got, want);
	free(got);
}

static void test_escapes(void **state)
{
	(void)state;
	expect(NULL, "null");
	expect("", "\"\"");
	expect("a\"b\\c", "\"a\\\"b\\\\c\"");
	expect("tab\there\nnl\rcr", "\"tab\\there\\nnl\\rcr\"");
	expect("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	expect("/ and ~", "\"/ and ~\"");
}

static void test_utf8(void **state)
{
	(void)state;
	/* Valid multi-byte sequences are copied: Japanese, a 4-byte emoji, U+FFFD itself. */
	expect("株式会社", "\"株式会社\"");
	expect("\xf0\x9f\x94\x8f", "\"\xf0\x9f\x94\x8f\"");
	expect("\xef\xbf\xbd", "\"\xef\xbf\xbd\"");
	/* Latin-1, a lone continuation byte, overlong '/', a UTF-16 surrogate, beyond U+10FFFF, a cut sequence. */
	expect("caf\xe9.xml", "\"caf\\ufffd.xml\"");
	expect("a\x80z", "\"a\\ufffdz\"");
	expect("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	expect("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	expect("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	expect("\xe6\xa0", "\"\\ufffd\\ufffd\"");
	assert_true(es_utf8_valid("株式会社 report.pdf"));
	assert_false(es_utf8_valid("caf\xe9"));
	assert_false(es_utf8_valid("\xed\xa0\x80"));
	assert_false(es_utf8_valid("\xc1\xbf"));
}

static void test_hex_keeps_the_bytes(void **state)
{
	char *got;

	(void)state;
	got = render(es_json_hex, "caf\xe9.xml");
	assert_string_equal(got, "\"636166e92e786d6c\"");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_hex_keeps_the_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
