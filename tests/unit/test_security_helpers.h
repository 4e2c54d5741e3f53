/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the security unit tests: run a check in a forked child (the
 * things under test change the calling process irreversibly: capabilities,
 * uid, seccomp) and bring back its verdict as one line of text; read
 * fields of /proc/self/status; build spec models in C; load a captured
 * Docker config.
 */
#ifndef CINCH_TEST_SECURITY_HELPERS_H
#define CINCH_TEST_SECURITY_HELPERS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <glob.h>
#include <unistd.h>

#include "cinch/spec.h"

/* A child check: returns 0 when it holds, else fills msg and returns 1. */
typedef int (*child_check_fn)(char *msg, size_t len, void *arg);

static inline int child_failf(char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline int child_failf(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return 1;
}

/* Runs fn in a child; returns NULL when it passed, else its message
 * (static storage). */
static inline const char *run_in_child(child_check_fn fn, void *arg)
{
	static char msg[4096];
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	msg[0] = '\0';
	if (pipe(fds) < 0)
		return "pipe failed";
	pid = fork();
	if (pid < 0)
		return "fork failed";
	if (pid == 0) {
		char buf[4096] = "";
		int r;

		close(fds[0]);
		r = fn(buf, sizeof(buf), arg);
		if (r != 0 && write(fds[1], buf, strlen(buf)) < 0)
			r = 2;
		_exit(r ? 1 : 0);
	}
	close(fds[1]);
	n = read(fds[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0)
		return "waitpid failed";
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return NULL;
	if (!msg[0])
		snprintf(msg, sizeof(msg), "child ended with status 0x%x", status);
	return msg;
}

#define assert_child_ok(fn, arg)                                                                   \
	do {                                                                                       \
		const char *child_msg_ = run_in_child((fn), (arg));                                \
		if (child_msg_)                                                                    \
			fail_msg("%s", child_msg_);                                                \
	} while (0)

/* The value of "Key:\t..." in a status text (NULL if absent). */
static inline bool status_field(const char *status, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);

	for (const char *p = status; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
			const char *v = p + klen + 1;
			size_t n;

			while (*v == '\t' || *v == ' ')
				v++;
			n = strcspn(v, "\n");
			if (n >= len)
				n = len - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return true;
		}
	}
	return false;
}

static inline bool read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return true;
}

/* A hex capability mask from /proc/self/status ("CapEff" ...). */
static inline bool self_status_hex(const char *key, uint64_t *ret)
{
	char status[8192], v[64];

	if (!read_text("/proc/self/status", status, sizeof(status)) ||
	    !status_field(status, key, v, sizeof(v)))
		return false;
	*ret = strtoull(v, NULL, 16);
	return true;
}

/* ---- spec models in C ------------------------------------------------------- */

static inline struct cinch_strv strv(char **items)
{
	struct cinch_strv v = {.items = items, .present = true};

	while (items && items[v.len])
		v.len++;
	return v;
}

#define ERRNO_RET(n) ((struct cinch_opt_u32){.value = (n), .present = true})
#define RULES(arr)                                                                                 \
	{                                                                                          \
		.items = (arr), .len = sizeof(arr) / sizeof((arr)[0]), .present = true             \
	}

/* The first captured `docker run` config (Docker's default seccomp profile),
 * through the spec loader; NULL when the capture is not there. */
static inline struct cinch_spec *load_docker_spec(void)
{
	const char *engines = getenv("CINCH_TEST_ENGINES");
	struct cinch_error err = {0};
	struct cinch_spec *spec = NULL;
	char pattern[4096];
	glob_t g;
	int r;

	if (!engines)
		engines = "/work/shared/engines";
	snprintf(pattern, sizeof(pattern), "%s/captured/docker/artifacts/01-*config.json", engines);
	if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc == 0)
		return NULL;
	r = cinch_spec_load_file(g.gl_pathv[0], &spec, &err);
	globfree(&g);
	if (r < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return NULL;
	}
	return spec;
}

/* Its linux.seccomp (the spec stays owned by *spec_ret). NULL only when the
 * capture is missing; a capture without a profile fails the test. */
static inline const struct cinch_seccomp *load_docker_seccomp(struct cinch_spec **spec_ret)
{
	struct cinch_spec *spec = load_docker_spec();

	*spec_ret = spec;
	if (!spec)
		return NULL;
	if (!spec->linux_ || !spec->linux_->seccomp) {
		fail_msg("the captured Docker config has no linux.seccomp");
		return NULL;
	}
	return spec->linux_->seccomp;
}

#endif
