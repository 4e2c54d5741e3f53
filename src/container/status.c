/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's live status, derived each time from the kernel rather than
 * trusted from disk: the init is alive only if /proc/<pid>/stat still shows
 * the recorded start time (pid reuse), "created" while exec.fifo exists,
 * "paused" when the cgroup freezer says so. Also signal names for `kill`.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "internal.h"

int container_status_of(int dirfd, const struct cinch_state *st, enum cinch_status *ret)
{
	uint64_t start = 0;
	struct cinch_error err;

	if (st->pid == 0) {
		*ret = CINCH_STATUS_CREATING;
		return 0;
	}
	if (cinch_state_pid_start_time(st->pid, &start) < 0 || start != st->pid_start_time) {
		*ret = CINCH_STATUS_STOPPED;
		return 0;
	}
	/* Frozen first: a created container can be paused too (runc allows
	 * it and then says "paused"; start must refuse it, not block). */
	if (st->cgroup) {
		struct cinch_cgroup *cg = NULL;
		bool frozen = false;
		if (cinch_cgroup_deserialize(st->cgroup, &cg, &err) == 0) {
			if (cinch_cgroup_is_frozen(cg, &frozen, &err) == 0 && frozen)
				*ret = CINCH_STATUS_PAUSED;
			cinch_cgroup_free(cg);
			if (frozen)
				return 0;
		}
	}
	if (faccessat(dirfd, CINCH_STATE_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		*ret = CINCH_STATUS_CREATED;
		return 0;
	}
	*ret = CINCH_STATUS_RUNNING;
	return 0;
}

int cinch_container_status(const char *root, const char *id, struct cinch_state **ret_state,
			   enum cinch_status *ret_status, struct cinch_error *err)
{
	_cleanup_close_ int dirfd = -1;
	struct cinch_state *st = NULL;
	int r;

	r = cinch_state_dir_open_unlocked(root, id, &dirfd, err);
	if (r < 0)
		return r;
	r = cinch_state_load(dirfd, id, &st, err);
	if (r < 0) {
		/* Another runtime's container in a shared --root is not ours. */
		if (r == -EINVAL)
			return cinch_error_set(err, ENOENT, "container %s does not exist", id);
		return r;
	}
	container_status_of(dirfd, st, ret_status);
	*ret_state = st;
	return 0;
}

int container_hook_state_json(const struct cinch_state *st, enum cinch_status status, char **ret,
			      struct cinch_error *err)
{
	return cinch_state_oci_json(st, status, false, ret, NULL, err);
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
    {"HUP", SIGHUP},	   {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},	   {"ABRT", SIGABRT}, {"IOT", SIGIOT},	     {"BUS", SIGBUS},
    {"FPE", SIGFPE},	   {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},	   {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},	   {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},	   {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

int cinch_signal_parse(const char *text, int *ret, struct cinch_error *err)
{
	const char *name = text;
	char *end;
	long n;

	if (!text || !text[0])
		return cinch_error_set(err, EINVAL, "invalid signal: empty");
	if (isdigit((unsigned char)text[0])) {
		errno = 0;
		n = strtol(text, &end, 10);
		if (errno || *end || n <= 0 || n >= NSIG)
			return cinch_error_set(err, EINVAL, "invalid signal %s", text);
		*ret = (int)n;
		return 0;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 0; i < N_ELEMENTS(signals); i++)
		if (strcasecmp(name, signals[i].name) == 0) {
			*ret = signals[i].sig;
			return 0;
		}
	/* RTMIN+n / RTMAX-n */
	if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
		bool min = strncasecmp(name, "RTMIN", 5) == 0;
		long off = 0;
		if (name[5]) {
			off = strtol(name + 5, &end, 10);
			if (*end || (min && off < 0) || (!min && off > 0))
				return cinch_error_set(err, EINVAL, "invalid signal %s", text);
		}
		n = (min ? SIGRTMIN : SIGRTMAX) + off;
		if (n < SIGRTMIN || n > SIGRTMAX)
			return cinch_error_set(err, EINVAL, "invalid signal %s", text);
		*ret = (int)n;
		return 0;
	}
	return cinch_error_set(err, EINVAL, "invalid signal %s", text);
}
