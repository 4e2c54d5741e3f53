/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cinch pause ID`: freezes every process of the container with the cgroup
 * freezer (v1 freezer.state / v2 cgroup.freeze). As runc, a running or a
 * created container can be paused; `state` then says "paused".
 */
#include <errno.h>
#include <getopt.h>

#include "cgroup_target.h"
#include "cli.h"

int cli_pause(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	static const struct option longopts[] = {{NULL, 0, NULL, 0}};
	struct cli_target t;
	int r;

	optind = 0;
	opterr = 0;
	if (getopt_long(argc, argv, "+", longopts, NULL) != -1)
		return cinch_error_set(err, EINVAL, "pause: unknown flag %s", argv[optind - 1]);
	r = cli_expect_operands(argc, argv, optind, 1, "pause ID", err);
	if (r < 0)
		return r;
	r = cli_target_open(g, argv[optind], true, &t, err);
	if (r < 0)
		return r;
	if (t.status == CINCH_STATUS_RUNNING || t.status == CINCH_STATUS_CREATED)
		r = cinch_cgroup_freeze(t.cg, err);
	else
		r = cli_target_not_running(err);
	cli_target_release(&t);
	return r;
}
