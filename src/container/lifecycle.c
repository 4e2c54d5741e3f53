/* SPDX-License-Identifier: Apache-2.0 */
/*
 * start, kill and delete of an existing container. Each holds the container
 * directory's lock, reloads state.json and derives the live status before
 * acting. Signals go through a pidfd opened after the start-time check, so
 * a recycled pid is never signalled.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/log.h"
#include "internal.h"

#define START_POLL_MS 100
#define KILL_WAIT_MS  10000

static int open_container(const char *root, const char *id, int *ret_dirfd,
			  struct cinch_state **ret, struct cinch_error *err)
{
	_cleanup_close_ int dirfd = -1;
	int r = cinch_state_dir_open(root, id, true, &dirfd, err);

	if (r < 0)
		return r;
	r = cinch_state_load(dirfd, id, ret, err);
	if (r == -EINVAL) /* not a cinch container (shared --root) */
		return cinch_error_set(err, ENOENT, "container %s does not exist", id);
	if (r < 0)
		return r;
	*ret_dirfd = steal_fd(&dirfd);
	return 0;
}

static bool init_alive(const struct cinch_state *st)
{
	uint64_t start;

	return st->pid > 0 && cinch_state_pid_start_time(st->pid, &start) == 0 &&
	       start == st->pid_start_time;
}

/* Signals the init through a pidfd, after checking it is still ours. */
static int signal_init(const struct cinch_state *st, int sig, struct cinch_error *err)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);

	if (pidfd < 0 || !init_alive(st))
		return cinch_error_set(err, ESRCH, "container not running");
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) {
		if (errno == ESRCH)
			return cinch_error_set(err, ESRCH, "container not running");
		return cinch_error_errno(err, errno, "kill container %s", st->id);
	}
	return 0;
}

static int load_cgroup(const struct cinch_state *st, struct cinch_cgroup **ret,
		       struct cinch_error *err)
{
	*ret = NULL;
	if (!st->cgroup)
		return 0;
	return cinch_cgroup_deserialize(st->cgroup, ret, err);
}

static int load_spec(int dirfd, const char *root, const char *id, struct cinch_spec **ret,
		     struct cinch_error *err)
{
	_cleanup_free_ char *path = NULL;

	if (asprintf(&path, "%s/%s/%s", root, id, CINCH_STATE_CONFIG) < 0)
		return cinch_error_set(err, ENOMEM, "out of memory");
	return cinch_spec_load_file(path, ret, err);
}

static void run_warn_hooks(int dirfd, const char *root, const struct cinch_state *st,
			   enum cinch_hook_kind kind, enum cinch_status status)
{
	struct cinch_spec *spec = NULL;
	_cleanup_free_ char *json = NULL;
	struct cinch_error err = {0};

	/* poststart/poststop failures are warnings (runtime-spec), never fatal,
	 * and the hooks after a failed one still run. */
	if (load_spec(dirfd, root, st->id, &spec, &err) < 0 ||
	    container_hook_state_json(st, status, &json, &err) < 0 ||
	    container_hooks_run_all(spec, kind, json, &err) < 0)
		log_warning("container %s: %s", st->id, err.msg);
	cinch_spec_free(spec);
}

int container_start_locked(int dirfd, const struct cinch_state *st, const char *root,
			   struct cinch_error *err)
{
	_cleanup_close_ int fd = -1;
	char byte;

	fd = openat(dirfd, CINCH_STATE_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return cinch_error_errno(err, errno, "open exec.fifo of %s", st->id);
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int n = poll(&pfd, 1, START_POLL_MS);
		if (n < 0 && errno != EINTR)
			return cinch_error_errno(err, errno, "wait on exec.fifo of %s", st->id);
		if (n > 0 && (pfd.revents & POLLIN)) {
			ssize_t r = read(fd, &byte, 1);
			if (r == 1)
				break;
		}
		/* The init died before it could be released. */
		if (!init_alive(st))
			return cinch_error_set(
			    err, ESRCH, "cannot start container %s: its init exited", st->id);
	}
	if (unlinkat(dirfd, CINCH_STATE_FIFO, 0) < 0)
		return cinch_error_errno(err, errno, "remove exec.fifo of %s", st->id);
	if (st->has_poststart)
		run_warn_hooks(dirfd, root, st, CINCH_HOOK_POSTSTART, CINCH_STATUS_RUNNING);
	return 0;
}

int cinch_container_start(const char *root, const char *id, struct cinch_error *err)
{
	_cleanup_close_ int dirfd = -1;
	struct cinch_state *st = NULL;
	enum cinch_status status;
	int r;

	r = open_container(root, id, &dirfd, &st, err);
	if (r < 0)
		return r;
	container_status_of(dirfd, st, &status);
	switch (status) {
	case CINCH_STATUS_CREATED:
		r = container_start_locked(dirfd, st, root, err);
		break;
	case CINCH_STATUS_RUNNING:
	case CINCH_STATUS_PAUSED:
		r = cinch_error_set(err, EBUSY, "cannot start an already running container");
		break;
	case CINCH_STATUS_STOPPED:
		r = cinch_error_set(err, EINVAL, "cannot start a container that has stopped");
		break;
	case CINCH_STATUS_CREATING:
	default:
		r = cinch_error_set(err, EBUSY,
				    "cannot start container %s: it is still being "
				    "created",
				    id);
		break;
	}
	cinch_state_free(st);
	return r;
}

