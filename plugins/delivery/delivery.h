/* plugins/delivery/delivery.h: hands a finished file (a sealed PDF) to a named local user, as that user.
 * Used by the front ends that seal for someone else (the CUPS back end, the printer application): they seal under an
 * unprivileged service account, then this module, started as root, copies the bytes into the user's folder. */
#ifndef ES_DELIVERY_H
#define ES_DELIVERY_H

#include <stddef.h>
#include <sys/types.h>

#include "eseal/error.h"

/* Longest base name a caller passes (bytes, before " (N).ext"): well under NAME_MAX (255) on every file system. */
#define ES_DELIVERY_NAME_MAX 180
/* "name (999).pdf" is the last name tried; more copies of one title in one folder means something is wrong. */
#define ES_DELIVERY_MAX_TRIES 999

/* Checks a job's user name before it becomes a path component (no '/', no leading '.', printable, <= 128 bytes). */
int es_delivery_check_user(const char *user, eseal_error *err);
/* es_delivery_check_user, then: user is a local user (ESEAL_E_INPUT if not), so a job can be refused before work. */
int es_delivery_check_local_user(const char *user, eseal_error *err);
/* The local user's home folder from the password database (malloc'ed), or NULL if there is no such user. */
char *es_delivery_home_of(const char *user);
/* Replaces every occurrence of var (e.g. "${USER}") in tmpl with value; *out is malloc'ed. */
int es_delivery_expand(const char *tmpl, const char *var, const char *value, char **out, eseal_error *err);
/* Opens the folder template tmpl for user (${USER}; ${HOME} = home, which must then be absolute), creating the
 * per-user part with mode 0700. The part of the path before the first component holding ${USER} (or, without
 * ${USER}, all but the last component) is the administrator's (or the home folder) and opened normally; every
 * component after it is walked with O_NOFOLLOW, created if missing, and must be a directory owned by the caller's
 * effective uid and not writable by everyone. Returns a directory descriptor and the expanded path (for messages).
 * Refusals are ESEAL_E_INPUT (this job's problem), a missing administrator part is ESEAL_E_CONFIG. */
int es_delivery_open_dir(const char *tmpl, const char *user, const char *home, int *dirfd_out, char **path_out,
			 eseal_error *err);
/* es_delivery_open_dir for a service that keeps the files it seals (the printer application: it runs as its own
 * account and never becomes the user): every per-user component walked also gets an access ACL that lets reader
 * list and enter it and nobody else but the service (es_delivery_grant_read). ES_DELIVERY_NO_READER: none. */
int es_delivery_open_dir_for(const char *tmpl, const char *user, const char *home, uid_t reader, int *dirfd_out,
			     char **path_out, eseal_error *err);
#define ES_DELIVERY_NO_READER ((uid_t)-1)
/* Makes what fd is (a file or folder the caller owns: only the owner may set an ACL) readable by the local user
 * reader and by nobody else but the owner: its access ACL becomes user::rw- (a folder: rwx), user:<reader>:r-- (r-x),
 * group::---, other::---, mask::r-- (r-x), replacing whatever ACL or group/other bits it had. what names fd in
 * messages. A file system without POSIX ACLs (mounted noacl, some network shares) is ESEAL_E_CONFIG. */
int es_delivery_grant_read(int fd, uid_t reader, const char *what, eseal_error *err);
/* The local user's uid and home folder (*home_out malloc'ed, NULL unless absolute), from the password database;
 * ESEAL_E_INPUT if user is not a local user (nor one NSS knows). */
int es_delivery_lookup_user(const char *user, uid_t *uid_out, char **home_out, eseal_error *err);
/* The n-th candidate file name: n = 1 -> "base.ext", n >= 2 -> "base (n).ext". -1 if it does not fit. */
int es_delivery_candidate_name(const char *base, const char *ext, unsigned n, char *out, size_t size);

typedef struct es_delivery {
	const char *dir_template; /* "${HOME}/PDF", "/srv/eseal/sealed/${USER}" */
	const char *base;         /* file name without extension (already made safe: no '/', no leading '.') */
	const char *ext;          /* ".pdf" */
} es_delivery;

/* Copies the whole of src_fd (read with pread from offset 0, never interpreted) into a new file in the user's folder
 * (d->dir_template) named base.ext, else "base (2).ext", ..., mode 0600 and owned by the user; never replaces a file.
 * Written under a temporary name, fsync'ed, then linked into place without replacing (no partial file is ever
 * visible under the final name). Run as root, the copy happens in a child process that has become the user
 * (initgroups, setresgid, setresuid): the kernel, not this code, decides where the user may write, so a link planted
 * by the user leads only where the user could write anyway. Before that, root creates the one per-user folder of a
 * template like /srv/sealed/${USER} when its parent is root's and not writable by others (mode 0700, chowned to the
 * user on its descriptor). Run as the user, it copies directly; run as anyone else it refuses (ESEAL_E_CONFIG).
 * An unknown local user is ESEAL_E_INPUT. On success *path_out (malloc'ed) is the file's full path. */
int es_deliver_file(int src_fd, const char *user, const es_delivery *d, char **path_out, eseal_error *err);

#endif
