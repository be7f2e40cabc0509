/* plugins/cli/options.c: turns option tables into getopt_long tables, --help text and a man page.
 * One table per subcommand is the single place an option is documented, so help and man never drift. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int es_cli_getopt_tables(const es_cli_option *opts, struct option **longopts, char *shortopts, size_t shortsize)
{
	size_t n = 0, i, s = 0;
	struct option *lo;

	while (opts[n].name != NULL)
		n++;
	lo = calloc(n + 1, sizeof(*lo));
	if (lo == NULL)
		return -1;
	/* No leading '+': GNU getopt permutes, so `eseal seal in.pdf -o out.pdf` works as the issue writes it. */
	for (i = 0; i < n; i++) {
		lo[i].name = opts[i].name;
		lo[i].has_arg = opts[i].arg != NULL ? required_argument : no_argument;
		lo[i].flag = NULL;
		lo[i].val = 256 + (int)i;
		if (opts[i].short_name != 0 && s + 3 < shortsize) {
			shortopts[s++] = (char)opts[i].short_name;
			if (opts[i].arg != NULL)
				shortopts[s++] = ':';
		}
	}
	shortopts[s] = '\0';
	*longopts = lo;
	return 0;
}

/* getopt_long accepts any unique prefix of a long option. We don't: `--pin 1234` must not become
 * `--pin-file 1234` (and put a PIN into an error message), and a flag renamed later must not silently
 * change meaning. Only exact names are accepted; values are never echoed. */
int es_cli_reject_abbreviations(const es_cli_option *opts, int argc, char **argv, const char *cmd)
{
	const es_cli_option *o;
	size_t len;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			break;
		if (a[0] == '-' && a[1] != '-' && a[1] != '\0' && a[2] == '\0') {
			/* "-o VALUE": the value is not an option, whatever it looks like */
			for (o = opts; o->name != NULL; o++)
				if (o->short_name == a[1] && o->arg != NULL)
					i++;
			continue;
		}
		if (strncmp(a, "--", 2) != 0)
			continue;
		a += 2;
		len = strcspn(a, "=");
		for (o = opts; o->name != NULL; o++)
			if (strlen(o->name) == len && strncmp(o->name, a, len) == 0)
				break;
		if (o->name == NULL)
			return es_cli_usage_error(cmd, "unknown option '--%.*s'", (int)(len < 64 ? len : 64), a);
		if (o->arg != NULL && a[len] != '=')
			i++; /* its value is the next argument, whatever it looks like */
	}
	return 0;
}

/* Maps getopt_long's return value (256+index or a short letter) back to the table row. */
const es_cli_option *es_cli_find_option(const es_cli_option *opts, int val)
{
	int i;

	if (val >= 256)
		return &opts[val - 256];
	for (i = 0; opts[i].name != NULL; i++)
		if (opts[i].short_name == val)
			return &opts[i];
	return NULL;
}

void es_cli_print_help(FILE *out, const es_cli_command *cmd)
{
	const es_cli_option *o;
	char left[64];

	fprintf(out, "usage: eseal %s\n\n%s\n\noptions:\n", cmd->synopsis, cmd->summary);
	for (o = cmd->options; o->name != NULL; o++) {
		if (o->short_name != 0)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(out, "  %-28s %s\n", left, o->help);
	}
}

static void man_escape(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '-' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
}

