/* core/secret.c: reading PINs and passwords from files without leaving copies behind.
 * Only the first line counts; the buffer is the caller's and is wiped by the caller (OPENSSL_cleanse). */
#include "secret_internal.h"
#include "error_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>

int es_secret_read_file(const char *path, char *buf, size_t size, eseal_error *err)
{
	char tmp[1024];
	ssize_t n;
	size_t len = 0;
	int fd = -1, rc = ESEAL_OK;
	struct stat st;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = es_error_set(err, errno == ENOENT || errno == EACCES ? ESEAL_E_CONFIG : ESEAL_E_IO,
				  "%s: cannot read secret file: %s", path, strerror(errno));
		goto cleanup;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = es_error_set(err, ESEAL_E_CONFIG, "%s: secret file is not a regular file", path);
		goto cleanup;
	}
	while (len < sizeof(tmp)) {
		n = read(fd, tmp + len, sizeof(tmp) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = es_error_set(err, ESEAL_E_IO, "%s: cannot read secret file: %s", path, strerror(errno));
			goto cleanup;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	for (n = 0; (size_t)n < len && tmp[n] != '\n' && tmp[n] != '\r'; n++)
		;
	if ((size_t)n >= size) {
		rc = es_error_set(err, ESEAL_E_CONFIG, "%s: secret is too long", path);
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
