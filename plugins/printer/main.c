/* plugins/printer/main.c: eseal-printer, an IPP Everywhere printer application (PAPPL) that seals what it is sent.
 * PAPPL's main loop gives the command line (server, status, submit...); we create the system and its one printer. */
#include "printer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define APP_NAME "eseal-printer"
#define DEFAULT_PORT 8631
#define DEFAULT_SPOOL "/var/spool/eseal-printer"
#define DEFAULT_PAM_SERVICE "eseal-printer"
#define DEFAULT_PRINT_GROUP "users"
#define DEFAULT_ADMIN_GROUP "lpadmin"
#define DEFAULT_MAX_JOB ((off_t)200 << 20)
#define PRINTER_NAME "e-Seal"
#define MAX_QUEUED_JOBS 500

static es_printer_app app = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void usage_cb(void *data)
{
	(void)data;
	puts("Usage: eseal-printer SUB-COMMAND [OPTIONS]\n"
	     "Runs the e-Seal printer: an IPP Everywhere printer that seals every printed document.\n\n"
	     "  eseal-printer server -o config=/etc/eseal/eseal.conf -o profile=printer [-o NAME=VALUE ...]\n\n"
	     "Server options (-o NAME=VALUE):\n"
	     "  config=PATH          profiles file (default: $ESEAL_CONFIG, else " ESEAL_DEFAULT_CONFIG ")\n"
	     "  profile=NAME         the [profile NAME] that seals every job (default: printer)\n"
	     "  output-dir=PATH      overrides the profile's output-dir, a folder per user (${USER} = the job's\n"
	     "                       authenticated owner, who alone may read it)\n"
	     "  drop-dir=PATH        also copy every sealed file into this folder, as \"USER - TITLE.pdf\"\n"
	     "  listen-hostname=H    address to listen on (default: all)\n"
	     "  server-port=N        IPP port (default: 8631)\n"
	     "  auth-service=NAME    PAM service that authenticates IPP users (default: eseal-printer; none = off)\n"
	     "  print-group=GROUP    with authentication: the group whose members may print (default: users)\n"
	     "  admin-group=GROUP    group allowed to administer in the web interface (default: lpadmin)\n"
	     "  dnssd=yes|no         advertise the printer by DNS-SD (Avahi) (default: yes)\n"
	     "  language=ja|en       language of job messages (default: the service's locale)\n"
	     "  max-job-size=BYTES   largest document accepted (suffix K, M or G; default: 200M)\n"
	     "  retry-interval=SEC   wait between attempts while the HSM or TSA is unavailable (default: 30)\n"
	     "  retry-limit=SEC      abort a job still failing that way after this long (default: 86400)\n"
	     "  spool-directory=PATH (default: " DEFAULT_SPOOL "), state-file=PATH (default: in the spool)\n"
	     "  log-file=PATH|-|syslog, log-level=error|warn|info|debug (default: -, info)");
}

/* "200M" -> bytes; -1 on anything else. */
static long long parse_size(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || v <= 0)
		return -1;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	return *end == '\0' ? v : -1;
}

static int parse_seconds(const char *name, const char *s, int def)
{
	char *end;
	long v;

	if (s == NULL)
		return def;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || v < 1 || v > 30L * 86400L) {
		fprintf(stderr, APP_NAME ": %s=%s: a number of seconds from 1 to 2592000 is expected\n", name, s);
		return -1;
	}
	return (int)v;
}

static pappl_loglevel_t parse_loglevel(const char *s)
{
	if (s == NULL || strcmp(s, "info") == 0)
		return PAPPL_LOGLEVEL_INFO;
	if (strcmp(s, "debug") == 0)
		return PAPPL_LOGLEVEL_DEBUG;
	if (strcmp(s, "warn") == 0)
		return PAPPL_LOGLEVEL_WARN;
	if (strcmp(s, "error") == 0)
		return PAPPL_LOGLEVEL_ERROR;
	return PAPPL_LOGLEVEL_UNSPEC;
}

