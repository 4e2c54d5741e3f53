/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One case per rule: a small config before, the report and the effective
 * config after (golden files data/policy/rules/<case>.txt, UPDATE_GOLDEN=1
 * regenerates), plus direct assertions on what each rule must do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/policy.h"
#include "cinch/spec.h"
#include "policy_golden.h"

#define PROC(user, caps, extra)                                                                    \
	"\"process\":{\"user\":" user                                                              \
	",\"args\":[\"sh\"],\"cwd\":\"/\",\"capabilities\":" caps extra "}"
#define CFG(proc, rest)                                                                            \
	"{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"}," proc "," rest "}"
#define ROOT   "{\"uid\":0,\"gid\":0,\"additionalGids\":[0,10]}"
#define USER   "{\"uid\":1000,\"gid\":1000}"
#define NOCAPS "{}"
#define DOCKER_CAPS                                                                                \
	"{\"bounding\":[\"CAP_CHOWN\",\"CAP_NET_RAW\",\"CAP_NET_BIND_SERVICE\",\"CAP_KILL\"],"     \
	"\"effective\":[\"CAP_CHOWN\",\"CAP_NET_RAW\",\"CAP_NET_BIND_SERVICE\",\"CAP_KILL\"],"     \
	"\"inheritable\":[\"CAP_KILL\"],\"ambient\":[\"CAP_KILL\"]}"
#define NS                                                                                         \
	"\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"            \
	"{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"}]"

static int fake_exe(int pid, char **ret, void *userdata)
{
	*ret = strdup(userdata ? (const char *)userdata : "/usr/bin/dockerd");
	return *ret ? 0 : -ENOMEM;
}

static const struct cinch_policy_context ctx = {.arch = "x86_64", .proc_exe_target = fake_exe};

struct rule_case {
	const char *name;
	enum cinch_policy_level level;
	const char *config;
	int want; /* 0 or -EPERM */
};

