/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy reports: the list of findings of one apply, its summary line, and
 * its JSON and text renderings. Pure data; saving is in report_file.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

int report_new(const struct cinch_policy *p, bool exec, struct cinch_policy_report **ret)
{
	struct cinch_policy_report *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->level = p->level;
	r->mode = p->mode;
	r->exec = exec;
	r->origin = strdup(cinch_policy_get_origin(p));
	if (!r->origin) {
		free(r);
		return -ENOMEM;
	}
	*ret = r;
	return 0;
}

static void finding_free(struct policy_finding_store *f)
{
	free(f->rule);
	free(f->path);
	free(f->before);
	free(f->after);
	free(f->reason);
}

void cinch_policy_report_free(struct cinch_policy_report *report)
{
	if (!report)
		return;
	for (size_t i = 0; i < report->len; i++)
		finding_free(&report->items[i]);
	free(report->items);
	free(report->views);
	free(report->origin);
	free(report->summary);
	free(report);
}

int report_add(struct cinch_policy_report *r, enum cinch_policy_action action, const char *rule,
	       const char *path, const char *before, const char *after, const char *reason)
{
	struct policy_finding_store f = {.action = action};
	struct policy_finding_store *items;
	struct cinch_policy_finding *views;

	f.rule = strdup(rule);
	f.path = strdup(path);
	f.before = strdup(before ? before : "absent");
	f.after = strdup(after ? after : "absent");
	f.reason = strdup(reason);
	if (!f.rule || !f.path || !f.before || !f.after || !f.reason)
		goto oom;
	items = realloc(r->items, (r->len + 1) * sizeof(*items));
	if (!items)
		goto oom;
	r->items = items;
	views = realloc(r->views, (r->len + 1) * sizeof(*views));
	if (!views)
		goto oom;
	r->views = views;
	r->items[r->len++] = f;
	/* The public views point into the stored strings. */
	for (size_t i = 0; i < r->len; i++)
		r->views[i] = (struct cinch_policy_finding){
		    .rule = r->items[i].rule,
		    .path = r->items[i].path,
		    .before = r->items[i].before,
		    .after = r->items[i].after,
		    .reason = r->items[i].reason,
		    .action = r->items[i].action,
		};
	return 0;
oom:
	finding_free(&f);
	return -ENOMEM;
}

size_t cinch_policy_report_count(const struct cinch_policy_report *report)
{
	return report->len;
}

const struct cinch_policy_finding *cinch_policy_report_get(const struct cinch_policy_report *report,
							   size_t index)
{
	return index < report->len ? &report->views[index] : NULL;
}

const struct policy_finding_store *report_first_refusal(const struct cinch_policy_report *r)
{
	for (size_t i = 0; i < r->len; i++)
		if (r->items[i].action == CINCH_POLICY_ACTION_REFUSE)
			return &r->items[i];
	return NULL;
}

static size_t count_action(const struct cinch_policy_report *r, enum cinch_policy_action a)
{
	size_t n = 0;
	for (size_t i = 0; i < r->len; i++)
		n += r->items[i].action == a;
	return n;
}

bool cinch_policy_report_refused(const struct cinch_policy_report *report)
{
	/* In audit mode a refusal is recorded but never takes effect. */
	return report->mode != CINCH_POLICY_AUDIT && report_first_refusal(report) != NULL;
}

bool cinch_policy_report_compliant(const struct cinch_policy_report *report)
{
	return count_action(report, CINCH_POLICY_ACTION_REFUSE) == 0 &&
	       count_action(report, CINCH_POLICY_ACTION_REWRITE) == 0;
}

static const char *result_name(const struct cinch_policy_report *r)
{
	if (cinch_policy_report_compliant(r))
		return "compliant";
	if (r->mode == CINCH_POLICY_AUDIT)
		return "audited";
	if (cinch_policy_report_refused(r))
		return "refused";
	return "rewritten";
}

const char *cinch_policy_report_summary(const struct cinch_policy_report *report)
{
	return report->summary ? report->summary : "";
}

int report_build_summary(struct cinch_policy_report *r, const char *hint)
{
	const struct policy_finding_store *first = report_first_refusal(r);
	size_t refusals = count_action(r, CINCH_POLICY_ACTION_REFUSE);
	size_t rewrites = count_action(r, CINCH_POLICY_ACTION_REWRITE);
	const char *level = cinch_policy_level_name(r->level);
	char *s = NULL;
	int n;

	if (first && r->mode != CINCH_POLICY_AUDIT) {
		char more[64] = "";
		if (refusals > 1)
			snprintf(more, sizeof(more), "; and %zu more violation%s", refusals - 1,
				 refusals > 2 ? "s" : "");
		n = asprintf(&s, "policy %s refused: %s: %s%s%s%s%s", level, first->rule,
			     first->reason, hint ? " (" : "", hint ? hint : "", hint ? ")" : "",
			     more);
	} else if (r->mode == CINCH_POLICY_AUDIT) {
		n = asprintf(&s, "policy %s (audit): %zu change%s and %zu violation%s not applied",
			     level, rewrites, rewrites == 1 ? "" : "s", refusals,
			     refusals == 1 ? "" : "s");
	} else if (rewrites) {
		n = asprintf(&s, "policy %s: %zu change%s applied", level, rewrites,
			     rewrites == 1 ? "" : "s");
	} else {
		n = asprintf(&s, "policy %s: compliant", level);
	}
	if (n < 0)
		return -ENOMEM;
	free(r->summary);
	r->summary = s;
	return 0;
}

