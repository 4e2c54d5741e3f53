/* SPDX-License-Identifier: Apache-2.0 */
/*
 * no-new-mount-api [--no-openat2] CMD [ARGS...]: runs CMD with the new mount
 * API (fsopen, fsconfig, fsmount, fspick, open_tree, move_mount,
 * mount_setattr), and with --no-openat2 also openat2, answering ENOSYS, as
 * before Linux 5.2/5.6/5.12, under valgrind 3.19, or behind a seccomp
 * profile that predates those syscalls. Everything else is allowed, and the
 * filter is inherited by every child of CMD.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

int main(int argc, char **argv)
{
	static const char *const names[] = {
	    "fsopen", "fsconfig", "fsmount", "fspick", "open_tree", "move_mount", "mount_setattr",
	};
	bool no_openat2 = argc > 1 && strcmp(argv[1], "--no-openat2") == 0;
	scmp_filter_ctx ctx;
	int r = 0;

	if (no_openat2) {
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: no-new-mount-api [--no-openat2] CMD [ARGS...]\n");
		return 2;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return 2;
	for (size_t i = 0; r == 0 && i < sizeof(names) / sizeof(names[0]); i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);

		r = nr == __NR_SCMP_ERROR ? -EINVAL
					  : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
	}
	if (r == 0 && no_openat2)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0);
	/* Without no_new_privs: CMD may be setuid or gain capabilities. */
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0) {
		fprintf(stderr, "no-new-mount-api: seccomp: %s\n", strerror(-r));
		return 2;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "no-new-mount-api: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
