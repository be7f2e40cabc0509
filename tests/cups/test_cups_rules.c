/* tests/cups/test_cups_rules.c: the CUPS backend's rules for hostile input: file names from job titles, user names
 * as folder names, ${USER} expansion, and the output-folder walk (creation 0700, no links, only our own folders). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cups_internal.h"

static char root[] = "/tmp/eseal-unit-cups-XXXXXX";

static void name_of(const char *title, const char *want)
{
	char out[ES_CUPS_NAME_MAX + 1];

	es_cups_base_name(title, "12", out);
	assert_string_equal(out, want);
}

static void test_base_name(void **state)
{
	(void)state;
	name_of("Quarterly report", "Quarterly report");
	name_of("scan.PDF", "scan");
	name_of("a/b\\c", "a_b_c");
	name_of("../../etc/passwd", "_.._etc_passwd");
	name_of(".hidden", "hidden");
	name_of("  . .x", "x");
	name_of("tab\there\x1b[1m\x7f", "tabhere[1m");
	name_of("trailing. . ", "trailing");
	name_of("見積書 第3版", "見積書 第3版");
	name_of("bad \xc3\x28 utf8 \xe0\x80\xaf overlong \xed\xa0\x80 surrogate", "bad ( utf8  overlong  surrogate");
	name_of("c1 \xc2\x85 control", "c1  control");
	name_of("", "print-12");
	name_of("...", "print-12");
	name_of(".pdf", "pdf");
	name_of(NULL, "print-12");
}

static void test_base_name_fallback_job_id(void **state)
{
	char out[ES_CUPS_NAME_MAX + 1];

	(void)state;
	es_cups_base_name("", "../7", out);
	assert_string_equal(out, "print-___7");
	es_cups_base_name("\x01", NULL, out);
	assert_string_equal(out, "print-job");
}

static void test_base_name_length(void **state)
{
	char title[1200], out[ES_CUPS_NAME_MAX + 1];
	size_t i;

	(void)state;
	/* 3-byte characters: the cut must fall on a character boundary, never inside one. */
	for (i = 0; i < 400; i++)
		memcpy(title + 3 * i, "\xe6\x9b\xb8", 3);
	title[1200 - 1] = '\0';
	title[3 * 399] = '\0';
	es_cups_base_name(title, "1", out);
	assert_true(strlen(out) <= ES_CUPS_NAME_MAX);
	assert_int_equal(strlen(out) % 3, 0);
	assert_true(strlen(out) > ES_CUPS_NAME_MAX - 3);
}

static void test_candidate_name(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(es_delivery_candidate_name("Memo", ".pdf", 1, out, sizeof(out)), 0);
	assert_string_equal(out, "Memo.pdf");
	assert_int_equal(es_delivery_candidate_name("Memo", ".pdf", 2, out, sizeof(out)), 0);
	assert_string_equal(out, "Memo (2).pdf");
	assert_int_equal(es_delivery_candidate_name("Memo", ".pdf", 999, out, sizeof(out)), 0);
	assert_string_equal(out, "Memo (999).pdf");
	assert_int_equal(es_delivery_candidate_name("Memo", ".pdf", 2, out, 8), -1);
}

static void test_user_names(void **state)
{
	eseal_error err;
	char big[200];

	(void)state;
	eseal_error_clear(&err);
	assert_int_equal(es_delivery_check_user("alice", &err), ESEAL_OK);
	assert_int_equal(es_delivery_check_user("DOMAIN\\bob", &err), ESEAL_OK);
	assert_int_equal(es_delivery_check_user("carol@example.jp", &err), ESEAL_OK);
	assert_int_equal(es_delivery_check_user("../x", &err), ESEAL_E_INPUT);
	eseal_error_clear(&err);
	assert_int_equal(es_delivery_check_user("a/b", &err), ESEAL_E_INPUT);
	eseal_error_clear(&err);
	assert_int_equal(es_delivery_check_user(".", &err), ESEAL_E_INPUT);
	eseal_error_clear(&err);
	assert_int_equal(es_delivery_check_user("", &err), ESEAL_E_INPUT);
	eseal_error_clear(&err);
	assert_int_equal(es_delivery_check_user("a\nb", &err), ESEAL_E_INPUT);
	eseal_error_clear(&err);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(es_delivery_check_user(big, &err), ESEAL_E_INPUT);
}

static void test_expand_user(void **state)
{
	eseal_error err;
	char *out = NULL;

	(void)state;
	eseal_error_clear(&err);
	assert_int_equal(es_delivery_expand("/srv/${USER}/in-${USER}", "${USER}", "alice", &out, &err), ESEAL_OK);
	assert_string_equal(out, "/srv/alice/in-alice");
	free(out);
	assert_int_equal(es_delivery_expand("/srv/all", "${USER}", "alice", &out, &err), ESEAL_OK);
	assert_string_equal(out, "/srv/all");
	free(out);
	assert_int_equal(es_delivery_expand("/srv/$USER/${USER", "${USER}", "bob", &out, &err), ESEAL_OK);
	assert_string_equal(out, "/srv/$USER/${USER");
	free(out);
}

