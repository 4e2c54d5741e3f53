/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Safe path helpers (src/util/path.c) and the procfs destination rules
 * (src/container/mount-check.c), on a scratch tree: no root needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cinch/cleanup.h"
#include "cinch/path.h"
#include "rootfs-internal.h"

static char tmp[] = "/tmp/cinch-rootfs-path.XXXXXX";
static char outside[4200];
static int root_fd = -1;

static int setup(void **state)
{
	char p[4300];

	(void)state;
	if (!mkdtemp(tmp))
		return -1;
	snprintf(p, sizeof(p), "%s/root", tmp);
	mkdir(p, 0755);
	snprintf(outside, sizeof(outside), "%s/outside", tmp);
	mkdir(outside, 0755);
	/* rootfs/evil -> <tmp>/outside (absolute: a host path) */
	snprintf(p, sizeof(p), "%s/root/evil", tmp);
	if (symlink(outside, p) < 0)
		return -1;
	/* rootfs/up -> ../../.. */
	snprintf(p, sizeof(p), "%s/root/up", tmp);
	if (symlink("../../..", p) < 0)
		return -1;
	/* rootfs/dangling -> /nonexistent/file: created inside the root */
	snprintf(p, sizeof(p), "%s/root/dangling", tmp);
	if (symlink("/nonexistent/file", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/root", tmp);
	root_fd = open(p, O_PATH | O_DIRECTORY);
	return root_fd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[4300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static void check_clean(const char *in, const char *want)
{
	struct cinch_error err = {0};
	_cleanup_free_ char *out = NULL;

	assert_int_equal(cinch_path_clean(in, &out, &err), 0);
	assert_string_equal(out, want);
}

static void test_clean(void **state)
{
	(void)state;
	check_clean("/", "/");
	check_clean("", "/");
	check_clean("proc", "/proc");
	check_clean("//proc//./sys/", "/proc/sys");
	check_clean("/a/b/../../../proc", "/proc");
	check_clean("../../etc/passwd", "/etc/passwd");
	check_clean("/dev/./null", "/dev/null");
}

static void test_prefix(void **state)
{
	(void)state;
	assert_true(cinch_path_has_prefix("/proc", "/proc"));
	assert_true(cinch_path_has_prefix("/proc/sys", "/proc"));
	assert_false(cinch_path_has_prefix("/procfoo", "/proc"));
	assert_true(cinch_path_has_prefix("/x", "/"));
}

static void test_unescape_mountinfo(void **state)
{
	char s[] = "/a\\040b\\011c\\012d\\134e\\x\\9\\04";

	(void)state;
	cinch_path_unescape_mountinfo(s);
	assert_string_equal(s, "/a b\tc\nd\\e\\x\\9\\04");
}

/* mkdir -p through an absolute symlink lands inside the root. */
static void test_mkdir_through_symlink_stays_inside(void **state)
{
	struct cinch_error err = {0};
	char p[4300];
	struct stat st;
	int fd;

	(void)state;
	fd = cinch_path_mkdir_in_root(root_fd, "/evil/sub/dir", 0755, &err);
	assert_true(fd >= 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/sub", outside);
	assert_int_equal(stat(p, &st), -1);
	snprintf(p, sizeof(p), "%s/root%s/sub/dir", tmp, outside);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	/* ".." cannot leave the root either. */
	fd = cinch_path_mkdir_in_root(root_fd, "/up/up/escaped", 0755, &err);
	assert_true(fd >= 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/root/escaped", tmp);
	assert_int_equal(stat(p, &st), 0);
}

static void test_mkfile_follows_dangling_symlink_inside(void **state)
{
	struct cinch_error err = {0};
	char p[4300];
	struct stat st;
	int fd;

	(void)state;
	fd = cinch_path_mkfile_in_root(root_fd, "/dangling", 0644, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat("/nonexistent/file", &st), -1);
	snprintf(p, sizeof(p), "%s/root/nonexistent/file", tmp);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));

	fd = cinch_path_mkfile_in_root(root_fd, "/etc/resolv.conf", 0644, &err);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	close(fd);
}

static void test_fd_in_root(void **state)
{
	struct cinch_error err = {0};
	_cleanup_free_ char *in = NULL;
	char root[4300];
	int fd;

	(void)state;
	snprintf(root, sizeof(root), "%s/root", tmp);
	fd = cinch_path_mkdir_in_root(root_fd, "/evil/sub", 0755, &err);
	assert_true(fd >= 0);
	assert_int_equal(cinch_path_fd_in_root(fd, root, &in, &err), 0);
	assert_true(cinch_path_has_prefix(in, outside));
	close(fd);
}

static void test_proc_rules(void **state)
{
	struct cinch_error err = {0};

	(void)state;
	assert_int_equal(cinch_mount_check_proc("/proc", false, "proc", "proc", &err), 0);
	assert_int_equal(cinch_mount_check_proc("/proc", false, "tmpfs", "tmpfs", &err), -EPERM);
	assert_non_null(strstr(err.msg, "not of type proc"));
	assert_int_equal(cinch_mount_check_proc("/proc", true, "bind", "/proc", &err), 0);
	assert_int_equal(cinch_mount_check_proc("/proc", true, "bind", "/proc/self", &err), -EPERM);
	assert_int_equal(cinch_mount_check_proc("/proc", true, "bind", "/tmp", &err), -EPERM);
	assert_int_equal(cinch_mount_check_proc("/proc/cpuinfo", true, "bind", "/x", &err), 0);
	assert_int_equal(
	    cinch_mount_check_proc("/proc/sys/kernel/ns_last_pid", true, "bind", "/x", &err), 0);
	assert_int_equal(cinch_mount_check_proc("/proc/sys", false, "tmpfs", "t", &err), -EPERM);
	assert_non_null(strstr(err.msg, "inside /proc"));
	assert_int_equal(cinch_mount_check_proc("/proc/self/attr", true, "bind", "/x", &err),
			 -EPERM);
	/* A proc mount elsewhere is allowed. */
	assert_int_equal(cinch_mount_check_proc("/hostproc", false, "proc", "proc", &err), 0);
	assert_int_equal(cinch_mount_check_proc("/procfoo", false, "tmpfs", "t", &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clean),
	    cmocka_unit_test(test_prefix),
	    cmocka_unit_test(test_unescape_mountinfo),
	    cmocka_unit_test(test_mkdir_through_symlink_stays_inside),
	    cmocka_unit_test(test_mkfile_follows_dangling_symlink_inside),
	    cmocka_unit_test(test_fd_in_root),
	    cmocka_unit_test(test_proc_rules),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
