/* plugins/cli/cmd_client.c: `eseal client add` (who may use the sealing service): writes the service's clients file
 * (plugins/server/clients.c), without loading the service itself. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "server.h"

const es_cli_option es_cli_client_options[] = {
	{"clients-file", 0, "FILE", NULL, "the service's clients file (created mode 0600 if missing)"},
	{"name", 0, "NAME", NULL, "the new client's name (letters, digits, - _ . @), as the audit log names it"},
	{"profile", 'p', "NAME", NULL, "a profile the client may seal with; repeat for more"},
	{"help", 'h', NULL, NULL, "show this help"},
	{NULL, 0, NULL, NULL, NULL},
};

int es_cli_client(int argc, char **argv, const char *env_pin)
{
	struct option *longopts = NULL;
	char shortopts[16], token[SRV_TOKEN_SIZE];
	const char *file = NULL, *name = NULL, **profiles = NULL;
	size_t n_profiles = 0;
	eseal_error err;
	int c, rc = 0;

	(void)env_pin;
	eseal_error_clear(&err);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		es_cli_print_help(stdout, es_cli_find_command("client"));
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return es_cli_usage_error("client", "the only subcommand is 'add'");
	argc--;
	argv++;
	if ((profiles = calloc((size_t)argc, sizeof(*profiles))) == NULL ||
	    es_cli_getopt_tables(es_cli_client_options, &longopts, shortopts, sizeof(shortopts)) != 0) {
		rc = 70;
		goto cleanup;
	}
	if ((rc = es_cli_reject_abbreviations(es_cli_client_options, argc, argv, "client")) != 0)
		goto cleanup;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const es_cli_option *o = c == '?' ? NULL : es_cli_find_option(es_cli_client_options, c);

		if (o == NULL) {
			rc = ES_EXIT_USAGE;
			goto cleanup;
		}
		if (strcmp(o->name, "clients-file") == 0) {
			file = optarg;
		} else if (strcmp(o->name, "name") == 0) {
			name = optarg;
		} else if (strcmp(o->name, "profile") == 0) {
			profiles[n_profiles++] = optarg;
		} else {
			es_cli_print_help(stdout, es_cli_find_command("client"));
			goto cleanup;
		}
	}
	if (file == NULL || name == NULL || n_profiles == 0 || optind < argc) {
		rc = es_cli_usage_error(
			"client", optind < argc ?
					  "unexpected argument" :
					  "add needs --clients-file FILE, --name NAME and at least one --profile P");
		goto cleanup;
	}
	if (srv_clients_add(file, name, profiles, n_profiles, token, &err) != ESEAL_OK) {
		rc = es_cli_fail(&err);
		goto cleanup;
	}
	/* The only time the token exists outside the client: the file keeps its SHA-256. */
	printf("%s\n", token);
	fflush(stdout);
	OPENSSL_cleanse(token, sizeof(token));
	fprintf(stderr, "eseal: client %s added to %s; the token above is shown once (send eseal serve SIGHUP to use it)\n",
		name, file);
cleanup:
	free(longopts);
	free(profiles);
	return rc;
}
