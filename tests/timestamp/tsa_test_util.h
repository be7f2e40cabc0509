/* tests/timestamp/tsa_test_util.h: helpers shared by the CAdES and TSA unit tests: fixture paths, running a
 * referee command, writing files, and starting a private (possibly misbehaving) tests/lib/tsa_server.py. */
#ifndef ES_TSA_TEST_UTIL_H
#define ES_TSA_TEST_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* $ESEAL_TESTENV/rel in a static buffer rotation (up to 8 live results). */
const char *tu_env(const char *rel);
/* First line of $ESEAL_TESTENV/rel (e.g. "tsa.url", "module"), malloc'd. */
char *tu_env_line(const char *rel);
/* A fresh directory under /tmp, removed by tu_rmtree. */
char *tu_mkdtemp(void);
void tu_rmtree(const char *dir);
int tu_write_file(const char *path, const void *data, size_t len);
/* Runs a shell command (printf-style); its output goes to stderr for the test log; returns the exit status. */
int tu_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Lowercase hex of buf, malloc'd. */
char *tu_hex(const unsigned char *buf, size_t len);

typedef struct tu_tsa {
	pid_t pid;
	char url[128];
	char dir[256];
} tu_tsa;
/* Starts tests/lib/tsa_server.py --mode mode (extra: further arguments, may be NULL); 0 on success. */
int tu_tsa_start(tu_tsa *t, const char *mode, const char *extra);
/* Starts `python3 PREFIX DIR/port SUFFIX` in a fresh directory DIR (t->dir); the server writes its port to that
 * file. 0 on success. */
int tu_server_start(tu_tsa *t, const char *prefix, const char *suffix);
void tu_tsa_stop(tu_tsa *t);
/* A loopback URL on which nothing listens (a port bound and closed again). */
void tu_dead_url(char *buf, size_t size);

#endif
