/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy files: built-in levels, the table of bad policy documents (each
 * must fail naming the JSON path and the reason), `show` round trip, the
 * io.cinch.policy annotation (escalation refused), the sudoers-style
 * ownership/permission check, the audit log and saved reports.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cinch/policy.h"
#include "cinch/spec.h"
#include "policy_golden.h"

static void test_builtins(void **state)
{
	struct cinch_error err = {0};

	for (int lv = 0; lv < CINCH_POLICY_LEVEL_COUNT; lv++) {
		struct cinch_policy *p = NULL;
		char *json = NULL, name[64];
		assert_int_equal(cinch_policy_builtin(lv, &p, &err), 0);
		assert_int_equal(cinch_policy_get_level(p), lv);
		assert_int_equal(cinch_policy_get_mode(p), CINCH_POLICY_ENFORCE);
		assert_int_equal(cinch_policy_to_json(p, &json, NULL, &err), 0);
		snprintf(name, sizeof(name), "show/%s.json", cinch_policy_level_name(lv));
		golden_check(name, json);
		free(json);
		cinch_policy_free(p);
	}
}

/* show prints a document that loads back to the same policy. */
static void test_show_round_trip(void **state)
{
	static const char doc[] = "{\"level\":\"baseline\",\"mode\":\"audit\",\"allowLevels\":"
				  "[\"privileged\"],\"auditLog\":null,\"rules\":{\"resources\":"
				  "{\"memoryMax\":1000000},\"hooks\":{\"enabled\":false}}}";
	struct cinch_error err = {0};
	struct cinch_policy *a = NULL, *b = NULL;
	char *ja = NULL, *jb = NULL;

	assert_int_equal(cinch_policy_load_buffer(doc, strlen(doc), "t.json", &a, &err), 0);
	assert_int_equal(cinch_policy_get_mode(a), CINCH_POLICY_AUDIT);
	assert_null(cinch_policy_get_audit_log(a));
	assert_true(cinch_policy_allows_level(a, CINCH_POLICY_PRIVILEGED));
	assert_int_equal(cinch_policy_to_json(a, &ja, NULL, &err), 0);
	assert_non_null(strstr(ja, "\"memoryMax\": 1000000"));
	assert_int_equal(cinch_policy_load_buffer(ja, strlen(ja), "t2.json", &b, &err), 0);
	assert_int_equal(cinch_policy_to_json(b, &jb, NULL, &err), 0);
	assert_string_equal(ja, jb);
	free(ja);
	free(jb);
	cinch_policy_free(a);
	cinch_policy_free(b);
}

