/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The four steps the rootfs code builds mounts from -- clone/bind a tree,
 * make a fresh filesystem, set attributes, attach onto a target -- on the
 * new mount API (open_tree, fsopen/fsconfig/fsmount, mount_setattr,
 * move_mount), with a mount(2) fallback for where those answer ENOSYS:
 * kernels before 5.2 (5.12 for mount_setattr), valgrind, seccomp profiles
 * that predate the syscalls. ENOSYS is remembered for the process, so once
 * seen no later mount tries the new API again; every other error stays an
 * error.
 *
 * The fallback keeps the new API's safety. A target is never looked up by
 * path: the mount goes onto /proc/self/fd/N of the O_PATH fd the caller
 * resolved inside the rootfs, and a bind source is pinned as an O_PATH fd
 * when the tree is "cloned", as open_tree would. What a detached mount
 * would get before being attached (attributes) it gets right after, as a
 * remount of the new mount, which mount-legacy.c finds and verifies.
 * Idmapped mounts have no mount(2) form: mount-idmap.c refuses them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "rootfs-internal.h"

#define ATTR_MOUNT_BITS                                                                            \
	(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |            \
	 MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW)

/* Seen ENOSYS from open_tree/fsopen/fsconfig/fsmount/move_mount, and from
 * mount_setattr. mount_setattr came later (5.12): a kernel without the
 * others lacks it too, so that costs no failing call of its own. */
static bool no_mount_api;
static bool no_setattr;

void cinch_mnt_free(struct cinch_mnt *m)
{
	if (m->fd >= 0)
		close(m->fd);
	if (m->src_fd >= 0)
		close(m->src_fd);
	free(m->type);
	free(m->source);
	free(m->data);
	*m = (struct cinch_mnt)CINCH_MNT_INIT;
}

static void fd_path(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/* ---- fresh filesystems through fsconfig -------------------------------- */

/* The kernel's own explanation of an fsconfig failure, if it left one. */
static int fs_error(int fsfd, int code, const char *what, struct cinch_error *err)
{
	char buf[256];
	ssize_t n = read(fsfd, buf, sizeof(buf) - 1);

	if (n > 2) {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		return cinch_error_set(err, code, "%s: %s", what, buf + 2);
	}
	return cinch_error_errno(err, code, "%s", what);
}

/* Feeds one "key=value" or "flag" item of the fs data to fsconfig. */
static int fs_option(int fsfd, char *item, struct cinch_error *err)
{
	char *eq = strchr(item, '=');
	int r;

	if (eq) {
		*eq = '\0';
		r = fsconfig(fsfd, FSCONFIG_SET_STRING, item, eq + 1, 0);
		*eq = '=';
	} else {
		r = fsconfig(fsfd, FSCONFIG_SET_FLAG, item, NULL, 0);
	}
	if (r < 0)
		return fs_error(fsfd, errno, item, err);
	return 0;
}

/* Splits data on commas outside double quotes (SELinux contexts). */
static int fs_data(int fsfd, const char *data, struct cinch_error *err)
{
	_cleanup_free_ char *copy = strdup(data ? data : "");
	char *start, *p;
	bool quoted = false;

	if (!copy)
		return cinch_error_errno(err, ENOMEM, "mount data");
	for (start = p = copy;; p++) {
		if (*p == '"')
			quoted = !quoted;
		if ((*p == ',' && !quoted) || *p == '\0') {
			bool end = *p == '\0';
			int r;

			*p = '\0';
			if (*start) {
				r = fs_option(fsfd, start, err);
				if (r < 0)
					return r;
			}
			if (end)
				break;
			start = p + 1;
		}
	}
	return 0;
}

static int fs_sb_flags(int fsfd, unsigned long flags, struct cinch_error *err)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} map[] = {
	    {MS_SYNCHRONOUS, "sync"},  {MS_DIRSYNC, "dirsync"}, {MS_MANDLOCK, "mand"},
	    {MS_LAZYTIME, "lazytime"}, {MS_SILENT, "silent"},
	};

	for (size_t i = 0; i < N_ELEMENTS(map); i++)
		if ((flags & map[i].flag) &&
		    fsconfig(fsfd, FSCONFIG_SET_FLAG, map[i].name, NULL, 0) < 0)
			return fs_error(fsfd, errno, map[i].name, err);
	return 0;
}

