/* plugins/cli/serve_exec.c: `eseal serve` in the eseal command: hands the command line over to eseal-serve, found at
 * the same place relative to this program in the build tree and in an installation (ESEAL_SERVE_FROM_BINDIR). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Exit code when the service's program cannot be started (EX_UNAVAILABLE). */
#define EXIT_UNAVAILABLE 69

int es_cli_serve_exec(int argc, char **argv, const char *env_pin)
{
	char self[PATH_MAX], server[PATH_MAX + sizeof(ESEAL_SERVE_FROM_BINDIR) + 1], **args = NULL;
	ssize_t n;
	char *slash;
	int i;

	(void)env_pin;
	/* /proc/self/exe, not argv[0]: the program actually running, whatever PATH or a symlink said. */
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0 || (size_t)n >= sizeof(self) - 1) {
		fprintf(stderr, "eseal: cannot find the running program to start the sealing service: %s\n",
			strerror(n < 0 ? errno : ENAMETOOLONG));
		return EXIT_UNAVAILABLE;
	}
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	snprintf(server, sizeof(server), "%s/%s", self, ESEAL_SERVE_FROM_BINDIR);
	if ((args = calloc((size_t)argc + 2, sizeof(*args))) == NULL) {
		fprintf(stderr, "eseal: out of memory\n");
		return 70;
	}
	args[0] = server;
	for (i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	execv(server, args);
	fprintf(stderr, "eseal: cannot start the sealing service %s: %s\n", server, strerror(errno));
	free(args);
	return EXIT_UNAVAILABLE;
}
