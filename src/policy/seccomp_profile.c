/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The default seccomp profile (profiles/seccomp/default.json, compiled in)
 * resolved into an OCI linux.seccomp for one container: rules carry
 * "includes"/"excludes" conditions on capabilities and architectures that
 * are not OCI fields; they are decided here against the container's final
 * bounding set and the host architecture, so that dropping CAP_SYS_ADMIN
 * also drops the mount/unshare/setns allowances.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yajl/yajl_tree.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

static const struct {
	const char *uname;
	const char *scmp;
} arch_table[] = {
    {"x86_64", "SCMP_ARCH_X86_64"},   {"amd64", "SCMP_ARCH_X86_64"},
    {"aarch64", "SCMP_ARCH_AARCH64"}, {"arm64", "SCMP_ARCH_AARCH64"},
    {"s390x", "SCMP_ARCH_S390X"},     {"ppc64le", "SCMP_ARCH_PPC64LE"},
    {"riscv64", "SCMP_ARCH_RISCV64"}, {"loongarch64", "SCMP_ARCH_LOONGARCH64"},
    {"mips64", "SCMP_ARCH_MIPS64"},   {"mips64el", "SCMP_ARCH_MIPSEL64"},
    {"i686", "SCMP_ARCH_X86"},	      {"i386", "SCMP_ARCH_X86"},
    {"armv7l", "SCMP_ARCH_ARM"},
};

void policy_seccomp_free(struct cinch_seccomp *s)
{
	if (!s)
		return;
	free(s->default_action);
	cinch_strv_clear(&s->architectures);
	cinch_strv_clear(&s->flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; i < s->syscalls.len; i++) {
		struct cinch_seccomp_syscall *c = &s->syscalls.items[i];
		cinch_strv_clear(&c->names);
		free(c->action);
		for (size_t j = 0; j < c->args.len; j++)
			free(c->args.items[j].op);
		free(c->args.items);
	}
	free(s->syscalls.items);
	free(s);
}

/* Strings of the compiled-in document; "" if the test-checked shape is off. */
static const char *gstr(yajl_val v)
{
	const char *s = YAJL_GET_STRING(v);
	return s ? s : "";
}

static yajl_val get(yajl_val obj, const char *key)
{
	const char *path[] = {key, NULL};
	return yajl_tree_get(obj, path, yajl_t_any);
}

/* Short lower-case names of the target architectures, for "arches" conditions. */
static bool arch_matches(yajl_val arches, const struct cinch_strv *targets)
{
	for (size_t i = 0; i < arches->u.array.len; i++) {
		const char *want = gstr(arches->u.array.values[i]);
		for (size_t t = 0; t < targets->len; t++) {
			const char *short_ = targets->items[t] + strlen("SCMP_ARCH_");
			if (strcasecmp(want, short_) == 0 ||
			    (strcasecmp(want, "amd64") == 0 && strcmp(short_, "X86_64") == 0) ||
			    (strcasecmp(want, "arm64") == 0 && strcmp(short_, "AARCH64") == 0))
				return true;
		}
	}
	return false;
}

static bool has_cap(const struct cinch_strv *caps, const char *cap)
{
	for (size_t i = 0; caps && i < caps->len; i++)
		if (strcasecmp(caps->items[i], cap) == 0)
			return true;
	return false;
}

/* includes: every listed cap held and one listed arch targeted;
 * excludes: any listed cap held or any listed arch targeted. */
static bool rule_applies(yajl_val rule, const struct cinch_strv *caps,
			 const struct cinch_strv *targets)
{
	yajl_val inc = get(rule, "includes"), exc = get(rule, "excludes");
	yajl_val v;

	if (inc) {
		if ((v = get(inc, "caps")))
			for (size_t i = 0; i < v->u.array.len; i++)
				if (!has_cap(caps, gstr(v->u.array.values[i])))
					return false;
		if ((v = get(inc, "arches")) && !arch_matches(v, targets))
			return false;
	}
	if (exc) {
		if ((v = get(exc, "caps")))
			for (size_t i = 0; i < v->u.array.len; i++)
				if (has_cap(caps, gstr(v->u.array.values[i])))
					return false;
		if ((v = get(exc, "arches")) && arch_matches(v, targets))
			return false;
	}
	return true;
}

