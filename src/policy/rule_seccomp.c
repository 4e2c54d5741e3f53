/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rule "seccomp": a missing or unconfined (allow-by-default) filter becomes
 * the cinch default profile, resolved against the container's final
 * capabilities and the host architecture. A container's own profile is kept
 * when it is at least as strict as the level asks:
 *  - "defaultDeny": its default action denies;
 *  - "subset": also, every syscall it allows is allowed by the default
 *    profile, with the same argument filter where the default filters
 *    (clone namespace flags, socket families, personality).
 * A weaker profile is replaced by the default one (enforce) or refused (reject).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

static bool allows(const char *action)
{
	static const char *const allowing[] = {"SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_TRACE",
					       "SCMP_ACT_NOTIFY"};
	if (!action)
		return false;
	for (size_t i = 0; i < N_ELEMENTS(allowing); i++)
		if (strcmp(action, allowing[i]) == 0)
			return true;
	return false;
}

static bool same_args(const struct cinch_seccomp_syscall *a, const struct cinch_seccomp_syscall *b)
{
	if (a->args.len != b->args.len)
		return false;
	for (size_t i = 0; i < a->args.len; i++) {
		const struct cinch_seccomp_arg *x = &a->args.items[i], *y = &b->args.items[i];
		uint64_t x2 = x->value_two.present ? x->value_two.value : 0;
		uint64_t y2 = y->value_two.present ? y->value_two.value : 0;
		if (x->index != y->index || x->value != y->value || x2 != y2 ||
		    strcmp(x->op ? x->op : "", y->op ? y->op : "") != 0)
			return false;
	}
	return true;
}

/* Is (name, rule's args) allowed by the reference profile? */
static bool reference_allows(const struct cinch_seccomp *ref, const char *name,
			     const struct cinch_seccomp_syscall *rule)
{
	for (size_t i = 0; i < ref->syscalls.len; i++) {
		const struct cinch_seccomp_syscall *d = &ref->syscalls.items[i];
		if (!allows(d->action) || !cinch_strv_contains(&d->names, name))
			continue;
		if (d->args.len == 0 || same_args(d, rule))
			return true;
	}
	return false;
}

/* NULL when acceptable, else a reason (static or in *buf). */
static const char *weakness(const struct cinch_seccomp *s, const struct cinch_seccomp *ref,
			    enum seccomp_custom custom, char *buf, size_t size)
{
	if (!s)
		return "no seccomp filter";
	if (!s->default_action || allows(s->default_action)) {
		snprintf(buf, size, "defaultAction %s allows every syscall",
			 s->default_action ? s->default_action : "(none)");
		return buf;
	}
	if (custom != SECCOMP_CUSTOM_SUBSET)
		return NULL;
	for (size_t i = 0; i < s->syscalls.len; i++) {
		const struct cinch_seccomp_syscall *c = &s->syscalls.items[i];
		if (!allows(c->action))
			continue;
		for (size_t j = 0; j < c->names.len; j++)
			if (!reference_allows(ref, c->names.items[j], c)) {
				snprintf(buf, size,
					 "it allows %s%s, which the default profile denies%s",
					 c->names.items[j], c->args.len ? " (with its filter)" : "",
					 c->args.len ? " or filters differently" : "");
				return buf;
			}
	}
	return NULL;
}

int policy_rule_seccomp(struct rule_ctx *rc)
{
	struct cinch_spec *spec = rc->spec;
	const struct cinch_process *p = spec->process;
	static const struct cinch_strv no_caps;
	const struct cinch_strv *caps =
	    p && p->capabilities ? &p->capabilities->bounding : &no_caps;
	struct cinch_seccomp *current = spec->linux_ ? spec->linux_->seccomp : NULL;
	struct cinch_seccomp *def = NULL;
	_cleanup_free_ char *before = NULL;
	_cleanup_free_ char *after = NULL;
	const char *why;
	char buf[512];
	int r;

	r = policy_seccomp_default(caps, rc->host->arch, &def, rc->err);
	if (r < 0)
		return r;
	why = weakness(current, def, rc->policy->s.seccomp.custom, buf, sizeof(buf));
	if (!why) {
		policy_seccomp_free(def);
		return 0;
	}
	before = current ? json_fmt("{\"defaultAction\":\"%s\",\"syscalls\":%zu rules}",
				    current->default_action ? current->default_action : "",
				    current->syscalls.len)
			 : strdup("absent");
	after = json_fmt("cinch default profile (%zu rules for %s, resolved for %zu capabilities)",
			 def->syscalls.len, def->architectures.items[0], caps->len);
	if (!before || !after) {
		policy_seccomp_free(def);
		return rule_oom(rc);
	}
	r = rule_rewrite(rc, RULE_SECCOMP, ".linux.seccomp", before, after,
			 "%s; the level requires the default profile or a stricter one", why);
	if (r <= 0) {
		policy_seccomp_free(def);
		return r;
	}
	if (!rule_spec_linux(spec)) {
		policy_seccomp_free(def);
		return rule_oom(rc);
	}
	policy_seccomp_free(spec->linux_->seccomp);
	spec->linux_->seccomp = def;
	return 0;
}
