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

/* A commit group lets a batch go on sealing while its outputs reach the disk. With a group, eseal_output_commit
 * hands the finished output over and returns at once; the group's committer thread flushes everything handed over
 * since its last round with one syncfs() per file system, names those files, and reports each output through done()
 * after the next flush has made its name durable too. Data is on disk before a file gets its name, so a crash or a
 * kill never leaves a partial file, and a report of success means the output survives a power loss. At most
 * ESEAL_OUTPUT_GROUP_PENDING outputs wait at a time (fewer when the process may open few descriptors: each holds two,
 * and the group takes a quarter of those RLIMIT_NOFILE still allows); a commit beyond that waits for room. */
typedef struct eseal_output_group eseal_output_group;
#define ESEAL_OUTPUT_GROUP_PENDING 128
/* Called from the committer thread, once for every output handed over (and for no other): err->status is ESEAL_OK
 * or the reason it was not written. cookie is what eseal_output_set_group was given. */
typedef void (*eseal_output_done_fn)(void *ctx, void *cookie, const eseal_error *err);

eseal_status eseal_output_group_new(eseal_output_group **out, eseal_output_done_fn done, void *ctx, eseal_error *err);
/* Outputs handed to the group must lie below dir (their paths start with it), in directories reached from dir without
 * a symbolic link: checked when each is handed over, before it gets its name; one that fails is refused with
 * ESEAL_E_IO. A batch's --out-dir: a link planted below it never redirects a seal elsewhere. */
eseal_status eseal_output_group_below(eseal_output_group *group, const char *dir, eseal_error *err);
/* Waits until every output handed over so far has been reported (each report comes after its name is durable). */
eseal_status eseal_output_group_sync(eseal_output_group *group, eseal_error *err);
/* Reports what is still pending, then stops the committer thread. NULL is fine. */
void eseal_output_group_free(eseal_output_group *group);

/* Opens a pending output for path. Fails if path exists and !overwrite, if path is a symlink, or if
 * path is the same file as refuse_same_as (the input; may be NULL). The file gets the input's permission bits
 * (read/write only, then the umask): a sealed copy of a 0600 document is 0600 too; 0644 & ~umask without one. */
eseal_status eseal_output_open(eseal_output **out, const char *path, int overwrite, const char *refuse_same_as,
			       eseal_error *err);
/* Commits out through group (NULL, the default: alone, fsync of file and directory, done when commit returns). */
void eseal_output_set_group(eseal_output *out, eseal_output_group *group, void *cookie);
eseal_status eseal_output_write(eseal_output *out, const void *buf, size_t len, eseal_error *err);
/* Overwrites bytes already written (e.g. a PDF /Contents placeholder). */
eseal_status eseal_output_pwrite(eseal_output *out, off_t offset, const void *buf, size_t len, eseal_error *err);
/* Bytes written so far. */
off_t eseal_output_size(const eseal_output *out);
/* Descriptor of the pending file, for callers that read back what they wrote. */
int eseal_output_fd(const eseal_output *out);
const char *eseal_output_path(const eseal_output *out);
/* fsync, give the file its name (atomically; never replacing a file unless overwrite), fsync the directory.
 * With a group: hand over to it (see above); out is then an empty shell, still to be freed. */
eseal_status eseal_output_commit(eseal_output *out, eseal_error *err);
/* Discards the pending file if not committed. NULL is fine. */
void eseal_output_free(eseal_output *out);

#ifdef __cplusplus
}
#endif
#endif