/* Reads our options and the profile; a configuration that cannot seal stops the start, not the first job. */
static bool load_settings(int num_options, cups_option_t *options)
{
	const char *v;
	eseal_error err;
	long long size;

	eseal_error_clear(&err);
	v = cupsGetOption("config", num_options, options);
	app.config_path = v != NULL ? strdup(v) : NULL;
	v = cupsGetOption("profile", num_options, options);
	app.profile_name = strdup(v != NULL ? v : "printer");
	v = cupsGetOption("drop-dir", num_options, options);
	app.drop_dir = v != NULL ? strdup(v) : NULL;
	if (app.drop_dir != NULL && app.drop_dir[0] != '/') {
		fprintf(stderr, APP_NAME ": drop-dir=%s: an absolute path is expected\n", app.drop_dir);
		return false;
	}
	v = cupsGetOption("language", num_options, options);
	app.lang = v != NULL ? strdup(v) : NULL;
	app.max_job_bytes = DEFAULT_MAX_JOB;
	if ((v = cupsGetOption("max-job-size", num_options, options)) != NULL) {
		if ((size = parse_size(v)) < 0) {
			fprintf(stderr, APP_NAME ": max-job-size=%s: a size such as 200M is expected\n", v);
			return false;
		}
		app.max_job_bytes = (off_t)size;
	}
	app.retry_interval = parse_seconds("retry-interval", cupsGetOption("retry-interval", num_options, options), 30);
	app.retry_limit = parse_seconds("retry-limit", cupsGetOption("retry-limit", num_options, options), 86400);
	if (app.profile_name == NULL || app.retry_interval < 0 || app.retry_limit < 0)
		return false;
	if (eseal_profile_load(&app.profile, app.config_path, app.profile_name, &err) != ESEAL_OK ||
	    ((v = cupsGetOption("output-dir", num_options, options)) != NULL &&
	     eseal_profile_set(app.profile, "output-dir", v, &err) != ESEAL_OK)) {
		fprintf(stderr, APP_NAME ": %s\n", err.message);
		return false;
	}
	if (app.profile->output_dir == NULL) {
		fprintf(stderr,
			APP_NAME ": profile '%s' has no output-dir (where sealed files go); set it there or "
				 "with -o output-dir=PATH\n",
			app.profile_name);
		return false;
	}
	/* Each per-user folder's access list is made for its one user (sealjob.c): a folder every job shares would
	 * belong to whoever printed last. */
	if (strstr(app.profile->output_dir, "${USER}") == NULL && strstr(app.profile->output_dir, "${HOME}") == NULL) {
		fprintf(stderr,
			APP_NAME ": output-dir=%s: a folder per user is expected, named with ${USER} (e.g. "
				 "/srv/eseal/printed/${USER}) or ${HOME}\n",
			app.profile->output_dir);
		return false;
	}
	return true;
}

