/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI mount option table (src/container/mount-options.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>

#include <cmocka.h>

#include "rootfs-internal.h"

static struct cinch_mount_opts parse(const char *const *opts, size_t n)
{
	struct cinch_strv v = {.items = (char **)opts, .len = n, .present = true};
	struct cinch_mount_opts o;
	struct cinch_error err = {0};

	assert_int_equal(cinch_mount_opts_parse(&v, &o, &err), 0);
	return o;
}

#define PARSE(...)                                                                                 \
	({                                                                                         \
		static const char *const a_[] = {__VA_ARGS__};                                     \
		parse(a_, sizeof(a_) / sizeof(a_[0]));                                             \
	})

static void test_attrs(void **state)
{
	struct cinch_mount_opts o =
	    PARSE("ro", "nosuid", "nodev", "noexec", "nodiratime", "nosymfollow");

	(void)state;
	assert_int_equal(o.attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					 MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME |
					 MOUNT_ATTR_NOSYMFOLLOW);
	assert_int_equal(o.attr_clr, 0);
	assert_string_equal(o.data, "");
	assert_int_equal(cinch_mount_opts_ms_flags(&o), MS_RDONLY | MS_NOSUID | MS_NODEV |
							    MS_NOEXEC | MS_NODIRATIME |
							    MS_NOSYMFOLLOW);
	cinch_mount_opts_free(&o);
}

static void test_clear_and_last_wins(void **state)
{
	struct cinch_mount_opts o =
	    PARSE("ro", "rw", "suid", "dev", "exec", "diratime", "symfollow", "nosuid");

	(void)state;
	assert_int_equal(o.attr_set, MOUNT_ATTR_NOSUID);
	assert_int_equal(o.attr_clr, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
					 MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW);
	cinch_mount_opts_free(&o);
}

static void test_atime(void **state)
{
	struct {
		const char *opt;
		uint64_t mode;
		unsigned long ms;
	} cases[] = {
	    {"noatime", MOUNT_ATTR_NOATIME, MS_NOATIME},
	    {"atime", MOUNT_ATTR_RELATIME, MS_RELATIME},
	    {"relatime", MOUNT_ATTR_RELATIME, MS_RELATIME},
	    {"norelatime", MOUNT_ATTR_STRICTATIME, MS_STRICTATIME},
	    {"strictatime", MOUNT_ATTR_STRICTATIME, MS_STRICTATIME},
	    {"nostrictatime", MOUNT_ATTR_RELATIME, MS_RELATIME},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *a[] = {"noatime", cases[i].opt};
		struct cinch_mount_opts o = parse(a, 2);

		assert_int_equal(o.attr_set & MOUNT_ATTR__ATIME, cases[i].mode);
		assert_true(o.attr_clr & MOUNT_ATTR__ATIME);
		assert_true(cinch_mount_opts_ms_flags(&o) & cases[i].ms);
		cinch_mount_opts_free(&o);
	}
}

static void test_recursive(void **state)
{
	struct cinch_mount_opts o = PARSE("rro", "rnosuid", "rnodev", "rnoexec", "rnodiratime",
					  "rnosymfollow", "rnoatime", "rsuid");

	(void)state;
	assert_int_equal(o.attr_set, 0);
	assert_int_equal(o.rec_attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
					     MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW |
					     MOUNT_ATTR_NOATIME);
	assert_int_equal(o.rec_attr_clr, MOUNT_ATTR_NOSUID | MOUNT_ATTR__ATIME);
	cinch_mount_opts_free(&o);

	o = PARSE("rrw", "rdev", "rexec", "rdiratime", "rsymfollow", "rrelatime");
	assert_int_equal(o.rec_attr_set, MOUNT_ATTR_RELATIME);
	assert_int_equal(o.rec_attr_clr, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
					     MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW |
					     MOUNT_ATTR__ATIME);
	cinch_mount_opts_free(&o);

	o = PARSE("rstrictatime");
	assert_int_equal(o.rec_attr_set & MOUNT_ATTR__ATIME, MOUNT_ATTR_STRICTATIME);
	cinch_mount_opts_free(&o);
}

static void test_superblock(void **state)
{
	struct cinch_mount_opts o = PARSE("sync", "dirsync", "mand", "lazytime", "silent");

	(void)state;
	assert_int_equal(o.sb_set,
			 MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK | MS_LAZYTIME | MS_SILENT);
	assert_true(cinch_mount_opts_ms_flags(&o) & MS_DIRSYNC);
	cinch_mount_opts_free(&o);
	o = PARSE("sync", "async", "mand", "nomand", "lazytime", "nolazytime", "silent", "loud");
	assert_int_equal(o.sb_set, 0);
	assert_int_equal(o.sb_clr, MS_SYNCHRONOUS | MS_MANDLOCK | MS_LAZYTIME | MS_SILENT);
	cinch_mount_opts_free(&o);
}

static void test_propagation(void **state)
{
	struct {
		const char *opt;
		unsigned long flag;
		bool rec;
	} cases[] = {
	    {"private", MS_PRIVATE, false},	  {"rprivate", MS_PRIVATE, true},
	    {"shared", MS_SHARED, false},	  {"rshared", MS_SHARED, true},
	    {"slave", MS_SLAVE, false},		  {"rslave", MS_SLAVE, true},
	    {"unbindable", MS_UNBINDABLE, false}, {"runbindable", MS_UNBINDABLE, true},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *a[] = {cases[i].opt};
		struct cinch_mount_opts o = parse(a, 1);

		assert_int_equal(o.propagation, cases[i].flag);
		assert_int_equal(o.propagation_recursive, cases[i].rec);
		assert_string_equal(o.data, "");
		cinch_mount_opts_free(&o);
	}
}

static void test_switches(void **state)
{
	struct cinch_mount_opts o = PARSE("bind");

	(void)state;
	assert_true(o.bind);
	assert_false(o.rbind);
	assert_int_equal(cinch_mount_opts_ms_flags(&o), MS_BIND);
	cinch_mount_opts_free(&o);

	o = PARSE("rbind", "remount", "tmpcopyup", "ridmap");
	assert_true(o.bind && o.rbind && o.remount && o.tmpcopyup && o.idmap && o.ridmap);
	assert_int_equal(cinch_mount_opts_ms_flags(&o), MS_BIND | MS_REC | MS_REMOUNT);
	assert_string_equal(o.data, "");
	cinch_mount_opts_free(&o);

	o = PARSE("idmap");
	assert_true(o.idmap);
	assert_false(o.ridmap);
	cinch_mount_opts_free(&o);
}

static void test_data(void **state)
{
	struct cinch_mount_opts o =
	    PARSE("nosuid", "mode=755", "strictatime", "size=65536k", "defaults", "newinstance");

	(void)state;
	assert_string_equal(o.data, "mode=755,size=65536k,newinstance");
	assert_int_equal(o.attr_set & MOUNT_ATTR__ATIME, MOUNT_ATTR_STRICTATIME);
	cinch_mount_opts_free(&o);
	o = PARSE("mode=755,size=65536k");
	assert_string_equal(o.data, "mode=755,size=65536k");
	cinch_mount_opts_free(&o);
}

static void test_empty_option_refused(void **state)
{
	const char *a[] = {"ro", ""};
	struct cinch_strv v = {.items = (char **)a, .len = 2, .present = true};
	struct cinch_mount_opts o;
	struct cinch_error err = {0};

	(void)state;
	assert_int_equal(cinch_mount_opts_parse(&v, &o, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "options[1]"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_attrs),
	    cmocka_unit_test(test_clear_and_last_wins),
	    cmocka_unit_test(test_atime),
	    cmocka_unit_test(test_recursive),
	    cmocka_unit_test(test_superblock),
	    cmocka_unit_test(test_propagation),
	    cmocka_unit_test(test_switches),
	    cmocka_unit_test(test_data),
	    cmocka_unit_test(test_empty_option_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
