/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cinch_policy_apply_update: an update is held to the resources rule the
 * container was created under, in each mode; 0 means unchanged; -1 removes
 * a limit, which the policy's default does not allow.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cinch/policy.h"
#include "cinch/spec.h"

static struct cinch_policy *policy(const char *doc)
{
	struct cinch_policy *p = NULL;
	struct cinch_error err = {0};

	if (cinch_policy_load_buffer(doc, strlen(doc), "t.json", &p, &err) < 0)
		fail_msg("policy: %s", err.msg);
	return p;
}

static struct cinch_resources *res(const char *doc)
{
	struct cinch_resources *r = NULL;
	struct cinch_error err = {0};

	if (cinch_resources_load_buffer(doc, strlen(doc), "r.json", &r, &err) < 0)
		fail_msg("resources: %s", err.msg);
	return r;
}

/* Runs the check; returns its result and the applied resources (or NULL). */
static int check(const char *pol_doc, const char *res_doc, struct cinch_resources **out,
		 struct cinch_policy_report **report, struct cinch_error *err)
{
	struct cinch_policy *p = policy(pol_doc);
	struct cinch_resources *in = res(res_doc);
	int r;

	*out = NULL;
	r = cinch_policy_apply_update(p, in, out, report, err);
	cinch_resources_free(in);
	cinch_policy_free(p);
	return r;
}

static void test_within_and_unchanged(void **state)
{
	struct cinch_resources *out = NULL;
	struct cinch_policy_report *rep = NULL;
	struct cinch_error err = {0};

	(void)state;
	/* Docker's "unchanged" zeros and a value under the maximum: no finding. */
	assert_int_equal(check("{\"level\":\"restricted\"}",
			       "{\"memory\":{\"limit\":0,\"swap\":0},\"cpu\":{\"shares\":0},"
			       "\"pids\":{\"limit\":100}}",
			       &out, &rep, &err),
			 0);
	assert_int_equal(cinch_policy_report_count(rep), 0);
	assert_true(cinch_policy_report_compliant(rep));
	assert_int_equal(out->pids->limit.value, 100);
	assert_int_equal(out->memory->limit.value, 0);
	assert_int_equal(out->cpu->shares.value, 0); /* no default on update */
	cinch_resources_free(out);
	cinch_policy_report_free(rep);
}

static void test_over_max(void **state)
{
	struct cinch_resources *out = NULL;
	struct cinch_policy_report *rep = NULL;
	const struct cinch_policy_finding *f;
	struct cinch_error err = {0};

	(void)state;
	/* restricted clamps pids to 32768 */
	assert_int_equal(
	    check("{\"level\":\"restricted\"}", "{\"pids\":{\"limit\":100000}}", &out, &rep, &err),
	    0);
	assert_int_equal(out->pids->limit.value, 32768);
	assert_int_equal(cinch_policy_report_count(rep), 1);
	f = cinch_policy_report_get(rep, 0);
	assert_string_equal(f->path, ".pids.limit");
	assert_string_equal(f->before, "100000");
	assert_string_equal(f->after, "32768");
	cinch_resources_free(out);
	cinch_policy_report_free(rep);

	/* overMax refuse: -EPERM, the summary names the limit, nothing out */
	assert_int_equal(check("{\"level\":\"restricted\",\"rules\":{\"resources\":"
			       "{\"overMax\":\"refuse\",\"memoryMax\":1073741824}}}",
			       "{\"memory\":{\"limit\":2147483648}}", &out, &rep, &err),
			 -EPERM);
	assert_null(out);
	assert_true(cinch_policy_report_refused(rep));
	assert_non_null(strstr(err.msg, "memory limit 2147483648 is above the maximum 1073741824"));
	cinch_policy_report_free(rep);
}

static void test_remove_limit(void **state)
{
	struct cinch_resources *out = NULL;
	struct cinch_policy_report *rep = NULL;
	struct cinch_error err = {0};

	(void)state;
	/* enforce: -1 gets the default, as at create */
	assert_int_equal(check("{\"level\":\"restricted\"}",
			       "{\"pids\":{\"limit\":-1},\"memory\":{\"limit\":-1}}", &out, &rep,
			       &err),
			 0);
	assert_int_equal(out->pids->limit.value, 4096);
	assert_int_equal(out->memory->limit.value, 1073741824);
	cinch_resources_free(out);
	cinch_policy_report_free(rep);

	/* reject: refused */
	assert_int_equal(check("{\"level\":\"restricted\",\"mode\":\"reject\"}",
			       "{\"pids\":{\"limit\":-1}}", &out, &rep, &err),
			 -EPERM);
	assert_non_null(strstr(err.msg, "policy restricted refused: resources"));
	cinch_policy_report_free(rep);

	/* a maximum but no default: no limit is above the maximum */
	assert_int_equal(check("{\"level\":\"baseline\",\"rules\":{\"resources\":{"
			       "\"pidsDefault\":0,\"pidsMax\":500,\"overMax\":\"refuse\"}}}",
			       "{\"pids\":{\"limit\":-1}}", &out, &rep, &err),
			 -EPERM);
	assert_non_null(strstr(err.msg, "no pids limit is above the maximum 500"));
	cinch_policy_report_free(rep);

	/* privileged: no resources rule, anything goes */
	assert_int_equal(
	    check("{\"level\":\"privileged\"}", "{\"pids\":{\"limit\":-1}}", &out, NULL, &err), 0);
	assert_int_equal(out->pids->limit.value, -1);
	cinch_resources_free(out);
}

static void test_audit_mode(void **state)
{
	struct cinch_resources *out = NULL;
	struct cinch_policy_report *rep = NULL;
	struct cinch_error err = {0};

	(void)state;
	assert_int_equal(check("{\"level\":\"restricted\",\"mode\":\"audit\"}",
			       "{\"pids\":{\"limit\":100000}}", &out, &rep, &err),
			 0);
	assert_int_equal(out->pids->limit.value, 100000); /* recorded, not changed */
	assert_int_equal(cinch_policy_report_count(rep), 1);
	assert_non_null(strstr(cinch_policy_report_summary(rep), "audit"));
	cinch_resources_free(out);
	cinch_policy_report_free(rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_within_and_unchanged),
	    cmocka_unit_test(test_over_max),
	    cmocka_unit_test(test_remove_limit),
	    cmocka_unit_test(test_audit_mode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
