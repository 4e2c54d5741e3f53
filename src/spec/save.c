/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table interpreter for saving: writes every field the model has, in
 * table order, honouring presence (absent stays absent, an empty list stays
 * [], an empty object stays {}), so load -> save -> load is lossless for
 * everything the model knows. Also the atomic file write.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cinch/fdio.h"

#include <yajl/yajl_gen.h>

#include "spec-internal.h"

struct save_ctx {
	yajl_gen g;
	struct spec_path path;
	struct cinch_error *err;
};

static int save_fail(struct save_ctx *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int save_fail(struct save_ctx *ctx, int code, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return cinch_error_set(ctx->err, code, "saving spec: %s: %s", spec_path_str(&ctx->path),
			       reason);
}

static int gen_status(struct save_ctx *ctx, yajl_gen_status st)
{
	switch (st) {
	case yajl_gen_status_ok:
		return 0;
	case yajl_gen_invalid_string:
		return save_fail(ctx, EINVAL, "string is not valid UTF-8");
	case yajl_gen_keys_must_be_strings:
	case yajl_max_depth_exceeded:
	case yajl_gen_in_error_state:
	case yajl_gen_generation_complete:
	case yajl_gen_invalid_number:
	case yajl_gen_no_buf:
	default:
		return save_fail(ctx, EIO, "JSON generator error %d", (int)st);
	}
}

static int gen_string(struct save_ctx *ctx, const char *s)
{
	return gen_status(ctx, yajl_gen_string(ctx->g, (const unsigned char *)s, strlen(s)));
}

static int gen_i64(struct save_ctx *ctx, int64_t n)
{
	return gen_status(ctx, yajl_gen_integer(ctx->g, (long long)n));
}

/* yajl_gen_integer takes a long long; values above INT64_MAX go as text. */
static int gen_u64(struct save_ctx *ctx, uint64_t n)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof(tmp), "%" PRIu64, n);

	return gen_status(ctx, yajl_gen_number(ctx->g, tmp, (size_t)len));
}

static int save_object(struct save_ctx *ctx, const struct spec_object *desc, const void *obj);

static int save_strv(struct save_ctx *ctx, const struct cinch_strv *v)
{
	int r = gen_status(ctx, yajl_gen_array_open(ctx->g));

	for (size_t i = 0; r >= 0 && i < v->len; i++) {
		size_t mark = spec_path_push_index(&ctx->path, i);

		if (!v->items[i])
			return save_fail(ctx, EINVAL, "NULL string in list");
		r = gen_string(ctx, v->items[i]);
		spec_path_restore(&ctx->path, mark);
	}
	return r < 0 ? r : gen_status(ctx, yajl_gen_array_close(ctx->g));
}

static int save_map(struct save_ctx *ctx, const struct cinch_map *m)
{
	int r = gen_status(ctx, yajl_gen_map_open(ctx->g));

	for (size_t i = 0; r >= 0 && i < m->len; i++) {
		const struct cinch_kv *kv = &m->items[i];
		size_t mark;

		if (!kv->key || !kv->value)
			return save_fail(ctx, EINVAL, "NULL key or value in map");
		mark = spec_path_push_key(&ctx->path, kv->key);
		r = gen_string(ctx, kv->key);
		if (r >= 0)
			r = gen_string(ctx, kv->value);
		spec_path_restore(&ctx->path, mark);
	}
	return r < 0 ? r : gen_status(ctx, yajl_gen_map_close(ctx->g));
}

static int save_vec(struct save_ctx *ctx, const struct spec_field *f, const struct spec_vec *v)
{
	const struct spec_object *sub = f->sub;
	bool keyed = f->kind == K_KEYED;
	int r = gen_status(ctx, keyed ? yajl_gen_map_open(ctx->g) : yajl_gen_array_open(ctx->g));

	for (size_t i = 0; r >= 0 && i < v->len; i++) {
		const void *elem = spec_at_const(v->items, i * sub->size);
		size_t mark;

		if (keyed) {
			const char *key = *(char *const *)spec_at_const(elem, sub->key_offset);

			if (!key)
				return save_fail(ctx, EINVAL, "NULL key in map");
			mark = spec_path_push_key(&ctx->path, key);
			r = gen_string(ctx, key);
		} else {
			mark = spec_path_push_index(&ctx->path, i);
		}
		if (r >= 0)
			r = save_object(ctx, sub, elem);
		spec_path_restore(&ctx->path, mark);
	}
	if (r < 0)
		return r;
	return gen_status(ctx, keyed ? yajl_gen_map_close(ctx->g) : yajl_gen_array_close(ctx->g));
}

