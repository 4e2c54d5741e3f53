/* SPDX-License-Identifier: Apache-2.0 */
/*
 * security: seccomp profile -> BPF (errors naming the JSON path, the OCI
 * rule semantics) and installing filters in forked children that then
 * observe the errno they were given. The cache: test_security_seccomp_cache.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "cinch/security.h"
#include "cinch/spec.h"
#include "tests/unit/test_security_helpers.h"

#define S(literal) ((char *)(literal))

/* ---- helpers ------------------------------------------------------------- */

struct install_case {
	const struct cinch_seccomp *profile;
	int (*check)(char *msg, size_t len);
};

/* Child: compile, set no_new_privs, install, then run the case's check. */
static int install_then_check(char *msg, size_t len, void *arg)
{
	const struct install_case *c = arg;
	struct cinch_seccomp_filter f = {0};
	struct cinch_error err = {0};

	if (cinch_seccomp_compile(c->profile, &f, &err) < 0)
		return child_failf(msg, len, "compile: %s", err.msg);
	if (cinch_no_new_privs_apply(&err) < 0)
		return child_failf(msg, len, "nnp: %s", err.msg);
	if (cinch_seccomp_install(&f, &err) < 0)
		return child_failf(msg, len, "install: %s", err.msg);
	return c->check(msg, len);
}

/* r and errno from a syscall just made; want 0 = must succeed. */
static int expect_errno(char *msg, size_t len, const char *what, long r, int want)
{
	if (want == 0 && r < 0)
		return child_failf(msg, len, "%s: failed with errno %d, expected success", what,
				   errno);
	if (want != 0 && (r != -1 || errno != want))
		return child_failf(msg, len, "%s: returned %ld errno %d, expected errno %d", what,
				   r, errno, want);
	return 0;
}

static void compile_error(const struct cinch_seccomp *p, int code, const char *expected)
{
	struct cinch_seccomp_filter f = {0};
	struct cinch_error err = {0};

	assert_int_equal(cinch_seccomp_compile(p, &f, &err), -code);
	if (!strstr(err.msg, expected))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, expected);
	assert_null(f.bpf);
}

/* ---- compile: errors ------------------------------------------------------- */

static void compile_rejects_bad_action(void **state)
{
	char *a[] = {S("getpid"), NULL}, *b[] = {S("getppid"), NULL};
	struct cinch_seccomp_syscall rules[] = {
	    {.names = strv(a), .action = S("SCMP_ACT_ALLOW")},
	    {.names = strv(b), .action = S("SCMP_ACT_BOGUS")},
	};
	struct cinch_seccomp p = {.default_action = S("SCMP_ACT_ERRNO"), .syscalls = RULES(rules)};

	compile_error(
	    &p, EINVAL,
	    ".linux.seccomp.syscalls[1].action: unknown seccomp action \"SCMP_ACT_BOGUS\"");
	p.default_action = S("SCMP_ACT_NOPE");
	compile_error(&p, EINVAL, ".linux.seccomp.defaultAction: unknown seccomp action");
	p.default_action = NULL;
	compile_error(&p, EINVAL, ".linux.seccomp.defaultAction: missing");
}

static void compile_rejects_errno_ret_on_allow(void **state)
{
	char *a[] = {S("getpid"), NULL};
	struct cinch_seccomp_syscall rules[] = {
	    {.names = strv(a), .action = S("SCMP_ACT_ALLOW"), .errno_ret = ERRNO_RET(5)},
	};
	struct cinch_seccomp p = {.default_action = S("SCMP_ACT_ERRNO"), .syscalls = RULES(rules)};

	compile_error(&p, EINVAL, ".linux.seccomp.syscalls[0].action: errnoRet is only valid");
	rules[0].action = S("SCMP_ACT_ERRNO");
	rules[0].errno_ret.value = 70000;
	compile_error(&p, ERANGE, ".linux.seccomp.syscalls[0].action: errnoRet 70000");
}

