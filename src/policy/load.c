/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsing policy documents (JSON) into struct cinch_policy. A document names
 * a level; its rules override the built-in settings of that level key by
 * key. Everything unexpected is an error naming the origin, the JSON path
 * and the reason: unknown keys and rule names, wrong types, duplicate keys,
 * contradictory settings. Nothing here falls back to a weaker policy.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "load-values.h"

static int parse_setting(struct pload *ps, enum policy_rule rule, const char *key, yajl_val v,
			 const char *path)
{
	struct policy_settings *s = &ps->p->s;
	static const char *const strategies[] = {"uid", "userns", "refuse", NULL};
	static const char *const customs[] = {"defaultDeny", "subset", NULL};
	static const char *const over[] = {"clamp", "refuse", NULL};
	static const char *const missing[] = {"add", "refuse", NULL};
	int e = 0, r;

	switch (rule) {
	case RULE_CAPABILITIES:
		if (strcmp(key, "allow") == 0)
			return pload_get_list(ps, v, path, ITEM_CAP, &s->caps.allow);
		if (strcmp(key, "engineDefaults") == 0)
			return pload_get_list(ps, v, path, ITEM_CAP, &s->caps.engine_defaults);
		break;
	case RULE_USER:
		if (strcmp(key, "strategy") == 0) {
			r = pload_get_enum(ps, v, path, strategies, &e);
			s->user.strategy = (enum user_strategy)e;
			return r;
		}
		if (strcmp(key, "uid") == 0)
			return pload_get_u32(ps, v, path, &s->user.uid);
		if (strcmp(key, "gid") == 0)
			return pload_get_u32(ps, v, path, &s->user.gid);
		if (strcmp(key, "hostIdBase") == 0)
			return pload_get_u32(ps, v, path, &s->user.host_id_base);
		if (strcmp(key, "hostIdCount") == 0)
			return pload_get_u32(ps, v, path, &s->user.host_id_count);
		break;
	case RULE_READ_ONLY_ROOT:
		if (strcmp(key, "tmpfs") == 0)
			return pload_get_list(ps, v, path, ITEM_ABSOLUTE, &s->ro_root.tmpfs);
		if (strcmp(key, "tmpfsOptions") == 0)
			return pload_get_string(ps, v, path, &s->ro_root.tmpfs_options);
		break;
	case RULE_RESOURCES:
		if (strcmp(key, "memoryDefault") == 0)
			return pload_get_i64(ps, v, path, &s->resources.memory_default);
		if (strcmp(key, "memoryMax") == 0)
			return pload_get_i64(ps, v, path, &s->resources.memory_max);
		if (strcmp(key, "pidsDefault") == 0)
			return pload_get_i64(ps, v, path, &s->resources.pids_default);
		if (strcmp(key, "pidsMax") == 0)
			return pload_get_i64(ps, v, path, &s->resources.pids_max);
		if (strcmp(key, "cpuSharesDefault") == 0)
			return pload_get_u64(ps, v, path, &s->resources.cpu_shares_default);
		if (strcmp(key, "overMax") == 0) {
			r = pload_get_enum(ps, v, path, over, &e);
			s->resources.over_max = (enum over_max)e;
			return r;
		}
		break;
	case RULE_SECCOMP:
		if (strcmp(key, "custom") == 0) {
			r = pload_get_enum(ps, v, path, customs, &e);
			s->seccomp.custom = (enum seccomp_custom)e;
			return r;
		}
		break;
	case RULE_APPARMOR:
		if (strcmp(key, "profile") == 0)
			return pload_get_string(ps, v, path, &s->apparmor.profile);
		if (strcmp(key, "required") == 0)
			return pload_get_bool(ps, v, path, &s->apparmor.required);
		break;
	case RULE_NAMESPACES:
		if (strcmp(key, "private") == 0)
			return pload_get_list(ps, v, path, ITEM_NS, &s->ns.private_);
		if (strcmp(key, "missing") == 0) {
			r = pload_get_enum(ps, v, path, missing, &e);
			s->ns.missing = (enum missing_ns)e;
			return r;
		}
		if (strcmp(key, "refuseJoin") == 0)
			return pload_get_list(ps, v, path, ITEM_ANY, &s->ns.refuse_join);
		break;
	case RULE_MOUNTS:
		if (strcmp(key, "refuseSources") == 0)
			return pload_get_list(ps, v, path, ITEM_ABSOLUTE,
					      &s->mounts.refuse_sources);
		if (strcmp(key, "refuseSourcesExact") == 0)
			return pload_get_list(ps, v, path, ITEM_ABSOLUTE,
					      &s->mounts.refuse_sources_exact);
		if (strcmp(key, "refuseSourceNames") == 0)
			return pload_get_list(ps, v, path, ITEM_ANY,
					      &s->mounts.refuse_source_names);
		if (strcmp(key, "bindOptions") == 0)
			return pload_get_list(ps, v, path, ITEM_ANY, &s->mounts.bind_options);
		if (strcmp(key, "rootfsOptions") == 0)
			return pload_get_list(ps, v, path, ITEM_ANY, &s->mounts.rootfs_options);
		if (strcmp(key, "procAllow") == 0)
			return pload_get_list(ps, v, path, ITEM_ABSOLUTE, &s->mounts.proc_allow);
		break;
	case RULE_MASKED_PATHS:
		if (strcmp(key, "masked") == 0)
			return pload_get_list(ps, v, path, ITEM_ABSOLUTE, &s->masked.masked);
		if (strcmp(key, "readonly") == 0)
			return pload_get_list(ps, v, path, ITEM_ABSOLUTE, &s->masked.readonly);
		break;
	case RULE_DEVICES:
		if (strcmp(key, "allow") == 0) {
			struct pstrv list = {0};
			struct device_allow *d;

			r = pload_get_list(ps, v, path, ITEM_ANY, &list);
			if (r < 0)
				return r;
			d = calloc(list.len + 1, sizeof(*d));
			if (!d) {
				pstrv_free(&list);
				return pload_oom(ps);
			}
			for (size_t i = 0; i < list.len; i++) {
				char ipath[512];
				snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
				r = pload_parse_device(ps, list.items[i], ipath, &d[i]);
				if (r < 0) {
					free(d);
					pstrv_free(&list);
					return r;
				}
			}
			free(s->devices.allow);
			s->devices.allow = d;
			s->devices.n_allow = list.len;
			pstrv_free(&list);
			return 0;
		}
		break;
	case RULE_SYSCTLS:
		if (strcmp(key, "allow") == 0)
			return pload_get_list(ps, v, path, ITEM_ANY, &s->sysctls.allow);
		break;
	case RULE_HOOKS:
		if (strcmp(key, "allow") == 0)
			return pload_get_list(ps, v, path, ITEM_ABSOLUTE, &s->hooks.allow);
		if (strcmp(key, "engineExe") == 0)
			return pload_get_list(ps, v, path, ITEM_ABSOLUTE, &s->hooks.engine_exe);
		if (strcmp(key, "engineArgs0") == 0)
			return pload_get_list(ps, v, path, ITEM_ANY, &s->hooks.engine_args0);
		break;
	case RULE_RLIMITS:
		if (strcmp(key, "coreZero") == 0)
			return pload_get_bool(ps, v, path, &s->rlimits.core_zero);
		if (strcmp(key, "nofileMax") == 0)
			return pload_get_u64(ps, v, path, &s->rlimits.nofile_max);
		if (strcmp(key, "nprocMax") == 0)
			return pload_get_u64(ps, v, path, &s->rlimits.nproc_max);
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
	return pload_fail(ps, path, "unknown setting \"%s\" for rule %s", key,
			  policy_rule_name(rule));
}

/* Settings that are each valid but contradict one another. */
static int check_contradictions(struct pload *ps)
{
	const struct cinch_policy *p = ps->p;
	const struct policy_settings *s = &p->s;

	if (p->enabled[RULE_USER]) {
		if (s->user.strategy == USER_STRATEGY_UID && (s->user.uid == 0 || s->user.gid == 0))
			return pload_fail(ps, ".rules.user",
					  "strategy \"uid\" with uid %u gid %u would run as root",
					  s->user.uid, s->user.gid);
		if (s->user.strategy == USER_STRATEGY_USERNS &&
		    (s->user.host_id_base == 0 || s->user.host_id_count == 0 ||
		     (uint64_t)s->user.host_id_base + s->user.host_id_count > UINT32_MAX))
			return pload_fail(
			    ps, ".rules.user",
			    "strategy \"userns\" needs hostIdBase > 0 and hostIdCount > 0 "
			    "within 32 bits (got %u and %u)",
			    s->user.host_id_base, s->user.host_id_count);
	}
	if (p->enabled[RULE_RESOURCES]) {
		if (s->resources.memory_max &&
		    s->resources.memory_default > s->resources.memory_max)
			return pload_fail(ps, ".rules.resources.memoryDefault",
					  "%" PRId64 " is above memoryMax %" PRId64,
					  s->resources.memory_default, s->resources.memory_max);
		if (s->resources.pids_max && s->resources.pids_default > s->resources.pids_max)
			return pload_fail(ps, ".rules.resources.pidsDefault",
					  "%" PRId64 " is above pidsMax %" PRId64,
					  s->resources.pids_default, s->resources.pids_max);
	}
	if (p->enabled[RULE_APPARMOR]) {
		const char *prof = s->apparmor.profile;
		if (!prof || !prof[0] || strcmp(prof, "unconfined") == 0)
			return pload_fail(ps, ".rules.apparmor.profile",
					  "the rule needs a confining profile, not \"%s\"",
					  prof ? prof : "");
	}
	if (p->enabled[RULE_READ_ONLY_ROOT])
		for (size_t i = 0; i < s->ro_root.tmpfs.len; i++)
			if (strcmp(s->ro_root.tmpfs.items[i], "/") == 0)
				return pload_fail(ps, ".rules.readOnlyRoot.tmpfs",
						  "a tmpfs on / contradicts a read-only root");
	if (p->enabled[RULE_CAPABILITIES])
		for (size_t i = 0; i < s->caps.allow.len; i++)
			if (strcmp(s->caps.allow.items[i], "CAP_SYS_ADMIN") == 0 &&
			    p->level == CINCH_POLICY_RESTRICTED)
				return pload_fail(ps, ".rules.capabilities.allow",
						  "CAP_SYS_ADMIN contradicts level restricted");
	return 0;
}

static int parse_rules(struct pload *ps, yajl_val rules)
{
	int r = pload_expect(ps, rules, ".rules", "object");
	if (r < 0)
		return r;
	r = pload_check_duplicates(ps, rules, ".rules");
	if (r < 0)
		return r;
	for (size_t i = 0; i < rules->u.object.len; i++) {
		const char *name = rules->u.object.keys[i];
		yajl_val body = rules->u.object.values[i];
		enum policy_rule rule;
		char path[256];

		snprintf(path, sizeof(path), ".rules.%s", name);
		if (policy_rule_from_name(name, &rule) < 0)
			return pload_fail(ps, path, "unknown rule \"%s\"", name);
		r = pload_expect(ps, body, path, "object");
		if (r < 0)
			return r;
		r = pload_check_duplicates(ps, body, path);
		if (r < 0)
			return r;
		ps->p->enabled[rule] = true;
		for (size_t k = 0; k < body->u.object.len; k++) {
			const char *key = body->u.object.keys[k];
			char kpath[320];

			snprintf(kpath, sizeof(kpath), "%s.%s", path, key);
			if (strcmp(key, "enabled") == 0)
				r = pload_get_bool(ps, body->u.object.values[k], kpath,
						   &ps->p->enabled[rule]);
			else
				r = parse_setting(ps, rule, key, body->u.object.values[k], kpath);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int parse_top(struct pload *ps, yajl_val doc)
{
	static const char *const modes[] = {"enforce", "reject", "audit", NULL};
	struct cinch_policy *p = ps->p;
	int r, e = 0;

	for (size_t i = 0; i < doc->u.object.len; i++) {
		const char *key = doc->u.object.keys[i];
		yajl_val v = doc->u.object.values[i];
		char path[256];

		snprintf(path, sizeof(path), ".%s", key);
		if (strcmp(key, "level") == 0 || strcmp(key, "comment") == 0) {
			r = pload_expect(ps, v, path, "string"); /* level: handled by the caller */
		} else if (strcmp(key, "mode") == 0) {
			r = pload_get_enum(ps, v, path, modes, &e);
			p->mode = (enum cinch_policy_mode)e;
		} else if (strcmp(key, "allowLevels") == 0) {
			struct pstrv list = {0};
			r = pload_get_list(ps, v, path, ITEM_ANY, &list);
			for (int l = 0; l < CINCH_POLICY_LEVEL_COUNT; l++)
				p->allow_levels[l] = false;
			for (size_t j = 0; r == 0 && j < list.len; j++) {
				enum cinch_policy_level lv;
				if (cinch_policy_level_from_name(list.items[j], &lv) < 0) {
					char ipath[300];
					snprintf(ipath, sizeof(ipath), "%s[%zu]", path, j);
					r = pload_fail(ps, ipath, "unknown level \"%s\"",
						       list.items[j]);
				} else {
					p->allow_levels[lv] = true;
				}
			}
			pstrv_free(&list);
		} else if (strcmp(key, "auditLog") == 0) {
			if (YAJL_IS_NULL(v)) {
				free(p->audit_log);
				p->audit_log = NULL;
				r = 0;
			} else {
				r = pload_get_string(ps, v, path, &p->audit_log);
				if (r == 0 && p->audit_log[0] && p->audit_log[0] != '/')
					r = pload_fail(ps, path, "\"%s\" is not an absolute path",
						       p->audit_log);
			}
		} else if (strcmp(key, "rules") == 0) {
			r = parse_rules(ps, v);
		} else {
			r = pload_fail(ps, path, "unknown key \"%s\"", key);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int policy_parse_document(const char *buf, size_t len, const char *origin, bool builtin,
			  struct cinch_policy **ret, struct cinch_error *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_yajl_ yajl_val doc = NULL;
	struct cinch_policy *p = NULL;
	struct pload ps = {.origin = origin, .err = err};
	enum cinch_policy_level level = CINCH_POLICY_RESTRICTED;
	char ebuf[256] = "";
	yajl_val lv;
	int r;

	text = strndup(buf, len);
	if (!text)
		return cinch_error_set(err, ENOMEM, "%s: out of memory", origin);
	if (strlen(text) != len)
		return cinch_error_set(err, EINVAL, "%s: contains a NUL byte", origin);
	doc = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!doc) {
		/* yajl's message spans lines; keep the first. */
		ebuf[strcspn(ebuf, "\n")] = '\0';
		return cinch_error_set(err, EINVAL, "%s: invalid JSON: %s", origin,
				       ebuf[0] ? ebuf : "parse error");
	}
	if (!YAJL_IS_OBJECT(doc))
		return cinch_error_set(err, EINVAL, "%s: .: expected object, got %s", origin,
				       pload_type_name(doc));
	r = pload_check_duplicates(&ps, doc, ".");
	if (r < 0)
		return r;
	{
		const char *lpath[] = {"level", NULL};
		lv = yajl_tree_get(doc, lpath, yajl_t_any);
	}
	if (lv) {
		if (!YAJL_IS_STRING(lv))
			return cinch_error_set(err, EINVAL, "%s: .level: expected string, got %s",
					       origin, pload_type_name(lv));
		if (cinch_policy_level_from_name(lv->u.string, &level) < 0)
			return cinch_error_set(err, EINVAL,
					       "%s: .level: unknown level \"%s\" (privileged, "
					       "baseline, restricted)",
					       origin, lv->u.string);
	} else if (builtin) {
		return cinch_error_set(err, EINVAL, "%s: .level: missing", origin);
	}
	/* A host document starts from its level's built-in settings. */
	r = builtin ? policy_new_empty(&p, err) : cinch_policy_builtin(level, &p, err);
	if (r < 0)
		return r;
	p->level = level;
	ps.p = p;
	r = parse_top(&ps, doc);
	if (r == 0)
		r = check_contradictions(&ps);
	if (r == 0) {
		free(p->origin);
		p->origin = strdup(origin);
		if (!p->origin)
			r = pload_oom(&ps);
	}
	if (r < 0) {
		cinch_policy_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

int cinch_policy_load_buffer(const char *buf, size_t len, const char *origin,
			     struct cinch_policy **ret, struct cinch_error *err)
{
	return policy_parse_document(buf, len, origin, false, ret, err);
}

int cinch_policy_builtin(enum cinch_policy_level level, struct cinch_policy **ret,
			 struct cinch_error *err)
{
	const char *doc;
	char origin[64];

	if ((unsigned)level >= CINCH_POLICY_LEVEL_COUNT)
		return cinch_error_set(err, EINVAL, "policy: unknown level %d", (int)level);
	doc = policy_builtin_json[level];
	snprintf(origin, sizeof(origin), "builtin:%s", cinch_policy_level_name(level));
	return policy_parse_document(doc, strlen(doc), origin, true, ret, err);
}
