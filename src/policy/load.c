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

#include <yajl/yajl_tree.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

struct parse {
	const char *origin;
	struct cinch_error *err;
	struct cinch_policy *p;
};

static void yajl_tree_freep(yajl_val *v)
{
	if (*v)
		yajl_tree_free(*v);
}
#define _cleanup_yajl_ __attribute__((cleanup(yajl_tree_freep)))

static const char *type_name(yajl_val v)
{
	if (!v || YAJL_IS_NULL(v))
		return "null";
	if (YAJL_IS_STRING(v))
		return "string";
	if (YAJL_IS_NUMBER(v))
		return "number";
	if (YAJL_IS_OBJECT(v))
		return "object";
	if (YAJL_IS_ARRAY(v))
		return "array";
	return "boolean";
}

static int fail(struct parse *ps, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct parse *ps, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cinch_error_set(ps->err, EINVAL, "%s: %s: %s", ps->origin, path, msg);
}

static int oom(struct parse *ps)
{
	return cinch_error_set(ps->err, ENOMEM, "%s: out of memory", ps->origin);
}

static int expect(struct parse *ps, yajl_val v, const char *path, const char *want)
{
	if (strcmp(type_name(v), want) == 0)
		return 0;
	if (strcmp(want, "boolean") == 0 && (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)))
		return 0;
	return fail(ps, path, "expected %s, got %s", want, type_name(v));
}

static int check_duplicates(struct parse *ps, yajl_val obj, const char *path)
{
	for (size_t i = 0; i < obj->u.object.len; i++)
		for (size_t j = i + 1; j < obj->u.object.len; j++)
			if (strcmp(obj->u.object.keys[i], obj->u.object.keys[j]) == 0)
				return fail(ps, path, "duplicate key \"%s\"",
					    obj->u.object.keys[i]);
	return 0;
}

static int get_u64(struct parse *ps, yajl_val v, const char *path, uint64_t *ret)
{
	int r = expect(ps, v, path, "number");
	if (r < 0)
		return r;
	if (!(v->u.number.flags & YAJL_NUMBER_INT_VALID) || v->u.number.i < 0)
		return fail(ps, path, "expected a non-negative integer, got %s", v->u.number.r);
	*ret = (uint64_t)v->u.number.i;
	return 0;
}

static int get_u32(struct parse *ps, yajl_val v, const char *path, uint32_t *ret)
{
	uint64_t u = 0;
	int r = get_u64(ps, v, path, &u);
	if (r < 0)
		return r;
	if (u > UINT32_MAX)
		return fail(ps, path, "%" PRIu64 " is out of range", u);
	*ret = (uint32_t)u;
	return 0;
}

static int get_i64(struct parse *ps, yajl_val v, const char *path, int64_t *ret)
{
	uint64_t u = 0;
	int r = get_u64(ps, v, path, &u);
	if (r < 0)
		return r;
	*ret = (int64_t)u;
	return 0;
}

static int get_bool(struct parse *ps, yajl_val v, const char *path, bool *ret)
{
	int r = expect(ps, v, path, "boolean");
	if (r < 0)
		return r;
	*ret = YAJL_IS_TRUE(v);
	return 0;
}

static int get_string(struct parse *ps, yajl_val v, const char *path, char **ret)
{
	char *s;
	int r = expect(ps, v, path, "string");
	if (r < 0)
		return r;
	s = strdup(v->u.string);
	if (!s)
		return oom(ps);
	free(*ret);
	*ret = s;
	return 0;
}

enum item_check {
	ITEM_ANY,
	ITEM_ABSOLUTE, /* an absolute path */
	ITEM_CAP,      /* a capability name, normalized to CAP_X */
	ITEM_NS,       /* a namespace type name */
};

/* Replaces *ret with the array at v (settings are replaced, never merged). */
static int get_list(struct parse *ps, yajl_val v, const char *path, enum item_check check,
		    struct pstrv *ret)
{
	struct pstrv list = {0};
	int r = expect(ps, v, path, "array");

	if (r < 0)
		return r;
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val it = v->u.array.values[i];
		_cleanup_free_ char *norm = NULL;
		char ipath[512];
		const char *s;

		snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		r = expect(ps, it, ipath, "string");
		if (r < 0)
			goto fail;
		s = it->u.string;
		if (s[0] == '\0') {
			r = fail(ps, ipath, "empty string");
			goto fail;
		}
		if (check == ITEM_ABSOLUTE && s[0] != '/') {
			r = fail(ps, ipath, "\"%s\" is not an absolute path", s);
			goto fail;
		}
		if (check == ITEM_CAP) {
			r = policy_cap_normalize(s, &norm);
			if (r == -ENOMEM) {
				r = oom(ps);
				goto fail;
			}
			if (r < 0) {
				r = fail(ps, ipath, "unknown capability \"%s\"", s);
				goto fail;
			}
			s = norm;
		}
		if (check == ITEM_NS) {
			enum cinch_ns_type t;
			if (cinch_ns_type_from_name(s, &t) < 0) {
				r = fail(ps, ipath, "unknown namespace type \"%s\"", s);
				goto fail;
			}
			if (t == CINCH_NS_USER) {
				r = fail(ps, ipath,
					 "the user namespace is chosen by rules.user.strategy "
					 "\"userns\"");
				goto fail;
			}
		}
		if (pstrv_contains(&list, s)) {
			r = fail(ps, ipath, "\"%s\" is listed twice", s);
			goto fail;
		}
		if (pstrv_append(&list, s) < 0) {
			r = oom(ps);
			goto fail;
		}
	}
	pstrv_free(ret);
	*ret = list;
	return 0;
fail:
	pstrv_free(&list);
	return r;
}

static int get_enum(struct parse *ps, yajl_val v, const char *path, const char *const *names,
		    int *ret)
{
	int r = expect(ps, v, path, "string");
	if (r < 0)
		return r;
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], v->u.string) == 0) {
			*ret = i;
			return 0;
		}
	return fail(ps, path, "unknown value \"%s\"", v->u.string);
}

static int parse_device(struct parse *ps, const char *s, const char *path, struct device_allow *d)
{
	char type;
	char minor[32];
	long long major;
	int n = 0;

	if (sscanf(s, "%c %lld:%31s%n", &type, &major, minor, &n) != 3 || s[n] != '\0' ||
	    (type != 'c' && type != 'b') || major < 0)
		return fail(ps, path, "\"%s\" is not \"c|b MAJOR:MINOR|*\"", s);
	d->type = type;
	d->major = major;
	if (strcmp(minor, "*") == 0) {
		d->minor = -1;
	} else {
		char *end;
		long long m = strtoll(minor, &end, 10);
		if (*end || m < 0)
			return fail(ps, path, "\"%s\" is not \"c|b MAJOR:MINOR|*\"", s);
		d->minor = m;
	}
	return 0;
}

