/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy object: level and mode names, construction, copy, free and the
 * small accessors of include/cinch/policy.h, plus the capability name table.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

static const char *const level_names[CINCH_POLICY_LEVEL_COUNT] = {
    [CINCH_POLICY_PRIVILEGED] = "privileged",
    [CINCH_POLICY_BASELINE] = "baseline",
    [CINCH_POLICY_RESTRICTED] = "restricted",
};

static const char *const rule_names[RULE_COUNT] = {
    [RULE_NAMESPACES] = "namespaces",
    [RULE_USER] = "user",
    [RULE_CAPABILITIES] = "capabilities",
    [RULE_NO_NEW_PRIVILEGES] = "noNewPrivileges",
    [RULE_SECCOMP] = "seccomp",
    [RULE_APPARMOR] = "apparmor",
    [RULE_READ_ONLY_ROOT] = "readOnlyRoot",
    [RULE_MOUNTS] = "mounts",
    [RULE_MASKED_PATHS] = "maskedPaths",
    [RULE_DEVICES] = "devices",
    [RULE_SYSCTLS] = "sysctls",
    [RULE_RESOURCES] = "resources",
    [RULE_RLIMITS] = "rlimits",
    [RULE_HOOKS] = "hooks",
    [RULE_PERSONALITY] = "personality",
    [RULE_SCHEDULER] = "scheduler",
    [RULE_IO_PRIORITY] = "ioPriority",
    [RULE_OOM_SCORE_ADJ] = "oomScoreAdj",
};

/* Every capability the kernel knows (5.9+: up to CAP_CHECKPOINT_RESTORE). */
static const char *const cap_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

const char *cinch_policy_level_name(enum cinch_policy_level level)
{
	if ((unsigned)level >= CINCH_POLICY_LEVEL_COUNT)
		return "unknown";
	return level_names[level];
}

int cinch_policy_level_from_name(const char *name, enum cinch_policy_level *ret)
{
	for (int i = 0; i < CINCH_POLICY_LEVEL_COUNT; i++)
		if (strcmp(name, level_names[i]) == 0) {
			*ret = (enum cinch_policy_level)i;
			return 0;
		}
	return -EINVAL;
}

const char *cinch_policy_mode_name(enum cinch_policy_mode mode)
{
	switch (mode) {
	case CINCH_POLICY_ENFORCE:
		return "enforce";
	case CINCH_POLICY_REJECT:
		return "reject";
	case CINCH_POLICY_AUDIT:
		return "audit";
	default:
		return "unknown";
	}
}

const char *policy_rule_name(enum policy_rule rule)
{
	return (unsigned)rule < RULE_COUNT ? rule_names[rule] : "unknown";
}

int policy_rule_from_name(const char *name, enum policy_rule *ret)
{
	for (int i = 0; i < RULE_COUNT; i++)
		if (strcmp(name, rule_names[i]) == 0) {
			*ret = (enum policy_rule)i;
			return 0;
		}
	return -EINVAL;
}

bool policy_cap_known(const char *name)
{
	for (size_t i = 0; i < N_ELEMENTS(cap_names); i++)
		if (strcmp(name, cap_names[i]) == 0)
			return true;
	return false;
}

