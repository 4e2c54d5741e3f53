/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The root filesystem of a container, in the order rootfs.h gives:
 * prepare (propagation, the rootfs bind, config mounts, /dev), pivot,
 * the console, and finalize (read-only and masked paths, read-only root).
 * Runs in the container's init, inside its new mount namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/path.h"
#include "rootfs-internal.h"
#include "rootfs.h"

struct propagation {
	const char *name;
	unsigned long flag;
	bool recursive;
};

static const struct propagation propagations[] = {
    {"private", MS_PRIVATE, false},	  {"rprivate", MS_PRIVATE, true},
    {"slave", MS_SLAVE, false},		  {"rslave", MS_SLAVE, true},
    {"shared", MS_SHARED, false},	  {"rshared", MS_SHARED, true},
    {"unbindable", MS_UNBINDABLE, false}, {"runbindable", MS_UNBINDABLE, true},
};

/* The default, as runc: rslave, so host unmounts still reach the container
 * while nothing the container mounts reaches the host. */
static const struct propagation default_propagation = {"rslave", MS_SLAVE, true};

static int find_propagation(const struct cinch_spec *spec, const struct propagation **ret,
			    struct cinch_error *err)
{
	const char *name = spec->linux_ ? spec->linux_->rootfs_propagation : NULL;

	*ret = &default_propagation;
	if (!name || !*name)
		return 0;
	for (size_t i = 0; i < N_ELEMENTS(propagations); i++) {
		if (strcmp(propagations[i].name, name) == 0) {
			*ret = &propagations[i];
			return 0;
		}
	}
	return cinch_error_set(err, EINVAL, ".linux.rootfsPropagation: unknown value \"%s\"", name);
}

static bool has_user_namespace(const struct cinch_spec *spec)
{
	const struct cinch_namespaces *ns = spec->linux_ ? &spec->linux_->namespaces : NULL;

	for (size_t i = 0; ns && i < ns->len; i++)
		if (ns->items[i].type == CINCH_NS_USER)
			return true;
	return false;
}

/* runc sets up /dev unless /dev is a bind mount (then it is the host's). */
static bool dev_is_bind(const struct cinch_spec *spec)
{
	for (size_t i = 0; i < spec->mounts.len; i++) {
		const struct cinch_mount *m = &spec->mounts.items[i];
		_cleanup_free_ char *dest = NULL;
		struct cinch_error ignored;
		bool bind = m->type && strcmp(m->type, "bind") == 0;

		for (size_t j = 0; j < m->options.len; j++)
			if (strcmp(m->options.items[j], "bind") == 0 ||
			    strcmp(m->options.items[j], "rbind") == 0)
				bind = true;
		if (bind && m->destination &&
		    cinch_path_clean(m->destination, &dest, &ignored) == 0 &&
		    strcmp(dest, "/dev") == 0)
			return true;
	}
	return false;
}

static int resolve_root_path(const struct cinch_rootfs_context *ctx, char **ret,
			     struct cinch_error *err)
{
	const struct cinch_root *root = ctx->spec->root;
	_cleanup_free_ char *joined = NULL;
	char *real;
	struct stat st;

	if (!root || !root->path || !*root->path)
		return cinch_error_set(err, EINVAL, ".root.path: required");
	if (root->path[0] == '/')
		joined = strdup(root->path);
	else if (asprintf(&joined, "%s/%s", ctx->bundle, root->path) < 0)
		joined = NULL;
	if (!joined)
		return cinch_error_errno(err, ENOMEM, ".root.path");
	real = realpath(joined, NULL);
	if (!real)
		return cinch_error_errno(err, errno, ".root.path: %s", joined);
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(real);
		return cinch_error_set(err, ENOTDIR, ".root.path: %s is not a directory", joined);
	}
	*ret = real;
	return 0;
}

static int set_propagation_path(const char *path, unsigned long flag, bool recursive,
				struct cinch_error *err)
{
	if (mount(NULL, path, NULL, flag | (recursive ? MS_REC : 0), NULL) < 0)
		return cinch_error_errno(err, errno, "setting propagation of %s", path);
	return 0;
}

/* Shared and unbindable are applied to the container's root only at the
 * end: until then a shared parent would both leak the container's mounts
 * to the host and make pivot_root fail, and an unbindable one would refuse
 * the self-bind of the rootfs and the readonlyPaths binds (EINVAL). */
