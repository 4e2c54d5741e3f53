/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process setup shared by create's init and by exec: once a process is
 * inside the container (pivoted, or joined to the init's namespaces), the
 * same code applies the session keyring, rlimits, personality, scheduler,
 * ioPriority, cwd, umask, AppArmor, SELinux label, the bounding set,
 * (early) seccomp and the identity with its capabilities, resolves args[0]
 * inside the container and builds the environment (HOME from the
 * container's /etc/passwd when the process has none, as runc does). A filter
 * that notifies (linux.seccomp.listenerPath) is installed here too, while
 * the parent still listens, and its fd sent to it (SYNC_SECCOMP_FD). Then,
 * right before execve: no_new_privs, the final CPU affinity, closing every
 * fd above --preserve-fds and seccomp last.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "internal.h"
#include "sync.h"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

/* /etc/passwd of an image is untrusted: bounded, and a regular file only. */
#define PASSWD_MAX (4u << 20)

static int join_session_keyring(const char *id, struct cinch_error *err)
{
	char name[64];

	/* A session keyring of the container's own, so it cannot reach the host's. */
	snprintf(name, sizeof(name), "_ses.%.50s", id);
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0) {
		if (errno == ENOSYS)
			return 0;
		return cinch_error_errno(err, errno, "join new session keyring %s", name);
	}
	return 0;
}

bool container_proc_early_seccomp(const struct container_proc *cp)
{
	const struct cinch_process *p = cp->p;

	/* Without no_new_privs the filter needs CAP_SYS_ADMIN, which the identity
	 * switch may drop: install it while we still hold it (as runc does). */
	return cp->filter && !(p->no_new_privileges.present && p->no_new_privileges.value);
}

/* Installs the filter once; a notifying filter's fd goes to the parent
 * (for listenerPath) and is closed here: the in-flight copy keeps the
 * listener alive until the agent holds it. */
static int install_seccomp(struct container_proc *cp, struct cinch_error *err)
{
	int fd = cinch_seccomp_install(cp->filter, err);
	int r = 0;

	if (fd < 0)
		return fd;
	cp->seccomp_installed = true;
	if (!cp->filter->notify)
		return 0;
	/* The parent refuses a notifying filter without a listener before any
	 * process exists; this only guards against a caller that did not. */
	if (cp->listener)
		r = cinch_sync_send(cp->sync_sock, SYNC_SECCOMP_FD, NULL, 0, fd, err);
	else
		r = cinch_error_set(err, EINVAL,
				    "linux.seccomp.listenerPath: not set, but the profile uses "
				    "SCMP_ACT_NOTIFY");
	close(fd);
	return r;
}

/* The home directory of `uid` in the container's /etc/passwd (we are inside
 * its root), or NULL when there is no such file or entry. */
static char *passwd_home(uid_t uid)
{
	_cleanup_close_ int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	_cleanup_fclose_ FILE *f = NULL;
	struct stat st;
	char *line = NULL, *home = NULL;
	size_t cap = 0;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > PASSWD_MAX)
		return NULL;
	f = fdopen(fd, "r");
	if (!f)
		return NULL;
	fd = -1;
	while (!home && getline(&line, &cap, f) > 0) {
		/* name:passwd:uid:gid:gecos:home:shell */
		char *fields[7] = {0}, *save = line, *end;
		size_t n = 0;
		unsigned long u;

		line[strcspn(line, "\n")] = '\0';
		while (n < 7 && (fields[n] = strsep(&save, ":")))
			n++;
		if (n < 6 || !fields[2][0])
			continue;
		errno = 0;
		u = strtoul(fields[2], &end, 10);
		if (errno || *end || u != (unsigned long)uid)
			continue;
		home = strdup(fields[5][0] ? fields[5] : "/");
	}
	free(line);
	return home;
}

static size_t env_key_len(const char *kv)
{
	const char *eq = strchr(kv, '=');

	return eq ? (size_t)(eq - kv) : strlen(kv);
}

/*
 * process.env as execve gets it: one entry per name (a later duplicate
 * replaces the value in the first one's place, as runc's init does), plus
 * HOME when the process has none.
 */
static int build_env(struct container_proc *cp, struct cinch_error *err)
{
	const struct cinch_strv *env = &cp->p->env;
	bool have_home = false;
	size_t n = 0;

	cp->envp = calloc(env->len + 2, sizeof(char *));
	if (!cp->envp)
		return cinch_error_set(err, ENOMEM, "process.env: out of memory");
	for (size_t i = 0; i < env->len; i++) {
		const char *kv = env->items[i];
		size_t klen = env_key_len(kv);
		bool replaced = false;

		for (size_t k = 0; k < n && !replaced; k++)
			if (env_key_len(cp->envp[k]) == klen &&
			    strncmp(cp->envp[k], kv, klen) == 0) {
				cp->envp[k] = (char *)kv;
				replaced = true;
			}
		if (!replaced)
			cp->envp[n++] = (char *)kv;
		have_home |= klen == 4 && strncmp(kv, "HOME", 4) == 0;
	}
	if (!have_home) {
		_cleanup_free_ char *home = passwd_home(cp->p->user.uid);

		if (asprintf(&cp->home_env, "HOME=%s", home ? home : "/") < 0) {
			cp->home_env = NULL;
			return cinch_error_set(err, ENOMEM, "process.env: out of memory");
		}
		cp->envp[n++] = cp->home_env;
	}
	cp->envp[n] = NULL;
	return 0;
}

