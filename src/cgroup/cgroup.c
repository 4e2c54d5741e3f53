/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The public cgroup manager: backend detection at open, and dispatch of
 * create / enter / update / freeze / signal / destroy to the v2, v1 and
 * systemd code. create() removes everything it made when any limit fails.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cinch/cleanup.h"
#include "cinch/log.h"
#include "src/cgroup/internal.h"

static const struct cinch_resources no_resources;

enum cinch_cgroup_backend cinch_cgroup_backend(const struct cinch_cgroup *cg)
{
	return cg->backend;
}

void cinch_cgroup_free(struct cinch_cgroup *cg)
{
	if (!cg)
		return;
	cg_hiers_free(cg->hiers, cg->n_hiers);
	free(cg->id);
	free(cg->slice);
	free(cg->unit);
	if (cg->pending) {
		cg_plan_free(cg->pending);
		free(cg->pending);
	}
	free(cg);
}

static void cgroup_freep(struct cinch_cgroup **cg)
{
	cinch_cgroup_free(*cg);
}

const char *cinch_cgroup_path(const struct cinch_cgroup *cg)
{
	struct cg_hier *h = cg_main_hier((struct cinch_cgroup *)cg);

	return h ? h->path : NULL;
}

static int open_systemd(struct cinch_cgroup *cg, const struct cinch_cgroup_config *cfg,
			bool unified_only, struct cinch_error *err)
{
	_cleanup_free_ char *slice_path = NULL;
	int r;

	if (!cg_systemd_running())
		return cinch_error_set(err, EOPNOTSUPP,
				       "systemd cgroup driver requested but systemd is not running "
				       "on this host");
	if (!unified_only)
		return cinch_error_set(err, EOPNOTSUPP,
				       "systemd cgroup driver: this host has cgroup v1/hybrid "
				       "hierarchies; cinch's systemd driver needs cgroup v2");
	r = cg_systemd_parse(cfg->cgroups_path, cfg->container_id, &cg->slice, &cg->unit, err);
	if (r < 0)
		return r;
	r = cg_systemd_slice_path(cg->slice, &slice_path, err);
	if (r < 0)
		return r;
	if (asprintf(&cg->hiers[0].path, "%s/%s", strcmp(slice_path, "/") ? slice_path : "",
		     cg->unit) < 0) {
		cg->hiers[0].path = NULL;
		return cinch_error_errno(err, ENOMEM, "cgroup");
	}
	cg->backend = CINCH_CGROUP_SYSTEMD;
	return 0;
}

int cinch_cgroup_open(const struct cinch_cgroup_config *cfg, struct cinch_cgroup **ret,
		      struct cinch_error *err)
{
	__attribute__((cleanup(cgroup_freep))) struct cinch_cgroup *cg = NULL;
	bool unified_only = false;
	int r;

	if (!cfg->container_id || !cfg->container_id[0])
		return cinch_error_set(err, EINVAL, "cgroup: container id is empty");
	cg = calloc(1, sizeof(*cg));
	if (!cg || !(cg->id = strdup(cfg->container_id)))
		return cinch_error_errno(err, ENOMEM, "cgroup");
	r = cg_scan_hierarchies("/proc/self/mountinfo", "/proc/cgroups", "/proc/self/cgroup",
				&cg->hiers, &cg->n_hiers, &unified_only, err);
	if (r < 0)
		return r;
	if (cfg->systemd) {
		r = open_systemd(cg, cfg, unified_only, err);
		if (r < 0)
			return r;
		*ret = steal_pointer(&cg);
		return 0;
	}
	cg->backend = unified_only ? CINCH_CGROUP_V2 : CINCH_CGROUP_V1;
	for (size_t i = 0; i < cg->n_hiers; i++) {
		r = cg_path_resolve(cfg->cgroups_path, cfg->container_id, cg->hiers[i].self,
				    &cg->hiers[i].path, err);
		if (r < 0)
			return r;
	}
	*ret = steal_pointer(&cg);
	return 0;
}

static int build_plan(struct cinch_cgroup *cg, const struct cinch_resources *r, bool update,
		      struct cg_plan *plan, struct cinch_error *err)
{
	int ret;

	if (cg->backend != CINCH_CGROUP_V1)
		return cg_v2_plan(r, update, plan, err);
	ret = cg_v1_plan(r, update, plan, err);
	/* Hybrid hosts may carry hugetlb on the unified hierarchy only. */
	if (ret >= 0)
		ret = cg_plan_hugetlb(
		    r, cg_find_hier(cg, CG_HIER_V1, "hugetlb") ? CG_HIER_V1 : CG_HIER_UNIFIED, plan,
		    err);
	if (ret >= 0)
		ret = cg_plan_unified(r, plan, err);
	return ret;
}

