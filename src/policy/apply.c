/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rewrite engine: runs every enabled rule, in a fixed order, over a copy
 * of the config (or of an exec process), implements the three modes in the
 * finding helpers, and turns the first refusal into the one summary line,
 * with a hint naming the most restrictive level that would allow it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

/* ---- findings: the three modes live here ---- */

int rule_oom(struct rule_ctx *rc)
{
	return cinch_error_set(rc->err, ENOMEM, "policy: out of memory");
}

struct cinch_linux *rule_spec_linux(struct cinch_spec *spec)
{
	if (!spec->linux_)
		spec->linux_ = calloc(1, sizeof(*spec->linux_));
	return spec->linux_;
}

int rule_add_namespace(struct rule_ctx *rc, enum cinch_ns_type type)
{
	struct cinch_linux *lx = rule_spec_linux(rc->spec);
	struct cinch_namespace *items;

	if (!lx)
		return rule_oom(rc);
	items = realloc(lx->namespaces.items, (lx->namespaces.len + 1) * sizeof(*items));
	if (!items)
		return rule_oom(rc);
	lx->namespaces.items = items;
	items[lx->namespaces.len++] = (struct cinch_namespace){.type = type};
	lx->namespaces.present = true;
	return 0;
}

static int add_finding(struct rule_ctx *rc, enum cinch_policy_action action, enum policy_rule rule,
		       const char *path, const char *before, const char *after, const char *fmt,
		       va_list ap) __attribute__((format(printf, 7, 0)));
static int add_finding(struct rule_ctx *rc, enum cinch_policy_action action, enum policy_rule rule,
		       const char *path, const char *before, const char *after, const char *fmt,
		       va_list ap)
{
	_cleanup_free_ char *reason = NULL;

	if (vasprintf(&reason, fmt, ap) < 0) {
		reason = NULL;
		return rule_oom(rc);
	}
	if (report_add(rc->report, action, policy_rule_name(rule), path, before, after, reason) < 0)
		return rule_oom(rc);
	return 0;
}

int rule_rewrite(struct rule_ctx *rc, enum policy_rule rule, const char *path, const char *before,
		 const char *after, const char *fmt, ...)
{
	enum cinch_policy_mode mode = rc->policy->mode;
	va_list ap;
	int r;

	va_start(ap, fmt);
	if (mode == CINCH_POLICY_REJECT)
		r = add_finding(rc, CINCH_POLICY_ACTION_REFUSE, rule, path, before, "refused", fmt,
				ap);
	else
		r = add_finding(rc, CINCH_POLICY_ACTION_REWRITE, rule, path, before, after, fmt,
				ap);
	va_end(ap);
	if (r < 0)
		return r;
	return mode == CINCH_POLICY_ENFORCE ? 1 : 0;
}

int rule_refuse(struct rule_ctx *rc, enum policy_rule rule, const char *path, const char *before,
		const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = add_finding(rc, CINCH_POLICY_ACTION_REFUSE, rule, path, before, "refused", fmt, ap);
	va_end(ap);
	return r;
}

int rule_note(struct rule_ctx *rc, enum policy_rule rule, const char *path, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = add_finding(rc, CINCH_POLICY_ACTION_NOTE, rule, path, "unchanged", "unchanged", fmt,
			ap);
	va_end(ap);
	return r;
}

/* ---- JSON text for before/after ---- */

