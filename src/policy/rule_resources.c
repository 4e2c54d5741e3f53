/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rules "resources" and "rlimits".
 *  - resources: memory limit, pids limit and cpu shares get the policy's
 *    default when absent (or 0/-1, which engines use for "unset" and
 *    "unlimited"); a value above the maximum is clamped or refused
 *    (rules.resources.overMax). The same checks police `update`
 *    (rule_ctx.update, see policy/update.c) with update's meaning of 0.
 *  - rlimits: RLIMIT_CORE is forced to 0 (core dumps leak memory contents
 *    to the host's core pattern); RLIMIT_NOFILE and RLIMIT_NPROC are clamped
 *    to the policy's maximum.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

static struct cinch_resources *resources_of(struct cinch_spec *spec)
{
	if (!rule_spec_linux(spec))
		return NULL;
	if (!spec->linux_->resources)
		spec->linux_->resources = calloc(1, sizeof(*spec->linux_->resources));
	return spec->linux_->resources;
}

/*
 * One limit: value/present in the config, default and max from the policy.
 * At create an absent, 0 or negative value means "no limit" and gets the
 * default. On `update` (resources_update) absent and 0 mean "unchanged"
 * (Docker sends 0 for fields it leaves alone) and get no finding; a
 * negative value removes the limit, which the default refuses exactly as at
 * create. With a maximum but no default, "no limit" is above the maximum.
 */
static int limit(struct rule_ctx *rc, const char *path, const char *what, bool present,
		 int64_t value, int64_t def, int64_t max, int64_t *set)
{
	_cleanup_free_ char *before = NULL;
	_cleanup_free_ char *after = NULL;
	bool unset = !present || value <= 0;
	bool unlimited = rc->update ? present && value < 0 : unset;
	int r;

	if (rc->update && unset && !unlimited)
		return 0; /* unchanged */
	if (unlimited && def > 0) {
		before = present ? json_fmt("%" PRId64, value) : strdup("absent");
		after = json_fmt("%" PRId64, def);
		if (!before || !after)
			return rule_oom(rc);
		r = rule_rewrite(rc, RULE_RESOURCES, path, before, after,
				 "every container gets a %s limit", what);
		if (r > 0)
			*set = def;
		return r;
	}
	if (max > 0 && (unlimited || value > max)) {
		before = present ? json_fmt("%" PRId64, value) : strdup("absent");
		after = json_fmt("%" PRId64, max);
		if (!before || !after)
			return rule_oom(rc);
		if (rc->policy->s.resources.over_max == OVER_MAX_REFUSE) {
			if (unlimited)
				return rule_refuse(rc, RULE_RESOURCES, path, before,
						   "no %s limit is above the maximum %" PRId64,
						   what, max);
			return rule_refuse(rc, RULE_RESOURCES, path, before,
					   "%s limit %" PRId64 " is above the maximum %" PRId64,
					   what, value, max);
		}
		r = rule_rewrite(rc, RULE_RESOURCES, path, before, after,
				 "%s limit clamped to the maximum", what);
		if (r > 0)
			*set = max;
		return r;
	}
	return 0;
}

static char *field_path(const struct rule_ctx *rc, const char *field)
{
	return json_fmt("%s%s", rc->update ? "" : ".linux.resources", field);
}

int policy_rule_resources(struct rule_ctx *rc)
{
	const struct policy_settings *s = &rc->policy->s;
	struct cinch_spec *spec = rc->spec;
	struct cinch_resources *res = spec->linux_ ? spec->linux_->resources : NULL;
	_cleanup_free_ char *mem_path = field_path(rc, ".memory.limit");
	_cleanup_free_ char *pids_path = field_path(rc, ".pids.limit");
	_cleanup_free_ char *shares_path = field_path(rc, ".cpu.shares");
	int64_t v = 0;
	int r;

	if (!mem_path || !pids_path || !shares_path)
		return rule_oom(rc);
	/* memory.limit */
	v = 0;
	r = limit(rc, mem_path, "memory", res && res->memory && res->memory->limit.present,
		  res && res->memory ? res->memory->limit.value : 0, s->resources.memory_default,
		  s->resources.memory_max, &v);
	if (r < 0)
		return r;
	if (r > 0) {
		res = resources_of(spec);
		if (!res || (!res->memory && !(res->memory = calloc(1, sizeof(*res->memory)))))
			return rule_oom(rc);
		res->memory->limit.value = v;
		res->memory->limit.present = true;
	}
	/* pids.limit */
	v = 0;
	r = limit(rc, pids_path, "pids", res && res->pids && res->pids->limit.present,
		  res && res->pids ? res->pids->limit.value : 0, s->resources.pids_default,
		  s->resources.pids_max, &v);
	if (r < 0)
		return r;
	if (r > 0) {
		res = resources_of(spec);
		if (!res || (!res->pids && !(res->pids = calloc(1, sizeof(*res->pids)))))
			return rule_oom(rc);
		res->pids->limit.value = v;
		res->pids->limit.present = true;
	}
	/* cpu.shares: a default weight, never a maximum (it is relative); an
	 * update cannot remove it (0 means unchanged there). */
	if (!rc->update && s->resources.cpu_shares_default > 0 &&
	    !(res && res->cpu && res->cpu->shares.present && res->cpu->shares.value > 0)) {
		_cleanup_free_ char *before =
		    res && res->cpu && res->cpu->shares.present ? strdup("0") : strdup("absent");
		_cleanup_free_ char *after = json_fmt("%" PRIu64, s->resources.cpu_shares_default);
		if (!before || !after)
			return rule_oom(rc);
		r = rule_rewrite(rc, RULE_RESOURCES, shares_path, before, after,
				 "every container gets a cpu weight");
		if (r < 0)
			return r;
		if (r > 0) {
			res = resources_of(spec);
			if (!res || (!res->cpu && !(res->cpu = calloc(1, sizeof(*res->cpu)))))
				return rule_oom(rc);
			res->cpu->shares.value = s->resources.cpu_shares_default;
			res->cpu->shares.present = true;
		}
	}
	return 0;
}

static struct cinch_rlimit *find_rlimit(struct cinch_process *p, const char *type, size_t *index)
{
	for (size_t i = 0; i < p->rlimits.len; i++)
		if (p->rlimits.items[i].type && strcmp(p->rlimits.items[i].type, type) == 0) {
			*index = i;
			return &p->rlimits.items[i];
		}
	return NULL;
}

static int clamp_rlimit(struct rule_ctx *rc, const char *type, uint64_t max)
{
	struct cinch_process *p = rc->process;
	struct cinch_rlimit *rl;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *before = NULL;
	_cleanup_free_ char *after = NULL;
	size_t i = 0;
	int r;

	rl = find_rlimit(p, type, &i);
	if (!rl || (rl->hard <= max && rl->soft <= max))
		return 0;
	path = json_fmt("%s.rlimits[%zu]", rc->proc_path, i);
	before = json_fmt("{\"hard\":%" PRIu64 ",\"soft\":%" PRIu64 "}", rl->hard, rl->soft);
	after = json_fmt("{\"hard\":%" PRIu64 ",\"soft\":%" PRIu64 "}",
			 rl->hard > max ? max : rl->hard, rl->soft > max ? max : rl->soft);
	if (!path || !before || !after)
		return rule_oom(rc);
	r = rule_rewrite(rc, RULE_RLIMITS, path, before, after, "%s is capped at %" PRIu64, type,
			 max);
	if (r <= 0)
		return r;
	if (rl->hard > max)
		rl->hard = max;
	if (rl->soft > max)
		rl->soft = max;
	return 0;
}

int policy_rule_rlimits(struct rule_ctx *rc)
{
	const struct policy_settings *s = &rc->policy->s;
	struct cinch_process *p = rc->process;
	struct cinch_rlimit *rl;
	size_t i = 0;
	int r;

	if (!p)
		return 0;
	if (s->rlimits.core_zero) {
		rl = find_rlimit(p, "RLIMIT_CORE", &i);
		if (!rl || rl->hard != 0 || rl->soft != 0) {
			_cleanup_free_ char *path =
			    rl ? json_fmt("%s.rlimits[%zu]", rc->proc_path, i)
			       : json_fmt("%s.rlimits", rc->proc_path);
			_cleanup_free_ char *before =
			    rl ? json_fmt("{\"type\":\"RLIMIT_CORE\",\"hard\":%" PRIu64
					  ",\"soft\":%" PRIu64 "}",
					  rl->hard, rl->soft)
			       : strdup("absent");
			if (!path || !before)
				return rule_oom(rc);
			r = rule_rewrite(rc, RULE_RLIMITS, path, before,
					 "{\"type\":\"RLIMIT_CORE\",\"hard\":0,\"soft\":0}",
					 "core dumps would copy container memory to the host");
			if (r < 0)
				return r;
			if (r > 0 && !rl) {
				struct cinch_rlimit *items = realloc(
				    p->rlimits.items, (p->rlimits.len + 1) * sizeof(*items));
				if (!items)
					return rule_oom(rc);
				p->rlimits.items = items;
				rl = &items[p->rlimits.len];
				*rl = (struct cinch_rlimit){.type = strdup("RLIMIT_CORE")};
				if (!rl->type)
					return rule_oom(rc);
				p->rlimits.len++;
				p->rlimits.present = true;
			}
			if (r > 0)
				rl->hard = rl->soft = 0;
		}
	}
	if (s->rlimits.nofile_max &&
	    (r = clamp_rlimit(rc, "RLIMIT_NOFILE", s->rlimits.nofile_max)) < 0)
		return r;
	if (s->rlimits.nproc_max &&
	    (r = clamp_rlimit(rc, "RLIMIT_NPROC", s->rlimits.nproc_max)) < 0)
		return r;
	return 0;
}
