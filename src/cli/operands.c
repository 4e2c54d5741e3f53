/* SPDX-License-Identifier: Apache-2.0 */
/* Operand checks shared by the subcommands. */
#include <errno.h>

#include "cli.h"

int cli_expect_operands(int argc, char **argv, int optind_, int want, const char *usage,
			struct cinch_error *err)
{
	int have = argc - optind_;

	if (have == want)
		return 0;
	return cinch_error_set(err, EINVAL, "%s: expected %d argument%s, got %d (usage: %s)",
			       argv[0], want, want == 1 ? "" : "s", have, usage);
}
