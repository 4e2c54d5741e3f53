/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Applying a plan: each write goes to the hierarchy that carries its
 * controller (a v1 mount, or the unified hierarchy with the controller
 * enabled along the path), then device rules go to the v1 devices
 * controller or into a BPF program. The first failure stops and names the
 * controller, the file, the value and the kernel's reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "src/cgroup/internal.h"

const char *cg_backend_label(enum cinch_cgroup_backend b)
{
	switch (b) {
	case CINCH_CGROUP_V2:
		return "v2";
	case CINCH_CGROUP_V1:
		return "v1";
	case CINCH_CGROUP_SYSTEMD:
		return "systemd";
	default:
		return "?";
	}
}

struct cg_hier *cg_find_hier(struct cinch_cgroup *cg, enum cg_kind kind, const char *controller)
{
	for (size_t i = 0; i < cg->n_hiers; i++) {
		struct cg_hier *h = &cg->hiers[i];

		if (h->kind != kind)
			continue;
		if (kind == CG_HIER_UNIFIED || cg_hier_has(h, controller))
			return h;
	}
	return NULL;
}

struct cg_hier *cg_main_hier(struct cinch_cgroup *cg)
{
	static const char *const prefer[] = {"pids", "memory", "freezer", "cpu"};
	struct cg_hier *h;

	if (cg->backend != CINCH_CGROUP_V1)
		return cg_find_hier(cg, CG_HIER_UNIFIED, NULL);
	for (size_t i = 0; i < N_ELEMENTS(prefer); i++)
		if ((h = cg_find_hier(cg, CG_HIER_V1, prefer[i])))
			return h;
	return cg->n_hiers ? &cg->hiers[0] : NULL;
}

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n) {
		bool start = p == list || p[-1] == ' ' || p[-1] == '\n';
		bool end = p[n] == '\0' || p[n] == ' ' || p[n] == '\n';
		if (start && end)
			return true;
	}
	return false;
}

int cg_v2_enable_controllers(struct cinch_cgroup *cg, struct cg_hier *h, const char *controller,
			     struct cinch_error *err)
{
	_cleanup_free_ char *avail = NULL, *leaf = NULL, *enable = NULL;
	const char *label = cg_backend_label(cg->backend);
	size_t base_len = strlen(h->mount);
	int r;

	if (strcmp(controller, "cgroup") == 0)
		return 0; /* core files need no controller */
	r = cg_read(h->mount, "cgroup.controllers", &avail);
	if (r < 0)
		return cinch_error_errno(err, -r, "cgroup %s: %s/cgroup.controllers", label,
					 h->mount);
	if (!word_in(avail, controller))
		return cinch_error_set(err, EOPNOTSUPP,
				       "cgroup %s %s: controller not available on this host "
				       "(not in %s/cgroup.controllers)",
				       label, controller, h->mount);
	r = cg_hier_dir(h, h->path, &leaf, err);
	if (r < 0)
		return r;
	if (asprintf(&enable, "+%s", controller) < 0) {
		enable = NULL;
		return cinch_error_errno(err, ENOMEM, "cgroup");
	}
	/* Every ancestor from the mount down to the leaf's parent. */
	for (char *p = leaf + base_len; p && *p; p = strchr(p + 1, '/')) {
		_cleanup_free_ char *cur = NULL;
		char saved = *p;

		*p = '\0';
		r = cg_read(leaf, "cgroup.subtree_control", &cur);
		if (r >= 0 && !word_in(cur, controller))
			r = cg_write(leaf, "cgroup.subtree_control", enable);
		if (r < 0) {
			cinch_error_errno(err, -r,
					  "cgroup %s %s: cannot enable the controller in "
					  "%s/cgroup.subtree_control",
					  label, controller, leaf);
			*p = saved;
			return -err->code;
		}
		*p = saved;
	}
	return 0;
}

static const struct cg_write *find_in(const struct cg_plan *plan, const char *file)
{
	return cg_plan_find(plan, file);
}

static int apply_one(struct cinch_cgroup *cg, const struct cg_plan *plan, const struct cg_write *w,
		     struct cinch_error *err)
{
	const char *label = cg_backend_label(cg->backend);
	_cleanup_free_ char *dir = NULL;
	const char *file = w->file, *value = w->value;
	struct cg_hier *h = cg_find_hier(cg, w->kind, w->controller);
	int r;

	if (!h)
		return cinch_error_set(err, EOPNOTSUPP,
				       "cgroup %s %s: controller not mounted on this host "
				       "(needed for %s)",
				       label, w->controller, w->file);
	if (h->kind == CG_HIER_UNIFIED) {
		r = cg_v2_enable_controllers(cg, h, w->controller, err);
		if (r < 0)
			return r;
	}
	r = cg_hier_dir(h, h->path, &dir, err);
	if (r < 0)
		return r;
	r = cg_write(dir, file, value);
	if (r == -ENOENT && w->alt_file) {
		file = w->alt_file;
		value = w->alt_value;
		r = cg_write(dir, file, value);
	}
	if (r == -EINVAL && strcmp(w->file, "memory.limit_in_bytes") == 0) {
		/* Raising the limit above memsw: memsw first, then retry. */
		const struct cg_write *sw = find_in(plan, "memory.memsw.limit_in_bytes");
		if (sw && cg_write(dir, sw->file, sw->value) == 0)
			r = cg_write(dir, file, value);
	}
	if (r == -ENOENT && w->from_unified)
		return cinch_error_set(err, ENOENT,
				       "linux.resources.unified[\"%s\"]: no such interface file "
				       "in %s (is the %s controller enabled?)",
				       w->file, dir, w->controller);
	if (r < 0)
		return cinch_error_errno(err, -r, "cgroup %s %s: cannot set %s to %s", label,
					 w->controller, file, value);
	return 0;
}

int cg_apply_plan(struct cinch_cgroup *cg, const struct cg_plan *plan, bool update,
		  struct cinch_error *err)
{
	int r;

	for (size_t i = 0; i < plan->len; i++) {
		r = apply_one(cg, plan, &plan->items[i], err);
		if (r < 0)
			return r;
	}
	if (!plan->devices || update)
		return 0;
	if (cg->backend == CINCH_CGROUP_V1)
		return cg_v1_apply_devices(cg, plan->dev_rules, plan->n_dev_rules, err);
	{
		struct cg_hier *h = cg_find_hier(cg, CG_HIER_UNIFIED, NULL);
		_cleanup_free_ char *dir = NULL;

		if (!h)
			return cinch_error_set(err, ENOENT, "cgroup v2: no unified hierarchy");
		r = cg_hier_dir(h, h->path, &dir, err);
		if (r < 0)
			return r;
		return cg_bpf_devices_apply(dir, plan->dev_rules, plan->n_dev_rules, err);
	}
}