static const struct rule_case cases[] = {
    {"capabilities-restricted", CINCH_POLICY_RESTRICTED,
     CFG(PROC(USER, DOCKER_CAPS, ""), "\"linux\":{" NS "}"), 0},
    {"capabilities-baseline", CINCH_POLICY_BASELINE,
     CFG(PROC(USER, DOCKER_CAPS, ""), "\"linux\":{" NS "}"), 0},
    {"capabilities-sys-admin", CINCH_POLICY_BASELINE,
     CFG(PROC(USER, "{\"bounding\":[\"CAP_SYS_ADMIN\",\"CAP_CHOWN\"]}", ""), "\"linux\":{" NS "}"),
     -EPERM},
    {"no-new-privileges", CINCH_POLICY_RESTRICTED,
     CFG(PROC(USER, NOCAPS, ",\"noNewPrivileges\":false"), "\"linux\":{" NS "}"), 0},
    {"user-root", CINCH_POLICY_RESTRICTED, CFG(PROC(ROOT, NOCAPS, ""), "\"linux\":{" NS "}"), 0},
    {"namespaces-missing", CINCH_POLICY_BASELINE,
     CFG(PROC(USER, NOCAPS, ""), "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}"), 0},
    {"namespaces-host-join", CINCH_POLICY_BASELINE,
     CFG(PROC(USER, NOCAPS, ""),
	 "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":"
	 "\"/proc/1/ns/net\"},{\"type\":\"ipc\",\"path\":\"/proc/4242/ns/ipc\"},{\"type\":\"uts\"},"
	 "{\"type\":\"mount\"},{\"type\":\"cgroup\"}]}"),
     -EPERM},
    {"seccomp-unconfined", CINCH_POLICY_BASELINE,
     CFG(PROC(USER, NOCAPS, ""),
	 "\"linux\":{" NS ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}}"),
     0},
    {"seccomp-custom-strict", CINCH_POLICY_RESTRICTED,
     CFG(PROC(USER, NOCAPS, ""),
	 "\"linux\":{" NS ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{"
	 "\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"}]}}"),
     0},
    {"seccomp-custom-weak", CINCH_POLICY_RESTRICTED,
     CFG(PROC(USER, NOCAPS, ""),
	 "\"linux\":{" NS ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{"
	 "\"names\":[\"read\",\"mount\"],\"action\":\"SCMP_ACT_ALLOW\"}]}}"),
     0},
    {"read-only-root", CINCH_POLICY_RESTRICTED,
     CFG(PROC(USER, NOCAPS, ""),
	 "\"mounts\":[{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}],"
	 "\"linux\":{" NS "}"),
     0},
    /* The added tmpfs mounts go before the mounts beneath them. */
    {"read-only-root-nested", CINCH_POLICY_RESTRICTED,
     CFG(PROC(USER, NOCAPS, ""),
	 "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	 "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\"},"
	 "{\"destination\":\"/tmp//data/\",\"type\":\"bind\",\"source\":\"/srv/data\","
	 "\"options\":[\"rbind\"]},{\"destination\":\"/tmpx\",\"type\":\"tmpfs\","
	 "\"source\":\"tmpfs\"}],\"linux\":{" NS "}"),
     0},
    {"mounts-bind-options", CINCH_POLICY_BASELINE,
     CFG(PROC(USER, NOCAPS, ""),
	 "\"mounts\":[{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv/data\","
	 "\"options\":[\"rbind\",\"suid\"]},{\"destination\":\"/sys\",\"type\":\"sysfs\","
	 "\"source\":\"sysfs\",\"options\":[\"nosuid\",\"rw\"]}],\"linux\":{" NS "}"),
     0},
    {"mounts-sensitive", CINCH_POLICY_BASELINE,
     CFG(PROC(USER, NOCAPS, ""),
	 "\"mounts\":[{\"destination\":\"/host\",\"type\":\"bind\",\"source\":\"/srv/../etc/\","
	 "\"options\":[\"rbind\"]},{\"destination\":\"/s\",\"source\":\"/var/run/x/docker.sock\","
	 "\"options\":[\"bind\"]},{\"destination\":\"/r\",\"source\":\"/"
	 "\",\"options\":[\"rbind\"]},"
	 "{\"destination\":\"/"
	 "m\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"rshared\"]},"
	 "{\"destination\":\"/proc/kcore\",\"type\":\"bind\",\"source\":\"/srv/zero\","
	 "\"options\":[\"bind\"]}],\"linux\":{" NS ",\"rootfsPropagation\":\"shared\"}"),
     -EPERM},
    {"masked-paths", CINCH_POLICY_BASELINE,
     CFG(PROC(USER, NOCAPS, ""), "\"linux\":{" NS ",\"maskedPaths\":[],\"readonlyPaths\":[]}"), 0},
    {"devices", CINCH_POLICY_BASELINE,
     CFG(PROC(USER, NOCAPS, ""),
	 "\"linux\":{" NS ",\"devices\":[{\"path\":\"/dev/null\",\"type\":\"c\",\"major\":1,"
	 "\"minor\":3},{\"path\":\"/dev/kvm\",\"type\":\"c\",\"major\":10,\"minor\":232}],"
	 "\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,"
	 "\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":"
	 "\"rwm\"},{\"allow\":true,\"type\":\"b\",\"access\":\"m\"}]}}"),
     -EPERM},
    {"sysctls", CINCH_POLICY_BASELINE,
     CFG(PROC(USER, NOCAPS, ""),
	 "\"linux\":{" NS ",\"sysctl\":{\"net.ipv4.ping_group_range\":\"0 1\","
	 "\"kernel.msgmax\":\"65536\"}}"),
     -EPERM},
    {"resources-defaults", CINCH_POLICY_RESTRICTED,
     CFG(PROC(USER, NOCAPS, ""),
	 "\"linux\":{" NS ",\"resources\":{\"memory\":{\"limit\":-1},\"pids\":{\"limit\":99999},"
	 "\"cpu\":{\"shares\":0}}}"),
     0},
    {"rlimits", CINCH_POLICY_RESTRICTED,
     CFG(PROC(USER, NOCAPS,
	      ",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"hard\":1024,\"soft\":1024},{\"type\":"
	      "\"RLIMIT_NOFILE\",\"hard\":4194304,\"soft\":4194304}]"),
	 "\"linux\":{" NS "}"),
     0},
    {"hooks", CINCH_POLICY_BASELINE,
     CFG(PROC(USER, NOCAPS, ""),
	 "\"hooks\":{\"prestart\":[{\"path\":\"/proc/77/exe\",\"args\":[\"libnetwork-setkey\","
	 "\"x\"]}],\"poststop\":[{\"path\":\"/usr/local/bin/anything\"}]},\"linux\":{" NS "}"),
     -EPERM},
    {"personality-scheduler", CINCH_POLICY_BASELINE,
     CFG(PROC(USER, NOCAPS,
	      ",\"scheduler\":{\"policy\":\"SCHED_FIFO\",\"priority\":50},\"ioPriority\":{"
	      "\"class\":\"IOPRIO_CLASS_RT\",\"priority\":0},\"oomScoreAdj\":-500"),
	 "\"linux\":{" NS ",\"personality\":{\"domain\":\"LINUX32\",\"flags\":[\"X\"]}}"),
     -EPERM},
};

