/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The step between loading a bundle and creating the container: the host
 * policy (and the level a container may ask for) rewrites the spec, every
 * decision is logged and audited, and a refusal ends the command with the
 * report's one-line summary.
 */
#ifndef CINCH_CLI_POLICY_GATE_H
#define CINCH_CLI_POLICY_GATE_H

#include "cinch/policy.h"
#include "cinch/spec.h"
#include "cli.h"

/* Host facts the policy engine asks about, gathered from the kernel here
 * (the engine itself never asks it). */
void cli_policy_host_context(const struct cinch_policy *policy, struct cinch_policy_context *ret);

/*
 * Rewrites `in` for container `id`. On success *ret_out is the spec to
 * create and *ret_report_json the report to keep in the state dir. On a
 * refusal (or bad policy) returns < 0 with err holding the summary line,
 * after logging every refused finding and writing the audit record.
 */
int cli_policy_enforce(const struct cli_globals *g, const char *id, const struct cinch_spec *in,
		       struct cinch_spec **ret_out, char **ret_report_json,
		       struct cinch_error *err);

/* Logs every finding: refusals as errors, rewrites as debug lines; `what`
 * ("", "exec: ", "update: ") says which command decided. */
void cli_policy_log_findings(const struct cinch_policy_report *report, const char *what);

/*
 * The policy a created container lives under: the host policy resolved to
 * the level recorded in its policy report (`report_json`, the state dir's
 * policy-report.json; NULL when it has none), or else to the level its
 * `annotations` ask for, exactly as at create.
 */
int cli_policy_for_container(const struct cli_globals *g, const char *report_json,
			     const struct cinch_map *annotations, struct cinch_policy **ret,
			     struct cinch_error *err);

#endif
