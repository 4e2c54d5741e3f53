/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v1 specifics: the freezer (FROZEN/THAWED, re-requested while the
 * kernel reports FREEZING), cpuset initialisation (an empty cpuset.cpus or
 * cpuset.mems makes joining fail, so they are copied from the parent), and
 * the devices controller (deny everything, then the rule list in order).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "src/cgroup/internal.h"

static int freezer_dir(struct cinch_cgroup *cg, char **ret, struct cinch_error *err)
{
	struct cg_hier *h = cg_find_hier(cg, CG_HIER_V1, "freezer");

	if (!h)
		return cinch_error_set(err, EOPNOTSUPP,
				       "cgroup v1 freezer: controller not mounted on this host");
	return cg_hier_dir(h, h->path, ret, err);
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

int cg_v1_freeze(struct cinch_cgroup *cg, bool freeze, struct cinch_error *err)
{
	const char *want = freeze ? "FROZEN" : "THAWED";
	_cleanup_free_ char *dir = NULL;
	int r;

	r = freezer_dir(cg, &dir, err);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < 1000; i++) {
		_cleanup_free_ char *state = NULL;
		struct timespec ts = {0, (i < 10 ? 1 : 10) * 1000000L};

		/* Writing again nudges a freeze stuck in FREEZING. */
		if (i % 10 == 0) {
			r = cg_write(dir, "freezer.state", want);
			if (r < 0)
				return cinch_error_errno(err, -r,
							 "cgroup v1 freezer: cannot set "
							 "freezer.state to %s in %s",
							 want, dir);
		}
		r = cg_read(dir, "freezer.state", &state);
		if (r < 0)
			return cinch_error_errno(err, -r, "cgroup v1 freezer: reading %s", dir);
		trim(state);
		if (strcmp(state, want) == 0)
			return 0;
		nanosleep(&ts, NULL);
	}
	if (freeze)
		cg_write(dir, "freezer.state", "THAWED");
	return cinch_error_set(err, ETIMEDOUT, "cgroup v1 freezer: %s did not become %s", dir,
			       want);
}

int cg_v1_is_frozen(struct cinch_cgroup *cg, bool *ret, struct cinch_error *err)
{
	_cleanup_free_ char *dir = NULL, *state = NULL;
	int r;

	r = freezer_dir(cg, &dir, err);
	if (r < 0)
		return r;
	r = cg_read(dir, "freezer.state", &state);
	if (r < 0)
		return cinch_error_errno(err, -r, "cgroup v1 freezer: reading %s", dir);
	trim(state);
	*ret = strcmp(state, "THAWED") != 0;
	return 0;
}

static int copy_if_empty(const char *parent, const char *dir, const char *file,
			 struct cinch_error *err)
{
	_cleanup_free_ char *cur = NULL, *pv = NULL;
	int r;

	r = cg_read(dir, file, &cur);
	if (r < 0)
		return cinch_error_errno(err, -r, "cgroup v1 cpuset: reading %s/%s", dir, file);
	trim(cur);
	if (cur[0])
		return 0;
	r = cg_read(parent, file, &pv);
	if (r < 0)
		return cinch_error_errno(err, -r, "cgroup v1 cpuset: reading %s/%s", parent, file);
	trim(pv);
	r = cg_write(dir, file, pv);
	if (r < 0)
		return cinch_error_errno(err, -r, "cgroup v1 cpuset: cannot set %s/%s to \"%s\"",
					 dir, file, pv);
	return 0;
}

int cg_v1_prepare_cpuset(struct cg_hier *h, struct cinch_error *err)
{
	_cleanup_free_ char *leaf = NULL;
	size_t base = strlen(h->mount);
	int r;

	r = cg_hier_dir(h, h->path, &leaf, err);
	if (r < 0)
		return r;
	/* Top-down: each level copies from the one above it. */
	for (char *p = strchr(leaf + base + 1, '/');; p = strchr(p + 1, '/')) {
		_cleanup_free_ char *parent = NULL, *dir = NULL;
		char *slash;

		dir = p ? strndup(leaf, (size_t)(p - leaf)) : strdup(leaf);
		if (!dir)
			return cinch_error_errno(err, ENOMEM, "cgroup v1 cpuset");
		parent = strdup(dir);
		if (!parent)
			return cinch_error_errno(err, ENOMEM, "cgroup v1 cpuset");
		slash = strrchr(parent, '/');
		*slash = '\0';
		r = copy_if_empty(parent, dir, "cpuset.cpus", err);
		if (r >= 0)
			r = copy_if_empty(parent, dir, "cpuset.mems", err);
		if (r < 0)
			return r;
		if (!p)
			break;
	}
	return 0;
}

/* One open of devices.allow and of devices.deny for all rules: the kernel
 * takes one rule per write(2), and a cgroup file open costs more than the
 * write (a container's default list is 11 rules). */
static int open_devices_file(const char *dir, const char *file, int *fd, struct cinch_error *err)
{
	_cleanup_free_ char *path = NULL;

	if (*fd >= 0)
		return 0;
	if (asprintf(&path, "%s/%s", dir, file) < 0) {
		path = NULL;
		return cinch_error_errno(err, ENOMEM, "cgroup v1 devices");
	}
	*fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (*fd < 0)
		return cinch_error_errno(err, errno, "cgroup v1 devices: open %s", path);
	return 0;
}

int cg_v1_apply_devices(struct cinch_cgroup *cg, const struct cg_dev_rule *rules, size_t n,
			struct cinch_error *err)
{
	struct cg_hier *h = cg_find_hier(cg, CG_HIER_V1, "devices");
	_cleanup_close_ int allow_fd = -1;
	_cleanup_close_ int deny_fd = -1;
	_cleanup_free_ char *dir = NULL;
	int r;

	if (!h)
		return cinch_error_set(err, EOPNOTSUPP,
				       "cgroup v1 devices: controller not mounted on this host");
	r = cg_hier_dir(h, h->path, &dir, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		const char *file = rules[i].allow ? "devices.allow" : "devices.deny";
		int *fd = rules[i].allow ? &allow_fd : &deny_fd;
		char line[96];
		ssize_t written;
		size_t len;

		if (rules[i].access == 0)
			continue;
		if (cg_dev_rule_format_v1(&rules[i], line, sizeof(line)) < 0)
			return cinch_error_set(err, EINVAL, "cgroup v1 devices: rule too long");
		r = open_devices_file(dir, file, fd, err);
		if (r < 0)
			return r;
		len = strlen(line);
		written = write(*fd, line, len);
		if (written < 0 || (size_t)written != len)
			return cinch_error_errno(err, written < 0 ? errno : EIO,
						 "cgroup v1 devices: cannot write \"%s\" to %s",
						 line, file);
	}
	return 0;
}
