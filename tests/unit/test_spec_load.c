/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec: every document Docker, containerd and podman really passed a runtime
 * (captured under $CINCH_TEST_ENGINES/captured/<engine>/artifacts/) loads,
 * saves back to a document JSON-equal to the input (nothing known is lost,
 * nothing invented), and load -> save -> load -> save is byte-stable. Plus
 * field-level assertions on a few of them.
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "cinch/cleanup.h"
#include "cinch/spec.h"

static char *slurp(const char *path, size_t *len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char *buf;
	long size;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	buf[size] = '\0';
	*len = (size_t)size;
	return buf;
}

/* The artifacts of one kind ("config", "exec-process", "update-resources"). */
static size_t captured(const char *kind, glob_t *g)
{
	const char *root = getenv("CINCH_TEST_ENGINES");
	char pattern[4096];

	if (!root) /* set by tests/unit/meson.build */
		fail_msg("CINCH_TEST_ENGINES is not set (run through meson test)");
	snprintf(pattern, sizeof(pattern), "%s/captured/*/artifacts/*-%s.json", root, kind);
	assert_int_equal(glob(pattern, 0, NULL, g), 0);
	return g->gl_pathc;
}

static const char *find_captured(glob_t *g, const char *needle)
{
	for (size_t i = 0; i < g->gl_pathc; i++)
		if (strstr(g->gl_pathv[i], needle))
			return g->gl_pathv[i];
	fail_msg("no captured file matching %s", needle);
	return NULL;
}

/* JSON equality, ignoring member order. Numbers compare by their literal. */
static bool json_equal(yajl_val a, yajl_val b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case yajl_t_string:
		return strcmp(a->u.string, b->u.string) == 0;
	case yajl_t_number:
		return strcmp(a->u.number.r, b->u.number.r) == 0;
	case yajl_t_array:
		if (a->u.array.len != b->u.array.len)
			return false;
		for (size_t i = 0; i < a->u.array.len; i++)
			if (!json_equal(a->u.array.values[i], b->u.array.values[i]))
				return false;
		return true;
	case yajl_t_object:
		if (a->u.object.len != b->u.object.len)
			return false;
		for (size_t i = 0; i < a->u.object.len; i++) {
			const char *path[] = {a->u.object.keys[i], NULL};
			yajl_val other = yajl_tree_get(b, path, yajl_t_any);

			if (!other || !json_equal(a->u.object.values[i], other)) {
				print_error("differs at key %s\n", a->u.object.keys[i]);
				return false;
			}
		}
		return true;
	case yajl_t_true:
	case yajl_t_false:
	case yajl_t_null:
	case yajl_t_any:
	default:
		return true;
	}
}

static void assert_json_equal(const char *x, const char *y, const char *what)
{
	char eb[256];
	yajl_val a = yajl_tree_parse(x, eb, sizeof(eb));
	yajl_val b = yajl_tree_parse(y, eb, sizeof(eb));
	bool same;

	assert_non_null(a);
	assert_non_null(b);
	same = json_equal(a, b);
	yajl_tree_free(a);
	yajl_tree_free(b);
	if (!same)
		fail_msg("saved document is not JSON-equal to %s", what);
}

enum doc_kind { DOC_SPEC, DOC_PROCESS, DOC_RESOURCES };

static int load_any(enum doc_kind kind, const char *buf, size_t len, void **ret,
		    struct cinch_error *err)
{
	switch (kind) {
	case DOC_SPEC:
		return cinch_spec_load_buffer(buf, len, "config.json", (struct cinch_spec **)ret,
					      err);
	case DOC_PROCESS:
		return cinch_process_load_buffer(buf, len, "process.json",
						 (struct cinch_process **)ret, err);
	case DOC_RESOURCES:
	default:
		return cinch_resources_load_buffer(buf, len, "resources",
						   (struct cinch_resources **)ret, err);
	}
}

static int save_any(enum doc_kind kind, const void *m, char **ret, size_t *len,
		    struct cinch_error *err)
{
	switch (kind) {
	case DOC_SPEC:
		return cinch_spec_save_buffer(m, false, ret, len, err);
	case DOC_PROCESS:
		return cinch_process_save_buffer(m, ret, len, err);
	case DOC_RESOURCES:
	default:
		return cinch_resources_save_buffer(m, ret, len, err);
	}
}

