/* plugins/cli/cli.h: what the `eseal` subcommands share: the option table type, help rendering, messages.
 * Each subcommand lives in its own cmd_*.c and returns a process exit code. */
#ifndef ES_CLI_H
#define ES_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "eseal/eseal.h"

/* One row of a subcommand's option table. The same table drives getopt_long, `--help` and the man page. */
typedef struct es_cli_option {
	const char *name;        /* long name, without "--" */
	int short_name;          /* 0 if none */
	const char *arg;         /* argument placeholder ("FILE"), NULL for a flag */
	const char *profile_key; /* profile setting it overrides (eseal_profile_set), NULL if the command handles it */
	const char *help;
} es_cli_option;

typedef struct es_cli_command {
	const char *name;
	const char *synopsis;
	const char *summary;
	const es_cli_option *options; /* terminated by a row with name == NULL */
	/* env_pin: ESEAL_PIN as main took it out of the environment ("" if unset); wiped by main afterwards. */
	int (*run)(int argc, char **argv, const char *env_pin);
} es_cli_command;

/* Exit code for usage errors everywhere (EX_USAGE). */
#define ES_EXIT_USAGE 64

void es_cli_print_help(FILE *out, const es_cli_command *cmd);
void es_cli_print_man(FILE *out);
/* Builds getopt_long tables from an option table; the caller frees *longopts. Returns 0 or -1. */
int es_cli_getopt_tables(const es_cli_option *opts, struct option **longopts, char *shortopts, size_t shortsize);
/* Refuses abbreviated or unknown long options (exit code, after a message), 0 if all are exact names. */
int es_cli_reject_abbreviations(const es_cli_option *opts, int argc, char **argv, const char *cmd);
const es_cli_option *es_cli_find_option(const es_cli_option *opts, int index);

/* What the user can do about err with this command line's flags (its eseal_reason), NULL when nothing to add. */
const char *es_cli_advice(const eseal_error *err);
/* "<prefix><message> (<advice>)" on stderr. */
void es_cli_print_error(const char *prefix, const eseal_error *err);
/* "eseal: <message> (<advice>)" on stderr; returns the exit code for err's class. */
int es_cli_fail(const eseal_error *err);
int es_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A duration such as 2y, 180d or 12h into seconds: a whole number and one unit, y (365 days), d or h; "m" is refused
 * (minutes or months?). Returns 0, or -1 for a value that is not one or exceeds 100 years. */
int es_cli_parse_duration(const char *s, long long *seconds);

extern const es_cli_command es_cli_commands[];
/* The row of es_cli_commands named name, NULL if none. */
const es_cli_command *es_cli_find_command(const char *name);

/* `eseal serve` as both programs list it: the eseal command (help, man page), which hands the command over to
 * eseal-serve, and eseal-serve, which runs it. */
#define ES_CLI_SERVE_SYNOPSIS "serve [--config FILE]"
#define ES_CLI_SERVE_SUMMARY                                                                                          \
	"Runs the sealing service: seals and verifies documents sent over HTTP(S) by the clients of the [server] "    \
	"section's clients-file, with the profiles each may use; SIGTERM finishes the requests in progress and exits."

int es_cli_seal(int argc, char **argv, const char *env_pin);
int es_cli_extend(int argc, char **argv, const char *env_pin);
int es_cli_token(int argc, char **argv, const char *env_pin);
int es_cli_verify(int argc, char **argv, const char *env_pin);
int es_cli_serve(int argc, char **argv, const char *env_pin);
/* Replaces the process with eseal-serve running `serve` with argv (argv[0] is "serve"); returns only when that
 * cannot be done (an exit code, after a message). */
int es_cli_serve_exec(int argc, char **argv, const char *env_pin);
int es_cli_client(int argc, char **argv, const char *env_pin);

extern const es_cli_option es_cli_seal_options[];
extern const es_cli_option es_cli_extend_options[];
extern const es_cli_option es_cli_token_options[];
extern const es_cli_option es_cli_verify_options[];
extern const es_cli_option es_cli_serve_options[];
extern const es_cli_option es_cli_client_options[];

#endif
