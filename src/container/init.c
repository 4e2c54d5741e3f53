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
 * hooks here before pivot), hostname, sysctl, console, process attributes,
 * identity, looks up args[0] inside the container, reports EXEC_READY and
 * blocks opening exec.fifo until `start`. Then startContainer hooks,
 * no_new_privs, seccomp last, close every fd above 2 (+ --preserve-fds),
 * execve. Both stay non-dumpable until the execve.
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

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

extern char **environ;

static __attribute__((noreturn)) void fail_to_parent(int sock, const struct cinch_error *err)
{
	cinch_sync_send_error(sock, err);
	_exit(1);
}

static pid_t clone_parent(void)
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
	pid = clone_parent();
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

static void reset_signals(void)
{
	sigset_t all;

	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

static int join_session_keyring(const char *id, struct cinch_error *err)
{
	char name[64];

	/* A fresh session keyring, so the container cannot reach the host's. */
	snprintf(name, sizeof(name), "_ses.%.50s", id);
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0) {
		if (errno == ENOSYS)
			return 0;
		return cinch_error_errno(err, errno, "join new session keyring %s", name);
	}
	return 0;
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

static bool needs_early_seccomp(const struct create_ctx *ctx)
{
	const struct cinch_process *p = ctx->spec->process;

	/* Without no_new_privs the filter needs CAP_SYS_ADMIN, which the identity
	 * switch may drop: install it while we still hold it (as runc does). */
	return ctx->have_filter && !(p->no_new_privileges.present && p->no_new_privileges.value);
}

/* Everything up to EXEC_READY; errors go back to the parent. */
static int init_setup(struct create_ctx *ctx, char **ret_exe, struct cinch_error *err)
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
		r = container_console_setup(ctx, &rctx, err);
		if (r < 0)
			return r;
	}
	r = cinch_rootfs_finalize(&rctx, err);
	if (r < 0)
		return r;
	if (!ctx->opts->no_new_keyring) {
		r = join_session_keyring(ctx->opts->id, err);
		if (r < 0)
			return r;
	}
	if ((r = container_apply_rlimits(p, err)) < 0 ||
	    (r = container_apply_personality(spec, err)) < 0 ||
	    (r = container_apply_scheduler(p, err)) < 0 ||
	    (r = container_apply_io_priority(p, err)) < 0 || (r = container_chdir_cwd(p, err)) < 0)
		return r;
	if (p->user.umask.present)
		umask(p->user.umask.value & 0777);
	if (p->apparmor_profile && p->apparmor_profile[0]) {
		r = cinch_apparmor_exec_profile(p->apparmor_profile, err);
		if (r < 0)
			return r;
	}
	if (p->selinux_label && p->selinux_label[0]) {
		r = cinch_selinux_exec_label(p->selinux_label, err);
		if (r < 0)
			return r;
	}
	if (p->capabilities) {
		r = cinch_caps_apply_bounding(p->capabilities, err);
		if (r < 0)
			return r;
	}
	if (needs_early_seccomp(ctx)) {
		r = cinch_seccomp_install(&ctx->filter, err);
		if (r < 0)
			return r;
	}
	r = cinch_identity_apply(&p->user, p->capabilities, err);
	if (r < 0)
		return r;
	return container_find_executable(p, ret_exe, err);
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

static void close_fds_for_exec(unsigned preserve)
{
	unsigned first = 3 + preserve;

	close_range(first, ~0U, 0);
	/* The caller's preserved fds reach the container as they are. */
	for (unsigned fd = 3; fd < first; fd++) {
		int flags = fcntl((int)fd, F_GETFD);
		if (flags >= 0)
			fcntl((int)fd, F_SETFD, flags & ~FD_CLOEXEC);
	}
}

void container_init_main(struct create_ctx *ctx)
{
	const struct cinch_process *p = ctx->spec->process;
	struct cinch_error err = {0};
	struct cinch_sync_msg msg;
	_cleanup_free_ char *exe = NULL;
	char *empty[] = {NULL};
	int r;

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	reset_signals();
	r = cinch_sync_expect(ctx->sync_child, SYNC_CHILD_READY, &msg, &err);
	if (r < 0)
		_exit(1);
	ctx->init_pid = (pid_t)cinch_sync_u32(&msg);
	ctx->state->pid = ctx->init_pid;
	r = init_setup(ctx, &exe, &err);
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
	if (r >= 0 && p->no_new_privileges.present && p->no_new_privileges.value)
		r = cinch_no_new_privs_apply(&err);
	if (r >= 0 && p->exec_cpu_affinity)
		r = container_apply_cpu_affinity(0, p->exec_cpu_affinity->final,
						 "process.execCPUAffinity.final", &err);
	if (r >= 0)
		close_fds_for_exec(ctx->opts->preserve_fds);
	/* Last: the filter then only has to allow execve itself. */
	if (r >= 0 && ctx->have_filter && !needs_early_seccomp(ctx))
		r = cinch_seccomp_install(&ctx->filter, &err);
	if (r < 0) {
		dprintf(2, "cinch: %s\n", err.msg);
		_exit(127);
	}
	execve(exe, p->args.items, p->env.len ? p->env.items : empty);
	dprintf(2, "cinch: exec: \"%s\": %s\n", p->args.items[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}
