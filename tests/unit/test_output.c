/* tests/unit/test_output.c: the atomic output: nothing visible before commit, nothing left after a failure,
 * no overwrite unless asked, no following of planted symlinks, never the input itself. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eseal/output.h"

static char dir[] = "/tmp/eseal-unit-output-XXXXXX";

static int count_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void path_in(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static void read_all(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void test_nothing_visible_until_commit(void **state)
{
	eseal_output *o = NULL;
	eseal_error err;
	char path[256], got[64];

	(void)state;
	eseal_error_clear(&err);
	path_in(path, sizeof(path), "a.out");
	assert_int_equal(eseal_output_open(&o, path, 0, NULL, &err), ESEAL_OK);
	assert_int_equal(eseal_output_write(o, "hello world", 11, &err), ESEAL_OK);
	assert_int_equal(eseal_output_pwrite(o, 6, "WORLD", 5, &err), ESEAL_OK);
	assert_int_equal(count_entries(), 0);
	assert_int_equal(eseal_output_commit(o, &err), ESEAL_OK);
	eseal_output_free(o);
	read_all(path, got, sizeof(got));
	assert_string_equal(got, "hello WORLD");
	assert_int_equal(count_entries(), 1);
	unlink(path);
}

static void test_abandoned_output_leaves_nothing(void **state)
{
	eseal_output *o = NULL;
	eseal_error err;
	char path[256];

	(void)state;
	eseal_error_clear(&err);
	path_in(path, sizeof(path), "b.out");
	assert_int_equal(eseal_output_open(&o, path, 0, NULL, &err), ESEAL_OK);
	assert_int_equal(eseal_output_write(o, "partial", 7, &err), ESEAL_OK);
	eseal_output_free(o);
	assert_int_equal(count_entries(), 0);
}

static void test_refuses_overwrite_unless_asked(void **state)
{
	eseal_output *o = NULL;
	eseal_error err;
	char path[256], got[64];
	struct stat before, after;
	FILE *f;

	(void)state;
	path_in(path, sizeof(path), "c.out");
	f = fopen(path, "w");
	fputs("old", f);
	fclose(f);
	eseal_error_clear(&err);
	assert_int_equal(eseal_output_open(&o, path, 0, NULL, &err), ESEAL_E_IO);
	assert_non_null(strstr(err.message, "c.out"));
	assert_non_null(strstr(err.message, "exists"));
	assert_null(o);
	read_all(path, got, sizeof(got));
	assert_string_equal(got, "old");
	assert_int_equal(stat(path, &before), 0);
	eseal_error_clear(&err);
	assert_int_equal(eseal_output_open(&o, path, 1, NULL, &err), ESEAL_OK);
	assert_int_equal(eseal_output_write(o, "new", 3, &err), ESEAL_OK);
	/* Until the commit, the old file is whole and in place. */
	read_all(path, got, sizeof(got));
	assert_string_equal(got, "old");
	assert_int_equal(eseal_output_commit(o, &err), ESEAL_OK);
	eseal_output_free(o);
	read_all(path, got, sizeof(got));
	assert_string_equal(got, "new");
	/* Replaced by rename (a new inode), never rewritten in place: a crash cannot leave a mix of both. */
	assert_int_equal(stat(path, &after), 0);
	assert_int_not_equal(before.st_ino, after.st_ino);
	assert_int_equal(count_entries(), 1);
	unlink(path);
}

static void test_refuses_symlink_target(void **state)
{
	eseal_output *o = NULL;
	eseal_error err;
	char path[256], victim[256];

	(void)state;
	path_in(path, sizeof(path), "link.out");
	path_in(victim, sizeof(victim), "victim");
	assert_int_equal(symlink(victim, path), 0);
	eseal_error_clear(&err);
	assert_int_equal(eseal_output_open(&o, path, 1, NULL, &err), ESEAL_E_IO);
	assert_non_null(strstr(err.message, "symbolic link"));
	assert_int_not_equal(access(victim, F_OK), 0);
	unlink(path);
}

