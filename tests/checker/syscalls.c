/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cinch-checker syscall NAME [ARGS]: try one syscall and print errno=N
 * (0 when it succeeded). Each probe is chosen to be harmless when allowed
 * (a fresh child, an invalid argument the kernel checks after the seccomp
 * and capability checks, an immediate undo), so the errno tells whether
 * seccomp or a missing capability stopped it. "nr N [ARGS]" calls any
 * syscall number. "list" prints the names.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "checker.h"

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Returns 0 or an errno; may print extra key=value lines first. */
typedef int (*probe_fn)(int argc, char **argv);

static int result(long r)
{
	return r < 0 ? errno : 0;
}

static const struct {
	const char *name;
	unsigned long flag;
} ns_flags[] = {
    {"user", CLONE_NEWUSER}, {"mount", CLONE_NEWNS},	  {"mnt", CLONE_NEWNS},
    {"net", CLONE_NEWNET},   {"pid", CLONE_NEWPID},	  {"ipc", CLONE_NEWIPC},
    {"uts", CLONE_NEWUTS},   {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

/* Namespace names from argv (default: user) -> CLONE_* flags; 0 = bad name. */
static unsigned long parse_ns_flags(int argc, char **argv)
{
	unsigned long flags = 0;

	if (argc < 2)
		return CLONE_NEWUSER;
	for (int i = 1; i < argc; i++) {
		unsigned long one = 0;

		for (size_t k = 0; k < sizeof(ns_flags) / sizeof(ns_flags[0]); k++)
			if (strcmp(argv[i], ns_flags[k].name) == 0)
				one = ns_flags[k].flag;
		if (!one)
			return 0;
		flags |= one;
	}
	return flags;
}

/* Runs fn in a forked child and returns the errno it reports. */
static int in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(fn(arg) & 0xff);
	if (waitpid(pid, &status, 0) < 0)
		return errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

static int probe_getpid(int argc, char **argv)
{
	return result(syscall(SYS_getpid));
}

static int probe_unshare(int argc, char **argv)
{
	unsigned long flags = parse_ns_flags(argc, argv);

	if (!flags)
		return EINVAL;
	return result(unshare((int)flags));
}

static int probe_clone(int argc, char **argv)
{
	unsigned long flags = parse_ns_flags(argc, argv);
	int status;
	long pid;

	if (!flags)
		return EINVAL;
	pid = syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return errno;
	waitpid((pid_t)pid, &status, 0);
	return 0;
}

static int probe_clone3(int argc, char **argv)
{
	struct clone_args args = {.exit_signal = SIGCHLD};
	int status;
	long pid;

	if (argc > 1 && !(args.flags = parse_ns_flags(argc, argv)))
		return EINVAL;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return errno;
	waitpid((pid_t)pid, &status, 0);
	return 0;
}

static int probe_mount(int argc, char **argv)
{
	const char *target = argc > 1 ? argv[1] : "/tmp";

	if (mount("cinch-checker", target, "tmpfs", 0, "size=64k") < 0)
		return errno;
	umount2(target, MNT_DETACH);
	return 0;
}

static int probe_umount(int argc, char **argv)
{
	if (argc < 2)
		return EINVAL;
	return result(umount2(argv[1], MNT_DETACH));
}

static int probe_socket(int argc, char **argv)
{
	static const struct {
		const char *name;
		int domain, type, protocol;
	} kinds[] = {
	    {"alg", AF_ALG, SOCK_SEQPACKET, 0}, {"vsock", AF_VSOCK, SOCK_STREAM, 0},
	    {"packet", AF_PACKET, SOCK_RAW, 0}, {"raw", AF_INET, SOCK_RAW, IPPROTO_ICMP},
	    {"inet", AF_INET, SOCK_STREAM, 0},	{"inet6", AF_INET6, SOCK_STREAM, 0},
	    {"unix", AF_UNIX, SOCK_STREAM, 0},	{"netlink", AF_NETLINK, SOCK_RAW, 0},
	};

	for (size_t i = 0; argc > 1 && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(argv[1], kinds[i].name) == 0) {
			int fd = socket(kinds[i].domain, kinds[i].type | SOCK_CLOEXEC,
					kinds[i].protocol);

			if (fd < 0)
				return errno;
			close(fd);
			return 0;
		}
	}
	return EINVAL;
}

static int traceme(void *arg)
{
	return ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 ? errno : 0;
}

static int probe_ptrace(int argc, char **argv)
{
	return in_child(traceme, NULL);
}

static int probe_keyctl(int argc, char **argv)
{
	/* KEYCTL_GET_KEYRING_ID of KEY_SPEC_SESSION_KEYRING, no create. */
	return result(syscall(SYS_keyctl, 0, -3, 0));
}

static int probe_add_key(int argc, char **argv)
{
	/* A user key in the process keyring (KEY_SPEC_PROCESS_KEYRING). */
	return result(syscall(SYS_add_key, "user", "cinch-checker", "x", 1, -2));
}

static int probe_personality(int argc, char **argv)
{
	unsigned long persona = 0xffffffffUL;
	long r;

	if (argc > 1 && !checker_parse_ulong(argv[1], &persona))
		return EINVAL;
	r = syscall(SYS_personality, persona);
	if (r < 0)
		return errno;
	printf("personality=0x%lx\n", (unsigned long)r);
	return 0;
}

static int probe_chroot(int argc, char **argv)
{
	return result(chroot(argc > 1 ? argv[1] : "/"));
}

static int probe_sethostname(int argc, char **argv)
{
	struct utsname u;

	if (uname(&u) < 0)
		return errno;
	return result(sethostname(u.nodename, strlen(u.nodename)));
}

static int probe_setdomainname(int argc, char **argv)
{
	struct utsname u;

	if (uname(&u) < 0)
		return errno;
	return result(setdomainname(u.domainname, strlen(u.domainname)));
}

static int probe_reboot(int argc, char **argv)
{
	/* Bad magic: EINVAL when allowed and capable, never a reboot. */
	return result(syscall(SYS_reboot, 0, 0, 0, NULL));
}

static int probe_bpf(int argc, char **argv)
{
	return result(syscall(SYS_bpf, 5 /* BPF_PROG_LOAD */, NULL, 0));
}

static int probe_perf_event_open(int argc, char **argv)
{
	return result(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
}

static int probe_finit_module(int argc, char **argv)
{
	return result(syscall(SYS_finit_module, -1, "", 0));
}

static int probe_mknod(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/tmp/.cinch-checker-mknod";

	if (mknod(path, S_IFCHR | 0600, makedev(1, 3)) < 0)
		return errno;
	unlink(path);
	return 0;
}

static int probe_userfaultfd(int argc, char **argv)
{
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (fd < 0)
		return errno;
	close((int)fd);
	return 0;
}

static int probe_io_uring_setup(int argc, char **argv)
{
	return result(syscall(SYS_io_uring_setup, 1, NULL));
}

static int probe_setns(int argc, char **argv)
{
	return result(setns(-1, 0));
}

static int probe_kcmp(int argc, char **argv)
{
	return result(syscall(SYS_kcmp, getpid(), getpid(), 0 /* KCMP_FILE */, 0, 0));
}

static int probe_mkdir(int argc, char **argv)
{
	if (argc < 2)
		return EINVAL;
	return result(mkdir(argv[1], 0700));
}

static int probe_setuid(int argc, char **argv)
{
	unsigned long id;

	if (argc < 2 || !checker_parse_ulong(argv[1], &id))
		return EINVAL;
	return result(setuid((uid_t)id));
}

static int probe_setgid(int argc, char **argv)
{
	unsigned long id;

	if (argc < 2 || !checker_parse_ulong(argv[1], &id))
		return EINVAL;
	return result(setgid((gid_t)id));
}

static int probe_chown(int argc, char **argv)
{
	unsigned long uid, gid;

	if (argc < 4 || !checker_parse_ulong(argv[2], &uid) || !checker_parse_ulong(argv[3], &gid))
		return EINVAL;
	return result(chown(argv[1], (uid_t)uid, (gid_t)gid));
}

static int probe_clock_settime(int argc, char **argv)
{
	struct timespec now;

	if (clock_gettime(CLOCK_REALTIME, &now) < 0)
		return errno;
	return result(clock_settime(CLOCK_REALTIME, &now));
}

static int probe_acct(int argc, char **argv)
{
	return result(acct(NULL));
}

static int probe_swapon(int argc, char **argv)
{
	return result(syscall(SYS_swapon, "/nonexistent-cinch-checker", 0));
}

static int probe_open_by_handle_at(int argc, char **argv)
{
	return result(syscall(SYS_open_by_handle_at, -1, NULL, O_RDONLY));
}

static int probe_nr(int argc, char **argv)
{
	unsigned long nr, a[6] = {0};

	if (argc < 2 || argc > 8 || !checker_parse_ulong(argv[1], &nr))
		return EINVAL;
	for (int i = 2; i < argc; i++)
		if (!checker_parse_ulong(argv[i], &a[i - 2]))
			return EINVAL;
	return result(syscall((long)nr, a[0], a[1], a[2], a[3], a[4], a[5]));
}

static const struct {
	const char *name;
	probe_fn fn;
	const char *args;
} probes[] = {
    {"getpid", probe_getpid, ""},
    {"unshare", probe_unshare, "[user|mount|net|pid|ipc|uts|cgroup|time]..."},
    {"clone", probe_clone, "[NS...] (default user)"},
    {"clone3", probe_clone3, "[NS...]"},
    {"mount", probe_mount, "[TARGET] (tmpfs, unmounted again; default /tmp)"},
    {"umount", probe_umount, "PATH"},
    {"socket", probe_socket, "alg|vsock|packet|raw|inet|inet6|unix|netlink"},
    {"ptrace", probe_ptrace, "(PTRACE_TRACEME in a child)"},
    {"keyctl", probe_keyctl, ""},
    {"add_key", probe_add_key, ""},
    {"personality", probe_personality, "[PERSONA] (default: query)"},
    {"chroot", probe_chroot, "[PATH]"},
    {"sethostname", probe_sethostname, "(to the current name)"},
    {"setdomainname", probe_setdomainname, "(to the current name)"},
    {"reboot", probe_reboot, "(bad magic: EINVAL when allowed)"},
    {"bpf", probe_bpf, ""},
    {"perf_event_open", probe_perf_event_open, ""},
    {"finit_module", probe_finit_module, ""},
    {"mknod", probe_mknod, "[PATH] (char 1:3, removed again)"},
    {"userfaultfd", probe_userfaultfd, ""},
    {"io_uring_setup", probe_io_uring_setup, ""},
    {"setns", probe_setns, ""},
    {"kcmp", probe_kcmp, ""},
    {"mkdir", probe_mkdir, "PATH"},
    {"setuid", probe_setuid, "UID"},
    {"setgid", probe_setgid, "GID"},
    {"chown", probe_chown, "PATH UID GID"},
    {"clock_settime", probe_clock_settime, "(to now)"},
    {"acct", probe_acct, ""},
    {"swapon", probe_swapon, ""},
    {"open_by_handle_at", probe_open_by_handle_at, ""},
    {"nr", probe_nr, "NR [ARG...]"},
};

int checker_syscall(int argc, char **argv)
{
	if (argc < 2)
		return checker_usage("usage: syscall NAME [ARGS] (syscall list)");
	if (strcmp(argv[1], "list") == 0) {
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
			printf("%s %s\n", probes[i].name, probes[i].args);
		return 0;
	}
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (strcmp(argv[1], probes[i].name) == 0) {
			int e;

			/* errno set by a successful libc call is noise. */
			errno = 0;
			e = probes[i].fn(argc - 1, argv + 1);
			printf("errno=%d\n", e);
			return 0;
		}
	}
	return checker_usage("syscall: unknown probe \"%s\" (see: syscall list)", argv[1]);
}
