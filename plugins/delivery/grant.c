/* plugins/delivery/grant.c: lets one local user read a file or folder that a service account keeps (POSIX ACLs).
 * For the printer application, which seals as its own account and must not hold root to hand files over. */
#include "delivery.h"
#include "error_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/acl.h>
#include <sys/stat.h>

int es_delivery_grant_read(int fd, uid_t reader, const char *what, eseal_error *err)
{
	struct stat st;
	char text[128];
	acl_t acl = NULL;
	int rc = ESEAL_OK;

	if (fstat(fd, &st) != 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot stat: %s", what, strerror(errno));
	/* Built whole rather than added to: whatever the folder allowed before (a group, another user) is gone, so the
	 * result never depends on an earlier state. The mask is what the named user gets at most. */
	if (S_ISDIR(st.st_mode))
		snprintf(text, sizeof(text), "u::rwx,u:%lu:r-x,g::---,m::r-x,o::---", (unsigned long)reader);
	else
		snprintf(text, sizeof(text), "u::rw-,u:%lu:r--,g::---,m::r--,o::---", (unsigned long)reader);
	if ((acl = acl_from_text(text)) == NULL || acl_valid(acl) != 0) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot form the access list '%s'", what, text);
		goto cleanup;
	}
	if (acl_set_fd(fd, acl) != 0) {
		if (errno == ENOTSUP || errno == EOPNOTSUPP)
			rc = es_error_set(err, ESEAL_E_CONFIG,
					  "%s: the file system does not support POSIX ACLs, so uid %lu cannot be let "
					  "read it alone (mount it with ACLs, or choose another output-dir)",
					  what, (unsigned long)reader);
		else
			rc = es_error_set(err, ESEAL_E_IO, "%s: cannot let uid %lu read it: %s", what,
					  (unsigned long)reader, strerror(errno));
	}
cleanup:
	if (acl != NULL)
		acl_free(acl);
	return rc;
}
