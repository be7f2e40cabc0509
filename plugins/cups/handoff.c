/* plugins/cups/handoff.c: the sealing child's finished file, passed to the root parent as a descriptor (SCM_RIGHTS).
 * A descriptor, not a path: the file lives in lp's private folder, where a name could be swapped before root opens
 * it; the parent never opens anything lp controls and never reads the bytes itself (the delivery child copies them). */
#include "cups_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define TEXT_MAX 4096

int es_cups_send_result(int sock, int fd, const char *text)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	struct msghdr m;
	struct iovec iov;
	struct cmsghdr *h;
	size_t len = strlen(text);

	if (len == 0 || len >= TEXT_MAX)
		return -1;
	memset(&m, 0, sizeof(m));
	memset(&c, 0, sizeof(c));
	iov.iov_base = (void *)text;
	iov.iov_len = len;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = c.buf;
	m.msg_controllen = sizeof(c.buf);
	h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	while (sendmsg(sock, &m, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

int es_cups_recv_result(int sock, int *fd_out, char **text_out)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	char text[TEXT_MAX];
	struct msghdr m;
	struct iovec iov;
	struct cmsghdr *h;
	ssize_t n;
	int fd = -1;

	*fd_out = -1;
	*text_out = NULL;
	memset(&m, 0, sizeof(m));
	iov.iov_base = text;
	iov.iov_len = sizeof(text) - 1;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = c.buf;
	m.msg_controllen = sizeof(c.buf);
	while ((n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC)) < 0)
		if (errno != EINTR)
			return -1;
	for (h = CMSG_FIRSTHDR(&m); h != NULL; h = CMSG_NXTHDR(&m, h))
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS && h->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(h), sizeof(int));
	if (n <= 0 || fd < 0 || (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
		if (fd >= 0)
			close(fd);
		return n == 0 ? 0 : -1;
	}
	text[n] = '\0';
	if ((*text_out = strdup(text)) == NULL) {
		close(fd);
		return -1;
	}
	*fd_out = fd;
	return 0;
}
