/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two processes of `exec` between cinch and the user's program.
 *
 * exec stage1 (forked by cinch): waits until cinch put it in the container's
 * cgroup (for --ignore-paused into a frozen one, cinch moves the process in
 * only once it is set up, see exec.c), joins every namespace of the container's init at once
 * through the pidfd cinch checked (user first by the kernel's own order; pid and time apply to
 * children), becomes root of a joined user namespace, then clones the process with CLONE_PARENT, so
 * it is cinch's direct child (engines reap it), reports its pid and exits.
 *
 * exec process: inside every namespace and the cgroup. New session, the
 * terminal (pty of the container's devpts, master to cinch), then the
 * process setup create's init uses (exec-setup.c), EXEC_READY, the last
 * steps (no_new_privs, fds, seccomp) and execve. Until the execve every
 * failure goes back over the sync socket, which is O_CLOEXEC: cinch reads
 * its end-of-file as "the program runs".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "internal.h"
#include "sync.h"

static __attribute__((noreturn)) void fail(int sock, const struct cinch_error *err, int code)
{
	cinch_sync_send_error(sock, err);
	_exit(code);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static __attribute__((noreturn)) void exec_process_main(struct exec_ctx *x)
{
	const struct cinch_process *p = x->p;
	struct container_proc cp = {
	    .spec = x->spec,
	    .p = p,
	    .filter = x->have_filter ? &x->filter : NULL,
	    .id = x->opts->id,
	    .new_keyring = true,
	    .preserve_fds = x->opts->preserve_fds,
	    .listener = container_seccomp_listener_set(x->spec),
	    .sync_sock = x->sync_child,
	};
	struct cinch_error err = {0};
	struct cinch_sync_msg msg;
	int r;

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* cinch may exit first (--detach): the process then belongs to the
	 * engine's subreaper, it must not die with cinch. */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	container_reset_signals();
	if (cinch_sync_expect(x->sync_child, SYNC_CHILD_READY, &msg, &err) < 0)
		_exit(1);
	if (setsid() < 0) {
		cinch_error_errno(&err, errno, "setsid");
		fail(x->sync_child, &err, 1);
	}
	if (p->terminal.present && p->terminal.value) {
		r = container_console_setup(p, x->sync_child, NULL, &err);
		if (r < 0)
			fail(x->sync_child, &err, 1);
	}
	r = container_proc_setup(&cp, &err);
	if (r < 0)
		fail(x->sync_child, &err, 1);
	if (cinch_sync_send(x->sync_child, SYNC_EXEC_READY, NULL, 0, -1, &err) < 0)
		_exit(1);
	/* Paused container: we are moved into its frozen cgroup now and go on
	 * (final affinity, execve) once it is resumed. */
	if (x->late_cgroup && cinch_sync_expect(x->sync_child, SYNC_CGROUP_JOINED, &msg, &err) < 0)
		_exit(1);
	r = container_proc_finish(&cp, &x->sync_child, &err);
	if (r < 0)
		fail(x->sync_child, &err, 1);
	r = container_proc_execve(&cp, &err);
	/* The filter may deny the socket: stderr is the fallback. */
	cinch_sync_send_error(x->sync_child, &err);
	dprintf(2, "cinch: %s\n", err.msg);
	_exit(r);
}

void container_exec_stage1_main(struct exec_ctx *x)
{
	struct cinch_error err = {0};
	struct cinch_sync_msg msg;
	pid_t pid;

	close_fd(&x->sync_parent);
	/* Dropping our reference leaves the parent's lock in place. */
	close_fd(&x->dirfd);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* Joined first thing, as the init's stage1 does; on failure the
	 * parent's CGROUP_JOINED is read first so its send cannot fail and
	 * hide the reason. */
	if (stage1_cgroup_join_child(&x->s1cg, &err) < 0) {
		struct cinch_error ignored = {0};

		cinch_sync_expect(x->sync_child, SYNC_CGROUP_JOINED, &msg, &ignored);
		fail(x->sync_child, &err, 1);
	}
	if (!x->late_cgroup && cinch_sync_expect(x->sync_child, SYNC_CGROUP_JOINED, &msg, &err) < 0)
		_exit(1);
	if (container_ns_join_pidfd(x->pidfd, x->ns_flags, x->ns_fds, &err) < 0)
		fail(x->sync_child, &err, 1);
	close_fd(&x->pidfd);
	container_ns_close_fds(x->ns_fds);
	/* As the init's stage1 did: files we create belong to mapped ids. */
	if (x->userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
		cinch_error_errno(&err, errno,
				  "join user namespace: container uid/gid 0 must be mapped");
		fail(x->sync_child, &err, 1);
	}
	pid = container_clone_parent();
	if (pid < 0) {
		cinch_error_errno(&err, errno, "clone exec process");
		fail(x->sync_child, &err, 1);
	}
	if (pid == 0)
		exec_process_main(x);
	if (cinch_sync_send_u32(x->sync_child, SYNC_INIT_PID, (uint32_t)pid, &err) < 0)
		_exit(1);
	_exit(0);
}
