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

/* Loads <bundle>/config.json and applies the host policy: *ret is the final
 * spec for the container, *ret_report_json the policy report to store. */
int cli_load_bundle_spec(const struct cli_globals *g, const char *bundle, const char *id,
			 struct cinch_spec **ret, char **ret_report_json, struct cinch_error *err);

#endif
