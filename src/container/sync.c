/* SPDX-License-Identifier: Apache-2.0 */
/* Framing and validation of the parent <-> stage1/init sync messages. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/fdpass.h"
#include "sync.h"

/* Exact payload size per type; -1 = variable (checked by type). */
static const int payload_sizes[SYNC_TYPE_MAX] = {
    [SYNC_CGROUP_JOINED] = 0, [SYNC_USERMAP_REQUEST] = 0, [SYNC_USERMAP_ACK] = 0,
    [SYNC_TIMEOFFSETS] = 0,   [SYNC_TIMEOFFSETS_ACK] = 0, [SYNC_INIT_PID] = 4,
    [SYNC_CHILD_READY] = 4,   [SYNC_HOOKS] = 0,		  [SYNC_HOOKS_DONE] = 0,
    [SYNC_CONSOLE] = 0,	      [SYNC_EXEC_READY] = 0,	  [SYNC_ERROR] = -1,
    [SYNC_SECCOMP_FD] = 0,
};

static const char *const type_names[SYNC_TYPE_MAX] = {
    [SYNC_CGROUP_JOINED] = "CGROUP_JOINED",	[SYNC_USERMAP_REQUEST] = "USERMAP_REQUEST",
    [SYNC_USERMAP_ACK] = "USERMAP_ACK",		[SYNC_TIMEOFFSETS] = "TIMEOFFSETS",
    [SYNC_TIMEOFFSETS_ACK] = "TIMEOFFSETS_ACK", [SYNC_INIT_PID] = "INIT_PID",
    [SYNC_CHILD_READY] = "CHILD_READY",		[SYNC_HOOKS] = "HOOKS",
    [SYNC_HOOKS_DONE] = "HOOKS_DONE",		[SYNC_CONSOLE] = "CONSOLE",
    [SYNC_EXEC_READY] = "EXEC_READY",		[SYNC_ERROR] = "ERROR",
    [SYNC_SECCOMP_FD] = "SECCOMP_FD",
};

const char *cinch_sync_type_name(uint32_t type)
{
	if (type == 0 || type >= SYNC_TYPE_MAX)
		return "unknown";
	return type_names[type];
}

static void put_u32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int check_payload(uint32_t type, const unsigned char *payload, uint32_t len,
			 struct cinch_error *err)
{
	if (type == 0 || type >= SYNC_TYPE_MAX)
		return cinch_error_set(err, EPROTO, "sync: unknown message type %u", type);
	if (len > SYNC_PAYLOAD_MAX)
		return cinch_error_set(err, EPROTO, "sync: %s payload of %u bytes exceeds %u",
				       type_names[type], len, SYNC_PAYLOAD_MAX);
	if (payload_sizes[type] >= 0 && len != (uint32_t)payload_sizes[type])
		return cinch_error_set(err, EPROTO, "sync: %s payload is %u bytes, expected %d",
				       type_names[type], len, payload_sizes[type]);
	if (type == SYNC_ERROR) {
		/* u32 code, then a message that must end in NUL within len. */
		if (len < 5 || payload[len - 1] != '\0')
			return cinch_error_set(err, EPROTO, "sync: malformed ERROR payload");
		uint32_t code = get_u32(payload);
		if (code == 0 || code > 4095)
			return cinch_error_set(err, EPROTO, "sync: ERROR with invalid code %u",
					       code);
	}
	return 0;
}

int cinch_sync_encode(uint32_t type, const void *payload, uint32_t len, unsigned char *buf,
		      size_t cap, struct cinch_error *err)
{
	int r = check_payload(type, payload, len, err);

	if (r < 0)
		return r;
	if (cap < SYNC_HEADER_SIZE + (size_t)len)
		return cinch_error_set(err, ENOBUFS, "sync: buffer too small for %s",
				       type_names[type]);
	put_u32(buf, type);
	put_u32(buf + 4, len);
	if (len)
		memcpy(buf + SYNC_HEADER_SIZE, payload, len);
	return (int)(SYNC_HEADER_SIZE + len);
}

int cinch_sync_decode(const unsigned char *buf, size_t n, struct cinch_sync_msg *msg,
		      struct cinch_error *err)
{
	uint32_t type, len;
	int r;