int container_proc_setup(struct container_proc *cp, struct cinch_error *err)
{
	const struct cinch_process *p = cp->p;
	int r;

	/* Before the identity switch: the passwd file may not be readable later. */
	r = build_env(cp, err);
	if (r < 0)
		return r;
	if (cp->new_keyring) {
		r = join_session_keyring(cp->id, err);
		if (r < 0)
			return r;
	}
	if ((r = container_apply_rlimits(p, err)) < 0 ||
	    (r = container_apply_personality(cp->spec, err)) < 0 ||
	    (r = container_apply_scheduler(p, err)) < 0 ||
	    (r = container_apply_io_priority(p, err)) < 0 || (r = container_chdir_cwd(p, err)) < 0)
		return r;
	if (p->user.umask.present)
		umask(p->user.umask.value & 0777);
	if (p->apparmor_profile && p->apparmor_profile[0]) {
		r = cinch_apparmor_exec_profile(p->apparmor_profile, err);
		if (r < 0)
			return r;
	}
	if (p->selinux_label && p->selinux_label[0]) {
		r = cinch_selinux_exec_label(p->selinux_label, err);
		if (r < 0)
			return r;
	}
	if (p->capabilities) {
		r = cinch_caps_apply_bounding(p->capabilities, err);
		if (r < 0)
			return r;
	}
	if (container_proc_early_seccomp(cp)) {
		r = install_seccomp(cp, err);
		if (r < 0)
			return r;
	}
	r = cinch_identity_apply(&p->user, p->capabilities, err);
	if (r < 0)
		return r;
	r = container_find_executable(p, &cp->exe, err);
	if (r < 0)
		return r;
	/* A notifying filter goes in while the parent still reads the sync
	 * socket (it forwards the fd to listenerPath): as late as that allows.
	 * Not installed early means noNewPrivileges, which seccomp(2) needs now
	 * that the identity switch may have dropped CAP_SYS_ADMIN. */
	if (cp->filter && cp->filter->notify && !cp->seccomp_installed) {
		if (p->no_new_privileges.present && p->no_new_privileges.value) {
			r = cinch_no_new_privs_apply(err);
			if (r < 0)
				return r;
		}
		return install_seccomp(cp, err);
	}
	return 0;
}

/* Everything above 2 + preserve is closed (CVE-2024-21626 class) except
 * *keep (the exec sync socket, O_CLOEXEC: it closes with the execve). */
static int close_fds_for_exec(unsigned preserve, int *keep, struct cinch_error *err)
{
	unsigned first = 3 + preserve;

	if (*keep >= 3 && (unsigned)*keep < first) {
		/* Our socket must never pass for one of the caller's preserved fds. */
		int moved = fcntl(*keep, F_DUPFD_CLOEXEC, (int)first);
		if (moved < 0)
			return cinch_error_errno(err, errno,
						 "move sync socket above --preserve-fds");
		close(*keep);
		*keep = moved;
	}
	if (*keep >= 0) {
		if ((unsigned)*keep > first)
			close_range(first, (unsigned)*keep - 1, 0);
		close_range((unsigned)*keep + 1, ~0U, 0);
	} else {
		close_range(first, ~0U, 0);
	}
	/* The caller's preserved fds reach the container as they are. */
	for (unsigned fd = 3; fd < first; fd++) {
		int flags = fcntl((int)fd, F_GETFD);
		if (flags >= 0)
			fcntl((int)fd, F_SETFD, flags & ~FD_CLOEXEC);
	}
	return 0;
}

int container_proc_finish(struct container_proc *cp, int *keep_fd, struct cinch_error *err)
{
	const struct cinch_process *p = cp->p;
	int none = -1;
	int r;

	if (p->no_new_privileges.present && p->no_new_privileges.value) {
		r = cinch_no_new_privs_apply(err);
		if (r < 0)
			return r;
	}
	/* execCPUAffinity.final: we are in the container's cgroup by now. */
	if (p->exec_cpu_affinity) {
		r = container_apply_cpu_affinity(0, p->exec_cpu_affinity->final,
						 "process.execCPUAffinity.final", err);
		if (r < 0)
			return r;
	}
	r = close_fds_for_exec(cp->preserve_fds, keep_fd ? keep_fd : &none, err);
	if (r < 0)
		return r;
	/* Last: the filter then only has to allow execve itself. */
	if (cp->filter && !cp->seccomp_installed)
		return install_seccomp(cp, err);
	return 0;
}

int container_proc_execve(struct container_proc *cp, struct cinch_error *err)
{
	const char *name = cp->p->args.items[0];
	int e;

	execve(cp->exe, cp->p->args.items, cp->envp);
	e = errno;
	/* runc's phrases: engines map them to 127 and 126. */
	if (e == ENOENT)
		cinch_error_set(err, e, "exec: \"%s\": stat %s: no such file or directory", name,
				cp->exe);
	else if (e == EACCES)
		cinch_error_set(err, e, "exec: \"%s\": permission denied", name);
	else
		cinch_error_errno(err, e, "exec: \"%s\"", name);
	return e == ENOENT ? 127 : 126;
}

void container_proc_release(struct container_proc *cp)
{
	free(cp->exe);
	free(cp->envp);
	free(cp->home_env);
	cp->exe = NULL;
	cp->envp = NULL;
	cp->home_env = NULL;
}
