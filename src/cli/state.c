/* SPDX-License-Identifier: Apache-2.0 */
/* `cinch state ID`: runc's state JSON on stdout. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/container.h"
#include "cli.h"

int cli_state(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	static const struct option longopts[] = {{NULL, 0, NULL, 0}};
	struct cinch_state *st = NULL;
	enum cinch_status status;
	char *json = NULL;
	int r;

	optind = 0;
	opterr = 0;
	if (getopt_long(argc, argv, "+", longopts, NULL) != -1)
		return cinch_error_set(err, EINVAL, "state: unknown flag %s", argv[optind - 1]);
	r = cli_expect_operands(argc, argv, optind, 1, "state ID", err);
	if (r < 0)
		return r;
	r = cinch_container_status(g->root, argv[optind], &st, &status, err);
	if (r < 0)
		return r;
	r = cinch_state_oci_json(st, status, true, &json, NULL, err);
	cinch_state_free(st);
	if (r < 0)
		return r;
	fputs(json, stdout);
	if (json[0] && json[strlen(json) - 1] != '\n')
		fputc('\n', stdout);
	free(json);
	return 0;
}
