/* core/fd_budget_internal.h: how many more file descriptors this process may open (RLIMIT_NOFILE minus those open).
 * A batch sizes its worker threads and its pending outputs by it, so a low `ulimit -n` slows it instead of failing. */
#ifndef ES_FD_BUDGET_INTERNAL_H
#define ES_FD_BUDGET_INTERNAL_H

#include <stddef.h>

/* The soft RLIMIT_NOFILE less the descriptors open now (counted in /proc/self/fd); 1024 if either is unknown. */
size_t es_fd_budget(void);

#endif