static char *render(struct cinch_policy_report *report, struct cinch_spec *out)
{
	struct cinch_error err = {0};
	char *json = NULL, *cfg = NULL, *doc = NULL;
	size_t len;

	assert_int_equal(cinch_policy_report_to_json(report, true, &json, &len, &err), 0);
	if (out)
		assert_int_equal(cinch_spec_save_buffer(out, true, &cfg, &len, &err), 0);
	assert_true(asprintf(&doc, "%s--- effective config\n%s\n", json, cfg ? cfg : "(refused)") >
		    0);
	free(json);
	free(cfg);
	return doc;
}

static void run_case(const struct rule_case *c, struct cinch_policy *p, struct cinch_spec **ret,
		     struct cinch_policy_report **ret_report, struct cinch_error *err)
{
	struct cinch_spec *spec = NULL;
	int r;

	if (cinch_spec_load_buffer(c->config, strlen(c->config), c->name, &spec, err) < 0)
		fail_msg("%s: %s", c->name, err->msg);
	r = cinch_policy_apply(p, spec, &ctx, ret, ret_report, err);
	if (r != c->want)
		fail_msg("%s: r=%d want %d: %s", c->name, r, c->want, err->msg);
	cinch_spec_free(spec);
}

static void test_rule_goldens(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct cinch_error err = {0};
		struct cinch_policy *p = NULL;
		struct cinch_spec *out = NULL;
		struct cinch_policy_report *report = NULL;
		char name[128], *doc;

		assert_int_equal(cinch_policy_builtin(cases[i].level, &p, &err), 0);
		run_case(&cases[i], p, &out, &report, &err);
		doc = render(report, out);
		snprintf(name, sizeof(name), "rules/%s.txt", cases[i].name);
		golden_check(name, doc);
		free(doc);
		cinch_spec_free(out);
		cinch_policy_report_free(report);
		cinch_policy_free(p);
	}
}

static const struct rule_case *find_case(const char *name)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		if (strcmp(cases[i].name, name) == 0)
			return &cases[i];
	fail_msg("no case %s", name);
	abort(); /* fail_msg does not return; tell the compiler */
}

/* The refusal summary: one line, rule, reason and a hint. */
static void test_refusal_summary(void **state)
{
	static const char host[] = "{\"level\":\"baseline\",\"allowLevels\":[\"privileged\"]}";
	struct cinch_error err = {0};
	struct cinch_policy *p = NULL;
	struct cinch_spec *out = NULL;
	struct cinch_policy_report *report = NULL;

	assert_int_equal(cinch_policy_load_buffer(host, strlen(host), "h.json", &p, &err), 0);
	run_case(find_case("capabilities-sys-admin"), p, &out, &report, &err);
	assert_null(out);
	assert_string_equal(err.msg, "policy baseline refused: capabilities: CAP_SYS_ADMIN is not "
				     "allowed (allow it with level privileged via annotation "
				     "io.cinch.policy)");
	assert_string_equal(cinch_policy_report_summary(report), err.msg);
	assert_true(cinch_policy_report_refused(report));
	cinch_policy_report_free(report);
	cinch_policy_free(p);
}

static bool has_rule(const struct cinch_seccomp *s, const char *name, const char *action,
		     uint64_t value)
{
	for (size_t i = 0; i < s->syscalls.len; i++) {
		const struct cinch_seccomp_syscall *c = &s->syscalls.items[i];
		if (!cinch_strv_contains(&c->names, name) || strcmp(c->action, action) != 0)
			continue;
		if (value == UINT64_MAX || (c->args.len > 0 && c->args.items[0].value == value))
			return true;
	}
	return false;
}