static int convert_rule(yajl_val rule, struct cinch_seccomp_syscall *out)
{
	yajl_val names = get(rule, "names"), args = get(rule, "args"), v;

	*out = (struct cinch_seccomp_syscall){0};
	for (size_t i = 0; i < names->u.array.len; i++)
		if (strv_add(&out->names, gstr(names->u.array.values[i])) < 0)
			return -ENOMEM;
	out->action = strdup(gstr(get(rule, "action")));
	if (!out->action)
		return -ENOMEM;
	if ((v = get(rule, "errnoRet"))) {
		out->errno_ret.value = (uint32_t)YAJL_GET_INTEGER(v);
		out->errno_ret.present = true;
	}
	if (args) {
		out->args.items = calloc(args->u.array.len, sizeof(*out->args.items));
		if (!out->args.items)
			return -ENOMEM;
		out->args.present = true;
		for (size_t i = 0; i < args->u.array.len; i++) {
			yajl_val a = args->u.array.values[i];
			struct cinch_seccomp_arg *o = &out->args.items[out->args.len++];
			o->index = (uint32_t)YAJL_GET_INTEGER(get(a, "index"));
			o->value = (uint64_t)YAJL_GET_INTEGER(get(a, "value"));
			if ((v = get(a, "valueTwo"))) {
				o->value_two.value = (uint64_t)YAJL_GET_INTEGER(v);
				o->value_two.present = true;
			}
			o->op = strdup(gstr(get(a, "op")));
			if (!o->op)
				return -ENOMEM;
		}
	}
	return 0;
}

static int targets_for(yajl_val doc, const char *arch, struct cinch_strv *targets)
{
	const char *native = NULL;
	yajl_val map = get(doc, "archMap");

	for (size_t i = 0; i < N_ELEMENTS(arch_table); i++)
		if (strcmp(arch, arch_table[i].uname) == 0)
			native = arch_table[i].scmp;
	if (!native)
		return -EINVAL;
	if (strv_add(targets, native) < 0)
		return -ENOMEM;
	for (size_t i = 0; map && i < map->u.array.len; i++) {
		yajl_val e = map->u.array.values[i];
		yajl_val subs = get(e, "subArchitectures");
		if (strcmp(gstr(get(e, "architecture")), native) != 0)
			continue;
		for (size_t j = 0; subs && j < subs->u.array.len; j++)
			if (strv_add(targets, gstr(subs->u.array.values[j])) < 0)
				return -ENOMEM;
	}
	return 0;
}

int policy_seccomp_default(const struct cinch_strv *caps, const char *arch,
			   struct cinch_seccomp **ret, struct cinch_error *err)
{
	struct cinch_seccomp *s = NULL;
	yajl_val doc, rules, v;
	char ebuf[128];
	int r = 0;

	/* The document is compiled in and checked by the unit tests; a parse
	 * failure here is a build defect, reported rather than ignored. */
	doc = yajl_tree_parse(policy_seccomp_default_json, ebuf, sizeof(ebuf));
	if (!doc)
		return cinch_error_set(err, EINVAL, "builtin seccomp profile: invalid JSON");
	s = calloc(1, sizeof(*s));
	if (!s) {
		r = -ENOMEM;
		goto out;
	}
	r = targets_for(doc, arch ? arch : "x86_64", &s->architectures);
	if (r == -EINVAL) {
		r = cinch_error_set(err, EINVAL,
				    "seccomp: no default profile for architecture \"%s\"", arch);
		goto out;
	}
	if (r < 0)
		goto out;
	s->default_action = strdup(gstr(get(doc, "defaultAction")));
	if (!s->default_action) {
		r = -ENOMEM;
		goto out;
	}
	if ((v = get(doc, "defaultErrnoRet"))) {
		s->default_errno_ret.value = (uint32_t)YAJL_GET_INTEGER(v);
		s->default_errno_ret.present = true;
	}
	rules = get(doc, "syscalls");
	s->syscalls.items = calloc(rules->u.array.len, sizeof(*s->syscalls.items));
	if (!s->syscalls.items) {
		r = -ENOMEM;
		goto out;
	}
	s->syscalls.present = true;
	for (size_t i = 0; i < rules->u.array.len; i++) {
		yajl_val rule = rules->u.array.values[i];
		if (!rule_applies(rule, caps, &s->architectures))
			continue;
		r = convert_rule(rule, &s->syscalls.items[s->syscalls.len++]);
		if (r < 0)
			goto out;
	}
out:
	yajl_tree_free(doc);
	if (r < 0) {
		policy_seccomp_free(s);
		if (r == -ENOMEM)
			return cinch_error_set(err, ENOMEM, "seccomp: out of memory");
		return r;
	}
	*ret = s;
	return 0;
}
