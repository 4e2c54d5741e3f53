/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources -> cgroup v2 interface-file writes, including the value
 * conversions from the v1-shaped OCI fields (cpu shares -> cpu.weight,
 * memory+swap -> memory.swap.max, blkio weight -> io.weight) and the
 * validation of the free-form `unified` map. Pure: no filesystem access.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "cinch/log.h"
#include "src/cgroup/internal.h"

#define CG_V2 CG_HIER_UNIFIED

uint64_t cg_shares_to_weight(uint64_t shares)
{
	/* The kernel clamps v1 shares to [2, 262144]; map that range linearly
	 * onto cpu.weight's [1, 10000], the conversion runc and crun use. */
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_weight_to_io_weight(uint64_t weight)
{
	/* blkio [10, 1000] -> io.weight [1, 10000] */
	if (weight == 0)
		return 0;
	if (weight < 10)
		weight = 10;
	if (weight > 1000)
		weight = 1000;
	return 1 + ((weight - 10) * 9999) / 990;
}

int cg_swap_to_v2(int64_t swap, int64_t limit, int64_t *ret, struct cinch_error *err)
{
	/* OCI's swap is v1's memsw (memory + swap); v2's memory.swap.max is
	 * swap alone. 0 = unset, -1 = unlimited. */
	if (limit == -1 && swap == 0) {
		*ret = -1; /* both unlimited, as on v1 */
		return 0;
	}
	if (swap == -1 || swap == 0) {
		*ret = swap;
		return 0;
	}
	if (limit == 0 || limit == -1)
		return cinch_error_set(err, EINVAL,
				       "linux.resources.memory.swap: cannot set a swap limit "
				       "without a memory limit on cgroup v2");
	if (limit < 0 || swap < 0)
		return cinch_error_set(err, EINVAL, "linux.resources.memory: negative limit");
	if (swap < limit)
		return cinch_error_set(err, EINVAL,
				       "linux.resources.memory.swap: memory+swap limit %" PRId64
				       " is lower than the memory limit %" PRId64,
				       swap, limit);
	*ret = swap - limit;
	return 0;
}

static const char *const v2_controllers[] = {
    "cpu", "cpuset", "io", "memory", "hugetlb", "pids", "rdma", "misc",
};

/* Core files a container's config may set; procs, threads, subtree_control,
 * type, freeze and kill belong to the manager. */
static const char *const core_allowed[] = {
    "cgroup.max.descendants",
    "cgroup.max.depth",
};

int cg_unified_key_check(const char *key, struct cinch_error *err)
{
	const char *dot = strchr(key, '.');
	size_t plen;

	if (key[0] == '\0')
		return cinch_error_set(err, EINVAL, "linux.resources.unified: empty key");
	if (strlen(key) > 255 || strchr(key, '/') || strcmp(key, ".") == 0 ||
	    strcmp(key, "..") == 0 || strstr(key, ".."))
		return cinch_error_set(err, EINVAL,
				       "linux.resources.unified[\"%s\"]: not a cgroup interface "
				       "file name",
				       key);
	for (const char *p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '_' || *p == '-' || (*p >= 'A' && *p <= 'Z')))
			return cinch_error_set(
			    err, EINVAL, "linux.resources.unified[\"%s\"]: invalid character", key);
	if (!dot || dot == key)
		return cinch_error_set(
		    err, EINVAL, "linux.resources.unified[\"%s\"]: expected <controller>.<file>",
		    key);
	plen = (size_t)(dot - key);
	if (plen == 6 && strncmp(key, "cgroup", 6) == 0) {
		for (size_t i = 0; i < N_ELEMENTS(core_allowed); i++)
			if (strcmp(key, core_allowed[i]) == 0)
				return 0;
		return cinch_error_set(err, EPERM,
				       "linux.resources.unified[\"%s\"]: this file is managed by "
				       "the runtime and cannot be set",
				       key);
	}
	for (size_t i = 0; i < N_ELEMENTS(v2_controllers); i++)
		if (strlen(v2_controllers[i]) == plen && strncmp(key, v2_controllers[i], plen) == 0)
			return 0;
	return cinch_error_set(err, EINVAL,
			       "linux.resources.unified[\"%s\"]: unknown controller \"%.*s\"", key,
			       (int)plen, key);
}

