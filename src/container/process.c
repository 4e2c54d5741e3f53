/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container process's attributes that are not security policy:
 * rlimits, oomScoreAdj, personality, scheduler, ioPriority, CPU affinity,
 * hostname/domainname, namespaced sysctls, cwd, and the lookup of args[0]
 * inside the container (at create time, with runc's error phrases, which
 * engines map to exit codes 126/127).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "internal.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

int container_apply_rlimits(const struct cinch_process *p, struct cinch_error *err)
{
	bool done[RLIM_NLIMITS] = {0};

	for (size_t i = 0; i < p->rlimits.len; i++) {
		const struct cinch_rlimit *rl = &p->rlimits.items[i];
		int res = -1;
		struct rlimit cur, want = {.rlim_cur = rl->soft, .rlim_max = rl->hard};

		for (size_t k = 0; k < N_ELEMENTS(rlimit_names); k++)
			if (rl->type && strcmp(rl->type, rlimit_names[k].name) == 0)
				res = rlimit_names[k].resource;
		if (res < 0)
			return cinch_error_set(err, EINVAL, "process.rlimits[%zu]: unknown type %s",
					       i, rl->type ? rl->type : "(null)");
		if (done[res])
			return cinch_error_set(err, EINVAL, "process.rlimits[%zu]: duplicate %s", i,
					       rl->type);
		done[res] = true;
		if (rl->soft > rl->hard)
			return cinch_error_set(
			    err, EINVAL, "process.rlimits[%zu] %s: soft %llu above hard %llu", i,
			    rl->type, (unsigned long long)rl->soft, (unsigned long long)rl->hard);
		getrlimit(res, &cur);
		if (setrlimit(res, &want) < 0) {
			int e = errno;
			if (e == EPERM && want.rlim_max > cur.rlim_max)
				return cinch_error_set(
				    err, e,
				    "process.rlimits[%zu] %s: operation not permitted: raising the "
				    "hard limit to %llu (now %llu) needs CAP_SYS_RESOURCE",
				    i, rl->type, (unsigned long long)want.rlim_max,
				    (unsigned long long)cur.rlim_max);
			return cinch_error_errno(err, e, "process.rlimits[%zu] %s: setrlimit", i,
						 rl->type);
		}
	}
	return 0;
}

int container_apply_oom_score_adj(const struct cinch_process *p, int pid, struct cinch_error *err)
{
	char path[64], cur[32] = "", want[32];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (!p->oom_score_adj.present)
		return 0;
	if (p->oom_score_adj.value < -1000 || p->oom_score_adj.value > 1000)
		return cinch_error_set(err, EINVAL, "process.oomScoreAdj: %lld outside -1000..1000",
				       (long long)p->oom_score_adj.value);
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return cinch_error_errno(err, errno, "process.oomScoreAdj: open %s", path);
	n = read(fd, cur, sizeof(cur) - 1);
	cur[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof(want), "%lld", (long long)p->oom_score_adj.value);
	if (atoll(cur) == p->oom_score_adj.value)
		return 0;
	if (pwrite(fd, want, strlen(want), 0) < 0) {
		int e = errno;
		if (e == EACCES || e == EPERM)
			return cinch_error_set(err, e,
					       "process.oomScoreAdj: permission denied: cannot set "
					       "%s (now %lld), lowering it needs CAP_SYS_RESOURCE",
					       want, atoll(cur));
		return cinch_error_errno(err, e, "process.oomScoreAdj: write %s", path);
	}
	return 0;
}

int container_apply_personality(const struct cinch_spec *spec, struct cinch_error *err)
{
	const struct cinch_personality *pers = spec->linux_ ? spec->linux_->personality : NULL;
	unsigned long domain;

	if (!pers)
		return 0;
	if (pers->domain && strcmp(pers->domain, "LINUX") == 0)
		domain = PER_LINUX;
	else if (pers->domain && strcmp(pers->domain, "LINUX32") == 0)
		domain = PER_LINUX32;
	else
		return cinch_error_set(err, EINVAL,
				       "linux.personality.domain: %s is not LINUX or LINUX32",
				       pers->domain ? pers->domain : "(null)");
	if (pers->flags.len)
		return cinch_error_set(err, EINVAL,
				       "linux.personality.flags: no flags are supported (got %s)",
				       pers->flags.items[0]);
	if (personality(domain) < 0)
		return cinch_error_errno(err, errno, "linux.personality: personality(%s)",
					 pers->domain);
	return 0;
}

