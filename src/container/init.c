/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two processes between cinch and the user's program.
 *
 * stage1 (forked by cinch): waits until cinch put it in the container's
 * cgroup, joins namespaces by path (user first), unshares a new user
 * namespace and asks cinch to write its id maps, unshares the other new
 * namespaces (pid and time apply to children), asks cinch to write the time
 * offsets while no process is in the time namespace yet, then clones the
 * init with CLONE_PARENT, so the init is cinch's direct child, reports its
 * pid and exits.
 *
 * init: pid 1 of the new pid namespace. Sets up the rootfs (createRuntime and
 * prestart hooks run in the parent when the mounts exist, createContainer
 * hooks here before pivot), hostname, sysctl, console, then the process
 * setup exec shares (exec-setup.c: attributes, identity, args[0] lookup),
 * reports EXEC_READY and blocks opening exec.fifo until `start`. Then
 * startContainer hooks and the shared last steps (no_new_privs, close every
 * fd above 2 (+ --preserve-fds), seccomp last), execve. Both stay
 * non-dumpable until the execve.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "internal.h"
#include "rootfs.h"
#include "sync.h"

extern char **environ;

static __attribute__((noreturn)) void fail_to_parent(int sock, const struct cinch_error *err)
{
	cinch_sync_send_error(sock, err);
	_exit(1);
}

pid_t container_clone_parent(void)
{
	struct clone_args args = {0};

	/* CLONE_PARENT: the init becomes a sibling of stage1, i.e. cinch's child. */
	args.flags = CLONE_PARENT;
	args.exit_signal = 0; /* clone3 rejects one with CLONE_PARENT: the init inherits ours */
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));

	/* No clone3 (an older kernel, or a seccomp filter or tool in front of
	 * us that answers ENOSYS, as Docker's profile does): the classic clone
	 * does the same with no stack, i.e. fork-like. */
	if (pid < 0 && errno == ENOSYS) {
#if defined(__s390x__) || defined(__s390__)
		pid = (pid_t)syscall(SYS_clone, 0, CLONE_PARENT, NULL, NULL, 0);
#else
		pid = (pid_t)syscall(SYS_clone, CLONE_PARENT, 0, NULL, NULL, 0);
#endif
	}
	return pid;
}

void container_stage1_main(struct create_ctx *ctx)
{
	struct cinch_error err = {0};
	struct cinch_sync_msg msg;
	pid_t pid;
	int r;

	close(ctx->sync_parent);
	/* Dropping our reference leaves the parent's flock in place. */
	close(ctx->dirfd);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	r = cinch_sync_expect(ctx->sync_child, SYNC_CGROUP_JOINED, &msg, &err);
	if (r < 0)
		_exit(1);
	r = container_ns_join(ctx, &err);
	if (r < 0)
		fail_to_parent(ctx->sync_child, &err);
	if (ctx->new_userns) {
		if (unshare(CLONE_NEWUSER) < 0) {
			cinch_error_errno(&err, errno, "unshare user namespace");
			fail_to_parent(ctx->sync_child, &err);
		}
		if (cinch_sync_send(ctx->sync_child, SYNC_USERMAP_REQUEST, NULL, 0, -1, &err) < 0 ||
		    cinch_sync_expect(ctx->sync_child, SYNC_USERMAP_ACK, &msg, &err) < 0)
			fail_to_parent(ctx->sync_child, &err);
		/* Become the namespace's root so files we create are owned by mapped ids. */
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
			cinch_error_errno(&err, errno,
					  "linux.uidMappings: container uid/gid 0 must be mapped");
			fail_to_parent(ctx->sync_child, &err);
		}
	}
	if (ctx->new_ns_flags && unshare((int)ctx->new_ns_flags) < 0) {
		cinch_error_errno(&err, errno, "unshare namespaces (flags 0x%lx)",
				  ctx->new_ns_flags);
		fail_to_parent(ctx->sync_child, &err);
	}
	if (ctx->spec->linux_->time_offsets.len) {
		if (cinch_sync_send(ctx->sync_child, SYNC_TIMEOFFSETS, NULL, 0, -1, &err) < 0 ||
		    cinch_sync_expect(ctx->sync_child, SYNC_TIMEOFFSETS_ACK, &msg, &err) < 0)
			fail_to_parent(ctx->sync_child, &err);
	}
	pid = container_clone_parent();
	if (pid < 0) {
		cinch_error_errno(&err, errno, "clone container init");
		fail_to_parent(ctx->sync_child, &err);
	}
	if (pid == 0)
		container_init_main(ctx);
	if (cinch_sync_send_u32(ctx->sync_child, SYNC_INIT_PID, (uint32_t)pid, &err) < 0)
		_exit(1);
	_exit(0);
}