static const struct {
	const char *doc;
	const char *want; /* substring of the error */
} bad[] = {
    {"", "bad.json: invalid JSON"},
    {"[]", "bad.json: .: expected object, got array"},
    {"{\"level\":\"strict\"}", ".level: unknown level \"strict\""},
    {"{\"level\":3}", ".level: expected string, got number"},
    {"{\"mode\":\"warn\"}", ".mode: unknown value \"warn\""},
    {"{\"colour\":1}", ".colour: unknown key \"colour\""},
    {"{\"level\":\"baseline\",\"level\":\"privileged\"}", "duplicate key \"level\""},
    {"{\"allowLevels\":[\"root\"]}", ".allowLevels[0]: unknown level \"root\""},
    {"{\"auditLog\":\"audit.log\"}", ".auditLog: \"audit.log\" is not an absolute path"},
    {"{\"rules\":{\"capabilites\":{}}}", ".rules.capabilites: unknown rule \"capabilites\""},
    {"{\"rules\":{\"capabilities\":[]}}", ".rules.capabilities: expected object, got array"},
    {"{\"rules\":{\"capabilities\":{\"allow\":[\"CAP_FLY\"]}}}",
     ".rules.capabilities.allow[0]: unknown capability \"CAP_FLY\""},
    {"{\"rules\":{\"capabilities\":{\"allow\":\"CAP_KILL\"}}}",
     ".rules.capabilities.allow: expected array, got string"},
    {"{\"rules\":{\"capabilities\":{\"allow\":[\"KILL\",\"CAP_KILL\"]}}}",
     ".rules.capabilities.allow[1]: \"CAP_KILL\" is listed twice"},
    {"{\"rules\":{\"capabilities\":{\"allow\":[\"CAP_SYS_ADMIN\"]}}}",
     ".rules.capabilities.allow: CAP_SYS_ADMIN contradicts level restricted"},
    {"{\"rules\":{\"capabilities\":{\"deny\":[]}}}",
     ".rules.capabilities.deny: unknown setting \"deny\" for rule capabilities"},
    {"{\"rules\":{\"user\":{\"strategy\":\"root\"}}}", ".rules.user.strategy: unknown value"},
    {"{\"rules\":{\"user\":{\"uid\":0}}}", ".rules.user: strategy \"uid\" with uid 0"},
    {"{\"rules\":{\"user\":{\"uid\":-5}}}", ".rules.user.uid: expected a non-negative integer"},
    {"{\"rules\":{\"user\":{\"uid\":1.5}}}", ".rules.user.uid: expected a non-negative integer"},
    {"{\"rules\":{\"user\":{\"uid\":4294967296}}}", ".rules.user.uid: 4294967296 is out of range"},
    {"{\"rules\":{\"user\":{\"strategy\":\"userns\",\"hostIdBase\":0}}}",
     ".rules.user: strategy \"userns\" needs hostIdBase > 0"},
    {"{\"rules\":{\"resources\":{\"memoryDefault\":2000,\"memoryMax\":1000}}}",
     ".rules.resources.memoryDefault: 2000 is above memoryMax 1000"},
    {"{\"rules\":{\"resources\":{\"pidsMax\":10}}}",
     ".rules.resources.pidsDefault: 4096 is above pidsMax 10"},
    {"{\"rules\":{\"resources\":{\"overMax\":\"ignore\"}}}",
     ".rules.resources.overMax: unknown value \"ignore\""},
    {"{\"rules\":{\"apparmor\":{\"profile\":\"unconfined\"}}}",
     ".rules.apparmor.profile: the rule needs a confining profile"},
    {"{\"rules\":{\"readOnlyRoot\":{\"tmpfs\":[\"tmp\"]}}}",
     ".rules.readOnlyRoot.tmpfs[0]: \"tmp\" is not an absolute path"},
    {"{\"rules\":{\"readOnlyRoot\":{\"tmpfs\":[\"/\"]}}}",
     ".rules.readOnlyRoot.tmpfs: a tmpfs on / contradicts a read-only root"},
    {"{\"rules\":{\"namespaces\":{\"private\":[\"net\"]}}}",
     ".rules.namespaces.private[0]: unknown namespace type \"net\""},
    {"{\"rules\":{\"namespaces\":{\"private\":[\"user\"]}}}", "chosen by rules.user.strategy"},
    {"{\"rules\":{\"devices\":{\"allow\":[\"x 1:3\"]}}}",
     ".rules.devices.allow[0]: \"x 1:3\" is not \"c|b MAJOR:MINOR|*\""},
    {"{\"rules\":{\"seccomp\":{\"custom\":\"none\"}}}", ".rules.seccomp.custom: unknown value"},
    {"{\"rules\":{\"noNewPrivileges\":{\"enabled\":\"yes\"}}}",
     ".rules.noNewPrivileges.enabled: expected boolean, got string"},
    {"{\"rules\":{\"noNewPrivileges\":{\"force\":true}}}",
     ".rules.noNewPrivileges.force: unknown setting \"force\""},
    {"{\"rules\":{\"hooks\":{\"allow\":[\"\"]}}}", ".rules.hooks.allow[0]: empty string"},
};

static void test_bad_policies(void **state)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct cinch_error err = {0};
		struct cinch_policy *p = NULL;
		int r =
		    cinch_policy_load_buffer(bad[i].doc, strlen(bad[i].doc), "bad.json", &p, &err);
		if (r >= 0 || !strstr(err.msg, bad[i].want))
			fail_msg("case %zu (%s): r=%d msg=\"%s\", want \"%s\"", i, bad[i].doc, r,
				 err.msg, bad[i].want);
		assert_null(p);
		assert_non_null(strstr(err.msg, "bad.json: "));
		assert_null(strchr(err.msg, '\n'));
	}
}

