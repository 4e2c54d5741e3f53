/* SPDX-License-Identifier: Apache-2.0 */
/* One message with an optional fd: the sync protocol, the console socket
 * and the seccomp listener all hand fds over this way. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "cinch/fdpass.h"

ssize_t cinch_send_with_fd(int sock, const void *data, size_t len, int fd)
{
	union {
		char raw[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctrl;
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&ctrl, 0, sizeof(ctrl));
		mh.msg_control = ctrl.raw;
		mh.msg_controllen = sizeof(ctrl.raw);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}
