/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.maskedPaths and linux.readonlyPaths, applied after pivot_root.
 *
 * A masked file gets a bind of /dev/null, but only of a /dev/null that was
 * opened O_NOFOLLOW and checked to be the 1:3 character device: a container
 * that turned /dev/null into a symlink to some procfs file must not get
 * that file bound rw over the masked path (CVE-2025-31133). Masked
 * directories all share one read-only, empty tmpfs. Paths that do not exist
 * are skipped, as runc does. Read-only paths are bound onto themselves and
 * made read-only recursively.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/path.h"
#include "rootfs-internal.h"

static int open_verified_null(int root_fd, struct cinch_error *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	/* No symlink anywhere: /dev/null must be the node itself. */
	fd = cinch_path_open_in_root(root_fd, "/dev/null", O_PATH | O_NOFOLLOW, 0,
				     RESOLVE_NO_SYMLINKS, err);
	if (fd < 0)
		return cinch_error_prefix(err, "masking needs /dev/null");
	if (fstat(fd, &st) < 0)
		return cinch_error_errno(err, errno, "/dev/null");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return cinch_error_set(err, EPERM,
				       "/dev/null in the container is not the null device (1:3): "
				       "refusing to use it for masking");
	return steal_fd(&fd);
}

static int empty_ro_tmpfs(struct cinch_mnt *m, struct cinch_error *err)
{
	if (cinch_mnt_fs(m, "tmpfs", "tmpfs", "size=0,mode=0755", 0,
			 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			     MOUNT_ATTR_NOEXEC,
			 err) < 0)
		return cinch_error_prefix(err, "tmpfs for masked directories");
	return 0;
}

/* A fresh clone of source (an fd of a file or of a mount) onto target. */
static int bind_fd(int source, int target, struct cinch_error *err)
{
	_cleanup_mnt_ struct cinch_mnt m = CINCH_MNT_INIT;
	int r = cinch_mnt_bind(&m, source, "", 0, err);

	return r < 0 ? r : cinch_mnt_attach(&m, target, err);
}

int cinch_masked_apply(int root_fd, const struct cinch_strv *paths, struct cinch_error *err)
{
	_cleanup_close_ int null_fd = -1;
	_cleanup_mnt_ struct cinch_mnt tmpfs = CINCH_MNT_INIT;

	for (size_t i = 0; i < paths->len; i++) {
		const char *p = paths->items[i];
		_cleanup_close_ int target = -1;
		struct stat st;
		int r;

		target = cinch_path_open_in_root(root_fd, p, O_PATH, 0, 0, err);
		if (target == -ENOENT)
			continue;
		if (target < 0)
			return cinch_error_prefix(err, ".linux.maskedPaths[%zu]", i);
		if (fstat(target, &st) < 0)
			return cinch_error_errno(err, errno, ".linux.maskedPaths[%zu] (%s)", i, p);
		if (S_ISDIR(st.st_mode) && !tmpfs.attached) {
			/* The first directory gets the tmpfs itself: before 6.15
			 * open_tree() cannot clone a detached mount (EINVAL), so
			 * the later ones clone it once it is attached. */
			r = empty_ro_tmpfs(&tmpfs, err);
			if (r >= 0)
				r = cinch_mnt_attach(&tmpfs, target, err);
		} else if (S_ISDIR(st.st_mode)) {
			r = bind_fd(tmpfs.fd, target, err);
		} else {
			if (null_fd < 0) {
				null_fd = open_verified_null(root_fd, err);
				if (null_fd < 0)
					return cinch_error_prefix(
					    err, ".linux.maskedPaths[%zu] (%s)", i, p);
			}
			r = bind_fd(null_fd, target, err);
		}
		if (r < 0)
			return cinch_error_prefix(err, ".linux.maskedPaths[%zu] (%s)", i, p);
	}
	return 0;
}

int cinch_readonly_apply(int root_fd, const struct cinch_strv *paths, struct cinch_error *err)
{
	for (size_t i = 0; i < paths->len; i++) {
		const char *p = paths->items[i];
		_cleanup_close_ int target = -1;
		_cleanup_mnt_ struct cinch_mnt m = CINCH_MNT_INIT;
		int r;

		target = cinch_path_open_in_root(root_fd, p, O_PATH, 0, 0, err);
		if (target == -ENOENT)
			continue;
		if (target < 0)
			return cinch_error_prefix(err, ".linux.readonlyPaths[%zu]", i);
		r = cinch_mnt_bind(&m, target, "", CINCH_MNT_RECURSIVE, err);
		if (r >= 0)
			r = cinch_mnt_setattr(&m, true, MOUNT_ATTR_RDONLY, 0, err);
		if (r >= 0)
			r = cinch_mnt_attach(&m, target, err);
		if (r < 0)
			return cinch_error_prefix(err, ".linux.readonlyPaths[%zu] (%s)", i, p);
	}
	return 0;
}
