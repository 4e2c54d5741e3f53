/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cinch ps [--format|-f table|json] ID [--] [PS-ARGS...]`: the host pids in
 * the container's cgroup. json is a bare array (`docker top` reads it and
 * runs ps itself); table runs the host's `ps` with PS-ARGS (default -ef)
 * and keeps its header and the rows whose PID column is one of them, as
 * runc does.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup_target.h"
#include "cinch/cleanup.h"
#include "cli.h"

static void print_json(const pid_t *pids, size_t n)
{
	fputc('[', stdout);
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", (int)pids[i]);
	fputs("]\n", stdout);
}

/* Runs `ps args...` and returns its stdout and stderr together. */
static int run_ps(char **args, size_t n_args, char **ret, struct cinch_error *err)
{
	_cleanup_free_ char **argv = calloc(n_args + 2, sizeof(*argv));
	_cleanup_free_ char *out = NULL;
	size_t len = 0, cap = 0;
	int fds[2], status;
	pid_t pid;

	if (!argv)
		return cinch_error_set(err, ENOMEM, "ps: out of memory");
	argv[0] = (char *)"ps";
	memcpy(argv + 1, args, n_args * sizeof(*argv));
	if (pipe2(fds, O_CLOEXEC) < 0)
		return cinch_error_errno(err, errno, "ps: pipe");
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return cinch_error_errno(err, errno, "ps: fork");
	}
	if (pid == 0) {
		if (dup2(fds[1], STDOUT_FILENO) < 0 || dup2(fds[1], STDERR_FILENO) < 0)
			_exit(127);
		execvp("ps", argv);
		dprintf(STDERR_FILENO, "exec ps: %s\n", strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		ssize_t k;
		if (cap - len < 4096) {
			char *n = realloc(out, cap + 65536);
			if (!n)
				break;
			out = n;
			cap += 65536;
		}
		k = read(fds[0], out + len, cap - len - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!out)
		return cinch_error_set(err, ENOMEM, "ps: out of memory");
	out[len] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		/* One line: ps's own message, newlines folded. */
		for (char *p = out; *p; p++)
			if (*p == '\n')
				*p = ' ';
		return cinch_error_set(
		    err, EIO, "ps failed (exit status %d): %s",
		    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out);
	}
	*ret = steal_pointer(&out);
	return 0;
}

/* Index of the "PID" column in ps's header line. */
static int pid_column(const char *header)
{
	_cleanup_free_ char *copy = strdup(header);
	char *save = NULL;
	int i = 0;

	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), i++)
		if (strcmp(tok, "PID") == 0)
			return i;
	return -ENOENT;
}

static bool row_in(const char *line, int col, const pid_t *pids, size_t n, bool *ok)
{
	const char *p = line;
	char *end;
	long v;

	for (int i = 0; i <= col; i++) {
		p += strspn(p, " \t");
		if (i == col)
			break;
		p += strcspn(p, " \t");
	}
	v = strtol(p, &end, 10);
	*ok = end != p && (*end == ' ' || *end == '\t' || *end == '\0');
	for (size_t i = 0; *ok && i < n; i++)
		if (pids[i] == (pid_t)v)
			return true;
	return false;
}

static int print_table(char **args, size_t n_args, const pid_t *pids, size_t n,
		       struct cinch_error *err)
{
	static char *default_args[] = {(char *)"-ef"};
	_cleanup_free_ char *out = NULL;
	char *save = NULL, *line;
	int col, r;

	if (n_args == 0) {
		args = default_args;
		n_args = 1;
	}
	r = run_ps(args, n_args, &out, err);
	if (r < 0)
		return r;
	line = strtok_r(out, "\n", &save);
	if (!line)
		return cinch_error_set(err, EIO, "ps printed nothing");
	col = pid_column(line);
	if (col == -ENOMEM)
		return cinch_error_set(err, ENOMEM, "ps: out of memory");
	if (col < 0)
		return cinch_error_set(err, EINVAL, "couldn't find PID field in ps output");
	puts(line);
	while ((line = strtok_r(NULL, "\n", &save))) {
		bool ok = false;
		if (row_in(line, col, pids, n, &ok))
			puts(line);
		else if (!ok)
			return cinch_error_set(err, EINVAL, "unable to parse pid in ps output: %s",
					       line);
	}
	return 0;
}

int cli_ps(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	const char *format = "table";
	_cleanup_free_ pid_t *pids = NULL;
	struct cli_target t;
	size_t n = 0;
	int opt, r, first;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+f:", longopts, NULL)) != -1) {
		if (opt != 'f')
			return cinch_error_set(err, EINVAL, "ps: unknown flag or missing value: %s",
					       argv[optind - 1]);
		format = optarg;
	}
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return cinch_error_set(
		    err, EINVAL, "ps: --format: invalid format option %s (table or json)", format);
	if (argc - optind < 1)
		return cli_expect_operands(argc, argv, optind, 1,
					   "ps [--format table|json] ID [-- PS-ARGS...]", err);
	r = cli_target_open(g, argv[optind], false, &t, err);
	if (r < 0)
		return r;
	r = cinch_cgroup_pids(t.cg, &pids, &n, err);
	cli_target_release(&t);
	if (r < 0)
		return r;
	if (strcmp(format, "json") == 0) {
		print_json(pids, n);
		return 0;
	}
	first = optind + 1;
	if (first < argc && strcmp(argv[first], "--") == 0)
		first++;
	return print_table(argv + first, (size_t)(argc - first), pids, n, err);
}
