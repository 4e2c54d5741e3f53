/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Filesystem rules:
 *  - "readOnlyRoot": root.readonly = true, plus writable tmpfs mounts at
 *    rules.readOnlyRoot.tmpfs (/tmp, /run) where the config has none.
 *  - "mounts": bind mounts of sensitive host paths (/, /etc, /proc, /sys,
 *    /dev, /boot, /lib, /usr, runtime sockets and state dirs) and mounts
 *    under /proc (except lxcfs-style files) are refused, as is shared
 *    propagation; bind mounts get nosuid,nodev; sysfs and cgroupfs become
 *    read-only; a fresh tmpfs /dev is added if missing; the root mount's
 *    flags (nosuid) go to the core through an annotation.
 *  - "maskedPaths": the default masked and read-only /proc and /sys paths
 *    are always present (added to what the engine sent).
 * Source paths are compared as written (after normalising "//", "." and
 * ".."), and again as the host resolves them when the caller can say
 * (context resolve_host_path), so a symlink to /etc is refused like /etc.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

static bool has_option(const struct cinch_strv *o, const char *opt)
{
	return cinch_strv_contains(o, opt);
}

static bool is_bind(const struct cinch_mount *m)
{
	return (m->type && strcmp(m->type, "bind") == 0) || has_option(&m->options, "bind") ||
	       has_option(&m->options, "rbind");
}

/* Lexical normalisation of an absolute path: "//a/./b/../c/" -> "/a/c". */
static char *normalize(const char *path)
{
	char *out = malloc(strlen(path) + 2);
	size_t len = 0;
	const char *p = path;

	if (!out)
		return NULL;
	while (*p) {
		const char *start;
		size_t n;
		while (*p == '/')
			p++;
		start = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - start);
		if (n == 0 || (n == 1 && start[0] == '.'))
			continue;
		if (n == 2 && start[0] == '.' && start[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			continue;
		}
		out[len++] = '/';
		memcpy(out + len, start, n);
		len += n;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	return out;
}

static bool under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strcmp(prefix, "/") == 0)
		return true;
	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/*
 * Where a mount the policy adds at `dest` goes: before the first mount the
 * config has beneath it, since mounts apply in order and one appended last
 * would hide them (a tmpfs /tmp over a volume at /tmp/data).
 */
static size_t insert_position(const struct cinch_spec *spec, const char *dest)
{
	for (size_t i = 0; i < spec->mounts.len; i++) {
		_cleanup_free_ char *d = normalize(
		    spec->mounts.items[i].destination ? spec->mounts.items[i].destination : "");
		if (d && strcmp(d, dest) != 0 && under(d, dest))
			return i;
	}
	return spec->mounts.len;
}

static int add_mount(struct cinch_spec *spec, const char *dest, const char *type,
		     const char *source, const char *options)
{
	struct cinch_mount *items, *m;
	_cleanup_free_ char *opts = NULL;
	char *save = NULL;
	size_t at = insert_position(spec, dest);

	items = realloc(spec->mounts.items, (spec->mounts.len + 1) * sizeof(*items));
	if (!items)
		return -ENOMEM;
	spec->mounts.items = items;
	memmove(&items[at + 1], &items[at], (spec->mounts.len - at) * sizeof(*items));
	m = &items[at];
	*m = (struct cinch_mount){0};
	m->destination = strdup(dest);
	m->type = strdup(type);
	m->source = strdup(source);
	opts = strdup(options ? options : "");
	spec->mounts.len++;
	spec->mounts.present = true;
	if (!m->destination || !m->type || !m->source || !opts)
		return -ENOMEM;
	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save))
		if (strv_add(&m->options, o) < 0)
			return -ENOMEM;
	m->options.present = true;
	return 0;
}

static bool has_mount_at(const struct cinch_spec *spec, const char *dest)
{
	for (size_t i = 0; i < spec->mounts.len; i++) {
		_cleanup_free_ char *d = normalize(
		    spec->mounts.items[i].destination ? spec->mounts.items[i].destination : "");
		if (d && strcmp(d, dest) == 0)
			return true;
	}
	return false;
}

