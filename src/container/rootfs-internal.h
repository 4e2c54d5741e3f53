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

/* ---- the mount steps, with their mount(2) fallback (mount-api.c) ------- */

/*
 * A mount being built. With the new mount API fd is the detached mount from
 * the start; where that API answers ENOSYS the mount is only described
 * here (a pinned bind source or a filesystem type with its data) and made
 * with mount(2) on attach. After attach fd is the root of the mount either
 * way. Attributes that cannot be set yet wait in pend_*.
 */
struct cinch_mnt {
	int fd;
	bool attached;
	int src_fd;		    /* fallback bind: the source, O_PATH */
	unsigned long ms_flags;	    /* fallback: the flags of the mount(2) call */
	char *type, *source, *data; /* fallback fresh filesystem */
	uint64_t pend_set, pend_clr, pend_rset, pend_rclr;
};

#define CINCH_MNT_INIT                                                                             \
	{                                                                                          \
		.fd = -1, .src_fd = -1                                                             \
	}
void cinch_mnt_free(struct cinch_mnt *m);
#define _cleanup_mnt_ __attribute__((cleanup(cinch_mnt_free)))

#define CINCH_MNT_RECURSIVE 1u /* the whole tree (AT_RECURSIVE, MS_REC) */
#define CINCH_MNT_NOFOLLOW  2u /* a symlink at path is not followed */

/* Clone the tree at dirfd/path (path "" for dirfd itself) for a bind. */
int cinch_mnt_bind(struct cinch_mnt *m, int dirfd, const char *path, unsigned int flags,
		   struct cinch_error *err);
/* A fresh filesystem: data is "k=v,flag,..."; attrs MOUNT_ATTR_* for the
 * mount; source NULL leaves the kernel's default. */
int cinch_mnt_fs(struct cinch_mnt *m, const char *type, const char *source, const char *data,
		 unsigned long sb_flags, uint64_t attrs, struct cinch_error *err);
/* mount_setattr semantics: only the bits in set/clr change. */
int cinch_mnt_setattr(struct cinch_mnt *m, bool recursive, uint64_t set, uint64_t clr,
		      struct cinch_error *err);
/* Attaches m onto the O_PATH fd target; then m->fd is the mount's root. */
int cinch_mnt_attach(struct cinch_mnt *m, int target_fd, struct cinch_error *err);
/* Whether m is a detached mount (new API, before attach). */
bool cinch_mnt_detached(const struct cinch_mnt *m);
/* Attributes / propagation of the attached mount whose root fd is. */
int cinch_mount_setattr_fd(int fd, bool recursive, uint64_t set, uint64_t clr,
			   struct cinch_error *err);
int cinch_mount_propagation_fd(int fd, unsigned long flag, bool recursive, struct cinch_error *err);

/* mount-legacy.c, for mount-api.c: MOUNT_ATTR_* (with the atime mode) as
 * MS_* flags; mount_setattr(set, clr) as bind remounts of the mount whose
 * root fd is (and of every mount below it when recursive); the root of the
 * mount that mount(2) just put on top of target_fd, opened. */
unsigned long cinch_mount_legacy_flags(uint64_t attrs);
int cinch_mount_legacy_setattr(int fd, bool recursive, uint64_t set, uint64_t clr,
			       struct cinch_error *err);
int cinch_mount_legacy_open_new(int target_fd, struct cinch_error *err);

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

/* Makes m (detached) an idmapped mount with these mappings; refused where
 * the new mount API is missing (there is no mount(2) form). */
int cinch_mount_idmap(struct cinch_mnt *m, const struct cinch_id_mappings *uids,
		      const struct cinch_id_mappings *gids, bool recursive,
		      struct cinch_error *err);

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