static void compile_rejects_bad_op_and_index(void **state)
{
	char *a[] = {S("personality"), NULL};
	struct cinch_seccomp_arg args[] = {{.index = 0, .value = 1, .op = S("SCMP_CMP_SIMILAR")}};
	struct cinch_seccomp_syscall rules[] = {
	    {.names = strv(a), .action = S("SCMP_ACT_ALLOW"), .args = RULES(args)},
	};
	struct cinch_seccomp p = {.default_action = S("SCMP_ACT_ERRNO"), .syscalls = RULES(rules)};

	compile_error(
	    &p, EINVAL,
	    ".linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_SIMILAR\"");
	args[0].op = S("SCMP_CMP_EQ");
	args[0].index = 6;
	compile_error(&p, EINVAL, ".linux.seccomp.syscalls[0].args[0].index: 6 is not a syscall");
	args[0].index = 0;
	rules[0].names = (struct cinch_strv){.present = true};
	compile_error(&p, EINVAL, ".linux.seccomp.syscalls[0].names: empty");
}

static void compile_rejects_bad_arch_and_flag(void **state)
{
	char *arches[] = {S("SCMP_ARCH_X86_64"), S("SCMP_ARCH_PDP11"), NULL};
	char *flags[] = {S("SECCOMP_FILTER_FLAG_BOGUS"), NULL};
	struct cinch_seccomp p = {.default_action = S("SCMP_ACT_ALLOW"),
				  .architectures = strv(arches)};

	compile_error(&p, EINVAL,
		      ".linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_PDP11\"");
	arches[1] = S("x86");
	compile_error(&p, EINVAL, ".linux.seccomp.architectures[1]");
	arches[1] = NULL;
	p.architectures = strv(arches);
	p.flags = strv(flags);
	compile_error(
	    &p, EINVAL,
	    ".linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_BOGUS\"");
}

/* ---- compile: results ------------------------------------------------------- */

