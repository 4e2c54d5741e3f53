/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup: cgroupsPath resolution, systemd slice:prefix:name and slice
 * expansion, and hierarchy detection from mountinfo/proc files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cinch/cleanup.h"
#include "src/cgroup/internal.h"

static char *resolve_ok(const char *p, const char *id, const char *self)
{
	struct cinch_error err = {0};
	char *out = NULL;

	assert_int_equal(cg_path_resolve(p, id, self, &out, &err), 0);
	return out;
}

static void absolute_paths_are_relative_to_the_root(void **state)
{
	_cleanup_free_ char *a = resolve_ok("/docker/abc", "abc", "/process_api/x");
	_cleanup_free_ char *b = resolve_ok("/kubepods/besteffort/pod1/abc", "abc", "/");
	_cleanup_free_ char *c = resolve_ok("//libpod_parent/./libpod-abc/", "abc", "/");

	assert_string_equal(a, "/docker/abc");
	assert_string_equal(b, "/kubepods/besteffort/pod1/abc");
	assert_string_equal(c, "/libpod_parent/libpod-abc");
}

static void relative_paths_are_below_our_cgroup(void **state)
{
	_cleanup_free_ char *a = resolve_ok("ctr/abc", "abc", "/process_api/x");
	_cleanup_free_ char *b = resolve_ok("abc", "abc", "/");

	assert_string_equal(a, "/process_api/x/ctr/abc");
	assert_string_equal(b, "/abc");
}

static void empty_path_gets_the_default(void **state)
{
	_cleanup_free_ char *a = resolve_ok(NULL, "c1", "/");
	_cleanup_free_ char *b = resolve_ok("", "c1", "/x");
	struct cinch_error err = {0};
	char *out = NULL;

	assert_string_equal(a, "/cinch/c1");
	assert_string_equal(b, "/cinch/c1");
	assert_int_equal(cg_path_resolve("", "../x", "/", &out, &err), -EINVAL);
}

static void escaping_paths_are_rejected(void **state)
{
	const char *bad[] = {"/docker/../../etc", "../x", "a/../../b", "/..", "/", "//", "."};
	struct cinch_error err = {0};
	char *out = NULL;

	for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
		cinch_error_clear(&err);
		assert_int_equal(cg_path_resolve(bad[i], "c", "/self", &out, &err), -EINVAL);
		assert_null(out);
		assert_non_null(strstr(err.msg, "linux.cgroupsPath"));
	}
	cg_path_resolve("/a/../b", "c", "/", &out, &err);
	assert_non_null(strstr(err.msg, "\"..\" components are not allowed"));
}

static void slices_expand_to_their_parents(void **state)
{
	struct cinch_error err = {0};
	_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;
	char *bad = NULL;

	assert_int_equal(cg_systemd_slice_path("kubepods-besteffort-pod1234.slice", &a, &err), 0);
	assert_string_equal(a, "/kubepods.slice/kubepods-besteffort.slice/"
			       "kubepods-besteffort-pod1234.slice");
	assert_int_equal(cg_systemd_slice_path("system.slice", &b, &err), 0);
	assert_string_equal(b, "/system.slice");
	assert_int_equal(cg_systemd_slice_path("-.slice", &c, &err), 0);
	assert_string_equal(c, "/");
	assert_int_equal(cg_systemd_slice_path("a--b.slice", &bad, &err), -EINVAL);
	assert_int_equal(cg_systemd_slice_path("-a.slice", &bad, &err), -EINVAL);
	assert_int_equal(cg_systemd_slice_path("a.scope", &bad, &err), -EINVAL);
	assert_int_equal(cg_systemd_slice_path("a/b.slice", &bad, &err), -EINVAL);
	assert_null(bad);
}

static void systemd_paths_name_a_scope(void **state)
{
	struct cinch_error err = {0};
	char *slice = NULL, *unit = NULL;

	assert_int_equal(cg_systemd_parse("system.slice:docker:abc", "abc", &slice, &unit, &err),
			 0);
	assert_string_equal(slice, "system.slice");
	assert_string_equal(unit, "docker-abc.scope");
	free(slice);
	free(unit);
	assert_int_equal(cg_systemd_parse("kubepods-besteffort-pod1.slice:cri-containerd:xyz",
					  "xyz", &slice, &unit, &err),
			 0);
	assert_string_equal(slice, "kubepods-besteffort-pod1.slice");
	assert_string_equal(unit, "cri-containerd-xyz.scope");
	free(slice);
	free(unit);
	assert_int_equal(cg_systemd_parse(":p:n", "n", &slice, &unit, &err), 0);
	assert_string_equal(slice, "system.slice");
	assert_string_equal(unit, "p-n.scope");
	free(slice);
	free(unit);
	assert_int_equal(cg_systemd_parse(NULL, "c9", &slice, &unit, &err), 0);
	assert_string_equal(unit, "cinch-c9.scope");
	free(slice);
	free(unit);
	slice = unit = NULL;
	assert_int_equal(cg_systemd_parse("/docker/abc", "abc", &slice, &unit, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "slice:prefix:name"));
	assert_int_equal(cg_systemd_parse("a.slice:p:../x", "x", &slice, &unit, &err), -EINVAL);
	assert_int_equal(cg_systemd_parse("a.slice:p:", "x", &slice, &unit, &err), -EINVAL);
	assert_int_equal(cg_systemd_parse("bad:p:x", "x", &slice, &unit, &err), -EINVAL);
	assert_null(slice);
	assert_null(unit);
}

