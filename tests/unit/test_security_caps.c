/* SPDX-License-Identifier: Apache-2.0 */
/* security: capability names, bounding set, identity switch, no_new_privs.
 * Tests that change the process run in a forked child and need root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cmocka.h>

#include <cap-ng.h>

#include "cinch/security.h"
#include "src/security/security-internal.h"
#include "tests/unit/test_security_helpers.h"

#define BIT(cap)		(UINT64_C(1) << (cap))
#define CAP_NET_BIND_SERVICE_NR 10
#define CAP_CHOWN_NR		0
#define CAP_NET_ADMIN_NR	12
#define CAP_SYS_RESOURCE_NR	24

static void skip_unless_root(void)
{
	if (geteuid() != 0)
		skip();
}

/* ---- names ----------------------------------------------------------------- */

static void cap_names_round_trip(void **state)
{
	int cap;

	assert_int_equal(cinch_cap_max_known(), 40);
	for (int i = 0; i <= cinch_cap_max_known(); i++) {
		const char *name = cinch_cap_name(i);

		assert_non_null(name);
		assert_int_equal(cinch_cap_from_name(name, &cap), 0);
		assert_int_equal(cap, i);
	}
	assert_int_equal(cinch_cap_from_name("CAP_SYS_ADMIN", &cap), 0);
	assert_int_equal(cap, 21);
	assert_int_equal(cinch_cap_from_name("cap_net_raw", &cap), 0);
	assert_int_equal(cap, 13);
	assert_string_equal(cinch_cap_name(40), "CAP_CHECKPOINT_RESTORE");
	assert_string_equal(cinch_cap_name(24), "CAP_SYS_RESOURCE");
}

static void cap_names_reject_unknown(void **state)
{
	int cap = -1;

	assert_int_equal(cinch_cap_from_name("CAP_BOGUS", &cap), -EINVAL);
	assert_int_equal(cinch_cap_from_name("CHOWN", &cap), -EINVAL); /* prefix required */
	assert_int_equal(cinch_cap_from_name("", &cap), -EINVAL);
	assert_int_equal(cinch_cap_from_name(NULL, &cap), -EINVAL);
	assert_int_equal(cap, -1);
	assert_null(cinch_cap_name(-1));
	assert_null(cinch_cap_name(41));
}

static void cap_last_cap_matches_proc(void **state)
{
	struct cinch_error err = {0};
	char buf[32];

	assert_true(read_text("/proc/sys/kernel/cap_last_cap", buf, sizeof(buf)));
	assert_int_equal(cinch_cap_last_cap(&err), atoi(buf));
}

static void caps_mask_names_the_element(void **state)
{
	char *items[] = {(char *)"CAP_CHOWN", (char *)"CAP_BOGUS", NULL};
	struct cinch_strv v = strv(items);
	struct cinch_error err = {0};
	uint64_t mask = 0;

	assert_int_equal(security_caps_mask(&v, "bounding", 40, &mask, &err), -EINVAL);
	assert_string_equal(err.msg,
			    ".process.capabilities.bounding[1]: unknown capability \"CAP_BOGUS\"");
}

static void caps_mask_rejects_cap_newer_than_kernel(void **state)
{
	char *items[] = {(char *)"CAP_CHOWN", (char *)"CAP_PERFMON", NULL};
	struct cinch_strv v = strv(items);
	struct cinch_error err = {0};
	uint64_t mask = 0;

	/* As on a kernel whose cap_last_cap is 37 (before 5.8). */
	assert_int_equal(security_caps_mask(&v, "effective", 37, &mask, &err), -EINVAL);
	assert_non_null(strstr(err.msg, ".process.capabilities.effective[1]: capability "
					"CAP_PERFMON is not known to the running kernel"));
	items[1] = (char *)"CAP_NET_BIND_SERVICE";
	assert_int_equal(security_caps_mask(&v, "effective", 37, &mask, &err), 0);
	assert_true(mask == (BIT(CAP_CHOWN_NR) | BIT(CAP_NET_BIND_SERVICE_NR)));
}

