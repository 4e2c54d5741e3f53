/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cinch update [--resources -|FILE] [runc's resource flags] ID`: changes
 * the limits of a created, running or paused container. The request (a
 * LinuxResources document, or the flags; with --resources the flags are
 * ignored, as runc does) is first policed by the policy the container was
 * created under (the level recorded in its policy-report.json under the
 * host policy), so an update cannot lift a limit the policy sets; then
 * applied to the cgroup; then merged into config.effective.json so later
 * commands see the container's current limits.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_target.h"
#include "cinch/fdio.h"
#include "cinch/cleanup.h"
#include "cinch/log.h"
#include "cinch/policy.h"
#include "cli.h"
#include "policy_gate.h"
#include "update_resources.h"

#define UPDATE_INPUT_MAX (4u << 20)

static int read_fd(int fd, const char *what, char **ret, size_t *ret_len, struct cinch_error *err)
{
	int r = cinch_read_all(fd, UPDATE_INPUT_MAX, ret, ret_len);

	if (r == -EFBIG)
		return cinch_error_set(err, EFBIG, "%s: larger than %u bytes", what,
				       UPDATE_INPUT_MAX);
	if (r < 0)
		return cinch_error_errno(err, -r, "reading %s", what);
	return 0;
}

static int load_request(const char *source, struct cinch_resources **ret, struct cinch_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	const char *origin = strcmp(source, "-") == 0 ? "resources (stdin)" : source;
	size_t len = 0;
	int r;

	if (strcmp(source, "-") == 0)
		r = read_fd(STDIN_FILENO, origin, &buf, &len, err);
	else {
		fd = open(source, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return cinch_error_errno(err, errno, "update: --resources %s", source);
		r = read_fd(fd, origin, &buf, &len, err);
	}
	if (r < 0)
		return r;
	return cinch_resources_load_buffer(buf, len, origin, ret, err);
}

/* The policy the container was created under. */
static int container_policy(const struct cli_globals *g, const struct cli_target *t,
			    struct cinch_policy **ret, struct cinch_error *err)
{
	_cleanup_close_ int fd =
	    openat(t->dirfd, CINCH_POLICY_REPORT_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_free_ char *report = NULL;
	size_t len = 0;
	int r;

	if (fd < 0 && errno != ENOENT)
		return cinch_error_errno(err, errno, "update of container %s: %s", t->state->id,
					 CINCH_POLICY_REPORT_FILE);
	if (fd >= 0) {
		r = read_fd(fd, CINCH_POLICY_REPORT_FILE, &report, &len, err);
		if (r < 0)
			return r;
	}
	r = cli_policy_for_container(g, report, &t->state->annotations, ret, err);
	if (r < 0)
		return cinch_error_prefix(err, "update of container %s", t->state->id);
	return 0;
}

/* Police the request; *ret is what may be applied. */
static int police(const struct cli_globals *g, const struct cli_target *t,
		  const struct cinch_resources *req, struct cinch_resources **ret,
		  struct cinch_error *err)
{
	struct cinch_policy *policy = NULL;
	struct cinch_policy_report *report = NULL;
	struct cinch_error audit_err = {0};
	int r;

	r = container_policy(g, t, &policy, err);
	if (r < 0)
		return r;
	r = cinch_policy_apply_update(policy, req, ret, &report, err);
	if (report) {
		cli_policy_log_findings(report, "update: ");
		/* Audited even when refused; an unwritable log stops the update. */
		if (cinch_policy_audit_log_write(policy, t->state->id, "update", report,
						 &audit_err) < 0 &&
		    r == 0) {
			cinch_resources_free(*ret);
			*ret = NULL;
			*err = audit_err;
			r = -audit_err.code;
		}
	}
	cinch_policy_report_free(report);
	cinch_policy_free(policy);
	return r;
}

static int config_path(const struct cli_globals *g, const char *id, char **ret,
		       struct cinch_error *err)
{
	if (asprintf(ret, "%s/%s/%s", g->root, id, CINCH_STATE_CONFIG) < 0)
		return cinch_error_set(err, ENOMEM, "update: out of memory");
	return 0;
}

/* Stores the applied update in config.effective.json (atomically). */
static int persist(const struct cli_target *t, struct cinch_spec *spec,
		   const struct cinch_resources *applied, struct cinch_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	if (!spec->linux_ && !(spec->linux_ = calloc(1, sizeof(*spec->linux_))))
		return cinch_error_set(err, ENOMEM, "update: out of memory");
	if (!spec->linux_->resources &&
	    !(spec->linux_->resources = calloc(1, sizeof(*spec->linux_->resources))))
		return cinch_error_set(err, ENOMEM, "update: out of memory");
	r = cli_update_merge(spec->linux_->resources, applied, err);
	if (r == 0)
		r = cinch_spec_save_buffer(spec, true, &buf, &len, err);
	if (r == 0)
		r = cinch_state_write_file(t->dirfd, CINCH_STATE_CONFIG, buf, len, err);
	if (r < 0)
		return cinch_error_prefix(err,
					  "update of container %s: limits applied, but "
					  "not recorded",
					  t->state->id);
	return 0;
}

/* cgroup writes are not atomic: when one fails, the limits written before
 * it are put back to the recorded ones (device rules, which update never
 * touches, are left out), and the error says whether that worked. */
static int roll_back(const struct cli_target *t, struct cinch_resources *recorded,
		     struct cinch_error *err)
{
	struct cinch_device_rules devices;
	struct cinch_error undo = {0};
	int r;

	if (!recorded)
		return cinch_error_prefix(err,
					  "update of container %s (nothing recorded to roll "
					  "back to)",
					  t->state->id);
	devices = recorded->devices;
	memset(&recorded->devices, 0, sizeof(recorded->devices));
	r = cinch_cgroup_update(t->cg, recorded, &undo);
	recorded->devices = devices;
	if (r < 0)
		return cinch_error_prefix(err,
					  "update of container %s (rolling back failed too: %s)",
					  t->state->id, undo.msg);
	return cinch_error_prefix(err, "update of container %s (earlier limits rolled back)",
				  t->state->id);
}

static int update_container(const struct cli_globals *g, const char *id,
			    struct cinch_resources *req, struct cinch_error *err)
{
	_cleanup_free_ char *cfg = NULL;
	struct cinch_resources *applied = NULL;
	struct cinch_spec *spec = NULL;
	struct cli_target t;
	int r;

	r = cli_target_open(g, id, true, &t, err);
	if (r < 0)
		return r;
	if (t.status != CINCH_STATUS_CREATED && t.status != CINCH_STATUS_RUNNING &&
	    t.status != CINCH_STATUS_PAUSED) {
		r = cli_target_not_running(err);
		goto out;
	}
	r = config_path(g, id, &cfg, err);
	if (r == 0)
		r = cinch_spec_load_file(cfg, &spec, err);
	if (r < 0)
		goto out;
	cli_update_complete_cpu(req, spec->linux_ ? spec->linux_->resources : NULL);
	r = police(g, &t, req, &applied, err);
	if (r == 0) {
		r = cinch_cgroup_update(t.cg, applied, err);
		if (r < 0)
			r = roll_back(&t, spec->linux_ ? spec->linux_->resources : NULL, err);
	}
	if (r == 0)
		r = persist(&t, spec, applied, err);
out:
	cinch_resources_free(applied);
	cinch_spec_free(spec);
	cli_target_release(&t);
	return r;
}

int cli_update(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	static const struct option longopts[] = {
	    {"resources", required_argument, NULL, UPD_RESOURCES},
	    {"blkio-weight", required_argument, NULL, UPD_BLKIO_WEIGHT},
	    {"cpu-period", required_argument, NULL, UPD_CPU_PERIOD},
	    {"cpu-quota", required_argument, NULL, UPD_CPU_QUOTA},
	    {"cpu-burst", required_argument, NULL, UPD_CPU_BURST},
	    {"cpu-share", required_argument, NULL, UPD_CPU_SHARE},
	    {"cpu-rt-period", required_argument, NULL, UPD_CPU_RT_PERIOD},
	    {"cpu-rt-runtime", required_argument, NULL, UPD_CPU_RT_RUNTIME},
	    {"cpuset-cpus", required_argument, NULL, UPD_CPUSET_CPUS},
	    {"cpuset-mems", required_argument, NULL, UPD_CPUSET_MEMS},
	    {"cpu-idle", required_argument, NULL, UPD_CPU_IDLE},
	    {"kernel-memory", required_argument, NULL, UPD_KERNEL_MEMORY},
	    {"kernel-memory-tcp", required_argument, NULL, UPD_KERNEL_MEMORY_TCP},
	    {"memory", required_argument, NULL, UPD_MEMORY},
	    {"memory-reservation", required_argument, NULL, UPD_MEMORY_RESERVATION},
	    {"memory-swap", required_argument, NULL, UPD_MEMORY_SWAP},
	    {"pids-limit", required_argument, NULL, UPD_PIDS_LIMIT},
	    {"l3-cache-schema", required_argument, NULL, UPD_L3_CACHE_SCHEMA},
	    {"mem-bw-schema", required_argument, NULL, UPD_MEM_BW_SCHEMA},
	    {NULL, 0, NULL, 0},
	};
	struct cinch_resources *req = calloc(1, sizeof(*req));
	const char *source = NULL;
	bool kernel = false;
	int opt, r = 0;

	if (!req)
		return cinch_error_set(err, ENOMEM, "update: out of memory");
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+r:", longopts, NULL)) != -1) {
		if (opt == '?' || opt == ':') {
			r = cinch_error_set(err, EINVAL,
					    "update: unknown flag or missing value: %s",
					    argv[optind - 1]);
			break;
		}
		if (opt == 'r' || opt == UPD_RESOURCES)
			source = optarg;
		else
			r = cli_update_set_flag(req, opt, optarg, err);
		if (r < 0)
			break;
	}
	if (r == 0)
		r = cli_expect_operands(argc, argv, optind, 1, "update [flags] ID", err);
	if (r == 0 && source) {
		/* As runc: a resources document replaces every flag. */
		cinch_resources_free(req);
		req = NULL;
		r = load_request(source, &req, err);
	}
	if (r == 0) {
		cli_update_sanitize(req, &kernel);
		if (kernel)
			log_warning("Kernel memory settings are ignored and will be removed");
		r = update_container(g, argv[optind], req, err);
	}
	cinch_resources_free(req);
	return r;
}
