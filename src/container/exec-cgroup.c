/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `exec --cgroup [CONTROLLER[,CONTROLLER]:]PATH`: after the exec process
 * joined the container's cgroups, it moves on into an existing sub-cgroup
 * PATH of them (in every hierarchy, or only in those of the controllers
 * named). PATH is relative to the container's cgroup and may not climb out
 * of it. The hierarchies and their mount points are read from the kernel
 * (/proc/<pid>/cgroup, /proc/self/mountinfo), as cinch sees them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "internal.h"

struct sub_spec {
	char *controllers; /* "cpu,memory" or NULL for every hierarchy */
	char *path;	   /* relative, cleaned */
};

/* Every controller of `want` is in the comma-separated list `have`. */
static bool has_controllers(const char *have, const char *want)
{
	_cleanup_free_ char *copy = strdup(want);
	char *save, *tok;

	if (!copy)
		return false;
	save = copy;
	while ((tok = strsep(&save, ","))) {
		size_t n = strlen(tok);
		const char *p = have;
		bool found = false;

		while (p && *p && !found) {
			const char *end = strchr(p, ',');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			found = len == n && strncmp(p, tok, n) == 0;
			p = end ? end + 1 : NULL;
		}
		if (!found)
			return false;
	}
	return true;
}

static int parse_spec(const char *text, struct sub_spec *s, struct cinch_error *err)
{
	const char *colon = strchr(text, ':');
	const char *path = colon ? colon + 1 : text;

	if (colon) {
		s->controllers = strndup(text, (size_t)(colon - text));
		if (!s->controllers)
			return cinch_error_set(err, ENOMEM, "--cgroup: out of memory");
		if (!s->controllers[0])
			return cinch_error_set(err, EINVAL, "--cgroup %s: empty controller list",
					       text);
	}
	while (*path == '/')
		path++;
	if (!path[0])
		return cinch_error_set(err, EINVAL, "--cgroup %s: empty sub-cgroup path", text);
	for (const char *p = path; p; p = strchr(p, '/') ? strchr(p, '/') + 1 : NULL)
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
			return cinch_error_set(
			    err, EINVAL,
			    "--cgroup %s: the path must stay below the container's "
			    "cgroup",
			    text);
	s->path = strdup(path);
	if (!s->path)
		return cinch_error_set(err, ENOMEM, "--cgroup: out of memory");
	return 0;
}

/* Mount point of the hierarchy with `controllers` ("" for cgroup2) whose
 * root is a prefix of cgpath; *ret_rel is cgpath below that root. */
static int find_mount(const char *controllers, const char *cgpath, char **ret_mnt,
		      const char **ret_rel)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char root[4096], mnt[4096], fstype[64], opts[1024];
		const char *sep = strstr(line, " - ");
		size_t rlen;

		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
		    sscanf(sep + 3, "%63s %*s %1023s", fstype, opts) != 2)
			continue;
		if (controllers[0]
			? strcmp(fstype, "cgroup") != 0 || !has_controllers(opts, controllers)
			: strcmp(fstype, "cgroup2") != 0)
			continue;
		rlen = strcmp(root, "/") == 0 ? 0 : strlen(root);
		if (strncmp(cgpath, root, rlen) != 0 || (cgpath[rlen] != '/' && cgpath[rlen]))
			continue;
		*ret_mnt = strdup(mnt);
		*ret_rel = cgpath + rlen;
		return *ret_mnt ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

static int move_into(pid_t pid, const char *dir, const char *text, struct cinch_error *err)
{
	_cleanup_close_ int dfd = open(dir, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int fd = -1;
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%d", (int)pid);

	if (dfd < 0)
		return cinch_error_errno(err, errno, "--cgroup %s: %s", text, dir);
	fd = openat(dfd, "cgroup.procs", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || write(fd, buf, (size_t)len) != len)
		return cinch_error_errno(err, errno, "--cgroup %s: join %s", text, dir);
	return 0;
}

int container_exec_enter_sub(pid_t pid, const char *text, struct cinch_error *err)
{
	struct sub_spec s = {0};
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	char path[64];
	size_t cap = 0;
	int joined = 0, r;

	r = parse_spec(text, &s, err);
	if (r < 0)
		goto out;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f) {
		r = cinch_error_errno(err, errno, "--cgroup %s: open %s", text, path);
		goto out;
	}
	/* "<id>:<controllers>:<path>", id 0 with no controllers is cgroup2. */
	while (getline(&line, &cap, f) > 0) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		_cleanup_free_ char *mnt = NULL;
		_cleanup_free_ char *dir = NULL;
		const char *rel;

		if (!c2)
			continue;
		*c2 = '\0';
		c2[1 + strcspn(c2 + 1, "\n")] = '\0';
		if (s.controllers && (!c1[1] || !has_controllers(c1 + 1, s.controllers)))
			continue;
		if (find_mount(c1 + 1, c2 + 1, &mnt, &rel) < 0)
			continue; /* a hierarchy cinch does not see mounted */
		if (asprintf(&dir, "%s%s/%s", mnt, rel, s.path) < 0) {
			r = cinch_error_set(err, ENOMEM, "--cgroup: out of memory");
			goto out;
		}
		r = move_into(pid, dir, text, err);
		if (r < 0)
			goto out;
		joined++;
	}
	if (!joined)
		r = cinch_error_set(err, ENOENT, "--cgroup %s: no cgroup hierarchy matches", text);
out:
	free(s.controllers);
	free(s.path);
	return r;
}
