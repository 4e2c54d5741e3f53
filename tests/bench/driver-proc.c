/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-driver's process layer: each measured command is forked into its own
 * process group and timed from just before fork() to the wait4() that
 * returns it (exec included), with its rusage; timeouts and Ctrl-C stop it.
 * The driver is a child subreaper: orphaned container inits land here and
 * are reaped without being mistaken for a measured command.
 */
#include "driver.h"

struct tracked tracked[MAX_SLOTS];
sigset_t wait_set, orig_mask;
volatile bool stopping;
long long stop_deadline;
int devnull = -1;
long long timeout_ns = 30LL * 1000000000LL;

long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void die(const char *msg)
{
	fprintf(stderr, "bench-driver: %s: %s\n", msg, strerror(errno));
	exit(2);
}

void request_stop(void)
{
	if (!stopping) {
		stopping = true;
		stop_deadline = now_ns() + GRACE_NS;
	}
}

struct tracked *find_tracked(pid_t pid)
{
	for (int i = 0; i < MAX_SLOTS; i++)
		if (tracked[i].pid == pid)
			return &tracked[i];
	return NULL;
}

pid_t spawn(char **argv, int logfd)
{
	struct tracked *t = find_tracked(0);
	if (!t) {
		errno = EMFILE;
		die("too many children");
	}
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &orig_mask, NULL);
		setpgid(0, 0); /* Ctrl-C reaches the driver, which stops runtimes cleanly */
		dup2(devnull, 0);
		if (logfd >= 0) {
			dup2(logfd, 1);
			dup2(logfd, 2);
		}
		execv(argv[0], argv);
		dprintf(2, "bench-driver: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid); /* also here: no race with the child's own call */
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	return pid;
}

/* Collects every exited child; container inits reparented to us are reaped too. */
void reap_all(void)
{
	int status;
	struct rusage ru;
	pid_t pid;
	while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0) {
		struct tracked *t = find_tracked(pid);
		if (!t)
			continue;
		t->done = true;
		t->status = status;
		t->ru = ru;
		t->end_ns = now_ns();
	}
}

/* Sleeps until a child exits, a stop signal arrives or `until` passes. */
void wait_event(long long until)
{
	long long left = until - now_ns();
	if (left <= 0)
		return;
	if (left > 100000000LL)
		left = 100000000LL; /* re-check deadlines regularly */
	struct timespec ts = {.tv_sec = left / 1000000000LL, .tv_nsec = left % 1000000000LL};
	int sig = sigtimedwait(&wait_set, NULL, &ts);
	if (sig == SIGINT || sig == SIGTERM)
		request_stop();
}

void fill_result(struct tracked *t, long long start, struct result *r)
{
	r->ns = t->end_ns - start;
	r->maxrss_kb = t->ru.ru_maxrss;
	r->cpu_us = (long long)t->ru.ru_utime.tv_sec * 1000000 + t->ru.ru_utime.tv_usec +
		    (long long)t->ru.ru_stime.tv_sec * 1000000 + t->ru.ru_stime.tv_usec;
	if (WIFEXITED(t->status))
		r->rc = WEXITSTATUS(t->status);
	else
		r->rc = 128 + WTERMSIG(t->status);
	t->pid = 0;
}

/* Kills a child's process group that overran its time and waits for it. */
void kill_and_collect(struct tracked *t, int sig)
{
	kill(-t->pid, sig);
	kill(t->pid, sig);
	if (sig == SIGKILL) {
		while (!t->done) {
			reap_all();
			if (!t->done)
				wait_event(now_ns() + 50000000LL);
		}
	}
}

/* Runs argv to completion (or timeout); the timing brackets fork..wait4. */
void run_cmd(char **argv, int logfd, struct result *r)
{
	long long start = now_ns();
	pid_t pid = spawn(argv, logfd);
	struct tracked *t = find_tracked(pid);
	long long deadline = start + timeout_ns;
	/* On Ctrl-C a runtime is let finish (a killed create leaves debris)
	 * unless it overruns the grace period. */
	for (;;) {
		reap_all();
		if (t->done)
			break;
		long long now = now_ns();
		if (now >= deadline || (stopping && now >= stop_deadline)) {
			kill_and_collect(t, SIGKILL);
			fill_result(t, start, r);
			r->rc = TIMED_OUT;
			return;
		}
		wait_event(stopping && stop_deadline < deadline ? stop_deadline : deadline);
	}
	fill_result(t, start, r);
}
