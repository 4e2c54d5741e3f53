/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The default seccomp profile (profiles/seccomp/default.json, compiled by
 * embed.py into the tables of builtin.c) resolved into an OCI linux.seccomp
 * for one container: rules carry "includes"/"excludes" conditions on
 * capabilities and architectures that are not OCI fields; they are decided
 * here against the container's final bounding set and the host architecture,
 * so that dropping CAP_SYS_ADMIN also drops the mount/unshare/setns
 * allowances. Every create does this, so it reads the tables (checked at
 * build time) instead of parsing the JSON document.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* Appends a table string to a strv allocated with room for it. */
static int strv_push(struct cinch_strv *v, const char *s)
{
	v->items[v->len] = strdup(s);
	if (!v->items[v->len])
		return -ENOMEM;
	v->len++;
	v->present = true;
	return 0;
}

/* Copies n table strings into an owned strv allocated at its final size;
 * on failure the strings copied so far stay counted, for the caller's free. */
static int strv_from_table(struct cinch_strv *out, const char *const *items, size_t n)
{
	out->items = calloc(n + 1, sizeof(*out->items));
	if (!out->items)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (strv_push(out, items[i]) < 0)
			return -ENOMEM;
	return 0;
}

/* "arches" conditions use short lower-case names; the targets are SCMP_ARCH_*. */
static bool arch_matches(const struct seccomp_table_cond *c, const struct cinch_strv *targets)
{
	for (size_t i = 0; i < c->n_arches; i++) {
		const char *want = c->arches[i];
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
static bool rule_applies(const struct seccomp_table_rule *rule, const struct cinch_strv *caps,
			 const struct cinch_strv *targets)
{
	const struct seccomp_table_cond *inc = &rule->includes, *exc = &rule->excludes;

	for (size_t i = 0; i < inc->n_caps; i++)
		if (!has_cap(caps, inc->caps[i]))
			return false;
	if (inc->n_arches > 0 && !arch_matches(inc, targets))
		return false;
	for (size_t i = 0; i < exc->n_caps; i++)
		if (has_cap(caps, exc->caps[i]))
			return false;
	if (exc->n_arches > 0 && arch_matches(exc, targets))
		return false;
	return true;
}

static int convert_rule(const struct seccomp_table_rule *rule, struct cinch_seccomp_syscall *out)
{
	int r;

	*out = (struct cinch_seccomp_syscall){0};
	r = strv_from_table(&out->names, rule->names, rule->n_names);
	if (r < 0)
		return r;
	out->action = strdup(rule->action);
	if (!out->action)
		return -ENOMEM;
	out->errno_ret = rule->errno_ret;
	out->args.present = rule->has_args;
	if (rule->n_args == 0)
		return 0;
	out->args.items = calloc(rule->n_args, sizeof(*out->args.items));
	if (!out->args.items)
		return -ENOMEM;
	for (size_t i = 0; i < rule->n_args; i++) {
		const struct seccomp_table_arg *a = &rule->args[i];
		struct cinch_seccomp_arg *o = &out->args.items[out->args.len++];
		o->index = a->index;
		o->value = a->value;
		o->value_two = a->value_two;
		o->op = strdup(a->op);
		if (!o->op)
			return -ENOMEM;
	}
	return 0;
}

/* The host architecture first, then archMap's subArchitectures for it;
 * -EINVAL for an architecture without a default profile. */
static int targets_for(const struct seccomp_table *t, const char *arch, struct cinch_strv *targets)
{
	const char *native = NULL;
	size_t n = 1;

	for (size_t i = 0; i < N_ELEMENTS(arch_table); i++)
		if (strcmp(arch, arch_table[i].uname) == 0)
			native = arch_table[i].scmp;
	if (!native)
		return -EINVAL;
	for (size_t i = 0; i < t->n_arch_map; i++)
		if (strcmp(t->arch_map[i].architecture, native) == 0)
			n += t->arch_map[i].n_subs;
	targets->items = calloc(n + 1, sizeof(*targets->items));
	if (!targets->items || strv_push(targets, native) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_arch_map; i++) {
		const struct seccomp_table_arch *e = &t->arch_map[i];
		if (strcmp(e->architecture, native) != 0)
			continue;
		for (size_t j = 0; j < e->n_subs; j++)
			if (strv_push(targets, e->subs[j]) < 0)
				return -ENOMEM;
	}
	return 0;
}

int policy_seccomp_default(const struct cinch_strv *caps, const char *arch,
			   struct cinch_seccomp **ret, struct cinch_error *err)
{
	const struct seccomp_table *t = &policy_seccomp_default_table;
	struct cinch_seccomp *s;
	int r = 0;

	s = calloc(1, sizeof(*s));
	if (!s)
		return cinch_error_set(err, ENOMEM, "seccomp: out of memory");
	r = targets_for(t, arch ? arch : "x86_64", &s->architectures);
	if (r == -EINVAL) {
		policy_seccomp_free(s);
		return cinch_error_set(err, EINVAL,
				       "seccomp: no default profile for architecture \"%s\"", arch);
	}
	if (r < 0)
		goto fail;
	s->default_action = strdup(t->default_action);
	if (!s->default_action)
		goto fail;
	s->default_errno_ret = t->default_errno_ret;
	s->syscalls.items = calloc(t->n_rules, sizeof(*s->syscalls.items));
	if (!s->syscalls.items && t->n_rules > 0)
		goto fail;
	s->syscalls.present = true;
	for (size_t i = 0; i < t->n_rules; i++) {
		if (!rule_applies(&t->rules[i], caps, &s->architectures))
			continue;
		r = convert_rule(&t->rules[i], &s->syscalls.items[s->syscalls.len++]);
		if (r < 0)
			goto fail;
	}
	*ret = s;
	return 0;
fail:
	policy_seccomp_free(s);
	return cinch_error_set(err, ENOMEM, "seccomp: out of memory");
}
