/* core/tmpdir.c: private working directories under $TMPDIR, made 0700 by mkdtemp and removed with all they hold.
 * Nothing else in them is ever named to a user; the callers turn them into files, buffers or reports. */
#include "tmpdir_internal.h"
#include "error_internal.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

eseal_status es_tmpdir_make(char *dir, const char *prefix, const char *what, eseal_error *err)
{
	const char *tmp = getenv("TMPDIR");

	if ((size_t)snprintf(dir, ES_TMPDIR_MAX, "%s/%s-XXXXXX", tmp != NULL && tmp[0] == '/' ? tmp : "/tmp", prefix) >=
		    ES_TMPDIR_MAX ||
	    mkdtemp(dir) == NULL) {
		int e = errno;

		dir[0] = '\0';
		return es_error_set(err, ESEAL_E_IO, "%s: cannot make a private directory: %s", what, strerror(e));
	}
	return ESEAL_OK;
}

static int remove_one(const char *path, const struct stat *sb, int typeflag, struct FTW *ftw)
{
	(void)sb;
	(void)typeflag;
	(void)ftw;
	remove(path);
	return 0;
}

void es_tmpdir_remove(const char *dir)
{
	if (dir != NULL && dir[0] != '\0')
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
