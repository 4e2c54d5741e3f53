/* SPDX-License-Identifier: Apache-2.0 */
/* `cinch create [flags] ID`: the first half of runc's create/start split. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "lifecycle.h"
#include "policy_gate.h"

int cli_create_flag(int opt, const char *arg, struct cinch_container_options *opts,
		    struct cinch_error *err)
{
	char *end;
	unsigned long n;

	switch (opt) {
	case 'b':
		opts->bundle = arg;
		return 1;
	case 1001:
		opts->pid_file = arg;
		return 1;
	case 1002:
		opts->console_socket = arg;
		return 1;
	case 1003:
		errno = 0;
		n = strtoul(arg, &end, 10);
		if (errno || *end || !arg[0] || arg[0] == '-' || n > 65536)
			return cinch_error_set(err, EINVAL, "--preserve-fds: invalid count %s",
					       arg);
		opts->preserve_fds = (unsigned)n;
		return 1;
	case 1004:
		opts->no_pivot = true;
		return 1;
	case 1005:
		opts->no_new_keyring = true;
		return 1;
	case 1006: /* runc's --no-subreaper: cinch never makes itself a subreaper */
		return 1;
	case 1007:
		return cinch_error_set(err, ENOTSUP, "--notify-socket is not supported");
	default:
		return 0;
	}
}

static int load_bundle_spec(const struct cli_globals *g, const char *bundle, const char *id,
			    struct cinch_spec **ret, char **ret_report_json,
			    struct cinch_error *err)
{
	_cleanup_free_ char *path = NULL;
	struct cinch_spec *loaded = NULL;
	int r;

	if (asprintf(&path, "%s/config.json", bundle) < 0)
		return cinch_error_set(err, ENOMEM, "out of memory");
	r = cinch_spec_load_file(path, &loaded, err);
	if (r < 0)
		return r;
	/* Self-protection (CVE-2019-5736) before the policy runs, so that the
	 * re-exec, which starts the command over, writes one audit record. */
	r = cinch_container_ensure_sealed_self(loaded, err);
	if (r >= 0)
		r = cli_policy_enforce(g, id, loaded, ret, ret_report_json, err);
	cinch_spec_free(loaded);
	if (r < 0)
		return r;
	/* The raw config let us skip sealing; the final one must agree (a policy
	 * that dropped the user namespace costs a re-exec, and a second record). */
	return cinch_container_ensure_sealed_self(*ret, err);
}

int cli_prepare_container(const struct cli_globals *g, struct cinch_container_options *opts,
			  struct cli_prepared_container *ret, struct cinch_error *err)
{
	int r;

	*ret = (struct cli_prepared_container){.state_files = {CINCH_POLICY_REPORT_FILE}};
	r = load_bundle_spec(g, opts->bundle, opts->id, &ret->spec, &ret->report_json, err);
	if (r < 0)
		return r;
	ret->state_files[1] = ret->report_json;
	opts->state_files = ret->state_files;
	return 0;
}

void cli_prepared_container_release(struct cli_prepared_container *p)
{
	cinch_spec_free(p->spec);
	free(p->report_json);
	*p = (struct cli_prepared_container){0};
}

int cli_create(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	static const struct option longopts[] = {CLI_CREATE_LONG_OPTIONS, {NULL, 0, NULL, 0}};
	struct cinch_container_options opts = {
	    .root = g->root, .bundle = ".", .systemd_cgroup = g->systemd_cgroup};
	struct cli_prepared_container prepared;
	int opt, r;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+b:", longopts, NULL)) != -1) {
		r = cli_create_flag(opt, optarg, &opts, err);
		if (r < 0)
			return r;
		if (r == 0)
			return cinch_error_set(err, EINVAL, "create: unknown flag %s",
					       argv[optind - 1]);
	}
	r = cli_expect_operands(argc, argv, optind, 1, "create [flags] ID", err);
	if (r < 0)
		return r;
	opts.id = argv[optind];
	r = cli_prepare_container(g, &opts, &prepared, err);
	if (r >= 0)
		r = cinch_container_create(&opts, prepared.spec, NULL, err);
	cli_prepared_container_release(&prepared);
	return r < 0 ? r : 0;
}