static pappl_system_t *system_cb(int num_options, cups_option_t *options, void *data)
{
	pappl_system_t *system = NULL;
	pappl_printer_t *printer;
	const char *spool = cupsGetOption("spool-directory", num_options, options);
	const char *host = cupsGetOption("listen-hostname", num_options, options);
	const char *portstr = cupsGetOption("server-port", num_options, options);
	const char *auth = cupsGetOption("auth-service", num_options, options);
	const char *logfile = cupsGetOption("log-file", num_options, options);
	const char *dnssd = cupsGetOption("dnssd", num_options, options);
	const char *group = cupsGetOption("admin-group", num_options, options);
	const char *print_group = cupsGetOption("print-group", num_options, options);
	const char *state = cupsGetOption("state-file", num_options, options);
	pappl_loglevel_t level = parse_loglevel(cupsGetOption("log-level", num_options, options));
	static char statebuf[1024];
	int port = DEFAULT_PORT;

	(void)data;
	if (!load_settings(num_options, options))
		return NULL;
	if (portstr != NULL && ((port = atoi(portstr)) < 1 || port > 65535)) {
		fprintf(stderr, APP_NAME ": server-port=%s: a port number is expected\n", portstr);
		return NULL;
	}
	if (level == PAPPL_LOGLEVEL_UNSPEC) {
		fprintf(stderr, APP_NAME ": log-level: error, warn, info or debug is expected\n");
		return NULL;
	}
	if (dnssd != NULL && strcmp(dnssd, "yes") != 0 && strcmp(dnssd, "no") != 0) {
		fprintf(stderr, APP_NAME ": dnssd=%s: yes or no is expected\n", dnssd);
		return NULL;
	}
	if (spool == NULL)
		spool = DEFAULT_SPOOL;
	/* A single queue: its URI is ipp://HOST:PORT/ipp/print, what driverless clients try first. Authentication
	 * ("none" turns it off) makes the job's owner the user who logged in, not the name the client claims. */
	system = papplSystemCreate(PAPPL_SOPTIONS_WEB_INTERFACE | PAPPL_SOPTIONS_WEB_LOG | PAPPL_SOPTIONS_WEB_SECURITY |
					   PAPPL_SOPTIONS_WEB_TLS | PAPPL_SOPTIONS_WEB_REMOTE,
				   "e-Seal printer", port, "_print,_universal", spool, logfile != NULL ? logfile : "-",
				   level, auth != NULL ? auth : DEFAULT_PAM_SERVICE, false);
	if (system == NULL)
		return NULL;
	if (!papplSystemAddListeners(system, host)) {
		fprintf(stderr, APP_NAME ": cannot listen on %s port %d\n", host != NULL ? host : "all addresses",
			port);
		papplSystemDelete(system);
		return NULL;
	}
	/* PAPPL lets any authenticated user administer unless an admin group is named. */
	papplSystemSetAdminGroup(system, group != NULL ? group : DEFAULT_ADMIN_GROUP);
	papplSystemSetFooterHTML(system, "eseal-printer: every document printed here is sealed with the "
					 "organization's e-Seal.");
	papplSystemSetPrinterDrivers(system, 1, es_printer_drivers, NULL, NULL, es_printer_driver_cb, &app);
	es_printer_add_device_scheme();
	es_printer_add_filters(system, &app);
	es_printer_add_status_page(system, &app);

	if (state == NULL) {
		snprintf(statebuf, sizeof(statebuf), "%s/%s.state", spool, APP_NAME);
		state = statebuf;
	} else {
		snprintf(statebuf, sizeof(statebuf), "%s", state);
		state = statebuf;
	}
	/* Settings changed in the web interface (location, defaults) survive a restart; our printer is made once. */
	if (access(state, R_OK) != 0 || !papplSystemLoadState(system, state) ||
	    papplSystemFindPrinter(system, NULL, 0, "eseal:/") == NULL) {
		printer = papplPrinterCreate(system, 0, PRINTER_NAME, es_printer_drivers[0].name,
					     "MFG:eseal;MDL:e-Seal printer;CMD:PDF;", "eseal:/");
		if (printer == NULL) {
			fprintf(stderr, APP_NAME ": cannot create the printer: %s\n", strerror(errno));
			papplSystemDelete(system);
			return NULL;
		}
		/* Jobs list and their messages stay visible after completion (the "recent jobs" of the web page). */
		papplPrinterSetMaxCompletedJobs(printer, 100);
	}
	printer = papplSystemFindPrinter(system, NULL, 0, "eseal:/");
	/* PAPPL's single queue refuses a job while another is active (server-error-busy); a job waiting for the HSM
	 * or TSA must not turn the next ones away, so they queue behind it. */
	papplPrinterSetMaxActiveJobs(printer, MAX_QUEUED_JOBS);
	/* PAPPL records the authenticated name as the job's owner only when printing is limited to a group; without
	 * one the owner would be the name the client claims, so with authentication on there is always a group. */
	if (auth == NULL || strcmp(auth, "none") != 0)
		papplPrinterSetPrintGroup(printer, print_group != NULL ? print_group : DEFAULT_PRINT_GROUP);
	if (dnssd != NULL && strcmp(dnssd, "no") == 0)
		papplPrinterSetDNSSDName(printer, NULL);
	papplSystemSetSaveCallback(system, (pappl_save_cb_t)papplSystemSaveState, statebuf);
	/* The documents are untrusted input: they should be parsed and sealed by a service account (the unit's). */
	if (geteuid() == 0)
		papplLog(system, PAPPL_LOGLEVEL_WARN,
			 "Running as root: run eseal-printer as a service account "
			 "(eseal-printer.service uses User=eseal).");
	return system;
}

int main(int argc, char *argv[])
{
	eseal_error err;
	int rc;

	eseal_error_clear(&err);
	if (eseal_init(&err) != ESEAL_OK) {
		fprintf(stderr, APP_NAME ": %s\n", err.message);
		return 70;
	}
	rc = papplMainloop(argc, argv, ESEAL_VERSION, NULL, 1, es_printer_drivers, NULL, es_printer_driver_cb, NULL,
			   NULL, system_cb, usage_cb, &app);
	es_printer_app_close(&app);
	eseal_profile_free(app.profile);
	free(app.config_path);
	free(app.profile_name);
	free(app.lang);
	free(app.drop_dir);
	eseal_cleanup();
	return rc;
}
