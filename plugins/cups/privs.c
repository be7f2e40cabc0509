/* plugins/cups/privs.c: the backend never seals as root.
 * CUPS runs a 0755 backend as its unprivileged User (lp) already; if someone installs it 0700 (so cupsd runs it
 * as root) or runs it by hand as root, we become lp before touching the job, the key or the file system. */
#include "cups_internal.h"
#include "error_internal.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#define ES_CUPS_USER "lp"

int es_cups_drop_root(eseal_error *err)
{
	struct passwd *pw;
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0 && getuid() != 0)
		return ESEAL_OK;
	errno = 0;
	if ((pw = getpwnam(ES_CUPS_USER)) == NULL)
		return es_error_set(err, ESEAL_E_CONFIG, "running as root and there is no '%s' user to become%s%s",
				    ES_CUPS_USER, errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0)
		return es_error_set(err, ESEAL_E_CONFIG, "user '%s' is root; refusing to seal as root", ES_CUPS_USER);
	/* Order matters: supplementary groups and gid while we still may, uid last. */
	if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0)
		return es_error_set(err, ESEAL_E_CONFIG, "cannot become user '%s': %s", ES_CUPS_USER, strerror(errno));
	/* A drop that can be undone is no drop. */
	if (setuid(0) == 0 || seteuid(0) == 0 || geteuid() == 0 || getuid() == 0)
		return es_error_set(err, ESEAL_E_INTERNAL, "root privileges could be regained after becoming '%s'",
				    ES_CUPS_USER);
	return ESEAL_OK;
}
