/* SPDX-License-Identifier: Apache-2.0 */
/*
 * setns-no-pidfd FLAGS CMD [ARGS...]: runs CMD with setns(fd, FLAGS)
 * answering EINVAL, as a kernel before 5.8 answers setns on a pidfd with
 * several CLONE_NEW* flags. setns on a namespace fd (one flag) still works,
 * so `cinch exec` must take its /proc/<pid>/ns fallback.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	unsigned long flags;
	char *end;
	int r;

	if (argc < 3) {
		fprintf(stderr, "usage: setns-no-pidfd FLAGS CMD [ARGS...]\n");
		return 2;
	}
	flags = strtoul(argv[1], &end, 0);
	if (*end || !flags) {
		fprintf(stderr, "setns-no-pidfd: bad flags %s\n", argv[1]);
		return 2;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return 2;
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(setns), 1,
			     SCMP_A1(SCMP_CMP_EQ, flags));
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0) {
		fprintf(stderr, "setns-no-pidfd: seccomp: %s\n", strerror(-r));
		return 2;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "setns-no-pidfd: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