static int kill_all(const struct cinch_state *st, int sig, struct cinch_error *err)
{
	struct cinch_cgroup *cg = NULL;
	int r = load_cgroup(st, &cg, err);

	if (r < 0)
		return r;
	if (!cg)
		return init_alive(st) ? signal_init(st, sig, err) : 0;
	r = cinch_cgroup_signal_all(cg, sig, err);
	cinch_cgroup_free(cg);
	return r;
}

static void thaw(const struct cinch_state *st)
{
	struct cinch_cgroup *cg = NULL;
	struct cinch_error ignored;

	if (load_cgroup(st, &cg, &ignored) == 0 && cg) {
		cinch_cgroup_thaw(cg, &ignored);
		cinch_cgroup_free(cg);
	}
}

int cinch_container_kill(const char *root, const char *id, int sig, bool all,
			 struct cinch_error *err)
{
	_cleanup_close_ int dirfd = -1;
	struct cinch_state *st = NULL;
	enum cinch_status status;
	int r;

	r = open_container(root, id, &dirfd, &st, err);
	if (r < 0)
		return r;
	container_status_of(dirfd, st, &status);
	if (status == CINCH_STATUS_STOPPED || status == CINCH_STATUS_CREATING) {
		/* Engines send `kill --all ID 9` after the init exited: that is fine. */
		r = all ? kill_all(st, sig, err)
			: cinch_error_set(err, ESRCH, "container not running");
		if (all && r < 0) {
			log_debug("kill --all %s: %s", id, err->msg);
			r = 0;
		}
	} else {
		r = all ? kill_all(st, sig, err) : signal_init(st, sig, err);
		/* A frozen task only acts on SIGKILL once thawed. */
		if (r >= 0 && status == CINCH_STATUS_PAUSED && sig == SIGKILL)
			thaw(st);
	}
	cinch_state_free(st);
	return r;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int kill_and_wait(const struct cinch_state *st, struct cinch_error *err)
{
	struct cinch_error ignored;
	int64_t deadline = now_ms() + KILL_WAIT_MS;

	if (!st->own_pid_ns)
		kill_all(st, SIGKILL, &ignored);
	if (init_alive(st))
		signal_init(st, SIGKILL, &ignored);
	thaw(st);
	while (init_alive(st)) {
		if (now_ms() > deadline)
			return cinch_error_set(err, ETIMEDOUT,
					       "container %s: init %d did not die after SIGKILL",
					       st->id, st->pid);
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return 0;
}

int container_delete_locked(const char *root, const char *id, int dirfd,
			    const struct cinch_state *st, bool force, struct cinch_error *err)
{
	struct cinch_cgroup *cg = NULL;
	enum cinch_status status;
	int r;

	container_status_of(dirfd, st, &status);
	if ((status == CINCH_STATUS_RUNNING || status == CINCH_STATUS_PAUSED) && !force)
		return cinch_error_set(err, EBUSY,
				       "cannot delete container %s that is not "
				       "stopped: %s",
				       id, cinch_status_name(status));
	/* A created container is killed by a plain delete (as runc does). */
	if (status != CINCH_STATUS_STOPPED && status != CINCH_STATUS_CREATING) {
		r = kill_and_wait(st, err);
		if (r < 0)
			return r;
	}
	if (st->has_poststop)
		run_warn_hooks(dirfd, root, st, CINCH_HOOK_POSTSTOP, CINCH_STATUS_STOPPED);
	r = load_cgroup(st, &cg, err);
	if (r < 0 && !force)
		return r;
	if (cg) {
		r = cinch_cgroup_destroy(cg, err);
		cinch_cgroup_free(cg);
		if (r < 0)
			return r;
	}
	return cinch_state_dir_remove(root, id, dirfd, err);
}

int cinch_container_delete(const char *root, const char *id, bool force, struct cinch_error *err)
{
	_cleanup_close_ int dirfd = -1;
	struct cinch_state *st = NULL;
	int r;

	r = cinch_state_dir_open(root, id, true, &dirfd, err);
	if (r == -ENOENT && force) {
		cinch_error_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	r = cinch_state_load(dirfd, id, &st, err);
	if (r == -EINVAL) {
		/* Not ours (another runtime shares --root): never touch it. */
		if (force) {
			cinch_error_clear(err);
			return 0;
		}
		return cinch_error_set(err, ENOENT, "container %s does not exist", id);
	}
	if (r == -ENOENT && force) {
		/* A create killed before it wrote state: only an empty-ish dir remains. */
		return cinch_state_dir_remove(root, id, dirfd, err);
	}
	if (r < 0)
		return r;
	r = container_delete_locked(root, id, dirfd, st, force, err);
	cinch_state_free(st);
	return r;
}
