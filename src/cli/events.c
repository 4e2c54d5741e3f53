/* SPDX-License-Identifier: Apache-2.0 */
/* `cinch events`: not built yet; it fails loudly rather than pretend. */
#include <errno.h>

#include "cli.h"

int cli_events(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	return cinch_error_set(err, ENOSYS, "events: not implemented yet in this version of cinch");
}
