/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Releasing and deep-copying models, both by walking the same field tables
 * as the loader, so a field added to a table is freed and cloned with no
 * further code. Clone copies field by field (never a whole-struct memcpy):
 * a copy that fails half-way then holds only pointers it owns and is freed
 * like any partial model.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec-internal.h"

static void free_strv(struct cinch_strv *v)
{
	for (size_t i = 0; i < v->len; i++)
		free(v->items[i]);
	free(v->items);
	v->items = NULL;
	v->len = 0;
}

static void free_map(struct cinch_map *m)
{
	for (size_t i = 0; i < m->len; i++) {
		free(m->items[i].key);
		free(m->items[i].value);
	}
	free(m->items);
	m->items = NULL;
	m->len = 0;
}

static void free_field(const struct spec_field *f, void *obj)
{
	void *p = spec_at(obj, f->offset);

	switch (f->kind) {
	case K_STRING:
		free(*(char **)p);
		break;
	case K_STRV:
		free_strv((struct cinch_strv *)p);
		break;
	case K_U32V:
		free(((struct cinch_u32v *)p)->items);
		break;
	case K_MAP:
		free_map((struct cinch_map *)p);
		break;
	case K_OBJECT:
		spec_free_object(f->sub, *(void **)p);
		break;
	case K_EMBED:
		spec_free_fields(f->sub, p);
		break;
	case K_ARRAY:
	case K_KEYED: {
		struct spec_vec *v = (struct spec_vec *)p;

		for (size_t i = 0; i < v->len; i++)
			spec_free_fields(f->sub, spec_at(v->items, i * f->sub->size));
		free(v->items);
		break;
	}
	case K_BOOL:
	case K_OPT_BOOL:
	case K_U32:
	case K_OPT_U32:
	case K_I64:
	case K_OPT_I64:
	case K_U64:
	case K_OPT_U64:
	case K_ENUM:
	default:
		break;
	}
}

void spec_free_fields(const struct spec_object *desc, void *obj)
{
	for (size_t i = 0; i < desc->n_fields; i++)
		free_field(&desc->fields[i], obj);
	if (desc->keyed)
		free(*(char **)spec_at(obj, desc->key_offset));
}

void spec_free_object(const struct spec_object *desc, void *obj)
{
	if (!obj)
		return;
	spec_free_fields(desc, obj);
	free(obj);
}

void cinch_spec_free(struct cinch_spec *spec)
{
	spec_free_object(&spec_desc_spec, spec);
}

void cinch_process_free(struct cinch_process *process)
{
	spec_free_object(&spec_desc_process, process);
}

void cinch_resources_free(struct cinch_resources *resources)
{
	spec_free_object(&spec_desc_resources, resources);
}

/* ---- clone ---- */

static size_t scalar_size(enum spec_kind kind)
{
	switch (kind) {
	case K_BOOL:
		return sizeof(bool);
	case K_OPT_BOOL:
		return sizeof(struct cinch_opt_bool);
	case K_U32:
		return sizeof(uint32_t);
	case K_OPT_U32:
		return sizeof(struct cinch_opt_u32);
	case K_I64:
		return sizeof(int64_t);
	case K_OPT_I64:
		return sizeof(struct cinch_opt_i64);
	case K_U64:
		return sizeof(uint64_t);
	case K_OPT_U64:
		return sizeof(struct cinch_opt_u64);
	case K_ENUM:
		return sizeof(int);
	default:
		return 0;
	}
}

