/* tests/unit/test_profile.c: INI profiles: the keys of the issue, CLI-style overrides, and errors that name
 * the file and line instead of silently dropping a mistyped setting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eseal/profile.h"
#include "secret_internal.h"

static char path[] = "/tmp/eseal-unit-profile-XXXXXX";

static void write_config(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_issue_example_profile(void **state)
{
	eseal_profile *p = NULL;
	eseal_error err;

	(void)state;
	write_config("[profile other]\nlevel = B-B\n\n"
		     "[profile office]\n"
		     "key = pkcs11:token=eseal;object=eseal;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so\n"
		     "pin-file = /etc/eseal/pin\n"
		     "cert = /etc/eseal/chain.pem\n"
		     "tsa = http://tsa.example/ http://backup-tsa.example/\n"
		     "level = B-T\n"
		     "visible = yes\nrect = 10,20,180,70\npage = last\nplacement = ubl\n");
	eseal_error_clear(&err);
	assert_int_equal(eseal_profile_load(&p, path, "office", &err), ESEAL_OK);
	assert_string_equal(p->key,
			    "pkcs11:token=eseal;object=eseal;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so");
	assert_string_equal(p->pin_file, "/etc/eseal/pin");
	assert_string_equal(p->cert, "/etc/eseal/chain.pem");
	assert_int_equal(p->n_tsa, 2);
	assert_string_equal(p->tsa[0], "http://tsa.example/");
	assert_string_equal(p->tsa[1], "http://backup-tsa.example/");
	assert_int_equal(p->level, ESEAL_LEVEL_B_T);
	assert_int_equal(p->visible, 1);
	assert_int_equal(p->page, -1);
	assert_true(p->rect[2] == 180.0 && p->rect[3] == 70.0);
	assert_int_equal(p->placement, ESEAL_PLACEMENT_UBL);
	eseal_profile_free(p);
}

static void test_unknown_key_names_file_and_line(void **state)
{
	eseal_profile *p = NULL;
	eseal_error err;

	(void)state;
	write_config("[profile office]\nkey = x\nlevle = B-T\n");
	eseal_error_clear(&err);
	assert_int_equal(eseal_profile_load(&p, path, "office", &err), ESEAL_E_USAGE);
	assert_null(p);
	assert_non_null(strstr(err.message, path));
	assert_non_null(strstr(err.message, ":3"));
	assert_non_null(strstr(err.message, "levle"));
}

static void test_missing_profile_and_file(void **state)
{
	eseal_profile *p = NULL;
	eseal_error err;

	(void)state;
	write_config("[profile office]\nkey = x\n");
	eseal_error_clear(&err);
	assert_int_equal(eseal_profile_load(&p, path, "nope", &err), ESEAL_E_USAGE);
	assert_non_null(strstr(err.message, "[profile nope]"));
	eseal_error_clear(&err);
	assert_int_equal(eseal_profile_load(&p, "/nonexistent/eseal.conf", "office", &err), ESEAL_E_USAGE);
	assert_non_null(strstr(err.message, "/nonexistent/eseal.conf"));
}

static void test_bad_values_are_refused(void **state)
{
	eseal_profile *p = NULL;
	eseal_error err;

	(void)state;
	eseal_error_clear(&err);
	assert_int_equal(eseal_profile_new(&p, &err), ESEAL_OK);
	assert_int_equal(eseal_profile_set(p, "level", "B-LTX", &err), ESEAL_E_USAGE);
	eseal_error_clear(&err);
	assert_int_equal(eseal_profile_set(p, "level", "B-LTA", &err), ESEAL_OK);
	assert_string_equal(eseal_level_name(p->level), "B-LTA");
	assert_int_equal(eseal_profile_set(p, "level", "b-lt", &err), ESEAL_OK);
	assert_string_equal(eseal_level_name(p->level), "B-LT");
	eseal_error_clear(&err);
	assert_int_equal(eseal_profile_set(p, "tsa", "ftp://x/", &err), ESEAL_E_USAGE);
	eseal_error_clear(&err);
	assert_int_equal(eseal_profile_set(p, "rect", "1,2,-3,4", &err), ESEAL_E_USAGE);
	eseal_error_clear(&err);
	assert_int_equal(eseal_profile_set(p, "digest", "md5", &err), ESEAL_E_USAGE);
	eseal_error_clear(&err);
	assert_int_equal(eseal_profile_set(p, "tsa", "http://a/", &err), ESEAL_OK);
	assert_int_equal(eseal_profile_set(p, "tsa", NULL, &err), ESEAL_OK);
	assert_int_equal(p->n_tsa, 0);
	eseal_profile_free(p);
}

static void test_copy_is_deep(void **state)
{
	eseal_profile *p = NULL, *c = NULL;
	eseal_error err;

	(void)state;
	eseal_error_clear(&err);
	assert_int_equal(eseal_profile_new(&p, &err), ESEAL_OK);
	assert_int_equal(eseal_profile_set(p, "key", "pkcs11:token=a", &err), ESEAL_OK);
	assert_int_equal(eseal_profile_set(p, "tsa", "http://a/ http://b/", &err), ESEAL_OK);
	assert_int_equal(eseal_profile_copy(&c, p, &err), ESEAL_OK);
	assert_ptr_not_equal(c->key, p->key);
	assert_string_equal(c->key, "pkcs11:token=a");
	eseal_profile_free(p);
	assert_string_equal(c->tsa[1], "http://b/");
	eseal_profile_free(c);
}

static void test_secret_file_first_line(void **state)
{
	eseal_error err;
	char buf[16];

	(void)state;
	write_config("123456\nsecond line\n");
	eseal_error_clear(&err);
	assert_int_equal(es_secret_read_file(path, "PIN file", buf, sizeof(buf), NULL, NULL, &err), ESEAL_OK);
	assert_string_equal(buf, "123456");
	write_config("0123456789abcdefghij\n");
	assert_int_equal(es_secret_read_file(path, "PIN file", buf, sizeof(buf), NULL, NULL, &err), ESEAL_E_CONFIG);
	assert_null(strstr(err.message, "0123456789"));
}

static void keep_warning(void *ctx, const char *message)
{
	snprintf(ctx, 512, "%s", message);
}

/* As ssh does for private keys: a secret others may read is used, with a warning naming the file and its mode. */
static void test_secret_file_mode_warning(void **state)
{
	eseal_error err;
	char buf[16], warning[512] = "";

	(void)state;
	write_config("123456\n");
	assert_int_equal(chmod(path, 0644), 0);
	eseal_error_clear(&err);
	assert_int_equal(es_secret_read_file(path, "PIN file", buf, sizeof(buf), keep_warning, warning, &err), ESEAL_OK);
	assert_non_null(strstr(warning, path));
	assert_non_null(strstr(warning, "mode 0644"));
	assert_non_null(strstr(warning, "others"));
	assert_null(strstr(warning, "123456"));
	warning[0] = '\0';
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(es_secret_read_file(path, "PIN file", buf, sizeof(buf), keep_warning, warning, &err), ESEAL_OK);
	assert_non_null(strstr(warning, "mode 0640"));
	assert_non_null(strstr(warning, "its group"));
	warning[0] = '\0';
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(es_secret_read_file(path, "PIN file", buf, sizeof(buf), keep_warning, warning, &err), ESEAL_OK);
	assert_string_equal(warning, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_example_profile),
		cmocka_unit_test(test_unknown_key_names_file_and_line),
		cmocka_unit_test(test_missing_profile_and_file),
		cmocka_unit_test(test_bad_values_are_refused),
		cmocka_unit_test(test_copy_is_deep),
		cmocka_unit_test(test_secret_file_first_line),
		cmocka_unit_test(test_secret_file_mode_warning),
	};
	int fd = mkstemp(path), rc;

	if (fd < 0)
		return 1;
	close(fd);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	return rc;
}
