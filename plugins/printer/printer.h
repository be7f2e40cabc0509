/* plugins/printer/printer.h: the pieces of eseal-printer, the PAPPL printer application that seals what is printed.
 * main.c owns the PAPPL system, driver.c turns each document format into a PDF, sealjob.c seals it (one sealer). */
#ifndef ES_PRINTER_H
#define ES_PRINTER_H

#include <pappl/pappl.h>
#include <pthread.h>
#include <sys/types.h>

#include "eseal/eseal.h"

/* The application's settings (server -o options) and its one sealer, shared by every job. */
typedef struct es_printer_app {
	char *config_path;      /* INI file of the profiles (NULL: $ESEAL_CONFIG, else the default) */
	char *profile_name;     /* [profile NAME] used for every job */
	char *drop_dir;         /* also copy every sealed file here ("USER - NAME.pdf"); NULL: no */
	char *lang;             /* language of job messages ("ja", "en"; NULL: the process's locale) */
	off_t max_job_bytes;    /* larger documents are refused */
	int retry_interval;     /* seconds between attempts after an HSM or TSA fault */
	int retry_limit;        /* seconds after which a job still failing that way is aborted */
	eseal_profile *profile; /* loaded at start: a broken configuration stops the application at once */
	pthread_mutex_t lock; /* guards sealer (jobs of one printer are processed one at a time, the web page reads) */
	eseal_sealer *sealer; /* opened at the first job and kept: one PKCS#11 login for the application's life */
	char last_error[512]; /* the last fault, for the status page */
} es_printer_app;

/* driver.c: the one driver ("eseal_pdf"), the "eseal:" device that takes nothing, and the format filters. */
extern pappl_pr_driver_t es_printer_drivers[1];
bool es_printer_driver_cb(pappl_system_t *system, const char *driver_name, const char *device_uri,
			  const char *device_id, pappl_pr_driver_data_t *data, ipp_t **attrs, void *cbdata);
void es_printer_add_filters(pappl_system_t *system, es_printer_app *app);
void es_printer_add_device_scheme(void);

/* sealjob.c: seals the PDF at pdf_path for the job's owner into that user's output folder. Retries HSM and TSA faults
 * (the job stays "processing" with a message saying so) and sets the job's message and reasons on failure. Returns
 * true when the sealed file is in place. */
bool es_printer_seal_job(es_printer_app *app, pappl_job_t *job, const char *pdf_path);
/* Checks a document the client sent before any work: not empty, not above the cap. Sets the job's message. */
bool es_printer_check_size(es_printer_app *app, pappl_job_t *job, const char *path, off_t *size_out);
/* Aborts the job with a message in the application's language (msgid: an English text of the catalog). */
void es_printer_job_fail(es_printer_app *app, pappl_job_t *job, pappl_jreason_t reason, const char *msgid,
			 const char *detail);
void es_printer_app_close(es_printer_app *app);

/* status.c: the administrator's "e-Seal" page in PAPPL's web interface (profile, output folder, sealer state). */
void es_printer_add_status_page(pappl_system_t *system, es_printer_app *app);

#endif
