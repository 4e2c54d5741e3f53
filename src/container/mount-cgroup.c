/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cgroup filesystem inside the container. The container only ever sees
 * its own cgroup: each hierarchy is mounted fresh (detached), and only the
 * subtree of the container's cgroup (its line in /proc/self/cgroup, which
 * is "/" inside a cgroup namespace) is cloned and attached. So the host's
 * hierarchy is never exposed, read-only or not.
 *
 *   cgroup2, or "cgroup" on a unified host: that subtree of cgroup2.
 *   "cgroup" on a v1/hybrid host: a tmpfs with one directory per hierarchy
 *   ("cpu,cpuacct", "systemd" for name=systemd, "unified" for the v2 part),
 *   symlinks for the single controllers of a combined hierarchy, and the
 *   whole tree read-only when "ro" is asked.
 *
 * A container with its own cgroup namespace gets fresh mounts; one without
 * gets its subtree cloned from the host's mount of each hierarchy (see
 * own_subtree()), so it still sees only its own cgroup.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/path.h"
#include "rootfs-internal.h"

#define ATTR_MOUNT_BITS                                                                            \
	(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |            \
	 MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW)

/* A fresh mount of one hierarchy; controllers is "" for cgroup2. */
static int hierarchy_mount(struct cinch_mnt *m, const char *controllers, uint64_t attrs,
			   struct cinch_error *err)
{
	bool v2 = controllers[0] == '\0';
	_cleanup_free_ char *data = NULL;

	/* A named hierarchy without controllers needs "none". */
	if (asprintf(&data, "%s%s", controllers,
		     strncmp(controllers, "name=", 5) == 0 && !strchr(controllers, ',') ? ",none"
											: "") < 0)
		return cinch_error_errno(err, ENOMEM, "%s", controllers);
	return cinch_mnt_fs(m, v2 ? "cgroup2" : "cgroup", NULL, data, 0, attrs, err);
}

/* Whether the super options of a v1 mount name this hierarchy: a
 * controller belongs to one hierarchy only, so one shared token decides. */
static bool superopts_match(const char *superopts, const char *controllers)
{
	_cleanup_free_ char *want = strdup(controllers);
	char *tok, *save = NULL;

	if (!want)
		return false;
	for (tok = strtok_r(want, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t len = strlen(tok);

		for (const char *p = superopts; (p = strstr(p, tok)); p += len)
			if ((p == superopts || p[-1] == ',') && (p[len] == ',' || p[len] == '\0'))
				return true;
	}
	return false;
}

/* The host path of cgroup path in this hierarchy: its mount point (from
 * our own, not yet pivoted, mountinfo) joined with path below the mount's
 * root. */
static int host_cgroup_dir(const char *controllers, const char *path, char **ret,
			   struct cinch_error *err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	bool v2 = controllers[0] == '\0';

	if (!f)
		return cinch_error_errno(err, errno, "/proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0) {
		char root[4096], mnt[4096], fstype[64], superopts[1024];
		const char *sep = strstr(line, " - ");
		size_t rlen;

		line[strcspn(line, "\n")] = '\0';
		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
		    sscanf(sep + 3, "%63s %*s %1023s", fstype, superopts) != 2)
			continue;
		if (strcmp(fstype, v2 ? "cgroup2" : "cgroup") != 0 ||
		    (!v2 && !superopts_match(superopts, controllers)))
			continue;
		cinch_path_unescape_mountinfo(root);
		cinch_path_unescape_mountinfo(mnt);
		/* The mount must show path: its root is path or above it. */
		rlen = strcmp(root, "/") == 0 ? 0 : strlen(root);
		if (strncmp(path, root, rlen) != 0 || (path[rlen] != '/' && path[rlen] != '\0'))
			continue;
		if (asprintf(ret, "%s/%s", mnt, path + rlen) < 0)
			return cinch_error_errno(err, ENOMEM, "cgroup %s", path);
		return 0;
	}
	return cinch_error_set(err, ENOENT, "no host mount of cgroup hierarchy %s shows %s",
			       v2 ? "cgroup2" : controllers, path);
}

