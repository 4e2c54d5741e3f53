/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `create`, parent side: state dir, effective config, cgroup, exec.fifo,
 * namespace fds and the seccomp filter are prepared before any process
 * exists; then stage1 is forked and driven through the sync protocol until
 * the init reports EXEC_READY. Any failure undoes everything: processes are
 * killed and reaped, the cgroup destroyed, the state dir removed (mounts
 * only ever happen in the container's own mount namespace, which dies with
 * its processes).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/log.h"
#include "internal.h"
#include "sync.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static void ctx_init(struct create_ctx *ctx, const struct cinch_container_options *opts,
		     const struct cinch_spec *spec)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->opts = opts;
	ctx->spec = spec;
	ctx->dirfd = ctx->sync_parent = ctx->sync_child = -1;
	ctx->fifo_fd = ctx->proc_fd = ctx->console_sock = ctx->console_master = -1;
	for (int t = 0; t < CINCH_NS_TYPE_COUNT; t++)
		ctx->ns_fds[t] = -1;
	stage1_cgroup_init(&ctx->s1cg);
}

/* Undo everything a failed create made. */
static void ctx_rollback(struct create_ctx *ctx)
{
	struct cinch_error ignored;

	container_kill_and_reap(&ctx->init_pid);
	container_kill_and_reap(&ctx->stage1_pid);
	if (ctx->cg) {
		cinch_cgroup_destroy(ctx->cg, &ignored);
	}
	if (ctx->dirfd >= 0)
		cinch_state_dir_remove(ctx->opts->root, ctx->opts->id, ctx->dirfd, &ignored);
}

static void ctx_release(struct create_ctx *ctx)
{
	container_ns_close(ctx);
	container_close_fd(&ctx->sync_parent);
	container_close_fd(&ctx->sync_child);
	container_close_fd(&ctx->fifo_fd);
	container_close_fd(&ctx->proc_fd);
	container_close_fd(&ctx->console_sock);
	container_close_fd(&ctx->console_master);
	container_close_fd(&ctx->dirfd);
	if (ctx->have_filter)
		cinch_seccomp_filter_release(&ctx->filter);
	if (ctx->cg)
		cinch_cgroup_free(ctx->cg);
	cinch_state_free(ctx->state);
	free(ctx->bundle);
	free(ctx->rootfs);
}

static int resolve_paths(struct create_ctx *ctx, struct cinch_error *err)
{
	const char *root = ctx->spec->root ? ctx->spec->root->path : NULL;
	char buf[PATH_MAX];
	struct stat st;

	if (!realpath(ctx->opts->bundle, buf))
		return cinch_error_errno(err, errno, "bundle %s", ctx->opts->bundle);
	ctx->bundle = strdup(buf);
	if (!root || !root[0])
		return cinch_error_set(err, EINVAL, "root.path: missing");
	if (root[0] == '/')
		ctx->rootfs = strdup(root);
	else if (asprintf(&ctx->rootfs, "%s/%s", ctx->bundle, root) < 0)
		ctx->rootfs = NULL;
	if (!ctx->bundle || !ctx->rootfs)
		return cinch_error_set(err, ENOMEM, "bundle: out of memory");
	if (stat(ctx->rootfs, &st) < 0)
		return cinch_error_errno(err, errno, "root.path: %s", ctx->rootfs);
	if (!S_ISDIR(st.st_mode))
		return cinch_error_set(err, ENOTDIR, "root.path: %s is not a directory",
				       ctx->rootfs);
	return 0;
}

static int validate(struct create_ctx *ctx, bool console_proxy, struct cinch_error *err)
{
	const struct cinch_spec *spec = ctx->spec;
	const struct cinch_process *p = spec->process;

	if (!p)
		return cinch_error_set(err, EINVAL, "process: missing");
	if (!p->args.len)
		return cinch_error_set(err, EINVAL, "process.args: must not be empty");
	if (p->terminal.present && p->terminal.value && !ctx->opts->console_socket &&
	    !console_proxy)
		return cinch_error_set(err, EINVAL,
				       "process.terminal is true but --console-socket was not "
				       "given (cannot allocate a tty for a detached container)");
	if (!(p->terminal.present && p->terminal.value) && ctx->opts->console_socket)
		return cinch_error_set(err, EINVAL,
				       "--console-socket given but process.terminal is false");
	return 0;
}

