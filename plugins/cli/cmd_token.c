/* plugins/cli/cmd_token.c: `eseal token list`: what the PKCS#11 modules show (slots, tokens, keys, certificates).
 * Never secrets: the listing needs no login. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const es_cli_option es_cli_token_options[] = {
	{"module", 'm', "PATH", NULL, "PKCS#11 module (default: the modules registered with p11-kit)"},
	{"help", 'h', NULL, NULL, "show this help"},
	{NULL, 0, NULL, NULL, NULL},
};

static void print_line(void *ctx, const char *line)
{
	fprintf((FILE *)ctx, "%s\n", line);
}

int es_cli_token(int argc, char **argv, const char *env_pin)
{
	struct option *longopts = NULL;
	char shortopts[32];
	const char *module = NULL;
	eseal_error err;
	int c, rc = 0;

	eseal_error_clear(&err);
	if (es_cli_getopt_tables(es_cli_token_options, &longopts, shortopts, sizeof(shortopts)) != 0)
		return 70;
	if ((rc = es_cli_reject_abbreviations(es_cli_token_options, argc, argv, "token")) != 0)
		goto cleanup;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const es_cli_option *o = c == '?' ? NULL : es_cli_find_option(es_cli_token_options, c);

		if (o == NULL) {
			rc = ES_EXIT_USAGE;
			goto cleanup;
		}
		if (strcmp(o->name, "module") == 0) {
			module = optarg;
		} else {
			es_cli_print_help(stdout, &es_cli_commands[2]);
			goto cleanup;
		}
	}
	if (optind >= argc || strcmp(argv[optind], "list") != 0) {
		rc = es_cli_usage_error("token", "expected 'list'");
		goto cleanup;
	}
	if (eseal_init(&err) != ESEAL_OK || eseal_token_list(module, print_line, stdout, &err) != ESEAL_OK)
		rc = es_cli_fail(&err);
cleanup:
	free(longopts);
	return rc;
}
