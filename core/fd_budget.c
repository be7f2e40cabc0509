/* core/fd_budget.c: es_fd_budget (see fd_budget_internal.h): the descriptors a batch may still use.
 * Counted once when a batch starts, before its threads: later opens by libraries (sockets, token files) are why
 * callers use only a share of it. */
#include "fd_budget_internal.h"

#include <dirent.h>
#include <sys/resource.h>

size_t es_fd_budget(void)
{
	struct rlimit rl;
	struct dirent *e;
	DIR *d;
	size_t open_now = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || (d = opendir("/proc/self/fd")) == NULL)
		return 1024;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			open_now++;
	closedir(d);
	open_now = open_now > 0 ? open_now - 1 : 0; /* the directory stream's own descriptor */
	return rl.rlim_cur > open_now ? (size_t)rl.rlim_cur - open_now : 0;
}
