/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test driver for the rootfs code on a real kernel, before (and besides)
 * `cinch run`: loads BUNDLE/config.json, unshares a mount and pid namespace
 * (and the net/ipc/uts/cgroup namespaces the config asks for) for a child, runs
 * prepare -> pivot -> [console] -> finalize as a container init would, and
 * execs CMD inside. Errors are printed as "rootfs-driver: <message>".
 *
 *   rootfs-driver [--no-pivot] [--console] BUNDLE -- CMD [ARG...]
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cinch/spec.h"
#include "rootfs.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static int die(const struct cinch_error *err)
{
	fprintf(stderr, "rootfs-driver: %s\n", err->msg);
	return 1;
}

static int ns_flags(const struct cinch_spec *spec)
{
	static const struct {
		enum cinch_ns_type type;
		int flag;
	} map[] = {
	    {CINCH_NS_NETWORK, CLONE_NEWNET},
	    {CINCH_NS_IPC, CLONE_NEWIPC},
	    {CINCH_NS_UTS, CLONE_NEWUTS},
	    {CINCH_NS_CGROUP, CLONE_NEWCGROUP},
	};
	int flags = CLONE_NEWNS | CLONE_NEWPID;

	for (size_t i = 0; spec->linux_ && i < spec->linux_->namespaces.len; i++)
		for (size_t j = 0; j < sizeof(map) / sizeof(map[0]); j++)
			if (spec->linux_->namespaces.items[i].type == map[j].type &&
			    !spec->linux_->namespaces.items[i].path)
				flags |= map[j].flag;
	return flags;
}

static int open_pty_peer(int *master)
{
	int unlock = 0;

	*master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0 || ioctl(*master, TIOCSPTLCK, &unlock) < 0)
		return -1;
	return ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
}

static int container_init(struct cinch_rootfs_context *ctx, bool console, char **argv)
{
	struct cinch_error err = {0};
	int master = -1, peer = -1;

	if (cinch_rootfs_prepare(ctx, &err) < 0)
		return die(&err);
	if (cinch_rootfs_pivot(ctx, &err) < 0)
		return die(&err);
	/* As runc does: the pty comes from the container's own devpts. */
	if (console && (peer = open_pty_peer(&master)) < 0) {
		perror("rootfs-driver: pty");
		return 1;
	}
	if (console && cinch_rootfs_mount_console(ctx, peer, &err) < 0)
		return die(&err);
	if (cinch_rootfs_finalize(ctx, &err) < 0)
		return die(&err);
	execvp(argv[0], argv);
	fprintf(stderr, "rootfs-driver: exec %s: %s\n", argv[0], strerror(errno));
	return 127;
}

int main(int argc, char **argv)
{
	struct cinch_rootfs_context ctx = {.rootfs_fd = -1};
	struct cinch_error err = {0};
	struct cinch_spec *spec = NULL;
	bool console = false;
	char bundle[4096], config[4200];
	int i = 1, status;
	pid_t pid;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0 && argv[i][2]; i++) {
		if (strcmp(argv[i], "--no-pivot") == 0)
			ctx.no_pivot = true;
		else if (strcmp(argv[i], "--console") == 0)
			console = true;
		else
			break;
	}
	if (i + 2 >= argc || strcmp(argv[i + 1], "--") != 0) {
		fprintf(stderr, "usage: rootfs-driver [--no-pivot] [--console] BUNDLE -- CMD...\n");
		return 2;
	}
	if (!realpath(argv[i], bundle)) {
		perror(argv[i]);
		return 2;
	}
	snprintf(config, sizeof(config), "%s/config.json", bundle);
	if (cinch_spec_load_file(config, &spec, &err) < 0)
		return die(&err);
	ctx.spec = spec;
	ctx.bundle = bundle;
	/* clone, not unshare + fork: this process stays in its namespaces (so
	 * that it can still create threads, which LeakSanitizer needs). */
	pid = (pid_t)syscall(SYS_clone, ns_flags(spec) | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		perror("rootfs-driver: clone");
		return 1;
	}
	if (pid == 0)
		_exit(container_init(&ctx, console, argv + i + 2));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	cinch_spec_free(spec);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
