/* core/secret.c: reading PINs and passwords from files without leaving copies behind.
 * Only the first line counts; the buffer is the caller's and is wiped by the caller (OPENSSL_cleanse). */
#include "secret_internal.h"
#include "error_internal.h"
#include "input_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>

int es_secret_read_file(const char *path, const char *what, char *buf, size_t size, eseal_warn_fn warn,
			void *warn_ctx, eseal_error *err)
{
	char tmp[1024], doing[96];
	es_input_role role = {doing, ESEAL_E_CONFIG, ESEAL_E_CONFIG, sizeof(tmp), 0};
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd = -1, rc = ESEAL_OK;

	snprintf(doing, sizeof(doing), "cannot read the %s", what);
	if ((rc = es_input_open(path, &role, &fd, &st, err)) != ESEAL_OK)
		goto cleanup;
	/* Refusing would stop a running service over a mode bit; a warning tells the administrator at once. */
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		es_warn(warn, warn_ctx, "%s: the %s is accessible by %s (mode %04o); it should be readable by its owner only "
			"(chmod 600)", path, what, st.st_mode & S_IRWXO ? "others" : "its group",
			(unsigned)(st.st_mode & 07777));
	while (len < sizeof(tmp)) {
		n = read(fd, tmp + len, sizeof(tmp) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = es_error_set(err, ESEAL_E_IO, "%s: %s: %s", path, doing, strerror(errno));
			goto cleanup;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	for (n = 0; (size_t)n < len && tmp[n] != '\n' && tmp[n] != '\r'; n++)
		;
	if ((size_t)n >= size) {
		rc = es_error_set(err, ESEAL_E_CONFIG, "%s: the %s's first line is too long", path, what);
		goto cleanup;
	}
	memcpy(buf, tmp, (size_t)n);
	buf[n] = '\0';
cleanup:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	if (fd >= 0)
		close(fd);
	return rc;
}
