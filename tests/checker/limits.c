/* SPDX-License-Identifier: Apache-2.0 */
/* cinch-checker rlimits, umask, sched, ioprio: the per-process limits and
 * scheduling attributes a runtime sets from process.{rlimits,user.umask,
 * scheduler,ioPriority}. */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "checker.h"

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
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

static void print_limit(rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf("unlimited");
	else
		printf("%llu", (unsigned long long)v);
}

int checker_rlimits(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++) {
		struct rlimit rl;

		if (getrlimit(rlimits[i].resource, &rl) < 0)
			return checker_fail(rlimits[i].name);
		printf("%s=", rlimits[i].name);
		print_limit(rl.rlim_cur);
		printf(":");
		print_limit(rl.rlim_max);
		printf("\n");
	}
	return 0;
}

int checker_umask(int argc, char **argv)
{
	/* umask() can only be read by writing it; put it back at once. */
	mode_t m = umask(0);

	umask(m);
	printf("umask=%04o\n", (unsigned)m);
	return 0;
}

/* struct sched_attr from the kernel ABI (glibc has no wrapper before 2.41). */
struct checker_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

static const char *policy_name(int policy)
{
	switch (policy & ~SCHED_RESET_ON_FORK) {
	case SCHED_OTHER:
		return "SCHED_OTHER";
	case SCHED_FIFO:
		return "SCHED_FIFO";
	case SCHED_RR:
		return "SCHED_RR";
	case SCHED_BATCH:
		return "SCHED_BATCH";
	case SCHED_IDLE:
		return "SCHED_IDLE";
	case 6:
		return "SCHED_DEADLINE";
	default:
		return "unknown";
	}
}

int checker_sched(int argc, char **argv)
{
	struct checker_sched_attr attr = {0};
	cpu_set_t set;

	if (syscall(SYS_sched_getattr, 0, &attr, sizeof(attr), 0) < 0)
		return checker_fail("sched_getattr");
	printf("policy=%s\npriority=%u\nnice=%d\nflags=0x%llx\n",
	       policy_name((int)attr.sched_policy), attr.sched_priority, attr.sched_nice,
	       (unsigned long long)attr.sched_flags);
	printf("runtime=%llu\ndeadline=%llu\nperiod=%llu\n", (unsigned long long)attr.sched_runtime,
	       (unsigned long long)attr.sched_deadline, (unsigned long long)attr.sched_period);
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		const char *sep = "";

		printf("affinity=");
		for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
			if (CPU_ISSET(cpu, &set)) {
				printf("%s%d", sep, cpu);
				sep = ",";
			}
		}
		printf("\n");
	}
	return 0;
}

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_SHIFT 13

int checker_ioprio(int argc, char **argv)
{
	static const char *const classes[] = {"IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT",
					      "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"};
	long v = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
	long cls;

	if (v < 0)
		return checker_fail("ioprio_get");
	cls = v >> IOPRIO_CLASS_SHIFT;
	printf("class=%s\npriority=%ld\n", cls >= 0 && cls < 4 ? classes[cls] : "unknown",
	       v & ((1 << IOPRIO_CLASS_SHIFT) - 1));
	return 0;
}
