/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cinch features` must be truthful: every mount option, seccomp action,
 * operator, architecture and flag it lists is accepted by the module that
 * implements it. A claim the code cannot back fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "feature_lists.h"
#include "src/container/rootfs-internal.h"
#include "src/security/security-internal.h"

static void mount_options_are_parsed(void **state)
{
	for (const char *const *o = cli_features_mount_options; *o; o++) {
		char *items[2] = {(char *)*o, NULL};
		struct cinch_strv v = {.items = items, .len = 1, .present = true};
		struct cinch_mount_opts opts = {0};
		struct cinch_error err = {0};
		int r = cinch_mount_opts_parse(&v, &opts, &err);

		if (r < 0)
			fail_msg("mount option %s: %s", *o, err.msg);
		/* Known options are consumed, never passed on as fs data. */
		if (opts.data && opts.data[0])
			fail_msg("mount option %s is not known to the mount code", *o);
		cinch_mount_opts_free(&opts);
	}
}

static void seccomp_names_are_known(void **state)
{
	struct cinch_opt_u32 errno_ret = {0};
	struct cinch_error err = {0};
	uint32_t u32;
	unsigned flag;
	int op;

	for (const char *const *a = cli_features_seccomp_actions; *a; a++)
		if (security_seccomp_action(*a, &errno_ret, ".action", &u32, &err) < 0)
			fail_msg("seccomp action %s: %s", *a, err.msg);
	for (const char *const *o = cli_features_seccomp_operators; *o; o++)
		if (security_seccomp_op(*o, &op) < 0)
			fail_msg("seccomp operator %s unknown", *o);
	for (const char *const *a = cli_features_seccomp_archs; *a; a++)
		if (security_seccomp_arch(*a, &u32) < 0)
			fail_msg("seccomp arch %s unknown", *a);
	for (const char *const *f = cli_features_seccomp_flags; *f; f++)
		if (security_seccomp_flag(*f, &flag) < 0)
			fail_msg("seccomp flag %s unknown", *f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mount_options_are_parsed),
		cmocka_unit_test(seccomp_names_are_known),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
