/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field tables for LinuxResources (config.json .linux.resources and the
 * bare document of `update --resources`): device rules, memory, cpu, pids,
 * block I/O, hugepages, network, rdma, unified.
 */
#include <stdio.h>
#include <string.h>

#include "spec-internal.h"

SPEC_VEC_LAYOUT(struct cinch_device_rules);
SPEC_VEC_LAYOUT(struct cinch_throttle_devices);
SPEC_VEC_LAYOUT(struct cinch_hugepage_limits);
SPEC_VEC_LAYOUT(struct cinch_rdma);
SPEC_VEC_LAYOUT(__typeof__(((struct cinch_block_io *)0)->weight_device));
SPEC_VEC_LAYOUT(__typeof__(((struct cinch_network *)0)->priorities));

static const char *const rule_types[] = {"a", "c", "b", NULL};

/* access is a set of the letters r, w, m; anything else would be
 * silently dropped by the device cgroup, so refuse it here. */
static int check_device_rule(void *obj, uint64_t seen, struct load_ctx *ctx)
{
	const struct cinch_device_rule *rule = obj;
	char quoted[64];

	if (!rule->access || rule->access[strspn(rule->access, "rwm")] == '\0')
		return 0;
	spec_path_push_field(&ctx->path, "access");
	spec_quote(quoted, sizeof(quoted), rule->access, 16);
	return spec_load_fail(ctx, "invalid value %s (expected letters from \"rwm\")", quoted);
}

static const struct spec_field device_rule_fields[] = {
    FIELD_REQ("allow", K_BOOL, struct cinch_device_rule, allow),
    {.name = "type",
     .kind = K_STRING,
     .offset = offsetof(struct cinch_device_rule, type),
     .values = rule_types},
    FIELD("major", K_OPT_I64, struct cinch_device_rule, major),
    FIELD("minor", K_OPT_I64, struct cinch_device_rule, minor),
    FIELD("access", K_STRING, struct cinch_device_rule, access),
};
static const struct spec_object device_rule_desc =
    OBJECT_DESC(struct cinch_device_rule, device_rule_fields, .check = check_device_rule);

static const struct spec_field memory_fields[] = {
    FIELD("limit", K_OPT_I64, struct cinch_memory, limit),
    FIELD("reservation", K_OPT_I64, struct cinch_memory, reservation),
    FIELD("swap", K_OPT_I64, struct cinch_memory, swap),
    FIELD("kernel", K_OPT_I64, struct cinch_memory, kernel),
    FIELD("kernelTCP", K_OPT_I64, struct cinch_memory, kernel_tcp),
    FIELD("swappiness", K_OPT_U64, struct cinch_memory, swappiness),
    FIELD("disableOOMKiller", K_OPT_BOOL, struct cinch_memory, disable_oom_killer),
    FIELD("useHierarchy", K_OPT_BOOL, struct cinch_memory, use_hierarchy),
    FIELD("checkBeforeUpdate", K_OPT_BOOL, struct cinch_memory, check_before_update),
};
static const struct spec_object memory_desc = OBJECT_DESC(struct cinch_memory, memory_fields);

static const struct spec_field cpu_fields[] = {
    FIELD("shares", K_OPT_U64, struct cinch_cpu, shares),
    FIELD("quota", K_OPT_I64, struct cinch_cpu, quota),
    FIELD("burst", K_OPT_U64, struct cinch_cpu, burst),
    FIELD("period", K_OPT_U64, struct cinch_cpu, period),
    FIELD("realtimeRuntime", K_OPT_I64, struct cinch_cpu, realtime_runtime),
    FIELD("realtimePeriod", K_OPT_U64, struct cinch_cpu, realtime_period),
    FIELD("cpus", K_STRING, struct cinch_cpu, cpus),
    FIELD("mems", K_STRING, struct cinch_cpu, mems),
    FIELD("idle", K_OPT_I64, struct cinch_cpu, idle),
};
static const struct spec_object cpu_desc = OBJECT_DESC(struct cinch_cpu, cpu_fields);

static const struct spec_field pids_fields[] = {
    FIELD_REQ("limit", K_OPT_I64, struct cinch_pids, limit),
};
static const struct spec_object pids_desc = OBJECT_DESC(struct cinch_pids, pids_fields);

