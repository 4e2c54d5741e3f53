/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `exec`, parent side. Under a shared lock of the container's state dir
 * (concurrent execs go on together; delete waits), the live status is
 * checked, the init is pinned with a pidfd opened before its start time is
 * checked again, the process's capabilities are cut to the container's
 * bounding set and the container's seccomp filter is compiled. Then the
 * exec stage1 is forked, put in the container's cgroup (after the initial
 * CPU affinity) before it joins anything, and both children are driven over
 * the sync protocol until the program runs. The lock is dropped before
 * waiting: `kill`, `delete` and other execs must work meanwhile.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/log.h"
#include "internal.h"
#include "sync.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static int check_status(const char *id, enum cinch_status status, bool ignore_paused,
			struct cinch_error *err)
{
	switch (status) {
	case CINCH_STATUS_CREATED:
	case CINCH_STATUS_RUNNING:
		return 0;
	case CINCH_STATUS_PAUSED:
		if (ignore_paused)
			return 0;
		return cinch_error_set(err, EBUSY,
				       "cannot exec in a paused container %s (use --ignore-paused "
				       "to override)",
				       id);
	case CINCH_STATUS_STOPPED:
		return cinch_error_set(err, ESRCH, "cannot exec in a stopped container %s", id);
	case CINCH_STATUS_CREATING:
	default:
		return cinch_error_set(
		    err, EBUSY, "cannot exec in container %s: it is still being created", id);
	}
}

static int open_file_in(int dirfd, const char *id, const char *name, char **ret,
			struct cinch_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;
	struct stat st;

	if (fd < 0)
		return cinch_error_errno(err, errno, "container %s: %s", id, name);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return cinch_error_set(err, EINVAL, "container %s: %s is not a regular file", id,
				       name);
	for (;;) {
		ssize_t n;
		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);
			if (!nb)
				return cinch_error_set(err, ENOMEM,
						       "container %s: %s: out of memory", id, name);
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cinch_error_errno(err, errno, "container %s: read %s", id, name);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = steal_pointer(&buf);
	return 0;
}

int cinch_container_read_file(const char *root, const char *id, const char *name, char **ret,
			      struct cinch_error *err)
{
	_cleanup_close_ int dirfd = -1;
	int r;

	if (strchr(name, '/'))
		return cinch_error_set(err, EINVAL, "container %s: invalid file name %s", id, name);
	r = cinch_state_dir_open_unlocked(root, id, &dirfd, err);
	if (r < 0)
		return r;
	return open_file_in(dirfd, id, name, ret, err);
}

int cinch_container_exec_target(const char *root, const char *id, bool ignore_paused,
				struct cinch_spec **ret, struct cinch_error *err)
{
	_cleanup_free_ char *path = NULL;
	struct cinch_state *st = NULL;
	enum cinch_status status;
	int r;

	r = cinch_container_status(root, id, &st, &status, err);
	if (r < 0)
		return r;
	cinch_state_free(st);
	r = check_status(id, status, ignore_paused, err);
	if (r < 0)
		return r;
	if (asprintf(&path, "%s/%s/%s", root, id, CINCH_STATE_CONFIG) < 0)
		return cinch_error_set(err, ENOMEM, "exec: out of memory");
	return cinch_spec_load_file(path, ret, err);
}

static void ctx_release(struct exec_ctx *x)
{
	container_kill_and_reap(&x->stage1_pid);
	container_kill_and_reap(&x->pid);
	container_ns_close_fds(x->ns_fds);
	container_close_fd(&x->pidfd);
	container_close_fd(&x->sync_parent);
	container_close_fd(&x->sync_child);
	container_close_fd(&x->dirfd);
	container_close_fd(&x->console_master);
	if (x->have_filter)
		cinch_seccomp_filter_release(&x->filter);
	if (x->cg)
		cinch_cgroup_free(x->cg);
	cinch_state_free(x->state);
}

static bool start_time_matches(const struct cinch_state *st)
{
	uint64_t start = 0;

	return cinch_state_pid_start_time(st->pid, &start) == 0 && start == st->pid_start_time;
}

