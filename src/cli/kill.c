/* SPDX-License-Identifier: Apache-2.0 */
/* `cinch kill [--all|-a] ID [SIGNAL]`: default SIGTERM; 9, KILL, SIGKILL. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>

#include "cinch/container.h"
#include "cli.h"

int cli_kill(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {NULL, 0, NULL, 0},
	};
	bool all = false;
	int sig = SIGTERM, opt, r, left;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+a", longopts, NULL)) != -1) {
		if (opt != 'a')
			return cinch_error_set(err, EINVAL, "kill: unknown flag %s",
					       argv[optind - 1]);
		all = true;
	}
	left = argc - optind;
	if (left < 1 || left > 2)
		return cli_expect_operands(argc, argv, optind, 1, "kill [--all] ID [SIGNAL]", err);
	if (left == 2) {
		r = cinch_signal_parse(argv[optind + 1], &sig, err);
		if (r < 0)
			return r;
	}
	return cinch_container_kill(g->root, argv[optind], sig, all, err);
}