static int copy_annotations(struct cinch_state *st, const struct cinch_map *m,
			    struct cinch_error *err)
{
	for (size_t i = 0; i < m->len; i++) {
		if (!st->annotations.items) {
			st->annotations.items = calloc(m->len + 1, sizeof(struct cinch_kv));
			if (!st->annotations.items)
				return cinch_error_set(err, ENOMEM, "annotations: out of memory");
			st->annotations.present = true;
		}
		st->annotations.items[i].key = strdup(m->items[i].key);
		st->annotations.items[i].value = strdup(m->items[i].value);
		st->annotations.len = i + 1;
		if (!st->annotations.items[i].key || !st->annotations.items[i].value)
			return cinch_error_set(err, ENOMEM, "annotations: out of memory");
	}
	return 0;
}

static int initial_state(struct create_ctx *ctx, struct cinch_error *err)
{
	struct cinch_state *st = calloc(1, sizeof(*st));
	struct passwd *pw = getpwuid(geteuid());
	const struct cinch_hooks *h = ctx->spec->hooks;
	int r;

	if (!st)
		return cinch_error_set(err, ENOMEM, "state: out of memory");
	ctx->state = st;
	st->id = strdup(ctx->opts->id);
	st->oci_version = strdup(ctx->spec->oci_version ? ctx->spec->oci_version : "");
	st->bundle = strdup(ctx->bundle);
	st->rootfs = strdup(ctx->rootfs);
	st->owner = strdup(pw ? pw->pw_name : "");
	if (!st->id || !st->oci_version || !st->bundle || !st->rootfs || !st->owner)
		return cinch_error_set(err, ENOMEM, "state: out of memory");
	r = cinch_state_now(&st->created, err);
	if (r < 0)
		return r;
	r = copy_annotations(st, &ctx->spec->annotations, err);
	if (r < 0)
		return r;
	st->systemd_cgroup = ctx->opts->systemd_cgroup;
	st->own_pid_ns = ctx->own_pidns;
	st->has_poststart = h && h->lists[CINCH_HOOK_POSTSTART].len > 0;
	st->has_poststop = h && h->lists[CINCH_HOOK_POSTSTOP].len > 0;
	return cinch_state_save(ctx->dirfd, st, err);
}

/* The cgroup goes into state.json: later commands (exec, kill --all,
 * delete) use it without --systemd-cgroup. */
static int save_cgroup(struct create_ctx *ctx, struct cinch_error *err)
{
	int r = cinch_cgroup_serialize(ctx->cg, &ctx->state->cgroup, err);

	if (r < 0)
		return r;
	return cinch_state_save(ctx->dirfd, ctx->state, err);
}

static int setup_cgroup(struct create_ctx *ctx, struct cinch_error *err)
{
	struct cinch_cgroup_config cfg = {
	    .container_id = ctx->opts->id,
	    .cgroups_path = ctx->spec->linux_ ? ctx->spec->linux_->cgroups_path : NULL,
	    .systemd = ctx->opts->systemd_cgroup,
	};
	struct cinch_cgroup *cg = NULL;
	int r;

	r = cinch_cgroup_open(&cfg, &cg, err);
	if (r < 0)
		return r;
	r = cinch_cgroup_create(cg, ctx->spec->linux_ ? ctx->spec->linux_->resources : NULL, err);
	if (r < 0) {
		cinch_cgroup_free(cg);
		return r;
	}
	ctx->cg = cg;
	/* systemd: the scope (and what to serialize) exists only once enter()
	 * started it; save_cgroup() runs then (drive_stage1). */
	if (cinch_cgroup_backend(cg) == CINCH_CGROUP_SYSTEMD)
		return 0;
	return save_cgroup(ctx, err);
}