struct sched_attr_v1 {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

static const struct {
	const char *name;
	uint64_t value;
} sched_policies[] = {
    {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},	  {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},	{"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
};

static const struct {
	const char *name;
	uint64_t value;
} sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},	 {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},	 {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},	 {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};

int container_apply_scheduler(const struct cinch_process *p, struct cinch_error *err)
{
	const struct cinch_scheduler *s = p->scheduler;
	struct sched_attr_v1 attr = {.size = sizeof(attr)};
	bool found = false;

	if (!s)
		return 0;
	for (size_t i = 0; i < N_ELEMENTS(sched_policies); i++)
		if (s->policy && strcmp(s->policy, sched_policies[i].name) == 0) {
			attr.sched_policy = (uint32_t)sched_policies[i].value;
			found = true;
		}
	if (!found)
		return cinch_error_set(err, EINVAL, "process.scheduler.policy: unknown policy %s",
				       s->policy ? s->policy : "(null)");
	for (size_t i = 0; i < s->flags.len; i++) {
		bool ok = false;
		for (size_t k = 0; k < N_ELEMENTS(sched_flags); k++)
			if (strcmp(s->flags.items[i], sched_flags[k].name) == 0) {
				attr.sched_flags |= sched_flags[k].value;
				ok = true;
			}
		if (!ok)
			return cinch_error_set(err, EINVAL,
					       "process.scheduler.flags[%zu]: unknown flag %s", i,
					       s->flags.items[i]);
	}
	attr.sched_nice = s->nice.present ? (int32_t)s->nice.value : 0;
	attr.sched_priority = s->priority.present ? (uint32_t)s->priority.value : 0;
	attr.sched_runtime = s->runtime.present ? s->runtime.value : 0;
	attr.sched_deadline = s->deadline.present ? s->deadline.value : 0;
	attr.sched_period = s->period.present ? s->period.value : 0;
	if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
		return cinch_error_errno(err, errno, "process.scheduler: sched_setattr(%s)",
					 s->policy);
	return 0;
}

int container_apply_io_priority(const struct cinch_process *p, struct cinch_error *err)
{
	const struct cinch_io_priority *io = p->io_priority;
	int class_;
	long prio;

	if (!io)
		return 0;
	if (io->class_ && strcmp(io->class_, "IOPRIO_CLASS_RT") == 0)
		class_ = 1;
	else if (io->class_ && strcmp(io->class_, "IOPRIO_CLASS_BE") == 0)
		class_ = 2;
	else if (io->class_ && strcmp(io->class_, "IOPRIO_CLASS_IDLE") == 0)
		class_ = 3;
	else
		return cinch_error_set(err, EINVAL, "process.ioPriority.class: unknown class %s",
				       io->class_ ? io->class_ : "(null)");
	prio = io->priority.present ? (long)io->priority.value : 0;
	if (prio < 0 || prio > 7)
		return cinch_error_set(err, EINVAL, "process.ioPriority.priority: %ld not in 0..7",
				       prio);
	/* IOPRIO_WHO_PROCESS = 1, value = class << 13 | data */
	if (syscall(SYS_ioprio_set, 1, 0, (class_ << 13) | (int)prio) < 0)
		return cinch_error_errno(err, errno, "process.ioPriority: ioprio_set(%s, %ld)",
					 io->class_, prio);
	return 0;
}

int container_apply_cpu_affinity(pid_t pid, const char *cpus, const char *what,
				 struct cinch_error *err)
{
	cpu_set_t set;
	const char *p = cpus;

