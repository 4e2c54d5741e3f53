/* SPDX-License-Identifier: Apache-2.0 */
/* cli: runc's global flags in every order and spelling engines use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "globals.h"

static int parse(char **argv, struct cli_globals *g, enum cli_globals_action *action, int *next,
		 struct cinch_error *err)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	memset(g, 0, sizeof(*g));
	return cli_parse_globals(argc, argv, g, action, next, err);
}

static void shim_prefix_with_systemd_after_log_format(void **state)
{
	char *argv[] = {(char *)"cinch",
			(char *)"--root",
			(char *)"/run/containerd/runc/k8s.io",
			(char *)"--log",
			(char *)"/b/log.json",
			(char *)"--log-format",
			(char *)"json",
			(char *)"--systemd-cgroup",
			(char *)"create",
			(char *)"--bundle",
			(char *)"/b",
			(char *)"id",
			NULL};
	struct cli_globals g;
	struct cinch_error err = {0};
	enum cli_globals_action action;
	int next;

	assert_int_equal(parse(argv, &g, &action, &next, &err), 0);
	assert_int_equal(action, CLI_RUN_COMMAND);
	assert_string_equal(argv[next], "create");
	assert_string_equal(g.root, "/run/containerd/runc/k8s.io");
	assert_string_equal(g.log_path, "/b/log.json");
	assert_int_equal(g.log_format, CINCH_LOG_JSON);
	assert_true(g.systemd_cgroup);
}

static void equals_forms_and_own_flags_first(void **state)
{
	char *argv[] = {(char *)"cinch",
			(char *)"--policy",
			(char *)"/etc/cinch/policy.json",
			(char *)"--log-format=json",
			(char *)"--log=/x/oci-log",
			(char *)"--systemd-cgroup=false",
			(char *)"--debug=true",
			(char *)"delete",
			NULL};
	struct cli_globals g;
	struct cinch_error err = {0};
	enum cli_globals_action action;
	int next;

	assert_int_equal(parse(argv, &g, &action, &next, &err), 0);
	assert_string_equal(g.policy_path, "/etc/cinch/policy.json");
	assert_string_equal(g.log_path, "/x/oci-log");
	assert_false(g.systemd_cgroup);
	assert_true(g.debug);
	assert_string_equal(g.root, "/run/cinch");
	assert_string_equal(argv[next], "delete");
}

static void version_flag(void **state)
{
	char *argv[] = {(char *)"cinch", (char *)"--version", NULL};
	char *argv_short[] = {(char *)"cinch", (char *)"-v", NULL};
	struct cli_globals g;
	struct cinch_error err = {0};
	enum cli_globals_action action;
	int next;

	assert_int_equal(parse(argv, &g, &action, &next, &err), 0);
	assert_int_equal(action, CLI_PRINT_VERSION);
	assert_int_equal(parse(argv_short, &g, &action, &next, &err), 0);
	assert_int_equal(action, CLI_PRINT_VERSION);
}

static void errors_name_the_flag(void **state)
{
	char *unknown[] = {(char *)"cinch", (char *)"--bogus", (char *)"state", NULL};
	char *missing[] = {(char *)"cinch", (char *)"--root", NULL};
	char *format[] = {(char *)"cinch", (char *)"--log-format", (char *)"xml", (char *)"state",
			  NULL};
	char *boolean[] = {(char *)"cinch", (char *)"--systemd-cgroup=maybe", (char *)"state",
			   NULL};
	struct cli_globals g;
	struct cinch_error err = {0};
	enum cli_globals_action action;
	int next;

	assert_true(parse(unknown, &g, &action, &next, &err) < 0);
	assert_string_equal(err.msg, "unknown global flag --bogus");
	assert_true(parse(missing, &g, &action, &next, &err) < 0);
	assert_string_equal(err.msg, "--root: missing value");
	assert_true(parse(format, &g, &action, &next, &err) < 0);
	assert_string_equal(err.msg, "--log-format: expected text or json, got \"xml\"");
	assert_true(parse(boolean, &g, &action, &next, &err) < 0);
	assert_string_equal(err.msg, "--systemd-cgroup: expected true or false, got \"maybe\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shim_prefix_with_systemd_after_log_format),
	    cmocka_unit_test(equals_forms_and_own_flags_first),
	    cmocka_unit_test(version_flag),
	    cmocka_unit_test(errors_name_the_flag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
