/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run`: create + start in one process. The init is our direct child, so in
 * the foreground we forward signals to it, reap it, report its exit code
 * (128+N for a signal, as a shell would) and delete the container unless
 * --keep. Detached, we return after start and the init is inherited by our
 * caller (or its subreaper).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "internal.h"

static const int forwarded[] = {SIGHUP,	 SIGINT,   SIGQUIT, SIGTERM, SIGUSR1,
				SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP, SIGALRM};

void container_block_forwarded(sigset_t *set, sigset_t *old)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
	sigprocmask(SIG_BLOCK, set, old);
}

int container_wait_forwarding(pid_t pid, const sigset_t *set, int *ret_exit)
{
	int status;

	for (;;) {
		siginfo_t si;
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (sigwaitinfo(set, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD)
			kill(pid, si.si_signo);
	}
	if (WIFEXITED(status))
		*ret_exit = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		*ret_exit = 128 + WTERMSIG(status);
	else
		*ret_exit = 255;
	return 0;
}

int cinch_container_run(const struct cinch_container_options *opts, const struct cinch_spec *spec,
			bool detach, bool keep, int *ret_exit, struct cinch_error *err)
{
	_cleanup_close_ int dirfd = -1;
	struct cinch_state *st = NULL;
	sigset_t set, old;
	int r;

	/* A foreground run with a terminal and no socket proxies the pty itself. */
	bool proxy = !detach && spec->process && spec->process->terminal.present &&
		     spec->process->terminal.value && !opts->console_socket;
	_cleanup_close_ int master = -1;

	/* Block before the init exists, so no SIGCHLD or forwarded signal is lost. */
	container_block_forwarded(&set, &old);
	r = container_create_internal(opts, spec, true, &dirfd, &st, proxy ? &master : NULL, err);
	if (r < 0)
		goto out;
	r = container_start_locked(dirfd, st, opts->root, err);
	if (r < 0) {
		struct cinch_error ignored;
		container_delete_locked(opts->root, opts->id, dirfd, st, true, &ignored);
		goto out;
	}
	/* Unlocked while the container runs: `state`, `kill` must work meanwhile. */
	close(dirfd);
	dirfd = -1;
	*ret_exit = 0;
	if (detach)
		goto out;
	if (proxy) {
		r = container_tty_proxy(st->pid, master, &set, ret_exit, err);
		if (r < 0)
			goto out;
	} else {
		r = container_wait_forwarding(st->pid, &set, ret_exit);
	}
	if (r < 0) {
		r = cinch_error_errno(err, -r, "wait for container %s", opts->id);
		goto out;
	}
	if (!keep)
		r = cinch_container_delete(opts->root, opts->id, true, err);
out:
	sigprocmask(SIG_SETMASK, &old, NULL);
	cinch_state_free(st);
	return r;
}