static int dup_string(const char *s, char **ret)
{
	if (!s)
		return 0;
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

static int clone_fields(const struct spec_object *desc, const void *src, void *dst);

static int clone_strv(const struct cinch_strv *s, struct cinch_strv *d)
{
	d->present = s->present;
	if (!s->items)
		return 0;
	d->items = calloc(s->len + 1, sizeof(char *));
	if (!d->items)
		return -ENOMEM;
	for (size_t i = 0; i < s->len; i++) {
		if (dup_string(s->items[i], &d->items[i]) < 0)
			return -ENOMEM;
		d->len++;
	}
	return 0;
}

static int clone_map(const struct cinch_map *s, struct cinch_map *d)
{
	d->present = s->present;
	if (!s->items)
		return 0;
	d->items = calloc(s->len ? s->len : 1, sizeof(*d->items));
	if (!d->items)
		return -ENOMEM;
	for (size_t i = 0; i < s->len; i++) {
		d->len++;
		if (dup_string(s->items[i].key, &d->items[i].key) < 0 ||
		    dup_string(s->items[i].value, &d->items[i].value) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int clone_field(const struct spec_field *f, const void *src, void *dst)
{
	const void *s = spec_at_const(src, f->offset);
	void *d = spec_at(dst, f->offset);

	switch (f->kind) {
	case K_STRING:
		return dup_string(*(char *const *)s, (char **)d);
	case K_STRV:
		return clone_strv((const struct cinch_strv *)s, (struct cinch_strv *)d);
	case K_U32V: {
		const struct cinch_u32v *sv = (const struct cinch_u32v *)s;
		struct cinch_u32v *dv = (struct cinch_u32v *)d;

		dv->present = sv->present;
		if (!sv->items)
			return 0;
		dv->items = calloc(sv->len ? sv->len : 1, sizeof(uint32_t));
		if (!dv->items)
			return -ENOMEM;
		if (sv->len)
			memcpy(dv->items, sv->items, sv->len * sizeof(uint32_t));
		dv->len = sv->len;
		return 0;
	}
	case K_MAP:
		return clone_map((const struct cinch_map *)s, (struct cinch_map *)d);
	case K_OBJECT: {
		const void *child = *(void *const *)s;
		void *copy;
		int r;

		if (!child)
			return 0;
		r = spec_clone_object(f->sub, child, &copy);
		if (r < 0)
			return r;
		memcpy(d, &copy, sizeof(copy));
		return 0;
	}
	case K_EMBED:
		*(bool *)spec_at(dst, f->present_offset) =
		    *(const bool *)spec_at_const(src, f->present_offset);
		return clone_fields(f->sub, s, d);
	case K_ARRAY:
	case K_KEYED: {
		const struct spec_vec *sv = (const struct spec_vec *)s;
		struct spec_vec *dv = (struct spec_vec *)d;

		dv->present = sv->present;
		if (!sv->items)
			return 0;
		dv->items = calloc(sv->len ? sv->len : 1, f->sub->size);
		if (!dv->items)
			return -ENOMEM;
		for (size_t i = 0; i < sv->len; i++) {
			dv->len++;
			if (clone_fields(f->sub, spec_at_const(sv->items, i * f->sub->size),
					 spec_at(dv->items, i * f->sub->size)) < 0)
				return -ENOMEM;
		}
		return 0;
	}
	default:
		memcpy(d, s, scalar_size(f->kind));
		return 0;
	}
}

static int clone_fields(const struct spec_object *desc, const void *src, void *dst)
{
	if (desc->keyed) {
		const char *key = *(char *const *)spec_at_const(src, desc->key_offset);

		if (dup_string(key, (char **)spec_at(dst, desc->key_offset)) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < desc->n_fields; i++) {
		int r = clone_field(&desc->fields[i], src, dst);

		if (r < 0)
			return r;
	}
	return 0;
}

int spec_clone_object(const struct spec_object *desc, const void *src, void **ret)
{
	void *dst = calloc(1, desc->size);
	int r;

	if (!dst)
		return -ENOMEM;
	r = clone_fields(desc, src, dst);
	if (r < 0) {
		spec_free_object(desc, dst);
		return r;
	}
	*ret = dst;
	return 0;
}

int cinch_spec_clone(const struct cinch_spec *spec, struct cinch_spec **ret,
		     struct cinch_error *err)
{
	void *copy;
	int r;

	if (!spec)
		return cinch_error_set(err, EINVAL, "cloning the spec: no model");
	r = spec_clone_object(&spec_desc_spec, spec, &copy);
	if (r < 0)
		return cinch_error_set(err, -r, "cloning the spec: out of memory");
	*ret = copy;
	return 0;
}
