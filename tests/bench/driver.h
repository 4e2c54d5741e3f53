/* SPDX-License-Identifier: Apache-2.0 */
/* bench-driver's shared types and its process layer (driver-proc.c):
 * spawning, timing and reaping the runtime commands it measures. */
#ifndef CINCH_BENCH_DRIVER_H
#define CINCH_BENCH_DRIVER_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROWS  16
#define MAX_ARGS  32
#define MAX_SLOTS 64
#define GRACE_NS  (5LL * 1000000000LL)
#define TIMED_OUT (-1)
#define NOT_RUN	  (-2)

struct row {
	char *label, *bundle;
	char *argv[MAX_ARGS];
	int nprefix;
	int logfd;
	off_t log_mark; /* log size before the latest command: its output starts here */
	char log_path[512];
	bool failed;
};

struct result {
	long long ns;
	long maxrss_kb;
	long long cpu_us;
	int rc; /* exit code, 128+signal, TIMED_OUT or NOT_RUN */
};

/* Children we wait for; any other pid wait4 returns is a reparented orphan. */
struct tracked {
	pid_t pid;
	bool done;
	int status;
	struct rusage ru;
	long long end_ns;
};

extern struct tracked tracked[MAX_SLOTS];
extern sigset_t wait_set, orig_mask;
extern volatile bool stopping;
extern long long stop_deadline;
extern int devnull;
extern long long timeout_ns;

long long now_ns(void);
void die(const char *msg);
void request_stop(void);
struct tracked *find_tracked(pid_t pid);
pid_t spawn(char **argv, int logfd);
void reap_all(void);
void wait_event(long long until);
void fill_result(struct tracked *t, long long start, struct result *r);
void kill_and_collect(struct tracked *t, int sig);
void run_cmd(char **argv, int logfd, struct result *r);

#endif