/* The container's cgroup cloned from the host's mount of the hierarchy. */
static int bound_subtree(struct cinch_mnt *m, const char *controllers, const char *path,
			 uint64_t attrs, struct cinch_error *err)
{
	/* Atime modes of the host mount are locked in a user namespace. */
	uint64_t set =
	    attrs & ATTR_MOUNT_BITS & ~MOUNT_ATTR__ATIME & ~(uint64_t)MOUNT_ATTR_NODIRATIME;
	_cleanup_free_ char *dir = NULL;
	int r;

	r = host_cgroup_dir(controllers, path, &dir, err);
	if (r < 0)
		return r;
	if (cinch_mnt_bind(m, AT_FDCWD, dir, CINCH_MNT_NOFOLLOW, err) < 0 ||
	    cinch_mnt_setattr(m, false, set, 0, err) < 0)
		return cinch_error_prefix(err, "cloning %s", dir);
	return 0;
}

/*
 * The subtree of the container's own cgroup, detached. At the root of our
 * cgroup namespace (the container has its own) a fresh mount shows exactly
 * that. Below it we are in someone else's namespace, most likely the
 * host's: a fresh cgroup2 mount there would re-apply its options
 * (nsdelegate, memory_recursiveprot) to the host's hierarchy, and before
 * Linux 6.15 a subtree of a detached mount cannot be cloned anyway, so the
 * host's own mount of the subtree is cloned, as runc does. The same when a
 * user namespace may not make a fresh mount (EPERM; with the mount(2)
 * fallback that shows only when attaching). Attached onto target; m holds
 * the mount afterwards.
 */
static int own_subtree(struct cinch_mnt *m, const char *controllers, const char *path,
		       uint64_t attrs, int target, struct cinch_error *err)
{
	int r;

	if (path[strspn(path, "/")] != '\0')
		r = bound_subtree(m, controllers, path, attrs, err);
	else
		r = hierarchy_mount(m, controllers, attrs, err);
	if (r >= 0)
		r = cinch_mnt_attach(m, target, err);
	if (r == -EPERM && !m->attached && path[strspn(path, "/")] == '\0') {
		cinch_error_clear(err);
		cinch_mnt_free(m);
		r = bound_subtree(m, controllers, path, attrs, err);
		if (r >= 0)
			r = cinch_mnt_attach(m, target, err);
	}
	return r;
}

/* The r* attributes and the propagation, on the attached top mount. */
static int finish(int mfd, const struct cinch_mount_opts *o, struct cinch_error *err)
{
	int r = cinch_mount_setattr_fd(mfd, true, o->rec_attr_set, o->rec_attr_clr, err);

	if (r >= 0 && o->propagation)
		r = cinch_mount_propagation_fd(mfd, o->propagation, o->propagation_recursive, err);
	return r;
}

struct cg_line {
	char *controllers; /* "" for the v2 line */
	char *path;
};

/* The container's own cgroup per hierarchy; line 0 is the "0::" one. */
static int read_own_cgroups(struct cg_line *lines, size_t max, size_t *n, struct cinch_error *err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	size_t cap = 0;
	char *line = NULL;
	ssize_t len;

	if (!f)
		return cinch_error_errno(err, errno, "/proc/self/cgroup");
	*n = 0;
	while ((len = getline(&line, &cap, f)) > 0 && *n < max) {
		char *c1 = strchr(line, ':'), *c2;

		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c1 = *c2 = '\0';
		lines[*n].controllers = strdup(c1 + 1);
		lines[*n].path = strdup(c2 + 1);
		if (!lines[*n].controllers || !lines[*n].path) {
			free(line);
			return cinch_error_errno(err, ENOMEM, "/proc/self/cgroup");
		}
		(*n)++;
	}
	free(line);
	return 0;
}

static void free_lines(struct cg_line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(lines[i].controllers);
		free(lines[i].path);
	}
}

static const char *line_path(const struct cg_line *lines, size_t n, bool v2)
{
	for (size_t i = 0; i < n; i++)
		if ((lines[i].controllers[0] == '\0') == v2)
			return lines[i].path;
	return NULL;
}

static int mount_unified(const struct cinch_mount_opts *o, int target, struct cinch_error *err)
{
	struct cg_line lines[32];
	size_t n = 0;
	_cleanup_mnt_ struct cinch_mnt sub = CINCH_MNT_INIT;
	const char *path;
	int r;

	r = read_own_cgroups(lines, N_ELEMENTS(lines), &n, err);
	if (r < 0)
		goto out;
	path = line_path(lines, n, true);
	r = own_subtree(&sub, "", path ? path : "/", o->attr_set, target, err);
	if (r >= 0)
		r = finish(sub.fd, o, err);
out:
	free_lines(lines, n);
	return r;
}

