/* SPDX-License-Identifier: Apache-2.0 */
/* The plan: an ordered list of cgroup interface-file writes. */
#include <errno.h>
#include <inttypes.h>
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

/* hugetlb.<size>.limit_in_bytes on v1, hugetlb.<size>.max on the unified
 * hierarchy; the page size becomes part of a file name, so it is checked. */
int cg_plan_hugetlb(const struct cinch_resources *r, enum cg_kind kind, struct cg_plan *plan,
		    struct cinch_error *err)
{
	const char *suffix = kind == CG_HIER_V1 ? "limit_in_bytes" : "max";

	for (size_t i = 0; i < r->hugepage_limits.len; i++) {
		const struct cinch_hugepage_limit *h = &r->hugepage_limits.items[i];
		char file[96];
		int ret;

		if (!h->page_size || !h->page_size[0] || strchr(h->page_size, '/') ||
		    strchr(h->page_size, '.') || strlen(h->page_size) > 32)
			return cinch_error_set(
			    err, EINVAL,
			    "linux.resources.hugepageLimits[%zu].pageSize: invalid "
			    "page size",
			    i);
		snprintf(file, sizeof(file), "hugetlb.%s.%s", h->page_size, suffix);
		ret = cg_plan_addf(plan, kind, "hugetlb", file, err, "%" PRIu64, h->limit);
		if (ret < 0)
			return ret;
	}
	return 0;
}
