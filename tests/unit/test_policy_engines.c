/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every config and exec process captured from Docker, containerd (ctr and
 * CRI) and podman, through each built-in level: the report and the
 * effective config must match the golden files under
 * data/policy/engines/ (UPDATE_GOLDEN=1 regenerates them). The engines'
 * everyday containers must still start under restricted.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/policy.h"
#include "cinch/spec.h"
#include "policy_golden.h"

static int fake_exe(int pid, char **ret, void *userdata)
{
	*ret = strdup("/usr/bin/dockerd");
	return *ret ? 0 : -ENOMEM;
}

static const struct cinch_policy_context ctx = {
    .arch = "x86_64",
    .proc_exe_target = fake_exe,
};

/* Configs that must not be refused under restricted (plain docker run, CRI
 * pod sandbox and container, podman run, ctr run). */
static const char *const must_start[] = {
    "docker/artifacts/01-docker-run-rm-runtime-logged-e2e-busybox-echo-hi--1-create-config.json",
    "docker/artifacts/"
    "29-default-docker-networking-bridge-iptables-in-a-private-ne--1-create-config.json",
    "containerd/artifacts/cri-1-RunPodSandbox-runtime-handler-cinch--1-create-config.json",
    "containerd/artifacts/cri-3-StartContainer--1-create-config.json",
    "containerd/artifacts/"
    "01-ctr-run-rm-runc-binary-logging-runtime-IMG-c1-echo-hi--1-create-config.json",
    "podman/artifacts/"
    "01-podman-runtime-abs-logging-runtime-run-rm-IMG-echo-hi--1-create-config.json",
};

static const char *const engines[] = {"docker", "containerd", "podman"};

static bool is_must_start(const char *rel)
{
	for (size_t i = 0; i < sizeof(must_start) / sizeof(*must_start); i++)
		if (strcmp(rel, must_start[i]) == 0)
			return true;
	return false;
}

static void check_config(const char *dir, const char *engine, const char *file)
{
	char path[4096], rel[1024], golden[1200];
	struct cinch_spec *spec = NULL;
	struct cinch_error err = {0};

	snprintf(path, sizeof(path), "%s/captured/%s/artifacts/%s", dir, engine, file);
	snprintf(rel, sizeof(rel), "%s/artifacts/%s", engine, file);
	assert_int_equal(cinch_spec_load_file(path, &spec, &err), 0);
	for (int lv = 0; lv < CINCH_POLICY_LEVEL_COUNT; lv++) {
		struct cinch_policy *p = NULL;
		struct cinch_spec *out = NULL;
		struct cinch_policy_report *report = NULL;
		char *json = NULL, *cfg = NULL, *doc = NULL;
		size_t len;
		int r;

		assert_int_equal(cinch_policy_builtin(lv, &p, &err), 0);
		r = cinch_policy_apply(p, spec, &ctx, &out, &report, &err);
		assert_true(r == 0 || r == -EPERM);
		assert_non_null(report);
		if (lv == CINCH_POLICY_PRIVILEGED)
			assert_true(cinch_policy_report_compliant(report));
		if (lv == CINCH_POLICY_RESTRICTED && is_must_start(rel) && r != 0)
			fail_msg("%s refused under restricted: %s", rel, err.msg);
		assert_int_equal(cinch_policy_report_to_json(report, true, &json, &len, &err), 0);
		if (out)
			assert_int_equal(cinch_spec_save_buffer(out, true, &cfg, &len, &err), 0);
		assert_true(asprintf(&doc, "%s--- effective config\n%s\n", json,
				     cfg ? cfg : "(refused)") > 0);
		snprintf(golden, sizeof(golden), "engines/%s/%.*s.%s.txt", engine,
			 (int)(strlen(file) - strlen(".json")), file, cinch_policy_level_name(lv));
		golden_check(golden, doc);
		free(doc);
		free(cfg);
		free(json);
		cinch_policy_report_free(report);
		cinch_spec_free(out);
		cinch_policy_free(p);
	}
	cinch_spec_free(spec);
}

static void check_exec(const char *dir, const char *engine, const char *file)
{
	char path[4096], golden[1200];
	struct cinch_process *proc = NULL;
	struct cinch_spec *container = NULL;
	struct cinch_error err = {0};
	char cpath[4096];

	snprintf(path, sizeof(path), "%s/captured/%s/artifacts/%s", dir, engine, file);
	assert_int_equal(cinch_process_load_file(path, &proc, &err), 0);
	/* The running container: the engine's plain create config, rewritten. */
	snprintf(cpath, sizeof(cpath), "%s/captured/%s", dir,
		 strcmp(engine, "containerd") == 0 ? must_start[3]
		 : strcmp(engine, "podman") == 0   ? must_start[5]
						   : must_start[0]);
	assert_int_equal(cinch_spec_load_file(cpath, &container, &err), 0);
	for (int lv = 0; lv < CINCH_POLICY_LEVEL_COUNT; lv++) {
		struct cinch_policy *p = NULL;
		struct cinch_spec *eff = NULL;
		struct cinch_process *out = NULL;
		struct cinch_policy_report *report = NULL;
		char *json = NULL, *pj = NULL, *doc = NULL;
		size_t len;
		int r;

		assert_int_equal(cinch_policy_builtin(lv, &p, &err), 0);
		assert_int_equal(cinch_policy_apply(p, container, &ctx, &eff, NULL, &err), 0);
		r = cinch_policy_apply_exec(p, eff, proc, &ctx, &out, &report, &err);
		assert_true(r == 0 || r == -EPERM);
		assert_int_equal(cinch_policy_report_to_json(report, true, &json, &len, &err), 0);
		if (out)
			assert_int_equal(cinch_process_save_buffer(out, &pj, &len, &err), 0);
		assert_true(asprintf(&doc, "%s--- effective process\n%s\n", json,
				     pj ? pj : "(refused)") > 0);
		snprintf(golden, sizeof(golden), "engines/%s/%.*s.%s.txt", engine,
			 (int)(strlen(file) - strlen(".json")), file, cinch_policy_level_name(lv));
		golden_check(golden, doc);
		free(doc);
		free(pj);
		free(json);
		cinch_policy_report_free(report);
		cinch_process_free(out);
		cinch_spec_free(eff);
		cinch_policy_free(p);
	}
	cinch_process_free(proc);
	cinch_spec_free(container);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void test_captured(void **state)
{
	const char *dir = getenv("CINCH_TEST_ENGINES");
	size_t configs = 0, execs = 0;

	assert_non_null(dir);
	for (size_t e = 0; e < sizeof(engines) / sizeof(*engines); e++) {
		char adir[4096];
		struct dirent **list = NULL;
		int n;

		snprintf(adir, sizeof(adir), "%s/captured/%s/artifacts", dir, engines[e]);
		n = scandir(adir, &list, NULL, by_name);
		assert_true(n > 0);
		for (int i = 0; i < n; i++) {
			const char *name = list[i]->d_name;
			if (strstr(name, "-create-config.json")) {
				check_config(dir, engines[e], name);
				configs++;
			} else if (strstr(name, "-exec-process.json")) {
				check_exec(dir, engines[e], name);
				execs++;
			}
			free(list[i]);
		}
		free(list);
	}
	/* The captured set: a missing directory must not pass as "nothing to check". */
	assert_true(configs >= 40);
	assert_true(execs >= 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_captured),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
