/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v2 operations on the unified hierarchy (also used for systemd
 * scopes): freezing through cgroup.freeze, waiting for cgroup.events to say
 * so, and killing everything through cgroup.kill.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cinch/cleanup.h"
#include "src/cgroup/internal.h"

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Value of "key N" in a flat keyed file such as cgroup.events; -1 if absent. */
static long keyed_value(const char *buf, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ' ')
			return strtol(p + n + 1, NULL, 10);
	return -1;
}

static int leaf_dir(struct cinch_cgroup *cg, struct cg_hier **ret_h, char **ret,
		    struct cinch_error *err)
{
	struct cg_hier *h = cg_find_hier(cg, CG_HIER_UNIFIED, NULL);

	if (!h || !h->path)
		return cinch_error_set(err, ENOENT, "cgroup %s: no cgroup for container %s",
				       cg_backend_label(cg->backend), cg->id);
	if (ret_h)
		*ret_h = h;
	return cg_hier_dir(h, h->path, ret, err);
}

/* Waits until cgroup.events has key == want (about 10 s at most). */
static int wait_events(const char *dir, const char *key, long want)
{
	for (unsigned i = 0; i < 1000; i++) {
		_cleanup_free_ char *ev = NULL;
		int r = cg_read(dir, "cgroup.events", &ev);

		if (r < 0)
			return r;
		if (keyed_value(ev, key) == want)
			return 0;
		sleep_ms(i < 10 ? 1 : 10);
	}
	return -ETIMEDOUT;
}

int cg_v2_freeze(struct cinch_cgroup *cg, bool freeze, struct cinch_error *err)
{
	const char *label = cg_backend_label(cg->backend);
	_cleanup_free_ char *dir = NULL;
	int r;

	r = leaf_dir(cg, NULL, &dir, err);
	if (r < 0)
		return r;
	r = cg_write(dir, "cgroup.freeze", freeze ? "1" : "0");
	if (r == -ENOENT)
		return cinch_error_set(err, EOPNOTSUPP,
				       "cgroup %s freezer: %s/cgroup.freeze does not exist "
				       "(kernel older than 5.2)",
				       label, dir);
	if (r < 0)
		return cinch_error_errno(
		    err, -r, "cgroup %s freezer: cannot write %s/cgroup.freeze", label, dir);
	r = wait_events(dir, "frozen", freeze ? 1 : 0);
	if (r < 0) {
		if (freeze)
			cg_write(dir, "cgroup.freeze", "0"); /* do not leave it half frozen */
		return cinch_error_errno(err, -r, "cgroup %s freezer: waiting for %s to be %s",
					 label, dir, freeze ? "frozen" : "thawed");
	}
	return 0;
}

int cg_v2_is_frozen(struct cinch_cgroup *cg, bool *ret, struct cinch_error *err)
{
	_cleanup_free_ char *dir = NULL, *buf = NULL;
	int r;

	r = leaf_dir(cg, NULL, &dir, err);
	if (r < 0)
		return r;
	r = cg_read(dir, "cgroup.freeze", &buf);
	if (r == -ENOENT) {
		*ret = false;
		return 0;
	}
	if (r < 0)
		return cinch_error_errno(err, -r, "cgroup %s: reading %s/cgroup.freeze",
					 cg_backend_label(cg->backend), dir);
	*ret = buf[0] == '1';
	return 0;
}

int cg_v2_kill_all(struct cg_hier *h, struct cinch_error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r;

	r = cg_hier_dir(h, h->path, &dir, err);
	if (r < 0)
		return r;
	if (!cg_exists(dir, "cgroup.procs"))
		return 0;
	r = cg_write(dir, "cgroup.kill", "1");
	if (r == -ENOENT) {
		/* Before 5.14: signal each process; frozen ones die on SIGKILL too. */
		for (unsigned i = 0; i < 20; i++) {
			_cleanup_free_ pid_t *pids = NULL;
			size_t n = 0;

			r = cg_read_pids(dir, &pids, &n);
			if (r < 0 || n == 0)
				break;
			cg_kill_pids(dir, SIGKILL, true);
			sleep_ms(10);
		}
		r = 0;
	}
	if (r < 0)
		return cinch_error_errno(err, -r, "cgroup v2: cannot kill the processes in %s",
					 dir);
	r = wait_events(dir, "populated", 0);
	if (r < 0 && r != -ENOENT)
		return cinch_error_errno(err, -r, "cgroup v2: waiting for %s to empty", dir);
	return 0;
}
