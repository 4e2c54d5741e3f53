/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field tables for the OCI process object (config.json .process and the
 * bare document of `exec --process`): user, capabilities, rlimits,
 * scheduler, I/O priority, CPU affinity.
 */
#include "spec-internal.h"

SPEC_VEC_LAYOUT(struct cinch_rlimits);

static const struct spec_field console_size_fields[] = {
    FIELD_REQ("height", K_U32, struct cinch_console_size, height),
    FIELD_REQ("width", K_U32, struct cinch_console_size, width),
};
static const struct spec_object console_size_desc =
    OBJECT_DESC(struct cinch_console_size, console_size_fields);

static const struct spec_field user_fields[] = {
    FIELD_REQ("uid", K_U32, struct cinch_user, uid),
    FIELD_REQ("gid", K_U32, struct cinch_user, gid),
    FIELD("umask", K_OPT_U32, struct cinch_user, umask),
    FIELD("additionalGids", K_U32V, struct cinch_user, additional_gids),
    FIELD("username", K_STRING, struct cinch_user, username),
};
static const struct spec_object user_desc = OBJECT_DESC(struct cinch_user, user_fields);

static const struct spec_field capabilities_fields[] = {
    FIELD("bounding", K_STRV, struct cinch_capabilities, bounding),
    FIELD("effective", K_STRV, struct cinch_capabilities, effective),
    FIELD("inheritable", K_STRV, struct cinch_capabilities, inheritable),
    FIELD("permitted", K_STRV, struct cinch_capabilities, permitted),
    FIELD("ambient", K_STRV, struct cinch_capabilities, ambient),
};
static const struct spec_object capabilities_desc =
    OBJECT_DESC(struct cinch_capabilities, capabilities_fields);

static const struct spec_field rlimit_fields[] = {
    FIELD_REQ("type", K_STRING, struct cinch_rlimit, type),
    FIELD_REQ("hard", K_U64, struct cinch_rlimit, hard),
    FIELD_REQ("soft", K_U64, struct cinch_rlimit, soft),
};
static const struct spec_object rlimit_desc = OBJECT_DESC(struct cinch_rlimit, rlimit_fields);

/* The spec fixes these; anything else could never be applied. */
static const char *const sched_policies[] = {
    "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",	   "SCHED_BATCH",
    "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE", NULL,
};

static const struct spec_field scheduler_fields[] = {
    {.name = "policy",
     .kind = K_STRING,
     .offset = offsetof(struct cinch_scheduler, policy),
     .required = true,
     .values = sched_policies},
    FIELD("nice", K_OPT_I64, struct cinch_scheduler, nice),
    FIELD("priority", K_OPT_I64, struct cinch_scheduler, priority),
    FIELD("flags", K_STRV, struct cinch_scheduler, flags),
    FIELD("runtime", K_OPT_U64, struct cinch_scheduler, runtime),
    FIELD("deadline", K_OPT_U64, struct cinch_scheduler, deadline),
    FIELD("period", K_OPT_U64, struct cinch_scheduler, period),
};
static const struct spec_object scheduler_desc =
    OBJECT_DESC(struct cinch_scheduler, scheduler_fields);

static const char *const ioprio_classes[] = {
    "IOPRIO_CLASS_RT",
    "IOPRIO_CLASS_BE",
    "IOPRIO_CLASS_IDLE",
    NULL,
};

static const struct spec_field io_priority_fields[] = {
    {.name = "class",
     .kind = K_STRING,
     .offset = offsetof(struct cinch_io_priority, class_),
     .required = true,
     .values = ioprio_classes},
    FIELD("priority", K_OPT_I64, struct cinch_io_priority, priority),
};
static const struct spec_object io_priority_desc =
    OBJECT_DESC(struct cinch_io_priority, io_priority_fields);

static const struct spec_field cpu_affinity_fields[] = {
    FIELD("initial", K_STRING, struct cinch_cpu_affinity, initial),
    FIELD("final", K_STRING, struct cinch_cpu_affinity, final),
};
static const struct spec_object cpu_affinity_desc =
    OBJECT_DESC(struct cinch_cpu_affinity, cpu_affinity_fields);

static const struct spec_field process_fields[] = {
    FIELD("terminal", K_OPT_BOOL, struct cinch_process, terminal),
    FIELD_SUB("consoleSize", K_OBJECT, struct cinch_process, console_size, console_size_desc),
    {.name = "user",
     .kind = K_EMBED,
     .offset = offsetof(struct cinch_process, user),
     .sub = &user_desc,
     .present_offset = offsetof(struct cinch_process, user_present)},
    FIELD("args", K_STRV, struct cinch_process, args),
    FIELD("commandLine", K_STRING, struct cinch_process, command_line),
    FIELD("env", K_STRV, struct cinch_process, env),
    FIELD_REQ("cwd", K_STRING, struct cinch_process, cwd),
    FIELD_SUB("capabilities", K_OBJECT, struct cinch_process, capabilities, capabilities_desc),
    FIELD_SUB("rlimits", K_ARRAY, struct cinch_process, rlimits, rlimit_desc),
    FIELD("noNewPrivileges", K_OPT_BOOL, struct cinch_process, no_new_privileges),
    FIELD("apparmorProfile", K_STRING, struct cinch_process, apparmor_profile),
    FIELD("oomScoreAdj", K_OPT_I64, struct cinch_process, oom_score_adj),
    FIELD("selinuxLabel", K_STRING, struct cinch_process, selinux_label),
    FIELD_SUB("scheduler", K_OBJECT, struct cinch_process, scheduler, scheduler_desc),
    FIELD_SUB("ioPriority", K_OBJECT, struct cinch_process, io_priority, io_priority_desc),
    FIELD_SUB("execCPUAffinity", K_OBJECT, struct cinch_process, exec_cpu_affinity,
	      cpu_affinity_desc),
};
const struct spec_object spec_desc_process = OBJECT_DESC(struct cinch_process, process_fields);