/* ---- bounding ---------------------------------------------------------------- */

static int bounding_drops_the_rest(char *msg, size_t len, void *arg)
{
	char *items[] = {(char *)"CAP_CHOWN", (char *)"CAP_NET_BIND_SERVICE", NULL};
	struct cinch_capabilities caps = {.bounding = strv(items)};
	struct cinch_error err = {0};
	uint64_t bnd;

	if (cinch_caps_apply_bounding(&caps, &err) < 0)
		return child_failf(msg, len, "apply: %s", err.msg);
	if (!self_status_hex("CapBnd", &bnd))
		return child_failf(msg, len, "no CapBnd");
	if (bnd != (BIT(CAP_CHOWN_NR) | BIT(CAP_NET_BIND_SERVICE_NR)))
		return child_failf(msg, len, "CapBnd=%016llx", (unsigned long long)bnd);
	return 0;
}

static void bounding_keeps_only_listed(void **state)
{
	skip_unless_root();
	assert_child_ok(bounding_drops_the_rest, NULL);
}

static int bounding_missing_cap(char *msg, size_t len, void *arg)
{
	char *items[] = {(char *)"CAP_CHOWN", (char *)"CAP_SYS_RESOURCE", NULL};
	struct cinch_capabilities caps = {.bounding = strv(items)};
	struct cinch_error err = {0};
	int r;

	/* Make this child look like this VM's runtime wherever it runs. */
	prctl(PR_CAPBSET_DROP, CAP_SYS_RESOURCE_NR, 0, 0, 0);
	r = cinch_caps_apply_bounding(&caps, &err);
	if (r != -EPERM)
		return child_failf(msg, len, "expected -EPERM, got %d (%s)", r, err.msg);
	if (strcmp(err.msg, "capability CAP_SYS_RESOURCE is not in the runtime's bounding set"))
		return child_failf(msg, len, "message: %s", err.msg);
	/* Nothing was dropped before the error. */
	if (prctl(PR_CAPBSET_READ, CAP_NET_ADMIN_NR, 0, 0, 0) != 1)
		return child_failf(msg, len, "CAP_NET_ADMIN was dropped");
	return 0;
}

static void bounding_missing_cap_is_a_clear_error(void **state)
{
	skip_unless_root();
	assert_child_ok(bounding_missing_cap, NULL);
}

/* ---- identity ------------------------------------------------------------------ */

static int identity_user_1000(char *msg, size_t len, void *arg)
{
	char *nbs[] = {(char *)"CAP_NET_BIND_SERVICE", NULL};
	struct cinch_capabilities caps = {
	    .bounding = strv(nbs), .effective = strv(nbs), .permitted = strv(nbs)};
	uint32_t gids[] = {10, 20};
	struct cinch_user user = {
	    .uid = 1000,
	    .gid = 1001,
	    .additional_gids = {.items = gids, .len = 2, .present = true},
	};
	struct cinch_error err = {0};
	char status[8192], v[128];
	uint64_t eff, prm, inh, amb;

	if (cinch_caps_apply_bounding(&caps, &err) < 0)
		return child_failf(msg, len, "bounding: %s", err.msg);
	if (cinch_identity_apply(&user, &caps, &err) < 0)
		return child_failf(msg, len, "identity: %s", err.msg);
	if (!self_status_hex("CapEff", &eff) || !self_status_hex("CapPrm", &prm) ||
	    !self_status_hex("CapInh", &inh) || !self_status_hex("CapAmb", &amb))
		return child_failf(msg, len, "reading status");
	if (eff != BIT(CAP_NET_BIND_SERVICE_NR) || prm != BIT(CAP_NET_BIND_SERVICE_NR) || inh ||
	    amb)
		return child_failf(msg, len, "CapEff=%llx CapPrm=%llx CapInh=%llx CapAmb=%llx",
				   (unsigned long long)eff, (unsigned long long)prm,
				   (unsigned long long)inh, (unsigned long long)amb);
	read_text("/proc/self/status", status, sizeof(status));
	if (!status_field(status, "Uid", v, sizeof(v)) || strcmp(v, "1000\t1000\t1000\t1000"))
		return child_failf(msg, len, "Uid: %s", v);
	if (!status_field(status, "Gid", v, sizeof(v)) || strcmp(v, "1001\t1001\t1001\t1001"))
		return child_failf(msg, len, "Gid: %s", v);
	if (!status_field(status, "Groups", v, sizeof(v)) || strcmp(v, "10 20 "))
		return child_failf(msg, len, "Groups: '%s'", v);
	if (prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) != 0)
		return child_failf(msg, len, "KEEPCAPS left on");
	return 0;
}

