/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field tables for the linux object: namespaces, id mappings, time offsets,
 * devices, personality, Intel RDT, memory policy, net devices. Resources
 * and seccomp have their own files.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "spec-internal.h"

SPEC_VEC_LAYOUT(struct cinch_namespaces);
SPEC_VEC_LAYOUT(struct cinch_time_offsets);
SPEC_VEC_LAYOUT(struct cinch_devices);
SPEC_VEC_LAYOUT(struct cinch_net_devices);
_Static_assert(sizeof(enum cinch_ns_type) == sizeof(int), "K_ENUM stores an int");

static const char *const ns_names[CINCH_NS_TYPE_COUNT] = {
    [CINCH_NS_PID] = "pid",	  [CINCH_NS_NETWORK] = "network", [CINCH_NS_MOUNT] = "mount",
    [CINCH_NS_IPC] = "ipc",	  [CINCH_NS_UTS] = "uts",	  [CINCH_NS_USER] = "user",
    [CINCH_NS_CGROUP] = "cgroup", [CINCH_NS_TIME] = "time",
};

const char *cinch_ns_type_name(enum cinch_ns_type type)
{
	return (unsigned)type < CINCH_NS_TYPE_COUNT ? ns_names[type] : NULL;
}

int cinch_ns_type_from_name(const char *name, enum cinch_ns_type *ret)
{
	for (int i = 0; i < CINCH_NS_TYPE_COUNT; i++)
		if (strcmp(ns_names[i], name) == 0) {
			*ret = (enum cinch_ns_type)i;
			return 0;
		}
	return -EINVAL;
}

static const struct spec_field namespace_fields[] = {
    {.name = "type",
     .kind = K_ENUM,
     .offset = offsetof(struct cinch_namespace, type),
     .required = true,
     .values = ns_names,
     .n_values = CINCH_NS_TYPE_COUNT},
    FIELD("path", K_STRING, struct cinch_namespace, path),
};
static const struct spec_object namespace_desc =
    OBJECT_DESC(struct cinch_namespace, namespace_fields);

static const struct spec_field time_offset_fields[] = {
    FIELD("secs", K_I64, struct cinch_time_offset, secs),
    FIELD("nanosecs", K_U32, struct cinch_time_offset, nanosecs),
};
static const struct spec_object time_offset_desc =
    OBJECT_DESC(struct cinch_time_offset, time_offset_fields, .keyed = true,
		.key_offset = offsetof(struct cinch_time_offset, clock));

static const char *const device_types[] = {"c", "b", "u", "p", NULL};

static int check_device(void *obj, uint64_t seen, struct load_ctx *ctx);

static const struct spec_field device_fields[] = {
    {.name = "type",
     .kind = K_STRING,
     .offset = offsetof(struct cinch_device, type),
     .required = true,
     .values = device_types},
    FIELD_REQ("path", K_STRING, struct cinch_device, path),
    FIELD("major", K_I64, struct cinch_device, major),
    FIELD("minor", K_I64, struct cinch_device, minor),
    FIELD("fileMode", K_OPT_U32, struct cinch_device, file_mode),
    FIELD("uid", K_OPT_U32, struct cinch_device, uid),
    FIELD("gid", K_OPT_U32, struct cinch_device, gid),
};
static const struct spec_object device_desc =
    OBJECT_DESC(struct cinch_device, device_fields, .check = check_device);

/* The spec: major and minor are required unless the type is "p" (FIFO). */
static int check_device(void *obj, uint64_t seen, struct load_ctx *ctx)
{
	const struct cinch_device *dev = obj;
	const char *need[] = {"major", "minor"};

	if (strcmp(dev->type, "p") == 0)
		return 0;
	for (size_t i = 0; i < N_ELEMENTS(need); i++) {
		if (!spec_field_seen(&device_desc, seen, need[i])) {
			spec_path_push_field(&ctx->path, need[i]);
			return spec_load_fail(ctx, "missing required field (device type \"%s\")",
					      dev->type);
		}
	}
	return 0;
}

static const char *const personality_domains[] = {"LINUX", "LINUX32", NULL};

static const struct spec_field personality_fields[] = {
    {.name = "domain",
     .kind = K_STRING,
     .offset = offsetof(struct cinch_personality, domain),
     .required = true,
     .values = personality_domains},
    FIELD("flags", K_STRV, struct cinch_personality, flags),
};
static const struct spec_object personality_desc =
    OBJECT_DESC(struct cinch_personality, personality_fields);

