/* SPDX-License-Identifier: Apache-2.0 */
/* Typed readers of policy-document JSON values (see load-values.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "load-values.h"

const char *pload_type_name(yajl_val v)
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

int pload_fail(struct pload *ps, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cinch_error_set(ps->err, EINVAL, "%s: %s: %s", ps->origin, path, msg);
}

int pload_oom(struct pload *ps)
{
	return cinch_error_set(ps->err, ENOMEM, "%s: out of memory", ps->origin);
}

int pload_expect(struct pload *ps, yajl_val v, const char *path, const char *want)
{
	if (strcmp(pload_type_name(v), want) == 0)
		return 0;
	if (strcmp(want, "boolean") == 0 && (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)))
		return 0;
	return pload_fail(ps, path, "expected %s, got %s", want, pload_type_name(v));
}

int pload_check_duplicates(struct pload *ps, yajl_val obj, const char *path)
{
	for (size_t i = 0; i < obj->u.object.len; i++)
		for (size_t j = i + 1; j < obj->u.object.len; j++)
			if (strcmp(obj->u.object.keys[i], obj->u.object.keys[j]) == 0)
				return pload_fail(ps, path, "duplicate key \"%s\"",
						  obj->u.object.keys[i]);
	return 0;
}

int pload_get_u64(struct pload *ps, yajl_val v, const char *path, uint64_t *ret)
{
	int r = pload_expect(ps, v, path, "number");
	if (r < 0)
		return r;
	if (!(v->u.number.flags & YAJL_NUMBER_INT_VALID) || v->u.number.i < 0)
		return pload_fail(ps, path, "expected a non-negative integer, got %s",
				  v->u.number.r);
	*ret = (uint64_t)v->u.number.i;
	return 0;
}

int pload_get_u32(struct pload *ps, yajl_val v, const char *path, uint32_t *ret)
{
	uint64_t u = 0;
	int r = pload_get_u64(ps, v, path, &u);
	if (r < 0)
		return r;
	if (u > UINT32_MAX)
		return pload_fail(ps, path, "%" PRIu64 " is out of range", u);
	*ret = (uint32_t)u;
	return 0;
}

int pload_get_i64(struct pload *ps, yajl_val v, const char *path, int64_t *ret)
{
	uint64_t u = 0;
	int r = pload_get_u64(ps, v, path, &u);
	if (r < 0)
		return r;
	*ret = (int64_t)u;
	return 0;
}

int pload_get_bool(struct pload *ps, yajl_val v, const char *path, bool *ret)
{
	int r = pload_expect(ps, v, path, "boolean");
	if (r < 0)
		return r;
	*ret = YAJL_IS_TRUE(v);
	return 0;
}

int pload_get_string(struct pload *ps, yajl_val v, const char *path, char **ret)
{
	char *s;
	int r = pload_expect(ps, v, path, "string");
	if (r < 0)
		return r;
	s = strdup(v->u.string);
	if (!s)
		return pload_oom(ps);
	free(*ret);
	*ret = s;
	return 0;
}

/* Replaces *ret with the array at v (settings are replaced, never merged). */
/* Why item s (already known to be a string) is unacceptable, or NULL; the
 * reason goes into buf when it quotes the item. -ENOMEM via *oom. */
static const char *list_item_problem(const char *s, enum item_check check, const struct pstrv *seen,
				     char **norm, bool *oom, char *buf, size_t size)
{
	enum cinch_ns_type t;
	int r;

	if (s[0] == '\0')
		return "empty string";
	if (check == ITEM_ABSOLUTE && s[0] != '/') {
		snprintf(buf, size, "\"%s\" is not an absolute path", s);
		return buf;
	}
	if (check == ITEM_CAP) {
		r = policy_cap_normalize(s, norm);
		*oom = r == -ENOMEM;
		if (r < 0) {
			snprintf(buf, size, "unknown capability \"%s\"", s);
			return buf;
		}
		s = *norm;
	}
	if (check == ITEM_NS) {
		if (cinch_ns_type_from_name(s, &t) < 0) {
			snprintf(buf, size, "unknown namespace type \"%s\"", s);
			return buf;
		}
		if (t == CINCH_NS_USER)
			return "the user namespace is chosen by rules.user.strategy \"userns\"";
	}
	if (pstrv_contains(seen, s)) {
		snprintf(buf, size, "\"%s\" is listed twice", s);
		return buf;
	}
	return NULL;
}

/* The item's JSON path is formatted only when it is reported: lists are
 * parsed on every create (the built-in level), and the snprintf per item
 * was a quarter of the policy's load. */
int pload_get_list(struct pload *ps, yajl_val v, const char *path, enum item_check check,
		   struct pstrv *ret)
{
	struct pstrv list = {0};
	int r = pload_expect(ps, v, path, "array");

	if (r < 0)
		return r;
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val it = v->u.array.values[i];
		_cleanup_free_ char *norm = NULL;
		const char *problem = NULL;
		char ipath[512], reason[600];
		bool oom = false;

		if (!YAJL_IS_STRING(it)) {
			snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
			r = pload_expect(ps, it, ipath, "string");
			goto fail;
		}
		problem = list_item_problem(it->u.string, check, &list, &norm, &oom, reason,
					    sizeof(reason));
		if (oom) {
			r = pload_oom(ps);
			goto fail;
		}
		if (problem) {
			snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
			r = pload_fail(ps, ipath, "%s", problem);
			goto fail;
		}
		if (pstrv_append(&list, norm ? norm : it->u.string) < 0) {
			r = pload_oom(ps);
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

int pload_get_enum(struct pload *ps, yajl_val v, const char *path, const char *const *names,
		   int *ret)
{
	int r = pload_expect(ps, v, path, "string");
	if (r < 0)
		return r;
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], v->u.string) == 0) {
			*ret = i;
			return 0;
		}
	return pload_fail(ps, path, "unknown value \"%s\"", v->u.string);
}

int pload_parse_device(struct pload *ps, const char *s, const char *path, struct device_allow *d)
{
	char type;
	char minor[32];
	long long major;
	int n = 0;

	if (sscanf(s, "%c %lld:%31s%n", &type, &major, minor, &n) != 3 || s[n] != '\0' ||
	    (type != 'c' && type != 'b') || major < 0)
		return pload_fail(ps, path, "\"%s\" is not \"c|b MAJOR:MINOR|*\"", s);
	d->type = type;
	d->major = major;
	if (strcmp(minor, "*") == 0) {
		d->minor = -1;
	} else {
		char *end;
		long long m = strtoll(minor, &end, 10);
		if (*end || m < 0)
			return pload_fail(ps, path, "\"%s\" is not \"c|b MAJOR:MINOR|*\"", s);
		d->minor = m;
	}
	return 0;
}

/* One settings key of one rule. */