int policy_rule_read_only_root(struct rule_ctx *rc)
{
	const struct policy_settings *s = &rc->policy->s;
	struct cinch_spec *spec = rc->spec;
	int r;

	if (!spec->root || (spec->root->readonly.present && spec->root->readonly.value))
		return 0;
	r = rule_rewrite(rc, RULE_READ_ONLY_ROOT, ".root.readonly",
			 spec->root->readonly.present ? "false" : "absent", "true",
			 "the root filesystem must be read-only");
	if (r <= 0)
		return r;
	spec->root->readonly.value = true;
	spec->root->readonly.present = true;
	/* Writable scratch space, only where the config has nothing already. */
	for (size_t i = 0; i < s->ro_root.tmpfs.len; i++) {
		const char *dest = s->ro_root.tmpfs.items[i];
		_cleanup_free_ char *after = NULL;

		if (has_mount_at(spec, dest))
			continue;
		after = json_fmt("{\"destination\":\"%s\",\"type\":\"tmpfs\",\"options\":\"%s\"}",
				 dest, s->ro_root.tmpfs_options ? s->ro_root.tmpfs_options : "");
		if (!after)
			return rule_oom(rc);
		r = rule_rewrite(rc, RULE_READ_ONLY_ROOT, ".mounts", "absent", after,
				 "a writable tmpfs at %s for a read-only root", dest);
		if (r < 0)
			return r;
		if (r > 0 && add_mount(spec, dest, "tmpfs", "tmpfs", s->ro_root.tmpfs_options) < 0)
			return rule_oom(rc);
	}
	return 0;
}

/* The refused source entry `src` falls under, or NULL. */
static const char *sensitive_source(const struct policy_settings *s, const char *src)
{
	const char *base = strrchr(src, '/') + 1;
	const char *hit = NULL;

	for (size_t k = 0; !hit && k < s->mounts.refuse_sources_exact.len; k++)
		if (strcmp(src, s->mounts.refuse_sources_exact.items[k]) == 0)
			hit = s->mounts.refuse_sources_exact.items[k];
	for (size_t k = 0; !hit && k < s->mounts.refuse_sources.len; k++)
		if (under(src, s->mounts.refuse_sources.items[k]))
			hit = s->mounts.refuse_sources.items[k];
	for (size_t k = 0; !hit && k < s->mounts.refuse_source_names.len; k++)
		if (strcmp(base, s->mounts.refuse_source_names.items[k]) == 0)
			hit = s->mounts.refuse_source_names.items[k];
	return hit;
}

static int check_source(struct rule_ctx *rc, size_t i, const struct cinch_mount *m)
{
	const struct cinch_policy_context *ctx = rc->host;
	_cleanup_free_ char *src = NULL;
	_cleanup_free_ char *real = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *before = NULL;
	const char *hit;

	if (!m->source || m->source[0] != '/')
		return 0; /* relative sources are resolved in the bundle by the core */
	src = normalize(m->source);
	if (!src)
		return rule_oom(rc);
	hit = sensitive_source(&rc->policy->s, src);
	/* A source that does not resolve fails in the core with its own error. */
	if (!hit && ctx->resolve_host_path &&
	    ctx->resolve_host_path(m->source, &real, ctx->userdata) == 0 && real) {
		if (real[0] == '/' && strcmp(real, src) != 0)
			hit = sensitive_source(&rc->policy->s, real);
		if (!hit)
			return 0;
	}
	if (!hit)
		return 0;
	path = json_fmt(".mounts[%zu].source", i);
	before = json_string(m->source);
	if (!path || !before)
		return rule_oom(rc);
	if (real)
		return rule_refuse(
		    rc, RULE_MOUNTS, path, before,
		    "bind mount of host path %s (which resolves to %s) is not allowed "
		    "(sensitive: %s)",
		    m->source, real, hit);
	return rule_refuse(rc, RULE_MOUNTS, path, before,
			   "bind mount of host path %s is not allowed (sensitive: %s)", m->source,
			   hit);
}