static void json_escape(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

char *json_string(const char *s)
{
	char *buf = NULL;
	size_t len;
	FILE *f;

	if (!s)
		return strdup("absent");
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	json_escape(f, s);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *json_strv(const struct cinch_strv *v)
{
	char *buf = NULL;
	size_t len;
	FILE *f;

	if (!v || !v->present)
		return strdup("absent");
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fputc('[', f);
	for (size_t i = 0; i < v->len; i++) {
		if (i)
			fputc(',', f);
		json_escape(f, v->items[i]);
	}
	fputc(']', f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *json_fmt(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

/* ---- strv helpers on the spec model (heap strings, NULL-terminated) ---- */

int strv_add(struct cinch_strv *v, const char *s)
{
	char **n = realloc(v->items, (v->len + 2) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	v->items = n;
	n[v->len] = strdup(s);
	if (!n[v->len]) {
		n[v->len] = NULL;
		return -ENOMEM;
	}
	n[++v->len] = NULL;
	v->present = true;
	return 0;
}

void strv_remove_at(struct cinch_strv *v, size_t i)
{
	free(v->items[i]);
	memmove(&v->items[i], &v->items[i + 1], (v->len - i) * sizeof(*v->items));
	v->len--;
}

int strv_copy(struct cinch_strv *dst, const struct cinch_strv *src)
{
	*dst = (struct cinch_strv){0};
	for (size_t i = 0; i < src->len; i++)
		if (strv_add(dst, src->items[i]) < 0)
			return -ENOMEM;
	dst->present = src->present;
	return 0;
}

/* ---- running the rules ---- */

typedef int (*rule_fn)(struct rule_ctx *rc);

static const rule_fn container_rules[RULE_COUNT] = {
    [RULE_NAMESPACES] = policy_rule_namespaces,
    [RULE_USER] = policy_rule_user,
    [RULE_CAPABILITIES] = policy_rule_capabilities,
    [RULE_NO_NEW_PRIVILEGES] = policy_rule_no_new_privileges,
    [RULE_SECCOMP] = policy_rule_seccomp,
    [RULE_APPARMOR] = policy_rule_apparmor,
    [RULE_READ_ONLY_ROOT] = policy_rule_read_only_root,
    [RULE_MOUNTS] = policy_rule_mounts,
    [RULE_MASKED_PATHS] = policy_rule_masked_paths,
    [RULE_DEVICES] = policy_rule_devices,
    [RULE_SYSCTLS] = policy_rule_sysctls,
    [RULE_RESOURCES] = policy_rule_resources,
    [RULE_RLIMITS] = policy_rule_rlimits,
    [RULE_HOOKS] = policy_rule_hooks,
    [RULE_PERSONALITY] = policy_rule_personality,
    [RULE_SCHEDULER] = policy_rule_scheduler,
    [RULE_IO_PRIORITY] = policy_rule_io_priority,
    [RULE_OOM_SCORE_ADJ] = policy_rule_oom_score_adj,
};

/* The rules that concern a process (exec keeps the container's seccomp,
 * namespaces, mounts and cgroup). */
static const rule_fn exec_rules[RULE_COUNT] = {
    [RULE_USER] = policy_rule_user,
    [RULE_CAPABILITIES] = policy_rule_capabilities,
    [RULE_NO_NEW_PRIVILEGES] = policy_rule_no_new_privileges,
    [RULE_APPARMOR] = policy_rule_apparmor,
    [RULE_RLIMITS] = policy_rule_rlimits,
    [RULE_SCHEDULER] = policy_rule_scheduler,
    [RULE_IO_PRIORITY] = policy_rule_io_priority,
    [RULE_OOM_SCORE_ADJ] = policy_rule_oom_score_adj,
};

static int run_rules(struct rule_ctx *rc)
{
	const rule_fn *table = rc->exec ? exec_rules : container_rules;

	for (int i = 0; i < RULE_COUNT; i++) {
		int r;
		if (!rc->policy->enabled[i] || !table[i])
			continue;
		r = table[i](rc);
		if (r < 0)
			return r;
	}
	return 0;
}

static const struct cinch_policy_context default_ctx = {.arch = "x86_64"};

static int clone_process(const struct cinch_process *in, struct cinch_process **ret,
			 struct cinch_error *err)
{
	struct cinch_spec tmp = {.oci_version = (char *)CINCH_OCI_VERSION,
				 .process = (struct cinch_process *)in};
	struct cinch_spec *copy = NULL;
	int r = cinch_spec_clone(&tmp, &copy, err);

	if (r < 0)
		return r;
	*ret = steal_pointer(&copy->process);
	cinch_spec_free(copy);
	return 0;
}

/* One pass: `*spec_io` / `*proc_io` are rewritten in place. */
static int apply_once(const struct cinch_policy *policy, struct cinch_spec *spec,
		      const struct cinch_spec *container, struct cinch_process *process,
		      const struct cinch_policy_context *ctx, struct cinch_policy_report **ret,
		      struct cinch_error *err)
{
	struct cinch_policy_report *report = NULL;
	struct rule_ctx rc = {
	    .policy = policy,
	    .host = ctx ? ctx : &default_ctx,
	    .spec = spec,
	    .container = container,
	    .process = spec ? spec->process : process,
	    .proc_path = spec ? ".process" : "",
	    .exec = spec == NULL,
	    .err = err,
	};
	int r;

	if (report_new(policy, rc.exec, &report) < 0)
		return cinch_error_set(err, ENOMEM, "policy: out of memory");
	rc.report = report;
	r = run_rules(&rc);
	if (r < 0) {
		cinch_policy_report_free(report);
		return r;
	}
	*ret = report;
	return 0;
}

/* Does the rule `rule` still refuse `in` under the built-in `level`? */
static int level_frees(enum cinch_policy_level level, const char *rule,
		       const struct cinch_spec *in_spec, const struct cinch_spec *container,
		       const struct cinch_process *in_proc, const struct cinch_policy_context *ctx,
		       bool *ret)
{
	struct cinch_policy *p = NULL;
	struct cinch_policy_report *rep = NULL;
	struct cinch_spec *spec = NULL;
	struct cinch_process *proc = NULL;
	struct cinch_error e = {0};
	int r;

	r = cinch_policy_builtin(level, &p, &e);
	if (r < 0)
		return r;
	if (in_spec)
		r = cinch_spec_clone(in_spec, &spec, &e);
	else
		r = clone_process(in_proc, &proc, &e);
	if (r == 0)
		r = apply_once(p, spec, container, proc, ctx, &rep, &e);
	if (r == 0) {
		*ret = true;
		for (size_t i = 0; i < rep->len; i++)
			if (rep->items[i].action == CINCH_POLICY_ACTION_REFUSE &&
			    strcmp(rep->items[i].rule, rule) == 0)
				*ret = false;
	}
	cinch_policy_report_free(rep);
	cinch_spec_free(spec);
	cinch_process_free(proc);
	cinch_policy_free(p);
	return r;
}

static int build_hint(const struct cinch_policy *policy, const struct cinch_policy_report *report,
		      const struct cinch_spec *in_spec, const struct cinch_spec *container,
		      const struct cinch_process *in_proc, const struct cinch_policy_context *ctx,
		      char **ret)
{
	const struct policy_finding_store *first = report_first_refusal(report);

	*ret = NULL;
	if (!first)
		return 0;
	/* From the next level down: the most restrictive level that allows it. */
	for (int lv = (int)policy->level - 1; lv >= 0; lv--) {
		bool frees = false;
		int r = level_frees((enum cinch_policy_level)lv, first->rule, in_spec, container,
				    in_proc, ctx, &frees);
		if (r < 0)
			return r == -ENOMEM ? r : 0; /* no hint rather than a wrong one */
		if (!frees)
			continue;
		if (cinch_policy_allows_level(policy, (enum cinch_policy_level)lv))
			r = asprintf(ret, "allow it with level %s via annotation %s",
				     cinch_policy_level_name((enum cinch_policy_level)lv),
				     CINCH_POLICY_ANNOTATION);
		else
			r = asprintf(ret,
				     "level %s would allow it, but the host policy does not let "
				     "containers ask for it with annotation %s",
				     cinch_policy_level_name((enum cinch_policy_level)lv),
				     CINCH_POLICY_ANNOTATION);
		if (r < 0) {
			*ret = NULL;
			return -ENOMEM;
		}
		return 0;
	}
	return 0;
}

static int finish(const struct cinch_policy *policy, struct cinch_policy_report *report,
		  const struct cinch_spec *in_spec, const struct cinch_spec *container,
		  const struct cinch_process *in_proc, const struct cinch_policy_context *ctx,
		  struct cinch_error *err)
{
	_cleanup_free_ char *hint = NULL;

	/* A hint only makes sense where rewrites happen: in reject mode the
	 * fix for most refusals is the config, not another level. */
	if (policy->mode == CINCH_POLICY_ENFORCE && cinch_policy_report_refused(report) &&
	    build_hint(policy, report, in_spec, container, in_proc, ctx, &hint) < 0)
		return cinch_error_set(err, ENOMEM, "policy: out of memory");
	if (report_build_summary(report, hint) < 0)
		return cinch_error_set(err, ENOMEM, "policy: out of memory");
	return 0;
}

/* Gives the report to the caller (or frees it); a refusal becomes -EPERM
 * with the report's one-line summary in err. */
static int hand_over_report(struct cinch_policy_report *rep, struct cinch_policy_report **report,
			    struct cinch_error *err)
{
	int r = 0;

	if (cinch_policy_report_refused(rep))
		r = cinch_error_set(err, EPERM, "%s", cinch_policy_report_summary(rep));
	if (report)
		*report = rep;
	else
		cinch_policy_report_free(rep);
	return r;
}

int cinch_policy_apply(const struct cinch_policy *policy, const struct cinch_spec *in,
		       const struct cinch_policy_context *ctx, struct cinch_spec **out,
		       struct cinch_policy_report **report, struct cinch_error *err)
{
	struct cinch_spec *spec = NULL;
	struct cinch_policy_report *rep = NULL;
	int r;

	r = cinch_spec_clone(in, &spec, err);
	if (r < 0)
		return r;
	r = apply_once(policy, spec, NULL, NULL, ctx, &rep, err);
	if (r == 0)
		r = finish(policy, rep, in, NULL, NULL, ctx, err);
	if (r < 0) {
		cinch_spec_free(spec);
		cinch_policy_report_free(rep);
		return r;
	}
	r = hand_over_report(rep, report, err);
	if (r < 0) {
		cinch_spec_free(spec);
		return r;
	}
	*out = spec;
	return 0;
}

int cinch_policy_apply_exec(const struct cinch_policy *policy, const struct cinch_spec *container,
			    const struct cinch_process *in, const struct cinch_policy_context *ctx,
			    struct cinch_process **out, struct cinch_policy_report **report,
			    struct cinch_error *err)
{
	struct cinch_process *proc = NULL;
	struct cinch_policy_report *rep = NULL;
	int r;

	r = clone_process(in, &proc, err);
	if (r < 0)
		return r;
	r = apply_once(policy, NULL, container, proc, ctx, &rep, err);
	if (r == 0)
		r = finish(policy, rep, NULL, container, in, ctx, err);
	if (r < 0) {
		cinch_process_free(proc);
		cinch_policy_report_free(rep);
		return r;
	}
	r = hand_over_report(rep, report, err);
	if (r < 0) {
		cinch_process_free(proc);
		return r;
	}
	*out = proc;
	return 0;
}
