/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp-deny RULE... -- CMD [ARGS...]: runs CMD with the syscalls the
 * rules name failing, everything else allowed, and the filter inherited by
 * every child of CMD. It stands in for what cinch meets on older kernels,
 * under valgrind, or behind seccomp profiles that predate a syscall.
 *
 *   RULE = NAME[:ERRNO[:ARG1]]
 *   NAME   a syscall name libseccomp knows (clone3, open_tree, setns...)
 *   ERRNO  ENOSYS (the default), EINVAL or EPERM
 *   ARG1   only when the second argument equals this value (strtoul base 0)
 *
 * e.g. `seccomp-deny clone3 -- cinch run ...`, `seccomp-deny
 * setns:EINVAL:0x6C020000 -- cinch exec ...` (setns on a pidfd before 5.8).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

static int errno_named(const char *s)
{
	if (strcmp(s, "ENOSYS") == 0)
		return ENOSYS;
	if (strcmp(s, "EINVAL") == 0)
		return EINVAL;
	if (strcmp(s, "EPERM") == 0)
		return EPERM;
	return -1;
}

/* Adds one RULE to ctx; 0, or -1 after printing why. */
static int add_rule(scmp_filter_ctx ctx, char *rule)
{
	char *name = strtok(rule, ":"), *err_s = strtok(NULL, ":"), *arg_s = strtok(NULL, ":");
	int nr = name ? seccomp_syscall_resolve_name(name) : __NR_SCMP_ERROR;
	int e = err_s ? errno_named(err_s) : ENOSYS;
	unsigned long arg = 0;
	char *end = NULL;
	int r;

	if (nr == __NR_SCMP_ERROR) {
		fprintf(stderr, "seccomp-deny: %s: unknown syscall\n", name ? name : "");
		return -1;
	}
	if (e < 0) {
		fprintf(stderr, "seccomp-deny: %s: unknown errno %s\n", name, err_s);
		return -1;
	}
	if (arg_s) {
		arg = strtoul(arg_s, &end, 0);
		if (*end) {
			fprintf(stderr, "seccomp-deny: %s: bad argument value %s\n", name, arg_s);
			return -1;
		}
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(e), nr, 1, SCMP_A1(SCMP_CMP_EQ, arg));
	} else {
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(e), nr, 0);
	}
	if (r < 0)
		fprintf(stderr, "seccomp-deny: %s: %s\n", name, strerror(-r));
	return r < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	int i, r;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		;
	if (i == 1 || i + 1 >= argc) {
		fprintf(stderr, "usage: seccomp-deny NAME[:ERRNO[:ARG1]]... -- CMD [ARGS...]\n");
		return 2;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return 2;
	for (int k = 1; k < i; k++)
		if (add_rule(ctx, argv[k]) < 0) {
			seccomp_release(ctx);
			return 2;
		}
	/* Without no_new_privs: CMD may be setuid or gain capabilities. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0) {
		fprintf(stderr, "seccomp-deny: seccomp: %s\n", strerror(-r));
		return 2;
	}
	execvp(argv[i + 1], argv + i + 1);
	fprintf(stderr, "seccomp-deny: %s: %s\n", argv[i + 1], strerror(errno));
	return 127;
}