int policy_cap_normalize(const char *name, char **ret)
{
	_cleanup_free_ char *s = NULL;

	if (strncasecmp(name, "CAP_", 4) == 0)
		s = strdup(name);
	else if (asprintf(&s, "CAP_%s", name) < 0)
		s = NULL;
	if (!s)
		return -ENOMEM;
	for (char *c = s; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	if (!policy_cap_known(s))
		return -EINVAL;
	*ret = steal_pointer(&s);
	return 0;
}

/* ---- string lists owned by the policy ---- */

void pstrv_free(struct pstrv *v)
{
	for (size_t i = 0; i < v->len; i++)
		free(v->items[i]);
	free(v->items);
	v->items = NULL;
	v->len = 0;
}

int pstrv_append(struct pstrv *v, const char *s)
{
	char **n = realloc(v->items, (v->len + 2) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	v->items = n;
	n[v->len] = strdup(s);
	if (!n[v->len])
		return -ENOMEM;
	n[++v->len] = NULL;
	return 0;
}

int pstrv_copy(struct pstrv *dst, const struct pstrv *src)
{
	*dst = (struct pstrv){0};
	for (size_t i = 0; i < src->len; i++)
		if (pstrv_append(dst, src->items[i]) < 0) {
			pstrv_free(dst);
			return -ENOMEM;
		}
	return 0;
}

bool pstrv_contains(const struct pstrv *v, const char *s)
{
	for (size_t i = 0; i < v->len; i++)
		if (strcmp(v->items[i], s) == 0)
			return true;
	return false;
}

/* ---- the policy ---- */

int policy_new_empty(struct cinch_policy **ret, struct cinch_error *err)
{
	struct cinch_policy *p = calloc(1, sizeof(*p));

	if (!p)
		return cinch_error_set(err, ENOMEM, "policy: out of memory");
	p->level = CINCH_POLICY_PRIVILEGED;
	p->mode = CINCH_POLICY_ENFORCE;
	p->s.user.strategy = USER_STRATEGY_UID;
	p->s.user.uid = p->s.user.gid = 65534;
	p->s.user.host_id_base = 100000;
	p->s.user.host_id_count = 65536;
	*ret = p;
	return 0;
}

/* Every list setting, named once: freeing and copying walk this table, so a
 * new list cannot be forgotten by one of them. */
static const size_t list_settings[] = {
    offsetof(struct policy_settings, caps.allow),
    offsetof(struct policy_settings, caps.engine_defaults),
    offsetof(struct policy_settings, ro_root.tmpfs),
    offsetof(struct policy_settings, ns.private_),
    offsetof(struct policy_settings, ns.refuse_join),
    offsetof(struct policy_settings, mounts.refuse_sources),
    offsetof(struct policy_settings, mounts.refuse_sources_exact),
    offsetof(struct policy_settings, mounts.refuse_source_names),
    offsetof(struct policy_settings, mounts.bind_options),
    offsetof(struct policy_settings, mounts.rootfs_options),
    offsetof(struct policy_settings, mounts.proc_allow),
    offsetof(struct policy_settings, masked.masked),
    offsetof(struct policy_settings, masked.readonly),
    offsetof(struct policy_settings, sysctls.allow),
    offsetof(struct policy_settings, hooks.allow),
    offsetof(struct policy_settings, hooks.engine_exe),
    offsetof(struct policy_settings, hooks.engine_args0),
};

static struct pstrv *settings_list(struct policy_settings *s, size_t i)
{
	return (struct pstrv *)((char *)s + list_settings[i]);
}

static void settings_free(struct policy_settings *s)
{
	for (size_t i = 0; i < N_ELEMENTS(list_settings); i++)
		pstrv_free(settings_list(s, i));
	free(s->ro_root.tmpfs_options);
	free(s->apparmor.profile);
	free(s->devices.allow);
}

void cinch_policy_free(struct cinch_policy *policy)
{
	if (!policy)
		return;
	settings_free(&policy->s);
	free(policy->audit_log);
	free(policy->origin);
	free(policy);
}

static int copy_str(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

int policy_copy(const struct cinch_policy *p, struct cinch_policy **ret, struct cinch_error *err)
{
	struct cinch_policy *c = calloc(1, sizeof(*c));
	const struct policy_settings *s = &p->s;
	struct policy_settings *d;
	int r = 0;

	if (!c)
		return cinch_error_set(err, ENOMEM, "policy: out of memory");
	*c = *p;
	d = &c->s;
	/* Deep-copy every owned pointer; on failure free what was copied. */
	c->audit_log = c->origin = NULL;
	d->ro_root.tmpfs_options = d->apparmor.profile = NULL;
	d->devices.allow = NULL;
	for (size_t i = 0; i < N_ELEMENTS(list_settings); i++)
		*settings_list(d, i) = (struct pstrv){0};
	for (size_t i = 0; i < N_ELEMENTS(list_settings) && r == 0; i++)
		r = pstrv_copy(settings_list(d, i), settings_list((struct policy_settings *)s, i));
	if (r == 0)
		r = copy_str(&c->audit_log, p->audit_log);
	if (r == 0)
		r = copy_str(&c->origin, p->origin);
	if (r == 0)
		r = copy_str(&d->ro_root.tmpfs_options, s->ro_root.tmpfs_options);
	if (r == 0)
		r = copy_str(&d->apparmor.profile, s->apparmor.profile);
	if (r == 0 && s->devices.n_allow > 0) {
		d->devices.allow = calloc(s->devices.n_allow, sizeof(*d->devices.allow));
		if (!d->devices.allow)
			r = -ENOMEM;
		else
			memcpy(d->devices.allow, s->devices.allow,
			       s->devices.n_allow * sizeof(*d->devices.allow));
	}
	if (r < 0) {
		cinch_policy_free(c);
		return cinch_error_set(err, ENOMEM, "policy: out of memory");
	}
	*ret = c;
	return 0;
}

enum cinch_policy_level cinch_policy_get_level(const struct cinch_policy *policy)
{
	return policy->level;
}

enum cinch_policy_mode cinch_policy_get_mode(const struct cinch_policy *policy)
{
	return policy->mode;
}

void cinch_policy_set_mode(struct cinch_policy *policy, enum cinch_policy_mode mode)
{
	policy->mode = mode;
}

const char *cinch_policy_get_audit_log(const struct cinch_policy *policy)
{
	return policy->audit_log && policy->audit_log[0] ? policy->audit_log : NULL;
}

const char *cinch_policy_get_apparmor_profile(const struct cinch_policy *policy)
{
	return policy->s.apparmor.profile;
}

const char *cinch_policy_get_origin(const struct cinch_policy *policy)
{
	return policy->origin ? policy->origin : "builtin";
}

bool cinch_policy_allows_level(const struct cinch_policy *policy, enum cinch_policy_level level)
{
	/* The own level and anything stricter are always fine. */
	if ((unsigned)level >= CINCH_POLICY_LEVEL_COUNT)
		return false;
	return level >= policy->level || policy->allow_levels[level];
}