/* A host file overrides its level's built-in settings key by key. */
static void test_overrides(void **state)
{
	static const char doc[] = "{\"level\":\"restricted\",\"rules\":{\"user\":{\"uid\":1000,"
				  "\"gid\":1000},\"hooks\":{\"enabled\":false}}}";
	struct cinch_error err = {0};
	struct cinch_policy *p = NULL;
	char *json = NULL;

	assert_int_equal(cinch_policy_load_buffer(doc, strlen(doc), "o.json", &p, &err), 0);
	assert_string_equal(cinch_policy_get_origin(p), "o.json");
	assert_int_equal(cinch_policy_to_json(p, &json, NULL, &err), 0);
	assert_non_null(strstr(json, "\"uid\": 1000"));
	assert_non_null(strstr(json, "\"strategy\": \"uid\""));
	assert_non_null(strstr(json, "\"hooks\": {\n            \"enabled\": false"));
	free(json);
	cinch_policy_free(p);
}

static struct cinch_map *annotation(const char *value)
{
	static struct cinch_kv kv;
	static struct cinch_map m;

	kv = (struct cinch_kv){.key = (char *)CINCH_POLICY_ANNOTATION, .value = (char *)value};
	m = (struct cinch_map){.items = &kv, .len = 1, .present = true};
	return &m;
}

static void test_resolve(void **state)
{
	static const char doc[] = "{\"level\":\"restricted\",\"allowLevels\":[\"baseline\"],"
				  "\"mode\":\"reject\"}";
	struct cinch_error err = {0};
	struct cinch_policy *host = NULL, *eff = NULL;

	assert_int_equal(
	    cinch_policy_load_buffer(doc, strlen(doc), "/etc/cinch/policy.json", &host, &err), 0);
	/* No annotation: the host policy. */
	assert_int_equal(cinch_policy_resolve(host, NULL, &eff, &err), 0);
	assert_int_equal(cinch_policy_get_level(eff), CINCH_POLICY_RESTRICTED);
	cinch_policy_free(eff);
	/* An allowed level: its settings, the host's mode. */
	assert_int_equal(cinch_policy_resolve(host, annotation("baseline"), &eff, &err), 0);
	assert_int_equal(cinch_policy_get_level(eff), CINCH_POLICY_BASELINE);
	assert_int_equal(cinch_policy_get_mode(eff), CINCH_POLICY_REJECT);
	cinch_policy_free(eff);
	eff = NULL;
	/* Escalation beyond allowLevels is refused, never downgraded. */
	assert_int_equal(cinch_policy_resolve(host, annotation("privileged"), &eff, &err), -EPERM);
	assert_null(eff);
	assert_string_equal(err.msg, "annotation io.cinch.policy: level privileged is not allowed "
				     "by /etc/cinch/policy.json (level restricted, allowLevels: "
				     "baseline)");
	assert_int_equal(cinch_policy_resolve(host, annotation("lax"), &eff, &err), -EINVAL);
	cinch_policy_free(host);
	/* Stricter than the host is always fine. */
	assert_int_equal(cinch_policy_builtin(CINCH_POLICY_BASELINE, &host, &err), 0);
	assert_int_equal(cinch_policy_resolve(host, annotation("restricted"), &eff, &err), 0);
	assert_int_equal(cinch_policy_get_level(eff), CINCH_POLICY_RESTRICTED);
	cinch_policy_free(eff);
	eff = NULL;
	assert_int_equal(cinch_policy_resolve(host, annotation("privileged"), &eff, &err), -EPERM);
	cinch_policy_free(host);
}

/* ---- ownership and permissions ---- */

static char tmpdir[256];

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static void expect_load(const char *path, int want, const char *msg)
{
	struct cinch_error err = {0};
	struct cinch_policy *p = NULL;
	int r = cinch_policy_load_file(path, &p, &err);

	if (r != want || (msg && !strstr(err.msg, msg)))
		fail_msg("%s: r=%d (want %d) msg=\"%s\" (want \"%s\")", path, r, want, err.msg,
			 msg ? msg : "");
	if (r == 0)
		assert_int_equal(cinch_policy_get_level(p), CINCH_POLICY_BASELINE);
	cinch_policy_free(p);
}

