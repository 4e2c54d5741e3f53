/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The manager as JSON for the container's state: backend, the resolved path
 * in every hierarchy and what this manager created there, and the systemd
 * unit. Later commands (delete, kill --all, pause, update, ps) rebuild the
 * manager from it without detecting again or seeing --systemd-cgroup.
 *
 *   {"version":1,"backend":"v1","id":"c1","hierarchies":[{"kind":"v1",
 *    "controllers":"memory","mount":"/sys/fs/cgroup/memory","root":"/",
 *    "path":"/docker/c1","created_from":"/docker/c1"}, ...]}
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "cinch/cleanup.h"
#include "src/cgroup/internal.h"

static int gen_str(yajl_gen g, const char *key, const char *value)
{
	if (yajl_gen_string(g, (const unsigned char *)key, strlen(key)) != yajl_gen_status_ok)
		return -ENOMEM;
	if (!value)
		return yajl_gen_null(g) == yajl_gen_status_ok ? 0 : -ENOMEM;
	return yajl_gen_string(g, (const unsigned char *)value, strlen(value)) == yajl_gen_status_ok
		   ? 0
		   : -ENOMEM;
}

static int gen_all(yajl_gen g, const struct cinch_cgroup *cg)
{
	int r = 0;

	if (yajl_gen_map_open(g) != yajl_gen_status_ok)
		return -ENOMEM;
	if (yajl_gen_string(g, (const unsigned char *)"version", 7) != yajl_gen_status_ok ||
	    yajl_gen_integer(g, 1) != yajl_gen_status_ok)
		return -ENOMEM;
	r = gen_str(g, "backend", cg_backend_label(cg->backend));
	if (r >= 0)
		r = gen_str(g, "id", cg->id);
	if (r >= 0 && cg->backend == CINCH_CGROUP_SYSTEMD) {
		r = gen_str(g, "slice", cg->slice);
		if (r >= 0)
			r = gen_str(g, "unit", cg->unit);
		if (r >= 0 && (yajl_gen_string(g, (const unsigned char *)"unit_started", 12) !=
				   yajl_gen_status_ok ||
			       yajl_gen_bool(g, cg->unit_started) != yajl_gen_status_ok))
			r = -ENOMEM;
	}
	if (r < 0 ||
	    yajl_gen_string(g, (const unsigned char *)"hierarchies", 11) != yajl_gen_status_ok ||
	    yajl_gen_array_open(g) != yajl_gen_status_ok)
		return -ENOMEM;
	for (size_t i = 0; r >= 0 && i < cg->n_hiers; i++) {
		const struct cg_hier *h = &cg->hiers[i];

		if (yajl_gen_map_open(g) != yajl_gen_status_ok)
			return -ENOMEM;
		r = gen_str(g, "kind", h->kind == CG_HIER_V1 ? "v1" : "unified");
		if (r >= 0)
			r = gen_str(g, "controllers", h->controllers);
		if (r >= 0)
			r = gen_str(g, "mount", h->mount);
		if (r >= 0)
			r = gen_str(g, "root", h->root);
		if (r >= 0)
			r = gen_str(g, "path", h->path);
		if (r >= 0)
			r = gen_str(g, "created_from", h->created_from);
		if (r >= 0 && yajl_gen_map_close(g) != yajl_gen_status_ok)
			r = -ENOMEM;
	}
	if (r < 0 || yajl_gen_array_close(g) != yajl_gen_status_ok ||
	    yajl_gen_map_close(g) != yajl_gen_status_ok)
		return -ENOMEM;
	return 0;
}

int cinch_cgroup_serialize(const struct cinch_cgroup *cg, char **ret, struct cinch_error *err)
{
	yajl_gen g;
	const unsigned char *buf;
	size_t len;
	char *out;
	int r;

	if (cg->backend == CINCH_CGROUP_SYSTEMD && cg->pending)
		return cinch_error_set(err, EINVAL,
				       "cgroup systemd: the scope for %s is started by enter(); "
				       "serialize after enter so the resources are not lost",
				       cg->id);
	g = yajl_gen_alloc(NULL);
	if (!g)
		return cinch_error_errno(err, ENOMEM, "cgroup state");
	r = gen_all(g, cg);
	if (r >= 0 && yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		r = -ENOMEM;
	if (r < 0) {
		yajl_gen_free(g);
		return cinch_error_errno(err, -r, "cgroup state");
	}
	out = strndup((const char *)buf, len);
	yajl_gen_free(g);
	if (!out)
		return cinch_error_errno(err, ENOMEM, "cgroup state");
	*ret = out;
	return 0;
}

static const char *get_str(yajl_val obj, const char *key, bool *bad)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(obj, path, yajl_t_any);

	if (!v || YAJL_IS_NULL(v))
		return NULL;
	if (!YAJL_IS_STRING(v)) {
		*bad = true;
		return NULL;
	}
	return YAJL_GET_STRING(v);
}

static int dup_opt(const char *s, char **ret)
{
	*ret = NULL;
	if (s && !(*ret = strdup(s)))
		return -ENOMEM;
	return 0;
}

/* Paths must be absolute and normalised: a state file cannot point us
 * outside a hierarchy. */
static bool path_ok(const char *p)
{
	struct cinch_error e;
	_cleanup_free_ char *norm = NULL;

	if (!p || p[0] != '/')
		return false;
	if (cg_path_normalize(p, &norm, &e) < 0)
		return false;
	return strcmp(norm, p) == 0;
}

