/* SPDX-License-Identifier: Apache-2.0 */
/* Opening a container for the cgroup operations (see cgroup_target.h). */
#include <errno.h>
#include <unistd.h>

#include "cgroup_target.h"
#include "cinch/cleanup.h"
#include "cinch/container.h"

int cli_target_open(const struct cli_globals *g, const char *id, bool lock, struct cli_target *ret,
		    struct cinch_error *err)
{
	_cleanup_close_ int dirfd = -1;
	struct cli_target t = {.dirfd = -1};
	int r;

	r = cinch_state_validate_id(id, err);
	if (r < 0)
		return r;
	if (lock) {
		r = cinch_state_dir_open(g->root, id, true, &dirfd, err);
		if (r < 0)
			return r;
	}
	r = cinch_container_status(g->root, id, &t.state, &t.status, err);
	if (r < 0)
		return r;
	if (!t.state->cgroup) {
		cinch_state_free(t.state);
		return cinch_error_set(err, ENOENT, "container %s has no cgroup", id);
	}
	r = cinch_cgroup_deserialize(t.state->cgroup, &t.cg, err);
	if (r < 0) {
		cinch_state_free(t.state);
		return cinch_error_prefix(err, "container %s", id);
	}
	t.dirfd = steal_fd(&dirfd);
	*ret = t;
	return 0;
}

void cli_target_release(struct cli_target *t)
{
	cinch_cgroup_free(t->cg);
	cinch_state_free(t->state);
	if (t->dirfd >= 0)
		close(t->dirfd);
	*t = (struct cli_target){.dirfd = -1};
}

int cli_target_not_running(struct cinch_error *err)
{
	return cinch_error_set(err, ESRCH, "container not running");
}
