/* SPDX-License-Identifier: Apache-2.0 */
/* `cinch exec`: its flags and the process they describe (exec_flags.c). */
#ifndef CINCH_CLI_EXEC_FLAGS_H
#define CINCH_CLI_EXEC_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cinch/container.h"
#include "cinch/spec.h"

struct cli_exec_flags {
	struct cinch_exec_options opts; /* root is the caller's to fill */
	const char *id;
	const char *process_file; /* --process */
	char **args;		  /* the command line after ID */
	int n_args;
	bool tty;
	const char *cwd;
	const char **env;
	size_t n_env;
	bool user_set, gid_set;
	uint32_t uid, gid;
	bool gids_set;
	uint32_t *gids;
	size_t n_gids;
	const char **caps; /* normalized "CAP_X", malloc'd */
	size_t n_caps;
	bool no_new_privs;
	const char *apparmor;
	const char *process_label;
	unsigned n_overrides; /* flags that change the process (not with --process) */
};

/* argv[0] is "exec". */
int cli_exec_parse(int argc, char **argv, struct cli_exec_flags *f, struct cinch_error *err);
void cli_exec_flags_release(struct cli_exec_flags *f);

/* The process to run, before the policy: --process FILE, or the
 * container's own process with the command line and the flags. */
int cli_exec_build_process(const struct cli_exec_flags *f, const struct cinch_spec *container,
			   struct cinch_process **ret, struct cinch_error *err);

#endif
