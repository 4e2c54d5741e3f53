/* SPDX-License-Identifier: Apache-2.0 */
/* `cinch exec`: not built yet; it fails loudly rather than pretend. */
#include <errno.h>

#include "cli.h"

int cli_exec(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	return cinch_error_set(err, ENOSYS, "exec: not implemented yet in this version of cinch");
}