static int load_hier(yajl_val v, struct cg_hier *h, size_t i, struct cinch_error *err)
{
	bool bad = false;
	const char *kind = get_str(v, "kind", &bad), *mount = get_str(v, "mount", &bad);
	const char *root = get_str(v, "root", &bad), *path = get_str(v, "path", &bad);
	const char *ctrls = get_str(v, "controllers", &bad);
	const char *created = get_str(v, "created_from", &bad);

	if (bad || !kind || !mount || !root || !path)
		return cinch_error_set(
		    err, EINVAL, "cgroup state: hierarchies[%zu]: missing or non-string field", i);
	if (strcmp(kind, "v1") == 0)
		h->kind = CG_HIER_V1;
	else if (strcmp(kind, "unified") == 0)
		h->kind = CG_HIER_UNIFIED;
	else
		return cinch_error_set(err, EINVAL, "cgroup state: hierarchies[%zu].kind: \"%s\"",
				       i, kind);
	if (!path_ok(mount) || !path_ok(root) || !path_ok(path) || (created && !path_ok(created)) ||
	    (h->kind == CG_HIER_V1 && !ctrls))
		return cinch_error_set(err, EINVAL, "cgroup state: hierarchies[%zu]: invalid path",
				       i);
	if (dup_opt(ctrls, &h->controllers) < 0 || dup_opt(mount, &h->mount) < 0 ||
	    dup_opt(root, &h->root) < 0 || dup_opt(path, &h->path) < 0 ||
	    dup_opt(created, &h->created_from) < 0)
		return cinch_error_errno(err, ENOMEM, "cgroup state");
	return 0;
}

int cinch_cgroup_deserialize(const char *json, struct cinch_cgroup **ret, struct cinch_error *err)
{
	char ebuf[256] = "";
	yajl_val root = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	const char *hp[] = {"hierarchies", NULL}, *sp[] = {"unit_started", NULL};
	struct cinch_cgroup *cg = NULL;
	const char *backend, *id;
	yajl_val hv, sv;
	bool bad = false;
	int r = 0;

	if (!root || !YAJL_IS_OBJECT(root)) {
		for (char *p = ebuf; *p; p++)
			if (*p == '\n')
				*p = ' ';
		r = cinch_error_set(err, EINVAL, "cgroup state: not a JSON object%s%s",
				    ebuf[0] ? ": " : "", ebuf);
		goto out;
	}
	backend = get_str(root, "backend", &bad);
	id = get_str(root, "id", &bad);
	hv = yajl_tree_get(root, hp, yajl_t_array);
	if (bad || !backend || !id || !id[0] || !hv || !YAJL_IS_ARRAY(hv) || hv->u.array.len == 0) {
		r = cinch_error_set(err, EINVAL,
				    "cgroup state: backend, id and hierarchies are required");
		goto out;
	}
	cg = calloc(1, sizeof(*cg));
	if (!cg || !(cg->id = strdup(id))) {
		r = cinch_error_errno(err, ENOMEM, "cgroup state");
		goto out;
	}
	if (strcmp(backend, "v2") == 0)
		cg->backend = CINCH_CGROUP_V2;
	else if (strcmp(backend, "v1") == 0)
		cg->backend = CINCH_CGROUP_V1;
	else if (strcmp(backend, "systemd") == 0)
		cg->backend = CINCH_CGROUP_SYSTEMD;
	else {
		r = cinch_error_set(err, EINVAL, "cgroup state: unknown backend \"%s\"", backend);
		goto out;
	}
	if (cg->backend == CINCH_CGROUP_SYSTEMD) {
		const char *slice = get_str(root, "slice", &bad),
			   *unit = get_str(root, "unit", &bad);

		sv = yajl_tree_get(root, sp, yajl_t_any);
		if (bad || !slice || !unit || strchr(unit, '/')) {
			r = cinch_error_set(err, EINVAL,
					    "cgroup state: systemd slice/unit missing");
			goto out;
		}
		cg->unit_started = sv && YAJL_IS_TRUE(sv);
		if (dup_opt(slice, &cg->slice) < 0 || dup_opt(unit, &cg->unit) < 0) {
			r = cinch_error_errno(err, ENOMEM, "cgroup state");
			goto out;
		}
	}
	cg->hiers = calloc(hv->u.array.len, sizeof(*cg->hiers));
	if (!cg->hiers) {
		r = cinch_error_errno(err, ENOMEM, "cgroup state");
		goto out;
	}
	for (size_t i = 0; i < hv->u.array.len; i++) {
		yajl_val v = hv->u.array.values[i];

		if (!YAJL_IS_OBJECT(v)) {
			r = cinch_error_set(err, EINVAL,
					    "cgroup state: hierarchies[%zu]: not an object", i);
			goto out;
		}
		cg->n_hiers++;
		r = load_hier(v, &cg->hiers[i], i, err);
		if (r < 0)
			goto out;
	}
	if (cg->backend != CINCH_CGROUP_V1 && !cg_find_hier(cg, CG_HIER_UNIFIED, NULL)) {
		r = cinch_error_set(err, EINVAL,
				    "cgroup state: no unified hierarchy for backend %s", backend);
		goto out;
	}
	*ret = steal_pointer(&cg);
out:
	yajl_tree_free(root);
	cinch_cgroup_free(cg);
	return r;
}
