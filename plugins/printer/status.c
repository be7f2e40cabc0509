/* plugins/printer/status.c: the "e-Seal" page of PAPPL's web interface: which profile seals, where files go and
 * whether the key is open. Read-only: settings live in the INI file, so the CLI and the printer never disagree. */
#include "printer.h"

/* One row; values come from the configuration file and the library's messages, so they are escaped. */
static void row(pappl_client_t *client, const char *label, const char *value)
{
	papplClientHTMLPrintf(client, "<tr><th>%s</th><td>", label);
	papplClientHTMLEscape(client, value != NULL ? value : "", 0);
	papplClientHTMLPuts(client, "</td></tr>\n");
}

static bool status_page(pappl_client_t *client, void *data)
{
	es_printer_app *app = data;
	const eseal_profile *p = app->profile;
	size_t i;

	/* The administrator's page: PAPPL asks for a login (admin group) when authentication is on. */
	if (!papplClientHTMLAuthorize(client))
		return true;
	if (!papplClientRespond(client, HTTP_STATUS_OK, NULL, "text/html", 0, 0))
		return false;
	papplClientHTMLHeader(client, "e-Seal", 0);
	papplClientHTMLPuts(client, "<div class=\"content\"><div class=\"row\"><div class=\"col-12\">\n"
				    "<h1 class=\"title\">e-Seal</h1>\n<table class=\"form\"><tbody>\n");
	row(client, "Configuration",
	    app->config_path != NULL ? app->config_path : "$ESEAL_CONFIG or " ESEAL_DEFAULT_CONFIG);
	row(client, "Profile", app->profile_name);
	row(client, "Level", eseal_level_name(p->level));
	row(client, "Output folder", p->output_dir);
	for (i = 0; i < p->n_tsa; i++)
		row(client, "TSA", p->tsa[i]);
	pthread_mutex_lock(&app->lock);
	row(client, "Key", app->sealer != NULL ? "open (logged in)" : "not open (opened by the next job)");
	row(client, "Last fault", app->last_error[0] != '\0' ? app->last_error : "none");
	pthread_mutex_unlock(&app->lock);
	papplClientHTMLPuts(client, "</tbody></table>\n<p>Recent jobs and the printer's state are on the printer's "
				    "page; settings are changed in the configuration file, then the service "
				    "restarted.</p>\n</div></div></div>\n");
	papplClientHTMLFooter(client);
	return true;
}

void es_printer_add_status_page(pappl_system_t *system, es_printer_app *app)
{
	papplSystemAddResourceCallback(system, "/eseal", "text/html", status_page, app);
	papplSystemAddLink(system, "e-Seal", "/eseal", PAPPL_LOPTIONS_NAVIGATION | PAPPL_LOPTIONS_STATUS);
}