static int setup_fds(struct create_ctx *ctx, struct cinch_error *err)
{
	int sp[2];

	/* 0622: an init running as a mapped (non-host-root) uid can still open it. */
	if (mkfifoat(ctx->dirfd, CINCH_STATE_FIFO, 0600) < 0 ||
	    fchmodat(ctx->dirfd, CINCH_STATE_FIFO, 0622, 0) < 0)
		return cinch_error_errno(err, errno, "create exec.fifo of %s", ctx->opts->id);
	ctx->fifo_fd = openat(ctx->dirfd, CINCH_STATE_FIFO, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (ctx->fifo_fd < 0)
		return cinch_error_errno(err, errno, "open exec.fifo of %s", ctx->opts->id);
	ctx->proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ctx->proc_fd < 0)
		return cinch_error_errno(err, errno, "open /proc");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return cinch_error_errno(err, errno, "sync socketpair");
	ctx->sync_parent = sp[0];
	ctx->sync_child = sp[1];
	return 0;
}

static int run_parent_hooks(struct create_ctx *ctx, struct cinch_error *err)
{
	_cleanup_free_ char *json = NULL;
	int r;

	r = container_hook_state_json(ctx->state, CINCH_STATUS_CREATING, &json, err);
	if (r < 0)
		return r;
	r = container_hooks_run(ctx->spec, CINCH_HOOK_CREATE_RUNTIME, json, err);
	if (r < 0)
		return r;
	return container_hooks_run(ctx->spec, CINCH_HOOK_PRESTART, json, err);
}

/* stage1, first thing after fork. On failure the parent's CGROUP_JOINED is
 * read before the error goes back, so the parent's send cannot fail first
 * and hide the reason. */
static void stage1_join_cgroup(struct create_ctx *ctx)
{
	struct cinch_error err = {0}, ignored = {0};
	struct cinch_sync_msg msg;

	if (stage1_cgroup_join_child(&ctx->s1cg, &err) >= 0)
		return;
	cinch_sync_expect(ctx->sync_child, SYNC_CGROUP_JOINED, &msg, &ignored);
	cinch_sync_send_error(ctx->sync_child, &err);
	_exit(1);
}

/* Drives stage1 until it hands over the init's pid. */
static int drive_stage1(struct create_ctx *ctx, struct cinch_error *err)
{
	const struct cinch_process *p = ctx->spec->process;
	struct cinch_sync_msg msg;
	int r;

	if (p->exec_cpu_affinity) {
		r = container_apply_cpu_affinity(ctx->stage1_pid, p->exec_cpu_affinity->initial,
						 "process.execCPUAffinity.initial", err);
		if (r < 0)
			return r;
	}
	if (stage1_cgroup_parent_enters(&ctx->s1cg)) { /* else stage1_join_cgroup() */
		r = cinch_cgroup_enter(ctx->cg, ctx->stage1_pid, err);
		if (r < 0)
			return r;
	}
	if (!ctx->state->cgroup) {
		r = save_cgroup(ctx, err);
		if (r < 0)
			return r;
	}
	r = cinch_sync_send(ctx->sync_parent, SYNC_CGROUP_JOINED, NULL, 0, -1, err);
	if (r < 0)
		return r;
	for (;;) {
		r = cinch_sync_recv(ctx->sync_parent, &msg, err);
		if (r < 0)
			return r;
		switch (msg.type) {
		case SYNC_USERMAP_REQUEST:
			r = container_write_id_maps(ctx->spec, ctx->stage1_pid, err);
			if (r < 0)
				return r;
			r = cinch_sync_send(ctx->sync_parent, SYNC_USERMAP_ACK, NULL, 0, -1, err);
			break;
		case SYNC_TIMEOFFSETS:
			r = container_write_time_offsets(ctx->spec, ctx->stage1_pid, err);
			if (r < 0)
				return r;
			r = cinch_sync_send(ctx->sync_parent, SYNC_TIMEOFFSETS_ACK, NULL, 0, -1,
					    err);
			break;
		case SYNC_INIT_PID:
			ctx->init_pid = (pid_t)cinch_sync_u32(&msg);
			break;
		case SYNC_ERROR:
			return cinch_sync_error_from_msg(&msg, err);
		default:
			return cinch_error_set(err, EPROTO, "sync: unexpected %s from stage1",
					       cinch_sync_type_name(msg.type));
		}
		if (r < 0)
			return r;
		if (ctx->init_pid)
			break;
	}
	return container_reap_stage1(&ctx->stage1_pid, &ctx->init_pid, "stage1", err);
}