void container_reset_signals(void)
{
	sigset_t all;

	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

static int run_init_hooks(struct create_ctx *ctx, enum cinch_hook_kind kind,
			  enum cinch_status status, struct cinch_error *err)
{
	_cleanup_free_ char *json = NULL;
	int r;

	if (!container_hooks_present(ctx->spec, kind))
		return 0;
	r = container_hook_state_json(ctx->state, status, &json, err);
	if (r < 0)
		return r;
	return container_hooks_run(ctx->spec, kind, json, err);
}

/* Everything up to EXEC_READY; errors go back to the parent. */
static int init_setup(struct create_ctx *ctx, struct container_proc *cp, struct cinch_error *err)
{
	const struct cinch_spec *spec = ctx->spec;
	const struct cinch_process *p = spec->process;
	struct cinch_rootfs_context rctx = {
	    .spec = spec, .bundle = ctx->bundle, .no_pivot = ctx->opts->no_pivot, .rootfs_fd = -1};
	struct cinch_sync_msg msg;
	int r;

	if (setsid() < 0)
		return cinch_error_errno(err, errno, "setsid");
	r = cinch_rootfs_prepare(&rctx, err);
	if (r < 0)
		return r;
	if (container_hooks_present(spec, CINCH_HOOK_CREATE_RUNTIME) ||
	    container_hooks_present(spec, CINCH_HOOK_PRESTART)) {
		r = cinch_sync_send(ctx->sync_child, SYNC_HOOKS, NULL, 0, -1, err);
		if (r < 0)
			return r;
		r = cinch_sync_expect(ctx->sync_child, SYNC_HOOKS_DONE, &msg, err);
		if (r < 0)
			return r;
	}
	r = run_init_hooks(ctx, CINCH_HOOK_CREATE_CONTAINER, CINCH_STATUS_CREATING, err);
	if (r < 0)
		return r;
	r = cinch_rootfs_pivot(&rctx, err);
	if (r < 0)
		return r;
	r = container_apply_hostname(spec, err);
	if (r < 0)
		return r;
	r = container_apply_sysctl(spec, err);
	if (r < 0)
		return r;
	if (p->terminal.present && p->terminal.value) {
		r = container_console_setup(p, ctx->sync_child, &rctx, err);
		if (r < 0)
			return r;
	}
	r = cinch_rootfs_finalize(&rctx, err);
	if (r < 0)
		return r;
	return container_proc_setup(cp, err);
}

static int wait_for_start(struct create_ctx *ctx, struct cinch_error *err)
{
	char path[64];
	int fd;

	/* Reopen our O_PATH handle through the host procfs: no path in the
	 * container is trusted, and the fifo's own mode (0622) decides access. */
	snprintf(path, sizeof(path), "self/fd/%d", ctx->fifo_fd);
	do
		fd = openat(ctx->proc_fd, path, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return cinch_error_errno(err, errno, "open exec.fifo");
	if (write(fd, "0", 1) != 1) {
		int e = errno;
		close(fd);
		return cinch_error_errno(err, e, "write exec.fifo");
	}
	close(fd);
	close(ctx->fifo_fd);
	close(ctx->proc_fd);
	ctx->fifo_fd = ctx->proc_fd = -1;
	return 0;
}

void container_init_main(struct create_ctx *ctx)
{
	struct container_proc cp = {
	    .spec = ctx->spec,
	    .p = ctx->spec->process,
	    .filter = ctx->have_filter ? &ctx->filter : NULL,
	    .id = ctx->opts->id,
	    .new_keyring = !ctx->opts->no_new_keyring,
	    .preserve_fds = ctx->opts->preserve_fds,
	    .listener = container_seccomp_listener_set(ctx->spec),
	    .sync_sock = ctx->sync_child,
	};
	struct cinch_error err = {0};
	struct cinch_sync_msg msg;
	int r;

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	container_reset_signals();
	r = cinch_sync_expect(ctx->sync_child, SYNC_CHILD_READY, &msg, &err);
	if (r < 0)
		_exit(1);
	ctx->init_pid = (pid_t)cinch_sync_u32(&msg);
	ctx->state->pid = ctx->init_pid;
	r = init_setup(ctx, &cp, &err);
	if (r < 0)
		fail_to_parent(ctx->sync_child, &err);
	if (cinch_sync_send(ctx->sync_child, SYNC_EXEC_READY, NULL, 0, -1, &err) < 0)
		_exit(1);
	close(ctx->sync_child);
	ctx->sync_child = -1;

	/* From here on nobody listens on the sync socket: report on stderr. */
	r = wait_for_start(ctx, &err);
	if (r >= 0)
		r = run_init_hooks(ctx, CINCH_HOOK_START_CONTAINER, CINCH_STATUS_CREATED, &err);
	if (r >= 0)
		r = container_proc_finish(&cp, NULL, &err);
	if (r < 0) {
		dprintf(2, "cinch: %s\n", err.msg);
		_exit(127);
	}
	r = container_proc_execve(&cp, &err);
	dprintf(2, "cinch: %s\n", err.msg);
	_exit(r);
}
