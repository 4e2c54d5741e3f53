/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CLI frame shared by every subcommand file: parsed global flags and the
 * signature of a subcommand. A subcommand parses its own flags with
 * getopt_long (optstring starting with "+", so parsing stops at the first
 * operand: `exec ID sh -c ...` must keep "-c" for the container), calls one
 * library function and prints. It returns
 *   0        success,
 *   > 0      that exit code, with nothing to report (e.g. `policy check` = 1),
 *   < 0      failure: err holds the one line main() writes to the log/stderr.
 */
#ifndef CINCH_CLI_H
#define CINCH_CLI_H

#include <stdbool.h>

#include "cinch/error.h"
#include "cinch/log.h"

struct cli_globals {
	const char *root;     /* --root, default /run/cinch */
	const char *log_path; /* --log */
	enum cinch_log_format log_format;
	bool debug;
	bool systemd_cgroup;	 /* --systemd-cgroup[=true|false] */
	const char *rootless;	 /* --rootless auto|true|false (as given) */
	const char *policy_path; /* --policy FILE (cinch's own) */
	const char *self_path;	 /* argv[0] as invoked */
};

typedef int (*cli_command_fn)(const struct cli_globals *g, int argc, char **argv,
			      struct cinch_error *err);

/* argv[0] is the subcommand name in every command below. */
int cli_create(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_start(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_run(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_exec(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_kill(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_delete(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_state(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_list(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_ps(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_pause(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_resume(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_update(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_events(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_features(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_spec(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_checkpoint(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_restore(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);
int cli_policy(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err);

/* Fails with a usage error unless exactly `want` operands remain. */
int cli_expect_operands(int argc, char **argv, int optind_, int want, const char *usage,
			struct cinch_error *err);

#endif
