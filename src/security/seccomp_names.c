/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OCI seccomp vocabulary: SCMP_ACT_* actions, SCMP_CMP_* operators,
 * SCMP_ARCH_* architectures and SECCOMP_FILTER_FLAG_* flags, mapped to
 * libseccomp / kernel values. Unknown names are errors here; the callers
 * add the JSON path.
 */
#include <ctype.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "src/security/security-internal.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

enum action_kind { ACTION_PLAIN, ACTION_WITH_ERRNO };

static const struct {
	const char *name;
	uint32_t base; /* for ACTION_WITH_ERRNO: the action with data 0 */
	enum action_kind kind;
} actions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL, ACTION_PLAIN},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, ACTION_PLAIN},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, ACTION_PLAIN},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, ACTION_PLAIN},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), ACTION_WITH_ERRNO},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), ACTION_WITH_ERRNO},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, ACTION_PLAIN},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, ACTION_PLAIN},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, ACTION_PLAIN},
};

int security_seccomp_action(const char *name, const struct cinch_opt_u32 *errno_ret,
			    const char *path, uint32_t *ret, struct cinch_error *err)
{
	for (size_t i = 0; name && i < N_ELEMENTS(actions); i++) {
		if (strcmp(name, actions[i].name) != 0)
			continue;
		if (actions[i].kind == ACTION_PLAIN) {
			if (errno_ret && errno_ret->present)
				return cinch_error_set(
				    err, EINVAL,
				    "%s: errnoRet is only valid with SCMP_ACT_ERRNO "
				    "or SCMP_ACT_TRACE, not %s",
				    path, name);
			*ret = actions[i].base;
			return 0;
		}
		/* Without errnoRet, EPERM: what runc and crun return. */
		if (errno_ret && errno_ret->present && errno_ret->value > 0xffff)
			return cinch_error_set(err, ERANGE, "%s: errnoRet %u is out of range", path,
					       errno_ret->value);
		*ret = actions[i].base |
		       (errno_ret && errno_ret->present ? errno_ret->value : (uint32_t)EPERM);
		return 0;
	}
	return cinch_error_set(err, EINVAL, "%s: unknown seccomp action \"%s\"", path,
			       name ? name : "");
}

static const struct {
	const char *name;
	enum scmp_compare op;
} ops[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

int security_seccomp_op(const char *name, int *ret)
{
	for (size_t i = 0; name && i < N_ELEMENTS(ops); i++) {
		if (strcmp(name, ops[i].name) == 0) {
			*ret = (int)ops[i].op;
			return 0;
		}
	}
	return -EINVAL;
}

/* OCI spells "SCMP_ARCH_X86_64"; libseccomp resolves "x86_64". Every
 * architecture this libseccomp knows is accepted, so the list follows the
 * library rather than a copy of it. */
int security_seccomp_arch(const char *name, uint32_t *ret)
{
	static const char prefix[] = "SCMP_ARCH_";
	char lower[32];
	size_t len;
	uint32_t token;

	if (!name || strncmp(name, prefix, sizeof(prefix) - 1) != 0)
		return -EINVAL;
	name += sizeof(prefix) - 1;
	len = strlen(name);
	if (len == 0 || len >= sizeof(lower))
		return -EINVAL;
	for (size_t i = 0; i <= len; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	/* "native" is a libseccomp convenience, not an OCI name. */
	if (strcmp(lower, "native") == 0)
		return -EINVAL;
	token = seccomp_arch_resolve_name(lower);
	if (token == 0)
		return -EINVAL;
	*ret = token;
	return 0;
}

static const struct {
	const char *name;
	unsigned flag;
} flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

int security_seccomp_flag(const char *name, unsigned *ret)
{
	for (size_t i = 0; name && i < N_ELEMENTS(flags); i++) {
		if (strcmp(name, flags[i].name) == 0) {
			*ret = flags[i].flag;
			return 0;
		}
	}
	return -EINVAL;
}
