/* SPDX-License-Identifier: Apache-2.0 */
/* `cinch list [-q] [--format table|json]`: runc's table or JSON array. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "cinch/container.h"
#include "cli.h"

int cli_list(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	static const struct option longopts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"format", required_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	_cleanup_strv_ char **ids = NULL;
	bool quiet = false, json = false, first = true;
	size_t n = 0;
	int opt, r;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+qf:", longopts, NULL)) != -1) {
		if (opt == 'q')
			quiet = true;
		else if (opt == 'f' && strcmp(optarg, "json") == 0)
			json = true;
		else if (opt == 'f' && strcmp(optarg, "table") == 0)
			json = false;
		else if (opt == 'f')
			return cinch_error_set(err, EINVAL, "list: invalid format %s", optarg);
		else
			return cinch_error_set(err, EINVAL, "list: unknown flag %s",
					       argv[optind - 1]);
	}
	r = cli_expect_operands(argc, argv, optind, 0, "list [-q] [--format table|json]", err);
	if (r < 0)
		return r;
	r = cinch_state_list_ids(g->root, &ids, &n, err);
	if (r < 0)
		return r;
	if (json)
		fputc('[', stdout);
	else if (!quiet)
		printf("%-12s%-12s%-12s%-40s%-32s%s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
		       "OWNER");
	for (size_t i = 0; i < n; i++) {
		struct cinch_state *st = NULL;
		enum cinch_status status;
		struct cinch_error ignored;
		char *doc = NULL;

		/* Deleted meanwhile or not ours: skip, as runc does. */
		if (cinch_container_status(g->root, ids[i], &st, &status, &ignored) < 0)
			continue;
		if (quiet && !json) {
			printf("%s\n", st->id);
		} else if (json) {
			if (cinch_state_oci_json(st, status, false, &doc, NULL, &ignored) == 0) {
				printf("%s%s", first ? "" : ",", doc);
				first = false;
				free(doc);
			}
		} else {
			printf("%-12s%-12d%-12s%-40s%-32s%s\n", st->id,
			       status == CINCH_STATUS_STOPPED ? 0 : (int)st->pid,
			       cinch_status_name(status), st->bundle, st->created, st->owner);
		}
		cinch_state_free(st);
	}
	if (json)
		fputs("]\n", stdout);
	return 0;
}