static void test_refuses_the_input_itself(void **state)
{
	eseal_output *o = NULL;
	eseal_error err;
	char path[256];
	FILE *f;

	(void)state;
	path_in(path, sizeof(path), "in.pdf");
	f = fopen(path, "w");
	fputs("%PDF-1.7", f);
	fclose(f);
	eseal_error_clear(&err);
	assert_int_equal(eseal_output_open(&o, path, 1, path, &err), ESEAL_E_USAGE);
	assert_non_null(strstr(err.message, "input"));
	unlink(path);
}

static void test_missing_directory_is_a_clear_error(void **state)
{
	eseal_output *o = NULL;
	eseal_error err;
	char path[256];

	(void)state;
	path_in(path, sizeof(path), "no/such/dir/x.out");
	eseal_error_clear(&err);
	assert_int_equal(eseal_output_open(&o, path, 0, NULL, &err), ESEAL_E_IO);
	assert_non_null(strstr(err.message, "x.out"));
}

static void test_patch_outside_written_data_is_refused(void **state)
{
	eseal_output *o = NULL;
	eseal_error err;
	char path[256];

	(void)state;
	path_in(path, sizeof(path), "d.out");
	eseal_error_clear(&err);
	assert_int_equal(eseal_output_open(&o, path, 0, NULL, &err), ESEAL_OK);
	assert_int_equal(eseal_output_write(o, "abc", 3, &err), ESEAL_OK);
	assert_int_equal(eseal_output_pwrite(o, 2, "xy", 2, &err), ESEAL_E_INTERNAL);
	eseal_output_free(o);
	assert_int_equal(count_entries(), 0);
}

/* One output of the group test: what the committer reported for it. */
struct group_slot {
	char path[256];
	char body[64];
	int reports;
	eseal_status status;
	int whole_at_report; /* the file existed with its full content when reported */
};

struct group_job {
	eseal_output_group *group;
	struct group_slot *slots; /* 10 per thread */
	int index;
	int rc;
};

static void on_done(void *ctx, void *cookie, const eseal_error *err)
{
	struct group_slot *slot = cookie;
	char got[64];
	FILE *f;
	size_t n;

	(void)ctx;
	slot->reports++;
	slot->status = err->status;
	if ((f = fopen(slot->path, "rb")) != NULL) {
		n = fread(got, 1, sizeof(got) - 1, f);
		got[n] = '\0';
		fclose(f);
		slot->whole_at_report = strcmp(got, slot->body) == 0;
	}
}

static void *commit_in_group(void *arg)
{
	struct group_job *j = arg;
	eseal_output *o = NULL;
	eseal_error err;
	char name[32];
	int i;

	eseal_error_clear(&err);
	for (i = 0; i < 10 && j->rc == ESEAL_OK; i++) {
		struct group_slot *slot = &j->slots[i];

		snprintf(name, sizeof(name), "g-%d-%d.out", j->index, i);
		path_in(slot->path, sizeof(slot->path), name);
		snprintf(slot->body, sizeof(slot->body), "document %d/%d", j->index, i);
		j->rc = eseal_output_open(&o, slot->path, 0, NULL, &err);
		if (j->rc != ESEAL_OK)
			break;
		eseal_output_set_group(o, j->group, slot);
		j->rc = eseal_output_write(o, slot->body, strlen(slot->body), &err);
		if (j->rc == ESEAL_OK && !(j->index == 0 && i == 9)) /* one output is abandoned, not committed */
			j->rc = eseal_output_commit(o, &err);
		eseal_output_free(o);
		o = NULL;
	}
	return NULL;
}

/* A batch's outputs are committed by the group's thread: every committed one is reported exactly once, and only
 * when it is whole under its name; an abandoned one leaves nothing and is never reported; sync waits for all. */
