/* tests/verify/test_xml_verify_io.c: how the XML verifier turns a detached Reference URI into a file: decoded once
 * (as xmlsec decodes before its input callbacks), never outside the directory, never through a symbolic link, never
 * a FIFO; both with openat2 and with the component-by-component fallback used where openat2 is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xml/xml_verify_internal.h"

static char root[PATH_MAX];
static int dirfd_ = -1;

static void put(const char *rel, const char *text)
{
	char p[PATH_MAX * 2];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* root/dir: the signature's directory; root/outside: a directory beside it holding a copy of the data. */
static int setup(void **state)
{
	char p[PATH_MAX * 2];

	(void)state;
	snprintf(root, sizeof(root), "%s/xvio.XXXXXX", getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(root) == NULL)
		return -1;
	snprintf(p, sizeof(p), "%s/dir", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/dir/sub", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/outside", root);
	mkdir(p, 0755);
	put("dir/plan.txt", "plan");
	put("dir/sub/data.bin", "data");
	put("dir/x%41.txt", "percent");
	put("outside/data.bin", "data");
	snprintf(p, sizeof(p), "%s/dir/linkdir", root);
	if (symlink("../outside", p) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/dir/sub/link.bin", root);
	if (symlink("data.bin", p) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/dir/fifo", root);
	if (mkfifo(p, 0600) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/dir", root);
	dirfd_ = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dirfd_ >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	close(dirfd_);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void expect_path(const char *uri, const char *want)
{
	char *got = es_xv_detached_path(uri);
	const char *shown = uri != NULL ? uri : "(none)";

	if (want == NULL) {
		if (got != NULL)
			fail_msg("URI %s accepted as path %s", shown, got);
	} else {
		if (got == NULL)
			fail_msg("URI %s refused, want %s", shown, want);
		assert_string_equal(got, want);
	}
	free(got);
}

static void test_decode_once(void **state)
{
	(void)state;
	expect_path("plan.txt", "plan.txt");
	expect_path("site%20plan.png", "site plan.png");
	expect_path("x%2541.txt", "x%41.txt"); /* once: not xA.txt */
	expect_path("sub/data.bin", "sub/data.bin");
	expect_path("a%3Ab.txt", "a:b.txt"); /* an escaped colon is part of a name, not a scheme */
	expect_path("100%.txt", "100%.txt");
	expect_path("%2e%2e/outside/data.bin", NULL);
	expect_path("sub/%2E%2E/%2e%2e/x", NULL);
	expect_path("../x", NULL);
	expect_path("..", NULL);
	expect_path("%2e%2e", NULL);
	expect_path("/etc/passwd", NULL);
	expect_path("%2fetc/passwd", NULL);
	expect_path("file:plan.txt", NULL);
	expect_path("file:///etc/passwd", NULL);
	expect_path("http://127.0.0.1/x", NULL);
	expect_path("plan.txt#xpointer(/)", NULL);
	expect_path("plan.txt?x", NULL);
	expect_path("sub\\data.bin", NULL);
	expect_path("plan.txt%00.png", NULL);
	expect_path("", NULL);
	expect_path(NULL, NULL);
	assert_int_equal(es_xv_detached_path_ok("x%41.txt"), 1);
	assert_int_equal(es_xv_detached_path_ok("a/../b"), 0);
	assert_int_equal(es_xv_detached_path_ok("/a"), 0);
}

static void expect_open(int use_walk, const char *path, const char *why_part, const char *content)
{
	const char *why = NULL;
	char buf[32] = {0};
	int fd;

	if (use_walk) {
		fd = es_xv_open_walk(dirfd_, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0) {
			struct stat st;
			assert_int_equal(fstat(fd, &st), 0);
			if (!S_ISREG(st.st_mode)) {
				close(fd);
				fd = -1;
				why = "not a regular file";
			}
		} else {
			why = errno == ELOOP ? "a symbolic link" : errno == EXDEV ? "outside" : "other";
		}
	} else {
		fd = es_xv_open_beneath(dirfd_, path, &why);
	}
	if (content == NULL) {
		if (fd >= 0)
			fail_msg("%s: %s opened", use_walk ? "walk" : "openat2", path);
		assert_non_null(why);
		if (strstr(why, why_part) == NULL)
			fail_msg("%s: %s refused with '%s', want '%s'", use_walk ? "walk" : "openat2", path, why,
				 why_part);
		return;
	}
	if (fd < 0)
		fail_msg("%s: %s refused: %s", use_walk ? "walk" : "openat2", path, why != NULL ? why : "?");
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	assert_string_equal(buf, content);
	if (!use_walk)
		assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0); /* reads block again like any file */
	close(fd);
}

static void opens(int walk)
{
	expect_open(walk, "plan.txt", NULL, "plan");
	expect_open(walk, "./sub//data.bin", NULL, "data");
	expect_open(walk, "x%41.txt", NULL, "percent");
	expect_open(walk, "linkdir/data.bin", "symbolic link", NULL);
	expect_open(walk, "sub/link.bin", "symbolic link", NULL);
	expect_open(walk, "fifo", "not a regular file", NULL);
	expect_open(walk, "sub", "not a regular file", NULL);
	expect_open(walk, "../outside/data.bin", "outside", NULL);
	expect_open(walk, "sub/../../outside/data.bin", "outside", NULL);
	expect_open(walk, "/etc/passwd", "outside", NULL);
}

static void test_open_openat2(void **state)
{
	const char *why = NULL;

	(void)state;
	opens(0);
	assert_int_equal(es_xv_open_beneath(dirfd_, "missing.txt", &why), -1);
	assert_string_equal(why, "not found");
}

static void test_open_walk(void **state)
{
	(void)state;
	opens(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_once),
		cmocka_unit_test(test_open_openat2),
		cmocka_unit_test(test_open_walk),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