/* The default profile, resolved against the final capabilities. */
static void test_seccomp_resolution(void **state)
{
	static const char host[] = "{\"level\":\"baseline\",\"rules\":{\"capabilities\":{"
				   "\"allow\":[\"CAP_SYS_ADMIN\",\"CAP_CHOWN\"]}}}";
	const struct rule_case *c = find_case("seccomp-unconfined");
	struct cinch_error err = {0};
	struct cinch_policy *p = NULL;
	struct cinch_spec *out = NULL, *spec = NULL;
	const struct cinch_seccomp *s;

	assert_int_equal(cinch_policy_builtin(CINCH_POLICY_BASELINE, &p, &err), 0);
	run_case(c, p, &out, NULL, &err);
	s = out->linux_->seccomp;
	assert_string_equal(s->default_action, "SCMP_ACT_ERRNO");
	assert_string_equal(s->architectures.items[0], "SCMP_ARCH_X86_64");
	assert_true(cinch_strv_contains(&s->architectures, "SCMP_ARCH_X86"));
	/* AF_ALG (38) and AF_VSOCK (40) stay denied. */
	assert_true(has_rule(s, "socket", "SCMP_ACT_ALLOW", 38));
	assert_true(has_rule(s, "socket", "SCMP_ACT_ALLOW", 39));
	assert_true(has_rule(s, "socket", "SCMP_ACT_ALLOW", 40));
	assert_false(has_rule(s, "socket", "SCMP_ACT_ALLOW", UINT64_MAX - 1));
	/* Without CAP_SYS_ADMIN: clone filtered, clone3 ENOSYS, no mount. */
	assert_true(has_rule(s, "clone", "SCMP_ACT_ALLOW", 0x7E020000));
	assert_true(has_rule(s, "clone3", "SCMP_ACT_ERRNO", UINT64_MAX));
	assert_false(has_rule(s, "mount", "SCMP_ACT_ALLOW", UINT64_MAX));
	assert_false(has_rule(s, "unshare", "SCMP_ACT_ALLOW", UINT64_MAX));
	assert_false(has_rule(s, "io_uring_setup", "SCMP_ACT_ALLOW", UINT64_MAX));
	assert_true(has_rule(s, "read", "SCMP_ACT_ALLOW", UINT64_MAX));
	cinch_spec_free(out);
	cinch_policy_free(p);
	/* With CAP_SYS_ADMIN kept: mount allowed, clone unfiltered. */
	assert_int_equal(cinch_policy_load_buffer(host, strlen(host), "h.json", &p, &err), 0);
	assert_int_equal(
	    cinch_spec_load_buffer(
		CFG(PROC(USER, "{\"bounding\":[\"CAP_SYS_ADMIN\"]}", ""), "\"linux\":{" NS "}"),
		strlen(CFG(PROC(USER, "{\"bounding\":[\"CAP_SYS_ADMIN\"]}", ""),
			   "\"linux\":{" NS "}")),
		"c", &spec, &err),
	    0);
	assert_int_equal(cinch_policy_apply(p, spec, &ctx, &out, NULL, &err), 0);
	s = out->linux_->seccomp;
	assert_true(has_rule(s, "mount", "SCMP_ACT_ALLOW", UINT64_MAX));
	assert_false(has_rule(s, "clone3", "SCMP_ACT_ERRNO", UINT64_MAX));
	cinch_spec_free(out);
	cinch_spec_free(spec);
	cinch_policy_free(p);
}

static void test_modes(void **state)
{
	const struct rule_case *c = find_case("user-root");
	struct cinch_error err = {0};
	struct cinch_policy *p = NULL;
	struct cinch_spec *spec = NULL, *out = NULL;
	struct cinch_policy_report *report = NULL;
	char *a = NULL, *b = NULL;
	size_t len;

	assert_int_equal(cinch_spec_load_buffer(c->config, strlen(c->config), "c", &spec, &err), 0);
	assert_int_equal(cinch_policy_builtin(CINCH_POLICY_RESTRICTED, &p, &err), 0);
	/* audit: nothing changes, nothing is refused, the findings are there. */
	cinch_policy_set_mode(p, CINCH_POLICY_AUDIT);
	assert_int_equal(cinch_policy_apply(p, spec, &ctx, &out, &report, &err), 0);
	assert_int_equal(cinch_spec_save_buffer(spec, false, &a, &len, &err), 0);
	assert_int_equal(cinch_spec_save_buffer(out, false, &b, &len, &err), 0);
	assert_string_equal(a, b);
	assert_false(cinch_policy_report_compliant(report));
	assert_non_null(strstr(cinch_policy_report_summary(report), "(audit)"));
	free(a);
	free(b);
	cinch_spec_free(out);
	cinch_policy_report_free(report);
	out = NULL;
	/* reject: what enforce would rewrite is refused. */
	cinch_policy_set_mode(p, CINCH_POLICY_REJECT);
	assert_int_equal(cinch_policy_apply(p, spec, &ctx, &out, &report, &err), -EPERM);
	assert_null(out);
	assert_non_null(
	    strstr(err.msg, "policy restricted refused: user: no process may run as host root"));
	assert_string_equal(cinch_policy_report_get(report, 0)->after, "refused");
	cinch_policy_report_free(report);
	cinch_policy_free(p);
	cinch_spec_free(spec);
}

