/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sync protocol between cinch (the parent) and the container's stage1 and
 * init over a SOCK_SEQPACKET socketpair. One message = one packet =
 * {u32 type, u32 len, payload[len]}. The receiver checks the packet size
 * against len, len against the per-type size, and every type against the
 * table, so no length read off the socket is ever trusted (CVE-2021-43784).
 * A message may carry one fd (SCM_RIGHTS): only SYNC_CONSOLE and
 * SYNC_SECCOMP_FD do.
 */
#ifndef CINCH_CONTAINER_SYNC_H
#define CINCH_CONTAINER_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "cinch/error.h"

enum cinch_sync_type {
	SYNC_CGROUP_JOINED = 1, /* parent -> stage1: stage1 is in the container's cgroups
				 * (exec --ignore-paused: -> the process, after EXEC_READY) */
	SYNC_USERMAP_REQUEST,	/* stage1 -> parent: write uid_map/gid_map of stage1 */
	SYNC_USERMAP_ACK,	/* parent -> stage1 */
	SYNC_TIMEOFFSETS,	/* stage1 -> parent: write timens_offsets of stage1 */
	SYNC_TIMEOFFSETS_ACK,	/* parent -> stage1 */
	SYNC_INIT_PID,		/* stage1 -> parent: u32 host pid of init (a child of parent) */
	SYNC_CHILD_READY,	/* parent -> init: u32 init's host pid; go on */
	SYNC_HOOKS,		/* init -> parent: run createRuntime + prestart hooks now */
	SYNC_HOOKS_DONE,	/* parent -> init */
	SYNC_CONSOLE,		/* init -> parent: the pty master, as SCM_RIGHTS */
	SYNC_EXEC_READY,	/* init -> parent: set up, about to block on exec.fifo
				 * (exec: about to execve; EOF then means it ran) */
	SYNC_ERROR,		/* any -> parent: u32 code + NUL-terminated message */
	SYNC_SECCOMP_FD,	/* init/exec process -> parent: the seccomp user-notification
				 * fd, as SCM_RIGHTS, for linux.seccomp.listenerPath */
	SYNC_TYPE_MAX,
};

#define SYNC_HEADER_SIZE 8u
#define SYNC_PAYLOAD_MAX (CINCH_ERROR_MSG_MAX + 4u)
#define SYNC_PACKET_MAX	 (SYNC_HEADER_SIZE + SYNC_PAYLOAD_MAX)

struct cinch_sync_msg {
	uint32_t type;
	uint32_t len;
	unsigned char payload[SYNC_PAYLOAD_MAX];
	int fd; /* received fd (O_CLOEXEC), -1 if none */
};

const char *cinch_sync_type_name(uint32_t type);

/* Encodes a frame into buf (SYNC_PACKET_MAX bytes); returns its size or
 * a negative errno. */
int cinch_sync_encode(uint32_t type, const void *payload, uint32_t len, unsigned char *buf,
		      size_t cap, struct cinch_error *err);
/* Decodes and validates one received packet of n bytes. */
int cinch_sync_decode(const unsigned char *buf, size_t n, struct cinch_sync_msg *msg,
		      struct cinch_error *err);

int cinch_sync_send(int sock, uint32_t type, const void *payload, uint32_t len, int pass_fd,
		    struct cinch_error *err);
int cinch_sync_send_u32(int sock, uint32_t type, uint32_t value, struct cinch_error *err);
/* Sends err as SYNC_ERROR (best effort: the result is ignored). */
void cinch_sync_send_error(int sock, const struct cinch_error *error);

/* Receives one message. EOF is -EPIPE ("peer exited"). */
int cinch_sync_recv(int sock, struct cinch_sync_msg *msg, struct cinch_error *err);
/* Receives one message of type `want`; SYNC_ERROR becomes the returned
 * error, any other type is a protocol error. */
int cinch_sync_expect(int sock, uint32_t want, struct cinch_sync_msg *msg, struct cinch_error *err);
/* Turns a SYNC_ERROR message into err; returns -code. */
int cinch_sync_error_from_msg(const struct cinch_sync_msg *msg, struct cinch_error *err);
uint32_t cinch_sync_u32(const struct cinch_sync_msg *msg);

#endif
