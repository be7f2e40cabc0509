/* tests/unit/test_input_release.c: core/input_release.c gives back the pages of the scoped read-only file mapping
 * (the page table entries, read from /proc/self/pagemap) and nothing else: not a small mapping, not memory; a
 * loop's turn gives the mapping back once the loop's reads have mapped more than the budget, and only then. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "input_release.h"

typedef struct {
	unsigned char *buf;
	size_t len;
} mapping;

/* A read-only mapping of a file of len bytes (a hole: its pages read as zeros from the page cache). */
static mapping map_file(size_t len)
{
	char path[] = "/tmp/eseal-unit-release.XXXXXX";
	int fd = mkstemp(path);
	mapping m = {NULL, len};
	void *p;

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(ftruncate(fd, (off_t)len), 0);
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	assert_true(p != MAP_FAILED);
	m.buf = p;
	return m;
}

/* Whether the page at p is mapped now (bit 63 of its pagemap entry: present). */
static int mapped(const void *p)
{
	uint64_t e = 0;
	long page = sysconf(_SC_PAGESIZE);
	int fd = open("/proc/self/pagemap", O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = pread(fd, &e, sizeof(e), (off_t)((uintptr_t)p / (uintptr_t)page * sizeof(e)));
	close(fd);
	assert_int_equal(n, (ssize_t)sizeof(e));
	return (int)(e >> 63);
}

static unsigned char touch(const unsigned char *p)
{
	return *(const volatile unsigned char *)p;
}

static void test_turns_release_a_large_mapping(void **state)
{
	size_t span = (size_t)ES_INPUT_RELEASE_FOLIOS * ES_INPUT_FOLIO_MAX * 2, i;
	mapping m = map_file(ES_INPUT_RELEASE_ALL_MIN + span);
	const unsigned char *p = m.buf + ES_INPUT_RELEASE_ALL_MIN - 1000;
	unsigned int sum = 0;

	(void)state;
	es_input_release_scope(m.buf, m.len);
	es_input_release_turn(); /* (the file pages before the loop) */
	/* A read close to the last ones: the mapping stays. */
	assert_int_equal(touch(p), 0);
	es_input_release_turn();
	assert_true(mapped(p));
	/* Reads across twice the budget of file pages: the next turn gives the whole mapping back. */
	for (i = 0; i < span; i += 4096)
		sum += touch(m.buf + ES_INPUT_RELEASE_ALL_MIN + i);
	assert_int_equal(sum, 0);
	assert_true(mapped(m.buf + ES_INPUT_RELEASE_ALL_MIN));
	es_input_release_turn();
	assert_false(mapped(p));
	assert_false(mapped(m.buf + ES_INPUT_RELEASE_ALL_MIN));
	assert_int_equal(touch(p), 0); /* read again from the file */
	assert_true(mapped(p));
	/* A pass gives back the whole pages it is done with, and only those. */
	assert_int_equal(touch(m.buf + 8192), 0);
	assert_int_equal(touch(m.buf + 3 * 4096), 0);
	es_input_release(m.buf + 4096, 2 * 4096 + 1);
	assert_false(mapped(m.buf + 8192));
	assert_true(mapped(m.buf + 3 * 4096));
	/* A spot release gives back the folio-aligned block around a small read, and leaves other blocks. */
	assert_int_equal(touch(m.buf + m.len - 1), 0);
	es_input_release_spot(p, 1);
	assert_false(mapped(p));
	assert_true(mapped(m.buf + m.len - 1));
	es_input_release_scope(NULL, 0);
	munmap(m.buf, m.len);
}

static void test_small_mapping_and_memory_stay(void **state)
{
	mapping m = map_file((size_t)4 << 20);
	unsigned char *heap = malloc((size_t)1 << 20);
	size_t i;

	(void)state;
	assert_non_null(heap);
	memset(heap, 7, (size_t)1 << 20);
	es_input_release_scope(m.buf, m.len);
	for (i = 0; i < m.len; i += 4096)
		assert_int_equal(touch(m.buf + i), 0);
	es_input_release_turn();
	es_input_release_turn();
	assert_true(mapped(m.buf + 4096)); /* a small file stays mapped, all of it read */
	es_input_release(heap, (size_t)1 << 20); /* outside the mapping: nothing is dropped */
	assert_int_equal(heap[(size_t)1 << 19], 7);
	es_input_release(m.buf, m.len); /* a pass over a small file leaves it for the next pass */
	assert_true(mapped(m.buf + 4096));
	es_input_release_scope(NULL, 0);
	munmap(m.buf, m.len);
	free(heap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_turns_release_a_large_mapping),
		cmocka_unit_test(test_small_mapping_and_memory_stay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