	if (!cpus || !cpus[0])
		return 0;
	CPU_ZERO(&set);
	while (*p) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b;
		if (end == p)
			goto bad;
		b = a;
		if (*end == '-') {
			p = end + 1;
			b = strtoul(p, &end, 10);
			if (end == p || b < a)
				goto bad;
		}
		if (b >= CPU_SETSIZE)
			goto bad;
		for (unsigned long c = a; c <= b; c++)
			CPU_SET(c, &set);
		p = end;
		if (*p == ',')
			p++;
		else if (*p)
			goto bad;
	}
	if (sched_setaffinity(pid, sizeof(set), &set) < 0)
		return cinch_error_errno(err, errno, "%s: sched_setaffinity(%s)", what, cpus);
	return 0;
bad:
	return cinch_error_set(err, EINVAL, "%s: invalid CPU list %s", what, cpus);
}

int container_apply_hostname(const struct cinch_spec *spec, struct cinch_error *err)
{
	if (spec->hostname && spec->hostname[0] &&
	    sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return cinch_error_errno(err, errno, "hostname: sethostname(%s)", spec->hostname);
	if (spec->domainname && spec->domainname[0] &&
	    setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
		return cinch_error_errno(err, errno, "domainname: setdomainname(%s)",
					 spec->domainname);
	return 0;
}

static bool has_ns(const struct cinch_spec *spec, enum cinch_ns_type t)
{
	return cinch_spec_find_namespace(spec, t) != NULL;
}

static const char *const ipc_sysctls[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

/* Only sysctls that belong to a namespace the container owns are allowed. */
static int check_sysctl(const struct cinch_spec *spec, const char *key, struct cinch_error *err)
{
	bool ipc = strncmp(key, "fs.mqueue.", 10) == 0;

	for (size_t i = 0; i < N_ELEMENTS(ipc_sysctls); i++)
		ipc |= strcmp(key, ipc_sysctls[i]) == 0;
	if (ipc) {
		if (!has_ns(spec, CINCH_NS_IPC))
			return cinch_error_set(err, EINVAL,
					       "linux.sysctl.%s: needs an ipc namespace", key);
		return 0;
	}
	if (strncmp(key, "net.", 4) == 0) {
		if (!has_ns(spec, CINCH_NS_NETWORK))
			return cinch_error_set(err, EINVAL,
					       "linux.sysctl.%s: needs a network namespace", key);
		return 0;
	}
	if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0) {
		if (!has_ns(spec, CINCH_NS_UTS))
			return cinch_error_set(err, EINVAL,
					       "linux.sysctl.%s: needs a uts namespace", key);
		return 0;
	}
	return cinch_error_set(err, EPERM,
			       "linux.sysctl.%s: not a namespaced sysctl, not allowed in a "
			       "container",
			       key);
}

int container_apply_sysctl(const struct cinch_spec *spec, struct cinch_error *err)
{
	const struct cinch_map *m = spec->linux_ ? &spec->linux_->sysctl : NULL;

	for (size_t i = 0; m && i < m->len; i++) {
		const char *key = m->items[i].key, *val = m->items[i].value;
		char path[512];
		_cleanup_close_ int fd = -1;
		struct statfs sfs;
		size_t off;
		int r = check_sysctl(spec, key, err);

		if (r < 0)
			return r;
		if (strstr(key, "..") || strlen(key) > 400)
			return cinch_error_set(err, EINVAL, "linux.sysctl.%s: invalid key", key);
		off = (size_t)snprintf(path, sizeof(path), "/proc/sys/");
		/* "a.b.c" -> a/b/c; a key already using '/' keeps its dots. */
		for (const char *k = key; *k; k++)
			path[off++] = (*k == '.' && !strchr(key, '/')) ? '/' : *k;
		path[off] = '\0';
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return cinch_error_errno(err, errno, "linux.sysctl.%s: open %s", key, path);
		/* Never write through something that only looks like procfs. */
		if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
			return cinch_error_set(err, EPERM, "linux.sysctl.%s: %s is not on procfs",
					       key, path);
		if (write(fd, val, strlen(val)) < 0)
			return cinch_error_errno(err, errno, "linux.sysctl.%s: write %s", key, val);
	}
	return 0;
}

static int mkdir_p(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);

	if (!copy)
		return -ENOMEM;
	for (char *p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			break;
	}
	return 0;
}

int container_chdir_cwd(const struct cinch_process *p, struct cinch_error *err)
{
	const char *cwd = p->cwd && p->cwd[0] ? p->cwd : "/";
	char buf[4096];

	if (cwd[0] != '/')
		return cinch_error_set(err, EINVAL, "process.cwd: %s is not absolute", cwd);
	if (chdir(cwd) < 0) {
		int e = errno;
		/* Like runc, a missing cwd is created (we are inside the new root). */
		if (e != ENOENT || mkdir_p(cwd) < 0 || chdir(cwd) < 0)
			return cinch_error_errno(err, e, "process.cwd: chdir %s", cwd);
	}
	/* CVE-2024-21626: a cwd reached through a leaked fd or a magic link is
	 * outside our root, and getcwd() says so ("(unreachable)" or ENOENT). */
	if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
		return cinch_error_set(err, EPERM, "process.cwd: %s is outside the container root",
				       cwd);
	return 0;
}

static const char *env_path(const struct cinch_process *p)
{
	for (size_t i = 0; i < p->env.len; i++)
		if (strncmp(p->env.items[i], "PATH=", 5) == 0)
			return p->env.items[i] + 5;
	return DEFAULT_PATH;
}

/* The x bit that applies to us, from the mode alone (root: any x bit). */
static bool mode_lets_exec(const struct stat *st)
{
	uid_t euid = geteuid();

	if (euid == 0)
		return st->st_mode & (S_IXUSR | S_IXGRP | S_IXOTH);
	if (st->st_uid == euid)
		return st->st_mode & S_IXUSR;
	if (st->st_gid == getegid() || group_member(st->st_gid))
		return st->st_mode & S_IXGRP;
	return st->st_mode & S_IXOTH;
}

/* 0: executable; -ENOENT; -EACCES (a directory or no x permission). */
static int check_exec(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EACCES;
	if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0)
		return 0;
	/* glibc answers AT_EACCESS with faccessat2, which a seccomp profile
	 * older than it (installed early, without no_new_privs) denies with
	 * EPERM or ENOSYS: then judge the mode bits, as Go's LookPath does. */
	if (errno != EPERM && errno != ENOSYS)
		return -errno;
	return mode_lets_exec(&st) ? 0 : -EACCES;
}

