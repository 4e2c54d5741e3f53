/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rule "namespaces": the container gets private pid, network, ipc, uts,
 * mount and cgroup namespaces (rules.namespaces.private). A missing entry
 * (the engine shares the host's) is added as a new private namespace, or
 * refused with missing "refuse". Joining a namespace by path is fine for
 * another container's (/proc/<pid>/ns/<type>, CRI and docker
 * --network container:), but a path that is the host's own namespace
 * (refuseJoin patterns such as /proc/1/ns/<t>, Docker's <exec-root>/netns/default, or
 * the caller's is_host_namespace check) is refused: it was asked for
 * explicitly and replacing it would silently change what the engine wired up.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

static int add_ns(struct rule_ctx *rc, enum cinch_ns_type type)
{
	_cleanup_free_ char *after = NULL;
	const char *name = cinch_ns_type_name(type);
	int r;

	if (rc->policy->s.ns.missing == MISSING_NS_REFUSE)
		return rule_refuse(rc, RULE_NAMESPACES, ".linux.namespaces", "absent",
				   "the container would share the host's %s namespace", name);
	after = json_fmt("{\"type\":\"%s\"}", name);
	if (!after)
		return rule_oom(rc);
	r = rule_rewrite(rc, RULE_NAMESPACES, ".linux.namespaces", "absent", after,
			 "the container must not share the host's %s namespace", name);
	if (r <= 0)
		return r;
	return rule_add_namespace(rc, type);
}

static int check_join(struct rule_ctx *rc, size_t index, const struct cinch_namespace *ns)
{
	const struct policy_settings *s = &rc->policy->s;
	const char *name = cinch_ns_type_name(ns->type);
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *before = NULL;
	bool host = false;

	for (size_t i = 0; i < s->ns.refuse_join.len && !host; i++)
		host = fnmatch(s->ns.refuse_join.items[i], ns->path, 0) == 0;
	if (!host && rc->host->is_host_namespace) {
		int r = rc->host->is_host_namespace(ns->type, ns->path, &host, rc->host->userdata);
		if (r < 0) {
			/* Unverifiable is not acceptable for a host namespace check. */
			path = json_fmt(".linux.namespaces[%zu].path", index);
			before = json_string(ns->path);
			if (!path || !before)
				return rule_oom(rc);
			return rule_refuse(rc, RULE_NAMESPACES, path, before,
					   "cannot tell whether %s is the host's %s namespace",
					   ns->path, name);
		}
	}
	if (!host)
		return 0;
	path = json_fmt(".linux.namespaces[%zu].path", index);
	before = json_string(ns->path);
	if (!path || !before)
		return rule_oom(rc);
	return rule_refuse(rc, RULE_NAMESPACES, path, before, "%s is the host's %s namespace",
			   ns->path, name);
}

int policy_rule_namespaces(struct rule_ctx *rc)
{
	const struct pstrv *want = &rc->policy->s.ns.private_;
	struct cinch_spec *spec = rc->spec;
	int r;

	for (size_t i = 0; spec->linux_ && i < spec->linux_->namespaces.len; i++) {
		const struct cinch_namespace *ns = &spec->linux_->namespaces.items[i];
		if (ns->path && ns->type != CINCH_NS_USER &&
		    pstrv_contains(want, cinch_ns_type_name(ns->type))) {
			r = check_join(rc, i, ns);
			if (r < 0)
				return r;
		}
	}
	for (size_t i = 0; i < want->len; i++) {
		enum cinch_ns_type type;
		if (cinch_ns_type_from_name(want->items[i], &type) < 0)
			continue; /* validated at load */
		if (!cinch_spec_find_namespace(spec, type)) {
			r = add_ns(rc, type);
			if (r < 0)
				return r;
		}
	}
	return 0;
}
