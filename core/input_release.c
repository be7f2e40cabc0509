/* core/input_release.c: drops the pages of this thread's read-only file mapping that a pass is done with (the
 * verifier maps the file; the format checks below it give pages back without knowing whether it is mapped). */
#include "input_release.h"

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

/* The file this thread is reading, as mapped by its caller: es_input_release may drop its pages. */
static _Thread_local const unsigned char *mapped_buf;
static _Thread_local size_t mapped_len;
/* For es_input_release_turn: this thread's page faults when it last looked, and the process's file pages after the
 * last release (ULONG_MAX: not known yet). */
static _Thread_local unsigned long turn_faults;
static _Thread_local unsigned long turn_file = ULONG_MAX;

void es_input_release_scope(const unsigned char *buf, size_t len)
{
	mapped_buf = buf;
	mapped_len = buf != NULL ? len : 0;
	turn_file = ULONG_MAX;
}

void es_input_release(const unsigned char *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), from, to;

	/* Only inside the read-only mapping of the file: there the kernel reads a dropped page again from the file
	 * when it is touched next; anywhere else (a buffer in memory) dropping would lose the bytes. */
	if (mapped_buf == NULL || mapped_len <= ES_INPUT_RELEASE_ALL_MIN || p < mapped_buf || len > mapped_len ||
	    (size_t)(p - mapped_buf) > mapped_len - len)
		return;
	from = ((uintptr_t)p + page - 1) & ~(page - 1);
	to = ((uintptr_t)p + len) & ~(page - 1);
	if (to > from)
		(void)madvise((void *)from, to - from, MADV_DONTNEED);
}

void es_input_release_spot(const unsigned char *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), base, end, from, to;

	if (mapped_buf == NULL || mapped_len <= ES_INPUT_RELEASE_ALL_MIN || p < mapped_buf || len > mapped_len ||
	    (size_t)(p - mapped_buf) > mapped_len - len)
		return;
	/* Outward to the folio bound, inward to the mapping: its first page is aligned, its last one partly file. */
	base = (uintptr_t)mapped_buf;
	end = (base + mapped_len + page - 1) & ~(page - 1);
	from = (uintptr_t)p & ~((uintptr_t)ES_INPUT_FOLIO_MAX - 1);
	to = ((uintptr_t)p + len + ES_INPUT_FOLIO_MAX - 1) & ~((uintptr_t)ES_INPUT_FOLIO_MAX - 1);
	if (from < base)
		from = base;
	if (to > end)
		to = end;
	if (to > from)
		(void)madvise((void *)from, to - from, MADV_DONTNEED);
}

void es_input_release_all(void)
{
	if (mapped_buf != NULL && mapped_len > ES_INPUT_RELEASE_ALL_MIN)
		(void)madvise((void *)mapped_buf, mapped_len, MADV_DONTNEED);
}

/* The process's resident file-backed pages (the third field of /proc/self/statm), 0 if unknown. */
static unsigned long file_pages(void)
{
	char text[128], *p;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	int field;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	for (p = text, field = 0; field < 2 && (p = strchr(p, ' ')) != NULL; field++)
		p++;
	return p != NULL ? strtoul(p, NULL, 10) : 0;
}

void es_input_release_turn(void)
{
	unsigned long faults, now;
	struct rusage ru;

	/* Each fault maps one large folio or one fault-around window at most: until this thread has faulted
	 * ES_INPUT_RELEASE_FOLIOS times since the last look, the file pages cannot have grown by the budget. */
	if (mapped_buf == NULL || mapped_len <= ES_INPUT_RELEASE_ALL_MIN || getrusage(RUSAGE_THREAD, &ru) != 0)
		return;
	faults = (unsigned long)ru.ru_minflt + (unsigned long)ru.ru_majflt;
	if (faults - turn_faults < ES_INPUT_RELEASE_FOLIOS)
		return;
	turn_faults = faults;
	/* (most faults of a loop that allocates are its heap's: only file pages are the mapping's) */
	if ((now = file_pages()) == 0)
		return;
	if (turn_file == ULONG_MAX || now < turn_file) {
		turn_file = now;
		return;
	}
	if (now - turn_file < ES_INPUT_RELEASE_FOLIOS * ES_INPUT_FOLIO_MAX / (size_t)sysconf(_SC_PAGESIZE))
		return;
	es_input_release_all();
	turn_file = file_pages();
}