/* Locks, checks the status and pins the init with a pidfd. */
static int open_target(struct exec_ctx *x, struct cinch_error *err)
{
	const char *id = x->opts->id;
	enum cinch_status status;
	int r;

	r = cinch_state_dir_open(x->opts->root, id, false, &x->dirfd, err);
	if (r < 0)
		return r;
	r = cinch_state_load(x->dirfd, id, &x->state, err);
	if (r == -EINVAL) /* another runtime's container in a shared --root */
		return cinch_error_set(err, ENOENT, "container %s does not exist", id);
	if (r < 0)
		return r;
	container_status_of(x->dirfd, x->state, &status);
	r = check_status(id, status, x->opts->ignore_paused, err);
	if (r < 0)
		return r;
	x->late_cgroup = status == CINCH_STATUS_PAUSED;
	x->status = status;
	/* Opened first, checked after: the pidfd then names the process whose
	 * start time we saw, never one that reused its pid. */
	x->pidfd = (int)syscall(SYS_pidfd_open, x->state->pid, 0);
	if (x->pidfd < 0 && errno != ESRCH)
		return cinch_error_errno(err, errno, "pidfd_open of init %d", x->state->pid);
	if (x->pidfd >= 0) {
		/* An init that exited but is not reaped yet has no namespaces left. */
		r = container_ns_open_of_pid(x->state->pid, x->spec, x->ns_fds, err);
		if (r < 0 && r != -ENOENT && r != -ESRCH && start_time_matches(x->state))
			return r;
		if (r < 0)
			container_close_fd(&x->pidfd);
	}
	if (x->pidfd < 0 || !start_time_matches(x->state))
		return cinch_error_set(err, ESRCH, "cannot exec in a stopped container %s", id);
	x->ns_flags = container_ns_flags_of(x->spec);
	x->userns = cinch_spec_find_namespace(x->spec, CINCH_NS_USER) != NULL;
	return 0;
}

static bool in_strv_cap(const struct cinch_strv *v, const char *name)
{
	int want, cap;

	if (cinch_cap_from_name(name, &want) < 0)
		return false;
	for (size_t i = 0; i < v->len; i++)
		if (cinch_cap_from_name(v->items[i], &cap) == 0 && cap == want)
			return true;
	return false;
}

/* A copy of `in` keeping only what `bounding` has; the strings stay in `all`. */
static int filter_set(const struct cinch_strv *in, const struct cinch_strv *bounding,
		      struct cinch_strv *out, const char *set, struct cinch_error *err)
{
	*out = (struct cinch_strv){.present = in->present};
	if (!in->len)
		return 0;
	out->items = calloc(in->len + 1, sizeof(char *));
	if (!out->items)
		return cinch_error_set(err, ENOMEM, "exec: out of memory");
	for (size_t i = 0; i < in->len; i++) {
		if (in_strv_cap(bounding, in->items[i]))
			out->items[out->len++] = in->items[i];
		else
			log_debug("exec: process.capabilities.%s: %s dropped, not in the "
				  "container's bounding set",
				  set, in->items[i]);
	}
	return 0;
}

struct bounded_caps {
	struct cinch_process proc; /* shallow copy of the caller's */
	struct cinch_capabilities caps;
};

static void bounded_caps_free(struct bounded_caps *b)
{
	free(b->caps.bounding.items);
	free(b->caps.effective.items);
	free(b->caps.inheritable.items);
	free(b->caps.permitted.items);
	free(b->caps.ambient.items);
}

/* An exec'd process never holds a capability the container's bounding set
 * lacks, whatever the process document (or the policy level) says. */
static int bound_caps(struct exec_ctx *x, const struct cinch_process *in, struct bounded_caps *b,
		      struct cinch_error *err)
{
	const struct cinch_process *cp = x->spec->process;
	const struct cinch_strv *bnd;
	int r;

	b->proc = *in;
	x->p = &b->proc;
	if (!cp || !cp->capabilities)
		return 0; /* the init kept the full bounding set */
	bnd = &cp->capabilities->bounding;
	b->proc.capabilities = &b->caps;
	if (!in->capabilities)
		return 0; /* none at all: stays none */
	if ((r = filter_set(&in->capabilities->bounding, bnd, &b->caps.bounding, "bounding", err)) <
		0 ||
	    (r = filter_set(&in->capabilities->effective, bnd, &b->caps.effective, "effective",
			    err)) < 0 ||
	    (r = filter_set(&in->capabilities->inheritable, bnd, &b->caps.inheritable,
			    "inheritable", err)) < 0 ||
	    (r = filter_set(&in->capabilities->permitted, bnd, &b->caps.permitted, "permitted",
			    err)) < 0 ||
	    (r = filter_set(&in->capabilities->ambient, bnd, &b->caps.ambient, "ambient", err)) < 0)
		return r;
	return 0;
}

static int validate(const struct exec_ctx *x, const struct cinch_process *p,
		    struct cinch_error *err)
{
	bool tty = p->terminal.present && p->terminal.value;

	if (!p->args.len || !p->args.items[0] || !p->args.items[0][0])
		return cinch_error_set(err, EINVAL, "process.args: must not be empty");
	if (tty && x->opts->detach && !x->opts->console_socket)
		return cinch_error_set(err, EINVAL,
				       "cannot allocate a tty for a detached exec without "
				       "--console-socket");
	if (!tty && x->opts->console_socket)
		return cinch_error_set(err, EINVAL,
				       "--console-socket given but process.terminal is false");
	return 0;
}