/* A detached fresh filesystem; -ENOSYS (err untouched) without fsopen. */
static int new_fs(const char *type, const char *source, const char *data, unsigned long sb_flags,
		  uint64_t attrs, struct cinch_error *err)
{
	_cleanup_close_ int fsfd = fsopen(type, FSOPEN_CLOEXEC);
	int mfd, r;

	if (fsfd < 0) {
		if (errno == ENOSYS)
			return -ENOSYS;
		return cinch_error_errno(err, errno, "fsopen %s", type);
	}
	if (source && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return fs_error(fsfd, errno, "source", err);
	r = fs_data(fsfd, data, err);
	if (r < 0)
		return r;
	r = fs_sb_flags(fsfd, sb_flags, err);
	if (r < 0)
		return r;
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fs_error(fsfd, errno, "creating the filesystem", err);
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int)(attrs & ATTR_MOUNT_BITS));
	if (mfd < 0)
		return cinch_error_errno(err, errno, "fsmount %s", type);
	return mfd;
}

/* ---- the four steps ----------------------------------------------------- */

int cinch_mount_setattr_fd(int fd, bool recursive, uint64_t set, uint64_t clr,
			   struct cinch_error *err)
{
	struct mount_attr a = {.attr_set = set, .attr_clr = clr};

	if (set == 0 && clr == 0)
		return 0;
	if (!no_setattr) {
		if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a,
				  sizeof(a)) == 0)
			return 0;
		if (errno != ENOSYS)
			return cinch_error_errno(err, errno, "mount_setattr");
		no_setattr = true;
	}
	return cinch_mount_legacy_setattr(fd, recursive, set, clr, err);
}

int cinch_mount_propagation_fd(int fd, unsigned long flag, bool recursive, struct cinch_error *err)
{
	struct mount_attr a = {.propagation = flag};
	char path[64];

	if (!no_setattr) {
		if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a,
				  sizeof(a)) == 0)
			return 0;
		if (errno != ENOSYS)
			return cinch_error_errno(err, errno, "setting mount propagation");
		no_setattr = true;
	}
	fd_path(path, sizeof(path), fd);
	if (mount(NULL, path, NULL, flag | (recursive ? MS_REC : 0), NULL) < 0)
		return cinch_error_errno(err, errno, "setting mount propagation");
	return 0;
}

int cinch_mnt_bind(struct cinch_mnt *m, int dirfd, const char *path, unsigned int flags,
		   struct cinch_error *err)
{
	bool rec = flags & CINCH_MNT_RECURSIVE, nofollow = flags & CINCH_MNT_NOFOLLOW;
	const char *name = *path ? path : "(fd)";
	struct stat st;

	if (!no_mount_api) {
		m->fd = open_tree(dirfd, path,
				  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0) |
				      (nofollow ? AT_SYMLINK_NOFOLLOW : 0) |
				      (*path ? 0 : AT_EMPTY_PATH));
		if (m->fd >= 0)
			return 0;
		if (errno != ENOSYS)
			return cinch_error_errno(err, errno, "bind of %s", name);
		no_mount_api = no_setattr = true;
	}
	/* Pinned now, as open_tree would pin it; mounted from the fd later. */
	if (*path)
		m->src_fd = openat(dirfd, path, O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	else
		m->src_fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	if (m->src_fd < 0)
		return cinch_error_errno(err, errno, "bind of %s", name);
	if (nofollow && fstat(m->src_fd, &st) == 0 && S_ISLNK(st.st_mode))
		return cinch_error_set(err, ELOOP, "bind of %s: is a symlink", name);
	m->ms_flags = MS_BIND | (rec ? MS_REC : 0);
	return 0;
}

