/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One entry of config.json "mounts": resolve (and create) the destination
 * inside the rootfs, build the mount detached (open_tree for binds,
 * fsopen/fsconfig/fsmount for filesystems), set its attributes, and attach
 * it with move_mount onto the O_PATH fd of the destination. The destination
 * is never looked up by path again after it was resolved, so a symlink swap
 * cannot redirect the mount (CVE-2021-30465). Kernels without the new API
 * get mount(2) onto /proc/self/fd/N of that same fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/path.h"
#include "rootfs-internal.h"

#define ATTR_MOUNT_BITS                                                                            \
	(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |            \
	 MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW)

static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

int cinch_mount_attach(int mfd, int target_fd, struct cinch_error *err)
{
	if (move_mount(mfd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return cinch_error_errno(err, errno, "move_mount");
	return 0;
}

static int setattr(int mfd, bool recursive, uint64_t set, uint64_t clr, struct cinch_error *err)
{
	struct mount_attr a = {.attr_set = set, .attr_clr = clr};

	if (set == 0 && clr == 0)
		return 0;
	if (mount_setattr(mfd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof(a)) <
	    0)
		return cinch_error_errno(err, errno, "mount_setattr");
	return 0;
}

static int set_propagation(int mfd, const struct cinch_mount_opts *o, struct cinch_error *err)
{
	struct mount_attr a = {.propagation = o->propagation};

	if (!o->propagation)
		return 0;
	if (mount_setattr(mfd, "", AT_EMPTY_PATH | (o->propagation_recursive ? AT_RECURSIVE : 0),
			  &a, sizeof(a)) < 0)
		return cinch_error_errno(err, errno, "setting mount propagation");
	return 0;
}

/* The kernel's own explanation of an fsconfig failure, if it left one. */
static int fs_error(int fsfd, int code, const char *what, struct cinch_error *err)
{
	char buf[256];
	ssize_t n = read(fsfd, buf, sizeof(buf) - 1);

	if (n > 2) {
		while (n > 0 && buf[n - 1] == '\n')
			n--;
		buf[n] = '\0';
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
	_cleanup_free_ char *copy = strdup(data);
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

/* A new, detached filesystem mount; -ENOSYS (err untouched) when the kernel
 * lacks fsopen. */
static int new_fs(const char *type, const char *source, const struct cinch_mount_opts *o,
		  uint64_t attrs, struct cinch_error *err)
{
	_cleanup_close_ int fsfd = fsopen(type, FSOPEN_CLOEXEC);
	int mfd, r;

	if (fsfd < 0) {
		if (errno == ENOSYS)
			return -ENOSYS;
		return cinch_error_errno(err, errno, "fsopen %s", type);
	}
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source && *source ? source : type, 0) < 0)
		return fs_error(fsfd, errno, "source", err);
	r = fs_data(fsfd, o->data, err);
	if (r < 0)
		return r;
	r = fs_sb_flags(fsfd, o->sb_set, err);
	if (r < 0)
		return r;
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fs_error(fsfd, errno, "creating the filesystem", err);
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int)(attrs & ATTR_MOUNT_BITS));
	if (mfd < 0)
		return cinch_error_errno(err, errno, "fsmount");
	return mfd;
}

/* mount(2) onto the resolved fd, for kernels without the new mount API. */
static int legacy_mount(const char *source, const char *type, const struct cinch_mount_opts *o,
			uint64_t attrs, int target_fd, struct cinch_error *err)
{
	struct cinch_mount_opts copy = *o;
	char fdpath[64];
	unsigned long flags;

	copy.attr_set = attrs;
	flags = cinch_mount_opts_ms_flags(&copy) & ~MS_REMOUNT;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", target_fd);
	if (mount(source, fdpath, type, flags & ~(copy.bind ? MS_RDONLY : 0),
		  copy.bind ? NULL : o->data) < 0)
		return cinch_error_errno(err, errno, "mount");
	/* A bind ignores most flags: they need a remount of the new mount. */
	if (copy.bind && (flags & ~(MS_BIND | MS_REC)) &&
	    mount(NULL, fdpath, NULL, MS_REMOUNT | MS_BIND | (flags & ~MS_REC), NULL) < 0)
		return cinch_error_errno(err, errno, "remount of bind mount");
	return 0;
}

/* "remount" on its own: change the attributes of what is already mounted at
 * the destination. */
static int remount_existing(struct rootfs_env *env, const char *dest,
			    const struct cinch_mount_opts *o, struct cinch_error *err)
{
	_cleanup_close_ int fd = cinch_path_open_in_root(env->root_fd, dest, O_PATH, 0, 0, err);
	int r;

	if (fd < 0)
		return fd;
	r = setattr(fd, false, o->attr_set, o->attr_clr, err);
	if (r >= 0)
		r = setattr(fd, true, o->rec_attr_set, o->rec_attr_clr, err);
	if (r >= 0)
		r = set_propagation(fd, o, err);
	return r;
}

