/* SPDX-License-Identifier: Apache-2.0 */
/* `cinch resume`: not built yet; it fails loudly rather than pretend. */
#include <errno.h>

#include "cli.h"

int cli_resume(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	return cinch_error_set(err, ENOSYS, "resume: not implemented yet in this version of cinch");
}