int cinch_mnt_fs(struct cinch_mnt *m, const char *type, const char *source, const char *data,
		 unsigned long sb_flags, uint64_t attrs, struct cinch_error *err)
{
	if (!no_mount_api) {
		int fd = new_fs(type, source, data, sb_flags, attrs, err);

		if (fd != -ENOSYS) {
			if (fd >= 0)
				m->fd = fd;
			return fd < 0 ? fd : 0;
		}
		no_mount_api = no_setattr = true;
	}
	m->type = strdup(type);
	m->source = source ? strdup(source) : NULL;
	m->data = strdup(data ? data : "");
	if (!m->type || (source && !m->source) || !m->data)
		return cinch_error_errno(err, ENOMEM, "%s", type);
	/* Read-only is a remount afterwards: MS_RDONLY on the mount call
	 * would make the superblock read-only, fsmount makes the mount so. */
	m->ms_flags = sb_flags | cinch_mount_legacy_flags(attrs & ~(uint64_t)MOUNT_ATTR_RDONLY);
	m->pend_set = attrs & MOUNT_ATTR_RDONLY;
	return 0;
}

bool cinch_mnt_detached(const struct cinch_mnt *m)
{
	return m->fd >= 0 && !m->attached;
}

static void merge(uint64_t *s, uint64_t *c, uint64_t set, uint64_t clr)
{
	if (clr & MOUNT_ATTR__ATIME)
		*s &= ~(uint64_t)MOUNT_ATTR__ATIME;
	*s = (*s & ~(clr & ~(uint64_t)MOUNT_ATTR__ATIME)) | set;
	*c = (*c & ~(set & ~(uint64_t)MOUNT_ATTR__ATIME)) | clr;
}

int cinch_mnt_setattr(struct cinch_mnt *m, bool recursive, uint64_t set, uint64_t clr,
		      struct cinch_error *err)
{
	struct mount_attr a = {.attr_set = set, .attr_clr = clr};

	if (set == 0 && clr == 0)
		return 0;
	if (m->attached)
		return cinch_mount_setattr_fd(m->fd, recursive, set, clr, err);
	if (m->fd >= 0 && !no_setattr) {
		if (mount_setattr(m->fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a,
				  sizeof(a)) == 0)
			return 0;
		if (errno != ENOSYS)
			return cinch_error_errno(err, errno, "mount_setattr");
		no_setattr = true;
	}
	/* A detached mount cannot be remounted: done once it is attached. */
	if (recursive)
		merge(&m->pend_rset, &m->pend_rclr, set, clr);
	else
		merge(&m->pend_set, &m->pend_clr, set, clr);
	return 0;
}

int cinch_mnt_attach(struct cinch_mnt *m, int target_fd, struct cinch_error *err)
{
	char target[64], source[64];
	int r;

	if (m->attached)
		return cinch_error_set(err, EBUSY, "the mount is attached already");
	fd_path(target, sizeof(target), target_fd);
	if (m->fd >= 0) {
		if (move_mount(m->fd, "", target_fd, "",
			       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
			if (errno == ENOSYS)
				no_mount_api = no_setattr = true;
			return cinch_error_errno(err, errno, "move_mount");
		}
	} else if (m->src_fd >= 0) {
		fd_path(source, sizeof(source), m->src_fd);
		if (mount(source, target, NULL, m->ms_flags, NULL) < 0)
			return cinch_error_errno(err, errno, "bind mount");
	} else if (m->type) {
		if (mount(m->source, target, m->type, m->ms_flags, m->data) < 0)
			return cinch_error_errno(err, errno, "mount of %s%s%s%s", m->type,
						 *m->data ? " (" : "", m->data,
						 *m->data ? ")" : "");
	} else {
		return cinch_error_set(err, EINVAL, "nothing to mount");
	}
	if (m->fd < 0) {
		m->fd = cinch_mount_legacy_open_new(target_fd, err);
		if (m->fd < 0)
			return m->fd;
	}
	m->attached = true;
	if (m->src_fd >= 0) {
		close(m->src_fd);
		m->src_fd = -1;
	}
	r = cinch_mount_setattr_fd(m->fd, false, m->pend_set, m->pend_clr, err);
	if (r >= 0)
		r = cinch_mount_setattr_fd(m->fd, true, m->pend_rset, m->pend_rclr, err);
	m->pend_set = m->pend_clr = m->pend_rset = m->pend_rclr = 0;
	return r;
}
