/* SPDX-License-Identifier: Apache-2.0 */
/* cinch entry point: global flags, then one subcommand. */
#include <stdio.h>
#include <string.h>

#include "cinch-config.h"

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("cinch version %s\ncommit: %s\nspec: %s\n", CINCH_VERSION, CINCH_COMMIT,
		       CINCH_SPEC_VERSION);
		return 0;
	}
	fprintf(stderr, "cinch: usage: cinch --version\n");
	return 1;
}
