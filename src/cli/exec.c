/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cinch exec [flags] ID [COMMAND [ARGS...]]`: runs a new process in a
 * running container, as Docker, CRI, podman and healthchecks call it. The
 * container must exist and run; this process is sealed (CVE-2019-5736)
 * before anything else, then the process goes through the host policy at
 * the level the container was created with (policy-report.json of its state
 * dir) with cinch_policy_apply_exec, and only the rewritten process runs. A
 * refusal ends the command with the report's one-line summary; nothing runs.
 * Exit status: the process's (detached: 0), 127/126 when its program is
 * missing / not executable, 1 on any other failure.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "cinch/container.h"
#include "cinch/policy.h"
#include "cli.h"
#include "exec_flags.h"
#include "policy_gate.h"

/* The policy the container was created under. */
static int container_policy(const struct cli_globals *g, const char *id,
			    const struct cinch_spec *container, struct cinch_policy **ret,
			    struct cinch_error *err)
{
	_cleanup_free_ char *report = NULL;
	int r;

	r = cinch_container_read_file(g->root, id, CINCH_POLICY_REPORT_FILE, &report, err);
	if (r < 0 && r != -ENOENT)
		return r;
	cinch_error_clear(err);
	r = cli_policy_for_container(g, report, &container->annotations, ret, err);
	if (r < 0)
		return cinch_error_prefix(err, "exec in %s", id);
	return 0;
}

static int enforce(const struct cli_globals *g, const char *id, const struct cinch_spec *container,
		   const struct cinch_process *in, struct cinch_process **ret,
		   struct cinch_error *err)
{
	struct cinch_policy *policy = NULL;
	struct cinch_policy_report *report = NULL;
	struct cinch_policy_context ctx;
	struct cinch_error audit_err = {0};
	int r;

	r = container_policy(g, id, container, &policy, err);
	if (r < 0)
		return r;
	cli_policy_host_context(policy, &ctx);
	r = cinch_policy_apply_exec(policy, container, in, &ctx, ret, &report, err);
	if (report) {
		cli_policy_log_findings(report, "exec: ");
		/* Kept even for a refusal; a log that cannot be written stops the exec. */
		if (cinch_policy_audit_log_write(policy, id, r < 0 ? "refuse-exec" : "exec", report,
						 &audit_err) < 0 &&
		    r == 0) {
			*err = audit_err;
			r = -audit_err.code;
			cinch_process_free(*ret);
			*ret = NULL;
		}
	}
	cinch_policy_report_free(report);
	cinch_policy_free(policy);
	return r;
}

int cli_exec(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	struct cli_exec_flags f = {0};
	struct cinch_spec *container = NULL;
	struct cinch_process *asked = NULL, *final = NULL;
	int r, code = 1;

	r = cli_exec_parse(argc, argv, &f, err);
	if (r < 0)
		goto out;
	f.opts.root = g->root;
	f.opts.id = f.id;
	r = cinch_container_exec_target(g->root, f.id, f.opts.ignore_paused, &container, err);
	if (r < 0)
		goto out;
	/* Before the policy, so that the re-exec writes one audit record. */
	r = cinch_container_ensure_sealed_self(container, err);
	if (r < 0)
		goto out;
	r = cli_exec_build_process(&f, container, &asked, err);
	if (r < 0)
		goto out;
	r = enforce(g, f.id, container, asked, &final, err);
	if (r < 0)
		goto out;
	r = cinch_container_exec(&f.opts, container, final, &code, err);
	if (r < 0 && code > 1) {
		/* Missing or non-executable program: the engines' 127 / 126. */
		cinch_log_fatal_error(err);
		r = code;
	}
out:
	cinch_process_free(final);
	cinch_process_free(asked);
	cinch_spec_free(container);
	cli_exec_flags_release(&f);
	if (r < 0)
		return r;
	return r > 0 ? r : code;
}
