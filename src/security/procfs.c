/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening procfs files that cinch writes security attributes through
 * (attr/exec for AppArmor and SELinux). CVE-2019-16884 and CVE-2025-52881
 * showed a container can put something else at /proc/self/attr/... (a
 * bind mount, a symlink, a tmpfs over /proc) so that the label write lands
 * elsewhere or nowhere. So: take a procfs root that is verified to be one
 * (preferably a private, detached instance nobody else can mount over),
 * resolve beneath it without magic links and without crossing mounts, and
 * check the opened file is on procfs before the caller writes to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "src/security/security-internal.h"

#define PROC_ROOT_INO 1

static bool is_proc_root(int fd)
{
	struct statfs sfs;
	struct stat st;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC && fstat(fd, &st) == 0 &&
	       st.st_ino == PROC_ROOT_INO && S_ISDIR(st.st_mode);
}

/* A fresh procfs instance, detached: no mount of the container can cover
 * any of its files. Refused in some user namespaces (mount_too_revealing),
 * hence the fallbacks. */
static int private_procfs(void)
{
	_cleanup_close_ int fsfd = -1;
	int mfd;

	fsfd = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return -errno;
	if (syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	mfd = (int)syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, 0);
	return mfd < 0 ? -errno : mfd;
}

/* A clone of the /proc mount alone, without anything mounted on top of
 * its files (masked paths, or an attacker's bind mounts). */
static int cloned_procfs(void)
{
	int fd =
	    (int)syscall(SYS_open_tree, AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int procfs_root(struct cinch_error *err)
{
	int (*const tries[])(void) = {private_procfs, cloned_procfs};
	int fd;

	for (size_t i = 0; i < N_ELEMENTS(tries); i++) {
		fd = tries[i]();
		if (fd >= 0 && is_proc_root(fd))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return cinch_error_errno(err, errno, "open /proc");
	if (!is_proc_root(fd)) {
		close(fd);
		return cinch_error_set(err, EXDEV, "/proc is not the root of a procfs mount");
	}
	return fd;
}

int security_procfs_open(const char *relpath, int flags, struct cinch_error *err)
{
	_cleanup_close_ int root = -1;
	_cleanup_close_ int fd = -1;
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC | O_NOCTTY),
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	struct statfs sfs;

	root = procfs_root(err);
	if (root < 0)
		return root;
	fd = (int)syscall(SYS_openat2, root, relpath, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		/* Before Linux 5.6: no resolution controls; the fstatfs check
		 * below still refuses anything that is not procfs. */
		fd = openat(root, relpath, flags | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return cinch_error_errno(err, errno, "/proc/%s", relpath);
	if (fstatfs(fd, &sfs) < 0)
		return cinch_error_errno(err, errno, "fstatfs /proc/%s", relpath);
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return cinch_error_set(err, EXDEV, "/proc/%s is not on procfs", relpath);
	return steal_fd(&fd);
}