/* Adds missing options and removes their opposites; returns 1 if changed. */
static int ensure_options(struct cinch_strv *o, const struct pstrv *want, struct cinch_strv *out)
{
	static const char *const opposite[][2] = {
	    {"nosuid", "suid"}, {"nodev", "dev"}, {"noexec", "exec"}, {"ro", "rw"}};
	bool changed = false;

	if (strv_copy(out, o) < 0)
		return -ENOMEM;
	for (size_t w = 0; w < want->len; w++) {
		for (size_t k = 0; k < N_ELEMENTS(opposite); k++) {
			if (strcmp(want->items[w], opposite[k][0]) != 0)
				continue;
			for (size_t j = 0; j < out->len;) {
				if (strcmp(out->items[j], opposite[k][1]) == 0) {
					strv_remove_at(out, j);
					changed = true;
				} else {
					j++;
				}
			}
		}
		if (!cinch_strv_contains(out, want->items[w])) {
			if (strv_add(out, want->items[w]) < 0)
				return -ENOMEM;
			changed = true;
		}
	}
	out->present = true;
	return changed ? 1 : 0;
}

static int rewrite_options(struct rule_ctx *rc, size_t i, struct cinch_mount *m,
			   const struct pstrv *want, const char *why)
{
	struct cinch_strv out = {0};
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *before = NULL;
	_cleanup_free_ char *after = NULL;
	int r = ensure_options(&m->options, want, &out);

	if (r <= 0) {
		cinch_strv_clear(&out);
		return r < 0 ? rule_oom(rc) : 0;
	}
	path = json_fmt(".mounts[%zu].options", i);
	before = json_strv(&m->options);
	after = json_strv(&out);
	if (!path || !before || !after) {
		cinch_strv_clear(&out);
		return rule_oom(rc);
	}
	r = rule_rewrite(rc, RULE_MOUNTS, path, before, after, "%s %s", m->destination, why);
	if (r <= 0) {
		cinch_strv_clear(&out);
		return r;
	}
	cinch_strv_clear(&m->options);
	m->options = out;
	return 0;
}

static bool shared(const struct cinch_strv *o)
{
	return has_option(o, "shared") || has_option(o, "rshared");
}

static int check_mount(struct rule_ctx *rc, size_t i)
{
	const struct policy_settings *s = &rc->policy->s;
	struct cinch_mount *m = &rc->spec->mounts.items[i];
	_cleanup_free_ char *dest = normalize(m->destination ? m->destination : "");
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *before = NULL;
	static char *ro_items[] = {(char *)"ro", NULL};
	static const struct pstrv ro = {.items = ro_items, .len = 1};
	int r;

	if (!dest)
		return rule_oom(rc);
	if (under(dest, "/proc") && strcmp(dest, "/proc") != 0 &&
	    !pstrv_contains(&s->mounts.proc_allow, dest)) {
		path = json_fmt(".mounts[%zu].destination", i);
		before = json_string(m->destination);
		if (!path || !before)
			return rule_oom(rc);
		return rule_refuse(rc, RULE_MOUNTS, path, before,
				   "mounts over %s can hide /proc protections", dest);
	}
	if (shared(&m->options)) {
		path = json_fmt(".mounts[%zu].options", i);
		before = json_strv(&m->options);
		if (!path || !before)
			return rule_oom(rc);
		return rule_refuse(rc, RULE_MOUNTS, path, before,
				   "shared propagation of %s would let mounts reach the host",
				   m->destination);
	}
	if (is_bind(m)) {
		r = check_source(rc, i, m);
		if (r < 0)
			return r;
		return rewrite_options(rc, i, m, &s->mounts.bind_options,
				       "is a bind mount: no setuid binaries or device nodes");
	}
	if (m->type && (strcmp(m->type, "sysfs") == 0 || strcmp(m->type, "cgroup") == 0 ||
			strcmp(m->type, "cgroup2") == 0))
		return rewrite_options(rc, i, m, &ro, "must be read-only");
	return 0;
}

static const char *const dev_options = "nosuid,strictatime,mode=755,size=65536k";