static void test_permissions(void **state)
{
	char dir[300], file[400], link[400];

	if (geteuid() != 0)
		skip(); /* files owned by root and chown() to another uid need root */
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cinch-policy-test-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	assert_int_equal(chmod(tmpdir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/etc", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(file, sizeof(file), "%s/policy.json", dir);
	write_file(file, "{\"level\":\"baseline\"}", 0644);
	/* /tmp is 1777 and root's: sticky, so tolerated. */
	expect_load(file, 0, NULL);
	/* The file writable by group or others. */
	assert_int_equal(chmod(file, 0664), 0);
	expect_load(file, -EPERM, "policy.json: writable by its group (mode 0664)");
	assert_int_equal(chmod(file, 0646), 0);
	expect_load(file, -EPERM, "writable by others (mode 0646)");
	assert_int_equal(chmod(file, 0644), 0);
	/* Owned by a non-root user. */
	assert_int_equal(chown(file, 1000, 1000), 0);
	expect_load(file, -EPERM, "owned by uid 1000, not root");
	assert_int_equal(chown(file, 0, 0), 0);
	expect_load(file, 0, NULL);
	/* A directory on the path writable by others (not sticky) or not root's. */
	assert_int_equal(chmod(dir, 0777), 0);
	expect_load(file, -EPERM, "/etc: writable by others (mode 0777)");
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(chown(dir, 1000, 0), 0);
	expect_load(file, -EPERM, "/etc: owned by uid 1000");
	assert_int_equal(chown(dir, 0, 0), 0);
	/* A symlink is refused even to a good file. */
	snprintf(link, sizeof(link), "%s/link.json", dir);
	assert_int_equal(symlink(file, link), 0);
	expect_load(link, -EPERM, "is a symlink");
	/* A missing explicit file is an error, not a fallback. */
	snprintf(link, sizeof(link), "%s/missing.json", dir);
	expect_load(link, -ENOENT, "missing.json");
	/* Relative paths are refused. */
	expect_load("policy.json", -EINVAL, "not an absolute path");
}

static void test_audit_log_and_report(void **state)
{
	char dir[] = "/tmp/cinch-audit-XXXXXX";
	char log[128], doc[256], saved[160];
	struct cinch_error err = {0};
	struct cinch_policy *p = NULL;
	struct cinch_spec *spec = NULL, *out = NULL;
	struct cinch_policy_report *report = NULL;
	static const char cfg[] =
	    "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
	    "\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],"
	    "\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_SYS_ADMIN\"]}}}";
	struct stat st;
	char *text;

	assert_non_null(mkdtemp(dir));
	snprintf(log, sizeof(log), "%s/audit.log", dir);
	snprintf(doc, sizeof(doc), "{\"level\":\"baseline\",\"auditLog\":\"%s\"}", log);
	assert_int_equal(cinch_policy_load_buffer(doc, strlen(doc), "a.json", &p, &err), 0);
	assert_int_equal(cinch_spec_load_buffer(cfg, strlen(cfg), "config.json", &spec, &err), 0);
	assert_int_equal(cinch_policy_apply(p, spec, NULL, &out, &report, &err), -EPERM);
	assert_null(out);
	assert_int_equal(cinch_policy_audit_log_write(p, "c1", "create", report, &err), 0);
	assert_int_equal(cinch_policy_audit_log_write(p, "c1", "create", report, &err), 0);
	assert_int_equal(stat(log, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	text = golden_read(log);
	assert_non_null(text);
	/* Two complete JSON lines, appended. */
	assert_non_null(strstr(text, "\"id\":\"c1\",\"event\":\"create\",\"level\":\"baseline\""));
	assert_non_null(strstr(strchr(text, '\n') + 1, "\"result\":\"refused\""));
	assert_int_equal(strchr(strchr(text, '\n') + 1, '\n')[1], '\0');
	free(text);
	snprintf(saved, sizeof(saved), "%s/%s", dir, CINCH_POLICY_REPORT_FILE);
	assert_int_equal(cinch_policy_report_save_json(report, saved, &err), 0);
	assert_int_equal(stat(saved, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	unlink(saved);
	unlink(log);
	rmdir(dir);
	cinch_policy_report_free(report);
	cinch_spec_free(spec);
	cinch_policy_free(p);
}

static int cleanup_tmp(void **state)
{
	char cmd[400];
	if (tmpdir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_builtins),
	    cmocka_unit_test(test_show_round_trip),
	    cmocka_unit_test(test_bad_policies),
	    cmocka_unit_test(test_overrides),
	    cmocka_unit_test(test_resolve),
	    cmocka_unit_test_teardown(test_permissions, cleanup_tmp),
	    cmocka_unit_test(test_audit_log_and_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
