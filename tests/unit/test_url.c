/* tests/unit/test_url.c: URLs in messages (core/url.c): user information ("user:password@") is never shown, whatever
 * the scheme; the host, port, path and query stay; an '@' after the authority is not user information. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "url_internal.h"

static void expect(const char *in, const char *want)
{
	char buf[ES_URL_SHOW_MAX];

	assert_string_equal(es_url_show(in, buf, sizeof(buf)), want);
}

static void test_credentials_hidden(void **state)
{
	(void)state;
	expect("http://tsa.example/", "http://tsa.example/");
	expect("http://alice:s3cret@tsa.example:8080/ts?x=1", "http://***@tsa.example:8080/ts?x=1");
	expect("https://alice@tsa.example", "https://***@tsa.example");
	expect("http://a:b@c@tsa.example/", "http://***@tsa.example/"); /* the last '@' of the authority ends it */
	expect("ftp://u:p@host", "ftp://***@host");
	expect("u:p@host/x", "***@host/x");
	expect("http://tsa.example/path@x", "http://tsa.example/path@x");
	expect("http://tsa.example?q=a@b", "http://tsa.example?q=a@b");
	expect(NULL, "(none)");
}

static void test_long_url_cut_without_credentials(void **state)
{
	char in[2000], buf[64];

	(void)state;
	memset(in, 'a', sizeof(in));
	memcpy(in, "http://user:pw@", 15);
	in[sizeof(in) - 1] = '\0';
	es_url_show(in, buf, sizeof(buf));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_non_null(strstr(buf, "..."));
	assert_null(strstr(buf, "user"));
	assert_null(strstr(buf, "pw"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credentials_hidden),
		cmocka_unit_test(test_long_url_cut_without_credentials),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