/* proc and sysfs go only onto an ordinary directory: no symlink anywhere on
 * the way (CVE-2019-16884, CVE-2019-19921, CVE-2023-27561). */
static int open_strict_dir(struct rootfs_env *env, const char *dest, const char *type,
			   struct cinch_error *err)
{
	int fd = cinch_path_open_in_root(env->root_fd, dest, O_PATH | O_DIRECTORY, 0,
					 RESOLVE_NO_SYMLINKS, err);

	if (fd == -ENOENT) {
		fd = cinch_path_mkdir_in_root(env->root_fd, dest, 0755, err);
		if (fd < 0)
			return fd;
		close(fd);
		fd = cinch_path_open_in_root(env->root_fd, dest, O_PATH | O_DIRECTORY, 0,
					     RESOLVE_NO_SYMLINKS, err);
	}
	if (fd == -ELOOP || fd == -ENOTDIR || fd == -EXDEV)
		return cinch_error_set(err, -fd,
				       "%s is a symlink or not a directory in the rootfs: %s must "
				       "be mounted on an ordinary directory",
				       dest, type);
	return fd;
}

/* The destination as an O_PATH fd, created with the type the source has. */
static int open_destination(struct rootfs_env *env, const char *dest, const char *type,
			    bool is_bind, bool src_is_dir, struct cinch_error *err)
{
	struct stat st;
	int fd;

	if (!is_bind && (streq(type, "proc") || streq(type, "sysfs")))
		return open_strict_dir(env, dest, type, err);
	if (is_bind && !src_is_dir)
		fd = cinch_path_mkfile_in_root(env->root_fd, dest, 0644, err);
	else
		fd = cinch_path_mkdir_in_root(env->root_fd, dest, 0755, err);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return cinch_error_errno(err, errno, "stat of %s", dest);
	}
	if (is_bind && !src_is_dir && S_ISDIR(st.st_mode)) {
		close(fd);
		return cinch_error_set(err, EISDIR, "%s: cannot bind a file onto a directory",
				       dest);
	}
	return fd;
}

static int build_bind(struct rootfs_env *env, const char *src, const struct cinch_mount_opts *o,
		      uint64_t attrs, struct cinch_error *err)
{
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o->rbind ? AT_RECURSIVE : 0);
	_cleanup_close_ int mfd = open_tree(AT_FDCWD, src, flags);
	int r;

	if (mfd < 0) {
		if (errno == ENOSYS)
			return -ENOSYS;
		return cinch_error_errno(err, errno, "bind source %s", src);
	}
	r = setattr(mfd, false, attrs, o->attr_clr, err);
	if (r < 0)
		return r;
	return steal_fd(&mfd);
}

static int source_path(struct rootfs_env *env, const char *source, char **ret,
		       struct cinch_error *err)
{
	int n;

	if (!source || !*source)
		return cinch_error_set(err, EINVAL, "a bind mount needs a source");
	if (source[0] == '/')
		n = asprintf(ret, "%s", source);
	else
		n = asprintf(ret, "%s/%s", env->bundle, source);
	if (n < 0)
		return cinch_error_errno(err, ENOMEM, "%s", source);
	return 0;
}