static int add_hierarchy(int dir, const struct cg_line *l, uint64_t attrs, struct cinch_error *err)
{
	const char *c = l->controllers;
	const char *name = c[0] == '\0' ? "unified" : strncmp(c, "name=", 5) == 0 ? c + 5 : c;
	_cleanup_mnt_ struct cinch_mnt sub = CINCH_MNT_INIT;
	_cleanup_close_ int at = -1;
	int r;

	if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return cinch_error_set(err, EINVAL, "cgroup hierarchy name %s", name);
	if (mkdirat(dir, name, 0755) < 0)
		return cinch_error_errno(err, errno, "mkdir %s", name);
	at = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (at < 0)
		return cinch_error_errno(err, errno, "%s", name);
	r = own_subtree(&sub, c, l->path, attrs, at, err);
	if (r < 0)
		return cinch_error_prefix(err, "cgroup hierarchy %s", name);
	/* "cpu" and "cpuacct" lead to "cpu,cpuacct", as on the host. */
	if (strchr(name, ',') && strncmp(c, "name=", 5) != 0) {
		_cleanup_free_ char *list = strdup(name);
		char *tok, *save = NULL;

		if (!list)
			return cinch_error_errno(err, ENOMEM, "%s", name);
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (symlinkat(name, dir, tok) < 0 && errno != EEXIST)
				return cinch_error_errno(err, errno, "symlink %s", tok);
	}
	return 0;
}

/* Whether this mount namespace has a cgroup2 mount at all. */
static bool cgroup2_mounted(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	while (f && getline(&line, &cap, f) > 0)
		if (strstr(line, " - cgroup2 "))
			return true;
	return false;
}

static int mount_v1(const struct cinch_mount_opts *o, int target, struct cinch_error *err)
{
	struct cg_line lines[32];
	size_t n = 0;
	_cleanup_mnt_ struct cinch_mnt tmp = CINCH_MNT_INIT;
	_cleanup_close_ int dir = -1;
	/* Read-only is applied to the whole tree once it is populated. */
	uint64_t attrs = o->attr_set & ~(uint64_t)MOUNT_ATTR_RDONLY;
	int r;

	r = cinch_mnt_fs(&tmp, "tmpfs", "cgroup", "mode=755", 0, attrs, err);
	if (r < 0)
		return cinch_error_prefix(err, "tmpfs for cgroup v1");
	r = cinch_mnt_attach(&tmp, target, err);
	if (r < 0)
		return r;
	dir = openat(tmp.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return cinch_error_errno(err, errno, "cgroup tmpfs");
	r = read_own_cgroups(lines, N_ELEMENTS(lines), &n, err);
	/* The kernel always lists a "0::" line. Where nothing mounts cgroup2
	 * (a v1-only host, as runc shows it), the container gets no "unified"
	 * either: a fresh mount would be the host's whole v2 hierarchy when
	 * there is no cgroup namespace, and re-apply its options there. */
	bool v2 = cgroup2_mounted();
	for (size_t i = 0; r >= 0 && i < n; i++)
		if (lines[i].controllers[0] != '\0' || v2)
			r = add_hierarchy(dir, &lines[i], attrs, err);
	free_lines(lines, n);
	if (r < 0)
		return r;
	if ((o->attr_set & MOUNT_ATTR_RDONLY) &&
	    cinch_mount_setattr_fd(tmp.fd, true, MOUNT_ATTR_RDONLY, 0, err) < 0)
		return cinch_error_prefix(err, "making the cgroup tree read-only");
	return finish(tmp.fd, o, err);
}

int cinch_mount_cgroup(struct rootfs_env *env, const struct cinch_mount *m,
		       const struct cinch_mount_opts *o, int target_fd, struct cinch_error *err)
{
	struct statfs sfs;
	bool unified = strcmp(m->type, "cgroup2") == 0;

	(void)env;
	if (!unified && statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
		unified = true;
	return unified ? mount_unified(o, target_fd, err) : mount_v1(o, target_fd, err);
}
