/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Root filesystem setup, called by the container's init inside its new mount
 * namespace (and user namespace, if any), in this order:
 *
 *   cinch_rootfs_prepare()        mounts, /dev, devices (rootfs not yet root)
 *   -- createContainer hooks run here (core) --
 *   cinch_rootfs_pivot()          pivot_root (or MS_MOVE + chroot)
 *   -- sysctl and hostname are written here (core) --
 *   cinch_rootfs_mount_console()  only with process.terminal
 *   cinch_rootfs_finalize()       masked/readonly paths, read-only root
 *
 * Every destination is resolved inside the rootfs (openat2 RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) and mounted through fds; nothing here follows a
 * symlink out of the rootfs.
 */
#ifndef CINCH_CONTAINER_ROOTFS_H
#define CINCH_CONTAINER_ROOTFS_H

#include <stdbool.h>

#include "cinch/error.h"
#include "cinch/spec.h"

struct cinch_rootfs_context {
	const struct cinch_spec *spec;
	const char *bundle; /* absolute bundle directory */
	bool no_pivot;	    /* --no-pivot */
	int rootfs_fd;	    /* O_PATH fd of the rootfs, owned by the rootfs code after prepare
			     * (set by prepare, -1 on failure; O_CLOEXEC, stays open) */
};

int cinch_rootfs_prepare(struct cinch_rootfs_context *ctx, struct cinch_error *err);
int cinch_rootfs_pivot(struct cinch_rootfs_context *ctx, struct cinch_error *err);
/* Bind-mounts the pty peer over /dev/console (created O_NOFOLLOW). The pty
 * must belong to a devpts mounted in the container's mount namespace (open
 * the container's /dev/ptmx after pivot, TIOCGPTPEER for the peer): a pty of
 * the host's devpts cannot be bound once the old root is gone. */
int cinch_rootfs_mount_console(struct cinch_rootfs_context *ctx, int pty_peer_fd,
			       struct cinch_error *err);
int cinch_rootfs_finalize(struct cinch_rootfs_context *ctx, struct cinch_error *err);

#endif
