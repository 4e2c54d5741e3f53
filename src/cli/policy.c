/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cinch policy`: check a bundle or config.json against the policy without
 * starting anything, show the effective policy, print a container's stored
 * report.
 *
 *   cinch policy check [--policy F] [--level L] [--format text|json] BUNDLE|config.json
 *       exit 0 compliant, 1 violations (rewrites or refusals), 2 bad input
 *   cinch policy show [--policy F] [--level L]
 *   cinch policy report [--format text|json] ID
 *
 * The host facts the engine needs (architecture, AppArmor, what a
 * /proc/<pid>/exe hook points to) are gathered here, not in policy/.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/policy.h"
#include "cinch/spec.h"
#include "cli.h"
#include "policy_gate.h"

#define EXIT_BAD_INPUT 2

static const char usage[] = "policy check [--policy FILE] [--level LEVEL] [--format text|json] "
			    "BUNDLE|config.json | policy show [--policy FILE] [--level LEVEL] | "
			    "policy report [--format text|json] ID";

struct opts {
	const char *policy_path;
	const char *level;
	const char *format;
};

static int parse_opts(int argc, char **argv, struct opts *o, struct cinch_error *err)
{
	static const struct option longopts[] = {
	    {"policy", required_argument, NULL, 'p'},
	    {"level", required_argument, NULL, 'l'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 0; /* full re-initialisation of getopt (glibc) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+p:l:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->policy_path = optarg;
			break;
		case 'l':
			o->level = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
				return cinch_error_set(err, EINVAL,
						       "policy %s: --format must be text or json, "
						       "not \"%s\"",
						       argv[0], optarg);
			o->format = optarg;
			break;
		case 'h':
			printf("usage: cinch %s\n", usage);
			return 1;
		default:
			return cinch_error_set(err, EINVAL,
					       "policy %s: unknown option %s (usage: %s)", argv[0],
					       argv[optind - 1], usage);
		}
	}
	return 0;
}

/* The policy to use: --level L (built-in), else the host's file. */
static int load_policy(const struct cli_globals *g, const struct opts *o, struct cinch_policy **ret,
		       struct cinch_error *err)
{
	enum cinch_policy_level level;

	if (o->level) {
		if (cinch_policy_level_from_name(o->level, &level) < 0)
			return cinch_error_set(err, EINVAL,
					       "policy: --level %s: unknown level (privileged, "
					       "baseline, restricted)",
					       o->level);
		return cinch_policy_builtin(level, ret, err);
	}
	return cinch_policy_load_host(o->policy_path ? o->policy_path : g->policy_path, ret, err);
}

static int bad_input(struct cinch_error *err)
{
	cinch_log_fatal_error(err);
	return EXIT_BAD_INPUT;
}

static int policy_check(const struct cli_globals *g, const struct opts *o, const char *target,
			struct cinch_error *err)
{
	_cleanup_free_ char *config = NULL;
	_cleanup_free_ char *out = NULL;
	struct cinch_policy *host = NULL, *eff = NULL;
	struct cinch_spec *spec = NULL, *rewritten = NULL;
	struct cinch_policy_report *report = NULL;
	struct cinch_policy_context ctx;
	struct stat st;
	int r, rc = EXIT_BAD_INPUT;

	if (stat(target, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (asprintf(&config, "%s/config.json", target) < 0)
			return cinch_error_set(err, ENOMEM, "policy check: out of memory");
	} else {
		config = strdup(target);
		if (!config)
			return cinch_error_set(err, ENOMEM, "policy check: out of memory");
	}
	if (load_policy(g, o, &host, err) < 0 || cinch_spec_load_file(config, &spec, err) < 0 ||
	    cinch_policy_resolve(host, &spec->annotations, &eff, err) < 0) {
		rc = bad_input(err);
		goto out;
	}
	/* The same host facts as create's gate: what would happen here. */
	cli_policy_host_context(eff, &ctx);
	r = cinch_policy_apply(eff, spec, &ctx, &rewritten, &report, err);
	if (r < 0 && r != -EPERM) {
		rc = bad_input(err);
		goto out;
	}
	if (o->format && strcmp(o->format, "json") == 0)
		r = cinch_policy_report_to_json(report, true, &out, NULL, err);
	else
		r = cinch_policy_report_to_text(report, &out, err);
	if (r < 0) {
		rc = r;
		goto out;
	}
	fputs(out, stdout);
	rc = cinch_policy_report_compliant(report) ? 0 : 1;
out:
	cinch_policy_report_free(report);
	cinch_spec_free(rewritten);
	cinch_spec_free(spec);
	cinch_policy_free(eff);
	cinch_policy_free(host);
	return rc;
}

static int policy_show(const struct cli_globals *g, const struct opts *o, struct cinch_error *err)
{
	struct cinch_policy *p = NULL;
	_cleanup_free_ char *json = NULL;
	int r;

	if (load_policy(g, o, &p, err) < 0)
		return bad_input(err);
	r = cinch_policy_to_json(p, &json, NULL, err);
	cinch_policy_free(p);
	if (r < 0)
		return r;
	printf("%s\n", json);
	return 0;
}

static int print_file(const char *path, struct cinch_error *err)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char buf[8192];
	size_t n;

	if (!f)
		return cinch_error_errno(err, errno, "policy report: %s", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	return 0;
}

static int policy_report(const struct cli_globals *g, const struct opts *o, const char *id,
			 struct cinch_error *err)
{
	const char *root = g->root ? g->root : "/run/cinch";
	_cleanup_free_ char *report = NULL;
	_cleanup_free_ char *config = NULL;
	int r;

	if (!id[0] || strchr(id, '/') || strcmp(id, ".") == 0 || strcmp(id, "..") == 0) {
		cinch_error_set(err, EINVAL, "policy report: invalid container id \"%s\"", id);
		return bad_input(err);
	}
	if (asprintf(&report, "%s/%s/%s", root, id, CINCH_POLICY_REPORT_FILE) < 0 ||
	    asprintf(&config, "%s/%s/%s", root, id, CINCH_POLICY_EFFECTIVE_CONFIG_FILE) < 0)
		return cinch_error_set(err, ENOMEM, "policy report: out of memory");
	if (access(report, R_OK) < 0)
		return cinch_error_errno(err, errno, "policy report: container %s: %s", id, report);
	if (o->format && strcmp(o->format, "json") == 0) {
		/* One document: {"report": ..., "config": ...}. */
		fputs("{\"report\":", stdout);
		r = print_file(report, err);
		if (r < 0)
			return r;
		fputs(",\"config\":", stdout);
		r = print_file(config, err);
		if (r < 0)
			return r;
		fputs("}\n", stdout);
		return 0;
	}
	printf("# %s\n", report);
	r = print_file(report, err);
	if (r < 0)
		return r;
	printf("\n# %s\n", config);
	r = print_file(config, err);
	if (r == 0)
		putchar('\n');
	return r;
}

int cli_policy(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	struct opts o = {0};
	const char *action;
	int r;

	if (argc < 2) {
		cinch_error_set(err, EINVAL, "policy: missing action (usage: %s)", usage);
		return bad_input(err);
	}
	action = argv[1];
	r = parse_opts(argc - 1, argv + 1, &o, err);
	if (r < 0)
		return bad_input(err);
	if (r > 0)
		return 0;
	if (strcmp(action, "check") == 0) {
		if (cli_expect_operands(argc - 1, argv + 1, optind, 1, usage, err) < 0)
			return bad_input(err);
		return policy_check(g, &o, argv[1 + optind], err);
	}
	if (strcmp(action, "show") == 0) {
		if (cli_expect_operands(argc - 1, argv + 1, optind, 0, usage, err) < 0)
			return bad_input(err);
		return policy_show(g, &o, err);
	}
	if (strcmp(action, "report") == 0) {
		if (cli_expect_operands(argc - 1, argv + 1, optind, 1, usage, err) < 0)
			return bad_input(err);
		return policy_report(g, &o, argv[1 + optind], err);
	}
	cinch_error_set(err, EINVAL, "policy: unknown action \"%s\" (usage: %s)", action, usage);
	return bad_input(err);
}