static void identity_switches_user_keeping_listed_caps(void **state)
{
	skip_unless_root();
	assert_child_ok(identity_user_1000, NULL);
}

/* Ambient capabilities are what a non-root process keeps across execve:
 * check after an exec, which is where it matters. */
static int identity_ambient_survives_exec(char *msg, size_t len, void *arg)
{
	char *nbs[] = {(char *)"CAP_NET_BIND_SERVICE", NULL};
	struct cinch_capabilities caps = {.bounding = strv(nbs),
					  .effective = strv(nbs),
					  .permitted = strv(nbs),
					  .inheritable = strv(nbs),
					  .ambient = strv(nbs)};
	struct cinch_user user = {.uid = 1000, .gid = 1000};
	struct cinch_error err = {0};
	char status[8192] = "", v[64];
	int fds[2], wstatus;
	uint64_t eff;
	ssize_t n;
	pid_t pid;

	if (cinch_caps_apply_bounding(&caps, &err) < 0 ||
	    cinch_identity_apply(&user, &caps, &err) < 0)
		return child_failf(msg, len, "%s", err.msg);
	if (pipe(fds) < 0)
		return child_failf(msg, len, "pipe");
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		execl("/bin/cat", "cat", "/proc/self/status", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	n = read(fds[0], status, sizeof(status) - 1);
	status[n > 0 ? n : 0] = '\0';
	waitpid(pid, &wstatus, 0);
	if (!status_field(status, "CapEff", v, sizeof(v)))
		return child_failf(msg, len, "no CapEff after exec");
	eff = strtoull(v, NULL, 16);
	if (eff != BIT(CAP_NET_BIND_SERVICE_NR))
		return child_failf(msg, len, "CapEff after exec: %s", v);
	status_field(status, "CapAmb", v, sizeof(v));
	if (strtoull(v, NULL, 16) != BIT(CAP_NET_BIND_SERVICE_NR))
		return child_failf(msg, len, "CapAmb after exec: %s", v);
	return 0;
}

static void identity_ambient_caps_survive_exec(void **state)
{
	skip_unless_root();
	assert_child_ok(identity_ambient_survives_exec, NULL);
}

static int identity_without_caps_clears_all(char *msg, size_t len, void *arg)
{
	struct cinch_user user = {.uid = 0, .gid = 0};
	struct cinch_error err = {0};
	uint64_t eff = 0, prm = 0;

	if (cinch_identity_apply(&user, NULL, &err) < 0)
		return child_failf(msg, len, "%s", err.msg);
	if (!self_status_hex("CapEff", &eff) || !self_status_hex("CapPrm", &prm) || eff || prm)
		return child_failf(msg, len, "caps left: eff=%llx prm=%llx",
				   (unsigned long long)eff, (unsigned long long)prm);
	return 0;
}

static void identity_null_caps_clears_everything(void **state)
{
	skip_unless_root();
	assert_child_ok(identity_without_caps_clears_all, NULL);
}

static void identity_rejects_inconsistent_sets(void **state)
{
	char *nbs[] = {(char *)"CAP_NET_BIND_SERVICE", NULL};
	char *admin[] = {(char *)"CAP_NET_ADMIN", NULL};
	struct cinch_capabilities caps = {.permitted = strv(nbs), .ambient = strv(admin)};
	struct cinch_error err = {0};

	/* Checked before anything changes, so this runs in-process. */
	assert_int_equal(cinch_identity_apply(NULL, &caps, &err), -EINVAL);
	assert_string_equal(err.msg, ".process.capabilities.ambient: CAP_NET_ADMIN must also be "
				     "in permitted and inheritable");
	caps = (struct cinch_capabilities){.permitted = strv(nbs), .effective = strv(admin)};
	assert_int_equal(cinch_identity_apply(NULL, &caps, &err), -EINVAL);
	assert_string_equal(err.msg, ".process.capabilities.effective: CAP_NET_ADMIN is not in "
				     ".process.capabilities.permitted");
}

static int identity_missing_cap(char *msg, size_t len, void *arg)
{
	char *items[] = {(char *)"CAP_SYS_RESOURCE", NULL};
	struct cinch_capabilities caps = {.permitted = strv(items), .effective = strv(items)};
	struct cinch_user user = {.uid = 1000, .gid = 1000};
	struct cinch_error err = {0};
	int r;

	/* Make this child look like this VM's runtime wherever it runs: no
	 * CAP_SYS_RESOURCE in its bounding or permitted set. */
	prctl(PR_CAPBSET_DROP, CAP_SYS_RESOURCE_NR, 0, 0, 0);
	capng_get_caps_process();
	capng_update(CAPNG_DROP, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_SYS_RESOURCE_NR);
	if (capng_apply(CAPNG_SELECT_CAPS) < 0)
		return child_failf(msg, len, "could not drop CAP_SYS_RESOURCE");
	r = cinch_identity_apply(&user, &caps, &err);
	if (r != -EPERM)
		return child_failf(msg, len, "expected -EPERM, got %d (%s)", r, err.msg);
	if (strcmp(err.msg, "capability CAP_SYS_RESOURCE is not in the runtime's bounding set"))
		return child_failf(msg, len, "message: %s", err.msg);
	if (getuid() != 0)
		return child_failf(msg, len, "uid changed before the error");
	return 0;
}

static void identity_missing_cap_is_a_clear_error(void **state)
{
	skip_unless_root();
	assert_child_ok(identity_missing_cap, NULL);
}

static int nnp_child(char *msg, size_t len, void *arg)
{
	struct cinch_error err = {0};
	uint64_t nnp = 0;

	if (cinch_no_new_privs_apply(&err) < 0)
		return child_failf(msg, len, "%s", err.msg);
	if (!self_status_hex("NoNewPrivs", &nnp) || nnp != 1)
		return child_failf(msg, len, "NoNewPrivs=%llu", (unsigned long long)nnp);
	return 0;
}

static void no_new_privs_is_set(void **state)
{
	assert_child_ok(nnp_child, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cap_names_round_trip),
	    cmocka_unit_test(cap_names_reject_unknown),
	    cmocka_unit_test(cap_last_cap_matches_proc),
	    cmocka_unit_test(caps_mask_names_the_element),
	    cmocka_unit_test(caps_mask_rejects_cap_newer_than_kernel),
	    cmocka_unit_test(bounding_keeps_only_listed),
	    cmocka_unit_test(bounding_missing_cap_is_a_clear_error),
	    cmocka_unit_test(identity_switches_user_keeping_listed_caps),
	    cmocka_unit_test(identity_ambient_caps_survive_exec),
	    cmocka_unit_test(identity_null_caps_clears_everything),
	    cmocka_unit_test(identity_rejects_inconsistent_sets),
	    cmocka_unit_test(identity_missing_cap_is_a_clear_error),
	    cmocka_unit_test(no_new_privs_is_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