/* Whether a field is written: presence flag, non-NULL pointer, or always
 * for the plain scalars (which the loader requires or defaults to 0). */
static bool field_present(const struct spec_field *f, const void *obj)
{
	const void *p = spec_at_const(obj, f->offset);

	switch (f->kind) {
	case K_STRING:
	case K_OBJECT:
		return *(void *const *)p != NULL;
	case K_OPT_BOOL:
		return ((const struct cinch_opt_bool *)p)->present;
	case K_OPT_U32:
		return ((const struct cinch_opt_u32 *)p)->present;
	case K_OPT_I64:
		return ((const struct cinch_opt_i64 *)p)->present;
	case K_OPT_U64:
		return ((const struct cinch_opt_u64 *)p)->present;
	case K_STRV:
	case K_U32V:
	case K_MAP:
	case K_ARRAY:
	case K_KEYED:
		/* All share the {items, len, present} layout. */
		return ((const struct spec_vec *)p)->present;
	case K_EMBED:
		return *(const bool *)spec_at_const(obj, f->present_offset);
	case K_BOOL:
	case K_U32:
	case K_I64:
	case K_U64:
	case K_ENUM:
	default:
		return true;
	}
}

static int save_value(struct save_ctx *ctx, const struct spec_field *f, const void *obj)
{
	const void *p = spec_at_const(obj, f->offset);

	switch (f->kind) {
	case K_STRING:
		return gen_string(ctx, *(char *const *)p);
	case K_BOOL:
		return gen_status(ctx, yajl_gen_bool(ctx->g, *(const bool *)p));
	case K_OPT_BOOL:
		return gen_status(ctx,
				  yajl_gen_bool(ctx->g, ((const struct cinch_opt_bool *)p)->value));
	case K_U32:
		return gen_i64(ctx, *(const uint32_t *)p);
	case K_OPT_U32:
		return gen_i64(ctx, ((const struct cinch_opt_u32 *)p)->value);
	case K_I64:
		return gen_i64(ctx, *(const int64_t *)p);
	case K_OPT_I64:
		return gen_i64(ctx, ((const struct cinch_opt_i64 *)p)->value);
	case K_U64:
		return gen_u64(ctx, *(const uint64_t *)p);
	case K_OPT_U64:
		return gen_u64(ctx, ((const struct cinch_opt_u64 *)p)->value);
	case K_ENUM: {
		int v = *(const int *)p;

		if (v < 0 || (size_t)v >= f->n_values)
			return save_fail(ctx, EINVAL, "invalid enum value %d", v);
		return gen_string(ctx, f->values[v]);
	}
	case K_STRV:
		return save_strv(ctx, (const struct cinch_strv *)p);
	case K_U32V: {
		const struct cinch_u32v *v = (const struct cinch_u32v *)p;
		int r = gen_status(ctx, yajl_gen_array_open(ctx->g));

		for (size_t i = 0; r >= 0 && i < v->len; i++)
			r = gen_i64(ctx, v->items[i]);
		return r < 0 ? r : gen_status(ctx, yajl_gen_array_close(ctx->g));
	}
	case K_MAP:
		return save_map(ctx, (const struct cinch_map *)p);
	case K_OBJECT:
		return save_object(ctx, f->sub, *(void *const *)p);
	case K_EMBED:
		return save_object(ctx, f->sub, p);
	case K_ARRAY:
	case K_KEYED:
		return save_vec(ctx, f, (const struct spec_vec *)p);
	default:
		return save_fail(ctx, EINVAL, "internal error: unknown field kind %d",
				 (int)f->kind);
	}
}