/* Removes what create() made in every hierarchy; keeps the first error. */
static int remove_all(struct cinch_cgroup *cg, struct cinch_error *err)
{
	const char *label = cg_backend_label(cg->backend);
	int first = 0;

	for (size_t i = 0; i < cg->n_hiers; i++) {
		struct cinch_error e2;
		int r = cg_remove_tree(&cg->hiers[i], label, first ? &e2 : err);

		if (r < 0 && !first)
			first = r;
		if (r >= 0) {
			free(cg->hiers[i].created_from);
			cg->hiers[i].created_from = NULL;
		}
	}
	return first;
}

static int make_dirs(struct cinch_cgroup *cg, struct cinch_error *err)
{
	const char *label = cg_backend_label(cg->backend);

	for (size_t i = 0; i < cg->n_hiers; i++) {
		struct cg_hier *h = &cg->hiers[i];
		_cleanup_free_ char *dir = NULL, *procs = NULL;
		int r;

		r = cg_mkdir_tree(h, h->path, &h->created_from, err);
		if (r < 0)
			return r;
		if (!h->created_from) {
			/* Joining an existing cgroup is fine only while it is empty:
			 * destroy() must never kill somebody else's processes. */
			r = cg_hier_dir(h, h->path, &dir, err);
			if (r < 0)
				return r;
			if (cg_read(dir, "cgroup.procs", &procs) >= 0 && procs[0])
				return cinch_error_set(err, EEXIST,
						       "cgroup %s: %s already exists and has "
						       "processes in it",
						       label, dir);
		}
		if (h->kind == CG_HIER_V1 && cg_hier_has(h, "cpuset")) {
			r = cg_v1_prepare_cpuset(h, err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Controllers enabled for stats even when no limit asks for them; a
 * failure here is not an error (no limit depends on it). */
static void enable_for_stats(struct cinch_cgroup *cg)
{
	struct cg_hier *h = cg_find_hier(cg, CG_HIER_UNIFIED, NULL);
	_cleanup_free_ char *avail = NULL;
	char *save = NULL;

	if (!h || cg->backend != CINCH_CGROUP_V2 ||
	    cg_read(h->mount, "cgroup.controllers", &avail) < 0)
		return;
	for (char *t = strtok_r(avail, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
		struct cinch_error ignored;
		cg_v2_enable_controllers(cg, h, t, &ignored);
	}
}

int cinch_cgroup_create(struct cinch_cgroup *cg, const struct cinch_resources *resources,
			struct cinch_error *err)
{
	_cleanup_free_ struct cg_plan *plan = calloc(1, sizeof(*plan));
	int r;

	if (!plan)
		return cinch_error_errno(err, ENOMEM, "cgroup");
	r = build_plan(cg, resources ? resources : &no_resources, false, plan, err);
	if (r < 0) {
		cg_plan_free(plan);
		return r;
	}
	if (cg->backend == CINCH_CGROUP_SYSTEMD) {
		/* The scope starts in enter(), when its first pid is known. */
		if (cg->pending) {
			cg_plan_free(cg->pending);
			free(cg->pending);
		}
		cg->pending = steal_pointer(&plan);
		return 0;
	}
	r = make_dirs(cg, err);
	if (r >= 0) {
		enable_for_stats(cg);
		r = cg_apply_plan(cg, plan, false, err);
	}
	cg_plan_free(plan);
	if (r < 0) {
		struct cinch_error ignored;
		remove_all(cg, &ignored);
		return r;
	}
	return 0;
}

int cinch_cgroup_enter(struct cinch_cgroup *cg, pid_t pid, struct cinch_error *err)
{
	const char *label = cg_backend_label(cg->backend);
	char buf[32];
	int r;

	if (cg->backend == CINCH_CGROUP_SYSTEMD && !cg->unit_started) {
		struct cinch_error ignored;

		r = cg_systemd_start(cg, pid, cg->pending, err);
		if (r < 0)
			return r;
		cg->unit_started = true;
		if (cg->pending) {
			r = cg_apply_plan(cg, cg->pending, false, err);
			cg_plan_free(cg->pending);
			free(cg->pending);
			cg->pending = NULL;
			if (r < 0) {
				cg_systemd_stop(cg, &ignored);
				cg->unit_started = false;
				return r;
			}
		}
		return 0;
	}
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < cg->n_hiers; i++) {
		_cleanup_free_ char *dir = NULL;

		r = cg_hier_dir(&cg->hiers[i], cg->hiers[i].path, &dir, err);
		if (r < 0)
			return r;
		r = cg_write(dir, "cgroup.procs", buf);
		if (r < 0)
			return cinch_error_errno(err, -r, "cgroup %s: cannot move pid %d into %s",
						 label, (int)pid, dir);
	}
	return 0;
}

int cinch_cgroup_update(struct cinch_cgroup *cg, const struct cinch_resources *resources,
			struct cinch_error *err)
{
	struct cg_plan plan = {0};
	int r;

	if (!resources)
		return 0;
	r = build_plan(cg, resources, true, &plan, err);
	if (r >= 0 && cg->backend == CINCH_CGROUP_SYSTEMD && cg->unit_started)
		r = cg_systemd_set_properties(cg, &plan, err);
	if (r >= 0)
		r = cg_apply_plan(cg, &plan, true, err);
	cg_plan_free(&plan);
	return r;
}

int cinch_cgroup_freeze(struct cinch_cgroup *cg, struct cinch_error *err)
{
	return cg->backend == CINCH_CGROUP_V1 ? cg_v1_freeze(cg, true, err)
					      : cg_v2_freeze(cg, true, err);
}

int cinch_cgroup_thaw(struct cinch_cgroup *cg, struct cinch_error *err)
{
	return cg->backend == CINCH_CGROUP_V1 ? cg_v1_freeze(cg, false, err)
					      : cg_v2_freeze(cg, false, err);
}

int cinch_cgroup_is_frozen(struct cinch_cgroup *cg, bool *ret, struct cinch_error *err)
{
	return cg->backend == CINCH_CGROUP_V1 ? cg_v1_is_frozen(cg, ret, err)
					      : cg_v2_is_frozen(cg, ret, err);
}

static int main_dir(struct cinch_cgroup *cg, char **ret, struct cinch_error *err)
{
	struct cg_hier *h = cg_main_hier(cg);

	if (!h || !h->path)
		return cinch_error_set(err, ENOENT, "cgroup: no cgroup for container %s", cg->id);
	return cg_hier_dir(h, h->path, ret, err);
}

int cinch_cgroup_pids(struct cinch_cgroup *cg, pid_t **ret, size_t *ret_len,
		      struct cinch_error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r;

	r = main_dir(cg, &dir, err);
	if (r < 0)
		return r;
	r = cg_read_pids(dir, ret, ret_len);
	if (r == -ENOENT) {
		*ret = NULL;
		*ret_len = 0;
		return 0;
	}
	if (r < 0)
		return cinch_error_errno(err, -r, "cgroup %s: reading %s/cgroup.procs",
					 cg_backend_label(cg->backend), dir);
	return 0;
}

int cinch_cgroup_signal_all(struct cinch_cgroup *cg, int sig, struct cinch_error *err)
{
	_cleanup_free_ char *dir = NULL;
	struct cinch_error ignored;
	bool was_frozen = false, froze = false;
	int r;

	r = main_dir(cg, &dir, err);
	if (r < 0)
		return r;
	if (!cg_exists(dir, "cgroup.procs"))
		return 0; /* gone already: nothing left to signal */
	/* Freeze first so that nothing forks past the signal. */
	if (cinch_cgroup_is_frozen(cg, &was_frozen, &ignored) >= 0 && !was_frozen)
		froze = cinch_cgroup_freeze(cg, &ignored) >= 0;
	r = cg_kill_pids(dir, sig, true);
	/* Frozen v1 tasks act on SIGKILL only once thawed. */
	if (froze || (was_frozen && sig == SIGKILL))
		cinch_cgroup_thaw(cg, &ignored);
	if (r < 0)
		return cinch_error_errno(err, -r, "cgroup %s: signalling the processes in %s",
					 cg_backend_label(cg->backend), dir);
	return 0;
}

static int v1_kill_and_wait(struct cinch_cgroup *cg, struct cinch_error *err)
{
	_cleanup_free_ char *dir = NULL;
	struct cinch_error ignored;
	bool frozen = false;
	int r;

	r = main_dir(cg, &dir, err);
	if (r < 0)
		return r;
	if (cg_find_hier(cg, CG_HIER_V1, "freezer") &&
	    cg_v1_is_frozen(cg, &frozen, &ignored) >= 0 && frozen)
		cg_v1_freeze(cg, false, &ignored);
	for (unsigned i = 0; i < 500; i++) {
		_cleanup_free_ pid_t *pids = NULL;
		size_t n = 0;
		struct timespec ts = {0, 10 * 1000000L};

		r = cg_read_pids(dir, &pids, &n);
		if (r == -ENOENT || (r >= 0 && n == 0))
			return 0;
		if (r < 0)
			return cinch_error_errno(err, -r, "cgroup v1: reading %s", dir);
		cg_kill_pids(dir, SIGKILL, true);
		nanosleep(&ts, NULL);
	}
	return cinch_error_set(err, EBUSY, "cgroup v1: processes in %s survived SIGKILL", dir);
}

int cinch_cgroup_destroy(struct cinch_cgroup *cg, struct cinch_error *err)
{
	struct cg_hier *main = cg_main_hier(cg);
	int r = 0;

	if (cg->backend == CINCH_CGROUP_SYSTEMD) {
		if (!cg->unit_started)
			return 0;
		r = cg_v2_kill_all(main, err);
		if (r >= 0)
			r = cg_systemd_stop(cg, err);
		if (r >= 0)
			cg->unit_started = false;
		return r;
	}
	if (!main || !main->created_from)
		return remove_all(cg, err); /* nothing of ours to kill */
	if (cg->backend == CINCH_CGROUP_V2)
		r = cg_v2_kill_all(main, err);
	else
		r = v1_kill_and_wait(cg, err);
	if (r < 0)
		return r;
	return remove_all(cg, err);
}
