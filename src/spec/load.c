/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table interpreter for loading: walks a yajl tree against a
 * struct spec_object and fills the C struct. Strict on types and integer
 * ranges, rejects duplicate keys, ignores unknown properties (the spec
 * requires tolerance), treats JSON null as "absent" (as Go engines'
 * encoders and decoders do). Every failure names the JSON path.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "spec-internal.h"

int spec_load_fail(struct load_ctx *ctx, const char *fmt, ...)
{
	char reason[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return cinch_error_set(ctx->err, EINVAL, "%s: %s: %s", ctx->origin,
			       spec_path_str(&ctx->path), reason);
}

static int oom(struct load_ctx *ctx)
{
	return cinch_error_set(ctx->err, ENOMEM, "%s: %s: out of memory", ctx->origin,
			       spec_path_str(&ctx->path));
}

/* A number literal without fraction or exponent. */
static bool is_integer_literal(const char *r)
{
	return r && !strpbrk(r, ".eE");
}

static const char *type_name(yajl_val v)
{
	switch (v->type) {
	case yajl_t_string:
		return "string";
	case yajl_t_number:
		return is_integer_literal(v->u.number.r) ? "integer" : "number";
	case yajl_t_object:
		return "object";
	case yajl_t_array:
		return "array";
	case yajl_t_true:
	case yajl_t_false:
		return "boolean";
	case yajl_t_null:
		return "null";
	case yajl_t_any:
	default:
		return "unknown";
	}
}

static int type_error(struct load_ctx *ctx, const char *expected, yajl_val v)
{
	return spec_load_fail(ctx, "expected %s, got %s", expected, type_name(v));
}

static int get_string(struct load_ctx *ctx, yajl_val v, char **ret)
{
	char *s;

	if (!YAJL_IS_STRING(v))
		return type_error(ctx, "string", v);
	s = strdup(v->u.string);
	if (!s)
		return oom(ctx);
	*ret = s;
	return 0;
}

static int get_bool(struct load_ctx *ctx, yajl_val v, bool *ret)
{
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return type_error(ctx, "boolean", v);
	*ret = YAJL_IS_TRUE(v);
	return 0;
}

static int get_integer(struct load_ctx *ctx, yajl_val v)
{
	if (!YAJL_IS_NUMBER(v) || !is_integer_literal(v->u.number.r))
		return type_error(ctx, "integer", v);
	return 0;
}

/* yajl leaves INT_VALID unset when the literal does not fit a long long. */
static int get_i64(struct load_ctx *ctx, yajl_val v, int64_t *ret)
{
	int r = get_integer(ctx, v);

	if (r < 0)
		return r;
	if (!(v->u.number.flags & YAJL_NUMBER_INT_VALID))
		return spec_load_fail(ctx, "integer out of range for int64");
	*ret = v->u.number.i;
	return 0;
}

/* Parsed from the literal, because yajl stops at INT64_MAX and
 * RLIM_INFINITY (18446744073709551615) is a real value engines send. */
static int get_u64(struct load_ctx *ctx, yajl_val v, uint64_t *ret)
{
	const char *lit;
	char *end;
	uint64_t n;
	int r = get_integer(ctx, v);

	if (r < 0)
		return r;
	lit = v->u.number.r;
	if (lit[0] == '-') {
		if ((v->u.number.flags & YAJL_NUMBER_INT_VALID) && v->u.number.i == 0) {
			*ret = 0; /* "-0" */
			return 0;
		}
		return spec_load_fail(ctx, "negative value %.32s for uint64", lit);
	}
	errno = 0;
	n = strtoull(lit, &end, 10);
	if (errno == ERANGE || *end != '\0')
		return spec_load_fail(ctx, "integer out of range for uint64");
	*ret = n;
	return 0;
}

static int get_u32(struct load_ctx *ctx, yajl_val v, uint32_t *ret)
{
	uint64_t n;
	int r = get_integer(ctx, v);

	if (r < 0)
		return r;
	if (v->u.number.r[0] == '-' &&
	    !((v->u.number.flags & YAJL_NUMBER_INT_VALID) && v->u.number.i == 0))
		return spec_load_fail(ctx, "negative value %.32s for uint32", v->u.number.r);
	r = get_u64(ctx, v, &n);
	if (r < 0)
		return spec_load_fail(ctx, "integer out of range for uint32");
	if (n > UINT32_MAX)
		return spec_load_fail(ctx, "value %" PRIu64 " out of range for uint32 (max %u)", n,
				      UINT32_MAX);
	*ret = (uint32_t)n;
	return 0;
}

static int get_allowed_string(struct load_ctx *ctx, yajl_val v, const struct spec_field *f,
			      char **ret)
{
	char quoted[128];
	char allowed[256] = "";
	size_t i;

	if (!YAJL_IS_STRING(v))
		return type_error(ctx, "string", v);
	for (i = 0; f->values[i]; i++)
		if (strcmp(f->values[i], v->u.string) == 0)
			return get_string(ctx, v, ret);
	for (i = 0; f->values[i]; i++) {
		size_t used = strlen(allowed);

		snprintf(allowed + used, sizeof(allowed) - used, "%s%s", i ? ", " : "",
			 f->values[i]);
	}
	spec_quote(quoted, sizeof(quoted), v->u.string, 32);
	return spec_load_fail(ctx, "invalid value %s (expected one of: %s)", quoted, allowed);
}

static int get_enum(struct load_ctx *ctx, yajl_val v, const struct spec_field *f, int *ret)
{
	char quoted[128];
	size_t i;

	if (!YAJL_IS_STRING(v))
		return type_error(ctx, "string", v);
	for (i = 0; i < f->n_values; i++)
		if (strcmp(f->values[i], v->u.string) == 0) {
			*ret = (int)i;
			return 0;
		}
	spec_quote(quoted, sizeof(quoted), v->u.string, 32);
	return spec_load_fail(ctx, "unknown value %s", quoted);
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Two members with one name would let a reader and a checker disagree on
 * which one counts; reject them. Sorting keeps large maps O(n log n). */
static int check_duplicate_keys(struct load_ctx *ctx, yajl_val obj)
{
	const char **keys = (const char **)obj->u.object.keys;
	size_t n = obj->u.object.len, i, j;
	_cleanup_free_ const char **sorted = NULL;
	const char *dup = NULL;
	char quoted[160];

	if (n < 2)
		return 0;
	if (n <= 16) {
		for (i = 0; i < n && !dup; i++)
			for (j = i + 1; j < n; j++)
				if (strcmp(keys[i], keys[j]) == 0) {
					dup = keys[i];
					break;
				}
	} else {
		sorted = malloc(n * sizeof(*sorted));
		if (!sorted)
			return oom(ctx);
		memcpy(sorted, keys, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), key_cmp);
		for (i = 1; i < n && !dup; i++)
			if (strcmp(sorted[i - 1], sorted[i]) == 0)
				dup = sorted[i];
	}
	if (!dup)
		return 0;
	spec_quote(quoted, sizeof(quoted), dup, 64);
	return spec_load_fail(ctx, "duplicate key %s", quoted);
}

static int load_object_into(struct load_ctx *ctx, yajl_val v, const struct spec_object *desc,
			    void *obj);

static int load_strv(struct load_ctx *ctx, yajl_val v, struct cinch_strv *out)
{
	size_t n, i;
	int r;

	if (!YAJL_IS_ARRAY(v))
		return type_error(ctx, "array", v);
	n = v->u.array.len;
	out->present = true;
	out->items = calloc(n + 1, sizeof(char *));
	if (!out->items)
		return oom(ctx);
	for (i = 0; i < n; i++) {
		size_t mark = spec_path_push_index(&ctx->path, i);

		r = get_string(ctx, v->u.array.values[i], &out->items[i]);
		if (r < 0)
			return r;
		out->len++;
		spec_path_restore(&ctx->path, mark);
	}
	return 0;
}

static int load_u32v(struct load_ctx *ctx, yajl_val v, struct cinch_u32v *out)
{
	size_t n, i;
	int r;

	if (!YAJL_IS_ARRAY(v))
		return type_error(ctx, "array", v);
	n = v->u.array.len;
	out->present = true;
	out->items = calloc(n ? n : 1, sizeof(uint32_t));
	if (!out->items)
		return oom(ctx);
	for (i = 0; i < n; i++) {
		size_t mark = spec_path_push_index(&ctx->path, i);

		r = get_u32(ctx, v->u.array.values[i], &out->items[i]);
		if (r < 0)
			return r;
		out->len++;
		spec_path_restore(&ctx->path, mark);
	}
	return 0;
}

static int load_map(struct load_ctx *ctx, yajl_val v, struct cinch_map *out)
{
	size_t n, i;
	int r;

	if (!YAJL_IS_OBJECT(v))
		return type_error(ctx, "object", v);
	r = check_duplicate_keys(ctx, v);
	if (r < 0)
		return r;
	n = v->u.object.len;
	out->present = true;
	out->items = calloc(n ? n : 1, sizeof(*out->items));
	if (!out->items)
		return oom(ctx);
	for (i = 0; i < n; i++) {
		struct cinch_kv *kv = &out->items[i];
		size_t mark = spec_path_push_key(&ctx->path, v->u.object.keys[i]);

		r = get_string(ctx, v->u.object.values[i], &kv->value);
		if (r < 0)
			return r;
		kv->key = strdup(v->u.object.keys[i]);
		out->len++; /* counted now so that free() releases value and key */
		if (!kv->key)
			return oom(ctx);
		spec_path_restore(&ctx->path, mark);
	}
	return 0;
}

static int load_vec(struct load_ctx *ctx, yajl_val v, const struct spec_field *f,
		    struct spec_vec *out)
{
	const struct spec_object *sub = f->sub;
	bool keyed = f->kind == K_KEYED;
	size_t n, i;
	int r;

	if (keyed ? !YAJL_IS_OBJECT(v) : !YAJL_IS_ARRAY(v))
		return type_error(ctx, keyed ? "object" : "array", v);
	if (keyed) {
		r = check_duplicate_keys(ctx, v);
		if (r < 0)
			return r;
	}
	n = keyed ? v->u.object.len : v->u.array.len;
	out->present = true;
	out->items = calloc(n ? n : 1, sub->size);
	if (!out->items)
		return oom(ctx);
	for (i = 0; i < n; i++) {
		void *elem = spec_at(out->items, i * sub->size);
		size_t mark = keyed ? spec_path_push_key(&ctx->path, v->u.object.keys[i])
				    : spec_path_push_index(&ctx->path, i);

		/* Counted before loading: a half-filled element is freed like a full one. */
		out->len++;
		if (keyed) {
			char *key = strdup(v->u.object.keys[i]);

			if (!key)
				return oom(ctx);
			memcpy(spec_at(elem, sub->key_offset), &key, sizeof(key));
		}
		r = load_object_into(ctx, keyed ? v->u.object.values[i] : v->u.array.values[i], sub,
				     elem);
		if (r < 0)
			return r;
		spec_path_restore(&ctx->path, mark);
	}
	return 0;
}

static int load_field(struct load_ctx *ctx, yajl_val v, const struct spec_field *f, void *obj)
{
	void *p = spec_at(obj, f->offset);
	int r;

	switch (f->kind) {
	case K_STRING:
		return f->values ? get_allowed_string(ctx, v, f, (char **)p)
				 : get_string(ctx, v, (char **)p);
	case K_BOOL:
		return get_bool(ctx, v, (bool *)p);
	case K_OPT_BOOL: {
		struct cinch_opt_bool *o = (struct cinch_opt_bool *)p;

		r = get_bool(ctx, v, &o->value);
		o->present = r == 0;
		return r;
	}
	case K_U32:
		return get_u32(ctx, v, (uint32_t *)p);
	case K_OPT_U32: {
		struct cinch_opt_u32 *o = (struct cinch_opt_u32 *)p;

		r = get_u32(ctx, v, &o->value);
		o->present = r == 0;
		return r;
	}
	case K_I64:
		return get_i64(ctx, v, (int64_t *)p);
	case K_OPT_I64: {
		struct cinch_opt_i64 *o = (struct cinch_opt_i64 *)p;

		r = get_i64(ctx, v, &o->value);
		o->present = r == 0;
		return r;
	}
	case K_U64:
		return get_u64(ctx, v, (uint64_t *)p);
	case K_OPT_U64: {
		struct cinch_opt_u64 *o = (struct cinch_opt_u64 *)p;

		r = get_u64(ctx, v, &o->value);
		o->present = r == 0;
		return r;
	}
	case K_ENUM:
		return get_enum(ctx, v, f, (int *)p);
	case K_STRV:
		return load_strv(ctx, v, (struct cinch_strv *)p);
	case K_U32V:
		return load_u32v(ctx, v, (struct cinch_u32v *)p);
	case K_MAP:
		return load_map(ctx, v, (struct cinch_map *)p);
	case K_OBJECT: {
		void *child;

		if (!YAJL_IS_OBJECT(v))
			return type_error(ctx, "object", v);
		child = calloc(1, f->sub->size);
		if (!child)
			return oom(ctx);
		/* Attached first so that the caller's free() reaches a partial child. */
		memcpy(p, &child, sizeof(child));
		return load_object_into(ctx, v, f->sub, child);
	}
	case K_EMBED:
		*(bool *)spec_at(obj, f->present_offset) = true;
		return load_object_into(ctx, v, f->sub, p);
	case K_ARRAY:
	case K_KEYED:
		return load_vec(ctx, v, f, (struct spec_vec *)p);
	default:
		return spec_load_fail(ctx, "internal error: unknown field kind %d", (int)f->kind);
	}
}

static const struct spec_field *find_field(const struct spec_object *desc, const char *name,
					   size_t *index)
{
	for (size_t i = 0; i < desc->n_fields; i++)
		if (strcmp(desc->fields[i].name, name) == 0) {
			*index = i;
			return &desc->fields[i];
		}
	return NULL;
}

bool spec_field_seen(const struct spec_object *desc, uint64_t seen, const char *name)
{
	size_t index;

	return find_field(desc, name, &index) && (seen & (UINT64_C(1) << index));
}

static int load_object_into(struct load_ctx *ctx, yajl_val v, const struct spec_object *desc,
			    void *obj)
{
	uint64_t seen = 0;
	size_t i;
	int r;

	if (!YAJL_IS_OBJECT(v))
		return type_error(ctx, "object", v);
	r = check_duplicate_keys(ctx, v);
	if (r < 0)
		return r;
	for (i = 0; i < v->u.object.len; i++) {
		yajl_val value = v->u.object.values[i];
		const struct spec_field *f;
		size_t index, mark;

		f = find_field(desc, v->u.object.keys[i], &index);
		if (!f || YAJL_IS_NULL(value))
			continue; /* unknown properties are ignored; null is absent */
		mark = spec_path_push_field(&ctx->path, f->name);
		r = load_field(ctx, value, f, obj);
		if (r < 0)
			return r;
		spec_path_restore(&ctx->path, mark);
		seen |= UINT64_C(1) << index;
	}
	for (i = 0; i < desc->n_fields; i++) {
		if (desc->fields[i].required && !(seen & (UINT64_C(1) << i))) {
			spec_path_push_field(&ctx->path, desc->fields[i].name);
			return spec_load_fail(ctx, "missing required field");
		}
	}
	return desc->check ? desc->check(obj, seen, ctx) : 0;
}

int spec_load_root(const char *buf, size_t len, const char *origin, const struct spec_object *desc,
		   void **ret, struct cinch_error *err)
{
	struct load_ctx ctx = {.origin = origin, .err = err};
	yajl_val tree = NULL;
	void *obj;
	int r;

	r = spec_parse_document(buf, len, origin, &tree, err);
	if (r < 0)
		return r;
	obj = calloc(1, desc->size);
	if (!obj) {
		yajl_tree_free(tree);
		return cinch_error_set(err, ENOMEM, "%s: out of memory", origin);
	}
	r = load_object_into(&ctx, tree, desc, obj);
	yajl_tree_free(tree);
	if (r < 0) {
		spec_free_object(desc, obj);
		return r;
	}
	*ret = obj;
	return 0;
}

/* ---- public entry points ---- */

int cinch_spec_load_buffer(const char *buf, size_t len, const char *origin, struct cinch_spec **ret,
			   struct cinch_error *err)
{
	return spec_load_root(buf, len, origin ? origin : "config.json", &spec_desc_spec,
			      (void **)ret, err);
}

int cinch_spec_load_file(const char *path, struct cinch_spec **ret, struct cinch_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = spec_read_file(path, &buf, &len, err);

	return r < 0 ? r : cinch_spec_load_buffer(buf, len, path, ret, err);
}

int cinch_process_load_buffer(const char *buf, size_t len, const char *origin,
			      struct cinch_process **ret, struct cinch_error *err)
{
	return spec_load_root(buf, len, origin ? origin : "process.json", &spec_desc_process,
			      (void **)ret, err);
}

int cinch_process_load_file(const char *path, struct cinch_process **ret, struct cinch_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = spec_read_file(path, &buf, &len, err);

	return r < 0 ? r : cinch_process_load_buffer(buf, len, path, ret, err);
}

int cinch_resources_load_buffer(const char *buf, size_t len, const char *origin,
				struct cinch_resources **ret, struct cinch_error *err)
{
	return spec_load_root(buf, len, origin ? origin : "resources", &spec_desc_resources,
			      (void **)ret, err);
}
