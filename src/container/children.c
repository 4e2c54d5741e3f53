/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What create and exec do alike with the processes they fork: stage1 hands
 * over the pid of the process it cloned (CLONE_PARENT, so ours) and exits;
 * a failed command kills and reaps what it started; a pty master either
 * goes to the engine's console socket or stays for the tty proxy.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

void container_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void container_kill_and_reap(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGKILL);
		while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	*pid = 0;
}

int container_reap_stage1(pid_t *stage1, pid_t *child, const char *what, struct cinch_error *err)
{
	int status;

	while (waitpid(*stage1, &status, 0) < 0)
		if (errno != EINTR)
			return cinch_error_errno(err, errno, "wait for %s", what);
	*stage1 = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return cinch_error_set(err, EIO, "%s failed (status 0x%x)", what, status);
	/* The pid came over a socket: it must really be our child. */
	if (*child <= 0 || waitpid(*child, &status, WNOHANG) != 0) {
		*child = 0;
		return cinch_error_set(err, EPROTO, "%s reported a process that is not ours", what);
	}
	return 0;
}

int container_console_forward(const char *console_socket, int master, int *kept,
			      struct cinch_error *err)
{
	if (console_socket) {
		int r = container_console_send(console_socket, master, err);
		close(master);
		return r;
	}
	container_close_fd(kept);
	*kept = master;
	return 0;
}