static int mount_entry(struct rootfs_env *env, const struct cinch_mount *m,
		       const struct cinch_mount_opts *o, const char *dest, struct cinch_error *err)
{
	const char *type = m->type;
	bool is_bind = o->bind || streq(type, "bind");
	_cleanup_free_ char *src = NULL;
	_cleanup_free_ char *resolved = NULL;
	_cleanup_close_ int target = -1;
	_cleanup_close_ int mfd = -1;
	uint64_t attrs = o->attr_set;
	bool src_is_dir = true;
	struct stat st;
	int r;

	if (!is_bind && (!type || !*type))
		return cinch_error_set(err, EINVAL, "type is required unless the mount is a bind");
	if (o->remount && !is_bind)
		return remount_existing(env, dest, o, err);
	if (o->idmap && !is_bind)
		return cinch_error_set(err, EOPNOTSUPP,
				       "idmap/ridmap are supported on bind mounts only");
	if (o->tmpcopyup && !streq(type, "tmpfs"))
		return cinch_error_set(err, EINVAL, "tmpcopyup is valid on tmpfs mounts only");
	if (is_bind) {
		r = source_path(env, m->source, &src, err);
		if (r < 0)
			return r;
		if (stat(src, &st) < 0)
			return cinch_error_errno(err, errno, "bind source %s", src);
		src_is_dir = S_ISDIR(st.st_mode);
	}
	r = cinch_mount_check_proc(dest, is_bind, type, src, err);
	if (r < 0)
		return r;
	target = open_destination(env, dest, type, is_bind, src_is_dir, err);
	if (target < 0)
		return target;
	/* The lexical check is not enough: "/x" may be a symlink to /proc. */
	r = cinch_path_fd_in_root(target, env->root_path, &resolved, err);
	if (r < 0)
		return r;
	if (strcmp(resolved, "/") == 0)
		return cinch_error_set(err, EINVAL, "resolves to the root of the rootfs");
	r = cinch_mount_check_proc(resolved, is_bind, type, src, err);
	if (r < 0)
		return r;
	/* /dev gets its devices first and becomes read-only afterwards. */
	if (strcmp(resolved, "/dev") == 0 && (attrs & MOUNT_ATTR_RDONLY)) {
		attrs &= ~(uint64_t)MOUNT_ATTR_RDONLY;
		env->dev_ro = true;
	}

	if (!is_bind && (streq(type, "cgroup") || streq(type, "cgroup2")))
		return cinch_mount_cgroup(env, m, o, target, err);

	if (is_bind)
		mfd = build_bind(env, src, o, attrs, err);
	else
		mfd = new_fs(type, m->source, o, attrs, err);
	if (mfd == -ENOSYS) {
		if (o->rec_attr_set || o->rec_attr_clr || o->idmap || o->tmpcopyup)
			return cinch_error_set(err, ENOSYS,
					       "the kernel lacks the new mount API needed by the "
					       "r*, idmap and tmpcopyup options");
		r = legacy_mount(is_bind ? src : m->source, type, o, attrs, target, err);
		if (r < 0)
			return r;
		return 0;
	}
	if (mfd < 0 && !is_bind && streq(type, "sysfs") && err->code == EPERM) {
		/* A user namespace that does not own the network namespace may
		 * not mount sysfs: give it the host's, with the same flags. */
		struct cinch_mount_opts rb = *o;

		rb.bind = rb.rbind = true;
		rb.rec_attr_set |= attrs & ATTR_MOUNT_BITS;
		mfd = build_bind(env, "/sys", &rb, 0, err);
		if (mfd >= 0)
			r = setattr(mfd, true, rb.rec_attr_set, rb.rec_attr_clr, err);
	}
	if (mfd < 0)
		return mfd;
	r = setattr(mfd, true, o->rec_attr_set, o->rec_attr_clr, err);
	if (r < 0)
		return r;
	if (o->idmap) {
		/* Without mappings of its own the mount takes the container's. */
		const struct cinch_linux *lx = env->spec->linux_;
		const struct cinch_id_mappings *u = m->uid_mappings.len ? &m->uid_mappings
						    : lx		? &lx->uid_mappings
									: NULL;
		const struct cinch_id_mappings *g = m->gid_mappings.len ? &m->gid_mappings
						    : lx		? &lx->gid_mappings
									: NULL;

		r = cinch_mount_idmap(mfd, u, g, o->ridmap, err);
		if (r < 0)
			return r;
	}
	if (o->tmpcopyup) {
		_cleanup_close_ int from = openat(target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (from < 0)
			return cinch_error_errno(err, errno,
						 "tmpcopyup: opening the image directory");
		r = cinch_mount_copy_tree(from, mfd, err);
		if (r < 0)
			return cinch_error_prefix(err, "tmpcopyup");
	}
	r = cinch_mount_attach(mfd, target, err);
	if (r < 0)
		return r;
	r = set_propagation(mfd, o, err);
	if (r < 0)
		return r;
	if (strcmp(resolved, "/dev") == 0) {
		if (env->dev_mount_fd >= 0)
			close(env->dev_mount_fd);
		env->dev_mount_fd = steal_fd(&mfd);
	}
	return 0;
}

int cinch_mount_one(struct rootfs_env *env, size_t idx, struct cinch_error *err)
{
	const struct cinch_mount *m = &env->spec->mounts.items[idx];
	struct cinch_mount_opts opts;
	_cleanup_free_ char *dest = NULL;
	int r;

	if (!m->destination || !*m->destination)
		return cinch_error_set(err, EINVAL, ".mounts[%zu].destination: required", idx);
	/* A relative destination (runtime-spec 1.2) is relative to "/". */
	r = cinch_path_clean(m->destination, &dest, err);
	if (r < 0)
		return cinch_error_prefix(err, ".mounts[%zu]", idx);
	r = cinch_mount_opts_parse(&m->options, &opts, err);
	if (r < 0)
		return cinch_error_prefix(err, ".mounts[%zu] (%s)", idx, m->destination);
	r = mount_entry(env, m, &opts, dest, err);
	cinch_mount_opts_free(&opts);
	if (r < 0)
		return cinch_error_prefix(err, ".mounts[%zu] (%s)", idx, m->destination);
	return 0;
}
