/* core/input_release.c: drops the pages of this thread's read-only file mapping that a pass is done with (the
 * verifier maps the file; the format checks below it give pages back without knowing whether it is mapped). */
#include "input_release.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* The file this thread is reading, as mapped by its caller: es_input_release may drop its pages. */
static _Thread_local const unsigned char *mapped_buf;
static _Thread_local size_t mapped_len;

void es_input_release_scope(const unsigned char *buf, size_t len)
{
	mapped_buf = buf;
	mapped_len = buf != NULL ? len : 0;
}

void es_input_release(const unsigned char *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), from, to;

	/* Only inside the read-only mapping of the file: there the kernel reads a dropped page again from the file
	 * when it is touched next; anywhere else (a buffer in memory) dropping would lose the bytes. */
	if (mapped_buf == NULL || p < mapped_buf || len > mapped_len || (size_t)(p - mapped_buf) > mapped_len - len)
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

void es_input_release_turn(unsigned int *turns)
{
	if (++*turns % ES_INPUT_RELEASE_TURNS == 0)
		es_input_release_all();
}
