/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.cgroupsPath handling: normalising cgroupfs paths (no escaping the
 * hierarchy root), resolving relative paths against cinch's own cgroup, the
 * systemd "slice:prefix:name" form and slice-name expansion, and mapping a
 * hierarchy-relative path to a directory under the mount point.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "src/cgroup/internal.h"

int cg_path_normalize(const char *path, char **ret, struct cinch_error *err)
{
	size_t len = strlen(path);
	_cleanup_free_ char *out = malloc(len + 2);
	size_t o = 0;
	const char *p = path;

	if (!out)
		return cinch_error_errno(err, ENOMEM, "cgroup path");
	while (*p) {
		const char *slash;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return cinch_error_set(
			    err, EINVAL,
			    "linux.cgroupsPath \"%s\": \"..\" components are not "
			    "allowed",
			    path);
		if (!(n == 1 && p[0] == '.')) {
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	*ret = steal_pointer(&out);
	return 0;
}

static int check_id(const char *id, struct cinch_error *err)
{
	if (!id || !id[0] || strchr(id, '/') || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return cinch_error_set(
		    err, EINVAL, "container id \"%s\": not usable as a cgroup name", id ? id : "");
	return 0;
}

int cg_path_resolve(const char *cgroups_path, const char *id, const char *self, char **ret,
		    struct cinch_error *err)
{
	_cleanup_free_ char *norm = NULL, *joined = NULL;
	int r;

	if (!cgroups_path || !cgroups_path[0]) {
		r = check_id(id, err);
		if (r < 0)
			return r;
		if (asprintf(&joined, "%s/%s", CG_DEFAULT_PARENT, id) < 0)
			return cinch_error_errno(err, ENOMEM, "cgroup path");
		*ret = steal_pointer(&joined);
		return 0;
	}
	r = cg_path_normalize(cgroups_path, &norm, err);
	if (r < 0)
		return r;
	if (cgroups_path[0] == '/') {
		if (strcmp(norm, "/") == 0)
			return cinch_error_set(
			    err, EINVAL, "linux.cgroupsPath \"%s\": refers to the hierarchy root",
			    cgroups_path);
		*ret = steal_pointer(&norm);
		return 0;
	}
	/* Relative: below cinch's own cgroup in this hierarchy. */
	if (strcmp(norm, "/") == 0)
		return cinch_error_set(err, EINVAL,
				       "linux.cgroupsPath \"%s\": refers to cinch's own cgroup",
				       cgroups_path);
	if (asprintf(&joined, "%s%s", (self && strcmp(self, "/") != 0) ? self : "", norm) < 0)
		return cinch_error_errno(err, ENOMEM, "cgroup path");
	r = cg_path_normalize(joined, ret, err);
	return r;
}

static bool unit_name_ok(const char *s)
{
	if (!s[0])
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(":_.-\\@", *s)))
			return false;
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int cg_systemd_slice_path(const char *slice, char **ret, struct cinch_error *err)
{
	_cleanup_free_ char *name = NULL, *out = NULL;
	size_t n, o = 0, cap;

	if (strcmp(slice, "-.slice") == 0) {
		*ret = strdup("/");
		return *ret ? 0 : cinch_error_errno(err, ENOMEM, "slice");
	}
	if (!ends_with(slice, ".slice") || !unit_name_ok(slice) || strchr(slice, '/'))
		return cinch_error_set(err, EINVAL, "systemd slice \"%s\": not a valid slice name",
				       slice);
	name = strndup(slice, strlen(slice) - strlen(".slice"));
	if (!name)
		return cinch_error_errno(err, ENOMEM, "slice");
	n = strlen(name);
	if (n == 0 || name[0] == '-' || name[n - 1] == '-' || strstr(name, "--"))
		return cinch_error_set(err, EINVAL, "systemd slice \"%s\": not a valid slice name",
				       slice);
	/* "a-b-c.slice" lives in a.slice/a-b.slice/a-b-c.slice */
	cap = (n + 8) * (n + 1);
	out = malloc(cap);
	if (!out)
		return cinch_error_errno(err, ENOMEM, "slice");
	for (size_t i = 0; i <= n; i++) {
		if (i == n || name[i] == '-')
			o += (size_t)snprintf(out + o, cap - o, "/%.*s.slice", (int)i, name);
	}
	*ret = steal_pointer(&out);
	return 0;
}

int cg_systemd_parse(const char *cgroups_path, const char *id, char **ret_slice, char **ret_unit,
		     struct cinch_error *err)
{
	_cleanup_free_ char *copy = NULL, *slice = NULL, *unit = NULL, *sp = NULL;
	char *prefix, *name, *c1, *c2;
	int r;

	if (!cgroups_path || !cgroups_path[0]) {
		r = check_id(id, err);
		if (r < 0)
			return r;
		slice = strdup("system.slice");
		if (!slice || asprintf(&unit, "cinch-%s.scope", id) < 0)
			return cinch_error_errno(err, ENOMEM, "systemd unit");
		goto done;
	}
	copy = strdup(cgroups_path);
	if (!copy)
		return cinch_error_errno(err, ENOMEM, "systemd unit");
	c1 = strchr(copy, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c1 || !c2 || strchr(c2 + 1, ':'))
		return cinch_error_set(err, EINVAL,
				       "linux.cgroupsPath \"%s\": expected \"slice:prefix:name\" "
				       "for the systemd cgroup driver",
				       cgroups_path);
	*c1 = *c2 = '\0';
	prefix = c1 + 1;
	name = c2 + 1;
	slice = strdup(copy[0] ? copy : "system.slice");
	if (!slice)
		return cinch_error_errno(err, ENOMEM, "systemd unit");
	if (!name[0] || ends_with(name, ".slice"))
		return cinch_error_set(err, EINVAL,
				       "linux.cgroupsPath \"%s\": the name must be a non-empty "
				       "scope name (creating slices is not supported)",
				       cgroups_path);
	if (prefix[0] ? asprintf(&unit, "%s-%s.scope", prefix, name) < 0
		      : asprintf(&unit, "%s.scope", name) < 0)
		return cinch_error_errno(err, ENOMEM, "systemd unit");
	if (!unit_name_ok(unit) || strlen(unit) > 255)
		return cinch_error_set(err, EINVAL,
				       "linux.cgroupsPath \"%s\": \"%s\" is not a valid unit name",
				       cgroups_path, unit);
done:
	r = cg_systemd_slice_path(slice, &sp, err);
	if (r < 0)
		return cinch_error_prefix(err, "linux.cgroupsPath \"%s\"",
					  cgroups_path ? cgroups_path : "");
	*ret_slice = steal_pointer(&slice);
	*ret_unit = steal_pointer(&unit);
	return 0;
}

int cg_hier_dir(const struct cg_hier *h, const char *path, char **ret, struct cinch_error *err)
{
	const char *rest = path;
	size_t rl = strlen(h->root);
	char *out;

	if (strcmp(h->root, "/") != 0) {
		if (strncmp(path, h->root, rl) != 0 || (path[rl] != '/' && path[rl] != '\0'))
			return cinch_error_set(err, EINVAL,
					       "cgroup %s is outside the part of the hierarchy "
					       "mounted at %s",
					       path, h->mount);
		rest = path + rl;
	}
	if (asprintf(&out, "%s%s", h->mount, strcmp(rest, "/") == 0 ? "" : rest) < 0)
		return cinch_error_errno(err, ENOMEM, "cgroup path");
	*ret = out;
	return 0;
}