static void test_userns_strategy(void **state)
{
	static const char host[] = "{\"level\":\"restricted\",\"rules\":{\"user\":{\"strategy\":"
				   "\"userns\"}}}";
	static const char cfg[] =
	    CFG(PROC(ROOT, NOCAPS, ""),
		"\"mounts\":[{\"destination\":\"/v\",\"type\":\"bind\",\"source\":\"/srv/v\"}],"
		"\"linux\":{" NS "}");
	struct cinch_error err = {0};
	struct cinch_policy *p = NULL;
	struct cinch_spec *spec = NULL, *out = NULL;

	assert_int_equal(cinch_policy_load_buffer(host, strlen(host), "h.json", &p, &err), 0);
	assert_int_equal(cinch_spec_load_buffer(cfg, strlen(cfg), "c", &spec, &err), 0);
	assert_int_equal(cinch_policy_apply(p, spec, &ctx, &out, NULL, &err), 0);
	assert_non_null(cinch_spec_find_namespace(out, CINCH_NS_USER));
	assert_int_equal(out->process->user.uid, 0); /* root inside, 100000 outside */
	assert_int_equal(out->linux_->uid_mappings.items[0].host_id, 100000);
	assert_int_equal(out->linux_->gid_mappings.items[0].size, 65536);
	assert_int_equal(out->mounts.items[0].uid_mappings.items[0].host_id, 100000);
	assert_string_equal(cinch_map_get(&out->annotations, CINCH_ANNOTATION_IDMAP_ROOTFS),
			    "100000:65536");
	cinch_spec_free(out);
	cinch_spec_free(spec);
	cinch_policy_free(p);
}

static void test_exec(void **state)
{
	const struct rule_case *c = find_case("capabilities-restricted");
	static const char priv[] =
	    "{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\","
	    "\"capabilities\":{\"bounding\":[\"CAP_SYS_ADMIN\"]}}";
	static const char root[] =
	    "{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"id\"],\"cwd\":\"/\","
	    "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\","
	    "\"CAP_NET_BIND_SERVICE\"]},\"apparmorProfile\":\"unconfined\"}";
	struct cinch_error err = {0};
	struct cinch_policy *p = NULL;
	struct cinch_spec *spec = NULL, *eff = NULL;
	struct cinch_process *proc = NULL, *out = NULL;
	struct cinch_policy_report *report = NULL;

	assert_int_equal(cinch_policy_builtin(CINCH_POLICY_RESTRICTED, &p, &err), 0);
	assert_int_equal(cinch_spec_load_buffer(c->config, strlen(c->config), "c", &spec, &err), 0);
	assert_int_equal(cinch_policy_apply(p, spec, &ctx, &eff, NULL, &err), 0);
	/* docker exec --privileged */
	assert_int_equal(cinch_process_load_buffer(priv, strlen(priv), "p", &proc, &err), 0);
	assert_int_equal(cinch_policy_apply_exec(p, eff, proc, &ctx, &out, &report, &err), -EPERM);
	assert_non_null(strstr(err.msg, "capabilities: CAP_SYS_ADMIN is not allowed"));
	cinch_policy_report_free(report);
	cinch_process_free(proc);
	/* docker exec -u 0: runs as the policy uid, with NNP, caps within the container's. */
	assert_int_equal(cinch_process_load_buffer(root, strlen(root), "p", &proc, &err), 0);
	assert_int_equal(cinch_policy_apply_exec(p, eff, proc, &ctx, &out, &report, &err), 0);
	assert_int_equal(out->user.uid, 65534);
	assert_true(out->no_new_privileges.value);
	assert_int_equal(out->capabilities->bounding.len, 1);
	assert_string_equal(out->capabilities->bounding.items[0], "CAP_NET_BIND_SERVICE");
	assert_null(out->apparmor_profile); /* inherits the container's (none here) */
	assert_string_equal(cinch_policy_report_get(report, 0)->path, ".user");
	cinch_policy_report_free(report);
	cinch_process_free(out);
	cinch_process_free(proc);
	cinch_spec_free(eff);
	cinch_spec_free(spec);
	cinch_policy_free(p);
}

