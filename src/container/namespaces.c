/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.namespaces: which namespaces stage1 creates (unshare) and which it
 * joins by path (setns). Paths are opened and type-checked by the parent,
 * before any process exists, so a bad path fails create cleanly; stage1 only
 * uses the fds. The user namespace is joined first: joining the others
 * needs the privileges it grants. exec joins every namespace of the running
 * init through a pidfd (or, on old kernels, /proc/<pid>/ns fds).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

unsigned long container_ns_clone_flag(enum cinch_ns_type type)
{
	switch (type) {
	case CINCH_NS_PID:
		return CLONE_NEWPID;
	case CINCH_NS_NETWORK:
		return CLONE_NEWNET;
	case CINCH_NS_MOUNT:
		return CLONE_NEWNS;
	case CINCH_NS_IPC:
		return CLONE_NEWIPC;
	case CINCH_NS_UTS:
		return CLONE_NEWUTS;
	case CINCH_NS_USER:
		return CLONE_NEWUSER;
	case CINCH_NS_CGROUP:
		return CLONE_NEWCGROUP;
	case CINCH_NS_TIME:
		return CLONE_NEWTIME;
	case CINCH_NS_TYPE_COUNT:
	default:
		return 0;
	}
}

static int open_ns_path(const struct cinch_namespace *ns, size_t i, int *ret,
			struct cinch_error *err)
{
	int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
	int type;

	if (fd < 0)
		return cinch_error_errno(err, errno, "linux.namespaces[%zu].path: open %s", i,
					 ns->path);
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0) {
		int e = errno;
		close(fd);
		return cinch_error_errno(err, e == ENOTTY ? EINVAL : e,
					 "linux.namespaces[%zu].path: %s is not a namespace", i,
					 ns->path);
	}
	if ((unsigned long)type != container_ns_clone_flag(ns->type)) {
		close(fd);
		return cinch_error_set(err, EINVAL,
				       "linux.namespaces[%zu].path: %s is not a %s namespace", i,
				       ns->path, cinch_ns_type_name(ns->type));
	}
	*ret = fd;
	return 0;
}

int container_ns_plan(struct create_ctx *ctx, struct cinch_error *err)
{
	const struct cinch_linux *lx = ctx->spec->linux_;
	bool seen[CINCH_NS_TYPE_COUNT] = {0};
	int r;

	for (int t = 0; t < CINCH_NS_TYPE_COUNT; t++)
		ctx->ns_fds[t] = -1;
	ctx->new_ns_flags = 0;
	ctx->new_userns = false;
	if (!lx)
		return cinch_error_set(err, EINVAL,
				       "linux: missing (a mount namespace is required)");
	for (size_t i = 0; i < lx->namespaces.len; i++) {
		const struct cinch_namespace *ns = &lx->namespaces.items[i];
		if ((unsigned)ns->type >= CINCH_NS_TYPE_COUNT)
			return cinch_error_set(err, EINVAL, "linux.namespaces[%zu]: unknown type",
					       i);
		if (seen[ns->type])
			return cinch_error_set(err, EINVAL,
					       "linux.namespaces[%zu]: duplicate %s namespace", i,
					       cinch_ns_type_name(ns->type));
		seen[ns->type] = true;
		if (ns->path && ns->path[0]) {
			r = open_ns_path(ns, i, &ctx->ns_fds[ns->type], err);
			if (r < 0)
				return r;
		} else if (ns->type == CINCH_NS_USER) {
			ctx->new_userns = true;
		} else {
			ctx->new_ns_flags |= container_ns_clone_flag(ns->type);
		}
	}
	if (!seen[CINCH_NS_MOUNT])
		return cinch_error_set(err, EINVAL,
				       "linux.namespaces: a mount namespace is required");
	if ((lx->uid_mappings.len || lx->gid_mappings.len) && !seen[CINCH_NS_USER])
		return cinch_error_set(err, EINVAL,
				       "linux.uidMappings: id mappings need a user namespace");
	if (ctx->new_userns && (!lx->uid_mappings.len || !lx->gid_mappings.len))
		return cinch_error_set(err, EINVAL,
				       "linux.uidMappings: a new user namespace needs uidMappings "
				       "and gidMappings");
	if (lx->time_offsets.len && !(ctx->new_ns_flags & CLONE_NEWTIME))
		return cinch_error_set(err, EINVAL,
				       "linux.timeOffsets: offsets need a new time namespace");
	if ((ctx->spec->hostname && ctx->spec->hostname[0]) && !seen[CINCH_NS_UTS])
		return cinch_error_set(err, EINVAL,
				       "unable to set hostname without a private UTS namespace");
	if ((ctx->spec->domainname && ctx->spec->domainname[0]) && !seen[CINCH_NS_UTS])
		return cinch_error_set(err, EINVAL,
				       "unable to set domainname without a private UTS namespace");
	ctx->own_pidns = (ctx->new_ns_flags & CLONE_NEWPID) != 0;
	return 0;
}