static bool propagation_after_pivot(const struct propagation *p)
{
	return p->flag == MS_SHARED || p->flag == MS_UNBINDABLE;
}

static int apply_root_propagation(int rootfs_fd, const struct propagation *p,
				  struct cinch_error *err)
{
	if (cinch_mount_propagation_fd(rootfs_fd, p->flag, p->recursive, err) < 0)
		return cinch_error_prefix(err, ".linux.rootfsPropagation: %s", p->name);
	return 0;
}

/*
 * "/" gets the requested propagation (rslave for the ones applied after
 * pivot). For shared, the mounts holding the rootfs become private so the
 * self-bind below propagates nowhere.
 */
static int prepare_propagation(const struct propagation *p, const char *root_path,
			       struct cinch_error *err)
{
	_cleanup_free_ char *parent = NULL;
	int r;

	if (propagation_after_pivot(p))
		r = set_propagation_path("/", MS_SLAVE, true, err);
	else
		r = set_propagation_path("/", p->flag, p->recursive, err);
	if (r < 0 || p->flag != MS_SHARED)
		return r;
	if (asprintf(&parent, "%s/..", root_path) < 0)
		return cinch_error_errno(err, ENOMEM, "%s", root_path);
	/* EINVAL: not a mount point, which is fine for a plain directory. */
	if (mount(NULL, parent, NULL, MS_PRIVATE, NULL) < 0 && errno != EINVAL)
		return cinch_error_errno(err, errno, "making the parent of %s private", root_path);
	return 0;
}

/* A recursive bind of the rootfs onto itself: pivot_root needs new_root to
 * be a mount point. Returns the O_PATH fd of that mount. */
static int bind_root(const char *root_path, struct cinch_error *err)
{
	_cleanup_mnt_ struct cinch_mnt m = CINCH_MNT_INIT;
	_cleanup_close_ int target = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (target < 0)
		return cinch_error_errno(err, errno, "binding the rootfs %s", root_path);
	if (cinch_mnt_bind(&m, AT_FDCWD, root_path, CINCH_MNT_RECURSIVE, err) < 0 ||
	    cinch_mnt_attach(&m, target, err) < 0)
		return cinch_error_prefix(err, "binding the rootfs %s", root_path);
	return steal_fd(&m.fd);
}

int cinch_rootfs_prepare(struct cinch_rootfs_context *ctx, struct cinch_error *err)
{
	const struct propagation *prop;
	struct rootfs_env env = {
	    .spec = ctx->spec,
	    .bundle = ctx->bundle,
	    .root_fd = -1,
	    .dev_mount_fd = -1,
	};
	_cleanup_free_ char *root_path = NULL;
	_cleanup_close_ int root_fd = -1;
	int r;

	ctx->rootfs_fd = -1;
	r = find_propagation(ctx->spec, &prop, err);
	if (r < 0)
		return r;
	r = resolve_root_path(ctx, &root_path, err);
	if (r < 0)
		return r;
	r = prepare_propagation(prop, root_path, err);
	if (r < 0)
		return r;
	root_fd = bind_root(root_path, err);
	if (root_fd < 0)
		return root_fd;
	env.root_path = root_path;
	env.root_fd = root_fd;
	env.in_userns = has_user_namespace(ctx->spec);
	for (size_t i = 0; i < ctx->spec->mounts.len; i++) {
		r = cinch_mount_one(&env, i, err);
		if (r < 0)
			goto out;
	}
	if (!dev_is_bind(ctx->spec)) {
		r = cinch_devices_setup(&env, true, err);
		if (r < 0)
			goto out;
	}
	if (env.dev_ro && env.dev_mount_fd >= 0) {
		r = cinch_mount_setattr_fd(env.dev_mount_fd, false, MOUNT_ATTR_RDONLY, 0, err);
		if (r < 0) {
			cinch_error_prefix(err, "making /dev read-only");
			goto out;
		}
	}
	ctx->rootfs_fd = steal_fd(&root_fd);
out:
	if (env.dev_mount_fd >= 0)
		close(env.dev_mount_fd);
	return r < 0 ? r : 0;
}

