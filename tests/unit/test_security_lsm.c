/* SPDX-License-Identifier: Apache-2.0 */
/*
 * security: AppArmor and SELinux exec labels (the error paths on a host
 * without either LSM; the AppArmor success path runs in the VM, see
 * tests/integration/test_security_apparmor_vm.sh) and the verified procfs
 * handle those writes go through.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cmocka.h>

#include "cinch/security.h"
#include "src/security/security-internal.h"
#include "tests/unit/test_security_helpers.h"

static bool host_has_apparmor(void)
{
	return access("/sys/module/apparmor/parameters/enabled", F_OK) == 0 ||
	       access("/proc/self/attr/apparmor/current", R_OK) == 0;
}

static bool host_has_selinux(void)
{
	char buf[8192];

	return read_text("/proc/filesystems", buf, sizeof(buf)) && strstr(buf, "selinuxfs");
}

static void apparmor_absent_is_a_clear_error(void **state)
{
	struct cinch_error err = {0};

	if (host_has_apparmor())
		skip();
	assert_false(cinch_apparmor_enabled());
	assert_int_equal(cinch_apparmor_exec_profile("cinch-default", &err), -EOPNOTSUPP);
	assert_string_equal(err.msg, "apparmor profile cinch-default requested but AppArmor is not "
				     "enabled on this host");
}

static void apparmor_rejects_bad_names(void **state)
{
	struct cinch_error err = {0};

	assert_int_equal(cinch_apparmor_exec_profile("a\nchangeprofile b", &err), -EINVAL);
	assert_string_equal(err.msg, ".process.apparmorProfile: invalid profile name");
	assert_int_equal(cinch_apparmor_exec_profile("", &err), -EINVAL);
}

static void selinux_absent_is_a_clear_error(void **state)
{
	struct cinch_error err = {0};

	if (host_has_selinux())
		skip();
	assert_int_equal(cinch_selinux_exec_label("system_u:system_r:container_t:s0", &err),
			 -EOPNOTSUPP);
	assert_string_equal(err.msg, "selinux label system_u:system_r:container_t:s0 requested "
				     "but SELinux is not enabled on this host");
	assert_int_equal(cinch_selinux_exec_label("x\ny", &err), -EINVAL);
}

static void procfs_open_reads_own_status(void **state)
{
	struct cinch_error err = {0};
	struct statfs sfs;
	char buf[256];
	int fd;

	fd = security_procfs_open("thread-self/status", O_RDONLY, &err);
	assert_true(fd >= 0);
	assert_int_equal(fstatfs(fd, &sfs), 0);
	assert_true(sfs.f_type == PROC_SUPER_MAGIC);
	assert_true(read(fd, buf, sizeof(buf)) > 0);
	assert_memory_equal(buf, "Name:", 5);
	close(fd);
}

static void procfs_open_stays_beneath_proc(void **state)
{
	struct cinch_error err = {0};
	int fd;

	/* ".." out of /proc and magic links (cwd, root, fd/N) are refused. */
	fd = security_procfs_open("../etc/passwd", O_RDONLY, &err);
	assert_true(fd < 0);
	fd = security_procfs_open("self/root/etc/passwd", O_RDONLY, &err);
	assert_true(fd < 0);
	fd = security_procfs_open("thread-self/cwd", O_RDONLY | O_DIRECTORY, &err);
	assert_true(fd < 0);
}

/* A container that mounts a tmpfs over /proc (or binds a file over
 * attr/exec) must not redirect the label write. */
static int fake_proc_child(char *msg, size_t len, void *arg)
{
	struct cinch_error err = {0};
	struct statfs sfs;
	int fd;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return child_failf(msg, len, "private mount namespace: %s", strerror(errno));
	if (mount("fake", "/proc", "tmpfs", 0, NULL) < 0)
		return child_failf(msg, len, "tmpfs over /proc: %s", strerror(errno));
	if (statfs("/proc", &sfs) < 0 || sfs.f_type == PROC_SUPER_MAGIC)
		return child_failf(msg, len, "/proc still procfs?");
	fd = security_procfs_open("thread-self/attr/current", O_RDONLY, &err);
	if (fd < 0)
		return child_failf(msg, len, "no procfs reached: %s", err.msg);
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
		return child_failf(msg, len, "opened a file that is not on procfs");
	return 0;
}

static void procfs_open_ignores_a_fake_proc(void **state)
{
	if (geteuid() != 0)
		skip();
	assert_child_ok(fake_proc_child, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(apparmor_absent_is_a_clear_error),
	    cmocka_unit_test(apparmor_rejects_bad_names),
	    cmocka_unit_test(selinux_absent_is_a_clear_error),
	    cmocka_unit_test(procfs_open_reads_own_status),
	    cmocka_unit_test(procfs_open_stays_beneath_proc),
	    cmocka_unit_test(procfs_open_ignores_a_fake_proc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
