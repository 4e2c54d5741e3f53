/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One cgroup manager interface over three backends: cgroup v2 (the core),
 * cgroup v1 for legacy and hybrid hosts, and systemd (transient scopes over
 * D-Bus). A limit the spec asks for is applied or the call fails with an
 * error naming the controller and the reason; nothing is skipped silently.
 */
#ifndef CINCH_CGROUP_H
#define CINCH_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cinch/error.h"
#include "cinch/spec.h"

enum cinch_cgroup_backend {
	CINCH_CGROUP_V2,
	CINCH_CGROUP_V1, /* legacy or hybrid hosts */
	CINCH_CGROUP_SYSTEMD,
};

struct cinch_cgroup_config {
	const char *container_id;
	const char *cgroups_path; /* linux.cgroupsPath, may be NULL/empty */
	bool systemd;		  /* --systemd-cgroup */
};

struct cinch_cgroup; /* opaque */

/* Detects the host's backend and resolves paths; creates nothing. */
int cinch_cgroup_open(const struct cinch_cgroup_config *cfg, struct cinch_cgroup **ret,
		      struct cinch_error *err);

/* Creates the cgroup(s) and applies resources (NULL: no limits). The device
 * policy is always deny-all + resources.devices + the default allow list
 * (null, zero, full, random, urandom, tty, console, ptmx, pts, tun). On
 * failure the cgroups created by this call are removed again. systemd
 * backend: validates only; the scope is started by enter(). */
int cinch_cgroup_create(struct cinch_cgroup *cg, const struct cinch_resources *resources,
			struct cinch_error *err);

/* Moves pid into the container's cgroup(s) (every hierarchy on v1, plus
 * name=systemd and the unified hierarchy on hybrid hosts). systemd backend:
 * the first enter() starts the transient scope with PIDs=[pid] and then
 * applies the resources create() validated; later calls (exec) just join. */
int cinch_cgroup_enter(struct cinch_cgroup *cg, pid_t pid, struct cinch_error *err);

/* v1 backend, faster than enter() (src/cgroup/join.c says why): opens, per
 * hierarchy, the file through which a single-threaded process moves itself
 * and returns how many (0: this backend has none, use enter()). The child
 * then calls join_self(), which writes "0" to each and closes them; the
 * parent closes its copies after forking. */
int cinch_cgroup_open_join_fds(struct cinch_cgroup *cg, int *fds, size_t max,
			       struct cinch_error *err);
int cinch_cgroup_join_self(int *fds, size_t n, struct cinch_error *err);
/* The cgroup2 directory stage1 can be born in (clone3 CLONE_INTO_CGROUP):
 * *ret_fd, or -1 where there is none (systemd backend, v1 without a unified
 * hierarchy). On a hybrid host *ret_join_index is that hierarchy's slot in
 * the join fds, which the child closes unwritten when the clone placed it
 * (join_self() skips fds < 0); -1 otherwise. */
int cinch_cgroup_open_clone_into(struct cinch_cgroup *cg, int *ret_fd, int *ret_join_index,
				 struct cinch_error *err);
void cinch_cgroup_close_join_fds(int *fds, size_t n);

/* `update`: applies only the fields set; 0 values Docker sends mean
 * "unchanged"; device rules are ignored as runc does. */
int cinch_cgroup_update(struct cinch_cgroup *cg, const struct cinch_resources *resources,
			struct cinch_error *err);

int cinch_cgroup_freeze(struct cinch_cgroup *cg, struct cinch_error *err);
int cinch_cgroup_thaw(struct cinch_cgroup *cg, struct cinch_error *err);
int cinch_cgroup_is_frozen(struct cinch_cgroup *cg, bool *ret, struct cinch_error *err);

/* Host pids in the cgroup; *ret is malloc'd. */
int cinch_cgroup_pids(struct cinch_cgroup *cg, pid_t **ret, size_t *ret_len,
		      struct cinch_error *err);
int cinch_cgroup_signal_all(struct cinch_cgroup *cg, int sig, struct cinch_error *err);

/* Kills stragglers, retries EBUSY, removes every directory it created. */
int cinch_cgroup_destroy(struct cinch_cgroup *cg, struct cinch_error *err);

/* State round trip: a JSON object describing the manager, stored at create
 * and used by later commands (which may not get --systemd-cgroup again). */
int cinch_cgroup_serialize(const struct cinch_cgroup *cg, char **ret, struct cinch_error *err);
int cinch_cgroup_deserialize(const char *json, struct cinch_cgroup **ret, struct cinch_error *err);

/* Usage for `events --stats`: the "data" object of runc's stats event
 * ({"cpu":..,"memory":..,"pids":..,"blkio":..,"hugetlb":..}); *ret is malloc'd. */
int cinch_cgroup_stats(struct cinch_cgroup *cg, char **ret, struct cinch_error *err);

/* Number of OOM kills so far in the container's memory cgroup (v1
 * memory.oom_control / v2 memory.events "oom_kill"); poll it for OOM events. */
int cinch_cgroup_oom_kills(struct cinch_cgroup *cg, uint64_t *ret, struct cinch_error *err);

/* The container's cgroup path relative to the hierarchy root ("/docker/x";
 * for systemd "/system.slice/docker-x.scope"). Owned by cg. */
const char *cinch_cgroup_path(const struct cinch_cgroup *cg);

enum cinch_cgroup_backend cinch_cgroup_backend(const struct cinch_cgroup *cg);
void cinch_cgroup_free(struct cinch_cgroup *cg);

#endif
