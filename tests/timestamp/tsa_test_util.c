/* tests/timestamp/tsa_test_util.c: see tsa_test_util.h. The TSA server is the fixture's own tests/lib/tsa_server.py,
 * started privately so its fault modes never disturb the shared TSA. */
#include "tsa_test_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef ESEAL_SRC_DIR
#error "ESEAL_SRC_DIR must be defined by the build"
#endif

const char *tu_env(const char *rel)
{
	static char bufs[8][1024];
	static int next;
	char *b = bufs[next++ % 8];
	const char *te = getenv("ESEAL_TESTENV");

	snprintf(b, sizeof(bufs[0]), "%s/%s", te != NULL ? te : "/nonexistent", rel);
	return b;
}

char *tu_env_line(const char *rel)
{
	char line[1024];
	FILE *f = fopen(tu_env(rel), "r");

	if (f == NULL)
		return NULL;
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	return strdup(line);
}

char *tu_mkdtemp(void)
{
	char tmpl[] = "/tmp/eseal-cades-XXXXXX";

	return mkdtemp(tmpl) != NULL ? strdup(tmpl) : NULL;
}

void tu_rmtree(const char *dir)
{
	if (dir != NULL && strncmp(dir, "/tmp/eseal-cades-", 17) == 0)
		tu_run("rm -rf '%s'", dir);
}

int tu_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (f == NULL)
		return -1;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

int tu_run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fprintf(stderr, "+ %s\n", cmd);
	fflush(stderr);
	st = system(cmd);
	if (st == -1)
		fprintf(stderr, "system() failed: %s\n", strerror(errno));
	return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

char *tu_hex(const unsigned char *buf, size_t len)
{
	char *out = malloc(2 * len + 1);
	size_t i;

	for (i = 0; out != NULL && i < len; i++)
		sprintf(out + 2 * i, "%02x", buf[i]);
	if (out != NULL)
		out[2 * len] = '\0';
	return out;
}

int tu_tsa_start(tu_tsa *t, const char *mode, const char *extra)
{
	char prefix[2048];

	snprintf(prefix, sizeof(prefix), "'%s/tests/lib/tsa_server.py' --dir '%s' --mode %s --port-file", ESEAL_SRC_DIR,
		 getenv("ESEAL_TESTENV"), mode);
	return tu_server_start(t, prefix, extra);
}

int tu_server_start(tu_tsa *t, const char *prefix, const char *suffix)
{
	char *dir = tu_mkdtemp();
	char port_file[512], cmd[4096], port[32] = "";
	FILE *f;
	int i;

	memset(t, 0, sizeof(*t));
	if (dir == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "%s", dir);
	free(dir);
	snprintf(port_file, sizeof(port_file), "%s/port", t->dir);
	snprintf(cmd, sizeof(cmd), "exec python3 %s '%s' %s </dev/null >'%s/log' 2>&1", prefix, port_file,
		 suffix != NULL ? suffix : "", t->dir);
	t->pid = fork();
	if (t->pid < 0)
		return -1;
	if (t->pid == 0) {
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200 && port[0] == '\0'; i++) {
		usleep(50000);
		if ((f = fopen(port_file, "r")) != NULL) {
			if (fgets(port, sizeof(port), f) == NULL)
				port[0] = '\0';
			fclose(f);
		}
	}
	port[strcspn(port, "\r\n")] = '\0';
	if (port[0] == '\0') {
		tu_tsa_stop(t);
		return -1;
	}
	snprintf(t->url, sizeof(t->url), "http://127.0.0.1:%s/", port);
	return 0;
}

void tu_tsa_stop(tu_tsa *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGTERM);
		waitpid(t->pid, NULL, 0);
		t->pid = 0;
	}
	if (t->dir[0] != '\0')
		tu_rmtree(t->dir);
	t->dir[0] = '\0';
}

void tu_dead_url(char *buf, size_t size)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Bind an ephemeral port and close it without listening: connecting there is refused. */
	if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &alen) == 0)
		snprintf(buf, size, "http://127.0.0.1:%u/", ntohs(a.sin_port));
	else
		snprintf(buf, size, "http://127.0.0.1:9/");
	if (s >= 0)
		close(s);
}
