/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How the stage1 of create and of exec gets into the container's cgroups
 * without the parent writing its pid to cgroup.procs: that write takes the
 * kernel's cgroup_threadgroup_rwsem for writing, an RCU grace period, several
 * milliseconds on a VM. Instead stage1 is born in the cgroup2 directory
 * (clone3 CLONE_INTO_CGROUP) and, on v1, moves itself into each hierarchy
 * by writing "0" to its tasks file (src/cgroup/join.c). Both use files the
 * parent opens just before the fork, so stage1 inherits them.
 */
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cinch/log.h"
#include "internal.h"

void stage1_cgroup_init(struct stage1_cgroup *s)
{
	memset(s, 0, sizeof(*s));
	s->into_fd = s->into_join = -1;
}

int stage1_cgroup_open(struct stage1_cgroup *s, struct cinch_cgroup *cg, struct cinch_error *err)
{
	int r;

	r = cinch_cgroup_open_join_fds(cg, s->join_fds, STAGE1_CGROUP_JOIN_MAX, err);
	if (r < 0)
		return r;
	s->n_join = (size_t)r;
	r = cinch_cgroup_open_clone_into(cg, &s->into_fd, &s->into_join, err);
	if (r < 0)
		stage1_cgroup_close(s);
	return r;
}

static pid_t clone_into_cgroup(int cgroup_fd)
{
	struct clone_args args = {0};

	args.flags = CLONE_INTO_CGROUP;
	args.exit_signal = SIGCHLD;
	args.cgroup = (__u64)cgroup_fd;
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

pid_t stage1_cgroup_fork(struct stage1_cgroup *s)
{
	pid_t pid;

	if (s->into_fd >= 0) {
		s->born_in = true; /* what the child sees */
		pid = clone_into_cgroup(s->into_fd);
		if (pid >= 0)
			return pid;
		/* No clone3 or CLONE_INTO_CGROUP (before 5.7, a filter answering
		 * ENOSYS), or the kernel refused the cgroup: the ordinary join
		 * then runs, and reports a refusal with its reason. */
		log_debug("clone3 into the cgroup: %s; forking and joining", strerror(errno));
		s->born_in = false;
	}
	return fork();
}

int stage1_cgroup_join_child(struct stage1_cgroup *s, struct cinch_error *err)
{
	if (s->into_fd >= 0)
		close(s->into_fd);
	s->into_fd = -1;
	if (s->born_in && s->into_join >= 0) {
		close(s->join_fds[s->into_join]);
		s->join_fds[s->into_join] = -1;
	}
	return cinch_cgroup_join_self(s->join_fds, s->n_join, err);
}

void stage1_cgroup_close(struct stage1_cgroup *s)
{
	/* n_join stays: parent_enters() asks afterwards whether stage1 joined. */
	cinch_cgroup_close_join_fds(s->join_fds, s->n_join);
	if (s->into_fd >= 0)
		close(s->into_fd);
	s->into_fd = -1;
}
