/* tests/unit/test_i18n.c: texts for people in the language asked for: Japanese from the build tree's catalog, English
 * built in, the process's own language when none is named, and a language without a catalog falling back to English. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/eseal.h"

static int setup(void **state)
{
	eseal_error err;

	(void)state;
	eseal_error_clear(&err);
	/* The catalogs come from $ESEAL_LOCALEDIR, which ctest points at the build tree. */
	return getenv("ESEAL_LOCALEDIR") == NULL || eseal_init(&err) != ESEAL_OK;
}

static void test_japanese_named(void **state)
{
	(void)state;
	/* Fails when ja_JP.UTF-8 is not generated (scripts/install-deps.sh does it) or the catalog is not built. */
	assert_string_equal(eseal_status_text(ESEAL_E_TSA, "ja"),
			    "タイムスタンプサービスに現在接続できません。自動的に再試行します。");
	assert_string_equal(eseal_status_text(ESEAL_E_TSA, "ja_JP.UTF-8"),
			    "タイムスタンプサービスに現在接続できません。自動的に再試行します。");
}

static void test_english_and_unknown(void **state)
{
	const char *en = "The time-stamp service cannot be reached at the moment; this will be retried.";

	(void)state;
	assert_string_equal(eseal_status_text(ESEAL_E_TSA, "en"), en);
	assert_string_equal(eseal_status_text(ESEAL_E_TSA, "xx"), en);
	assert_null(eseal_language_locale("en"));
	assert_string_equal(eseal_language_locale("ja"), "ja_JP.UTF-8");
}

static void test_every_class_translated(void **state)
{
	eseal_status s;

	(void)state;
	for (s = ESEAL_OK; s <= ESEAL_E_REMOTE; s++)
		assert_string_not_equal(eseal_status_text(s, "ja"), eseal_status_text(s, "en"));
}

static void test_process_language(void **state)
{
	(void)state;
	unsetenv("LANGUAGE");
	assert_non_null(setlocale(LC_ALL, "ja_JP.UTF-8"));
	assert_string_equal(eseal_status_text(ESEAL_E_HSM, NULL), "HSMは現在利用できません。自動的に再試行します。");
	/* A named language wins over the process's, from any thread. */
	assert_string_equal(eseal_status_text(ESEAL_E_HSM, "en"),
			    "The HSM is not available at the moment; this will be retried.");
	assert_non_null(setlocale(LC_ALL, "C"));
	assert_string_equal(eseal_status_text(ESEAL_E_HSM, NULL),
			    "The HSM is not available at the moment; this will be retried.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_japanese_named),
		cmocka_unit_test(test_english_and_unknown),
		cmocka_unit_test(test_every_class_translated),
		cmocka_unit_test(test_process_language),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
