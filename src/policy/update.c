/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policing `update`: the resources a running container asks for are checked
 * by the same resources rule that checked them at create (rule_resources.c,
 * with rule_ctx.update set for update's meaning of 0 and -1), so an update
 * cannot raise a limit above the policy's maximum nor remove a limit the
 * policy requires. The three modes behave as at create: enforce clamps
 * where the rule clamps and refuses otherwise, reject refuses any change,
 * audit only records.
 */
#include <errno.h>
#include <stdlib.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

/* A spec holding a copy of `in` as its linux.resources (the rule works on a
 * spec); the model has no resources-only clone. */
static int spec_with_resources(const struct cinch_resources *in, struct cinch_spec **ret,
			       struct cinch_error *err)
{
	struct cinch_linux linux_ = {.resources = (struct cinch_resources *)in};
	struct cinch_spec tmp = {.oci_version = (char *)CINCH_OCI_VERSION, .linux_ = &linux_};

	return cinch_spec_clone(&tmp, ret, err);
}

int cinch_policy_apply_update(const struct cinch_policy *policy, const struct cinch_resources *in,
			      struct cinch_resources **out, struct cinch_policy_report **report,
			      struct cinch_error *err)
{
	struct cinch_policy_report *rep = NULL;
	struct cinch_spec *spec = NULL;
	struct rule_ctx rc = {.policy = policy, .update = true, .err = err};
	struct cinch_resources *res;
	int r;

	if (!in)
		return cinch_error_set(err, EINVAL, "update: no resources");
	r = spec_with_resources(in, &spec, err);
	if (r < 0)
		return r;
	if (report_new(policy, false, &rep) < 0) {
		cinch_spec_free(spec);
		return cinch_error_set(err, ENOMEM, "policy: out of memory");
	}
	rc.report = rep;
	rc.spec = spec;
	r = policy->enabled[RULE_RESOURCES] ? policy_rule_resources(&rc) : 0;
	if (r >= 0 && report_build_summary(rep, NULL) < 0)
		r = cinch_error_set(err, ENOMEM, "policy: out of memory");
	if (r < 0) {
		cinch_policy_report_free(rep);
		cinch_spec_free(spec);
		return r;
	}
	if (cinch_policy_report_refused(rep))
		r = cinch_error_set(err, EPERM, "%s", cinch_policy_report_summary(rep));
	if (r == 0) {
		res = spec->linux_->resources;
		spec->linux_->resources = NULL;
		*out = res;
	}
	cinch_spec_free(spec);
	if (report)
		*report = rep;
	else
		cinch_policy_report_free(rep);
	return r;
}
