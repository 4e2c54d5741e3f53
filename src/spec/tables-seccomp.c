/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field tables for linux.seccomp. Action, operator and architecture names
 * are kept as strings: the set grows with libseccomp, and src/security/
 * (which knows what this libseccomp supports) rejects names it cannot apply.
 */
#include "spec-internal.h"

SPEC_VEC_LAYOUT(__typeof__(((struct cinch_seccomp_syscall *)0)->args));
SPEC_VEC_LAYOUT(__typeof__(((struct cinch_seccomp *)0)->syscalls));

static const struct spec_field arg_fields[] = {
    FIELD_REQ("index", K_U32, struct cinch_seccomp_arg, index),
    FIELD_REQ("value", K_U64, struct cinch_seccomp_arg, value),
    FIELD("valueTwo", K_OPT_U64, struct cinch_seccomp_arg, value_two),
    FIELD_REQ("op", K_STRING, struct cinch_seccomp_arg, op),
};
static const struct spec_object arg_desc = OBJECT_DESC(struct cinch_seccomp_arg, arg_fields);

static const struct spec_field syscall_fields[] = {
    FIELD_REQ("names", K_STRV, struct cinch_seccomp_syscall, names),
    FIELD_REQ("action", K_STRING, struct cinch_seccomp_syscall, action),
    FIELD("errnoRet", K_OPT_U32, struct cinch_seccomp_syscall, errno_ret),
    FIELD_SUB("args", K_ARRAY, struct cinch_seccomp_syscall, args, arg_desc),
};
static const struct spec_object syscall_desc =
    OBJECT_DESC(struct cinch_seccomp_syscall, syscall_fields);

static const struct spec_field seccomp_fields[] = {
    FIELD_REQ("defaultAction", K_STRING, struct cinch_seccomp, default_action),
    FIELD("defaultErrnoRet", K_OPT_U32, struct cinch_seccomp, default_errno_ret),
    FIELD("architectures", K_STRV, struct cinch_seccomp, architectures),
    FIELD("flags", K_STRV, struct cinch_seccomp, flags),
    FIELD("listenerPath", K_STRING, struct cinch_seccomp, listener_path),
    FIELD("listenerMetadata", K_STRING, struct cinch_seccomp, listener_metadata),
    FIELD_SUB("syscalls", K_ARRAY, struct cinch_seccomp, syscalls, syscall_desc),
};
const struct spec_object spec_desc_seccomp = OBJECT_DESC(struct cinch_seccomp, seccomp_fields);