static const struct spec_field intel_rdt_fields[] = {
    FIELD("closID", K_STRING, struct cinch_intel_rdt, clos_id),
    FIELD("l3CacheSchema", K_STRING, struct cinch_intel_rdt, l3_cache_schema),
    FIELD("memBwSchema", K_STRING, struct cinch_intel_rdt, mem_bw_schema),
    FIELD("schemata", K_STRV, struct cinch_intel_rdt, schemata),
    FIELD("enableMonitoring", K_OPT_BOOL, struct cinch_intel_rdt, enable_monitoring),
    FIELD("enableCMT", K_OPT_BOOL, struct cinch_intel_rdt, enable_cmt),
    FIELD("enableMBM", K_OPT_BOOL, struct cinch_intel_rdt, enable_mbm),
};
static const struct spec_object intel_rdt_desc =
    OBJECT_DESC(struct cinch_intel_rdt, intel_rdt_fields);

static const struct spec_field memory_policy_fields[] = {
    FIELD_REQ("mode", K_STRING, struct cinch_memory_policy, mode),
    FIELD("nodes", K_STRING, struct cinch_memory_policy, nodes),
    FIELD("flags", K_STRV, struct cinch_memory_policy, flags),
};
static const struct spec_object memory_policy_desc =
    OBJECT_DESC(struct cinch_memory_policy, memory_policy_fields);

static const struct spec_field net_device_fields[] = {
    FIELD("name", K_STRING, struct cinch_net_device, name),
};
static const struct spec_object net_device_desc =
    OBJECT_DESC(struct cinch_net_device, net_device_fields, .keyed = true,
		.key_offset = offsetof(struct cinch_net_device, host_name));

/* One namespace of a type: two entries would leave "which one is joined"
 * to whichever code reads the list first. */
static int check_linux(void *obj, uint64_t seen, struct load_ctx *ctx)
{
	const struct cinch_linux *l = obj;
	bool have[CINCH_NS_TYPE_COUNT] = {false};

	for (size_t i = 0; i < l->namespaces.len; i++) {
		enum cinch_ns_type t = l->namespaces.items[i].type;

		if (have[t]) {
			spec_path_push_field(&ctx->path, "namespaces");
			spec_path_push_index(&ctx->path, i);
			spec_path_push_field(&ctx->path, "type");
			return spec_load_fail(ctx, "duplicate namespace \"%s\"", ns_names[t]);
		}
		have[t] = true;
	}
	return 0;
}

static const struct spec_field linux_fields[] = {
    FIELD_SUB("namespaces", K_ARRAY, struct cinch_linux, namespaces, namespace_desc),
    FIELD_SUB("uidMappings", K_ARRAY, struct cinch_linux, uid_mappings, spec_desc_id_mapping),
    FIELD_SUB("gidMappings", K_ARRAY, struct cinch_linux, gid_mappings, spec_desc_id_mapping),
    FIELD_SUB("timeOffsets", K_KEYED, struct cinch_linux, time_offsets, time_offset_desc),
    FIELD_SUB("devices", K_ARRAY, struct cinch_linux, devices, device_desc),
    FIELD("cgroupsPath", K_STRING, struct cinch_linux, cgroups_path),
    FIELD_SUB("resources", K_OBJECT, struct cinch_linux, resources, spec_desc_resources),
    FIELD("rootfsPropagation", K_STRING, struct cinch_linux, rootfs_propagation),
    FIELD_SUB("seccomp", K_OBJECT, struct cinch_linux, seccomp, spec_desc_seccomp),
    FIELD("sysctl", K_MAP, struct cinch_linux, sysctl),
    FIELD("maskedPaths", K_STRV, struct cinch_linux, masked_paths),
    FIELD("readonlyPaths", K_STRV, struct cinch_linux, readonly_paths),
    FIELD("mountLabel", K_STRING, struct cinch_linux, mount_label),
    FIELD_SUB("personality", K_OBJECT, struct cinch_linux, personality, personality_desc),
    FIELD_SUB("intelRdt", K_OBJECT, struct cinch_linux, intel_rdt, intel_rdt_desc),
    FIELD_SUB("memoryPolicy", K_OBJECT, struct cinch_linux, memory_policy, memory_policy_desc),
    FIELD_SUB("netDevices", K_KEYED, struct cinch_linux, net_devices, net_device_desc),
};
const struct spec_object spec_desc_linux =
    OBJECT_DESC(struct cinch_linux, linux_fields, .check = check_linux);
