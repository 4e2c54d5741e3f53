/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What ps, pause, resume, update and events share: finding an existing
 * container (optionally holding its directory lock, so that concurrent
 * commands on one id are serialised), its live status, and its cgroup
 * manager rebuilt from the state dir (later commands do not get
 * --systemd-cgroup again).
 */
#ifndef CINCH_CLI_CGROUP_TARGET_H
#define CINCH_CLI_CGROUP_TARGET_H

#include <stdbool.h>

#include "cinch/cgroup.h"
#include "cinch/state.h"
#include "cli.h"

struct cli_target {
	int dirfd; /* locked container dir, -1 when opened without the lock */
	struct cinch_state *state;
	enum cinch_status status;
	struct cinch_cgroup *cg;
};

/* `lock`: hold the container directory's exclusive lock until
 * cli_target_release(). Fails for a missing container ("container ID does
 * not exist") and one without a cgroup. */
int cli_target_open(const struct cli_globals *g, const char *id, bool lock, struct cli_target *ret,
		    struct cinch_error *err);
void cli_target_release(struct cli_target *t);

/* The error runc gives when the container is not running/paused:
 * "container not running". */
int cli_target_not_running(struct cinch_error *err);

#endif
