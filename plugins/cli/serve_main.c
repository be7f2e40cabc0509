/* plugins/cli/serve_main.c: eseal-serve, the program `eseal serve` hands over to (installed in libexec): the sealing
 * service over HTTP(S), kept out of the eseal command so that no other command maps libmicrohttpd and GnuTLS. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"

/* Help and usage errors name the command as a user types it, `eseal serve`. */
const es_cli_command es_cli_commands[] = {
	{"serve", ES_CLI_SERVE_SYNOPSIS, ES_CLI_SERVE_SUMMARY, es_cli_serve_options, es_cli_serve},
	{NULL, NULL, NULL, NULL, NULL},
};

int main(int argc, char **argv)
{
	char env_pin[1024];
	int rc;

	/* Out of the environment before anything runs (threads, children): /proc/PID/environ would show it. */
	eseal_take_env_pin(env_pin, sizeof(env_pin));
	setlocale(LC_MESSAGES, "");
	if (argc < 2 || strcmp(argv[1], "serve") != 0) {
		fprintf(stderr, "eseal-serve: started by `eseal serve`; usage: eseal " ES_CLI_SERVE_SYNOPSIS "\n");
		rc = ES_EXIT_USAGE;
	} else
		rc = es_cli_serve(argc - 1, argv + 1, env_pin);
	OPENSSL_cleanse(env_pin, sizeof(env_pin));
	return rc;
}
