/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The default seccomp profile as cinch builds it from the tables embed.py
 * generates (policy_seccomp_default) must equal, field by field, what a
 * plain resolution of profiles/seccomp/default.json read now (yajl, path
 * from $CINCH_PROFILES) gives, for several capability sets and host
 * architectures; an unknown architecture is an error both ways. The
 * reference resolver below is the one cinch used before the tables.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "cinch/cleanup.h"
#include "cinch/error.h"
#include "cinch/spec.h"
#include "policy-internal.h"

/* ---- reference: resolve the JSON document directly ---- */

static const struct {
	const char *uname;
	const char *scmp;
} ref_arches[] = {
    {"x86_64", "SCMP_ARCH_X86_64"},   {"amd64", "SCMP_ARCH_X86_64"},
    {"aarch64", "SCMP_ARCH_AARCH64"}, {"arm64", "SCMP_ARCH_AARCH64"},
    {"s390x", "SCMP_ARCH_S390X"},     {"ppc64le", "SCMP_ARCH_PPC64LE"},
    {"riscv64", "SCMP_ARCH_RISCV64"}, {"loongarch64", "SCMP_ARCH_LOONGARCH64"},
    {"mips64", "SCMP_ARCH_MIPS64"},   {"mips64el", "SCMP_ARCH_MIPSEL64"},
    {"i686", "SCMP_ARCH_X86"},	      {"i386", "SCMP_ARCH_X86"},
    {"armv7l", "SCMP_ARCH_ARM"},
};

static yajl_val doc;

static const char *gstr(yajl_val v)
{
	const char *s = YAJL_GET_STRING(v);
	assert_non_null(s);
	return s;
}

static yajl_val get(yajl_val obj, const char *key)
{
	const char *path[] = {key, NULL};
	return yajl_tree_get(obj, path, yajl_t_any);
}

static bool ref_arch_matches(yajl_val arches, const struct cinch_strv *targets)
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

static bool ref_has_cap(const struct cinch_strv *caps, const char *cap)
{
	for (size_t i = 0; caps && i < caps->len; i++)
		if (strcasecmp(caps->items[i], cap) == 0)
			return true;
	return false;
}

static bool ref_applies(yajl_val rule, const struct cinch_strv *caps,
			const struct cinch_strv *targets)
{
	yajl_val inc = get(rule, "includes"), exc = get(rule, "excludes");
	yajl_val v;

	if (inc) {
		if ((v = get(inc, "caps")))
			for (size_t i = 0; i < v->u.array.len; i++)
				if (!ref_has_cap(caps, gstr(v->u.array.values[i])))
					return false;
		if ((v = get(inc, "arches")) && !ref_arch_matches(v, targets))
			return false;
	}
	if (exc) {
		if ((v = get(exc, "caps")))
			for (size_t i = 0; i < v->u.array.len; i++)
				if (ref_has_cap(caps, gstr(v->u.array.values[i])))
					return false;
		if ((v = get(exc, "arches")) && ref_arch_matches(v, targets))
			return false;
	}
	return true;
}

static void ref_rule(yajl_val rule, struct cinch_seccomp_syscall *out)
{
	yajl_val names = get(rule, "names"), args = get(rule, "args"), v;

	*out = (struct cinch_seccomp_syscall){0};
	for (size_t i = 0; i < names->u.array.len; i++)
		assert_int_equal(strv_add(&out->names, gstr(names->u.array.values[i])), 0);
	out->action = strdup(gstr(get(rule, "action")));
	assert_non_null(out->action);
	if ((v = get(rule, "errnoRet"))) {
		out->errno_ret.value = (uint32_t)YAJL_GET_INTEGER(v);
		out->errno_ret.present = true;
	}
	if (!args)
		return;
	out->args.present = true;
	out->args.items = calloc(args->u.array.len + 1, sizeof(*out->args.items));
	assert_non_null(out->args.items);
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
		assert_non_null(o->op);
	}
}

