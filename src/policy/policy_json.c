/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The effective policy rendered as a complete policy document (what
 * `cinch policy show` prints). Loading the output again gives the same policy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

static void gen_free(yajl_gen *g)
{
	if (*g)
		yajl_gen_free(*g);
}

static int s(yajl_gen g, const char *v)
{
	return yajl_gen_string(g, (const unsigned char *)v, strlen(v)) != yajl_gen_status_ok;
}

static int list(yajl_gen g, const char *key, const struct pstrv *v)
{
	int e = s(g, key);
	e |= yajl_gen_array_open(g) != yajl_gen_status_ok;
	for (size_t i = 0; i < v->len; i++)
		e |= s(g, v->items[i]);
	return e | (yajl_gen_array_close(g) != yajl_gen_status_ok);
}

static int num(yajl_gen g, const char *key, long long v)
{
	return s(g, key) | (yajl_gen_integer(g, v) != yajl_gen_status_ok);
}

static int boolean(yajl_gen g, const char *key, bool v)
{
	return s(g, key) | (yajl_gen_bool(g, v) != yajl_gen_status_ok);
}

static int str(yajl_gen g, const char *key, const char *v)
{
	return s(g, key) | s(g, v ? v : "");
}

static int rule_settings(yajl_gen g, const struct cinch_policy *p, enum policy_rule rule)
{
	const struct policy_settings *st = &p->s;
	static const char *const strategies[] = {"uid", "userns", "refuse"};
	int e = 0;

	switch (rule) {
	case RULE_CAPABILITIES:
		e |= list(g, "allow", &st->caps.allow);
		e |= list(g, "engineDefaults", &st->caps.engine_defaults);
		break;
	case RULE_USER:
		e |= str(g, "strategy", strategies[st->user.strategy]);
		e |= num(g, "uid", st->user.uid);
		e |= num(g, "gid", st->user.gid);
		e |= num(g, "hostIdBase", st->user.host_id_base);
		e |= num(g, "hostIdCount", st->user.host_id_count);
		break;
	case RULE_READ_ONLY_ROOT:
		e |= list(g, "tmpfs", &st->ro_root.tmpfs);
		e |= str(g, "tmpfsOptions", st->ro_root.tmpfs_options);
		break;
	case RULE_RESOURCES:
		e |= num(g, "memoryDefault", st->resources.memory_default);
		e |= num(g, "memoryMax", st->resources.memory_max);
		e |= num(g, "pidsDefault", st->resources.pids_default);
		e |= num(g, "pidsMax", st->resources.pids_max);
		e |= num(g, "cpuSharesDefault", (long long)st->resources.cpu_shares_default);
		e |= str(g, "overMax",
			 st->resources.over_max == OVER_MAX_CLAMP ? "clamp" : "refuse");
		break;
	case RULE_SECCOMP:
		e |= str(g, "custom",
			 st->seccomp.custom == SECCOMP_CUSTOM_SUBSET ? "subset" : "defaultDeny");
		break;
	case RULE_APPARMOR:
		e |= str(g, "profile", st->apparmor.profile);
		e |= boolean(g, "required", st->apparmor.required);
		break;
	case RULE_NAMESPACES:
		e |= list(g, "private", &st->ns.private_);
		e |= str(g, "missing", st->ns.missing == MISSING_NS_ADD ? "add" : "refuse");
		e |= list(g, "refuseJoin", &st->ns.refuse_join);
		break;
	case RULE_MOUNTS:
		e |= list(g, "refuseSources", &st->mounts.refuse_sources);
		e |= list(g, "refuseSourcesExact", &st->mounts.refuse_sources_exact);
		e |= list(g, "refuseSourceNames", &st->mounts.refuse_source_names);
		e |= list(g, "bindOptions", &st->mounts.bind_options);
		e |= list(g, "rootfsOptions", &st->mounts.rootfs_options);
		e |= list(g, "procAllow", &st->mounts.proc_allow);
		break;
	case RULE_MASKED_PATHS:
		e |= list(g, "masked", &st->masked.masked);
		e |= list(g, "readonly", &st->masked.readonly);
		break;
	case RULE_DEVICES:
		e |= s(g, "allow");
		e |= yajl_gen_array_open(g) != yajl_gen_status_ok;
		for (size_t i = 0; i < st->devices.n_allow; i++) {
			const struct device_allow *d = &st->devices.allow[i];
			char buf[64];
			if (d->minor < 0)
				snprintf(buf, sizeof(buf), "%c %lld:*", d->type,
					 (long long)d->major);
			else
				snprintf(buf, sizeof(buf), "%c %lld:%lld", d->type,
					 (long long)d->major, (long long)d->minor);
			e |= s(g, buf);
		}
		e |= yajl_gen_array_close(g) != yajl_gen_status_ok;
		break;
	case RULE_SYSCTLS:
		e |= list(g, "allow", &st->sysctls.allow);
		break;
	case RULE_HOOKS:
		e |= list(g, "allow", &st->hooks.allow);
		e |= list(g, "engineExe", &st->hooks.engine_exe);
		e |= list(g, "engineArgs0", &st->hooks.engine_args0);
		break;
	case RULE_RLIMITS:
		e |= boolean(g, "coreZero", st->rlimits.core_zero);
		e |= num(g, "nofileMax", (long long)st->rlimits.nofile_max);
		e |= num(g, "nprocMax", (long long)st->rlimits.nproc_max);
		break;
	case RULE_NO_NEW_PRIVILEGES:
	case RULE_PERSONALITY:
	case RULE_SCHEDULER:
	case RULE_IO_PRIORITY:
	case RULE_OOM_SCORE_ADJ:
	case RULE_COUNT:
	default:
		break;
	}
	return e;
}

