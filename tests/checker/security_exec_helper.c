/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cinch-security-exec: applies an exec-time LSM label through cinch's
 * security API, then execs a command, so tests can see what label the
 * command really runs under (e.g. in /proc/self/attr/current).
 *
 *   cinch-security-exec apparmor-enabled
 *   cinch-security-exec apparmor PROFILE CMD [ARGS...]
 *   cinch-security-exec selinux LABEL CMD [ARGS...]
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cinch/security.h"

int main(int argc, char **argv)
{
	struct cinch_error err = {0};
	int r;

	if (argc == 2 && strcmp(argv[1], "apparmor-enabled") == 0) {
		printf("apparmor_enabled=%d\n", cinch_apparmor_enabled() ? 1 : 0);
		return 0;
	}
	if (argc < 4) {
		fprintf(stderr,
			"usage: cinch-security-exec apparmor|selinux LABEL CMD [ARGS...]\n");
		return 2;
	}
	if (strcmp(argv[1], "apparmor") == 0)
		r = cinch_apparmor_exec_profile(argv[2], &err);
	else if (strcmp(argv[1], "selinux") == 0)
		r = cinch_selinux_exec_label(argv[2], &err);
	else {
		fprintf(stderr, "cinch-security-exec: unknown LSM \"%s\"\n", argv[1]);
		return 2;
	}
	if (r < 0) {
		fprintf(stderr, "cinch-security-exec: %s\n", err.msg);
		return 1;
	}
	execvp(argv[3], argv + 3);
	perror("cinch-security-exec: execvp");
	return 127;
}
