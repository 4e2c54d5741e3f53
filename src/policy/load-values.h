/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Typed readers of policy-document JSON values, shared by the policy
 * loader: each checks the type and range and fails naming the origin, the
 * JSON path and the reason.
 */
#ifndef CINCH_POLICY_LOAD_VALUES_H
#define CINCH_POLICY_LOAD_VALUES_H

#include <stdbool.h>
#include <stdint.h>

#include <yajl/yajl_tree.h>

#include "policy-internal.h"

struct pload {
	const char *origin;
	struct cinch_error *err;
	struct cinch_policy *p;
};

static inline void yajl_tree_freep(yajl_val *v)
{
	if (*v)
		yajl_tree_free(*v);
}
#define _cleanup_yajl_ __attribute__((cleanup(yajl_tree_freep)))

enum item_check {
	ITEM_ANY,
	ITEM_ABSOLUTE, /* an absolute path */
	ITEM_CAP,      /* a capability name, normalized to CAP_X */
	ITEM_NS,       /* a namespace type name */
};

/* "<origin>: <path>: <reason>"; returns the negative errno recorded. */
int pload_fail(struct pload *ps, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *pload_type_name(yajl_val v);
int pload_oom(struct pload *ps);
int pload_expect(struct pload *ps, yajl_val v, const char *path, const char *want);
int pload_check_duplicates(struct pload *ps, yajl_val obj, const char *path);
int pload_get_u64(struct pload *ps, yajl_val v, const char *path, uint64_t *ret);
int pload_get_u32(struct pload *ps, yajl_val v, const char *path, uint32_t *ret);
int pload_get_i64(struct pload *ps, yajl_val v, const char *path, int64_t *ret);
int pload_get_bool(struct pload *ps, yajl_val v, const char *path, bool *ret);
int pload_get_string(struct pload *ps, yajl_val v, const char *path, char **ret);
int pload_get_list(struct pload *ps, yajl_val v, const char *path, enum item_check check,
		   struct pstrv *ret);
int pload_get_enum(struct pload *ps, yajl_val v, const char *path, const char *const *names,
		   int *ret);
int pload_parse_device(struct pload *ps, const char *s, const char *path, struct device_allow *d);

#endif
