/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host detection: which cgroup hierarchies are mounted where (from
 * /proc/self/mountinfo), which v1 controllers exist (/proc/cgroups), and
 * cinch's own cgroup in each (/proc/self/cgroup), for relative cgroupsPath.
 * Nothing is hard-coded: hybrid hosts differ in what sits where.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "cinch/path.h"
#include "src/cgroup/internal.h"

void cg_hiers_free(struct cg_hier *h, size_t n)
{
	for (size_t i = 0; h && i < n; i++) {
		free(h[i].controllers);
		free(h[i].mount);
		free(h[i].root);
		free(h[i].self);
		free(h[i].path);
		free(h[i].created_from);
	}
	free(h);
}

bool cg_hier_has(const struct cg_hier *h, const char *controller)
{
	const char *p = h->controllers;
	size_t n = strlen(controller);

	if (!p)
		return false;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == n && strncmp(p, controller, n) == 0)
			return true;
		if (!comma)
			break;
		p = comma + 1;
	}
	return false;
}

static bool in_list(char **list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static int read_known_controllers(const char *path, char ***ret)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, n = 0;
	char **list = NULL;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char name[64];
		int hier, num, enabled;
		char **nl;

		if (line[0] == '#' ||
		    sscanf(line, "%63s %d %d %d", name, &hier, &num, &enabled) != 4)
			continue;
		if (!enabled)
			continue;
		nl = realloc(list, (n + 2) * sizeof(*nl));
		if (!nl)
			goto oom;
		list = nl;
		list[n] = strdup(name);
		if (!list[n])
			goto oom;
		list[++n] = NULL;
	}
	if (!list) {
		list = calloc(1, sizeof(*list));
		if (!list)
			return -ENOMEM;
	}
	*ret = list;
	return 0;
oom:
	cleanup_strvp(&list);
	return -ENOMEM;
}

/* Does "cpu,cpuacct" name the same set as "cpuacct,cpu"? */
static bool same_set(const char *a, const struct cg_hier *h)
{
	size_t count = 0, hcount = 1;
	_cleanup_free_ char *copy = strdup(a);
	char *save = NULL;

	if (!copy || !h->controllers)
		return false;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!cg_hier_has(h, t))
			return false;
		count++;
	}
	for (const char *p = h->controllers; *p; p++)
		hcount += *p == ',';
	return count == hcount;
}

static int read_self(const char *path, struct cg_hier *h, size_t n)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char *c1 = strchr(line, ':'), *c2, *nl;

		if (!c1 || !(c2 = strchr(c1 + 1, ':')))
			continue;
		*c2 = '\0';
		if ((nl = strchr(c2 + 1, '\n')))
			*nl = '\0';
		for (size_t i = 0; i < n; i++) {
			bool match =
			    h[i].kind == CG_HIER_UNIFIED ? c1[1] == '\0' : same_set(c1 + 1, &h[i]);
			if (match && !h[i].self) {
				h[i].self = strdup(c2 + 1);
				if (!h[i].self)
					return -ENOMEM;
			}
		}
	}
	return 0;
}

static int add_hier(struct cg_hier **list, size_t *n, enum cg_kind kind, const char *ctrls,
		    const char *mount, const char *root)
{
	struct cg_hier *nl = realloc(*list, (*n + 1) * sizeof(*nl));
	struct cg_hier *h;

	if (!nl)
		return -ENOMEM;
	*list = nl;
	h = &nl[*n];
	memset(h, 0, sizeof(*h));
	h->kind = kind;
	h->controllers = ctrls ? strdup(ctrls) : NULL;
	h->mount = strdup(mount);
	h->root = strdup(root);
	(*n)++;
	if ((ctrls && !h->controllers) || !h->mount || !h->root)
		return -ENOMEM;
	return 0;
}

int cg_scan_hierarchies(const char *mountinfo, const char *proc_cgroups, const char *self_cgroup,
			struct cg_hier **ret, size_t *ret_len, bool *ret_unified_only,
			struct cinch_error *err)
{
	_cleanup_strv_ char **known = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	struct cg_hier *list = NULL;
	char seen[64][32];
	size_t n = 0, nseen = 0, cap = 0;
	bool have_v1_ctrl = false;
	int r;

	r = read_known_controllers(proc_cgroups, &known);
	if (r < 0)
		return cinch_error_errno(err, -r, "%s", proc_cgroups);
	f = fopen(mountinfo, "re");
	if (!f)
		return cinch_error_errno(err, errno, "%s", mountinfo);
	while (getline(&line, &cap, f) > 0) {
		char majmin[32], root[4096], mnt[4096], fstype[64], source[256], opts[1024];
		_cleanup_free_ char *ctrls = NULL;
		char *sep = strstr(line, " - "), *save = NULL;
		size_t clen = 0;
		bool dup = false;

		/* Most lines are not cgroup mounts: skip them before the sscanf
		 * calls, which were most of the cost of a create's discovery. */
		if (!sep || strncmp(sep + 3, "cgroup", 6) != 0)
			continue;
		if (sscanf(line, "%*s %*s %31s %4095s %4095s", majmin, root, mnt) != 3 ||
		    sscanf(sep + 3, "%63s %255s %1023s", fstype, source, opts) != 3)
			continue;
		if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
			continue;
		for (size_t i = 0; i < nseen; i++)
			dup |= strcmp(seen[i], majmin) == 0;
		if (dup)
			continue; /* the same hierarchy mounted twice */
		if (nseen < N_ELEMENTS(seen))
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", majmin);
		cinch_path_unescape_mountinfo(root);
		cinch_path_unescape_mountinfo(mnt);
		if (strcmp(fstype, "cgroup2") == 0) {
			r = add_hier(&list, &n, CG_HIER_UNIFIED, NULL, mnt, root);
			if (r < 0)
				goto fail;
			continue;
		}
		ctrls = calloc(1, strlen(opts) + 1);
		if (!ctrls) {
			r = -ENOMEM;
			goto fail;
		}
		for (char *t = strtok_r(opts, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			bool named = strncmp(t, "name=", 5) == 0;

			if (!named && !in_list(known, t))
				continue;
			have_v1_ctrl |= !named;
			clen += (size_t)sprintf(ctrls + clen, "%s%s", clen ? "," : "", t);
		}
		if (clen == 0)
			continue;
		r = add_hier(&list, &n, CG_HIER_V1, ctrls, mnt, root);
		if (r < 0)
			goto fail;
	}
	if (n == 0) {
		cg_hiers_free(list, n);
		return cinch_error_set(err, ENOENT, "no cgroup hierarchy is mounted (%s)",
				       mountinfo);
	}
	if (!have_v1_ctrl) {
		/* Pure v2: keep only the unified hierarchy. */
		size_t k = 0;

		for (size_t i = 0; i < n; i++) {
			if (list[i].kind == CG_HIER_UNIFIED && k == 0) {
				struct cg_hier tmp = list[0];
				list[0] = list[i];
				list[i] = tmp;
				k = 1;
			}
		}
		if (k == 0) {
			cg_hiers_free(list, n);
			return cinch_error_set(err, ENOENT,
					       "no usable cgroup hierarchy is mounted");
		}
		for (size_t i = 1; i < n; i++) {
			free(list[i].controllers);
			free(list[i].mount);
			free(list[i].root);
		}
		n = 1;
	}
	r = read_self(self_cgroup, list, n);
	if (r < 0)
		goto fail;
	*ret = list;
	*ret_len = n;
	*ret_unified_only = !have_v1_ctrl;
	return 0;
fail:
	cg_hiers_free(list, n);
	return cinch_error_errno(err, -r, "reading cgroup mounts");
}
