/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rule "capabilities": every set keeps only the allowed capabilities.
 * Capabilities an engine grants by default (rules.capabilities.engineDefaults)
 * are removed quietly; any other capability outside the allowlist was asked
 * for explicitly (--cap-add, --privileged) and is refused. Inheritable and
 * ambient are always emptied (CVE-2022-27650 family). An exec process keeps
 * only what is also in the container's (rewritten) bounding set: engines
 * send their default list for exec, which the container may no longer have.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

static bool in_container_bounding(const struct rule_ctx *rc, const char *cap)
{
	const struct cinch_process *cp;

	if (!rc->exec)
		return true;
	cp = rc->container ? rc->container->process : NULL;
	if (!cp || !cp->capabilities)
		return false;
	for (size_t i = 0; i < cp->capabilities->bounding.len; i++)
		if (strcasecmp(cp->capabilities->bounding.items[i], cap) == 0)
			return true;
	return false;
}

/* Refusals first, over the union of all sets, so each capability is named once. */
static int refuse_explicit(struct rule_ctx *rc, struct cinch_capabilities *caps, bool *refused)
{
	const struct policy_settings *s = &rc->policy->s;
	struct cinch_strv *sets[] = {&caps->bounding, &caps->effective, &caps->permitted,
				     &caps->inheritable, &caps->ambient};
	struct pstrv seen = {0};
	_cleanup_free_ char *path = NULL;
	int r = 0;

	*refused = false;
	if (asprintf(&path, "%s.capabilities", rc->proc_path) < 0) {
		path = NULL;
		return rule_oom(rc);
	}
	for (size_t k = 0; k < N_ELEMENTS(sets) && r == 0; k++)
		for (size_t i = 0; i < sets[k]->len && r == 0; i++) {
			_cleanup_free_ char *cap = NULL;
			_cleanup_free_ char *before = NULL;
			const char *name = sets[k]->items[i];

			if (policy_cap_normalize(name, &cap) == -ENOMEM)
				return rule_oom(rc);
			if (pstrv_contains(&seen, cap ? cap : name))
				continue;
			if (pstrv_append(&seen, cap ? cap : name) < 0) {
				r = rule_oom(rc);
				break;
			}
			before = json_string(name);
			if (!before) {
				r = rule_oom(rc);
				break;
			}
			if (!cap) {
				r = rule_refuse(rc, RULE_CAPABILITIES, path, before,
						"%s is not a capability", name);
				*refused = true;
			} else if (!pstrv_contains(&s->caps.allow, cap) &&
				   !pstrv_contains(&s->caps.engine_defaults, cap)) {
				r = rule_refuse(rc, RULE_CAPABILITIES, path, before,
						"%s is not allowed", cap);
				*refused = true;
			}
		}
	pstrv_free(&seen);
	return r;
}

static int filter_set(struct rule_ctx *rc, struct cinch_strv *set, const char *name, bool empty_all)
{
	const struct policy_settings *s = &rc->policy->s;
	struct cinch_strv kept = {0};
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *before = NULL;
	_cleanup_free_ char *after = NULL;
	int r;

	for (size_t i = 0; i < set->len; i++) {
		_cleanup_free_ char *cap = NULL;
		if (policy_cap_normalize(set->items[i], &cap) == -ENOMEM)
			goto oom;
		if (!empty_all && cap && pstrv_contains(&s->caps.allow, cap) &&
		    in_container_bounding(rc, cap) && strv_add(&kept, set->items[i]) < 0)
			goto oom;
	}
	kept.present = set->present;
	if (kept.len == set->len) {
		cinch_strv_clear(&kept);
		return 0;
	}
	before = json_strv(set);
	after = json_strv(&kept);
	if (asprintf(&path, "%s.capabilities.%s", rc->proc_path, name) < 0)
		path = NULL;
	if (!before || !after || !path)
		goto oom;
	r = rule_rewrite(rc, RULE_CAPABILITIES, path, before, after,
			 empty_all ? "%s capabilities are always emptied"
				   : "only the capabilities allowed at this level are kept%s",
			 empty_all ? name : "");
	if (r <= 0) {
		cinch_strv_clear(&kept);
		free(kept.items);
		return r;
	}
	cinch_strv_clear(set);
	free(set->items);
	*set = kept;
	return 0;
oom:
	cinch_strv_clear(&kept);
	free(kept.items);
	return rule_oom(rc);
}

int policy_rule_capabilities(struct rule_ctx *rc)
{
	struct cinch_capabilities *caps;
	bool refused;
	int r;

	if (!rc->process || !rc->process->capabilities)
		return 0; /* no capabilities at all: nothing to take away */
	caps = rc->process->capabilities;
	r = refuse_explicit(rc, caps, &refused);
	if (r < 0 || refused)
		return r;
	if ((r = filter_set(rc, &caps->bounding, "bounding", false)) < 0 ||
	    (r = filter_set(rc, &caps->effective, "effective", false)) < 0 ||
	    (r = filter_set(rc, &caps->permitted, "permitted", false)) < 0 ||
	    (r = filter_set(rc, &caps->inheritable, "inheritable", true)) < 0 ||
	    (r = filter_set(rc, &caps->ambient, "ambient", true)) < 0)
		return r;
	return 0;
}
