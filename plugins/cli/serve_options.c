/* plugins/cli/serve_options.c: the options of `eseal serve`, shared by the eseal command (its help and man page) and
 * by eseal-serve, the program that runs the service. */
#include "cli.h"

const es_cli_option es_cli_serve_options[] = {
	{"config", 'c', "FILE", NULL,
	 "configuration: its [server] section and the [profile NAME] sections clients use "
	 "(default: $ESEAL_CONFIG, else /etc/eseal/eseal.conf)"},
	{"help", 'h', NULL, NULL, "show this help"},
	{NULL, 0, NULL, NULL, NULL},
};
