/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rule "apparmor": an empty or "unconfined" profile becomes
 * rules.apparmor.profile (cinch-default) when the host has AppArmor and the
 * profile is loaded. Otherwise the report says why it was not set, and with
 * "required": true that is a refusal. An exec process inherits the
 * container's profile; it may not ask for another one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

static bool unconfined(const char *p)
{
	return !p || !p[0] || strcmp(p, "unconfined") == 0;
}

int policy_rule_apparmor(struct rule_ctx *rc)
{
	const struct policy_settings *s = &rc->policy->s;
	struct cinch_process *p = rc->process;
	const char *want = s->apparmor.profile;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *before = NULL;
	_cleanup_free_ char *after = NULL;
	char *dup;
	int r;

	if (!p)
		return 0;
	if (asprintf(&path, "%s.apparmorProfile", rc->proc_path) < 0)
		return rule_oom(rc);
	before = json_string(p->apparmor_profile);
	if (!before)
		return rule_oom(rc);
	if (rc->exec) {
		const struct cinch_process *cp = rc->container ? rc->container->process : NULL;
		const char *inherit = cp ? cp->apparmor_profile : NULL;
		if (!p->apparmor_profile || !p->apparmor_profile[0] ||
		    (inherit && strcmp(p->apparmor_profile, inherit) == 0))
			return 0;
		after = json_string(inherit);
		if (!after)
			return rule_oom(rc);
		r = rule_rewrite(rc, RULE_APPARMOR, path, before, after,
				 "an exec process keeps the container's AppArmor profile");
		if (r <= 0)
			return r;
		dup = inherit ? strdup(inherit) : NULL;
		if (inherit && !dup)
			return rule_oom(rc);
		free(p->apparmor_profile);
		p->apparmor_profile = dup;
		return 0;
	}
	if (!unconfined(p->apparmor_profile))
		return 0;
	if (!rc->host->apparmor_enabled || !rc->host->apparmor_profile_loaded) {
		const char *why = !rc->host->apparmor_enabled
				      ? "AppArmor is not enabled on this host"
				      : "it is not loaded on this host";
		if (s->apparmor.required)
			return rule_refuse(rc, RULE_APPARMOR, path, before,
					   "profile %s is required but %s", want, why);
		return rule_note(rc, RULE_APPARMOR, path,
				 "the container runs without AppArmor profile %s: %s", want, why);
	}
	after = json_string(want);
	if (!after)
		return rule_oom(rc);
	r = rule_rewrite(rc, RULE_APPARMOR, path, before, after,
			 "the container must be confined by an AppArmor profile");
	if (r <= 0)
		return r;
	dup = strdup(want);
	if (!dup)
		return rule_oom(rc);
	free(p->apparmor_profile);
	p->apparmor_profile = dup;
	return 0;
}