/* One settings key of one rule. */
static int parse_setting(struct parse *ps, enum policy_rule rule, const char *key, yajl_val v,
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
			return get_list(ps, v, path, ITEM_CAP, &s->caps.allow);
		if (strcmp(key, "engineDefaults") == 0)
			return get_list(ps, v, path, ITEM_CAP, &s->caps.engine_defaults);
		break;
	case RULE_USER:
		if (strcmp(key, "strategy") == 0) {
			r = get_enum(ps, v, path, strategies, &e);
			s->user.strategy = (enum user_strategy)e;
			return r;
		}
		if (strcmp(key, "uid") == 0)
			return get_u32(ps, v, path, &s->user.uid);
		if (strcmp(key, "gid") == 0)
			return get_u32(ps, v, path, &s->user.gid);
		if (strcmp(key, "hostIdBase") == 0)
			return get_u32(ps, v, path, &s->user.host_id_base);
		if (strcmp(key, "hostIdCount") == 0)
			return get_u32(ps, v, path, &s->user.host_id_count);
		break;
	case RULE_READ_ONLY_ROOT:
		if (strcmp(key, "tmpfs") == 0)
			return get_list(ps, v, path, ITEM_ABSOLUTE, &s->ro_root.tmpfs);
		if (strcmp(key, "tmpfsOptions") == 0)
			return get_string(ps, v, path, &s->ro_root.tmpfs_options);
		break;
	case RULE_RESOURCES:
		if (strcmp(key, "memoryDefault") == 0)
			return get_i64(ps, v, path, &s->resources.memory_default);
		if (strcmp(key, "memoryMax") == 0)
			return get_i64(ps, v, path, &s->resources.memory_max);
		if (strcmp(key, "pidsDefault") == 0)
			return get_i64(ps, v, path, &s->resources.pids_default);
		if (strcmp(key, "pidsMax") == 0)
			return get_i64(ps, v, path, &s->resources.pids_max);
		if (strcmp(key, "cpuSharesDefault") == 0)
			return get_u64(ps, v, path, &s->resources.cpu_shares_default);
		if (strcmp(key, "overMax") == 0) {
			r = get_enum(ps, v, path, over, &e);
			s->resources.over_max = (enum over_max)e;
			return r;
		}
		break;
	case RULE_SECCOMP:
		if (strcmp(key, "custom") == 0) {
			r = get_enum(ps, v, path, customs, &e);
			s->seccomp.custom = (enum seccomp_custom)e;
			return r;
		}
		break;
	case RULE_APPARMOR:
		if (strcmp(key, "profile") == 0)
			return get_string(ps, v, path, &s->apparmor.profile);
		if (strcmp(key, "required") == 0)
			return get_bool(ps, v, path, &s->apparmor.required);
		break;
	case RULE_NAMESPACES:
		if (strcmp(key, "private") == 0)
			return get_list(ps, v, path, ITEM_NS, &s->ns.private_);
		if (strcmp(key, "missing") == 0) {
			r = get_enum(ps, v, path, missing, &e);
			s->ns.missing = (enum missing_ns)e;
			return r;
		}
		if (strcmp(key, "refuseJoin") == 0)
			return get_list(ps, v, path, ITEM_ANY, &s->ns.refuse_join);
		break;
	case RULE_MOUNTS:
		if (strcmp(key, "refuseSources") == 0)
			return get_list(ps, v, path, ITEM_ABSOLUTE, &s->mounts.refuse_sources);
		if (strcmp(key, "refuseSourcesExact") == 0)
			return get_list(ps, v, path, ITEM_ABSOLUTE,
					&s->mounts.refuse_sources_exact);
		if (strcmp(key, "refuseSourceNames") == 0)
			return get_list(ps, v, path, ITEM_ANY, &s->mounts.refuse_source_names);
		if (strcmp(key, "bindOptions") == 0)
			return get_list(ps, v, path, ITEM_ANY, &s->mounts.bind_options);
		if (strcmp(key, "rootfsOptions") == 0)
			return get_list(ps, v, path, ITEM_ANY, &s->mounts.rootfs_options);
		if (strcmp(key, "procAllow") == 0)
			return get_list(ps, v, path, ITEM_ABSOLUTE, &s->mounts.proc_allow);
		break;
	case RULE_MASKED_PATHS:
		if (strcmp(key, "masked") == 0)
			return get_list(ps, v, path, ITEM_ABSOLUTE, &s->masked.masked);
		if (strcmp(key, "readonly") == 0)
			return get_list(ps, v, path, ITEM_ABSOLUTE, &s->masked.readonly);
		break;
	case RULE_DEVICES:
		if (strcmp(key, "allow") == 0) {
			struct pstrv list = {0};
			struct device_allow *d;

			r = get_list(ps, v, path, ITEM_ANY, &list);
			if (r < 0)
				return r;
			d = calloc(list.len + 1, sizeof(*d));
			if (!d) {
				pstrv_free(&list);
				return oom(ps);
			}
			for (size_t i = 0; i < list.len; i++) {
				char ipath[512];
				snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
				r = parse_device(ps, list.items[i], ipath, &d[i]);
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
			return get_list(ps, v, path, ITEM_ANY, &s->sysctls.allow);
		break;
	case RULE_HOOKS:
		if (strcmp(key, "allow") == 0)
			return get_list(ps, v, path, ITEM_ABSOLUTE, &s->hooks.allow);
		if (strcmp(key, "engineExe") == 0)
			return get_list(ps, v, path, ITEM_ABSOLUTE, &s->hooks.engine_exe);
		if (strcmp(key, "engineArgs0") == 0)
			return get_list(ps, v, path, ITEM_ANY, &s->hooks.engine_args0);
		break;
	case RULE_RLIMITS:
		if (strcmp(key, "coreZero") == 0)
			return get_bool(ps, v, path, &s->rlimits.core_zero);
		if (strcmp(key, "nofileMax") == 0)
			return get_u64(ps, v, path, &s->rlimits.nofile_max);
		if (strcmp(key, "nprocMax") == 0)
			return get_u64(ps, v, path, &s->rlimits.nproc_max);
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
	return fail(ps, path, "unknown setting \"%s\" for rule %s", key, policy_rule_name(rule));
}

/* Settings that are each valid but contradict one another. */
static int check_contradictions(struct parse *ps)
{
	const struct cinch_policy *p = ps->p;
	const struct policy_settings *s = &p->s;

	if (p->enabled[RULE_USER]) {
		if (s->user.strategy == USER_STRATEGY_UID && (s->user.uid == 0 || s->user.gid == 0))
			return fail(ps, ".rules.user",
				    "strategy \"uid\" with uid %u gid %u would run as root",
				    s->user.uid, s->user.gid);
		if (s->user.strategy == USER_STRATEGY_USERNS &&
		    (s->user.host_id_base == 0 || s->user.host_id_count == 0 ||
		     (uint64_t)s->user.host_id_base + s->user.host_id_count > UINT32_MAX))
			return fail(ps, ".rules.user",
				    "strategy \"userns\" needs hostIdBase > 0 and hostIdCount > 0 "
				    "within 32 bits (got %u and %u)",
				    s->user.host_id_base, s->user.host_id_count);
	}
	if (p->enabled[RULE_RESOURCES]) {
		if (s->resources.memory_max &&
		    s->resources.memory_default > s->resources.memory_max)
			return fail(ps, ".rules.resources.memoryDefault",
				    "%" PRId64 " is above memoryMax %" PRId64,
				    s->resources.memory_default, s->resources.memory_max);
		if (s->resources.pids_max && s->resources.pids_default > s->resources.pids_max)
			return fail(ps, ".rules.resources.pidsDefault",
				    "%" PRId64 " is above pidsMax %" PRId64,
				    s->resources.pids_default, s->resources.pids_max);
	}
	if (p->enabled[RULE_APPARMOR]) {
		const char *prof = s->apparmor.profile;
		if (!prof || !prof[0] || strcmp(prof, "unconfined") == 0)
			return fail(ps, ".rules.apparmor.profile",
				    "the rule needs a confining profile, not \"%s\"",
				    prof ? prof : "");
	}
	if (p->enabled[RULE_READ_ONLY_ROOT])
		for (size_t i = 0; i < s->ro_root.tmpfs.len; i++)
			if (strcmp(s->ro_root.tmpfs.items[i], "/") == 0)
				return fail(ps, ".rules.readOnlyRoot.tmpfs",
					    "a tmpfs on / contradicts a read-only root");
	if (p->enabled[RULE_CAPABILITIES])
		for (size_t i = 0; i < s->caps.allow.len; i++)
			if (strcmp(s->caps.allow.items[i], "CAP_SYS_ADMIN") == 0 &&
			    p->level == CINCH_POLICY_RESTRICTED)
				return fail(ps, ".rules.capabilities.allow",
					    "CAP_SYS_ADMIN contradicts level restricted");
	return 0;
}

static int parse_rules(struct parse *ps, yajl_val rules)
{
	int r = expect(ps, rules, ".rules", "object");
	if (r < 0)
		return r;
	r = check_duplicates(ps, rules, ".rules");
	if (r < 0)
		return r;
	for (size_t i = 0; i < rules->u.object.len; i++) {
		const char *name = rules->u.object.keys[i];
		yajl_val body = rules->u.object.values[i];
		enum policy_rule rule;
		char path[256];

		snprintf(path, sizeof(path), ".rules.%s", name);
		if (policy_rule_from_name(name, &rule) < 0)
			return fail(ps, path, "unknown rule \"%s\"", name);
		r = expect(ps, body, path, "object");
		if (r < 0)
			return r;
		r = check_duplicates(ps, body, path);
		if (r < 0)
			return r;
		ps->p->enabled[rule] = true;
		for (size_t k = 0; k < body->u.object.len; k++) {
			const char *key = body->u.object.keys[k];
			char kpath[320];

			snprintf(kpath, sizeof(kpath), "%s.%s", path, key);
			if (strcmp(key, "enabled") == 0)
				r = get_bool(ps, body->u.object.values[k], kpath,
					     &ps->p->enabled[rule]);
			else
				r = parse_setting(ps, rule, key, body->u.object.values[k], kpath);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int parse_top(struct parse *ps, yajl_val doc)
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
			r = expect(ps, v, path, "string"); /* level: handled by the caller */
		} else if (strcmp(key, "mode") == 0) {
			r = get_enum(ps, v, path, modes, &e);
			p->mode = (enum cinch_policy_mode)e;
		} else if (strcmp(key, "allowLevels") == 0) {
			struct pstrv list = {0};
			r = get_list(ps, v, path, ITEM_ANY, &list);
			for (int l = 0; l < CINCH_POLICY_LEVEL_COUNT; l++)
				p->allow_levels[l] = false;
			for (size_t j = 0; r == 0 && j < list.len; j++) {
				enum cinch_policy_level lv;
				if (cinch_policy_level_from_name(list.items[j], &lv) < 0) {
					char ipath[300];
					snprintf(ipath, sizeof(ipath), "%s[%zu]", path, j);
					r = fail(ps, ipath, "unknown level \"%s\"", list.items[j]);
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
				r = get_string(ps, v, path, &p->audit_log);
				if (r == 0 && p->audit_log[0] && p->audit_log[0] != '/')
					r = fail(ps, path, "\"%s\" is not an absolute path",
						 p->audit_log);
			}
		} else if (strcmp(key, "rules") == 0) {
			r = parse_rules(ps, v);
		} else {
			r = fail(ps, path, "unknown key \"%s\"", key);
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
	struct parse ps = {.origin = origin, .err = err};
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
				       type_name(doc));
	r = check_duplicates(&ps, doc, ".");
	if (r < 0)
		return r;
	{
		const char *lpath[] = {"level", NULL};
		lv = yajl_tree_get(doc, lpath, yajl_t_any);
	}
	if (lv) {
		if (!YAJL_IS_STRING(lv))
			return cinch_error_set(err, EINVAL, "%s: .level: expected string, got %s",
					       origin, type_name(lv));
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
			r = oom(&ps);
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