/* NULL for an architecture the reference does not know. */
static struct cinch_seccomp *ref_resolve(const struct cinch_strv *caps, const char *arch)
{
	const char *native = NULL;
	yajl_val map = get(doc, "archMap"), rules = get(doc, "syscalls"), v;
	struct cinch_seccomp *s;

	for (size_t i = 0; i < N_ELEMENTS(ref_arches); i++)
		if (strcmp(arch ? arch : "x86_64", ref_arches[i].uname) == 0)
			native = ref_arches[i].scmp;
	if (!native)
		return NULL;
	s = calloc(1, sizeof(*s));
	assert_non_null(s);
	assert_int_equal(strv_add(&s->architectures, native), 0);
	for (size_t i = 0; map && i < map->u.array.len; i++) {
		yajl_val e = map->u.array.values[i], subs = get(e, "subArchitectures");
		if (strcmp(gstr(get(e, "architecture")), native) != 0)
			continue;
		for (size_t j = 0; subs && j < subs->u.array.len; j++)
			assert_int_equal(strv_add(&s->architectures, gstr(subs->u.array.values[j])),
					 0);
	}
	s->default_action = strdup(gstr(get(doc, "defaultAction")));
	assert_non_null(s->default_action);
	if ((v = get(doc, "defaultErrnoRet"))) {
		s->default_errno_ret.value = (uint32_t)YAJL_GET_INTEGER(v);
		s->default_errno_ret.present = true;
	}
	s->syscalls.present = true;
	s->syscalls.items = calloc(rules->u.array.len + 1, sizeof(*s->syscalls.items));
	assert_non_null(s->syscalls.items);
	for (size_t i = 0; i < rules->u.array.len; i++)
		if (ref_applies(rules->u.array.values[i], caps, &s->architectures))
			ref_rule(rules->u.array.values[i], &s->syscalls.items[s->syscalls.len++]);
	return s;
}

static int load_doc(void **state)
{
	const char *dir = getenv("CINCH_PROFILES");
	char path[4096], ebuf[256];
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/seccomp/default.json", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	text = malloc(1 << 20);
	assert_non_null(text);
	len = fread(text, 1, (1 << 20) - 1, f);
	fclose(f);
	text[len] = '\0';
	doc = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!doc)
		fail_msg("%s: %s", path, ebuf);
	/* The reference is only worth something if it read the real profile. */
	assert_true(YAJL_IS_ARRAY(get(doc, "syscalls")));
	assert_true(get(doc, "syscalls")->u.array.len > 10);
	return 0;
}

static int free_doc(void **state)
{
	(void)state;
	yajl_tree_free(doc);
	return 0;
}

/* ---- comparison ---- */

static void same_str(const char *where, const char *what, const char *want, const char *got)
{
	if (!want || !got || strcmp(want, got) != 0)
		fail_msg("%s: %s: want \"%s\", got \"%s\"", where, what, want ? want : "(null)",
			 got ? got : "(null)");
}

static void same_strv(const char *where, const char *what, const struct cinch_strv *want,
		      const struct cinch_strv *got)
{
	if (want->len != got->len || want->present != got->present)
		fail_msg("%s: %s: want %zu items (present %d), got %zu (present %d)", where, what,
			 want->len, want->present, got->len, got->present);
	for (size_t i = 0; i < want->len; i++)
		same_str(where, what, want->items[i], got->items[i]);
	/* NULL-terminated like every strv of the spec model. */
	if (got->len && got->items[got->len])
		fail_msg("%s: %s: not NULL-terminated", where, what);
}

