/* eseal/output.h: the one way the library writes a result file.
 * Data goes to an unnamed temporary file in the target directory and appears under its name only when
 * complete and fsynced, so a failure or a kill never leaves a half-written seal. */
#ifndef ESEAL_OUTPUT_H
#define ESEAL_OUTPUT_H

#include <stddef.h>
#include <sys/types.h>

#include "eseal/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eseal_output eseal_output;

/* A commit group lets the outputs of a batch share disk flushes. Each output is still complete and flushed before
 * it gets its name (so never a partial file, even after a crash), but one syncfs() serves every output committing
 * at that moment, and directory entries are flushed once, by eseal_output_group_sync, instead of per file.
 * Until that call, a power loss (not a kill) may lose the names of the latest outputs, never leave a broken one. */
typedef struct eseal_output_group eseal_output_group;

int eseal_output_group_new(eseal_output_group **out, eseal_error *err);
/* fsyncs every directory an output of the group was named in. Call before reporting the batch durable. */
int eseal_output_group_sync(eseal_output_group *group, eseal_error *err);
void eseal_output_group_free(eseal_output_group *group);

/* Opens a pending output for path. Fails if path exists and !overwrite, if path is a symlink, or if
 * path is the same file as refuse_same_as (the input; may be NULL). */
int eseal_output_open(eseal_output **out, const char *path, int overwrite, const char *refuse_same_as,
		      eseal_error *err);
/* Commits o through group (NULL, the default: alone, fsync of file and directory). */
void eseal_output_set_group(eseal_output *out, eseal_output_group *group);
int eseal_output_write(eseal_output *out, const void *buf, size_t len, eseal_error *err);
/* Overwrites bytes already written (e.g. a PDF /Contents placeholder). */
int eseal_output_pwrite(eseal_output *out, off_t offset, const void *buf, size_t len, eseal_error *err);
/* Bytes written so far. */
off_t eseal_output_size(const eseal_output *out);
/* Descriptor of the pending file, for callers that read back what they wrote. */
int eseal_output_fd(const eseal_output *out);
const char *eseal_output_path(const eseal_output *out);
/* fsync, give the file its name (atomically; never replacing a file unless overwrite), fsync the directory. */
int eseal_output_commit(eseal_output *out, eseal_error *err);
/* Discards the pending file if not committed. NULL is fine. */
void eseal_output_free(eseal_output *out);

#ifdef __cplusplus
}
#endif
#endif