static void free_any(enum doc_kind kind, void *m)
{
	if (kind == DOC_SPEC)
		cinch_spec_free(m);
	else if (kind == DOC_PROCESS)
		cinch_process_free(m);
	else
		cinch_resources_free(m);
}

static void round_trip(enum doc_kind kind, const char *path)
{
	struct cinch_error err = {0};
	_cleanup_free_ char *input = NULL, *first = NULL, *second = NULL, *third = NULL;
	void *m1 = NULL, *m2 = NULL, *m3 = NULL;
	size_t len, l1, l2, l3;

	input = slurp(path, &len);
	if (load_any(kind, input, len, &m1, &err) < 0)
		fail_msg("%s: %s", path, err.msg);
	assert_int_equal(save_any(kind, m1, &first, &l1, &err), 0);
	assert_json_equal(first, input, path);
	assert_int_equal(load_any(kind, first, l1, &m2, &err), 0);
	assert_int_equal(save_any(kind, m2, &second, &l2, &err), 0);
	assert_int_equal(load_any(kind, second, l2, &m3, &err), 0);
	assert_int_equal(save_any(kind, m3, &third, &l3, &err), 0);
	assert_int_equal(l1, l2);
	assert_string_equal(first, second);
	assert_string_equal(second, third);
	free_any(kind, m1);
	free_any(kind, m2);
	free_any(kind, m3);
}

static void captured_configs_round_trip(void **state)
{
	glob_t g;
	size_t n = captured("create-config", &g);

	/* 57 were captured (docker, containerd/CRI, podman); never silently zero. */
	assert_true(n >= 50);
	for (size_t i = 0; i < n; i++)
		round_trip(DOC_SPEC, g.gl_pathv[i]);
	globfree(&g);
}

static void captured_exec_processes_round_trip(void **state)
{
	glob_t g;
	size_t n = captured("exec-process", &g);

	assert_true(n >= 8);
	for (size_t i = 0; i < n; i++)
		round_trip(DOC_PROCESS, g.gl_pathv[i]);
	globfree(&g);
}

static void captured_update_resources_round_trip(void **state)
{
	glob_t g;
	size_t n = captured("update-resources", &g);

	assert_true(n >= 4);
	for (size_t i = 0; i < n; i++)
		round_trip(DOC_RESOURCES, g.gl_pathv[i]);
	globfree(&g);
}

static struct cinch_spec *load_captured(const char *needle)
{
	struct cinch_error err = {0};
	struct cinch_spec *spec = NULL;
	glob_t g;

	captured("create-config", &g);
	if (cinch_spec_load_file(find_captured(&g, needle), &spec, &err) < 0)
		fail_msg("%s", err.msg);
	globfree(&g);
	return spec;
}

static void docker_prestart_hook(void **state)
{
	struct cinch_spec *spec = load_captured("docker/artifacts/19-");
	const struct cinch_hook_list *pre;

	assert_non_null(spec->hooks);
	pre = &spec->hooks->lists[CINCH_HOOK_PRESTART];
	assert_true(pre->present);
	assert_int_equal(pre->len, 1);
	assert_string_equal(pre->items[0].path, "/proc/8827/exe");
	assert_string_equal(pre->items[0].args.items[0], "libnetwork-setkey");
	assert_false(pre->items[0].timeout.present);
	assert_false(spec->hooks->lists[CINCH_HOOK_POSTSTOP].present);
	assert_string_equal(spec->oci_version, "1.0.2-dev");
	cinch_spec_free(spec);
}

static void cri_relative_root(void **state)
{
	struct cinch_spec *spec = load_captured("cri-3-StartContainer");

	assert_string_equal(spec->root->path, "rootfs");
	assert_true(spec->root->readonly.present);
	assert_true(spec->root->readonly.value);
	assert_non_null(cinch_spec_find_namespace(spec, CINCH_NS_PID));
	cinch_spec_free(spec);
}

