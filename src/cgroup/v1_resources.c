/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources -> cgroup v1 interface-file writes. The OCI fields are v1
 * shaped, so this is mostly naming. hugetlb and `unified` are added by the
 * caller, which knows whether they live on a v1 mount or on the hybrid
 * unified hierarchy. Pure: no filesystem access.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "src/cgroup/internal.h"

#define V1 CG_HIER_V1

static int add_i64(struct cg_plan *p, const char *ctrl, const char *file, int64_t v,
		   struct cinch_error *err)
{
	return cg_plan_addf(p, V1, ctrl, file, err, "%" PRId64, v);
}

static int plan_memory(const struct cinch_memory *m, bool update, struct cg_plan *p,
		       struct cinch_error *err)
{
	int ret = 0;

	if (m->limit.present && m->limit.value < -1)
		return cinch_error_set(err, EINVAL,
				       "linux.resources.memory.limit: invalid value %" PRId64,
				       m->limit.value);
	if (m->swap.present && m->swap.value < -1)
		return cinch_error_set(err, EINVAL,
				       "linux.resources.memory.swap: invalid value %" PRId64,
				       m->swap.value);
	if (m->limit.present && m->swap.present && m->limit.value > 0 && m->swap.value > 0 &&
	    m->swap.value < m->limit.value)
		return cinch_error_set(err, EINVAL,
				       "linux.resources.memory.swap: memory+swap limit %" PRId64
				       " is lower than the memory limit %" PRId64,
				       m->swap.value, m->limit.value);
	/* limit before memsw; the applier swaps the order when the kernel
	 * refuses (memsw must stay >= limit at every step). */
	if (m->limit.present && m->limit.value != 0)
		ret = add_i64(p, "memory", "memory.limit_in_bytes", m->limit.value, err);
	if (ret >= 0 && m->swap.present && m->swap.value != 0)
		ret = add_i64(p, "memory", "memory.memsw.limit_in_bytes", m->swap.value, err);
	if (ret >= 0 && m->reservation.present && m->reservation.value != 0)
		ret = add_i64(p, "memory", "memory.soft_limit_in_bytes", m->reservation.value, err);
	if (ret >= 0 && m->kernel.present && m->kernel.value != 0)
		ret = add_i64(p, "memory", "memory.kmem.limit_in_bytes", m->kernel.value, err);
	if (ret >= 0 && m->kernel_tcp.present && m->kernel_tcp.value != 0)
		ret = add_i64(p, "memory", "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp.value,
			      err);
	if (ret >= 0 && m->swappiness.present) {
		if (m->swappiness.value > 100)
			return cinch_error_set(err, EINVAL,
					       "linux.resources.memory.swappiness: %" PRIu64
					       " is outside [0, 100]",
					       m->swappiness.value);
		ret = cg_plan_addf(p, V1, "memory", "memory.swappiness", err, "%" PRIu64,
				   m->swappiness.value);
	}
	if (ret >= 0 && m->disable_oom_killer.present && (m->disable_oom_killer.value || update))
		ret = cg_plan_add(p, V1, "memory", "memory.oom_control",
				  m->disable_oom_killer.value ? "1" : "0", err);
	return ret;
}

static int plan_cpu(const struct cinch_cpu *c, struct cg_plan *p, struct cinch_error *err)
{
	int ret = 0;

	if (c->shares.present && c->shares.value != 0)
		ret = cg_plan_addf(p, V1, "cpu", "cpu.shares", err, "%" PRIu64, c->shares.value);
	/* period first: the kernel checks quota against the current period */
	if (ret >= 0 && c->period.present && c->period.value != 0)
		ret = cg_plan_addf(p, V1, "cpu", "cpu.cfs_period_us", err, "%" PRIu64,
				   c->period.value);
	if (ret >= 0 && c->quota.present && c->quota.value != 0)
		ret = add_i64(p, "cpu", "cpu.cfs_quota_us", c->quota.value, err);
	if (ret >= 0 && c->burst.present)
		ret =
		    cg_plan_addf(p, V1, "cpu", "cpu.cfs_burst_us", err, "%" PRIu64, c->burst.value);
	if (ret >= 0 && c->realtime_period.present && c->realtime_period.value != 0)
		ret = cg_plan_addf(p, V1, "cpu", "cpu.rt_period_us", err, "%" PRIu64,
				   c->realtime_period.value);
	if (ret >= 0 && c->realtime_runtime.present && c->realtime_runtime.value != 0)
		ret = add_i64(p, "cpu", "cpu.rt_runtime_us", c->realtime_runtime.value, err);
	if (ret >= 0 && c->idle.present)
		ret = add_i64(p, "cpu", "cpu.idle", c->idle.value, err);
	if (ret >= 0 && c->cpus && c->cpus[0])
		ret = cg_plan_add(p, V1, "cpuset", "cpuset.cpus", c->cpus, err);
	if (ret >= 0 && c->mems && c->mems[0])
		ret = cg_plan_add(p, V1, "cpuset", "cpuset.mems", c->mems, err);
	return ret;
}

