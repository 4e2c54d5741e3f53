/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field tables for the top of config.json: ociVersion, root, mounts
 * (with id mappings, shared with linux.uidMappings), hooks, annotations.
 * The hook kind names live here too.
 */
#include <errno.h>

#include "spec-internal.h"

SPEC_VEC_LAYOUT(struct cinch_id_mappings);
SPEC_VEC_LAYOUT(struct cinch_mounts);
SPEC_VEC_LAYOUT(struct cinch_hook_list);

static const struct spec_field id_mapping_fields[] = {
    FIELD_REQ("containerID", K_U32, struct cinch_id_mapping, container_id),
    FIELD_REQ("hostID", K_U32, struct cinch_id_mapping, host_id),
    FIELD_REQ("size", K_U32, struct cinch_id_mapping, size),
};
const struct spec_object spec_desc_id_mapping =
    OBJECT_DESC(struct cinch_id_mapping, id_mapping_fields);

static const struct spec_field root_fields[] = {
    FIELD_REQ("path", K_STRING, struct cinch_root, path),
    FIELD("readonly", K_OPT_BOOL, struct cinch_root, readonly),
};
static const struct spec_object root_desc = OBJECT_DESC(struct cinch_root, root_fields);

static const struct spec_field mount_fields[] = {
    FIELD_REQ("destination", K_STRING, struct cinch_mount, destination),
    FIELD("type", K_STRING, struct cinch_mount, type),
    FIELD("source", K_STRING, struct cinch_mount, source),
    FIELD("options", K_STRV, struct cinch_mount, options),
    FIELD_SUB("uidMappings", K_ARRAY, struct cinch_mount, uid_mappings, spec_desc_id_mapping),
    FIELD_SUB("gidMappings", K_ARRAY, struct cinch_mount, gid_mappings, spec_desc_id_mapping),
};
static const struct spec_object mount_desc = OBJECT_DESC(struct cinch_mount, mount_fields);

/* The spec: "timeout ... MUST be greater than zero". */
static int check_hook(void *obj, uint64_t seen, struct load_ctx *ctx)
{
	const struct cinch_hook *hook = obj;

	if (!hook->timeout.present || hook->timeout.value > 0)
		return 0;
	spec_path_push_field(&ctx->path, "timeout");
	return spec_load_fail(ctx, "must be greater than zero, got %lld",
			      (long long)hook->timeout.value);
}

static const struct spec_field hook_fields[] = {
    FIELD_REQ("path", K_STRING, struct cinch_hook, path),
    FIELD("args", K_STRV, struct cinch_hook, args),
    FIELD("env", K_STRV, struct cinch_hook, env),
    FIELD("timeout", K_OPT_I64, struct cinch_hook, timeout),
};
static const struct spec_object hook_desc =
    OBJECT_DESC(struct cinch_hook, hook_fields, .check = check_hook);

static const char *const hook_kind_names[CINCH_HOOK_KIND_COUNT] = {
    [CINCH_HOOK_PRESTART] = "prestart",
    [CINCH_HOOK_CREATE_RUNTIME] = "createRuntime",
    [CINCH_HOOK_CREATE_CONTAINER] = "createContainer",
    [CINCH_HOOK_START_CONTAINER] = "startContainer",
    [CINCH_HOOK_POSTSTART] = "poststart",
    [CINCH_HOOK_POSTSTOP] = "poststop",
};

const char *cinch_hook_kind_name(enum cinch_hook_kind kind)
{
	return (unsigned)kind < CINCH_HOOK_KIND_COUNT ? hook_kind_names[kind] : NULL;
}

/* The names repeat hook_kind_names[]: a static initializer cannot read an array. */
#define HOOK_LIST(which, json)                                                                     \
	{                                                                                          \
		.name = (json), .kind = K_ARRAY,                                                   \
		.offset = offsetof(struct cinch_hooks, lists) +                                    \
			  (which) * sizeof(struct cinch_hook_list),                                \
		.sub = &hook_desc                                                                  \
	}

static const struct spec_field hooks_fields[] = {
    HOOK_LIST(CINCH_HOOK_PRESTART, "prestart"),
    HOOK_LIST(CINCH_HOOK_CREATE_RUNTIME, "createRuntime"),
    HOOK_LIST(CINCH_HOOK_CREATE_CONTAINER, "createContainer"),
    HOOK_LIST(CINCH_HOOK_START_CONTAINER, "startContainer"),
    HOOK_LIST(CINCH_HOOK_POSTSTART, "poststart"),
    HOOK_LIST(CINCH_HOOK_POSTSTOP, "poststop"),
};
static const struct spec_object hooks_desc = OBJECT_DESC(struct cinch_hooks, hooks_fields);

static const struct spec_field spec_fields[] = {
    FIELD_REQ("ociVersion", K_STRING, struct cinch_spec, oci_version),
    FIELD_SUB("root", K_OBJECT, struct cinch_spec, root, root_desc),
    FIELD_SUB("mounts", K_ARRAY, struct cinch_spec, mounts, mount_desc),
    FIELD_SUB("process", K_OBJECT, struct cinch_spec, process, spec_desc_process),
    FIELD("hostname", K_STRING, struct cinch_spec, hostname),
    FIELD("domainname", K_STRING, struct cinch_spec, domainname),
    FIELD_SUB("hooks", K_OBJECT, struct cinch_spec, hooks, hooks_desc),
    FIELD("annotations", K_MAP, struct cinch_spec, annotations),
    FIELD_SUB("linux", K_OBJECT, struct cinch_spec, linux_, spec_desc_linux),
};
const struct spec_object spec_desc_spec = OBJECT_DESC(struct cinch_spec, spec_fields);