int container_find_executable(const struct cinch_process *p, char **ret, struct cinch_error *err)
{
	const char *name;
	_cleanup_free_ char *dirs = NULL;
	char *save = NULL;
	bool denied = false;
	int r;

	if (!p->args.len || !p->args.items[0] || !p->args.items[0][0])
		return cinch_error_set(err, EINVAL, "process.args: must not be empty");
	name = p->args.items[0];
	if (strchr(name, '/')) {
		r = check_exec(name);
		if (r == -ENOENT || r == -ENOTDIR)
			return cinch_error_set(err, ENOENT,
					       "exec: \"%s\": stat %s: no such file or directory",
					       name, name);
		if (r == -EACCES)
			return cinch_error_set(err, EACCES, "exec: \"%s\": permission denied",
					       name);
		if (r < 0)
			return cinch_error_errno(err, -r, "exec: \"%s\"", name);
		*ret = strdup(name);
		return *ret ? 0 : cinch_error_set(err, ENOMEM, "exec: out of memory");
	}
	dirs = strdup(env_path(p));
	if (!dirs)
		return cinch_error_set(err, ENOMEM, "exec: out of memory");
	/* strsep keeps empty entries, which mean the current directory. */
	save = dirs;
	for (char *d; (d = strsep(&save, ":"));) {
		_cleanup_free_ char *full = NULL;
		if (asprintf(&full, "%s/%s", d[0] ? d : ".", name) < 0)
			return cinch_error_set(err, ENOMEM, "exec: out of memory");
		r = check_exec(full);
		if (r == 0) {
			*ret = steal_pointer(&full);
			return 0;
		}
		if (r == -EACCES)
			denied = true;
	}
	if (denied)
		return cinch_error_set(err, EACCES, "exec: \"%s\": permission denied", name);
	return cinch_error_set(err, ENOENT, "exec: \"%s\": executable file not found in $PATH",
			       name);
}
