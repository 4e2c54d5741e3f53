/* SPDX-License-Identifier: Apache-2.0 */
/* cinch-checker: subcommand dispatch and usage. */
#include <stdio.h>
#include <string.h>

#include "checker.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
} commands[] = {
    {"status", checker_status, "uid/gid/groups, capabilities, NoNewPrivs, seccomp, hostname"},
    {"ns", checker_ns, "inode of each /proc/self/ns/* entry"},
    {"mounts", checker_mounts, "[PATH]  mount options of every mount, or of PATH's mount"},
    {"rlimits", checker_rlimits, "soft:hard of every resource limit"},
    {"writable", checker_writable, "PATH  try to create a file (in PATH if a directory)"},
    {"open", checker_open, "PATH [r|w]  try to open PATH"},
    {"fds", checker_fds, "open file descriptors and their targets"},
    {"syscall", checker_syscall, "NAME [ARGS]  try a syscall, print errno (\"syscall list\")"},
    {"cgroup", checker_cgroup, "/proc/self/cgroup"},
    {"umask", checker_umask, "the process umask"},
    {"sched", checker_sched, "scheduling policy, priority, nice, affinity"},
    {"ioprio", checker_ioprio, "I/O priority class and level"},
    {"exit", checker_exit, "N  exit with status N"},
    {"sleep", checker_sleep, "S  sleep S seconds"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: cinch-checker COMMAND [ARGS]\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].usage);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "cinch-checker: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
