/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small helpers for code that reads or builds models (the policy engine,
 * `cinch spec`): string lists, string maps, namespace lookup.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec-internal.h"

int cinch_strv_append(struct cinch_strv *v, const char *s, struct cinch_error *err)
{
	_cleanup_free_ char *copy = strdup(s);
	char **items;

	if (!copy)
		return cinch_error_set(err, ENOMEM, "out of memory");
	/* One more slot for the new item, one for the NULL terminator. */
	items = realloc(v->items, (v->len + 2) * sizeof(char *));
	if (!items)
		return cinch_error_set(err, ENOMEM, "out of memory");
	v->items = items;
	v->items[v->len++] = steal_pointer(&copy);
	v->items[v->len] = NULL;
	v->present = true;
	return 0;
}

bool cinch_strv_contains(const struct cinch_strv *v, const char *s)
{
	for (size_t i = 0; i < v->len; i++)
		if (v->items[i] && strcmp(v->items[i], s) == 0)
			return true;
	return false;
}

void cinch_strv_clear(struct cinch_strv *v)
{
	for (size_t i = 0; i < v->len; i++)
		free(v->items[i]);
	free(v->items);
	v->items = NULL;
	v->len = 0;
}

const char *cinch_map_get(const struct cinch_map *map, const char *key)
{
	for (size_t i = 0; i < map->len; i++)
		if (map->items[i].key && strcmp(map->items[i].key, key) == 0)
			return map->items[i].value;
	return NULL;
}

int cinch_map_set(struct cinch_map *map, const char *key, const char *value,
		  struct cinch_error *err)
{
	_cleanup_free_ char *v = strdup(value);
	_cleanup_free_ char *k = NULL;
	struct cinch_kv *items;

	if (!v)
		return cinch_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < map->len; i++) {
		if (map->items[i].key && strcmp(map->items[i].key, key) == 0) {
			free(map->items[i].value);
			map->items[i].value = steal_pointer(&v);
			map->present = true;
			return 0;
		}
	}
	k = strdup(key);
	if (!k)
		return cinch_error_set(err, ENOMEM, "out of memory");
	items = realloc(map->items, (map->len + 1) * sizeof(*items));
	if (!items)
		return cinch_error_set(err, ENOMEM, "out of memory");
	map->items = items;
	map->items[map->len].key = steal_pointer(&k);
	map->items[map->len].value = steal_pointer(&v);
	map->len++;
	map->present = true;
	return 0;
}

const struct cinch_namespace *cinch_spec_find_namespace(const struct cinch_spec *spec,
							enum cinch_ns_type type)
{
	if (!spec || !spec->linux_)
		return NULL;
	for (size_t i = 0; i < spec->linux_->namespaces.len; i++)
		if (spec->linux_->namespaces.items[i].type == type)
			return &spec->linux_->namespaces.items[i];
	return NULL;
}