/* Drives the init until EXEC_READY. */
static int drive_init(struct create_ctx *ctx, struct cinch_error *err)
{
	struct cinch_sync_msg msg;
	int r;

	r = container_apply_oom_score_adj(ctx->spec->process, ctx->init_pid, err);
	if (r < 0)
		return r;
	ctx->state->pid = ctx->init_pid;
	r = cinch_state_pid_start_time(ctx->init_pid, &ctx->state->pid_start_time);
	if (r < 0)
		return cinch_error_errno(err, -r, "read start time of init %d", ctx->init_pid);
	r = cinch_sync_send_u32(ctx->sync_parent, SYNC_CHILD_READY, (uint32_t)ctx->init_pid, err);
	if (r < 0)
		return r;
	for (;;) {
		r = cinch_sync_recv(ctx->sync_parent, &msg, err);
		if (r < 0)
			return r;
		switch (msg.type) {
		case SYNC_HOOKS:
			r = run_parent_hooks(ctx, err);
			if (r < 0)
				return r;
			r = cinch_sync_send(ctx->sync_parent, SYNC_HOOKS_DONE, NULL, 0, -1, err);
			break;
		case SYNC_CONSOLE:
			r = container_console_forward(ctx->opts->console_socket, msg.fd,
						      &ctx->console_master, err);
			break;
		case SYNC_SECCOMP_FD:
			/* "creating", as runc reports it: start has not run. */
			r = container_seccomp_listener_send(ctx->spec, ctx->state,
							    CINCH_STATUS_CREATING, ctx->init_pid,
							    msg.fd, err);
			close(msg.fd);
			break;
		case SYNC_EXEC_READY:
			return 0;
		case SYNC_ERROR:
			return cinch_sync_error_from_msg(&msg, err);
		default:
			return cinch_error_set(err, EPROTO, "sync: unexpected %s from init",
					       cinch_sync_type_name(msg.type));
		}
		if (r < 0)
			return r;
	}
}

int container_write_pid_file(const char *path, pid_t pid, struct cinch_error *err)
{
	_cleanup_free_ char *tmp = NULL;
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%d", (int)pid); /* no newline: go-runc Atoi */
	_cleanup_close_ int fd = -1;

	if (asprintf(&tmp, "%s.cinch-tmp", path) < 0)
		return cinch_error_set(err, ENOMEM, "--pid-file: out of memory");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return cinch_error_errno(err, errno, "--pid-file %s", path);
	if (write(fd, buf, (size_t)len) != len) {
		int e = errno;
		unlink(tmp);
		return cinch_error_errno(err, e, "--pid-file %s: write", path);
	}
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return cinch_error_errno(err, e, "--pid-file %s: rename", path);
	}
	return 0;
}

