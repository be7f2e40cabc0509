/* plugins/cli/cmd_serve.c: `eseal serve` (the sealing service) and `eseal client add` (who may use it): argument
 * handling only; the service itself lives in plugins/server/. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "server.h"

const es_cli_option es_cli_serve_options[] = {
	{"config", 'c', "FILE", NULL,
	 "configuration: its [server] section and the [profile NAME] sections clients use "
	 "(default: $ESEAL_CONFIG, else /etc/eseal/eseal.conf)"},
	{"help", 'h', NULL, NULL, "show this help"},
	{NULL, 0, NULL, NULL, NULL},
};

const es_cli_option es_cli_client_options[] = {
	{"clients-file", 0, "FILE", NULL, "the service's clients file (created mode 0600 if missing)"},
	{"name", 0, "NAME", NULL, "the new client's name (letters, digits, - _ . @), as the audit log names it"},
	{"profile", 'p', "NAME", NULL, "a profile the client may seal with; repeat for more"},
	{"help", 'h', NULL, NULL, "show this help"},
	{NULL, 0, NULL, NULL, NULL},
};

static const es_cli_command *find_command(const char *name)
{
	const es_cli_command *c;

	for (c = es_cli_commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

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
			es_cli_print_help(stdout, find_command("serve"));
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
		es_cli_print_help(stdout, find_command("client"));
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
			es_cli_print_help(stdout, find_command("client"));
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