static const char *action_name(enum cinch_policy_action a)
{
	switch (a) {
	case CINCH_POLICY_ACTION_REWRITE:
		return "rewrite";
	case CINCH_POLICY_ACTION_REFUSE:
		return "refuse";
	case CINCH_POLICY_ACTION_NOTE:
		return "note";
	default:
		return "unknown";
	}
}

static void gen_free(yajl_gen *g)
{
	if (*g)
		yajl_gen_free(*g);
}

static int gen_str(yajl_gen g, const char *s)
{
	return yajl_gen_string(g, (const unsigned char *)s, strlen(s)) == yajl_gen_status_ok
		   ? 0
		   : -ENOMEM;
}

static int gen_kv(yajl_gen g, const char *k, const char *v)
{
	if (gen_str(g, k) < 0)
		return -ENOMEM;
	return gen_str(g, v);
}

/* The JSON document (pretty) or one audit line (id/event/time set). */
int report_generate(const struct cinch_policy_report *r, bool pretty, bool one_line, const char *id,
		    const char *event, const char *time, char **ret, size_t *ret_len)
{
	__attribute__((cleanup(gen_free))) yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	int e = 0;
	char *out;

	if (!g)
		return -ENOMEM;
	yajl_gen_config(g, yajl_gen_beautify, pretty && !one_line);
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	e |= yajl_gen_map_open(g) != yajl_gen_status_ok;
	if (time)
		e |= gen_kv(g, "time", time);
	if (id)
		e |= gen_kv(g, "id", id);
	if (event)
		e |= gen_kv(g, "event", event);
	e |= gen_kv(g, "level", cinch_policy_level_name(r->level));
	e |= gen_kv(g, "mode", cinch_policy_mode_name(r->mode));
	e |= gen_kv(g, "origin", r->origin);
	e |= gen_kv(g, "target", r->exec ? "exec" : "container");
	e |= gen_kv(g, "result", result_name(r));
	e |= gen_kv(g, "summary", cinch_policy_report_summary(r));
	e |= gen_str(g, "findings");
	e |= yajl_gen_array_open(g) != yajl_gen_status_ok;
	for (size_t i = 0; i < r->len; i++) {
		const struct policy_finding_store *f = &r->items[i];
		e |= yajl_gen_map_open(g) != yajl_gen_status_ok;
		e |= gen_kv(g, "rule", f->rule);
		e |= gen_kv(g, "path", f->path);
		e |= gen_kv(g, "action", action_name(f->action));
		e |= gen_kv(g, "before", f->before);
		e |= gen_kv(g, "after", f->after);
		e |= gen_kv(g, "reason", f->reason);
		e |= yajl_gen_map_close(g) != yajl_gen_status_ok;
	}
	e |= yajl_gen_array_close(g) != yajl_gen_status_ok;
	e |= yajl_gen_map_close(g) != yajl_gen_status_ok;
	if (e || yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		return -EINVAL; /* invalid UTF-8 in a finding, or ENOMEM */
	out = malloc(len + 2);
	if (!out)
		return -ENOMEM;
	memcpy(out, buf, len);
	/* Pretty documents and audit lines end with a newline. */
	if (len == 0 || out[len - 1] != '\n')
		out[len++] = '\n';
	out[len] = '\0';
	*ret = out;
	if (ret_len)
		*ret_len = len;
	return 0;
}

int cinch_policy_report_to_json(const struct cinch_policy_report *report, bool pretty, char **ret,
				size_t *ret_len, struct cinch_error *err)
{
	int r = report_generate(report, pretty, false, NULL, NULL, NULL, ret, ret_len);
	if (r < 0)
		return cinch_error_set(err, -r, "policy report: cannot render JSON%s",
				       r == -EINVAL ? " (invalid UTF-8 in a finding)" : "");
	return 0;
}

int cinch_policy_report_to_text(const struct cinch_policy_report *report, char **ret,
				struct cinch_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return cinch_error_set(err, ENOMEM, "policy report: out of memory");
	for (size_t i = 0; i < report->len; i++) {
		const struct policy_finding_store *x = &report->items[i];
		if (x->action == CINCH_POLICY_ACTION_NOTE)
			fprintf(f, "note     %-16s %s: %s\n", x->rule, x->path, x->reason);
		else
			fprintf(f, "%-8s %-16s %s: %s -> %s (%s)\n", action_name(x->action),
				x->rule, x->path, x->before, x->after, x->reason);
	}
	fprintf(f, "%s\n", cinch_policy_report_summary(report));
	if (fclose(f) != 0) {
		free(buf);
		return cinch_error_set(err, ENOMEM, "policy report: out of memory");
	}
	*ret = buf;
	return 0;
}