static const struct spec_field weight_device_fields[] = {
    FIELD_REQ("major", K_I64, struct cinch_weight_device, major),
    FIELD_REQ("minor", K_I64, struct cinch_weight_device, minor),
    FIELD("weight", K_OPT_U32, struct cinch_weight_device, weight),
    FIELD("leafWeight", K_OPT_U32, struct cinch_weight_device, leaf_weight),
};
static const struct spec_object weight_device_desc =
    OBJECT_DESC(struct cinch_weight_device, weight_device_fields);

static const struct spec_field throttle_device_fields[] = {
    FIELD_REQ("major", K_I64, struct cinch_throttle_device, major),
    FIELD_REQ("minor", K_I64, struct cinch_throttle_device, minor),
    FIELD_REQ("rate", K_U64, struct cinch_throttle_device, rate),
};
static const struct spec_object throttle_device_desc =
    OBJECT_DESC(struct cinch_throttle_device, throttle_device_fields);

static const struct spec_field block_io_fields[] = {
    FIELD("weight", K_OPT_U32, struct cinch_block_io, weight),
    FIELD("leafWeight", K_OPT_U32, struct cinch_block_io, leaf_weight),
    FIELD_SUB("weightDevice", K_ARRAY, struct cinch_block_io, weight_device, weight_device_desc),
    FIELD_SUB("throttleReadBpsDevice", K_ARRAY, struct cinch_block_io, throttle_read_bps,
	      throttle_device_desc),
    FIELD_SUB("throttleWriteBpsDevice", K_ARRAY, struct cinch_block_io, throttle_write_bps,
	      throttle_device_desc),
    FIELD_SUB("throttleReadIOPSDevice", K_ARRAY, struct cinch_block_io, throttle_read_iops,
	      throttle_device_desc),
    FIELD_SUB("throttleWriteIOPSDevice", K_ARRAY, struct cinch_block_io, throttle_write_iops,
	      throttle_device_desc),
};
static const struct spec_object block_io_desc = OBJECT_DESC(struct cinch_block_io, block_io_fields);

static const struct spec_field hugepage_fields[] = {
    FIELD_REQ("pageSize", K_STRING, struct cinch_hugepage_limit, page_size),
    FIELD_REQ("limit", K_U64, struct cinch_hugepage_limit, limit),
};
static const struct spec_object hugepage_desc =
    OBJECT_DESC(struct cinch_hugepage_limit, hugepage_fields);

static const struct spec_field net_priority_fields[] = {
    FIELD_REQ("name", K_STRING, struct cinch_net_priority, name),
    FIELD_REQ("priority", K_U32, struct cinch_net_priority, priority),
};
static const struct spec_object net_priority_desc =
    OBJECT_DESC(struct cinch_net_priority, net_priority_fields);

static const struct spec_field network_fields[] = {
    FIELD("classID", K_OPT_U32, struct cinch_network, class_id),
    FIELD_SUB("priorities", K_ARRAY, struct cinch_network, priorities, net_priority_desc),
};
static const struct spec_object network_desc = OBJECT_DESC(struct cinch_network, network_fields);

static const struct spec_field rdma_fields[] = {
    FIELD("hcaHandles", K_OPT_U32, struct cinch_rdma_limit, hca_handles),
    FIELD("hcaObjects", K_OPT_U32, struct cinch_rdma_limit, hca_objects),
};
static const struct spec_object rdma_desc =
    OBJECT_DESC(struct cinch_rdma_limit, rdma_fields, .keyed = true,
		.key_offset = offsetof(struct cinch_rdma_limit, device));

static const struct spec_field resources_fields[] = {
    FIELD_SUB("devices", K_ARRAY, struct cinch_resources, devices, device_rule_desc),
    FIELD_SUB("memory", K_OBJECT, struct cinch_resources, memory, memory_desc),
    FIELD_SUB("cpu", K_OBJECT, struct cinch_resources, cpu, cpu_desc),
    FIELD_SUB("pids", K_OBJECT, struct cinch_resources, pids, pids_desc),
    FIELD_SUB("blockIO", K_OBJECT, struct cinch_resources, block_io, block_io_desc),
    FIELD_SUB("hugepageLimits", K_ARRAY, struct cinch_resources, hugepage_limits, hugepage_desc),
    FIELD_SUB("network", K_OBJECT, struct cinch_resources, network, network_desc),
    FIELD_SUB("rdma", K_KEYED, struct cinch_resources, rdma, rdma_desc),
    FIELD("unified", K_MAP, struct cinch_resources, unified),
};
const struct spec_object spec_desc_resources =
    OBJECT_DESC(struct cinch_resources, resources_fields);
