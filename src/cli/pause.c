/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cinch pause ID` and `cinch resume ID`: the cgroup freezer (v1
 * freezer.state / v2 cgroup.freeze) over every process of the container.
 * As with runc, a running or a created container can be paused (`state`
 * then says "paused"), and only a paused one can be resumed ("container not
 * paused" otherwise).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "cgroup_target.h"
#include "cli.h"

/* The one operand (no flags), opened with its live status. */
static int open_target(const struct cli_globals *g, int argc, char **argv, const char *cmd,
		       struct cli_target *t, struct cinch_error *err)
{
	static const struct option longopts[] = {{NULL, 0, NULL, 0}};
	char usage[32];
	int r;

	optind = 0;
	opterr = 0;
	if (getopt_long(argc, argv, "+", longopts, NULL) != -1)
		return cinch_error_set(err, EINVAL, "%s: unknown flag %s", cmd, argv[optind - 1]);
	snprintf(usage, sizeof(usage), "%s ID", cmd);
	r = cli_expect_operands(argc, argv, optind, 1, usage, err);
	if (r < 0)
		return r;
	return cli_target_open(g, argv[optind], true, t, err);
}

int cli_pause(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	struct cli_target t;
	int r = open_target(g, argc, argv, "pause", &t, err);

	if (r < 0)
		return r;
	if (t.status == CINCH_STATUS_RUNNING || t.status == CINCH_STATUS_CREATED)
		r = cinch_cgroup_freeze(t.cg, err);
	else
		r = cli_target_not_running(err);
	cli_target_release(&t);
	return r;
}

int cli_resume(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	struct cli_target t;
	int r = open_target(g, argc, argv, "resume", &t, err);

	if (r < 0)
		return r;
	if (t.status == CINCH_STATUS_PAUSED)
		r = cinch_cgroup_thaw(t.cg, err);
	else
		r = cinch_error_set(err, EINVAL, "container not paused");
	cli_target_release(&t);
	return r;
}
