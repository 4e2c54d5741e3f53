/* SPDX-License-Identifier: Apache-2.0 */
/* `cinch start ID`: releases a created container's init. */
#include <errno.h>
#include <getopt.h>

#include "cinch/container.h"
#include "cli.h"

int cli_start(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	static const struct option longopts[] = {{NULL, 0, NULL, 0}};
	int r;

	optind = 0;
	opterr = 0;
	if (getopt_long(argc, argv, "+", longopts, NULL) != -1)
		return cinch_error_set(err, EINVAL, "start: unknown flag %s", argv[optind - 1]);
	r = cli_expect_operands(argc, argv, optind, 1, "start ID", err);
	if (r < 0)
		return r;
	return cinch_container_start(g->root, argv[optind], err);
}
