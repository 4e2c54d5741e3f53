/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to src/spec: the field tables that describe every OCI object once,
 * and the walkers (load, save, free, clone) that interpret them. A table
 * entry says "JSON name X is a value of kind K stored at offsetof(...)"; the
 * walkers do the rest, so adding a spec field is one line in one table.
 */
#ifndef CINCH_SPEC_INTERNAL_H
#define CINCH_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cinch/cleanup.h"
#include "cinch/error.h"
#include "cinch/spec.h"

/* Limits applied before yajl sees a document (see docs/spec-model.md). */
#define SPEC_MAX_DOCUMENT_BYTES (16u * 1024u * 1024u)
#define SPEC_MAX_DEPTH		64
#define SPEC_MAX_VALUES		(1u << 20)

enum spec_kind {
	K_STRING,   /* char *, NULL = absent */
	K_BOOL,	    /* bool without presence (a required field) */
	K_OPT_BOOL, /* struct cinch_opt_bool */
	K_U32,	    /* uint32_t without presence */
	K_OPT_U32,  /* struct cinch_opt_u32 */
	K_I64,	    /* int64_t without presence */
	K_OPT_I64,  /* struct cinch_opt_i64 */
	K_U64,	    /* uint64_t without presence */
	K_OPT_U64,  /* struct cinch_opt_u64 */
	K_ENUM,	    /* an int-sized enum; JSON string from field->values[value] */
	K_STRV,	    /* struct cinch_strv */
	K_U32V,	    /* struct cinch_u32v */
	K_MAP,	    /* struct cinch_map (object of strings) */
	K_OBJECT,   /* pointer to a struct described by field->sub, NULL = absent */
	K_EMBED,    /* struct inside the parent; presence in a bool at present_offset */
	K_ARRAY,    /* {items, len, present} of structs described by field->sub */
	K_KEYED,    /* JSON object of objects into {items, len, present}; key in sub->key_offset */
};

struct spec_object;

struct spec_field {
	const char *name;
	enum spec_kind kind;
	size_t offset;
	bool required;
	const struct spec_object *sub; /* K_OBJECT, K_EMBED, K_ARRAY, K_KEYED */
	size_t present_offset;	       /* K_EMBED */
	/* K_ENUM: names indexed by value (count in n_values). K_STRING: when
	 * non-NULL, the only values the spec allows (NULL-terminated). */
	const char *const *values;
	size_t n_values;
};

struct load_ctx;

struct spec_object {
	size_t size;
	const struct spec_field *fields;
	size_t n_fields;
	bool keyed;	   /* element of a K_KEYED container: the map key is a char * */
	size_t key_offset; /* ... stored here */
	/* Cross-field rules after all fields loaded; `seen` has bit i set when
	 * fields[i] was in the document. Returns 0 or a negative errno. */
	int (*check)(void *obj, uint64_t seen, struct load_ctx *ctx);
};

/* Every {items, len, present} container in spec.h has this layout. */
struct spec_vec {
	void *items;
	size_t len;
	bool present;
};

/* A member reached through a table offset. Going through void * (not
 * char *) keeps casts to the member's type free of -Wcast-align noise. */
static inline void *spec_at(void *base, size_t offset)
{
	return (char *)base + offset;
}

static inline const void *spec_at_const(const void *base, size_t offset)
{
	return (const char *)base + offset;
}

#define FIELD(json, kind_, type, member)                                                           \
	{                                                                                          \
		.name = (json), .kind = (kind_), .offset = offsetof(type, member)                  \
	}
#define FIELD_REQ(json, kind_, type, member)                                                       \
	{                                                                                          \
		.name = (json), .kind = (kind_), .offset = offsetof(type, member),                 \
		.required = true                                                                   \
	}
#define FIELD_SUB(json, kind_, type, member, desc)                                                 \
	{                                                                                          \
		.name = (json), .kind = (kind_), .offset = offsetof(type, member), .sub = &(desc)  \
	}
#define OBJECT_DESC(type, table, ...)                                                              \
	{                                                                                          \
		.size = sizeof(type), .fields = (table), .n_fields = N_ELEMENTS(table),            \
		__VA_ARGS__                                                                        \
	}

/* Checks at compile time that a container type really is a spec_vec. */
#define SPEC_VEC_LAYOUT(type)                                                                      \
	_Static_assert(offsetof(type, items) == offsetof(struct spec_vec, items) &&                \
			   offsetof(type, len) == offsetof(struct spec_vec, len) &&                \
			   offsetof(type, present) == offsetof(struct spec_vec, present),          \
		       #type " is not laid out like struct spec_vec")

/* ---- the tables (tables-*.c) ---- */
extern const struct spec_object spec_desc_id_mapping;
extern const struct spec_object spec_desc_spec;
extern const struct spec_object spec_desc_process;
extern const struct spec_object spec_desc_linux;
extern const struct spec_object spec_desc_resources;
extern const struct spec_object spec_desc_seccomp;

/* ---- JSON paths for messages (path.c) ---- */
#define SPEC_PATH_MAX 512

struct spec_path {
	char buf[SPEC_PATH_MAX];
	size_t len;
};

/* Each push returns the previous length, to hand back to path_restore(). */
size_t spec_path_push_field(struct spec_path *p, const char *name);
size_t spec_path_push_index(struct spec_path *p, size_t index);
size_t spec_path_push_key(struct spec_path *p, const char *key);
void spec_path_restore(struct spec_path *p, size_t len);
/* The path as text: "." for the document itself. */
const char *spec_path_str(const struct spec_path *p);
/* A value quoted for a one-line message: escapes controls, cut at `max` bytes. */
void spec_quote(char *out, size_t out_size, const char *s, size_t max);

/* ---- loading (load.c) ---- */
struct load_ctx {
	const char *origin;
	struct spec_path path;
	struct cinch_error *err;
};

/* "<origin>: <path>: <reason>"; returns -EINVAL. */
int spec_load_fail(struct load_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Whether the field called `name` was among the `seen` bits of a check(). */
bool spec_field_seen(const struct spec_object *desc, uint64_t seen, const char *name);

/* Shared limits and tree parsing (parse.c). *ret must be yajl_tree_free()d. */
struct yajl_val_s;
int spec_parse_document(const char *buf, size_t len, const char *origin, struct yajl_val_s **ret,
			struct cinch_error *err);
int spec_read_file(const char *path, char **ret, size_t *ret_len, struct cinch_error *err);

/* Loads a whole document into a new object described by desc. */
int spec_load_root(const char *buf, size_t len, const char *origin, const struct spec_object *desc,
		   void **ret, struct cinch_error *err);

/* ---- saving (save.c), freeing and cloning (free.c) ---- */
int spec_save_root(const struct spec_object *desc, const void *obj, bool pretty, char **ret,
		   size_t *ret_len, struct cinch_error *err);
void spec_free_fields(const struct spec_object *desc, void *obj);
void spec_free_object(const struct spec_object *desc, void *obj);
int spec_clone_object(const struct spec_object *desc, const void *src, void **ret);

#endif
