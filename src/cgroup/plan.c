/* SPDX-License-Identifier: Apache-2.0 */
/* The plan: an ordered list of cgroup interface-file writes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "src/cgroup/internal.h"

static void write_clear(struct cg_write *w)
{
	free(w->controller);
	free(w->file);
	free(w->value);
	free(w->alt_file);
	free(w->alt_value);
}

void cg_plan_free(struct cg_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->len; i++)
		write_clear(&plan->items[i]);
	free(plan->items);
	free(plan->dev_rules);
	plan->items = NULL;
	plan->len = 0;
	plan->dev_rules = NULL;
	plan->n_dev_rules = 0;
	plan->devices = false;
}

int cg_plan_add(struct cg_plan *plan, enum cg_kind kind, const char *controller, const char *file,
		const char *value, struct cinch_error *err)
{
	struct cg_write *items, *w;

	items = realloc(plan->items, (plan->len + 1) * sizeof(*items));
	if (!items)
		return cinch_error_errno(err, ENOMEM, "cgroup plan");
	plan->items = items;
	w = &items[plan->len];
	memset(w, 0, sizeof(*w));
	w->kind = kind;
	w->controller = strdup(controller);
	w->file = strdup(file);
	w->value = strdup(value);
	if (!w->controller || !w->file || !w->value) {
		write_clear(w);
		return cinch_error_errno(err, ENOMEM, "cgroup plan");
	}
	plan->len++;
	return 0;
}

int cg_plan_addf(struct cg_plan *plan, enum cg_kind kind, const char *controller, const char *file,
		 struct cinch_error *err, const char *fmt, ...)
{
	_cleanup_free_ char *value = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&value, fmt, ap);
	va_end(ap);
	if (r < 0) {
		value = NULL;
		return cinch_error_errno(err, ENOMEM, "cgroup plan");
	}
	return cg_plan_add(plan, kind, controller, file, value, err);
}

struct cg_write *cg_plan_last(struct cg_plan *plan)
{
	return plan->len ? &plan->items[plan->len - 1] : NULL;
}

const struct cg_write *cg_plan_find(const struct cg_plan *plan, const char *file)
{
	/* The last write wins, as it would on the filesystem. */
	for (size_t i = plan->len; i > 0; i--)
		if (strcmp(plan->items[i - 1].file, file) == 0)
			return &plan->items[i - 1];
	return NULL;
}

int cg_plan_set_alt(struct cg_plan *plan, const char *alt_file, const char *alt_value,
		    struct cinch_error *err)
{
	struct cg_write *w = cg_plan_last(plan);

	if (!w)
		return cinch_error_set(err, EINVAL, "cgroup plan: no write to attach %s to",
				       alt_file);
	w->alt_file = strdup(alt_file);
	w->alt_value = strdup(alt_value);
	if (!w->alt_file || !w->alt_value)
		return cinch_error_errno(err, ENOMEM, "cgroup plan");
	return 0;
}
