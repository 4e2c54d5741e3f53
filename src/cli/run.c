/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cinch run [-d] [--keep] [create flags] ID`: create + start; in the
 * foreground, exits with the container's exit code (128+N for a signal).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>

#include "lifecycle.h"

int cli_run(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	static const struct option longopts[] = {
	    CLI_CREATE_LONG_OPTIONS,
	    {"detach", no_argument, NULL, 'd'},
	    {"keep", no_argument, NULL, 2001},
	    {NULL, 0, NULL, 0},
	};
	struct cinch_container_options opts = {
	    .root = g->root, .bundle = ".", .systemd_cgroup = g->systemd_cgroup};
	struct cli_prepared_container prepared;
	bool detach = false, keep = false;
	int opt, r, code = 0;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+b:d", longopts, NULL)) != -1) {
		if (opt == 'd') {
			detach = true;
			continue;
		}
		if (opt == 2001) {
			keep = true;
			continue;
		}
		r = cli_create_flag(opt, optarg, &opts, err);
		if (r < 0)
			return r;
		if (r == 0)
			return cinch_error_set(err, EINVAL, "run: unknown flag %s",
					       argv[optind - 1]);
	}
	r = cli_expect_operands(argc, argv, optind, 1, "run [flags] ID", err);
	if (r < 0)
		return r;
	opts.id = argv[optind];
	r = cli_prepare_container(g, &opts, &prepared, err);
	if (r >= 0)
		r = cinch_container_run(&opts, prepared.spec, detach, keep, &code, err);
	cli_prepared_container_release(&prepared);
	if (r < 0)
		return r;
	return code;
}
