/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process.terminal: the init opens ptmx of the container's own devpts (after
 * pivot, verified to be devpts), gets the peer with TIOCGPTPEER (no path
 * lookup of /dev/pts/N that the image could redirect), makes the peer its
 * controlling terminal and stdio, and hands the master to the parent over the
 * sync socket. The parent passes it on to --console-socket with SCM_RIGHTS,
 * so the engine's socket never reaches the container. exec does the same
 * in the container's /dev/pts (joined mount namespace), without /dev/console.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/fdpass.h"
#include "internal.h"
#include "rootfs.h"
#include "sync.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int container_console_setup(const struct cinch_process *p, int sync_sock, void *rootfs_ctx,
			    struct cinch_error *err)
{
	_cleanup_close_ int master = -1;
	_cleanup_close_ int peer = -1;
	struct statfs sfs;
	int unlock = 0;
	int r;

	master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return cinch_error_errno(err, errno,
					 "process.terminal: open /dev/pts/ptmx (is devpts mounted "
					 "at /dev/pts?)");
	if (fstatfs(master, &sfs) < 0 || sfs.f_type != DEVPTS_SUPER_MAGIC)
		return cinch_error_set(err, EPERM,
				       "process.terminal: /dev/pts/ptmx is not on a devpts mount");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return cinch_error_errno(err, errno, "process.terminal: unlock pty");
	peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (peer < 0)
		return cinch_error_errno(err, errno, "process.terminal: open pty peer");
	if (p->console_size) {
		struct winsize ws = {.ws_row = (unsigned short)p->console_size->height,
				     .ws_col = (unsigned short)p->console_size->width};
		if (ioctl(peer, TIOCSWINSZ, &ws) < 0)
			return cinch_error_errno(err, errno, "process.consoleSize: TIOCSWINSZ");
	}
	/* The init's terminal is also /dev/console; an exec's is only its own. */
	if (rootfs_ctx) {
		r = cinch_rootfs_mount_console(rootfs_ctx, peer, err);
		if (r < 0)
			return r;
	}
	r = cinch_sync_send(sync_sock, SYNC_CONSOLE, NULL, 0, master, err);
	if (r < 0)
		return r;
	/* The peer becomes the controlling terminal (we are a session leader). */
	if (ioctl(peer, TIOCSCTTY, 0) < 0)
		return cinch_error_errno(err, errno, "process.terminal: TIOCSCTTY");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(peer, fd) < 0)
			return cinch_error_errno(err, errno, "process.terminal: dup2 to fd %d", fd);
	return 0;
}

int container_console_connect(const char *path, int *ret, struct cinch_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -1;

	if (strlen(path) >= sizeof(addr.sun_path))
		return cinch_error_set(err, ENAMETOOLONG, "--console-socket %s: path too long",
				       path);
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cinch_error_errno(err, errno, "--console-socket %s: socket", path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return cinch_error_errno(err, errno, "--console-socket %s: connect", path);
	*ret = steal_fd(&fd);
	return 0;
}

int container_console_send(const char *socket_path, int master, struct cinch_error *err)
{
	_cleanup_close_ int sock = -1;
	/* The receiver (go-runc, conmon) reads a name next to the fd. */
	static const char name[] = "/dev/ptmx";
	ssize_t n;
	int r = container_console_connect(socket_path, &sock, err);

	if (r < 0)
		return r;
	n = cinch_send_with_fd(sock, name, sizeof(name) - 1, master);
	if (n < 0)
		return cinch_error_errno(err, (int)-n, "--console-socket %s: send pty master",
					 socket_path);
	return 0;
}
