/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One entry of config.json "mounts": resolve (and create) the destination
 * inside the rootfs, build the mount detached (a bind clone or a fresh
 * filesystem), set its attributes, and attach it onto the O_PATH fd of the
 * destination, through the steps of mount-api.c. The destination is never
 * looked up by path again after it was resolved, so a symlink swap cannot
 * redirect the mount (CVE-2021-30465). Where the new mount API answers
 * ENOSYS those steps use mount(2) onto /proc/self/fd/N of that same fd.
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

/* "remount" on its own: change the attributes of what is already mounted at
 * the destination. */
static int remount_existing(struct rootfs_env *env, const char *dest,
			    const struct cinch_mount_opts *o, struct cinch_error *err)
{
	_cleanup_close_ int fd = cinch_path_open_in_root(env->root_fd, dest, O_PATH, 0, 0, err);
	int r;

	if (fd < 0)
		return fd;
	r = cinch_mount_setattr_fd(fd, false, o->attr_set, o->attr_clr, err);
	if (r >= 0)
		r = cinch_mount_setattr_fd(fd, true, o->rec_attr_set, o->rec_attr_clr, err);
	if (r >= 0 && o->propagation)
		r = cinch_mount_propagation_fd(fd, o->propagation, o->propagation_recursive, err);
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

static int build_bind(struct cinch_mnt *m, const char *src, bool recursive, uint64_t attrs,
		      uint64_t clr, struct cinch_error *err)
{
	int r = cinch_mnt_bind(m, AT_FDCWD, src, recursive ? CINCH_MNT_RECURSIVE : 0, err);

	if (r < 0)
		return r;
	return cinch_mnt_setattr(m, false, attrs, clr, err);
}

/* A user namespace that does not own the network namespace may not mount
 * sysfs: it gets the host's, with the same flags. */
static int host_sysfs(struct cinch_mnt *m, const struct cinch_mount_opts *o, uint64_t attrs,
		      struct cinch_error *err)
{
	int r;

	cinch_error_clear(err);
	cinch_mnt_free(m);
	r = build_bind(m, "/sys", true, 0, o->attr_clr, err);
	if (r < 0)
		return r;
	return cinch_mnt_setattr(m, true, o->rec_attr_set | (attrs & ATTR_MOUNT_BITS),
				 o->rec_attr_clr, err);
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
	_cleanup_close_ int from = -1;
	_cleanup_mnt_ struct cinch_mnt mnt = CINCH_MNT_INIT;
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
		r = build_bind(&mnt, src, o->rbind, attrs, o->attr_clr, err);
	else
		r = cinch_mnt_fs(&mnt, type, m->source && *m->source ? m->source : type, o->data,
				 o->sb_set, attrs, err);
	if (r < 0 && !is_bind && streq(type, "sysfs") && err->code == EPERM)
		r = host_sysfs(&mnt, o, attrs, err);
	if (r < 0)
		return r;
	r = cinch_mnt_setattr(&mnt, true, o->rec_attr_set, o->rec_attr_clr, err);
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

		r = cinch_mount_idmap(&mnt, u, g, o->ridmap, err);
		if (r < 0)
			return r;
	}
	if (o->tmpcopyup) {
		/* The image's directory, under the tmpfs once that is attached. */
		from = openat(target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (from < 0)
			return cinch_error_errno(err, errno,
						 "tmpcopyup: opening the image directory");
		/* Copied while detached, where nobody can see or race it; a
		 * mount(2) fallback has it only once attached, before the
		 * container runs anything. */
		if (cinch_mnt_detached(&mnt)) {
			r = cinch_mount_copy_tree(from, mnt.fd, err);
			if (r < 0)
				return cinch_error_prefix(err, "tmpcopyup");
			close(steal_fd(&from));
		}
	}
	r = cinch_mnt_attach(&mnt, target, err);
	/* The mount(2) fallback meets the sysfs refusal only here. */
	if (r < 0 && !is_bind && streq(type, "sysfs") && err->code == EPERM && !mnt.attached) {
		r = host_sysfs(&mnt, o, attrs, err);
		if (r >= 0)
			r = cinch_mnt_setattr(&mnt, true, o->rec_attr_set, o->rec_attr_clr, err);
		if (r >= 0)
			r = cinch_mnt_attach(&mnt, target, err);
	}
	if (r < 0)
		return r;
	if (from >= 0) {
		r = cinch_mount_copy_tree(from, mnt.fd, err);
		if (r < 0)
			return cinch_error_prefix(err, "tmpcopyup");
	}
	if (o->propagation) {
		r = cinch_mount_propagation_fd(mnt.fd, o->propagation, o->propagation_recursive,
					       err);
		if (r < 0)
			return r;
	}
	if (strcmp(resolved, "/dev") == 0) {
		if (env->dev_mount_fd >= 0)
			close(env->dev_mount_fd);
		env->dev_mount_fd = steal_fd(&mnt.fd);
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