int policy_rule_mounts(struct rule_ctx *rc)
{
	const struct policy_settings *s = &rc->policy->s;
	struct cinch_spec *spec = rc->spec;
	_cleanup_free_ char *root_opts = NULL;
	int r;

	for (size_t i = 0; i < spec->mounts.len; i++) {
		r = check_mount(rc, i);
		if (r < 0)
			return r;
	}
	if (spec->linux_ && spec->linux_->rootfs_propagation &&
	    (strcmp(spec->linux_->rootfs_propagation, "shared") == 0 ||
	     strcmp(spec->linux_->rootfs_propagation, "rshared") == 0)) {
		_cleanup_free_ char *before = json_string(spec->linux_->rootfs_propagation);
		if (!before)
			return rule_oom(rc);
		r = rule_refuse(rc, RULE_MOUNTS, ".linux.rootfsPropagation", before,
				"shared root propagation would let mounts reach the host");
		if (r < 0)
			return r;
	}
	if (!has_mount_at(spec, "/dev")) {
		r = rule_rewrite(
		    rc, RULE_MOUNTS, ".mounts", "no mount at /dev",
		    "{\"destination\":\"/dev\",\"type\":\"tmpfs\"}",
		    "device nodes are only created on a fresh tmpfs /dev, never on the "
		    "image's own /dev");
		if (r < 0)
			return r;
		if (r > 0 && add_mount(spec, "/dev", "tmpfs", "tmpfs", dev_options) < 0)
			return rule_oom(rc);
	}
	if (s->mounts.rootfs_options.len > 0) {
		const char *cur =
		    cinch_map_get(&spec->annotations, CINCH_ANNOTATION_ROOTFS_OPTIONS);
		size_t n = 1;
		for (size_t i = 0; i < s->mounts.rootfs_options.len; i++)
			n += strlen(s->mounts.rootfs_options.items[i]) + 1;
		root_opts = calloc(1, n);
		if (!root_opts)
			return rule_oom(rc);
		for (size_t i = 0; i < s->mounts.rootfs_options.len; i++) {
			if (i)
				strcat(root_opts, ",");
			strcat(root_opts, s->mounts.rootfs_options.items[i]);
		}
		if (!cur || strcmp(cur, root_opts) != 0) {
			_cleanup_free_ char *before = json_string(cur);
			_cleanup_free_ char *after = json_string(root_opts);
			_cleanup_free_ char *path =
			    json_fmt(".annotations[\"%s\"]", CINCH_ANNOTATION_ROOTFS_OPTIONS);
			if (!before || !after || !path)
				return rule_oom(rc);
			r = rule_rewrite(rc, RULE_MOUNTS, path, before, after,
					 "the root filesystem is mounted %s", root_opts);
			if (r < 0)
				return r;
			if (r > 0 &&
			    cinch_map_set(&spec->annotations, CINCH_ANNOTATION_ROOTFS_OPTIONS,
					  root_opts, rc->err) < 0)
				return -rc->err->code;
		}
	}
	return 0;
}

static int ensure_paths(struct rule_ctx *rc, struct cinch_strv *list, const struct pstrv *want,
			const char *path, const char *what)
{
	struct cinch_strv out = {0};
	_cleanup_free_ char *before = NULL;
	_cleanup_free_ char *after = NULL;
	int r;

	if (strv_copy(&out, list) < 0)
		goto oom;
	for (size_t i = 0; i < want->len; i++)
		if (!cinch_strv_contains(&out, want->items[i]) &&
		    strv_add(&out, want->items[i]) < 0)
			goto oom;
	if (out.len == list->len) {
		cinch_strv_clear(&out);
		return 0;
	}
	out.present = true;
	before = json_strv(list);
	after = json_strv(&out);
	if (!before || !after)
		goto oom;
	r = rule_rewrite(rc, RULE_MASKED_PATHS, path, before, after,
			 "the default %s paths must always be present", what);
	if (r <= 0) {
		cinch_strv_clear(&out);
		return r;
	}
	cinch_strv_clear(list);
	*list = out;
	return 0;
oom:
	cinch_strv_clear(&out);
	return rule_oom(rc);
}

int policy_rule_masked_paths(struct rule_ctx *rc)
{
	const struct policy_settings *s = &rc->policy->s;
	struct cinch_spec *spec = rc->spec;
	int r;

	if (!rule_spec_linux(spec))
		return rule_oom(rc);
	r = ensure_paths(rc, &spec->linux_->masked_paths, &s->masked.masked, ".linux.maskedPaths",
			 "masked");
	if (r < 0)
		return r;
	return ensure_paths(rc, &spec->linux_->readonly_paths, &s->masked.readonly,
			    ".linux.readonlyPaths", "read-only");
}
