/* tests/delivery/test_delivery_rename.c: es_deliver_file where hard links fail (EPERM as on vfat, EOPNOTSUPP, EMLINK):
 * the finished file is put in place by a rename that never replaces; it arrives once and whole, an existing file of
 * that name is kept as it was, and a rename that fails leaves nothing behind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "delivery.h"
#include "eseal/error.h"

/* What the wrapped calls do (set before es_deliver_file; a child it forks as root inherits them). */
static int link_errno = EPERM; /* 0: the real linkat */
static int rename_errno;       /* 0: the real renameat2 */

int __real_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags);
int __real_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);

int __wrap_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)
{
	if (link_errno == 0)
		return __real_linkat(olddirfd, oldpath, newdirfd, newpath, flags);
	errno = link_errno;
	return -1;
}

int __wrap_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)
{
	if (rename_errno == 0)
		return __real_renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
	errno = rename_errno;
	return -1;
}

static char root[] = "/tmp/eseal-unit-delivery-XXXXXX";
static char user[256], tmpl[512], dir[512];
static int src_fd = -1;
static unsigned char content[300000]; /* several write()s: a short copy would show */

static int setup(void **state)
{
	struct passwd *pw = getpwuid(geteuid());
	char src[600];
	size_t i;

	(void)state;
	if (pw == NULL || mkdtemp(root) == NULL)
		return -1;
	snprintf(user, sizeof(user), "%s", pw->pw_name);
	/* ${USER} below a folder of ours alone: as root, the delivery makes the user's folder there itself. */
	snprintf(tmpl, sizeof(tmpl), "%s/out/${USER}", root);
	snprintf(dir, sizeof(dir), "%s/out/%s", root, user);
	snprintf(src, sizeof(src), "%s/out", root);
	if (mkdir(src, 0700) != 0 || mkdir(dir, 0700) != 0)
		return -1;
	for (i = 0; i < sizeof(content); i++)
		content[i] = (unsigned char)(i * 7 + i / 251);
	snprintf(src, sizeof(src), "%s/sealed.pdf", root);
	if ((src_fd = open(src, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 ||
	    write(src_fd, content, sizeof(content)) != (ssize_t)sizeof(content))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	if (src_fd >= 0)
		close(src_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* Empties the user's folder between cases. */
static void clear_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			assert_int_equal(unlinkat(dirfd(d), e->d_name, 0), 0);
	closedir(d);
}

/* The names in the user's folder, sorted, joined by '|'. */
static void list_dir(char *out, size_t size)
{
	struct dirent **names;
	int n, i;

	out[0] = '\0';
	n = scandir(dir, &names, NULL, alphasort);
	assert_true(n >= 2);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0) {
			if (out[0] != '\0')
				strncat(out, "|", size - strlen(out) - 1);
			strncat(out, names[i]->d_name, size - strlen(out) - 1);
		}
		free(names[i]);
	}
	free(names);
}

/* The file at path holds exactly want (len bytes), and is the user's, mode 0600. */
static void assert_content(const char *path, const void *want, size_t len)
{
	unsigned char *got = malloc(len + 1);
	struct stat st;
	ssize_t n;
	int fd;

	assert_non_null(got);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, (off_t)len);
	n = read(fd, got, len + 1);
	assert_int_equal(n, (ssize_t)len);
	assert_memory_equal(got, want, len);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	close(fd);
	free(got);
}

static int deliver(const char *base, char **path, eseal_error *err)
{
	es_delivery d = {tmpl, base, ".pdf"};

	eseal_error_clear(err);
	*path = NULL;
	return es_deliver_file(src_fd, user, &d, path, err);
}

/* Each errno a file system without hard links gives: the file arrives under its name, once, whole, and no temporary
 * file is left. */
static void test_arrives_once_whole(void **state)
{
	static const int errnos[] = {EPERM, EOPNOTSUPP, EMLINK};
	char want[700], names[1024];
	eseal_error err;
	char *path;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
		clear_dir();
		link_errno = errnos[i];
		assert_int_equal(deliver("Report", &path, &err), ESEAL_OK);
		snprintf(want, sizeof(want), "%s/Report.pdf", dir);
		assert_string_equal(path, want);
		assert_content(path, content, sizeof(content));
		list_dir(names, sizeof(names));
		assert_string_equal(names, "Report.pdf");
		free(path);
	}
}

/* A file already named Report.pdf (another print of the same title, or one the user put there) is never replaced:
 * the delivery moves on to "Report (2).pdf"; the first keeps its bytes and its inode. */
static void test_existing_file_never_replaced(void **state)
{
	static const char old[] = "the first print of Report, which must survive\n";
	char first[700], want[700], names[1024];
	struct stat before, after;
	eseal_error err;
	char *path;
	int fd;

	(void)state;
	clear_dir();
	link_errno = EPERM;
	snprintf(first, sizeof(first), "%s/Report.pdf", dir);
	fd = open(first, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, old, strlen(old)), (ssize_t)strlen(old));
	close(fd);
	assert_int_equal(stat(first, &before), 0);

	assert_int_equal(deliver("Report", &path, &err), ESEAL_OK);
	snprintf(want, sizeof(want), "%s/Report (2).pdf", dir);
	assert_string_equal(path, want);
	assert_content(path, content, sizeof(content));
	free(path);
	assert_content(first, old, strlen(old));
	assert_int_equal(stat(first, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	/* And a third time: (3), the two before untouched. */
	assert_int_equal(deliver("Report", &path, &err), ESEAL_OK);
	snprintf(want, sizeof(want), "%s/Report (3).pdf", dir);
	assert_string_equal(path, want);
	free(path);
	assert_content(first, old, strlen(old));
	list_dir(names, sizeof(names));
	assert_string_equal(names, "Report (2).pdf|Report (3).pdf|Report.pdf");
}

/* The rename fails too (a file system that knows no RENAME_NOREPLACE says EINVAL): an I/O error naming the file, and
 * nothing left in the folder, neither the file nor its temporary. */
static void test_rename_fails_leaves_nothing(void **state)
{
	char names[1024];
	eseal_error err;
	char *path;

	(void)state;
	clear_dir();
	link_errno = EPERM;
	rename_errno = EINVAL;
	assert_int_equal(deliver("Report", &path, &err), ESEAL_E_IO);
	rename_errno = 0;
	assert_null(path);
	assert_non_null(strstr(err.message, "Report.pdf"));
	list_dir(names, sizeof(names));
	assert_string_equal(names, "");
}

/* The seam itself: with the real linkat the same delivery works (the file system here has links). */
static void test_with_links(void **state)
{
	char names[1024];
	eseal_error err;
	char *path;

	(void)state;
	clear_dir();
	link_errno = 0;
	assert_int_equal(deliver("Report", &path, &err), ESEAL_OK);
	assert_content(path, content, sizeof(content));
	free(path);
	list_dir(names, sizeof(names));
	assert_string_equal(names, "Report.pdf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arrives_once_whole),
		cmocka_unit_test(test_existing_file_never_replaced),
		cmocka_unit_test(test_rename_fails_leaves_nothing),
		cmocka_unit_test(test_with_links),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