static int pivot(int root_fd, struct cinch_error *err)
{
	_cleanup_close_ int old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (old_root < 0)
		return cinch_error_errno(err, errno, "opening the old root");
	if (fchdir(root_fd) < 0)
		return cinch_error_errno(err, errno, "entering the rootfs");
	/* new_root and put_old both "."; the old root ends up stacked on top
	 * of the new one, where it is detached below. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return cinch_error_errno(err, errno, "pivot_root");
	if (fchdir(old_root) < 0)
		return cinch_error_errno(err, errno, "entering the old root");
	/* The unmount must not propagate to the host's mounts. */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return cinch_error_errno(err, errno, "making the old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		return cinch_error_errno(err, errno, "detaching the old root");
	return 0;
}

static int move_root(int root_fd, struct cinch_error *err)
{
	if (fchdir(root_fd) < 0)
		return cinch_error_errno(err, errno, "entering the rootfs");
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return cinch_error_errno(err, errno, "moving the rootfs onto / (--no-pivot)");
	if (chroot(".") < 0)
		return cinch_error_errno(err, errno, "chroot (--no-pivot)");
	return 0;
}

int cinch_rootfs_pivot(struct cinch_rootfs_context *ctx, struct cinch_error *err)
{
	const struct propagation *prop;
	int r;

	r = find_propagation(ctx->spec, &prop, err);
	if (r < 0)
		return r;
	r = ctx->no_pivot ? move_root(ctx->rootfs_fd, err) : pivot(ctx->rootfs_fd, err);
	if (r < 0)
		return r;
	if (chdir("/") < 0)
		return cinch_error_errno(err, errno, "chdir /");
	/* Shared right away, so mounts made from here on propagate. */
	if (prop->flag == MS_SHARED)
		return apply_root_propagation(ctx->rootfs_fd, prop, err);
	return 0;
}

int cinch_rootfs_mount_console(struct cinch_rootfs_context *ctx, int pty_peer_fd,
			       struct cinch_error *err)
{
	_cleanup_close_ int dev = -1;
	_cleanup_close_ int fd = -1;
	_cleanup_mnt_ struct cinch_mnt m = CINCH_MNT_INIT;
	struct stat st;
	int r;

	if (fstat(pty_peer_fd, &st) < 0 || !S_ISCHR(st.st_mode))
		return cinch_error_set(err, EINVAL, "console: the pty peer is not a terminal");
	dev = cinch_path_mkdir_in_root(ctx->rootfs_fd, "/dev", 0755, err);
	if (dev < 0)
		return cinch_error_prefix(err, "console");
	/* Whatever the image put there (a symlink to a host path, a pts
	 * node) is removed, never followed (CVE-2025-52565). */
	if (unlinkat(dev, "console", 0) < 0 && errno != ENOENT)
		return cinch_error_errno(err, errno, "console: removing /dev/console");
	fd = openat(dev, "console", O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return cinch_error_errno(err, errno, "console: creating /dev/console");
	close(fd);
	fd = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cinch_error_errno(err, errno, "console: /dev/console");
	/* EINVAL from the clone, or from mount(2) where that is the fallback. */
	r = cinch_mnt_bind(&m, pty_peer_fd, "", 0, err);
	if (r >= 0)
		r = cinch_mnt_attach(&m, fd, err);
	if (r == -EINVAL)
		return cinch_error_set(err, EINVAL,
				       "console: the pty must come from a devpts mounted in the "
				       "container (its /dev/ptmx)");
	if (r < 0)
		return cinch_error_prefix(err, "console: binding the pty onto /dev/console");
	return 0;
}

int cinch_rootfs_finalize(struct cinch_rootfs_context *ctx, struct cinch_error *err)
{
	const struct cinch_linux *lx = ctx->spec->linux_;
	const struct cinch_root *root = ctx->spec->root;
	const struct propagation *prop;
	int r;

	if (lx) {
		r = cinch_readonly_apply(ctx->rootfs_fd, &lx->readonly_paths, err);
		if (r < 0)
			return r;
		r = cinch_masked_apply(ctx->rootfs_fd, &lx->masked_paths, err);
		if (r < 0)
			return r;
	}
	if (root && root->readonly.present && root->readonly.value) {
		/* Only "/" itself: /dev, /proc and volumes keep their own mode. */
		if (cinch_mount_setattr_fd(ctx->rootfs_fd, false, MOUNT_ATTR_RDONLY, 0, err) < 0)
			return cinch_error_prefix(err, ".root.readonly: remounting / read-only");
	}
	/* Unbindable last: the binds above clone mounts below "/". */
	r = find_propagation(ctx->spec, &prop, err);
	if (r < 0)
		return r;
	if (prop->flag == MS_UNBINDABLE)
		return apply_root_propagation(ctx->rootfs_fd, prop, err);
	return 0;
}