static int prepare(struct exec_ctx *x, struct cinch_error *err)
{
	const struct cinch_linux *lx = x->spec->linux_;
	int sp[2];
	int r;

	if (lx && lx->seccomp) {
		_cleanup_free_ char *cache_dir = NULL;

		if (asprintf(&cache_dir, "%s/.cache/seccomp", x->opts->root) < 0)
			return cinch_error_set(err, ENOMEM, "exec: out of memory");
		r = cinch_seccomp_compile_cached(lx->seccomp, cache_dir, &x->filter, err);
		if (r < 0)
			return r;
		x->have_filter = true;
		r = container_seccomp_listener_check(lx->seccomp, &x->filter, err);
		if (r < 0)
			return r;
	}
	if (x->state->cgroup) {
		r = cinch_cgroup_deserialize(x->state->cgroup, &x->cg, err);
		if (r < 0)
			return r;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return cinch_error_errno(err, errno, "sync socketpair");
	x->sync_parent = sp[0];
	x->sync_child = sp[1];
	return 0;
}

/* The container's cgroups, then the --cgroup sub-cgroup if asked. */
static int enter_cgroup(struct exec_ctx *x, pid_t pid, struct cinch_error *err)
{
	int r;

	if (!x->cg)
		return x->opts->cgroup && x->opts->cgroup[0]
			   ? cinch_error_set(err, ENOENT, "--cgroup: container %s has no cgroup",
					     x->opts->id)
			   : 0;
	r = cinch_cgroup_enter(x->cg, pid, err);
	if (r < 0 || !x->opts->cgroup || !x->opts->cgroup[0])
		return r;
	return container_exec_enter_sub(pid, x->opts->cgroup, err);
}

/* Drives the exec stage1 until it hands over the process's pid. */
static int drive_stage1(struct exec_ctx *x, struct cinch_error *err)
{
	const struct cinch_process *p = x->p;
	struct cinch_sync_msg msg;
	int r;

	/* runc's order: initial affinity, then the cgroup (whose cpuset may
	 * change it), the final one in the process itself. */
	if (p->exec_cpu_affinity) {
		r = container_apply_cpu_affinity(x->stage1_pid, p->exec_cpu_affinity->initial,
						 "process.execCPUAffinity.initial", err);
		if (r < 0)
			return r;
	}
	if (!x->late_cgroup) {
		r = stage1_cgroup_parent_enters(&x->s1cg) ? enter_cgroup(x, x->stage1_pid, err) : 0;
		if (r < 0)
			return r;
		r = cinch_sync_send(x->sync_parent, SYNC_CGROUP_JOINED, NULL, 0, -1, err);
		if (r < 0)
			return r;
	}
	r = cinch_sync_expect(x->sync_parent, SYNC_INIT_PID, &msg, err);
	if (r < 0)
		return r;
	x->pid = (pid_t)cinch_sync_u32(&msg);
	return container_reap_stage1(&x->stage1_pid, &x->pid, "exec stage1", err);
}

/* --ignore-paused: the set-up process joins the frozen cgroup and execs
 * once the container is resumed; its later failures go to its stderr. */
static int enter_frozen(struct exec_ctx *x, struct cinch_error *err)
{
	int r = enter_cgroup(x, x->pid, err);

	if (r < 0)
		return r;
	return cinch_sync_send(x->sync_parent, SYNC_CGROUP_JOINED, NULL, 0, -1, err);
}

/* Drives the process until its execve (end of file on the sync socket). */
static int drive_process(struct exec_ctx *x, struct cinch_error *err)
{
	const struct cinch_process *p = x->p->oom_score_adj.present ? x->p : x->spec->process;
	struct cinch_sync_msg msg;
	bool ready = false;
	int r;

	/* The process's oomScoreAdj, else the container's (runc applies the
	 * container's to exec'd processes). */
	if (p) {
		r = container_apply_oom_score_adj(p, x->pid, err);
		if (r < 0)
			return r;
	}
	r = cinch_sync_send_u32(x->sync_parent, SYNC_CHILD_READY, (uint32_t)x->pid, err);
	if (r < 0)
		return r;
	for (;;) {
		r = cinch_sync_recv(x->sync_parent, &msg, err);
		if (r == -EPIPE && ready) {
			cinch_error_clear(err);
			return 0;
		}
		if (r < 0)
			return r;
		switch (msg.type) {
		case SYNC_CONSOLE:
			r = container_console_forward(x->opts->console_socket, msg.fd,
						      &x->console_master, err);
			break;
		case SYNC_SECCOMP_FD:
			r = container_seccomp_listener_send(x->spec, x->state, x->status, x->pid,
							    msg.fd, err);
			close(msg.fd);
			break;
		case SYNC_EXEC_READY:
			ready = true;
			if (x->late_cgroup)
				return enter_frozen(x, err);
			break;
		case SYNC_ERROR:
			return cinch_sync_error_from_msg(&msg, err);
		default:
			if (msg.fd >= 0)
				close(msg.fd);
			return cinch_error_set(err, EPROTO, "sync: unexpected %s from exec process",
					       cinch_sync_type_name(msg.type));
		}
		if (r < 0)
			return r;
	}
}

/* The exit code engines expect when the program could not be started. */
static int failure_exit_code(const struct cinch_error *err)
{
	if (strncmp(err->msg, "exec: \"", 7) != 0)
		return 1;
	if (err->code == ENOENT || err->code == ENOTDIR)
		return 127;
	if (err->code == EACCES || err->code == EPERM)
		return 126;
	return 1;
}

static int do_exec(struct exec_ctx *x, const struct cinch_process *process, struct bounded_caps *b,
		   struct cinch_error *err)
{
	int r;

	r = open_target(x, err);
	if (r < 0)
		return r;
	r = bound_caps(x, process, b, err);
	if (r < 0)
		return r;
	r = validate(x, x->p, err);
	if (r < 0)
		return r;
	r = prepare(x, err);
	if (r < 0)
		return r;
	/* stage1 is born in (or joins itself) the container's cgroups, unless
	 * it waits for a frozen one, goes on to a --cgroup sub-cgroup, or has
	 * an initial CPU affinity, which runc sets before the cgroup's cpuset. */
	if (x->cg && !x->late_cgroup && !(x->opts->cgroup && x->opts->cgroup[0]) &&
	    !x->p->exec_cpu_affinity) {
		r = stage1_cgroup_open(&x->s1cg, x->cg, err);
		if (r < 0)
			return r;
	}
	x->stage1_pid = stage1_cgroup_fork(&x->s1cg);
	if (x->stage1_pid == 0)
		container_exec_stage1_main(x);
	stage1_cgroup_close(&x->s1cg);
	if (x->stage1_pid < 0) {
		x->stage1_pid = 0;
		return cinch_error_errno(err, errno, "fork exec stage1");
	}
	container_close_fd(&x->sync_child);
	container_ns_close_fds(x->ns_fds);
	container_close_fd(&x->pidfd);
	r = drive_stage1(x, err);
	if (r < 0)
		return r;
	r = drive_process(x, err);
	if (r < 0)
		return r;
	if (x->opts->pid_file)
		return container_write_pid_file(x->opts->pid_file, x->pid, err);
	return 0;
}

int cinch_container_exec(const struct cinch_exec_options *opts, const struct cinch_spec *container,
			 const struct cinch_process *process, int *ret_exit,
			 struct cinch_error *err)
{
	struct exec_ctx x = {
	    .opts = opts,
	    .spec = container,
	    .dirfd = -1,
	    .pidfd = -1,
	    .sync_parent = -1,
	    .sync_child = -1,
	    .console_master = -1,
	};
	struct bounded_caps b = {0};
	bool proxy = !opts->detach && !opts->console_socket && process->terminal.present &&
		     process->terminal.value;
	sigset_t set, old;
	int r;

	*ret_exit = 1;
	for (int t = 0; t < CINCH_NS_TYPE_COUNT; t++)
		x.ns_fds[t] = -1;
	stage1_cgroup_init(&x.s1cg);
	/* Inherited fds must not reach the process; the --preserve-fds range
	 * is the caller's. */
	close_range(3 + opts->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
	/* Blocked before the process exists, so no SIGCHLD or forwarded
	 * signal is lost; the children start with an empty mask. */
	container_block_forwarded(&set, &old);
	r = do_exec(&x, process, &b, err);
	if (r < 0) {
		*ret_exit = failure_exit_code(err);
		goto out;
	}
	/* Unlocked while the process runs. */
	container_close_fd(&x.dirfd);
	*ret_exit = 0;
	if (opts->detach) {
		x.pid = 0; /* the engine's now */
		goto out;
	}
	if (proxy) {
		r = container_tty_proxy(x.pid, x.console_master, &set, ret_exit, err);
	} else {
		r = container_wait_forwarding(x.pid, &set, ret_exit);
		if (r < 0)
			r = cinch_error_errno(err, -r, "wait for exec process %d", x.pid);
	}
	if (r < 0) {
		*ret_exit = 1;
		goto out;
	}
	x.pid = 0; /* reaped */
out:
	ctx_release(&x);
	bounded_caps_free(&b);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}