void es_cli_print_man(FILE *out)
{
	const es_cli_command *c;
	const es_cli_option *o;

	fprintf(out, ".TH ESEAL 1 \"\" \"eseal " ESEAL_VERSION "\" \"User Commands\"\n");
	fprintf(out, ".SH NAME\neseal \\- apply and verify organizations' e\\-Seals (PAdES, XAdES, CAdES)\n");
	fprintf(out, ".SH SYNOPSIS\n");
	for (c = es_cli_commands; c->name != NULL; c++) {
		fprintf(out, ".B eseal\n");
		man_escape(out, c->synopsis);
		fprintf(out, "\n.br\n");
	}
	fprintf(out, ".B eseal\nversion | \\-\\-version | \\-V\n.br\n");
	for (c = es_cli_commands; c->name != NULL; c++) {
		fprintf(out, ".SH \"eseal %s\"\n", c->name);
		man_escape(out, c->summary);
		fputc('\n', out);
		for (o = c->options; o->name != NULL; o++) {
			if (o->short_name != 0)
				fprintf(out, ".TP\n.B \\-%c, \\-\\-", o->short_name);
			else
				fprintf(out, ".TP\n.B \\-\\-");
			man_escape(out, o->name);
			if (o->arg != NULL)
				fprintf(out, " \\fI%s\\fR", o->arg);
			fputc('\n', out);
			man_escape(out, o->help);
			fputc('\n', out);
		}
	}
	fprintf(out, ".SH \"EXIT STATUS\"\n0 success; 64 usage; 65 bad input; 74 I/O; 78 key, certificate or profile "
		     "unusable; 77 PIN wrong or locked (never retried); 75 HSM temporarily unavailable (retry); 69 TSA or "
		     "remote signing service (csc:) "
		     "unavailable or answered badly (retry); 70 internal error.\n.PP\neseal verify, the worst over all files: 0 every "
		     "seal TOTAL-PASSED and nothing modified after sealing; 2 INDETERMINATE; 1 TOTAL-FAILED or "
		     "modified after sealing; 65 not a sealed document it can read (malformed, or no seal found); 74 I/O "
		     "error; 78 the file's kind cannot be read here (the XML module libeseal-xml.so.0 is missing); 64 "
		     "usage.\n");
	fprintf(out, ".SH ENVIRONMENT\nESEAL_CONFIG (profile file), ESEAL_PIN (the PIN, if no pin file; "
		     "taken out of the environment at start).\n");
}

/* The library says what failed in its own terms; the command line adds which of its flags mends it. */
const char *es_cli_advice(const eseal_error *err)
{
	switch (err->reason) {
	case ESEAL_REASON_NONE: break;
	case ESEAL_REASON_OUTPUT_EXISTS: return "use --force to replace it";
	case ESEAL_REASON_ALREADY_SIGNED: return "use --placement detached, or --allow-signed to seal it anyway";
	case ESEAL_REASON_PASSWORD_NEEDED: return "give the password with --password-file FILE";
	case ESEAL_REASON_NO_PIN: return "give --pin-file FILE, pin-source=file:FILE in the key URI, or ESEAL_PIN";
	case ESEAL_REASON_NO_KEY: return "give --key URI, or key = URI in the profile";
	case ESEAL_REASON_NO_TSA: return "give --tsa URL, or tsa = URL in the profile";
	case ESEAL_REASON_NO_TRUST: return "give --trust FILE, or trust = FILE in the profile";
	case ESEAL_REASON_FORMAT_MISMATCH: return "use --format cades to seal it as a file";
	case ESEAL_REASON_NO_CSC_CREDENTIAL:
		return "give --csc-token-file FILE, or --csc-client-id and --csc-client-secret-file";
	}
	return NULL;
}

void es_cli_print_error(const char *prefix, const eseal_error *err)
{
	const char *advice = es_cli_advice(err);

	fprintf(stderr, "%s%s%s%s%s\n", prefix, err->message[0] != '\0' ? err->message : eseal_status_name(err->status),
		advice != NULL ? " (" : "", advice != NULL ? advice : "", advice != NULL ? ")" : "");
}

int es_cli_fail(const eseal_error *err)
{
	es_cli_print_error("eseal: ", err);
	return eseal_status_exit_code(err->status);
}

int es_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "eseal %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see eseal %s --help)\n", cmd);
	return ES_EXIT_USAGE;
}

int es_cli_parse_duration(const char *s, long long *seconds)
{
	static const struct {
		char unit;
		long long secs;
	} units[] = {{'y', 365LL * 86400}, {'d', 86400}, {'h', 3600}};
	char *end = NULL;
	long long n;
	size_t i;

	/* strtoll would take leading blanks, a sign and "0x": only plain digits are a count here. */
	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || end == s || end[0] == '\0' || end[1] != '\0')
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (end[0] == units[i].unit && n <= 100LL * 365 * 86400 / units[i].secs) {
			*seconds = n * units[i].secs;
			return 0;
		}
	return -1;
}

const es_cli_command *es_cli_find_command(const char *name)
{
	const es_cli_command *c;

	for (c = es_cli_commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}