static int do_create(struct create_ctx *ctx, bool console_proxy, struct cinch_error *err)
{
	const struct cinch_linux *lx = ctx->spec->linux_;
	_cleanup_free_ char *cfg_path = NULL;
	int r;

	r = validate(ctx, console_proxy, err);
	if (r < 0)
		return r;
	r = cinch_state_validate_id(ctx->opts->id, err);
	if (r < 0)
		return r;
	r = resolve_paths(ctx, err);
	if (r < 0)
		return r;
	r = container_ns_plan(ctx, err);
	if (r < 0)
		return r;
	r = cinch_state_dir_create(ctx->opts->root, ctx->opts->id, &ctx->dirfd, err);
	if (r < 0)
		return r;
	/* From here on a failure must remove what we made (ctx_rollback). */
	if (asprintf(&cfg_path, "%s/%s/%s", ctx->opts->root, ctx->opts->id, CINCH_STATE_CONFIG) < 0)
		return cinch_error_set(err, ENOMEM, "create: out of memory");
	r = initial_state(ctx, err);
	if (r < 0)
		return r;
	r = cinch_spec_save_file(ctx->spec, cfg_path, err);
	if (r < 0)
		return r;
	for (const char *const *f = ctx->opts->state_files; f && f[0] && f[1]; f += 2) {
		r = cinch_state_write_file(ctx->dirfd, f[0], f[1], strlen(f[1]), err);
		if (r < 0)
			return r;
	}
	if (lx && lx->seccomp) {
		_cleanup_free_ char *cache_dir = NULL;

		/* Compiled BPF is cached under the state root, keyed by a hash
		 * of the profile: most containers share a handful of profiles. */
		if (asprintf(&cache_dir, "%s/.cache/seccomp", ctx->opts->root) < 0)
			return cinch_error_set(err, ENOMEM, "create: out of memory");
		r = cinch_seccomp_compile_cached(lx->seccomp, cache_dir, &ctx->filter, err);
		if (r < 0)
			return r;
		ctx->have_filter = true;
		r = container_seccomp_listener_check(lx->seccomp, &ctx->filter, err);
		if (r < 0)
			return r;
	}
	r = setup_cgroup(ctx, err);
	if (r < 0)
		return r;
	r = setup_fds(ctx, err);
	if (r < 0)
		return r;
	/* An initial CPU affinity is set before the cgroup's cpuset (runc's
	 * order), so then the parent moves stage1 after setting it. */
	if (!ctx->spec->process->exec_cpu_affinity) {
		r = stage1_cgroup_open(&ctx->s1cg, ctx->cg, err);
		if (r < 0)
			return r;
	}
	ctx->stage1_pid = stage1_cgroup_fork(&ctx->s1cg);
	if (ctx->stage1_pid == 0) {
		stage1_join_cgroup(ctx);
		container_stage1_main(ctx);
	}
	stage1_cgroup_close(&ctx->s1cg);
	if (ctx->stage1_pid < 0) {
		ctx->stage1_pid = 0;
		return cinch_error_errno(err, errno, "fork stage1");
	}
	container_close_fd(&ctx->sync_child);
	r = drive_stage1(ctx, err);
	if (r < 0)
		return r;
	r = drive_init(ctx, err);
	if (r < 0)
		return r;
	r = cinch_state_save(ctx->dirfd, ctx->state, err);
	if (r < 0)
		return r;
	if (ctx->opts->pid_file)
		return container_write_pid_file(ctx->opts->pid_file, ctx->init_pid, err);
	return 0;
}

int container_create_internal(const struct cinch_container_options *opts,
			      const struct cinch_spec *spec, bool keep_lock, int *ret_dirfd,
			      struct cinch_state **ret_state, int *ret_console_master,
			      struct cinch_error *err)
{
	struct create_ctx ctx;
	int r;

	ctx_init(&ctx, opts, spec);
	/* A closed 0, 1 or 2 would be reused by our own sockets and handed to
	 * the container as its stdio: fill the gap with /dev/null first. */
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int nfd = open("/dev/null", O_RDWR);
		if (nfd >= 0 && nfd != fd) {
			dup2(nfd, fd);
			close(nfd);
		}
	}
	/* Inherited fds (a shim's ttrpc socket...) must reach neither hooks nor
	 * the container; the caller's --preserve-fds range is left alone. */
	close_range(3 + opts->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
	r = do_create(&ctx, ret_console_master != NULL, err);
	if (r < 0) {
		ctx_rollback(&ctx);
		ctx_release(&ctx);
		return r;
	}
	if (ret_state)
		*ret_state = steal_pointer(&ctx.state);
	if (keep_lock && ret_dirfd)
		*ret_dirfd = steal_fd(&ctx.dirfd);
	if (ret_console_master)
		*ret_console_master = steal_fd(&ctx.console_master);
	ctx.init_pid = 0; /* not ours to kill any more */
	ctx_release(&ctx);
	return 0;
}

int cinch_container_create(const struct cinch_container_options *opts,
			   const struct cinch_spec *spec, pid_t *ret_pid, struct cinch_error *err)
{
	struct cinch_state *st = NULL;
	int r = container_create_internal(opts, spec, false, NULL, &st, NULL, err);

	if (r < 0)
		return r;
	if (ret_pid)
		*ret_pid = st->pid;
	cinch_state_free(st);
	return 0;
}
