/* plugins/cups/cups_internal.h: the pieces of the CUPS backend ("e-Seal printer"), one job per file.
 * Each helper reports through eseal_error like the library, so backend.c maps every failure to one CUPS exit code. */
#ifndef ES_CUPS_INTERNAL_H
#define ES_CUPS_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>

#include "eseal/error.h"

/* Longest file name we produce (bytes, before " (N).pdf"): well under NAME_MAX (255) on every file system. */
#define ES_CUPS_NAME_MAX 180
/* Largest job we accept on stdin: a print job bigger than this is almost certainly not an office document. */
#define ES_CUPS_MAX_JOB ((off_t)2 << 30)

/* privs.c: if running as root, become the unprivileged `lp` user for good (groups, gid, uid) and check that
 * root cannot be regained. No-op when not root. */
int es_cups_drop_root(eseal_error *err);

/* spool.c: copies stdin into a private, already-unlinked temp file in $TMPDIR (else /tmp) and returns its
 * descriptor; the library reads it through /proc/self/fd/N, so nothing is ever left behind, even on SIGKILL. */
int es_cups_spool_stdin(int *fd_out, eseal_error *err);
/* Checks the first bytes of fd (rewound afterwards) for the %PDF- header; ESEAL_E_INPUT if absent. what names the
 * job in the message. */
int es_cups_check_pdf(int fd, const char *what, eseal_error *err);

/* outdir.c: checks a job user name before it becomes a path component (no '/', no leading '.', printable). */
int es_cups_check_user(const char *user, eseal_error *err);
/* Replaces every ${USER} in tmpl with user; *out is malloc'ed. */
int es_cups_expand_user(const char *tmpl, const char *user, char **out, eseal_error *err);
/* Opens the output directory template (before expansion) for user, creating the per-user part with mode 0700.
 * The part of the path before the first component holding ${USER} (or, without ${USER}, all but the last
 * component) is the administrator's and opened normally; every component after that is walked with O_NOFOLLOW,
 * created if missing, and must be a directory owned by us. Returns a directory descriptor in *dirfd_out and the
 * expanded path (for messages) in *path_out. Refusals are ESEAL_E_INPUT (a per-job problem: cancel that job),
 * a missing or unusable administrator part is ESEAL_E_CONFIG (stop the queue). */
int es_cups_open_output_dir(const char *tmpl, const char *user, int *dirfd_out, char **path_out, eseal_error *err);

/* jobname.c: a safe base name ("Quarterly report") from a job title: control characters and invalid UTF-8 removed,
 * '/' and '\' replaced, no leading dots or spaces, a trailing ".pdf" dropped, at most ES_CUPS_NAME_MAX bytes cut at
 * a character boundary; fallback "print-JOBID" if nothing is left. out must hold ES_CUPS_NAME_MAX + 1 bytes. */
void es_cups_base_name(const char *title, const char *job_id, char *out);
/* The n-th candidate file name: n = 1 -> "base.pdf", n >= 2 -> "base (n).pdf". */
int es_cups_candidate_name(const char *base, unsigned n, char *out, size_t size);

#endif
