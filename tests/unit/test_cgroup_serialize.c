/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup: the state JSON round trip, and rejection of state files that are
 * malformed or would point outside a hierarchy. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cinch/cleanup.h"
#include "src/cgroup/internal.h"

static struct cinch_cgroup *make_v1(void)
{
	struct cinch_cgroup *cg = calloc(1, sizeof(*cg));

	cg->backend = CINCH_CGROUP_V1;
	cg->id = strdup("c1");
	cg->n_hiers = 2;
	cg->hiers = calloc(2, sizeof(*cg->hiers));
	cg->hiers[0] = (struct cg_hier){.kind = CG_HIER_V1,
					.controllers = strdup("cpu,cpuacct"),
					.mount = strdup("/sys/fs/cgroup/cpu,cpuacct"),
					.root = strdup("/"),
					.path = strdup("/docker/c1"),
					.created_from = strdup("/docker")};
	cg->hiers[1] = (struct cg_hier){.kind = CG_HIER_UNIFIED,
					.mount = strdup("/sys/fs/cgroup/unified"),
					.root = strdup("/"),
					.path = strdup("/docker/c1")};
	return cg;
}

static void v1_state_round_trips(void **state)
{
	struct cinch_cgroup *cg = make_v1(), *back = NULL;
	_cleanup_free_ char *json = NULL, *again = NULL;
	struct cinch_error err = {0};

	assert_int_equal(cinch_cgroup_serialize(cg, &json, &err), 0);
	assert_non_null(strstr(json, "\"backend\":\"v1\""));
	assert_int_equal(cinch_cgroup_deserialize(json, &back, &err), 0);
	assert_int_equal(cinch_cgroup_backend(back), CINCH_CGROUP_V1);
	assert_int_equal(back->n_hiers, 2);
	assert_string_equal(back->hiers[0].controllers, "cpu,cpuacct");
	assert_string_equal(back->hiers[0].created_from, "/docker");
	assert_null(back->hiers[1].created_from);
	assert_int_equal(back->hiers[1].kind, CG_HIER_UNIFIED);
	assert_int_equal(cinch_cgroup_serialize(back, &again, &err), 0);
	assert_string_equal(json, again);
	cinch_cgroup_free(cg);
	cinch_cgroup_free(back);
}

static void systemd_state_keeps_the_unit(void **state)
{
	struct cinch_cgroup *cg = calloc(1, sizeof(*cg)), *back = NULL;
	_cleanup_free_ char *json = NULL;
	struct cinch_error err = {0};

	cg->backend = CINCH_CGROUP_SYSTEMD;
	cg->id = strdup("abc");
	cg->slice = strdup("system.slice");
	cg->unit = strdup("docker-abc.scope");
	cg->unit_started = true;
	cg->n_hiers = 1;
	cg->hiers = calloc(1, sizeof(*cg->hiers));
	cg->hiers[0] = (struct cg_hier){.kind = CG_HIER_UNIFIED,
					.mount = strdup("/sys/fs/cgroup"),
					.root = strdup("/"),
					.path = strdup("/system.slice/docker-abc.scope")};
	assert_int_equal(cinch_cgroup_serialize(cg, &json, &err), 0);
	assert_int_equal(cinch_cgroup_deserialize(json, &back, &err), 0);
	assert_int_equal(cinch_cgroup_backend(back), CINCH_CGROUP_SYSTEMD);
	assert_string_equal(back->unit, "docker-abc.scope");
	assert_true(back->unit_started);
	assert_string_equal(cinch_cgroup_path(back), "/system.slice/docker-abc.scope");
	/* not started yet with resources pending: refusing beats losing them */
	cg->pending = calloc(1, sizeof(*cg->pending));
	free(json);
	json = NULL;
	assert_int_equal(cinch_cgroup_serialize(cg, &json, &err), -EINVAL);
	cinch_cgroup_free(cg);
	cinch_cgroup_free(back);
}

static void bad_state_is_rejected(void **state)
{
	const char *bad[] = {
	    "",
	    "[]",
	    "{\"backend\":\"v9\",\"id\":\"x\",\"hierarchies\":[{\"kind\":\"unified\","
	    "\"mount\":\"/sys/fs/cgroup\",\"root\":\"/\",\"path\":\"/x\"}]}",
	    "{\"backend\":\"v2\",\"id\":\"x\",\"hierarchies\":[]}",
	    "{\"backend\":\"v2\",\"id\":\"x\",\"hierarchies\":[{\"kind\":\"unified\","
	    "\"mount\":\"/sys/fs/cgroup\",\"root\":\"/\",\"path\":\"/a/../../etc\"}]}",
	    "{\"backend\":\"v2\",\"id\":\"x\",\"hierarchies\":[{\"kind\":\"unified\","
	    "\"mount\":\"/sys/fs/cgroup\",\"root\":\"/\",\"path\":7}]}",
	    "{\"backend\":\"v2\",\"id\":\"x\",\"hierarchies\":[{\"kind\":\"v1\","
	    "\"mount\":\"/sys/fs/cgroup/memory\",\"root\":\"/\",\"path\":\"/x\"}]}",
	};
	struct cinch_error err = {0};
	struct cinch_cgroup *cg = NULL;

	for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
		cinch_error_clear(&err);
		assert_int_equal(cinch_cgroup_deserialize(bad[i], &cg, &err), -EINVAL);
		assert_null(cg);
		assert_non_null(strstr(err.msg, "cgroup state"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(v1_state_round_trips),
	    cmocka_unit_test(systemd_state_keeps_the_unit),
	    cmocka_unit_test(bad_state_is_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
