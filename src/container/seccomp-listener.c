/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp.listenerPath: when the profile uses SCMP_ACT_NOTIFY, the
 * container process installs its filter before it reports EXEC_READY and
 * sends the notification fd to cinch (SYNC_SECCOMP_FD). cinch then connects
 * to the UNIX socket at listenerPath and sends, in one sendmsg, the
 * runtime-spec's container process state (JSON) with that fd attached
 * (SCM_RIGHTS): {"ociVersion", "fds": ["seccompFd"], "pid", "metadata",
 * "state": {the container's state}}. The agent behind the socket then
 * answers the notified syscalls.
 *
 * This file owns the parent-side checks of such a profile and the hand-off.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cinch/cleanup.h"
#include "cinch/fdpass.h"
#include "internal.h"

/* The syscall the container process hands the fd over with: notifying it
 * would block the process before anyone can answer. */
#define HANDOFF_SYSCALL "sendmsg"

static bool notifies_handoff(const struct cinch_seccomp *sc, size_t *ret_idx)
{
	for (size_t i = 0; i < sc->syscalls.len; i++) {
		const struct cinch_seccomp_syscall *s = &sc->syscalls.items[i];

		if (!s->action || strcmp(s->action, "SCMP_ACT_NOTIFY") != 0)
			continue;
		if (cinch_strv_contains(&s->names, HANDOFF_SYSCALL)) {
			*ret_idx = i;
			return true;
		}
	}
	return false;
}

bool container_seccomp_listener_set(const struct cinch_spec *spec)
{
	const struct cinch_seccomp *sc = spec->linux_ ? spec->linux_->seccomp : NULL;

	return sc && sc->listener_path && sc->listener_path[0];
}

int container_seccomp_listener_check(const struct cinch_seccomp *sc,
				     const struct cinch_seccomp_filter *filter,
				     struct cinch_error *err)
{
	struct sockaddr_un addr;
	size_t idx;

	if (!sc || !filter || !filter->notify)
		return 0; /* a listenerPath without notify rules is never used (as runc) */
	/* runc refuses this too: nobody would answer the notified syscalls. */
	if (!sc->listener_path || !sc->listener_path[0])
		return cinch_error_set(err, EINVAL,
				       "linux.seccomp.listenerPath: not set, but the profile uses "
				       "SCMP_ACT_NOTIFY");
	if (sc->listener_path[0] != '/')
		return cinch_error_set(err, EINVAL,
				       "linux.seccomp.listenerPath (%s): must be an absolute path",
				       sc->listener_path);
	if (strlen(sc->listener_path) >= sizeof(addr.sun_path))
		return cinch_error_set(err, ENAMETOOLONG,
				       "linux.seccomp.listenerPath (%s): longer than a UNIX "
				       "socket path may be",
				       sc->listener_path);
	if (notifies_handoff(sc, &idx))
		return cinch_error_set(
		    err, EINVAL,
		    "linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY cannot be used "
		    "for %s (the runtime hands the listener fd over with it)",
		    idx, HANDOFF_SYSCALL);
	return 0;
}

static void gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static int process_state_json(const struct cinch_state *st, enum cinch_status status, pid_t pid,
			      const char *metadata, char **ret, size_t *ret_len,
			      struct cinch_error *err)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	int r = 0;

	if (!g)
		return cinch_error_set(err, ENOMEM, "linux.seccomp.listenerPath: out of memory");
	yajl_gen_map_open(g);
	gen_str(g, "ociVersion");
	gen_str(g, st->oci_version ? st->oci_version : "");
	gen_str(g, "fds");
	yajl_gen_array_open(g);
	gen_str(g, "seccompFd"); /* index 0 of the SCM_RIGHTS array */
	yajl_gen_array_close(g);
	gen_str(g, "pid");
	yajl_gen_integer(g, pid);
	if (metadata && metadata[0]) {
		gen_str(g, "metadata");
		gen_str(g, metadata);
	}
	/* The runtime-spec's state object, nothing of cinch's own. */
	gen_str(g, "state");
	yajl_gen_map_open(g);
	gen_str(g, "ociVersion");
	gen_str(g, st->oci_version ? st->oci_version : "");
	gen_str(g, "id");
	gen_str(g, st->id);
	gen_str(g, "status");
	gen_str(g, cinch_status_name(status));
	gen_str(g, "pid");
	yajl_gen_integer(g, st->pid);
	gen_str(g, "bundle");
	gen_str(g, st->bundle ? st->bundle : "");
	if (st->annotations.len) {
		gen_str(g, "annotations");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < st->annotations.len; i++) {
			gen_str(g, st->annotations.items[i].key);
			gen_str(g, st->annotations.items[i].value);
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
		r = cinch_error_set(err, EINVAL,
				    "linux.seccomp.listenerPath: cannot encode the process state");
	} else if (!(*ret = strndup((const char *)buf, len))) {
		r = cinch_error_set(err, ENOMEM, "linux.seccomp.listenerPath: out of memory");
	} else {
		*ret_len = len;
	}
	yajl_gen_free(g);
	return r;
}

int container_seccomp_listener_send(const struct cinch_spec *spec, const struct cinch_state *st,
				    enum cinch_status status, pid_t pid, int notify_fd,
				    struct cinch_error *err)
{
	const struct cinch_seccomp *sc = spec->linux_ ? spec->linux_->seccomp : NULL;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	_cleanup_free_ char *json = NULL;
	_cleanup_close_ int sock = -1;
	size_t len = 0;
	ssize_t n;
	int r;

	if (!container_seccomp_listener_set(spec))
		return cinch_error_set(err, EPROTO,
				       "sync: seccomp listener fd received, but "
				       "linux.seccomp.listenerPath is not set");
	if (strlen(sc->listener_path) >= sizeof(addr.sun_path))
		return cinch_error_set(err, ENAMETOOLONG,
				       "linux.seccomp.listenerPath (%s): path too long",
				       sc->listener_path);
	r = process_state_json(st, status, pid, sc->listener_metadata, &json, &len, err);
	if (r < 0)
		return r;
	memcpy(addr.sun_path, sc->listener_path, strlen(sc->listener_path) + 1);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return cinch_error_errno(err, errno, "linux.seccomp.listenerPath (%s): socket",
					 sc->listener_path);
	do
		r = connect(sock, (struct sockaddr *)&addr, sizeof(addr));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return cinch_error_errno(err, errno, "linux.seccomp.listenerPath (%s): connect",
					 sc->listener_path);
	/* Document and fd in one message: the agent reads both with one recvmsg. */
	n = cinch_send_with_fd(sock, json, len, notify_fd);
	if (n < 0)
		return cinch_error_errno(err, (int)-n, "linux.seccomp.listenerPath (%s): send",
					 sc->listener_path);
	if ((size_t)n != len)
		return cinch_error_set(err, EIO, "linux.seccomp.listenerPath (%s): short send",
				       sc->listener_path);
	return 0;
}