static void test_hooks_verification(void **state)
{
	const struct rule_case *c = find_case("hooks");
	static const char dockerd_only[] =
	    CFG(PROC(USER, NOCAPS, ""), "\"hooks\":{\"prestart\":[{\"path\":\"/proc/77/"
					"exe\",\"args\":[\"libnetwork-setkey\"]}]},"
					"\"linux\":{" NS "}");
	struct cinch_policy_context evil = ctx, none = ctx;
	struct cinch_error err = {0};
	struct cinch_policy *p = NULL;
	struct cinch_spec *spec = NULL, *out = NULL;

	(void)c;
	evil.userdata = (void *)"/tmp/evil";
	none.proc_exe_target = NULL;
	assert_int_equal(cinch_policy_builtin(CINCH_POLICY_BASELINE, &p, &err), 0);
	assert_int_equal(
	    cinch_spec_load_buffer(dockerd_only, strlen(dockerd_only), "c", &spec, &err), 0);
	assert_int_equal(cinch_policy_apply(p, spec, &ctx, &out, NULL, &err), 0);
	cinch_spec_free(out);
	out = NULL;
	assert_int_equal(cinch_policy_apply(p, spec, &evil, &out, NULL, &err), -EPERM);
	assert_non_null(strstr(err.msg, "points to /tmp/evil, which is not an allowed engine"));
	assert_int_equal(cinch_policy_apply(p, spec, &none, &out, NULL, &err), -EPERM);
	assert_non_null(strstr(err.msg, "cannot be verified"));
	cinch_spec_free(spec);
	cinch_policy_free(p);
}

/* "/srv/link" stands for a host symlink to /etc; everything else resolves to itself. */
static int fake_resolve(const char *path, char **ret, void *userdata)
{
	(void)userdata;
	if (strcmp(path, "/srv/gone") == 0)
		return -ENOENT;
	*ret = strdup(strcmp(path, "/srv/link") == 0 ? "/etc" : path);
	return *ret ? 0 : -ENOMEM;
}

static int bind_from(const char *source, const struct cinch_policy_context *c, char *msg,
		     size_t msg_len)
{
	char config[1024];
	struct cinch_error err = {0};
	struct cinch_policy *p = NULL;
	struct cinch_spec *spec = NULL, *out = NULL;
	int r;

	snprintf(config, sizeof(config),
		 CFG(PROC(USER, NOCAPS, ""), "\"mounts\":[{\"destination\":\"/data\","
					     "\"type\":\"bind\",\"source\":\"%s\","
					     "\"options\":[\"rbind\"]}],\"linux\":{" NS "}"),
		 source);
	assert_int_equal(cinch_policy_builtin(CINCH_POLICY_BASELINE, &p, &err), 0);
	assert_int_equal(cinch_spec_load_buffer(config, strlen(config), "c", &spec, &err), 0);
	r = cinch_policy_apply(p, spec, c, &out, NULL, &err);
	snprintf(msg, msg_len, "%s", err.msg);
	cinch_spec_free(out);
	cinch_spec_free(spec);
	cinch_policy_free(p);
	return r;
}

static void test_bind_source_symlinks(void **state)
{
	struct cinch_policy_context resolving = ctx;
	char msg[CINCH_ERROR_MSG_MAX];

	(void)state;
	resolving.resolve_host_path = fake_resolve;
	/* Without a resolver only the written path counts. */
	assert_int_equal(bind_from("/srv/link", &ctx, msg, sizeof(msg)), 0);
	assert_int_equal(bind_from("/srv/link", &resolving, msg, sizeof(msg)), -EPERM);
	assert_non_null(strstr(msg, "/srv/link (which resolves to /etc) is not allowed"));
	assert_int_equal(bind_from("/srv/data", &resolving, msg, sizeof(msg)), 0);
	/* A source that does not resolve is left to the core's own error. */
	assert_int_equal(bind_from("/srv/gone", &resolving, msg, sizeof(msg)), 0);
	/* The written path still counts when it resolves elsewhere. */
	assert_int_equal(bind_from("/etc", &resolving, msg, sizeof(msg)), -EPERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rule_goldens),       cmocka_unit_test(test_refusal_summary),
	    cmocka_unit_test(test_seccomp_resolution), cmocka_unit_test(test_modes),
	    cmocka_unit_test(test_userns_strategy),    cmocka_unit_test(test_exec),
	    cmocka_unit_test(test_hooks_verification), cmocka_unit_test(test_bind_source_symlinks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