static void podman_umask_and_tmpcopyup(void **state)
{
	struct cinch_spec *spec = load_captured("podman/artifacts/12-hardened");
	const struct cinch_mount *m;

	assert_true(spec->process->user_present);
	assert_int_equal(spec->process->user.uid, 1000);
	assert_true(spec->process->user.umask.present);
	assert_int_equal(spec->process->user.umask.value, 18);
	assert_true(spec->process->user.additional_gids.present);
	assert_int_equal(spec->process->user.additional_gids.items[0], 1000);
	m = &spec->mounts.items[0];
	assert_string_equal(m->destination, "/run");
	assert_true(cinch_strv_contains(&m->options, "tmpcopyup"));
	assert_null(m->options.items[m->options.len]);
	cinch_spec_free(spec);
}

static void seccomp_args_and_errno_ret(void **state)
{
	struct cinch_spec *spec = load_captured("podman/artifacts/01-");
	const struct cinch_seccomp *sc = spec->linux_->seccomp;
	bool saw_errno_ret = false, saw_arg = false;

	assert_non_null(sc);
	assert_string_equal(sc->default_action, "SCMP_ACT_ERRNO");
	assert_true(sc->default_errno_ret.present);
	assert_int_equal(sc->default_errno_ret.value, 38);
	for (size_t i = 0; i < sc->syscalls.len; i++) {
		const struct cinch_seccomp_syscall *s = &sc->syscalls.items[i];

		if (s->errno_ret.present && cinch_strv_contains(&s->names, "vmsplice")) {
			assert_int_equal(s->errno_ret.value, 1);
			assert_string_equal(s->action, "SCMP_ACT_ERRNO");
			saw_errno_ret = true;
		}
		for (size_t j = 0; j < s->args.len; j++)
			if (s->args.items[j].value == 4294967295u) {
				assert_string_equal(s->args.items[j].op, "SCMP_CMP_EQ");
				assert_int_equal(s->args.items[j].index, 0);
				assert_false(s->args.items[j].value_two.present);
				saw_arg = true;
			}
	}
	assert_true(saw_errno_ret);
	assert_true(saw_arg);
	cinch_spec_free(spec);
}

static void cri_exec_process_empty_capabilities(void **state)
{
	struct cinch_error err = {0};
	struct cinch_process *p = NULL;
	_cleanup_free_ char *out = NULL;
	glob_t g;

	captured("exec-process", &g);
	assert_int_equal(cinch_process_load_file(find_captured(&g, "cri-4-ExecSync"), &p, &err), 0);
	globfree(&g);
	/* "capabilities": {} is present-but-empty, not absent. */
	assert_non_null(p->capabilities);
	assert_false(p->capabilities->bounding.present);
	assert_int_equal(p->oom_score_adj.value, 1000);
	assert_string_equal(p->cwd, "/tmp");
	assert_int_equal(cinch_process_save_buffer(p, &out, NULL, &err), 0);
	assert_non_null(strstr(out, "\"capabilities\":{}"));
	cinch_process_free(p);
}

static void docker_update_resources_fields(void **state)
{
	struct cinch_error err = {0};
	struct cinch_resources *r = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t len;
	glob_t g;

	captured("update-resources", &g);
	buf = slurp(find_captured(&g, "06b-docker-update"), &len);
	globfree(&g);
	assert_int_equal(cinch_resources_load_buffer(buf, len, "resources", &r, &err), 0);
	assert_non_null(r->pids);
	assert_int_equal(r->pids->limit.value, 77);
	assert_true(r->memory->limit.present);
	assert_int_equal(r->memory->limit.value, 0);
	assert_false(r->memory->swap.present);
	assert_int_equal(r->cpu->quota.value, 50000);
	assert_true(r->block_io->weight.present);
	assert_null(r->network);
	cinch_resources_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(captured_configs_round_trip),
	    cmocka_unit_test(captured_exec_processes_round_trip),
	    cmocka_unit_test(captured_update_resources_round_trip),
	    cmocka_unit_test(docker_prestart_hook),
	    cmocka_unit_test(cri_relative_root),
	    cmocka_unit_test(podman_umask_and_tmpcopyup),
	    cmocka_unit_test(seccomp_args_and_errno_ret),
	    cmocka_unit_test(cri_exec_process_empty_capabilities),
	    cmocka_unit_test(docker_update_resources_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