static void same_profile(const char *where, const struct cinch_seccomp *want,
			 const struct cinch_seccomp *got)
{
	char at[256];

	same_str(where, "defaultAction", want->default_action, got->default_action);
	assert_int_equal(want->default_errno_ret.present, got->default_errno_ret.present);
	assert_int_equal(want->default_errno_ret.value, got->default_errno_ret.value);
	same_strv(where, "architectures", &want->architectures, &got->architectures);
	assert_int_equal(got->flags.len, 0);
	assert_false(got->flags.present);
	assert_null(got->listener_path);
	assert_null(got->listener_metadata);
	assert_int_equal(want->syscalls.present, got->syscalls.present);
	if (want->syscalls.len != got->syscalls.len)
		fail_msg("%s: want %zu rules, got %zu", where, want->syscalls.len,
			 got->syscalls.len);
	for (size_t i = 0; i < want->syscalls.len; i++) {
		const struct cinch_seccomp_syscall *w = &want->syscalls.items[i];
		const struct cinch_seccomp_syscall *g = &got->syscalls.items[i];

		snprintf(at, sizeof(at), "%s: rule %zu (%s)", where, i, w->names.items[0]);
		same_strv(at, "names", &w->names, &g->names);
		same_str(at, "action", w->action, g->action);
		if (w->errno_ret.present != g->errno_ret.present ||
		    w->errno_ret.value != g->errno_ret.value)
			fail_msg("%s: errnoRet differs", at);
		if (w->args.present != g->args.present || w->args.len != g->args.len)
			fail_msg("%s: want %zu args (present %d), got %zu (present %d)", at,
				 w->args.len, w->args.present, g->args.len, g->args.present);
		for (size_t j = 0; j < w->args.len; j++) {
			const struct cinch_seccomp_arg *wa = &w->args.items[j];
			const struct cinch_seccomp_arg *ga = &g->args.items[j];
			if (wa->index != ga->index || wa->value != ga->value ||
			    wa->value_two.present != ga->value_two.present ||
			    wa->value_two.value != ga->value_two.value)
				fail_msg("%s: args[%zu] differs", at, j);
			same_str(at, "op", wa->op, ga->op);
		}
	}
}

/* ---- cases ---- */

static const char *no_caps[] = {NULL};
static const char *docker_caps[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
    NULL,
};
static const char *all_caps[] = {
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
    NULL,
};
static const char *admin_only[] = {"CAP_SYS_ADMIN", NULL};
static const char *ptrace_boot_module[] = {"CAP_SYS_PTRACE", "CAP_SYS_BOOT", "CAP_SYS_MODULE",
					   NULL};
/* Capability names match case-insensitively, as before. */
static const char *lower_admin[] = {"cap_sys_admin", "Cap_Sys_Nice", NULL};

/* A borrowed view: the spec model's strv is not const, nothing writes it. */
static struct cinch_strv strv_of(const char **items)
{
	struct cinch_strv v = {.items = (char **)items, .present = true};
	while (items[v.len])
		v.len++;
	return v;
}

static const struct {
	const char *name;
	const char **caps; /* NULL: no capabilities object at all */
} cap_sets[] = {
    {"no-capabilities-object", NULL}, {"none", no_caps},
    {"docker", docker_caps},	      {"all", all_caps},
    {"sys-admin", admin_only},	      {"ptrace-boot-module", ptrace_boot_module},
    {"lower-case", lower_admin},
};

static const char *const known_arches[] = {
    NULL, /* defaults to x86_64 */
    "x86_64",	   "amd64",  "aarch64",	 "arm64", "s390x", "ppc64le", "riscv64",
    "loongarch64", "mips64", "mips64el", "i686",  "i386",  "armv7l",
};

static struct cinch_seccomp *table_resolve(const struct cinch_strv *caps, const char *arch)
{
	struct cinch_error err = {0};
	struct cinch_seccomp *s = NULL;
	int r = policy_seccomp_default(caps, arch, &s, &err);
	if (r < 0)
		fail_msg("policy_seccomp_default(%s): %s", arch ? arch : "(null)", err.msg);
	assert_non_null(s);
	return s;
}