static char *write_tmp(const char *content)
{
	char *path = strdup("/tmp/cinch-cg-test.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	return path;
}

static const char hybrid_mountinfo[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "36 31 0:31 / /sys/fs/cgroup/cpu,cpuacct2 rw - cgroup cgroup rw,cpuset,clone_children\n"
    "37 31 0:32 / /mnt/again rw,relatime - cgroup cgroup rw,memory\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
static const char proc_cgroups[] = "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
				   "cpuset\t3\t1\t1\ncpu\t1\t1\t1\ncpuacct\t2\t1\t1\n"
				   "memory\t4\t30\t1\nhugetlb\t0\t1\t1\n";
static const char self_cgroup[] = "9:name=systemd:/\n4:memory:/process_api/x\n3:cpuset:/\n"
				  "2:cpuacct:/\n1:cpu:/\n0::/\n";

static void hybrid_hosts_list_every_hierarchy(void **state)
{
	_cleanup_free_ char *mi = write_tmp(hybrid_mountinfo), *pc = write_tmp(proc_cgroups);
	_cleanup_free_ char *sc = write_tmp(self_cgroup);
	struct cinch_error err = {0};
	struct cg_hier *h = NULL;
	size_t n = 0;
	bool unified_only = true;

	assert_int_equal(cg_scan_hierarchies(mi, pc, sc, &h, &n, &unified_only, &err), 0);
	assert_false(unified_only);
	assert_int_equal(n, 6); /* cpu, cpuacct, memory, cpuset, name=systemd, unified */
	assert_string_equal(h[0].controllers, "cpu");
	assert_string_equal(h[2].controllers, "memory");
	assert_string_equal(h[2].self, "/process_api/x");
	assert_string_equal(h[3].controllers, "cpuset"); /* clone_children is no controller */
	assert_string_equal(h[4].controllers, "name=systemd");
	assert_int_equal(h[5].kind, CG_HIER_UNIFIED);
	assert_string_equal(h[5].mount, "/sys/fs/cgroup/unified");
	assert_string_equal(h[5].self, "/");
	assert_true(cg_hier_has(&h[2], "memory"));
	assert_false(cg_hier_has(&h[2], "mem"));
	cg_hiers_free(h, n);
	unlink(mi);
	unlink(pc);
	unlink(sc);
}

static void pure_v2_hosts_have_one_hierarchy(void **state)
{
	_cleanup_free_ char *mi =
	    write_tmp("24 1 0:21 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n");
	_cleanup_free_ char *pc = write_tmp(proc_cgroups), *sc = write_tmp("0::/user.slice\n");
	struct cinch_error err = {0};
	struct cg_hier *h = NULL;
	_cleanup_free_ char *dir = NULL;
	size_t n = 0;
	bool unified_only = false;

	assert_int_equal(cg_scan_hierarchies(mi, pc, sc, &h, &n, &unified_only, &err), 0);
	assert_true(unified_only);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].self, "/user.slice");
	assert_int_equal(cg_hier_dir(&h[0], "/docker/x", &dir, &err), 0);
	assert_string_equal(dir, "/sys/fs/cgroup/docker/x");
	cg_hiers_free(h, n);
	unlink(mi);
	unlink(pc);
	unlink(sc);
}

static void hierarchy_dir_honours_the_mount_root(void **state)
{
	struct cg_hier h = {
	    .kind = CG_HIER_UNIFIED, .mount = (char *)"/sys/fs/cgroup", .root = (char *)"/ns"};
	struct cinch_error err = {0};
	_cleanup_free_ char *a = NULL;
	char *b = NULL;

	assert_int_equal(cg_hier_dir(&h, "/ns/x", &a, &err), 0);
	assert_string_equal(a, "/sys/fs/cgroup/x");
	assert_int_equal(cg_hier_dir(&h, "/nsother/x", &b, &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(absolute_paths_are_relative_to_the_root),
	    cmocka_unit_test(relative_paths_are_below_our_cgroup),
	    cmocka_unit_test(empty_path_gets_the_default),
	    cmocka_unit_test(escaping_paths_are_rejected),
	    cmocka_unit_test(slices_expand_to_their_parents),
	    cmocka_unit_test(systemd_paths_name_a_scope),
	    cmocka_unit_test(hybrid_hosts_list_every_hierarchy),
	    cmocka_unit_test(pure_v2_hosts_have_one_hierarchy),
	    cmocka_unit_test(hierarchy_dir_honours_the_mount_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
