/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state.json (cinch's private record, with a "cinch" marker so a --root
 * shared with runc can be told apart) and the runc-shaped public state
 * document printed by `state`, `list --format json` and fed to hooks.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "cinch/cleanup.h"
#include "cinch/state.h"

#define STATE_MARKER_VERSION 1
#define STATE_FILE_MAX	     (4 << 20)

void cinch_state_free(struct cinch_state *st)
{
	if (!st)
		return;
	free(st->id);
	free(st->oci_version);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->owner);
	for (size_t i = 0; i < st->annotations.len; i++) {
		free(st->annotations.items[i].key);
		free(st->annotations.items[i].value);
	}
	free(st->annotations.items);
	free(st->cgroup);
	free(st);
}

static void gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_kv_str(yajl_gen g, const char *k, const char *v)
{
	gen_str(g, k);
	gen_str(g, v ? v : "");
}

static void gen_kv_int(yajl_gen g, const char *k, long long v)
{
	gen_str(g, k);
	yajl_gen_integer(g, v);
}

static void gen_kv_bool(yajl_gen g, const char *k, bool v)
{
	gen_str(g, k);
	yajl_gen_bool(g, v);
}

static void gen_annotations(yajl_gen g, const struct cinch_map *m)
{
	gen_str(g, "annotations");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < m->len; i++)
		gen_kv_str(g, m->items[i].key, m->items[i].value);
	yajl_gen_map_close(g);
}

static int gen_finish(yajl_gen g, char **ret, size_t *ret_len, struct cinch_error *err)
{
	const unsigned char *buf;
	size_t len;
	char *out;

	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		return cinch_error_set(err, EINVAL, "state: JSON generation failed");
	out = malloc(len + 1);
	if (!out)
		return cinch_error_set(err, ENOMEM, "state: out of memory");
	memcpy(out, buf, len);
	out[len] = '\0';
	*ret = out;
	if (ret_len)
		*ret_len = len;
	return 0;
}

int cinch_state_save(int dirfd, const struct cinch_state *st, struct cinch_error *err)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	_cleanup_free_ char *doc = NULL;
	size_t len = 0;
	int r;

	if (!g)
		return cinch_error_set(err, ENOMEM, "state: out of memory");
	yajl_gen_map_open(g);
	gen_kv_int(g, "cinch", STATE_MARKER_VERSION);
	gen_kv_str(g, "ociVersion", st->oci_version);
	gen_kv_str(g, "id", st->id);
	gen_kv_int(g, "pid", st->pid);
	gen_kv_int(g, "pidStartTime", (long long)st->pid_start_time);
	gen_kv_str(g, "bundle", st->bundle);
	gen_kv_str(g, "rootfs", st->rootfs);
	gen_kv_str(g, "created", st->created);
	gen_kv_str(g, "owner", st->owner);
	if (st->annotations.len)
		gen_annotations(g, &st->annotations);
	if (st->cgroup)
		gen_kv_str(g, "cgroup", st->cgroup);
	gen_kv_bool(g, "systemdCgroup", st->systemd_cgroup);
	gen_kv_bool(g, "ownPidNamespace", st->own_pid_ns);
	gen_kv_bool(g, "hasPoststart", st->has_poststart);
	gen_kv_bool(g, "hasPoststop", st->has_poststop);
	yajl_gen_map_close(g);
	r = gen_finish(g, &doc, &len, err);
	yajl_gen_free(g);
	if (r < 0)
		return r;
	return cinch_state_write_file(dirfd, CINCH_STATE_FILE, doc, len, err);
}

static int get_str(yajl_val root, const char *key, bool required, char **ret,
		   struct cinch_error *err, const char *id)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_any);

	if (!v) {
		if (required)
			return cinch_error_set(err, EINVAL, "state of %s: missing %s", id, key);
		*ret = NULL;
		return 0;
	}
	if (!YAJL_IS_STRING(v))
		return cinch_error_set(err, EINVAL, "state of %s: %s is not a string", id, key);
	*ret = strdup(v->u.string);
	if (!*ret)
		return cinch_error_set(err, ENOMEM, "state of %s: out of memory", id);
	return 0;
}

static int get_int(yajl_val root, const char *key, long long *ret, struct cinch_error *err,
		   const char *id)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_any);

	if (!v || !YAJL_IS_INTEGER(v))
		return cinch_error_set(err, EINVAL, "state of %s: %s missing or not an integer", id,
				       key);
	*ret = YAJL_GET_INTEGER(v);
	return 0;
}

static bool get_bool(yajl_val root, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_any);

	return v && YAJL_IS_TRUE(v);
}

static int get_annotations(yajl_val root, struct cinch_map *m, struct cinch_error *err,
			   const char *id)
{
	const char *path[] = {"annotations", NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_object);

	if (!v)
		return 0;
	m->items = calloc(v->u.object.len + 1, sizeof(*m->items));
	if (!m->items)
		return cinch_error_set(err, ENOMEM, "state of %s: out of memory", id);
	m->present = true;
	for (size_t i = 0; i < v->u.object.len; i++) {
		yajl_val val = v->u.object.values[i];
		if (!YAJL_IS_STRING(val))
			return cinch_error_set(err, EINVAL,
					       "state of %s: annotation %s not a string", id,
					       v->u.object.keys[i]);
		m->items[i].key = strdup(v->u.object.keys[i]);
		m->items[i].value = strdup(val->u.string);
		m->len = i + 1;
		if (!m->items[i].key || !m->items[i].value)
			return cinch_error_set(err, ENOMEM, "state of %s: out of memory", id);
	}
	return 0;
}