static void test_group_commit_from_threads(void **state)
{
	eseal_output_group *g = NULL;
	struct group_slot slots[4][10];
	struct group_job jobs[4];
	pthread_t t[4];
	eseal_error err;
	int i, k;

	(void)state;
	memset(slots, 0, sizeof(slots));
	eseal_error_clear(&err);
	assert_int_equal(eseal_output_group_new(&g, on_done, NULL, &err), ESEAL_OK);
	for (i = 0; i < 4; i++) {
		jobs[i].group = g;
		jobs[i].slots = slots[i];
		jobs[i].index = i;
		jobs[i].rc = ESEAL_OK;
		assert_int_equal(pthread_create(&t[i], NULL, commit_in_group, &jobs[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(jobs[i].rc, ESEAL_OK);
	}
	assert_int_equal(eseal_output_group_sync(g, &err), ESEAL_OK);
	for (i = 0; i < 4; i++)
		for (k = 0; k < 10; k++) {
			if (i == 0 && k == 9) {
				assert_int_equal(slots[i][k].reports, 0);
				assert_int_not_equal(access(slots[i][k].path, F_OK), 0);
				continue;
			}
			assert_int_equal(slots[i][k].reports, 1);
			assert_int_equal(slots[i][k].status, ESEAL_OK);
			assert_true(slots[i][k].whole_at_report);
		}
	eseal_output_group_free(g);
	assert_int_equal(count_entries(), 39);
	for (i = 0; i < 4; i++)
		for (k = 0; k < 10; k++)
			unlink(slots[i][k].path);
}

/* A name taken while the output waited in the group: reported as failed, and the other file is not replaced. */
static void test_group_reports_a_failed_naming(void **state)
{
	eseal_output_group *g = NULL;
	struct group_slot slot;
	eseal_output *o = NULL;
	eseal_error err;
	char got[64];
	FILE *f;

	(void)state;
	memset(&slot, 0, sizeof(slot));
	eseal_error_clear(&err);
	path_in(slot.path, sizeof(slot.path), "race.out");
	strcpy(slot.body, "ours");
	assert_int_equal(eseal_output_group_new(&g, on_done, NULL, &err), ESEAL_OK);
	assert_int_equal(eseal_output_open(&o, slot.path, 0, NULL, &err), ESEAL_OK);
	eseal_output_set_group(o, g, &slot);
	assert_int_equal(eseal_output_write(o, "ours", 4, &err), ESEAL_OK);
	f = fopen(slot.path, "wb"); /* someone else's file appears before the commit */
	assert_non_null(f);
	fputs("theirs", f);
	fclose(f);
	assert_int_equal(eseal_output_commit(o, &err), ESEAL_OK); /* handed over */
	eseal_output_free(o);
	assert_int_equal(eseal_output_group_sync(g, &err), ESEAL_OK);
	eseal_output_group_free(g);
	assert_int_equal(slot.reports, 1);
	assert_int_equal(slot.status, ESEAL_E_IO);
	read_all(slot.path, got, sizeof(got));
	assert_string_equal(got, "theirs");
	unlink(slot.path);
	assert_int_equal(count_entries(), 0);
}

/* A batch's outputs stay below its --out-dir: a directory below it that is a symbolic link (planted after the batch
 * made its directories, or missed) is refused when the output is handed over, and nothing is written where it
 * points. */
static void test_group_refuses_a_symlinked_subdirectory(void **state)
{
	eseal_output_group *g = NULL;
	struct group_slot slot;
	eseal_output *o = NULL;
	eseal_error err;
	char root[256], elsewhere[256], link[256];
	int rc;

	(void)state;
	memset(&slot, 0, sizeof(slot));
	eseal_error_clear(&err);
	path_in(root, sizeof(root), "root");
	path_in(elsewhere, sizeof(elsewhere), "elsewhere");
	snprintf(link, sizeof(link), "%s/sub", root);
	assert_int_equal(mkdir(root, 0755), 0);
	assert_int_equal(mkdir(elsewhere, 0755), 0);
	assert_int_equal(symlink("../elsewhere", link), 0);
	snprintf(slot.path, sizeof(slot.path), "%s/sub/x.out", root);
	assert_int_equal(eseal_output_group_new(&g, on_done, NULL, &err), ESEAL_OK);
	assert_int_equal(eseal_output_group_below(g, root, &err), ESEAL_OK);
	assert_int_equal(eseal_output_open(&o, slot.path, 0, NULL, &err), ESEAL_OK); /* opening follows the link... */
	eseal_output_set_group(o, g, &slot);
	assert_int_equal(eseal_output_write(o, "ours", 4, &err), ESEAL_OK);
	rc = eseal_output_commit(o, &err); /* ... naming it does not */
	/* The group is wound down before any assertion: a failed one must not leave its thread writing to slot. */
	eseal_output_free(o);
	eseal_output_group_sync(g, NULL);
	eseal_output_group_free(g);
	assert_int_equal(rc, ESEAL_E_IO);
	assert_non_null(strstr(err.message, "symbolic link"));
	assert_int_equal(slot.reports, 0); /* refused before the group took it: the caller reports it */
	snprintf(link, sizeof(link), "%s/x.out", elsewhere);
	assert_int_equal(access(link, F_OK), -1);
	snprintf(link, sizeof(link), "%s/sub", root);
	unlink(link);
	rmdir(root);
	rmdir(elsewhere);
	assert_int_equal(count_entries(), 0);
}

/* An output is never more readable than its input: a 0600 document gives a 0600 seal, a 0640 one at most 0640. */
static void test_output_mode_follows_the_input(void **state)
{
	static const mode_t modes[] = {0600, 0640, 0644};
	eseal_output *o = NULL;
	eseal_error err;
	char in[256], out[256];
	struct stat st;
	mode_t old = umask(022);
	size_t i;
	int fd;

	(void)state;
	path_in(in, sizeof(in), "in.doc");
	path_in(out, sizeof(out), "out.doc");
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		eseal_error_clear(&err);
		fd = open(in, O_CREAT | O_WRONLY | O_TRUNC, 0600);
		assert_true(fd >= 0);
		close(fd);
		assert_int_equal(chmod(in, modes[i]), 0);
		assert_int_equal(eseal_output_open(&o, out, 0, in, &err), ESEAL_OK);
		assert_int_equal(eseal_output_write(o, "x", 1, &err), ESEAL_OK);
		assert_int_equal(eseal_output_commit(o, &err), ESEAL_OK);
		eseal_output_free(o);
		o = NULL;
		assert_int_equal(stat(out, &st), 0);
		if ((st.st_mode & 0777) != modes[i])
			fail_msg("input mode %04o gave output mode %04o", (unsigned)modes[i], (unsigned)(st.st_mode & 0777));
		unlink(out);
	}
	/* The umask still applies: a 0666 input under umask 077 gives 0600. */
	umask(077);
	assert_int_equal(chmod(in, 0666), 0);
	assert_int_equal(eseal_output_open(&o, out, 0, in, &err), ESEAL_OK);
	assert_int_equal(eseal_output_commit(o, &err), ESEAL_OK);
	eseal_output_free(o);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	umask(old);
	unlink(out);
	unlink(in);
	assert_int_equal(count_entries(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_visible_until_commit),
		cmocka_unit_test(test_abandoned_output_leaves_nothing),
		cmocka_unit_test(test_refuses_overwrite_unless_asked),
		cmocka_unit_test(test_refuses_symlink_target),
		cmocka_unit_test(test_refuses_the_input_itself),
		cmocka_unit_test(test_missing_directory_is_a_clear_error),
		cmocka_unit_test(test_patch_outside_written_data_is_refused),
		cmocka_unit_test(test_group_commit_from_threads),
		cmocka_unit_test(test_group_reports_a_failed_naming),
		cmocka_unit_test(test_group_refuses_a_symlinked_subdirectory),
		cmocka_unit_test(test_output_mode_follows_the_input),
	};
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}
