/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI hooks: each one is executed with exactly its own args and env, the
 * container's state JSON on stdin, and an optional timeout. Its stdout and
 * stderr are captured (not shared with the container's stdio, which cinch's
 * own stdio may be) and the start of them goes into the error message.
 * Callers decide the namespace and moment: the parent runs createRuntime,
 * prestart, poststart and poststop; the init runs createContainer and
 * startContainer.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "internal.h"

#define HOOK_OUTPUT_MAX 1024

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void hook_child(const struct cinch_hook *hook, int in_fd, int out_fd)
{
	char *empty_env[] = {NULL};
	char *default_argv[] = {hook->path, NULL};

	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		_exit(127);
	/* The hook gets stdio only; every cinch fd is closed. */
	close_range(3, ~0U, 0);
	signal(SIGPIPE, SIG_DFL);
	/* `run` blocks the signals it forwards: a hook starts with none blocked. */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(hook->path, hook->args.len ? hook->args.items : default_argv,
	       hook->env.len ? hook->env.items : empty_env);
	dprintf(2, "exec %s: %s", hook->path, strerror(errno));
	_exit(127);
}

/* Feeds stdin, collects output, enforces the deadline; returns the wait status. */
static int hook_wait(pid_t pid, int in_fd, int out_fd, const char *input, size_t input_len,
		     int64_t deadline, char *out, size_t *out_len, bool *timed_out)
{
	size_t written = 0;
	int status;

	*timed_out = false;
	for (;;) {
		struct pollfd pfd[2] = {{.fd = out_fd, .events = POLLIN},
					{.fd = in_fd, .events = POLLOUT}};
		int timeout = -1, n;

		if (deadline > 0) {
			int64_t left = deadline - now_ms();
			if (left <= 0) {
				*timed_out = true;
				kill(pid, SIGKILL);
				break;
			}
			timeout = (int)left;
		}
		n = poll(pfd, in_fd >= 0 ? 2 : 1, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (in_fd >= 0 && (pfd[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(in_fd, input + written, input_len - written);
			if (w > 0)
				written += (size_t)w;
			if (w < 0 || written == input_len) {
				close(in_fd);
				in_fd = -1;
			}
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char buf[512];
			ssize_t r = read(out_fd, buf, sizeof(buf));
			if (r <= 0)
				break; /* all writers closed: the hook exited */
			size_t room = HOOK_OUTPUT_MAX - *out_len;
			size_t take = (size_t)r < room ? (size_t)r : room;
			memcpy(out + *out_len, buf, take);
			*out_len += take;
		}
	}
	if (in_fd >= 0)
		close(in_fd);
	/* The hook may have closed its output yet keep running: honour the deadline. */
	for (;;) {
		pid_t w = waitpid(pid, &status, deadline > 0 ? WNOHANG : 0);
		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR)
			return -1;
		if (w == 0) {
			if (now_ms() >= deadline) {
				*timed_out = true;
				kill(pid, SIGKILL);
				deadline = 0;
				continue;
			}
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
}

static int run_one(const struct cinch_hook *hook, const char *kind, size_t index,
		   const char *state_json, struct cinch_error *err)
{
	int in_pipe[2], out_pipe[2];
	char out[HOOK_OUTPUT_MAX + 1];
	size_t out_len = 0;
	bool timed_out;
	int64_t deadline = 0;
	pid_t pid;
	int status;

	if (pipe2(in_pipe, O_CLOEXEC) < 0)
		return cinch_error_errno(err, errno, "hooks.%s[%zu]: pipe", kind, index);
	if (pipe2(out_pipe, O_CLOEXEC) < 0) {
		close(in_pipe[0]);
		close(in_pipe[1]);
		return cinch_error_errno(err, errno, "hooks.%s[%zu]: pipe", kind, index);
	}
	if (hook->timeout.present && hook->timeout.value > 0)
		deadline = now_ms() + hook->timeout.value * 1000;
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(in_pipe[0]);
		close(in_pipe[1]);
		close(out_pipe[0]);
		close(out_pipe[1]);
		return cinch_error_errno(err, e, "hooks.%s[%zu]: fork", kind, index);
	}
	if (pid == 0)
		hook_child(hook, in_pipe[0], out_pipe[1]);
	close(in_pipe[0]);
	close(out_pipe[1]);
	/* A hook that never reads stdin must not block us with SIGPIPE. */
	fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
	status = hook_wait(pid, in_pipe[1], out_pipe[0], state_json, strlen(state_json), deadline,
			   out, &out_len, &timed_out);
	close(out_pipe[0]);
	out[out_len] = '\0';
	while (out_len && (out[out_len - 1] == '\n'))
		out[--out_len] = '\0';
	if (timed_out)
		return cinch_error_set(err, ETIMEDOUT, "hooks.%s[%zu] %s: timed out after %llds",
				       kind, index, hook->path, (long long)hook->timeout.value);
	if (status < 0)
		return cinch_error_errno(err, errno, "hooks.%s[%zu] %s: wait", kind, index,
					 hook->path);
	if (WIFSIGNALED(status))
		return cinch_error_set(err, EIO, "hooks.%s[%zu] %s: killed by signal %d%s%s", kind,
				       index, hook->path, WTERMSIG(status), out_len ? ": " : "",
				       out);
	if (WEXITSTATUS(status) != 0)
		return cinch_error_set(err, EIO, "hooks.%s[%zu] %s: exit status %d%s%s", kind,
				       index, hook->path, WEXITSTATUS(status), out_len ? ": " : "",
				       out);
	return 0;
}

int container_hooks_run(const struct cinch_spec *spec, enum cinch_hook_kind kind,
			const char *state_json, struct cinch_error *err)
{
	const struct cinch_hook_list *list;
	const char *name = cinch_hook_kind_name(kind);

	if (!spec->hooks)
		return 0;
	list = &spec->hooks->lists[kind];
	/* A hook that exits without reading stdin must not kill us with SIGPIPE. */
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	int r = 0;
	for (size_t i = 0; i < list->len && r >= 0; i++)
		r = run_one(&list->items[i], name, i, state_json, err);
	signal(SIGPIPE, old);
	return r;
}

int container_hooks_run_all(const struct cinch_spec *spec, enum cinch_hook_kind kind,
			    const char *state_json, struct cinch_error *err)
{
	const struct cinch_hook_list *list;
	const char *name = cinch_hook_kind_name(kind);
	int first = 0;

	if (!spec->hooks)
		return 0;
	list = &spec->hooks->lists[kind];
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < list->len; i++) {
		struct cinch_error one = {0};
		int r = run_one(&list->items[i], name, i, state_json, &one);

		if (r >= 0)
			continue;
		if (first == 0) {
			first = r;
			*err = one;
		} else {
			/* One line naming every failed hook. */
			size_t len = strlen(err->msg);
			snprintf(err->msg + len, sizeof(err->msg) - len, "; %s", one.msg);
		}
	}
	signal(SIGPIPE, old);
	return first;
}

bool container_hooks_present(const struct cinch_spec *spec, enum cinch_hook_kind kind)
{
	return spec->hooks && spec->hooks->lists[kind].len > 0;
}
