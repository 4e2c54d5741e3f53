/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing runc's global flags (before the subcommand), in any order, in both
 * "--flag value" and "--flag=value" forms. */
#ifndef CINCH_CLI_GLOBALS_H
#define CINCH_CLI_GLOBALS_H

#include "cli.h"

enum cli_globals_action {
	CLI_RUN_COMMAND,
	CLI_PRINT_VERSION,
	CLI_PRINT_HELP,
};

/* On success *ret_next is the index of the subcommand in argv (== argc when
 * there is none). argv strings are borrowed, not copied. */
int cli_parse_globals(int argc, char **argv, struct cli_globals *g,
		      enum cli_globals_action *ret_action, int *ret_next, struct cinch_error *err);

#endif