int cg_plan_unified(const struct cinch_resources *r, struct cg_plan *plan, struct cinch_error *err)
{
	for (size_t i = 0; i < r->unified.len; i++) {
		const struct cinch_kv *kv = &r->unified.items[i];
		char ctrl[32];
		const char *dot;
		int ret;

		ret = cg_unified_key_check(kv->key, err);
		if (ret < 0)
			return ret;
		dot = strchr(kv->key, '.');
		snprintf(ctrl, sizeof(ctrl), "%.*s", (int)(dot - kv->key), kv->key);
		ret = cg_plan_add(plan, CG_V2, ctrl, kv->key, kv->value ? kv->value : "", err);
		if (ret < 0)
			return ret;
		cg_plan_last(plan)->from_unified = true;
	}
	return 0;
}

static int plan_memory(const struct cinch_memory *m, bool update, struct cg_plan *plan,
		       struct cinch_error *err)
{
	int64_t limit = m->limit.present ? m->limit.value : 0;
	int64_t swap = m->swap.present ? m->swap.value : 0;
	int ret;

	if (limit < -1)
		return cinch_error_set(
		    err, EINVAL, "linux.resources.memory.limit: invalid value %" PRId64, limit);
	/* 0 is "not set" (Docker sends it in update to mean unchanged). */
	if (limit != 0) {
		ret = limit == -1 ? cg_plan_add(plan, CG_V2, "memory", "memory.max", "max", err)
				  : cg_plan_addf(plan, CG_V2, "memory", "memory.max", err,
						 "%" PRId64, limit);
		if (ret < 0)
			return ret;
	}
	if (m->swap.present || limit == -1) {
		int64_t v;

		ret = cg_swap_to_v2(swap, limit, &v, err);
		if (ret < 0)
			return ret;
		if (v == -1)
			ret = cg_plan_add(plan, CG_V2, "memory", "memory.swap.max", "max", err);
		else if (v > 0 || (m->swap.present && swap != 0))
			ret = cg_plan_addf(plan, CG_V2, "memory", "memory.swap.max", err,
					   "%" PRId64, v);
		if (ret < 0)
			return ret;
	}
	if (m->reservation.present && m->reservation.value != 0) {
		ret = m->reservation.value < 0
			  ? cg_plan_add(plan, CG_V2, "memory", "memory.low", "max", err)
			  : cg_plan_addf(plan, CG_V2, "memory", "memory.low", err, "%" PRId64,
					 m->reservation.value);
		if (ret < 0)
			return ret;
	}
	if ((m->kernel.present && m->kernel.value != 0) ||
	    (m->kernel_tcp.present && m->kernel_tcp.value != 0))
		return cinch_error_set(err, EOPNOTSUPP,
				       "cgroup v2 memory: linux.resources.memory.kernel/kernelTCP "
				       "limits do not exist on cgroup v2");
	if (m->swappiness.present)
		return cinch_error_set(err, EOPNOTSUPP,
				       "cgroup v2 memory: linux.resources.memory.swappiness has no "
				       "cgroup v2 equivalent");
	if (m->disable_oom_killer.present && m->disable_oom_killer.value)
		log_warning("cgroup v2 memory: disableOOMKiller is not applicable on cgroup v2 "
			    "(there is no per-cgroup OOM-killer switch); ignored");
	(void)update;
	return 0;
}

static int plan_cpu(const struct cinch_cpu *c, bool update, struct cg_plan *plan,
		    struct cinch_error *err)
{
	int64_t quota = c->quota.present ? c->quota.value : 0;
	uint64_t period = c->period.present ? c->period.value : 0;
	int ret;

