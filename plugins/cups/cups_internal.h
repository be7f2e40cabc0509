/* plugins/cups/cups_internal.h: the pieces of the CUPS backend ("e-Seal printer"), one job per file.
 * Each helper reports through eseal_error like the library, so backend.c maps every failure to one CUPS exit code. */
#ifndef ES_CUPS_INTERNAL_H
#define ES_CUPS_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>

#include "delivery.h"
#include "eseal/error.h"

/* Longest file name we produce (bytes, before " (N).pdf"): well under NAME_MAX (255) on every file system. */
#define ES_CUPS_NAME_MAX ES_DELIVERY_NAME_MAX
/* Largest job we accept on stdin: a print job bigger than this is almost certainly not an office document. */
#define ES_CUPS_MAX_JOB ((off_t)2 << 30)

/* privs.c: if running as root, become the unprivileged `lp` user for good (groups, gid, uid) and check that
 * root cannot be regained. No-op when not root. */
int es_cups_drop_root(eseal_error *err);

/* spool.c: $TMPDIR (CUPS points it at its private TempDir) if absolute, else /tmp. */
const char *es_cups_temp_dir(void);
/* Copies stdin into a private, already-unlinked temp file in $TMPDIR (else /tmp) and returns its
 * descriptor; the library reads it through /proc/self/fd/N, so nothing is ever left behind, even on SIGKILL. */
int es_cups_spool_stdin(int *fd_out, eseal_error *err);
/* Checks the first bytes of fd (rewound afterwards) for the %PDF- header; ESEAL_E_INPUT if absent. what names the
 * job in the message. */
int es_cups_check_pdf(int fd, const char *what, eseal_error *err);

/* jobname.c: a safe base name ("Quarterly report") from a job title: control characters and invalid UTF-8 removed,
 * '/' and '\' replaced, no leading dots or spaces, a trailing ".pdf" dropped, at most ES_CUPS_NAME_MAX bytes cut at
 * a character boundary; fallback "print-JOBID" if nothing is left. out must hold ES_CUPS_NAME_MAX + 1 bytes. */
void es_cups_base_name(const char *title, const char *job_id, char *out);
/* handoff.c: the sealing child (lp) hands its finished file to the root parent, which delivers it to the user.
 * es_cups_send_result sends fd and a text (the profile's output-dir) over a Unix socket; es_cups_recv_result receives
 * them (*fd_out = -1 and *text_out = NULL if the child sent nothing, e.g. because it failed). */
int es_cups_send_result(int sock, int fd, const char *text);
int es_cups_recv_result(int sock, int *fd_out, char **text_out);

#endif