	if (n < SYNC_HEADER_SIZE)
		return cinch_error_set(err, EPROTO, "sync: short packet of %zu bytes", n);
	type = get_u32(buf);
	len = get_u32(buf + 4);
	if ((size_t)len != n - SYNC_HEADER_SIZE)
		return cinch_error_set(err, EPROTO,
				       "sync: header says %u payload bytes, packet has %zu", len,
				       n - SYNC_HEADER_SIZE);
	r = check_payload(type, buf + SYNC_HEADER_SIZE, len, err);
	if (r < 0)
		return r;
	msg->type = type;
	msg->len = len;
	if (len)
		memcpy(msg->payload, buf + SYNC_HEADER_SIZE, len);
	return 0;
}

int cinch_sync_send(int sock, uint32_t type, const void *payload, uint32_t len, int pass_fd,
		    struct cinch_error *err)
{
	unsigned char buf[SYNC_PACKET_MAX];
	ssize_t n;
	int size = cinch_sync_encode(type, payload, len, buf, sizeof(buf), err);

	if (size < 0)
		return size;
	n = cinch_send_with_fd(sock, buf, (size_t)size, pass_fd);
	if (n < 0)
		return cinch_error_errno(err, (int)-n, "sync: send %s", type_names[type]);
	if (n != size)
		return cinch_error_set(err, EPROTO, "sync: short send of %s", type_names[type]);
	return 0;
}

int cinch_sync_send_u32(int sock, uint32_t type, uint32_t value, struct cinch_error *err)
{
	return cinch_sync_send(sock, type, &value, sizeof(value), -1, err);
}

void cinch_sync_send_error(int sock, const struct cinch_error *error)
{
	unsigned char payload[SYNC_PAYLOAD_MAX];
	struct cinch_error ignored;
	uint32_t code = error->code > 0 && error->code < 4096 ? (uint32_t)error->code : EIO;
	size_t mlen = strnlen(error->msg, CINCH_ERROR_MSG_MAX - 1);

	put_u32(payload, code);
	memcpy(payload + 4, error->msg, mlen);
	payload[4 + mlen] = '\0';
	(void)cinch_sync_send(sock, SYNC_ERROR, payload, (uint32_t)(4 + mlen + 1), -1, &ignored);
}

int cinch_sync_recv(int sock, struct cinch_sync_msg *msg, struct cinch_error *err)
{
	unsigned char buf[SYNC_PACKET_MAX];
	union {
		char raw[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} ctrl;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr mh = {0};
	struct cmsghdr *c;
	ssize_t n;
	int r;

	msg->fd = -1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctrl.raw;
	mh.msg_controllen = sizeof(ctrl.raw);
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return cinch_error_errno(err, errno, "sync: receive");
	if (n == 0)
		return cinch_error_set(err, EPIPE, "sync: container process exited unexpectedly");
	/* Collect any fds first so none leaks, whatever the verdict. */
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfds; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (msg->fd < 0 && i == 0)
				msg->fd = fd;
			else
				close(fd);
		}
	}
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		r = cinch_error_set(err, EPROTO, "sync: truncated packet");
		goto fail;
	}
	r = cinch_sync_decode(buf, (size_t)n, msg, err);
	if (r < 0)
		goto fail;
	if ((msg->fd >= 0) != (msg->type == SYNC_CONSOLE || msg->type == SYNC_SECCOMP_FD)) {
		r = cinch_error_set(err, EPROTO, "sync: %s %s an fd", type_names[msg->type],
				    msg->fd >= 0 ? "must not carry" : "must carry");
		goto fail;
	}
	return 0;
fail:
	if (msg->fd >= 0)
		close(msg->fd);
	msg->fd = -1;
	return r;
}

int cinch_sync_error_from_msg(const struct cinch_sync_msg *msg, struct cinch_error *err)
{
	uint32_t code = get_u32(msg->payload);

	/* decode already checked NUL termination and the code range */
	return cinch_error_set(err, (int)code, "%s", (const char *)msg->payload + 4);
}

uint32_t cinch_sync_u32(const struct cinch_sync_msg *msg)
{
	return get_u32(msg->payload);
}

int cinch_sync_expect(int sock, uint32_t want, struct cinch_sync_msg *msg, struct cinch_error *err)
{
	int r = cinch_sync_recv(sock, msg, err);

	if (r < 0)
		return r;
	if (msg->type == want)
		return 0;
	if (msg->fd >= 0) {
		close(msg->fd);
		msg->fd = -1;
	}
	if (msg->type == SYNC_ERROR)
		return cinch_sync_error_from_msg(msg, err);
	return cinch_error_set(err, EPROTO, "sync: expected %s, got %s", cinch_sync_type_name(want),
			       cinch_sync_type_name(msg->type));
}
