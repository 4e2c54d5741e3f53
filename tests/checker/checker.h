/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cinch-checker: a static binary that runs inside test containers and
 * prints what the process actually got (identity, capabilities, seccomp,
 * namespaces, mounts, limits, ...) as key=value lines, so integration tests
 * assert facts instead of trusting the runtime. Plain libc, no deps.
 *
 * Exit status: 0 when the facts were printed (a refused syscall or open is
 * a fact, printed as errno=N), 1 when the checker itself could not look,
 * 2 for a usage error.
 */
#ifndef CINCH_CHECKER_H
#define CINCH_CHECKER_H

#include <stdbool.h>
#include <stddef.h>

#define EXIT_USAGE 2

/* util.c */
/* Reads a whole (small, procfs) file into a NUL-terminated heap buffer. */
char *checker_read_file(const char *path);
int checker_fail(const char *what); /* perror-like to stderr; returns 1 */
int checker_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool checker_parse_ulong(const char *s, unsigned long *ret);

/* One subcommand: argv[0] is the subcommand name. */
int checker_status(int argc, char **argv);
int checker_ns(int argc, char **argv);
int checker_mounts(int argc, char **argv);
int checker_rlimits(int argc, char **argv);
int checker_writable(int argc, char **argv);
int checker_open(int argc, char **argv);
int checker_fds(int argc, char **argv);
int checker_syscall(int argc, char **argv);
int checker_cgroup(int argc, char **argv);
int checker_umask(int argc, char **argv);
int checker_sched(int argc, char **argv);
int checker_ioprio(int argc, char **argv);
int checker_exit(int argc, char **argv);
int checker_sleep(int argc, char **argv);

#endif
