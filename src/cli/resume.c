/* SPDX-License-Identifier: Apache-2.0 */
/* `cinch resume ID`: thaws a paused container; anything else is an error,
 * as with runc ("container not paused"). */
#include <errno.h>
#include <getopt.h>

#include "cgroup_target.h"
#include "cli.h"

int cli_resume(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	static const struct option longopts[] = {{NULL, 0, NULL, 0}};
	struct cli_target t;
	int r;

	optind = 0;
	opterr = 0;
	if (getopt_long(argc, argv, "+", longopts, NULL) != -1)
		return cinch_error_set(err, EINVAL, "resume: unknown flag %s", argv[optind - 1]);
	r = cli_expect_operands(argc, argv, optind, 1, "resume ID", err);
	if (r < 0)
		return r;
	r = cli_target_open(g, argv[optind], true, &t, err);
	if (r < 0)
		return r;
	if (t.status == CINCH_STATUS_PAUSED)
		r = cinch_cgroup_thaw(t.cg, err);
	else
		r = cinch_error_set(err, EINVAL, "container not paused");
	cli_target_release(&t);
	return r;
}