static int plan_throttle(const struct cinch_throttle_devices *t, const char *file,
			 struct cg_plan *p, struct cinch_error *err)
{
	for (size_t i = 0; i < t->len; i++) {
		const struct cinch_throttle_device *d = &t->items[i];
		int ret =
		    cg_plan_addf(p, V1, "blkio", file, err, "%" PRId64 ":%" PRId64 " %" PRIu64,
				 d->major, d->minor, d->rate);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int plan_blkio(const struct cinch_block_io *b, struct cg_plan *p, struct cinch_error *err)
{
	char alt[64];
	int ret = 0;

	/* weight 0 = unset: this kernel (no CFQ/BFQ weight files) must accept it */
	if (b->weight.present && b->weight.value != 0) {
		ret = cg_plan_addf(p, V1, "blkio", "blkio.weight", err, "%u", b->weight.value);
		if (ret >= 0) {
			snprintf(alt, sizeof(alt), "%u", b->weight.value);
			ret = cg_plan_set_alt(p, "blkio.bfq.weight", alt, err);
		}
	}
	if (ret >= 0 && b->leaf_weight.present && b->leaf_weight.value != 0)
		ret = cg_plan_addf(p, V1, "blkio", "blkio.leaf_weight", err, "%u",
				   b->leaf_weight.value);
	for (size_t i = 0; ret >= 0 && i < b->weight_device.len; i++) {
		const struct cinch_weight_device *d = &b->weight_device.items[i];

		if (d->weight.present) {
			ret = cg_plan_addf(p, V1, "blkio", "blkio.weight_device", err,
					   "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
					   d->weight.value);
			if (ret >= 0) {
				snprintf(alt, sizeof(alt), "%" PRId64 ":%" PRId64 " %u", d->major,
					 d->minor, d->weight.value);
				ret = cg_plan_set_alt(p, "blkio.bfq.weight_device", alt, err);
			}
		}
		if (ret >= 0 && d->leaf_weight.present)
			ret = cg_plan_addf(p, V1, "blkio", "blkio.leaf_weight_device", err,
					   "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
					   d->leaf_weight.value);
	}
	if (ret >= 0)
		ret =
		    plan_throttle(&b->throttle_read_bps, "blkio.throttle.read_bps_device", p, err);
	if (ret >= 0)
		ret = plan_throttle(&b->throttle_write_bps, "blkio.throttle.write_bps_device", p,
				    err);
	if (ret >= 0)
		ret = plan_throttle(&b->throttle_read_iops, "blkio.throttle.read_iops_device", p,
				    err);
	if (ret >= 0)
		ret = plan_throttle(&b->throttle_write_iops, "blkio.throttle.write_iops_device", p,
				    err);
	return ret;
}

static int plan_network(const struct cinch_network *n, struct cg_plan *p, struct cinch_error *err)
{
	int ret = 0;

	if (n->class_id.present)
		ret =
		    cg_plan_addf(p, V1, "net_cls", "net_cls.classid", err, "%u", n->class_id.value);
	for (size_t i = 0; ret >= 0 && i < n->priorities.len; i++) {
		const struct cinch_net_priority *np = &n->priorities.items[i];

		if (!np->name || !np->name[0] || strpbrk(np->name, " \n/"))
			return cinch_error_set(
			    err, EINVAL,
			    "linux.resources.network.priorities[%zu].name: invalid "
			    "interface name",
			    i);
		ret = cg_plan_addf(p, V1, "net_prio", "net_prio.ifpriomap", err, "%s %u", np->name,
				   np->priority);
	}
	return ret;
}

int cg_v1_plan(const struct cinch_resources *r, bool update, struct cg_plan *plan,
	       struct cinch_error *err)
{
	int ret = 0;

	if (r->memory)
		ret = plan_memory(r->memory, update, plan, err);
	if (ret >= 0 && r->cpu)
		ret = plan_cpu(r->cpu, plan, err);
	if (ret >= 0 && r->pids)
		ret = r->pids->limit.value > 0
			  ? add_i64(plan, "pids", "pids.max", r->pids->limit.value, err)
			  : cg_plan_add(plan, V1, "pids", "pids.max", "max", err);
	if (ret >= 0 && r->block_io)
		ret = plan_blkio(r->block_io, plan, err);
	if (ret >= 0 && r->network)
		ret = plan_network(r->network, plan, err);
	for (size_t i = 0; ret >= 0 && i < r->rdma.len; i++) {
		const struct cinch_rdma_limit *l = &r->rdma.items[i];
		char h[32] = "max", o[32] = "max";

		if (!l->device || !l->device[0] || strpbrk(l->device, " \n/"))
			return cinch_error_set(err, EINVAL,
					       "linux.resources.rdma: invalid device name");
		if (l->hca_handles.present)
			snprintf(h, sizeof(h), "%u", l->hca_handles.value);
		if (l->hca_objects.present)
			snprintf(o, sizeof(o), "%u", l->hca_objects.value);
		ret = cg_plan_addf(plan, V1, "rdma", "rdma.max", err,
				   "%s hca_handle=%s hca_object=%s", l->device, h, o);
	}
	if (ret >= 0 && !update) {
		plan->devices = true;
		ret = cg_devices_effective(&r->devices, &plan->dev_rules, &plan->n_dev_rules, err);
	}
	return ret;
}