int cinch_state_parse(const char *buf, const char *id, struct cinch_state **ret,
		      struct cinch_error *err)
{
	char errbuf[256] = "";
	yajl_val root = yajl_tree_parse(buf, errbuf, sizeof(errbuf));
	struct cinch_state *st = NULL;
	long long marker = 0, pid = 0, start = 0;
	int r;

	if (!root) {
		char *nl = strchr(errbuf, '\n');
		if (nl)
			*nl = '\0';
		return cinch_error_set(err, EINVAL, "state of %s: invalid JSON: %s", id, errbuf);
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		r = cinch_error_set(err, ENOMEM, "state of %s: out of memory", id);
		goto out;
	}
	if (!YAJL_IS_OBJECT(root) || get_int(root, "cinch", &marker, err, id) < 0 ||
	    marker != STATE_MARKER_VERSION) {
		r = cinch_error_set(err, EINVAL, "state of %s: not a cinch state file", id);
		goto out;
	}
	if ((r = get_str(root, "id", true, &st->id, err, id)) < 0 ||
	    (r = get_str(root, "ociVersion", true, &st->oci_version, err, id)) < 0 ||
	    (r = get_str(root, "bundle", true, &st->bundle, err, id)) < 0 ||
	    (r = get_str(root, "rootfs", true, &st->rootfs, err, id)) < 0 ||
	    (r = get_str(root, "created", true, &st->created, err, id)) < 0 ||
	    (r = get_str(root, "owner", true, &st->owner, err, id)) < 0 ||
	    (r = get_str(root, "cgroup", false, &st->cgroup, err, id)) < 0 ||
	    (r = get_int(root, "pid", &pid, err, id)) < 0 ||
	    (r = get_int(root, "pidStartTime", &start, err, id)) < 0 ||
	    (r = get_annotations(root, &st->annotations, err, id)) < 0)
		goto out;
	if (strcmp(st->id, id) != 0) {
		r = cinch_error_set(err, EINVAL, "state of %s: records id %s", id, st->id);
		goto out;
	}
	if (pid < 0 || pid > 0x7fffffff || start < 0) {
		r = cinch_error_set(err, EINVAL, "state of %s: invalid pid", id);
		goto out;
	}
	st->pid = (pid_t)pid;
	st->pid_start_time = (uint64_t)start;
	st->systemd_cgroup = get_bool(root, "systemdCgroup");
	st->own_pid_ns = get_bool(root, "ownPidNamespace");
	st->has_poststart = get_bool(root, "hasPoststart");
	st->has_poststop = get_bool(root, "hasPoststop");
	*ret = steal_pointer(&st);
	r = 0;
out:
	cinch_state_free(st);
	yajl_tree_free(root);
	return r;
}

int cinch_state_load(int dirfd, const char *id, struct cinch_state **ret, struct cinch_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, CINCH_STATE_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_free_ char *buf = NULL;
	struct stat sb;
	size_t off = 0;

	if (fd < 0) {
		if (errno == ENOENT)
			return cinch_error_set(err, ENOENT, "container %s does not exist", id);
		return cinch_error_errno(err, errno, "open state of %s", id);
	}
	if (fstat(fd, &sb) < 0)
		return cinch_error_errno(err, errno, "stat state of %s", id);
	if (sb.st_size > STATE_FILE_MAX)
		return cinch_error_set(err, EFBIG, "state of %s: file too large", id);
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf)
		return cinch_error_set(err, ENOMEM, "state of %s: out of memory", id);
	while (off < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)sb.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cinch_error_errno(err, errno, "read state of %s", id);
		if (n == 0)
			break;
		off += (size_t)n;
	}
	buf[off] = '\0';
	return cinch_state_parse(buf, id, ret, err);
}

int cinch_state_oci_json(const struct cinch_state *st, enum cinch_status status, bool pretty,
			 char **ret, size_t *ret_len, struct cinch_error *err)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	int r;

	if (!g)
		return cinch_error_set(err, ENOMEM, "state: out of memory");
	if (pretty) {
		yajl_gen_config(g, yajl_gen_beautify, 1);
		yajl_gen_config(g, yajl_gen_indent_string, "  ");
	}
	yajl_gen_map_open(g);
	gen_kv_str(g, "ociVersion", st->oci_version);
	gen_kv_str(g, "id", st->id);
	gen_kv_int(g, "pid", status == CINCH_STATUS_STOPPED ? 0 : st->pid);
	gen_kv_str(g, "status", cinch_status_name(status));
	gen_kv_str(g, "bundle", st->bundle);
	gen_kv_str(g, "rootfs", st->rootfs);
	gen_kv_str(g, "created", st->created);
	gen_kv_str(g, "owner", st->owner);
	if (st->annotations.len)
		gen_annotations(g, &st->annotations);
	yajl_gen_map_close(g);
	r = gen_finish(g, ret, ret_len, err);
	yajl_gen_free(g);
	return r;
}
