/* plugins/cli/cmd_serve.c: `eseal serve` (the sealing service) as eseal-serve runs it: argument handling only; the
 * service itself lives in plugins/server/. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "server.h"

int es_cli_serve(int argc, char **argv, const char *env_pin)
{
	struct option *longopts = NULL;
	char shortopts[16];
	const char *config = NULL;
	int c, rc = 0;

	if (es_cli_getopt_tables(es_cli_serve_options, &longopts, shortopts, sizeof(shortopts)) != 0)
		return 70;
	if ((rc = es_cli_reject_abbreviations(es_cli_serve_options, argc, argv, "serve")) != 0)
		goto cleanup;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const es_cli_option *o = c == '?' ? NULL : es_cli_find_option(es_cli_serve_options, c);

		if (o == NULL) {
			rc = ES_EXIT_USAGE;
			goto cleanup;
		}
		if (strcmp(o->name, "config") == 0) {
			config = optarg;
		} else {
			es_cli_print_help(stdout, es_cli_find_command("serve"));
			goto cleanup;
		}
	}
	if (optind < argc) {
		rc = es_cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
		goto cleanup;
	}
	if (config == NULL)
		config = getenv("ESEAL_CONFIG");
	if (config == NULL || config[0] == '\0')
		config = ESEAL_DEFAULT_CONFIG;
	rc = srv_serve(config, env_pin);
cleanup:
	free(longopts);
	return rc;
}
