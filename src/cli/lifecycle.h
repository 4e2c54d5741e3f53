/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by `create` and `run`: their common flags and the step that turns a
 * bundle into the final spec handed to the container core.
 */
#ifndef CINCH_CLI_LIFECYCLE_H
#define CINCH_CLI_LIFECYCLE_H

#include "cinch/container.h"
#include "cinch/spec.h"
#include "cli.h"

/* Fills opts from one create-style flag (getopt_long value `opt`, argument
 * `arg`); returns 1 if handled, 0 if not a create flag, < 0 on bad input. */
int cli_create_flag(int opt, const char *arg, struct cinch_container_options *opts,
		    struct cinch_error *err);

/* Long options shared by create and run (terminated by a zero entry is NOT
 * included: callers copy them into their own table). */
#define CLI_CREATE_LONG_OPTIONS                                                                    \
	{"bundle", required_argument, NULL, 'b'}, {"pid-file", required_argument, NULL, 1001},     \
	    {"console-socket", required_argument, NULL, 1002},                                     \
	    {"preserve-fds", required_argument, NULL, 1003},                                       \
	    {"no-pivot", no_argument, NULL, 1004}, {"no-new-keyring", no_argument, NULL, 1005},    \
	    {"no-subreaper", no_argument, NULL, 1006},                                             \
	{                                                                                          \
		"notify-socket", required_argument, NULL, 1007                                     \
	}

/* What create and run hand the core: the policy-rewritten spec, and the
 * policy report the container keeps in its state dir. */
struct cli_prepared_container {
	struct cinch_spec *spec;
	char *report_json;
	const char *state_files[3]; /* {name, contents, NULL} for opts->state_files */
};

/* Loads <opts->bundle>/config.json, seals this process (CVE-2019-5736) and
 * applies the host policy; points opts->state_files into *ret. Release
 * *ret with cli_prepared_container_release() whatever the outcome. */
int cli_prepare_container(const struct cli_globals *g, struct cinch_container_options *opts,
			  struct cli_prepared_container *ret, struct cinch_error *err);
void cli_prepared_container_release(struct cli_prepared_container *p);

#endif
