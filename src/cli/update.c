/* SPDX-License-Identifier: Apache-2.0 */
/* `cinch update`: not built yet; it fails loudly rather than pretend. */
#include <errno.h>

#include "cli.h"

int cli_update(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	return cinch_error_set(err, ENOSYS, "update: not implemented yet in this version of cinch");
}