/* Opens the output directory for tmpl (relative to root) and returns the status; closes what it got. */
static int open_dir(const char *tmpl_rel, const char *user, eseal_error *err)
{
	char tmpl[512];
	char *path = NULL;
	int fd = -1, rc;

	eseal_error_clear(err);
	snprintf(tmpl, sizeof(tmpl), "%s/%s", root, tmpl_rel);
	rc = es_delivery_open_dir(tmpl, user, NULL, &fd, &path, err);
	if (rc == ESEAL_OK) {
		assert_true(fd >= 0);
		assert_non_null(path);
		close(fd);
	} else {
		assert_int_equal(fd, -1);
		assert_null(path);
	}
	free(path);
	return rc;
}

static void at(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", root, rel);
}

static void test_output_dir_created_0700(void **state)
{
	eseal_error err;
	char p[512];
	struct stat st;

	(void)state;
	assert_int_equal(open_dir("out/${USER}/inbox", "alice", &err), ESEAL_OK);
	at(p, sizeof(p), "out/alice");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	at(p, sizeof(p), "out/alice/inbox");
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* Second time: already there, ours, fine. */
	assert_int_equal(open_dir("out/${USER}/inbox", "alice", &err), ESEAL_OK);
	/* Without ${USER}: the last component is the walked one. */
	assert_int_equal(open_dir("out/shared", "alice", &err), ESEAL_OK);
	at(p, sizeof(p), "out/shared");
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
}

static void test_output_dir_refusals(void **state)
{
	eseal_error err;
	char p[512], q[512];

	(void)state;
	at(p, sizeof(p), "elsewhere");
	assert_int_equal(mkdir(p, 0700), 0);
	at(q, sizeof(q), "out/mallory");
	assert_int_equal(symlink(p, q), 0);
	assert_int_equal(open_dir("out/${USER}", "mallory", &err), ESEAL_E_INPUT);
	assert_non_null(strstr(err.message, "symbolic link"));
	/* A link deeper down, under a folder that is ours. */
	at(q, sizeof(q), "out/alice/link");
	assert_int_equal(symlink(p, q), 0);
	assert_int_equal(open_dir("out/${USER}/link", "alice", &err), ESEAL_E_INPUT);
	/* A file in place of the folder. */
	at(q, sizeof(q), "out/file");
	close(open(q, O_CREAT | O_WRONLY, 0600));
	assert_int_equal(open_dir("out/${USER}", "file", &err), ESEAL_E_INPUT);
	assert_non_null(strstr(err.message, "not a directory"));
	/* A world-writable folder. */
	at(q, sizeof(q), "out/open");
	assert_int_equal(mkdir(q, 0700), 0);
	assert_int_equal(chmod(q, 0777), 0);
	assert_int_equal(open_dir("out/${USER}", "open", &err), ESEAL_E_INPUT);
	assert_non_null(strstr(err.message, "writable by everyone"));
	/* Hostile user names never reach the file system. */
	assert_int_equal(open_dir("out/${USER}", "../elsewhere", &err), ESEAL_E_INPUT);
	/* The administrator's part must exist and is not created; templates must be absolute and sane. */
	assert_int_equal(open_dir("missing/${USER}", "alice", &err), ESEAL_E_CONFIG);
	at(q, sizeof(q), "missing");
	assert_int_equal(access(q, F_OK), -1);
	assert_int_equal(open_dir("out/${USER}/..", "alice", &err), ESEAL_E_CONFIG);
	eseal_error_clear(&err);
	assert_int_equal(es_delivery_open_dir("relative/${USER}", "alice", NULL, &(int){0}, &(char *){NULL}, &err),
			 ESEAL_E_CONFIG);
	eseal_error_clear(&err);
	assert_int_equal(es_delivery_open_dir(NULL, "alice", NULL, &(int){0}, &(char *){NULL}, &err), ESEAL_E_CONFIG);
}

static void test_output_dir_foreign_owner(void **state)
{
	eseal_error err;
	char p[512];

	(void)state;
	if (geteuid() != 0)
		skip(); /* only root can make a folder that belongs to someone else */
	at(p, sizeof(p), "out/nobody");
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(chown(p, 65534, 65534), 0);
	assert_int_equal(open_dir("out/${USER}", "nobody", &err), ESEAL_E_INPUT);
	assert_non_null(strstr(err.message, "belongs to uid 65534"));
}

static int setup(void **state)
{
	char p[512];

	(void)state;
	if (mkdtemp(root) == NULL)
		return -1;
	snprintf(p, sizeof(p), "%s/out", root);
	return mkdir(p, 0755);
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_name),
		cmocka_unit_test(test_base_name_fallback_job_id),
		cmocka_unit_test(test_base_name_length),
		cmocka_unit_test(test_candidate_name),
		cmocka_unit_test(test_user_names),
		cmocka_unit_test(test_expand_user),
		cmocka_unit_test(test_output_dir_created_0700),
		cmocka_unit_test(test_output_dir_refusals),
		cmocka_unit_test(test_output_dir_foreign_owner),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
