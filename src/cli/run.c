/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cinch run [-d] [--keep] [create flags] ID`: create + start; in the
 * foreground, exits with the container's exit code (128+N for a signal).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>

#include "cinch/cleanup.h"
#include "cinch/policy.h"
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
	struct cinch_spec *spec = NULL;
	_cleanup_free_ char *report = NULL;
	const char *state_files[3] = {CINCH_POLICY_REPORT_FILE, NULL, NULL};
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
	r = cli_load_bundle_spec(g, opts.bundle, opts.id, &spec, &report, err);
	if (r < 0)
		return r;
	state_files[1] = report;
	opts.state_files = state_files;
	r = cinch_container_run(&opts, spec, detach, keep, &code, err);
	cinch_spec_free(spec);
	if (r < 0)
		return r;
	return code;
}
