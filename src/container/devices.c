/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /dev inside the rootfs: the default devices (null, zero, full, random,
 * urandom, tty), linux.devices, the /dev/fd, stdin, stdout, stderr and core
 * symlinks and /dev/ptmx -> pts/ptmx. Every name is created relative to the
 * fd of its parent directory as resolved inside the rootfs, and every
 * created node is reopened O_NOFOLLOW and checked before it is chowned or
 * chmodded: an image whose /dev or /dev/null is a symlink to a host path
 * never makes cinch touch a host file (CVE-2026-41579, crun CVE-2026-47766,
 * CVE-2026-88264/88265).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/path.h"
#include "rootfs-internal.h"

struct dev_node {
	const char *path;
	mode_t type; /* S_IFCHR, S_IFBLK, S_IFIFO */
	unsigned int major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

static const struct dev_node default_devices[] = {
    {"/dev/null", S_IFCHR, 1, 3, 0666, 0, 0},	 {"/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0},
    {"/dev/full", S_IFCHR, 1, 7, 0666, 0, 0},	 {"/dev/random", S_IFCHR, 1, 8, 0666, 0, 0},
    {"/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0}, {"/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0},
};

static bool node_matches(const struct stat *st, const struct dev_node *d)
{
	if ((st->st_mode & S_IFMT) != d->type)
		return false;
	return d->type == S_IFIFO || st->st_rdev == makedev(d->major, d->minor);
}

/* In a user namespace mknod is refused: bind the host's node instead. */
static int bind_host_node(int parent, const char *name, const struct dev_node *d,
			  struct cinch_error *err)
{
	_cleanup_close_ int target = -1;
	_cleanup_mnt_ struct cinch_mnt m = CINCH_MNT_INIT;
	struct stat st;
	int fd;

	if (stat(d->path, &st) < 0)
		return cinch_error_errno(err, errno, "host device %s", d->path);
	if (!node_matches(&st, d))
		return cinch_error_set(err, ENODEV, "host %s is not device %u:%u", d->path,
				       d->major, d->minor);
	fd = openat(parent, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return cinch_error_errno(err, errno, "creating %s", d->path);
	close(fd);
	target = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return cinch_error_errno(err, errno, "%s", d->path);
	if (cinch_mnt_bind(&m, AT_FDCWD, d->path, 0, err) < 0 ||
	    cinch_mnt_attach(&m, target, err) < 0)
		return cinch_error_prefix(err, "bind of host %s", d->path);
	return 0;
}

static int make_node(int parent, const char *name, const struct dev_node *d,
		     struct cinch_error *err)
{
	_cleanup_close_ int fd = -1;
	char fdpath[64];
	struct stat st;

	if (mknodat(parent, name, d->type | (d->mode & 07777), makedev(d->major, d->minor)) < 0)
		return cinch_error_errno(err, errno, "mknod %s", d->path);
	fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cinch_error_errno(err, errno, "%s", d->path);
	if (fstat(fd, &st) < 0)
		return cinch_error_errno(err, errno, "%s", d->path);
	if (!node_matches(&st, d))
		return cinch_error_set(err, EEXIST, "%s was replaced while being created", d->path);
	if (fchownat(fd, "", d->uid, d->gid, AT_EMPTY_PATH) < 0)
		return cinch_error_errno(err, errno, "chown %s", d->path);
	/* mknod applied the umask; chmod through the verified fd. */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	if (chmod(fdpath, d->mode & 07777) < 0)
		return cinch_error_errno(err, errno, "chmod %s", d->path);
	return 0;
}

static int create_node(struct rootfs_env *env, const struct dev_node *d, struct cinch_error *err)
{
	_cleanup_free_ char *name = NULL;
	_cleanup_close_ int parent = -1;

	parent = cinch_path_open_parent_in_root(env->root_fd, d->path, &name, err);
	if (parent < 0)
		return parent;
	/* Whatever the image has there (a symlink, a file) is replaced; the
	 * unlink acts on the entry itself, never on what it points to. */
	if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
		return cinch_error_errno(err, errno, "removing the image's %s", d->path);
	if (env->in_userns)
		return bind_host_node(parent, name, d, err);
	return make_node(parent, name, d, err);
}

static int spec_node(const struct cinch_device *sd, size_t i, struct dev_node *d, char **clean,
		     struct cinch_error *err)
{
	int r;

	if (!sd->path || sd->path[0] != '/')
		return cinch_error_set(err, EINVAL, ".linux.devices[%zu].path: must be absolute",
				       i);
	if (!sd->type || strlen(sd->type) != 1 || !strchr("cbup", sd->type[0]))
		return cinch_error_set(err, EINVAL,
				       ".linux.devices[%zu].type: must be c, b, u or p", i);
	if (sd->major < 0 || sd->major > 0xfff || sd->minor < 0 || sd->minor > 0xfffff)
		return cinch_error_set(err, EINVAL, ".linux.devices[%zu]: major/minor out of range",
				       i);
	r = cinch_path_clean(sd->path, clean, err);
	if (r < 0)
		return r;
	*d = (struct dev_node){
	    .path = *clean,
	    .type = sd->type[0] == 'b'	 ? S_IFBLK
		    : sd->type[0] == 'p' ? S_IFIFO
					 : S_IFCHR,
	    .major = (unsigned int)sd->major,
	    .minor = (unsigned int)sd->minor,
	    .mode = sd->file_mode.present ? (sd->file_mode.value & 07777) : 0666,
	    .uid = sd->uid.present ? sd->uid.value : 0,
	    .gid = sd->gid.present ? sd->gid.value : 0,
	};
	return 0;
}

static bool spec_has_device(const struct cinch_spec *spec, const char *path)
{
	const struct cinch_devices *ds = spec->linux_ ? &spec->linux_->devices : NULL;

	for (size_t i = 0; ds && i < ds->len; i++)
		if (ds->items[i].path && strcmp(ds->items[i].path, path) == 0)
			return true;
	return false;
}

static int dev_symlinks(struct rootfs_env *env, struct cinch_error *err)
{
	static const char *const links[][2] = {
	    {"fd", "/proc/self/fd"},	   {"stdin", "/proc/self/fd/0"},
	    {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
	    {"core", "/proc/kcore"},
	};
	_cleanup_close_ int dev = cinch_path_mkdir_in_root(env->root_fd, "/dev", 0755, err);

	if (dev < 0)
		return dev;
	for (size_t i = 0; i < N_ELEMENTS(links); i++) {
		/* core only where the kernel has /proc/kcore. */
		if (strcmp(links[i][0], "core") == 0 && access("/proc/kcore", F_OK) < 0)
			continue;
		/* An entry the image already has is left alone (as runc does). */
		if (symlinkat(links[i][1], dev, links[i][0]) < 0 && errno != EEXIST)
			return cinch_error_errno(err, errno, "symlink /dev/%s", links[i][0]);
	}
	/* ptmx always leads to this container's devpts instance. */
	if (unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT)
		return cinch_error_errno(err, errno, "removing the image's /dev/ptmx");
	if (symlinkat("pts/ptmx", dev, "ptmx") < 0)
		return cinch_error_errno(err, errno, "symlink /dev/ptmx");
	return 0;
}

int cinch_devices_setup(struct rootfs_env *env, bool defaults, struct cinch_error *err)
{
	const struct cinch_devices *ds = env->spec->linux_ ? &env->spec->linux_->devices : NULL;
	int r;

	for (size_t i = 0; defaults && i < N_ELEMENTS(default_devices); i++) {
		if (spec_has_device(env->spec, default_devices[i].path))
			continue;
		r = create_node(env, &default_devices[i], err);
		if (r < 0)
			return cinch_error_prefix(err, "default device");
	}
	for (size_t i = 0; ds && i < ds->len; i++) {
		_cleanup_free_ char *clean = NULL;
		struct dev_node d;

		r = spec_node(&ds->items[i], i, &d, &clean, err);
		if (r < 0)
			return r;
		r = create_node(env, &d, err);
		if (r < 0)
			return cinch_error_prefix(err, ".linux.devices[%zu]", i);
	}
	return dev_symlinks(env, err);
}
