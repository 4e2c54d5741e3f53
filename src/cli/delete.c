/* SPDX-License-Identifier: Apache-2.0 */
/* `cinch delete [--force|-f] ID`: a missing container with --force is success. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>

#include "cinch/container.h"
#include "cli.h"

int cli_delete(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	static const struct option longopts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	bool force = false;
	int opt, r;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+f", longopts, NULL)) != -1) {
		if (opt != 'f')
			return cinch_error_set(err, EINVAL, "delete: unknown flag %s",
					       argv[optind - 1]);
		force = true;
	}
	r = cli_expect_operands(argc, argv, optind, 1, "delete [--force] ID", err);
	if (r < 0)
		return r;
	return cinch_container_delete(g->root, argv[optind], force, err);
}
