/* plugins/cli/main.c: the `eseal` command: picks the subcommand and hands it its arguments.
 * Everything a subcommand accepts is declared in its option table (help and man page come from it). */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"

const es_cli_command es_cli_commands[] = {
	{"seal", "seal [OPTIONS] INPUT... (-o OUTPUT | --out-dir DIR)",
	 "Seals PDF (PAdES), XML (XAdES) and any other file (detached CAdES .p7s) with the organization's key.",
	 es_cli_seal_options, es_cli_seal},
	{"extend", "extend --level B-LT|B-LTA [OPTIONS] FILE... (-o OUTPUT | --out-dir DIR)",
	 "Adds validation data (B-LT) and an archive time-stamp (B-LTA) to the seals a file holds, so they can be "
	 "verified long after their certificates expire; renews a B-LTA file's time-stamp.",
	 es_cli_extend_options, es_cli_extend},
	{"token", "token list [--module PATH]", "Lists PKCS#11 slots, tokens, keys and certificates (no secrets).",
	 es_cli_token_options, es_cli_token},
#ifdef ESEAL_HAVE_VERIFY
	{"verify", "verify [OPTIONS] FILE...",
	 "Verifies PAdES, XAdES and CAdES seals and reports who sealed, whether anything changed, and when.",
	 es_cli_verify_options, es_cli_verify},
#endif
	{"serve", ES_CLI_SERVE_SYNOPSIS, ES_CLI_SERVE_SUMMARY, es_cli_serve_options, es_cli_serve_exec},
	{"client", "client add --clients-file FILE --name NAME --profile P [--profile P2...]",
	 "Adds a client of eseal serve: prints its new bearer token once and stores only the token's SHA-256.",
	 es_cli_client_options, es_cli_client},
	{NULL, NULL, NULL, NULL, NULL},
};

static void usage(FILE *out)
{
	const es_cli_command *c;

	fprintf(out, "usage:\n");
	for (c = es_cli_commands; c->name != NULL; c++)
		fprintf(out, "  eseal %s\n", c->synopsis);
	fprintf(out, "  eseal version | --version | -V\n  eseal --help | --man\n\nRun 'eseal COMMAND --help' for a "
		     "command's options.\n");
}

static int run(int argc, char **argv, const char *env_pin)
{
	const es_cli_command *c;

	if (argc < 2) {
		usage(stderr);
		return ES_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "version") == 0) {
		printf("eseal %s\n", ESEAL_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--man") == 0) {
		es_cli_print_man(stdout);
		return 0;
	}
	for (c = es_cli_commands; c->name != NULL; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1, env_pin);
	fprintf(stderr, "eseal: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return ES_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	char env_pin[1024];
	int rc;

	/* The service is its own program, eseal-serve: the HTTP server and its TLS library are mapped by no other
	 * command. It takes the PIN out of the environment itself, so the hand-over comes first. */
	if (argc >= 2 && strcmp(argv[1], "serve") == 0)
		return es_cli_serve_exec(argc - 1, argv + 1, "");
	/* Out of the environment before anything runs (threads, children): /proc/PID/environ would show it. */
	eseal_take_env_pin(env_pin, sizeof(env_pin));
	/* Texts for people (reports) in the language LANG/LC_MESSAGES name; only messages: numbers in JSON and PDF
	 * keep the C locale's decimal point. */
	setlocale(LC_MESSAGES, "");
	rc = run(argc, argv, env_pin);
	OPENSSL_cleanse(env_pin, sizeof(env_pin));
	return rc;
}
