/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run` in the foreground with process.terminal and no --console-socket
 * (e.g. a person running `cinch spec && cinch run x`): cinch holds the pty
 * master itself and copies between its own stdio and the container's
 * terminal, puts its own terminal in raw mode meanwhile, passes window size
 * changes on, and forwards signals to the init until it exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cinch/fdio.h"
#include "cinch/cleanup.h"
#include "internal.h"

static void copy_winsize(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/* Copies what is left in the master to stdout once the init is gone. */
static void drain(int master)
{
	char buf[4096];
	ssize_t n;

	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	while ((n = read(master, buf, sizeof(buf))) > 0)
		if (cinch_write_all(1, buf, (size_t)n) < 0)
			break;
}

int container_tty_proxy(pid_t pid, int master, const sigset_t *set, int *ret_exit,
			struct cinch_error *err)
{
	_cleanup_close_ int sfd = signalfd(-1, set, SFD_CLOEXEC);
	struct termios orig, raw;
	bool tty = isatty(0) && tcgetattr(0, &orig) == 0;
	bool in_open = true, master_open = true;
	int status = 0;

	if (sfd < 0)
		return cinch_error_errno(err, errno, "signalfd");
	if (tty) {
		raw = orig;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
		copy_winsize(0, master);
	}
	for (;;) {
		struct pollfd pfd[3] = {{.fd = sfd, .events = POLLIN},
					{.fd = master_open ? master : -1, .events = POLLIN},
					{.fd = in_open ? 0 : -1, .events = POLLIN}};
		char buf[4096];
		ssize_t n;

		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGWINCH && tty)
					copy_winsize(0, master);
				else if (si.ssi_signo != SIGCHLD)
					kill(pid, (int)si.ssi_signo);
			}
			if (waitpid(pid, &status, WNOHANG) == pid) {
				drain(master);
				break;
			}
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(master, buf, sizeof(buf));
			if (n > 0)
				cinch_write_all(1, buf, (size_t)n);
			else if (n < 0 && errno != EINTR && errno != EAGAIN)
				master_open = false; /* EIO: every peer fd is closed */
		}
		if (pfd[2].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(0, buf, sizeof(buf));
			if (n > 0) {
				cinch_write_all(master, buf, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				in_open = false;
				/* End of our input: EOF (^D) for the container's terminal. */
				cinch_write_all(master, "\x04", 1);
			}
		}
	}
	if (tty)
		tcsetattr(0, TCSANOW, &orig);
	*ret_exit = exit_code(status);
	return 0;
}