int cinch_policy_to_json(const struct cinch_policy *policy, char **ret, size_t *ret_len,
			 struct cinch_error *err)
{
	__attribute__((cleanup(gen_free))) yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	char *out;
	int e = 0;

	if (!g)
		return cinch_error_set(err, ENOMEM, "policy: out of memory");
	yajl_gen_config(g, yajl_gen_beautify, 1);
	e |= yajl_gen_map_open(g) != yajl_gen_status_ok;
	e |= str(g, "level", cinch_policy_level_name(policy->level));
	e |= str(g, "mode", cinch_policy_mode_name(policy->mode));
	e |= s(g, "allowLevels");
	e |= yajl_gen_array_open(g) != yajl_gen_status_ok;
	for (int l = 0; l < CINCH_POLICY_LEVEL_COUNT; l++)
		if (policy->allow_levels[l])
			e |= s(g, cinch_policy_level_name((enum cinch_policy_level)l));
	e |= yajl_gen_array_close(g) != yajl_gen_status_ok;
	if (policy->audit_log)
		e |= str(g, "auditLog", policy->audit_log);
	else
		e |= s(g, "auditLog") | (yajl_gen_null(g) != yajl_gen_status_ok);
	e |= s(g, "rules");
	e |= yajl_gen_map_open(g) != yajl_gen_status_ok;
	for (int i = 0; i < RULE_COUNT; i++) {
		/* Disabled rules are written too, so that a reload cannot pick up
		 * the level's built-in settings for them. */
		e |= s(g, policy_rule_name((enum policy_rule)i));
		e |= yajl_gen_map_open(g) != yajl_gen_status_ok;
		e |= boolean(g, "enabled", policy->enabled[i]);
		if (policy->enabled[i])
			e |= rule_settings(g, policy, (enum policy_rule)i);
		e |= yajl_gen_map_close(g) != yajl_gen_status_ok;
	}
	e |= yajl_gen_map_close(g) != yajl_gen_status_ok;
	e |= yajl_gen_map_close(g) != yajl_gen_status_ok;
	if (e || yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		return cinch_error_set(err, EINVAL, "policy: cannot render JSON");
	out = malloc(len + 1);
	if (!out)
		return cinch_error_set(err, ENOMEM, "policy: out of memory");
	memcpy(out, buf, len);
	out[len] = '\0';
	*ret = out;
	if (ret_len)
		*ret_len = len;
	return 0;
}