	if (c->shares.present && c->shares.value != 0) {
		ret = cg_plan_addf(plan, CG_V2, "cpu", "cpu.weight", err, "%" PRIu64,
				   cg_shares_to_weight(c->shares.value));
		if (ret < 0)
			return ret;
	}
	if (quota != 0 || period != 0) {
		if (quota == 0 && update)
			return cinch_error_set(
			    err, EINVAL,
			    "cgroup v2 cpu: updating cpu.period without cpu.quota "
			    "is not supported");
		if (period == 0)
			period = 100000;
		ret = quota > 0 ? cg_plan_addf(plan, CG_V2, "cpu", "cpu.max", err,
					       "%" PRId64 " %" PRIu64, quota, period)
				: cg_plan_addf(plan, CG_V2, "cpu", "cpu.max", err, "max %" PRIu64,
					       period);
		if (ret < 0)
			return ret;
	}
	if (c->burst.present) {
		ret = cg_plan_addf(plan, CG_V2, "cpu", "cpu.max.burst", err, "%" PRIu64,
				   c->burst.value);
		if (ret < 0)
			return ret;
	}
	if (c->idle.present) {
		ret = cg_plan_addf(plan, CG_V2, "cpu", "cpu.idle", err, "%" PRId64, c->idle.value);
		if (ret < 0)
			return ret;
	}
	if ((c->realtime_runtime.present && c->realtime_runtime.value != 0) ||
	    (c->realtime_period.present && c->realtime_period.value != 0))
		return cinch_error_set(err, EOPNOTSUPP,
				       "cgroup v2 cpu: realtimeRuntime/realtimePeriod are not "
				       "supported on cgroup v2");
	if (c->cpus && c->cpus[0]) {
		ret = cg_plan_add(plan, CG_V2, "cpuset", "cpuset.cpus", c->cpus, err);
		if (ret < 0)
			return ret;
	}
	if (c->mems && c->mems[0]) {
		ret = cg_plan_add(plan, CG_V2, "cpuset", "cpuset.mems", c->mems, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int plan_throttle(const struct cinch_throttle_devices *t, const char *key,
			 struct cg_plan *plan, struct cinch_error *err)
{
	for (size_t i = 0; i < t->len; i++) {
		const struct cinch_throttle_device *d = &t->items[i];
		int ret;

		ret = d->rate
			  ? cg_plan_addf(plan, CG_V2, "io", "io.max", err,
					 "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d->major, d->minor,
					 key, d->rate)
			  : cg_plan_addf(plan, CG_V2, "io", "io.max", err,
					 "%" PRId64 ":%" PRId64 " %s=max", d->major, d->minor, key);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int plan_io(const struct cinch_block_io *b, struct cg_plan *plan, struct cinch_error *err)
{
	char alt[64];
	int ret;

	if (b->weight.present && b->weight.value != 0) {
		if (b->weight.value < 10 || b->weight.value > 1000)
			return cinch_error_set(err, EINVAL,
					       "linux.resources.blockIO.weight: %u is outside "
					       "[10, 1000]",
					       b->weight.value);
		/* BFQ takes the blkio range as is; io.weight needs converting. */
		ret = cg_plan_addf(plan, CG_V2, "io", "io.bfq.weight", err, "%u", b->weight.value);
		if (ret < 0)
			return ret;
		snprintf(alt, sizeof(alt), "default %" PRIu64,
			 cg_blkio_weight_to_io_weight(b->weight.value));
		ret = cg_plan_set_alt(plan, "io.weight", alt, err);
		if (ret < 0)
			return ret;
	}
	if (b->leaf_weight.present && b->leaf_weight.value != 0)
		return cinch_error_set(err, EOPNOTSUPP,
				       "cgroup v2 io: blockIO.leafWeight is not supported on "
				       "cgroup v2");
	for (size_t i = 0; i < b->weight_device.len; i++) {
		const struct cinch_weight_device *d = &b->weight_device.items[i];

		if (d->leaf_weight.present && d->leaf_weight.value != 0)
			return cinch_error_set(err, EOPNOTSUPP,
					       "cgroup v2 io: blockIO.weightDevice[%zu].leafWeight "
					       "is not supported on cgroup v2",
					       i);
		if (!d->weight.present)
			continue;
		ret =
		    cg_plan_addf(plan, CG_V2, "io", "io.bfq.weight", err,
				 "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->weight.value);
		if (ret < 0)
			return ret;
		snprintf(alt, sizeof(alt), "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
			 cg_blkio_weight_to_io_weight(d->weight.value));
		ret = cg_plan_set_alt(plan, "io.weight", alt, err);
		if (ret < 0)
			return ret;
	}
	ret = plan_throttle(&b->throttle_read_bps, "rbps", plan, err);
	if (ret >= 0)
		ret = plan_throttle(&b->throttle_write_bps, "wbps", plan, err);
	if (ret >= 0)
		ret = plan_throttle(&b->throttle_read_iops, "riops", plan, err);
	if (ret >= 0)
		ret = plan_throttle(&b->throttle_write_iops, "wiops", plan, err);
	return ret;
}

static int plan_rdma(const struct cinch_rdma *rd, struct cg_plan *plan, struct cinch_error *err)
{
	for (size_t i = 0; i < rd->len; i++) {
		const struct cinch_rdma_limit *l = &rd->items[i];
		char h[32] = "max", o[32] = "max";
		int ret;

		if (!l->device || !l->device[0] || strpbrk(l->device, " \n/"))
			return cinch_error_set(err, EINVAL,
					       "linux.resources.rdma: invalid device name");
		if (l->hca_handles.present)
			snprintf(h, sizeof(h), "%u", l->hca_handles.value);
		if (l->hca_objects.present)
			snprintf(o, sizeof(o), "%u", l->hca_objects.value);
		ret = cg_plan_addf(plan, CG_V2, "rdma", "rdma.max", err,
				   "%s hca_handle=%s hca_object=%s", l->device, h, o);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int cg_v2_plan(const struct cinch_resources *r, bool update, struct cg_plan *plan,
	       struct cinch_error *err)
{
	int ret;

	if (r->memory) {
		ret = plan_memory(r->memory, update, plan, err);
		if (ret < 0)
			return ret;
	}
	if (r->cpu) {
		ret = plan_cpu(r->cpu, update, plan, err);
		if (ret < 0)
			return ret;
	}
	if (r->pids) {
		ret = r->pids->limit.value > 0
			  ? cg_plan_addf(plan, CG_V2, "pids", "pids.max", err, "%" PRId64,
					 r->pids->limit.value)
			  : cg_plan_add(plan, CG_V2, "pids", "pids.max", "max", err);
		if (ret < 0)
			return ret;
	}
	if (r->block_io) {
		ret = plan_io(r->block_io, plan, err);
		if (ret < 0)
			return ret;
	}
	ret = cg_plan_hugetlb(r, CG_HIER_UNIFIED, plan, err);
	if (ret < 0)
		return ret;
	if (r->network && (r->network->class_id.present || r->network->priorities.len))
		return cinch_error_set(err, EOPNOTSUPP,
				       "cgroup v2: linux.resources.network (net_cls/net_prio) "
				       "does not exist on cgroup v2");
	ret = plan_rdma(&r->rdma, plan, err);
	if (ret < 0)
		return ret;
	/* unified last: it is the most specific and overrides the above. */
	ret = cg_plan_unified(r, plan, err);
	if (ret < 0)
		return ret;
	if (!update) {
		plan->devices = true;
		ret = cg_devices_effective(&r->devices, &plan->dev_rules, &plan->n_dev_rules, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}
