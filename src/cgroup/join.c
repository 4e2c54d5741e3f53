/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Joining a v1 container cgroup from inside the joining process.
 *
 * Moving another process (writing its pid to cgroup.procs) makes the kernel
 * take the global cgroup_threadgroup_rwsem for writing, and on cgroup v1 that
 * costs an RCU grace period: several milliseconds per container on a VM, the
 * largest single wait of `create` in docs/performance.md. A single-threaded
 * process that writes "0" to a v1 hierarchy's "tasks" file moves only itself
 * and the kernel skips that lock. So the parent opens those files before it
 * forks stage1 (cinch_cgroup_open_join_fds) and stage1, which is
 * single-threaded, writes "0" to each (cinch_cgroup_join_self) before doing
 * anything else; the parent never writes stage1's pid. The membership that
 * results is the same. A hybrid host's unified hierarchy has no "tasks", so
 * it gets "0" in cgroup.procs, which moves the (single-threaded) process the
 * ordinary way, unless stage1 was born there.
 *
 * Born there: clone3(CLONE_INTO_CGROUP) places the child in a cgroup2
 * directory at fork time, taking the same rwsem only for reading, so no
 * grace period either. cinch_cgroup_open_clone_into() opens that directory:
 * the v2 backend's container cgroup, or a hybrid host's unified hierarchy.
 * Kernels before 5.7 (or a filter answering ENOSYS) fall back to the write.
 * The systemd backend keeps cinch_cgroup_enter(): systemd moves the pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "src/cgroup/internal.h"

/* The file through which the process moves itself in hierarchy h. */
static int open_join_file(const struct cg_hier *h, struct cinch_error *err)
{
	_cleanup_free_ char *dir = NULL, *path = NULL;
	int r, fd;

	r = cg_hier_dir(h, h->path, &dir, err);
	if (r < 0)
		return r;
	if (asprintf(&path, "%s/%s", dir, h->kind == CG_HIER_V1 ? "tasks" : "cgroup.procs") < 0) {
		path = NULL;
		return cinch_error_set(err, ENOMEM, "out of memory");
	}
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return cinch_error_errno(err, errno, "cgroup v1: opening %s", path);
	return fd;
}

int cinch_cgroup_open_join_fds(struct cinch_cgroup *cg, int *fds, size_t max,
			       struct cinch_error *err)
{
	if (cg->backend != CINCH_CGROUP_V1 || cg->n_hiers == 0 || cg->n_hiers > max)
		return 0;
	for (size_t n = 0; n < cg->n_hiers; n++) {
		fds[n] = open_join_file(&cg->hiers[n], err);
		if (fds[n] < 0) {
			int r = fds[n];

			cinch_cgroup_close_join_fds(fds, n);
			return r;
		}
	}
	return (int)cg->n_hiers;
}

int cinch_cgroup_open_clone_into(struct cinch_cgroup *cg, int *ret_fd, int *ret_join_index,
				 struct cinch_error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r;

	*ret_fd = -1;
	*ret_join_index = -1;
	for (size_t i = 0; i < cg->n_hiers; i++) {
		const struct cg_hier *h = &cg->hiers[i];

		if (h->kind != CG_HIER_UNIFIED)
			continue;
		if (cg->backend == CINCH_CGROUP_V1)
			*ret_join_index = (int)i; /* open_join_fds() opens in hierarchy order */
		else if (cg->backend != CINCH_CGROUP_V2)
			return 0;
		r = cg_hier_dir(h, h->path, &dir, err);
		if (r < 0)
			return r;
		*ret_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (*ret_fd < 0) {
			*ret_join_index = -1;
			return cinch_error_errno(err, errno, "cgroup: opening %s", dir);
		}
		return 0;
	}
	return 0;
}

int cinch_cgroup_join_self(int *fds, size_t n, struct cinch_error *err)
{
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		if (fds[i] < 0) /* born there */
			continue;
		if (r == 0 && write(fds[i], "0", 1) != 1)
			r = cinch_error_errno(err, errno,
					      "cgroup v1: cannot move stage1 into the container's "
					      "cgroup (hierarchy %zu of %zu)",
					      i + 1, n);
		close(fds[i]);
		fds[i] = -1;
	}
	return r;
}

void cinch_cgroup_close_join_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}