static int save_object(struct save_ctx *ctx, const struct spec_object *desc, const void *obj)
{
	int r = gen_status(ctx, yajl_gen_map_open(ctx->g));

	for (size_t i = 0; r >= 0 && i < desc->n_fields; i++) {
		const struct spec_field *f = &desc->fields[i];
		size_t mark;

		if (!field_present(f, obj)) {
			if (!f->required)
				continue;
			spec_path_push_field(&ctx->path, f->name);
			/* The output would not load again: refuse rather than write it. */
			return save_fail(ctx, EINVAL, "missing required field");
		}
		mark = spec_path_push_field(&ctx->path, f->name);
		r = gen_string(ctx, f->name);
		if (r >= 0)
			r = save_value(ctx, f, obj);
		spec_path_restore(&ctx->path, mark);
	}
	return r < 0 ? r : gen_status(ctx, yajl_gen_map_close(ctx->g));
}

int spec_save_root(const struct spec_object *desc, const void *obj, bool pretty, char **ret,
		   size_t *ret_len, struct cinch_error *err)
{
	struct save_ctx ctx = {.err = err};
	const unsigned char *out;
	size_t len;
	char *copy;
	int r;

	if (!obj)
		return cinch_error_set(err, EINVAL, "saving spec: no model");
	ctx.g = yajl_gen_alloc(NULL);
	if (!ctx.g)
		return cinch_error_set(err, ENOMEM, "saving spec: out of memory");
	yajl_gen_config(ctx.g, yajl_gen_validate_utf8, 1);
	if (pretty) {
		yajl_gen_config(ctx.g, yajl_gen_beautify, 1);
		yajl_gen_config(ctx.g, yajl_gen_indent_string, "  ");
	}
	r = save_object(&ctx, desc, obj);
	if (r >= 0)
		r = gen_status(&ctx, yajl_gen_get_buf(ctx.g, &out, &len));
	if (r >= 0) {
		copy = malloc(len + 1);
		if (!copy) {
			r = cinch_error_set(err, ENOMEM, "saving spec: out of memory");
		} else {
			memcpy(copy, out, len);
			copy[len] = '\0';
			*ret = copy;
			if (ret_len)
				*ret_len = len;
		}
	}
	yajl_gen_free(ctx.g);
	return r < 0 ? r : 0;
}

int cinch_spec_save_buffer(const struct cinch_spec *spec, bool pretty, char **ret, size_t *ret_len,
			   struct cinch_error *err)
{
	return spec_save_root(&spec_desc_spec, spec, pretty, ret, ret_len, err);
}

int cinch_process_save_buffer(const struct cinch_process *process, char **ret, size_t *ret_len,
			      struct cinch_error *err)
{
	return spec_save_root(&spec_desc_process, process, false, ret, ret_len, err);
}

int cinch_resources_save_buffer(const struct cinch_resources *resources, char **ret,
				size_t *ret_len, struct cinch_error *err)
{
	return spec_save_root(&spec_desc_resources, resources, false, ret, ret_len, err);
}

/* Readers see the old file or the new one, never a torn one: write a
 * temporary in the same directory (same filesystem) and rename it over. */
int cinch_spec_save_file(const struct cinch_spec *spec, const char *path, struct cinch_error *err)
{
	_cleanup_free_ char *text = NULL, *dir_copy = NULL, *base_copy = NULL, *tmp = NULL;
	_cleanup_close_ int fd = -1;
	size_t len;
	int r;

	/* Compact: the one caller writes the state's config.effective.json on
	 * every create, and indenting was nearly half of the generator's work
	 * (docs/performance.md); `jq .` shows it indented. */
	r = cinch_spec_save_buffer(spec, false, &text, &len, err);
	if (r < 0)
		return r;
	dir_copy = strdup(path);
	base_copy = strdup(path);
	if (!dir_copy || !base_copy ||
	    asprintf(&tmp, "%s/.%s.XXXXXX", dirname(dir_copy), basename(base_copy)) < 0) {
		tmp = NULL;
		return cinch_error_set(err, ENOMEM, "%s: out of memory", path);
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return cinch_error_errno(err, errno, "%s: creating temporary file", path);
	r = fchmod(fd, 0600) < 0 ? -errno : 0;
	if (r == 0)
		r = cinch_write_all(fd, text, len);
	if (r == 0 && (len == 0 || text[len - 1] != '\n'))
		r = cinch_write_all(fd, "\n", 1);
	if (r == 0 && close(steal_fd(&fd)) < 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return cinch_error_errno(err, -r, "%s: writing", path);
	}
	return 0;
}
