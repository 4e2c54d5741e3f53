/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the rootfs files (rootfs.c, mount*.c, devices.c,
 * masked.c). Not for the rest of container/: use rootfs.h.
 */
#ifndef CINCH_CONTAINER_ROOTFS_INTERNAL_H
#define CINCH_CONTAINER_ROOTFS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cinch/error.h"
#include "cinch/spec.h"

/* ---- mount options (mount-options.c, pure) ----------------------------- */

struct cinch_mount_opts {
	/* MOUNT_ATTR_* for the mount itself; attr_clr holds what an option
	 * explicitly turned off (and MOUNT_ATTR__ATIME when an atime mode was
	 * chosen). */
	uint64_t attr_set;
	uint64_t attr_clr;
	/* The r* options: applied with AT_RECURSIVE to the whole tree. */
	uint64_t rec_attr_set;
	uint64_t rec_attr_clr;
	/* Superblock flags (MS_SYNCHRONOUS, MS_DIRSYNC, MS_MANDLOCK,
	 * MS_LAZYTIME, MS_SILENT) set or cleared. */
	unsigned long sb_set;
	unsigned long sb_clr;
	/* MS_PRIVATE / MS_SHARED / MS_SLAVE / MS_UNBINDABLE, 0 for none. */
	unsigned long propagation;
	bool propagation_recursive;
	bool bind;
	bool rbind; /* implies bind */
	bool remount;
	bool tmpcopyup;
	bool idmap;
	bool ridmap; /* implies idmap */
	/* Options the table does not know, joined with ',' ("" when none). */
	char *data;
};

/* Parses options in order (a later option overrides an earlier one). */
int cinch_mount_opts_parse(const struct cinch_strv *options, struct cinch_mount_opts *ret,
			   struct cinch_error *err);
void cinch_mount_opts_free(struct cinch_mount_opts *opts);
/* The mount(2) flags equivalent of the non-recursive settings. */
unsigned long cinch_mount_opts_ms_flags(const struct cinch_mount_opts *opts);

/* ---- the state shared while the rootfs is prepared ---------------------- */

struct rootfs_env {
	const struct cinch_spec *spec;
	const char *bundle;
	char *root_path;  /* absolute host path of the rootfs (before pivot) */
	int root_fd;	  /* O_PATH of the rootfs mount */
	bool in_userns;	  /* mknod is not possible: bind host devices */
	bool dev_ro;	  /* the /dev mount asked for "ro": applied after devices */
	int dev_mount_fd; /* the /dev mount (to make it ro later), or -1 */
};

/* ---- mounts (mount.c, mount-cgroup.c, mount-idmap.c) ------------------ */

/* Performs spec.mounts[idx]; errors name ".mounts[idx] (destination)". */
int cinch_mount_one(struct rootfs_env *env, size_t idx, struct cinch_error *err);

/* Whether destination (cleaned, in-rootfs) may be mounted on, runc's
 * checkProcMount rules: see mount-check.c. */
int cinch_mount_check_proc(const char *dest, bool is_bind, const char *type, const char *source,
			   struct cinch_error *err);

/* Mounts the cgroup filesystem(s) for a "cgroup"/"cgroup2" entry onto the
 * O_PATH fd target; returns 0 or a negative errno. */
int cinch_mount_cgroup(struct rootfs_env *env, const struct cinch_mount *m,
		       const struct cinch_mount_opts *opts, int target_fd, struct cinch_error *err);

/* Makes mount_fd (detached) an idmapped mount with these mappings. */
int cinch_mount_idmap(int mount_fd, const struct cinch_id_mappings *uids,
		      const struct cinch_id_mappings *gids, bool recursive,
		      struct cinch_error *err);

/* Attaches the detached mount mfd onto the O_PATH fd target. */
int cinch_mount_attach(int mfd, int target_fd, struct cinch_error *err);

/* Copies the content of directory src_fd into dst_fd (tmpcopyup). */
int cinch_mount_copy_tree(int src_fd, int dst_fd, struct cinch_error *err);

/* ---- /dev (devices.c) --------------------------------------------------- */

/* Default devices, linux.devices, /dev symlinks and ptmx, all relative to
 * env->root_fd. */
int cinch_devices_setup(struct rootfs_env *env, bool default_devices, struct cinch_error *err);

/* ---- masked / readonly paths (masked.c) --------------------------------- */

int cinch_masked_apply(int root_fd, const struct cinch_strv *paths, struct cinch_error *err);
int cinch_readonly_apply(int root_fd, const struct cinch_strv *paths, struct cinch_error *err);

#endif