static void test_equals_reference(void **state)
{
	(void)state;
	for (size_t c = 0; c < N_ELEMENTS(cap_sets); c++) {
		struct cinch_strv caps =
		    cap_sets[c].caps ? strv_of(cap_sets[c].caps) : (struct cinch_strv){0};
		const struct cinch_strv *cp = cap_sets[c].caps ? &caps : NULL;
		for (size_t a = 0; a < N_ELEMENTS(known_arches); a++) {
			const char *arch = known_arches[a];
			char where[128];
			struct cinch_seccomp *want = ref_resolve(cp, arch);
			struct cinch_seccomp *got = table_resolve(cp, arch);

			snprintf(where, sizeof(where), "caps %s, arch %s", cap_sets[c].name,
				 arch ? arch : "(default)");
			assert_non_null(want);
			same_profile(where, want, got);
			policy_seccomp_free(want);
			policy_seccomp_free(got);
		}
	}
}

static bool allows(const struct cinch_seccomp *s, const char *name)
{
	for (size_t i = 0; i < s->syscalls.len; i++) {
		const struct cinch_seccomp_syscall *c = &s->syscalls.items[i];
		if (strcmp(c->action, "SCMP_ACT_ALLOW") != 0 || c->args.len)
			continue;
		for (size_t j = 0; j < c->names.len; j++)
			if (strcmp(c->names.items[j], name) == 0)
				return true;
	}
	return false;
}

/* The conditions are really decided (the comparison alone would also pass
 * if both sides ignored them). */
static void test_conditions_decided(void **state)
{
	struct cinch_strv none = strv_of(no_caps), admin = strv_of(admin_only);
	struct cinch_strv docker = strv_of(docker_caps);
	struct cinch_seccomp *s;

	(void)state;
	s = table_resolve(&none, "x86_64");
	assert_false(allows(s, "mount"));
	assert_false(allows(s, "kcmp"));   /* CAP_SYS_PTRACE */
	assert_false(allows(s, "reboot")); /* CAP_SYS_BOOT */
	assert_true(allows(s, "read"));
	assert_true(allows(s, "modify_ldt")); /* includes arches amd64 */
	assert_int_equal(s->architectures.len, 3);
	same_str("x86_64", "architectures[0]", "SCMP_ARCH_X86_64", s->architectures.items[0]);
	same_str("x86_64", "default", "SCMP_ACT_ERRNO", s->default_action);
	policy_seccomp_free(s);

	s = table_resolve(&admin, "x86_64");
	assert_true(allows(s, "mount"));
	assert_true(allows(s, "setns"));
	assert_false(allows(s, "kcmp"));
	assert_false(allows(s, "cacheflush"));
	policy_seccomp_free(s);

	s = table_resolve(&docker, "aarch64");
	assert_false(allows(s, "modify_ldt"));
	assert_true(allows(s, "cacheflush")); /* includes arches aarch64 */
	assert_false(allows(s, "mount"));
	assert_true(allows(s, "chroot")); /* CAP_SYS_CHROOT */
	same_str("aarch64", "architectures[1]", "SCMP_ARCH_ARM", s->architectures.items[1]);
	policy_seccomp_free(s);

	s = table_resolve(&none, "s390x");
	assert_true(allows(s, "s390_runtime_instr"));
	policy_seccomp_free(s);
}

static void test_unknown_arch(void **state)
{
	static const char *const bad[] = {"sparc64", "", "X86_64", "SCMP_ARCH_X86_64"};
	struct cinch_strv docker = strv_of(docker_caps);

	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
		struct cinch_error err = {0};
		struct cinch_seccomp *s = NULL;
		char want[128];

		assert_null(ref_resolve(&docker, bad[i]));
		assert_int_equal(policy_seccomp_default(&docker, bad[i], &s, &err), -EINVAL);
		assert_null(s);
		assert_int_equal(err.code, EINVAL);
		snprintf(want, sizeof(want), "seccomp: no default profile for architecture \"%s\"",
			 bad[i]);
		assert_string_equal(err.msg, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_equals_reference),
	    cmocka_unit_test(test_conditions_decided),
	    cmocka_unit_test(test_unknown_arch),
	};
	return cmocka_run_group_tests(tests, load_doc, free_doc);
}