static void compile_flags_follow_profile(void **state)
{
	char *flags[] = {S("SECCOMP_FILTER_FLAG_TSYNC"), S("SECCOMP_FILTER_FLAG_LOG"), NULL};
	struct cinch_seccomp p = {.default_action = S("SCMP_ACT_ALLOW")};
	struct cinch_seccomp_filter f = {0};
	struct cinch_error err = {0};

	/* Absent: SPEC_ALLOW, like runc and crun. Present but empty: none. */
	assert_int_equal(cinch_seccomp_compile(&p, &f, &err), 0);
	assert_int_equal(f.flags, SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	assert_false(f.notify);
	assert_true(f.bpf_len > 0);
	cinch_seccomp_filter_release(&f);
	p.flags = (struct cinch_strv){.present = true};
	assert_int_equal(cinch_seccomp_compile(&p, &f, &err), 0);
	assert_int_equal(f.flags, 0);
	cinch_seccomp_filter_release(&f);
	p.flags = strv(flags);
	assert_int_equal(cinch_seccomp_compile(&p, &f, &err), 0);
	assert_int_equal(f.flags, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG);
	cinch_seccomp_filter_release(&f);
}

static void compile_docker_profile(void **state)
{
	struct cinch_spec *spec = NULL;
	const struct cinch_seccomp *profile = load_docker_seccomp(&spec);
	struct cinch_seccomp_filter f = {0};
	struct cinch_error err = {0};

	if (!profile) {
		skip();
		return;
	}
	assert_true(profile->syscalls.len > 5);
	assert_int_equal(cinch_seccomp_compile(profile, &f, &err), 0);
	/* Three architectures and ~350 syscalls: hundreds of instructions. */
	assert_true(f.bpf_len > 300);
	assert_true(f.bpf_len <= BPF_MAXINSNS);
	assert_int_equal(f.flags, SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	assert_false(f.notify);
	cinch_seccomp_filter_release(&f);
	cinch_spec_free(spec);
}

static void compile_more_arches_more_code(void **state)
{
	char *a[] = {S("getpid"), NULL};
	char *arches[] = {S("SCMP_ARCH_X86_64"), S("SCMP_ARCH_X86"), S("SCMP_ARCH_X32"), NULL};
	struct cinch_seccomp_syscall rules[] = {
	    {.names = strv(a), .action = S("SCMP_ACT_ERRNO"), .errno_ret = ERRNO_RET(99)},
	};
	struct cinch_seccomp p = {.default_action = S("SCMP_ACT_ALLOW"), .syscalls = RULES(rules)};
	struct cinch_seccomp_filter native = {0}, multi = {0};
	struct cinch_error err = {0};

	assert_int_equal(cinch_seccomp_compile(&p, &native, &err), 0);
	p.architectures = strv(arches);
	assert_int_equal(cinch_seccomp_compile(&p, &multi, &err), 0);
	assert_true(multi.bpf_len > native.bpf_len);
	cinch_seccomp_filter_release(&native);
	cinch_seccomp_filter_release(&multi);
}

static void compile_marks_notify(void **state)
{
	char *a[] = {S("getppid"), NULL}, *unknown[] = {S("no_such_syscall_cinch"), NULL};
	struct cinch_seccomp_syscall rules[] = {{.names = strv(a), .action = S("SCMP_ACT_NOTIFY")}};
	struct cinch_seccomp p = {.default_action = S("SCMP_ACT_ALLOW"), .syscalls = RULES(rules)};
	struct cinch_seccomp_filter f = {0};
	struct cinch_error err = {0};

	assert_int_equal(cinch_seccomp_compile(&p, &f, &err), 0);
	assert_true(f.notify);
	cinch_seccomp_filter_release(&f);
	/* A notify rule for a syscall this libseccomp does not know adds
	 * nothing, so no listener is asked for. */
	rules[0].names = strv(unknown);
	assert_int_equal(cinch_seccomp_compile(&p, &f, &err), 0);
	assert_false(f.notify);
	cinch_seccomp_filter_release(&f);
}

/* ---- install ------------------------------------------------------------------ */

static int check_getpid_99(char *msg, size_t len)
{
	int r = expect_errno(msg, len, "getpid", syscall(SYS_getpid), 99);

	return r ? r : expect_errno(msg, len, "getppid", syscall(SYS_getppid), 0);
}

static void install_errno_rule_and_skip_unknown_names(void **state)
{
	char *a[] = {S("no_such_syscall_cinch"), S("getpid"), NULL};
	struct cinch_seccomp_syscall rules[] = {
	    {.names = strv(a), .action = S("SCMP_ACT_ERRNO"), .errno_ret = ERRNO_RET(99)},
	};
	struct cinch_seccomp p = {.default_action = S("SCMP_ACT_ALLOW"), .syscalls = RULES(rules)};
	struct install_case c = {&p, check_getpid_99};

	assert_child_ok(install_then_check, &c);
}

static int check_docker(char *msg, size_t len)
{
	int r = expect_errno(msg, len, "getpid", syscall(SYS_getpid), 0);

	/* personality: only the values Docker lists; clone3: ENOSYS so libc
	 * falls back to clone; the rest is not in the allowlist: EPERM.
	 * Every probe is harmless if (wrongly) allowed. */
	if (!r)
		r = expect_errno(msg, len, "personality(query)",
				 syscall(SYS_personality, 0xffffffffUL), 0);
	if (!r)
		r = expect_errno(msg, len, "personality(ADDR_NO_RANDOMIZE)",
				 syscall(SYS_personality, 0x0040000UL), EPERM);
	if (!r)
		r = expect_errno(msg, len, "clone3", syscall(SYS_clone3, NULL, 0), ENOSYS);
	if (!r)
		r = expect_errno(msg, len, "keyctl", syscall(SYS_keyctl, 0, -3, 0), EPERM);
	if (!r)
		r = expect_errno(msg, len, "unshare(CLONE_NEWUSER)",
				 syscall(SYS_unshare, 0x10000000), EPERM);
	if (!r)
		r = expect_errno(msg, len, "umount2", syscall(SYS_umount2, "/nonexistent-cinch", 0),
				 EPERM);
	return r;
}

static void install_docker_profile(void **state)
{
	struct cinch_spec *spec = NULL;
	const struct cinch_seccomp *profile = load_docker_seccomp(&spec);
	struct install_case c = {profile, check_docker};

	if (!profile) {
		skip();
		return;
	}
	assert_child_ok(install_then_check, &c);
	cinch_spec_free(spec);
}

static int check_personality_or(char *msg, size_t len)
{
	int r =
	    expect_errno(msg, len, "personality(0x40000)", syscall(SYS_personality, 0x40000UL), 77);

	if (!r)
		r = expect_errno(msg, len, "personality(0x400000)",
				 syscall(SYS_personality, 0x400000UL), 77);
	if (!r)
		r = expect_errno(msg, len, "personality(query)",
				 syscall(SYS_personality, 0xffffffffUL), 0);
	return r;
}

static void install_same_index_args_are_alternatives(void **state)
{
	char *a[] = {S("personality"), NULL};
	struct cinch_seccomp_arg args[] = {
	    {.index = 0, .value = 0x40000, .op = S("SCMP_CMP_EQ")},
	    {.index = 0, .value = 0x400000, .op = S("SCMP_CMP_EQ")},
	};
	struct cinch_seccomp_syscall rules[] = {{.names = strv(a),
						 .action = S("SCMP_ACT_ERRNO"),
						 .errno_ret = ERRNO_RET(77),
						 .args = RULES(args)}};
	struct cinch_seccomp p = {.default_action = S("SCMP_ACT_ALLOW"), .syscalls = RULES(rules)};
	struct install_case c = {&p, check_personality_or};

	assert_child_ok(install_then_check, &c);
}

static int check_kill_and(char *msg, size_t len)
{
	int r = expect_errno(msg, len, "kill(0, 0)", syscall(SYS_kill, 0, 0), 66);

	if (!r)
		r = expect_errno(msg, len, "kill(self, 0)", syscall(SYS_kill, getpid(), 0), 0);
	return r;
}

static void install_different_index_args_all_apply(void **state)
{
	char *a[] = {S("kill"), NULL};
	struct cinch_seccomp_arg args[] = {
	    {.index = 0, .value = 0, .op = S("SCMP_CMP_EQ")},
	    {.index = 1, .value = 0, .op = S("SCMP_CMP_EQ")},
	};
	struct cinch_seccomp_syscall rules[] = {{.names = strv(a),
						 .action = S("SCMP_ACT_ERRNO"),
						 .errno_ret = ERRNO_RET(66),
						 .args = RULES(args)}};
	struct cinch_seccomp p = {.default_action = S("SCMP_ACT_ALLOW"), .syscalls = RULES(rules)};
	struct install_case c = {&p, check_kill_and};

	assert_child_ok(install_then_check, &c);
}

static int check_masked(char *msg, size_t len)
{
	int r =
	    expect_errno(msg, len, "personality(0x0108)", syscall(SYS_personality, 0x0108UL), 55);

	if (!r)
		r = expect_errno(msg, len, "personality(query)",
				 syscall(SYS_personality, 0xffffffffUL), 0);
	return r;
}

static void install_masked_eq_uses_value_two(void **state)
{
	char *a[] = {S("personality"), NULL};
	struct cinch_seccomp_arg args[] = {{.index = 0,
					    .value = 0xff00,
					    .value_two = {.value = 0x0100, .present = true},
					    .op = S("SCMP_CMP_MASKED_EQ")}};
	struct cinch_seccomp_syscall rules[] = {{.names = strv(a),
						 .action = S("SCMP_ACT_ERRNO"),
						 .errno_ret = ERRNO_RET(55),
						 .args = RULES(args)}};
	struct cinch_seccomp p = {.default_action = S("SCMP_ACT_ALLOW"), .syscalls = RULES(rules)};
	struct install_case c = {&p, check_masked};

	assert_child_ok(install_then_check, &c);
}

static int check_default_errno(char *msg, size_t len)
{
	return expect_errno(msg, len, "getppid", syscall(SYS_getppid), 42);
}

static void install_default_errno_ret(void **state)
{
	/* Allow only what the child needs to report back and exit (and what
	 * the sanitizer runtime does on the way). */
	char *allowed[] = {S("write"),		S("exit"),	   S("exit_group"),
			   S("getpid"),		S("gettid"),	   S("rt_sigreturn"),
			   S("rt_sigprocmask"), S("rt_sigaction"), S("sigaltstack"),
			   S("mmap"),		S("munmap"),	   S("mprotect"),
			   S("madvise"),	S("brk"),	   S("futex"),
			   S("read"),		S("close"),	   NULL};
	struct cinch_seccomp_syscall rules[] = {
	    {.names = strv(allowed), .action = S("SCMP_ACT_ALLOW")}};
	struct cinch_seccomp p = {.default_action = S("SCMP_ACT_ERRNO"),
				  .default_errno_ret = ERRNO_RET(42),
				  .syscalls = RULES(rules)};
	struct install_case c = {&p, check_default_errno};

	assert_child_ok(install_then_check, &c);
}

static int notify_child(char *msg, size_t len, void *arg)
{
	char *a[] = {S("getppid"), NULL};
	struct cinch_seccomp_syscall rules[] = {{.names = strv(a), .action = S("SCMP_ACT_NOTIFY")}};
	struct cinch_seccomp p = {.default_action = S("SCMP_ACT_ALLOW"), .syscalls = RULES(rules)};
	struct cinch_seccomp_filter f = {0};
	struct cinch_error err = {0};
	int fd;

	if (cinch_seccomp_compile(&p, &f, &err) < 0 || cinch_no_new_privs_apply(&err) < 0)
		return child_failf(msg, len, "%s", err.msg);
	fd = cinch_seccomp_install(&f, &err);
	if (fd <= 0)
		return child_failf(msg, len, "expected a listener fd, got %d (%s)", fd, err.msg);
	if (fcntl(fd, F_GETFD) < 0)
		return child_failf(msg, len, "listener fd %d is not open", fd);
	return 0;
}

static void install_notify_returns_listener(void **state)
{
	assert_child_ok(notify_child, NULL);
}

static int check_filter_active(char *msg, size_t len)
{
	uint64_t mode = 0, n = 0;

	/* Single digits: the hex parse reads them the same. */
	if (!self_status_hex("Seccomp", &mode) || mode != 2)
		return child_failf(msg, len, "Seccomp=%llu", (unsigned long long)mode);
	if (self_status_hex("Seccomp_filters", &n) && n != 1)
		return child_failf(msg, len, "Seccomp_filters=%llu", (unsigned long long)n);
	return 0;
}

static void install_with_flags(void **state)
{
	char *flags[] = {S("SECCOMP_FILTER_FLAG_LOG"), S("SECCOMP_FILTER_FLAG_SPEC_ALLOW"),
			 S("SECCOMP_FILTER_FLAG_TSYNC"), NULL};
	struct cinch_seccomp p = {.default_action = S("SCMP_ACT_ALLOW"), .flags = strv(flags)};
	struct install_case c = {&p, check_filter_active};

	assert_child_ok(install_then_check, &c);
}

static int install_without_nnp(char *msg, size_t len, void *arg)
{
	struct cinch_seccomp p = {.default_action = S("SCMP_ACT_ALLOW")};
	struct cinch_seccomp_filter f = {0};
	struct cinch_error err = {0};
	int r;

	if (cinch_seccomp_compile(&p, &f, &err) < 0)
		return child_failf(msg, len, "%s", err.msg);
	/* Neither no_new_privs nor CAP_SYS_ADMIN. */
	if (setresuid(1000, 1000, 1000) < 0)
		return child_failf(msg, len, "setresuid");
	r = cinch_seccomp_install(&f, &err);
	if (r != -EACCES || !strstr(err.msg, "needs noNewPrivileges or CAP_SYS_ADMIN"))
		return child_failf(msg, len, "got %d: %s", r, err.msg);
	return 0;
}

static void install_without_privilege_is_a_clear_error(void **state)
{
	if (geteuid() != 0)
		skip();
	assert_child_ok(install_without_nnp, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(compile_rejects_bad_action),
	    cmocka_unit_test(compile_rejects_errno_ret_on_allow),
	    cmocka_unit_test(compile_rejects_bad_op_and_index),
	    cmocka_unit_test(compile_rejects_bad_arch_and_flag),
	    cmocka_unit_test(compile_flags_follow_profile),
	    cmocka_unit_test(compile_docker_profile),
	    cmocka_unit_test(compile_more_arches_more_code),
	    cmocka_unit_test(compile_marks_notify),
	    cmocka_unit_test(install_errno_rule_and_skip_unknown_names),
	    cmocka_unit_test(install_docker_profile),
	    cmocka_unit_test(install_same_index_args_are_alternatives),
	    cmocka_unit_test(install_different_index_args_all_apply),
	    cmocka_unit_test(install_masked_eq_uses_value_two),
	    cmocka_unit_test(install_default_errno_ret),
	    cmocka_unit_test(install_notify_returns_listener),
	    cmocka_unit_test(install_with_flags),
	    cmocka_unit_test(install_without_privilege_is_a_clear_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