/* User first (joining the others needs the privileges it grants), mount
 * last (after it host paths may be gone). */
static const enum cinch_ns_type join_order[] = {
    CINCH_NS_USER, CINCH_NS_IPC,    CINCH_NS_UTS,  CINCH_NS_NETWORK,
    CINCH_NS_PID,  CINCH_NS_CGROUP, CINCH_NS_TIME, CINCH_NS_MOUNT,
};

int container_ns_join_fds(int fds[CINCH_NS_TYPE_COUNT], struct cinch_error *err)
{
	for (size_t i = 0; i < N_ELEMENTS(join_order); i++) {
		enum cinch_ns_type t = join_order[i];
		if (fds[t] < 0)
			continue;
		if (setns(fds[t], (int)container_ns_clone_flag(t)) < 0)
			return cinch_error_errno(err, errno, "join %s namespace",
						 cinch_ns_type_name(t));
		close(fds[t]);
		fds[t] = -1;
	}
	return 0;
}

/* In stage1. */
int container_ns_join(struct create_ctx *ctx, struct cinch_error *err)
{
	return container_ns_join_fds(ctx->ns_fds, err);
}

unsigned long container_ns_flags_of(const struct cinch_spec *spec)
{
	const struct cinch_linux *lx = spec->linux_;
	unsigned long flags = 0;

	for (size_t i = 0; lx && i < lx->namespaces.len; i++)
		flags |= container_ns_clone_flag(lx->namespaces.items[i].type);
	return flags;
}

static const char *proc_ns_name(enum cinch_ns_type t)
{
	static const char *const names[CINCH_NS_TYPE_COUNT] = {
	    [CINCH_NS_PID] = "pid",	  [CINCH_NS_NETWORK] = "net", [CINCH_NS_MOUNT] = "mnt",
	    [CINCH_NS_IPC] = "ipc",	  [CINCH_NS_UTS] = "uts",     [CINCH_NS_USER] = "user",
	    [CINCH_NS_CGROUP] = "cgroup", [CINCH_NS_TIME] = "time",
	};

	return (unsigned)t < CINCH_NS_TYPE_COUNT ? names[t] : NULL;
}

int container_ns_open_of_pid(pid_t pid, const struct cinch_spec *spec, int fds[CINCH_NS_TYPE_COUNT],
			     struct cinch_error *err)
{
	const struct cinch_linux *lx = spec->linux_;

	for (int t = 0; t < CINCH_NS_TYPE_COUNT; t++)
		fds[t] = -1;
	for (size_t i = 0; lx && i < lx->namespaces.len; i++) {
		enum cinch_ns_type t = lx->namespaces.items[i].type;
		char path[64];

		if (!proc_ns_name(t) || fds[t] >= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, proc_ns_name(t));
		fds[t] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[t] < 0) {
			int e = errno;
			container_ns_close_fds(fds);
			return cinch_error_errno(err, e, "open %s", path);
		}
	}
	return 0;
}

int container_ns_join_pidfd(int pidfd, unsigned long flags, int fds[CINCH_NS_TYPE_COUNT],
			    struct cinch_error *err)
{
	if (!flags)
		return 0;
	/* One call joins them all, in the kernel's own order, and a pidfd names
	 * exactly the process we checked: a recycled pid cannot be joined. */
	if (setns(pidfd, (int)flags) == 0) {
		container_ns_close_fds(fds);
		return 0;
	}
	if (errno == ESRCH)
		return cinch_error_set(err, ESRCH, "container not running (its init exited)");
	if (errno != EINVAL)
		return cinch_error_errno(err, errno, "join the namespaces of the container's init");
	/* A kernel before 5.8 takes no pidfd: the fds, opened after the pid's
	 * start time was checked, name the same process. */
	return container_ns_join_fds(fds, err);
}

void container_ns_close_fds(int fds[CINCH_NS_TYPE_COUNT])
{
	for (int t = 0; t < CINCH_NS_TYPE_COUNT; t++) {
		if (fds[t] >= 0)
			close(fds[t]);
		fds[t] = -1;
	}
}

void container_ns_close(struct create_ctx *ctx)
{
	container_ns_close_fds(ctx->ns_fds);
}
