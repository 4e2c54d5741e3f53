/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroupfs file and directory helpers: interface-file reads and writes,
 * creating a cgroup path while recording what was created, and removing it
 * again (sub-cgroups first, EBUSY retried with backoff, parents only when
 * this manager made them and nobody else uses them).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cinch/fdio.h"
#include "cinch/cleanup.h"
#include "src/cgroup/internal.h"

int cg_write(const char *dir, const char *file, const char *value)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);
	ssize_t n;

	if (asprintf(&path, "%s/%s", dir, file) < 0) {
		path = NULL;
		return -ENOMEM;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

int cg_read(const char *dir, const char *file, char **ret)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;

	if (asprintf(&path, "%s/%s", dir, file) < 0) {
		path = NULL;
		return -ENOMEM;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	/* Control files are small; cgroup.procs of a big container is not. */
	return cinch_read_all(fd, 64u << 20, ret, NULL);
}

bool cg_exists(const char *dir, const char *file)
{
	_cleanup_free_ char *path = NULL;

	if (asprintf(&path, "%s/%s", dir, file) < 0) {
		path = NULL;
		return false;
	}
	return access(path, F_OK) == 0;
}

static int append_pids(const char *dir, pid_t **pids, size_t *n)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	char *save = NULL;
	int r;

	r = cg_read(dir, "cgroup.procs", &buf);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (char *t = strtok_r(buf, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		pid_t *np = realloc(*pids, (*n + 1) * sizeof(**pids));

		if (!np)
			return -ENOMEM;
		*pids = np;
		np[(*n)++] = (pid_t)strtol(t, NULL, 10);
	}
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0) {
			sub = NULL;
			return -ENOMEM;
		}
		r = append_pids(sub, pids, n);
		if (r < 0)
			return r;
	}
	return 0;
}

int cg_read_pids(const char *dir, pid_t **ret, size_t *ret_len)
{
	pid_t *pids = NULL;
	size_t n = 0;
	int r = append_pids(dir, &pids, &n);

	if (r < 0) {
		free(pids);
		return r;
	}
	*ret = pids;
	*ret_len = n;
	return 0;
}

int cg_kill_pids(const char *dir, int sig, bool recursive)
{
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t n = 0;
	int r;

	if (recursive) {
		r = cg_read_pids(dir, &pids, &n);
		if (r < 0)
			return r;
	} else {
		char *save = NULL;

		r = cg_read(dir, "cgroup.procs", &buf);
		if (r < 0)
			return r;
		for (char *t = strtok_r(buf, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
			pid_t *np = realloc(pids, (n + 1) * sizeof(*pids));
			if (!np)
				return -ENOMEM;
			pids = np;
			pids[n++] = (pid_t)strtol(t, NULL, 10);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (pids[i] > 0 && kill(pids[i], sig) < 0 && errno != ESRCH)
			return -errno;
	return 0;
}

static void backoff(unsigned attempt)
{
	/* 1, 2, 4 ... 128 ms, then 128 ms steps */
	long ms = attempt < 8 ? 1L << attempt : 128;
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* rmdir with sub-cgroups first. A cgroup whose last task just exited can
 * report EBUSY for a short while; that is retried (~5 s in all). */
static int remove_dir(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	int r;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0) {
			sub = NULL;
			return -ENOMEM;
		}
		r = remove_dir(sub);
		if (r < 0)
			return r;
	}
	for (unsigned attempt = 0;; attempt++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || attempt >= 45)
			return -errno;
		backoff(attempt);
	}
}

int cg_mkdir_tree(const struct cg_hier *h, const char *path, char **ret_created_from,
		  struct cinch_error *err)
{
	_cleanup_free_ char *full = NULL, *created = NULL;
	size_t base_len = strlen(h->mount);
	int r;

	r = cg_hier_dir(h, path, &full, err);
	if (r < 0)
		return r;
	for (char *p = full + base_len + 1; p <= full + strlen(full); p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(full, 0755) == 0) {
			if (!created) {
				/* hierarchy-relative name of the first dir we made */
				const char *rest = full + base_len;
				if (asprintf(&created, "%s%s",
					     strcmp(h->root, "/") == 0 ? "" : h->root, rest) < 0) {
					created = NULL;
					*p = saved;
					return cinch_error_errno(err, ENOMEM, "cgroup path");
				}
			}
		} else if (errno != EEXIST) {
			int e = errno;
			struct cinch_error ignored;

			cinch_error_errno(err, e, "cgroup: cannot create %s", full);
			*p = saved;
			if (created) {
				/* roll back the directories made so far */
				_cleanup_free_ char *top = NULL;
				if (cg_hier_dir(h, created, &top, &ignored) >= 0)
					remove_dir(top);
			}
			return -e;
		}
		*p = saved;
	}
	*ret_created_from = steal_pointer(&created);
	return 0;
}

int cg_remove_tree(const struct cg_hier *h, const char *label, struct cinch_error *err)
{
	_cleanup_free_ char *dir = NULL, *parent = NULL;
	size_t top_len;
	int r;

	if (!h->created_from || !h->path)
		return 0; /* pre-existing cgroup: not ours to remove */
	r = cg_hier_dir(h, h->path, &dir, err);
	if (r < 0)
		return r;
	r = remove_dir(dir);
	if (r < 0)
		return cinch_error_errno(err, -r, "cgroup %s: cannot remove %s", label, dir);
	/* Parents we created, while empty: another container may share them. */
	parent = strdup(h->path);
	if (!parent)
		return cinch_error_errno(err, ENOMEM, "cgroup path");
	top_len = strlen(h->created_from);
	for (;;) {
		_cleanup_free_ char *pdir = NULL;
		char *slash = strrchr(parent, '/');

		if (!slash || slash == parent)
			break;
		*slash = '\0';
		if (strlen(parent) < top_len || strncmp(parent, h->created_from, top_len) != 0)
			break;
		if (cg_hier_dir(h, parent, &pdir, err) < 0)
			break;
		if (rmdir(pdir) < 0 && errno != ENOENT)
			break;
	}
	return 0;
}
