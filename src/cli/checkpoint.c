/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cinch checkpoint`: cinch has no CRIU integration. The command exists so callers
 * get a precise refusal instead of "unknown command".
 */
#include <errno.h>

#include "cli.h"

int cli_checkpoint(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	return cinch_error_set(
	    err, ENOTSUP,
	    "checkpoint: not supported: cinch does not implement checkpoint/restore (no CRIU)");
}
