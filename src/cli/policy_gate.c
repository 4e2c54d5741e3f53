/* SPDX-License-Identifier: Apache-2.0 */
/* Applying the host policy to a bundle's spec at create/run. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "cinch/cleanup.h"
#include "cinch/log.h"
#include "cinch/security.h"
#include "policy_gate.h"

static struct utsname host_uname;

static int proc_exe_target(int pid, char **ret, void *userdata)
{
	char link[64], target[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	*ret = strdup(target);
	return *ret ? 0 : -ENOMEM;
}

static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * A namespace path is the host's when it is the runtime's own namespace of
 * that type (cinch runs in the engine's namespaces: Docker's
 * --network host hands over exactly that one) or pid 1's. pid 1's is only a
 * second reference: in some sandboxes it is not readable or not shared with
 * the engine, and that must not make every join unverifiable.
 */
static int is_host_namespace(enum cinch_ns_type type, const char *path, bool *ret, void *userdata)
{
	static const char *const proc_names[CINCH_NS_TYPE_COUNT] = {
	    [CINCH_NS_PID] = "pid",	  [CINCH_NS_NETWORK] = "net", [CINCH_NS_MOUNT] = "mnt",
	    [CINCH_NS_IPC] = "ipc",	  [CINCH_NS_UTS] = "uts",     [CINCH_NS_USER] = "user",
	    [CINCH_NS_CGROUP] = "cgroup", [CINCH_NS_TIME] = "time",
	};
	char ref_path[64];
	struct stat target, ref;

	if ((unsigned)type >= CINCH_NS_TYPE_COUNT)
		return -EINVAL;
	if (stat(path, &target) < 0)
		return -errno;
	snprintf(ref_path, sizeof(ref_path), "/proc/self/ns/%s", proc_names[type]);
	if (stat(ref_path, &ref) < 0)
		return -errno;
	*ret = same_inode(&target, &ref);
	snprintf(ref_path, sizeof(ref_path), "/proc/1/ns/%s", proc_names[type]);
	if (!*ret && stat(ref_path, &ref) == 0)
		*ret = same_inode(&target, &ref);
	return 0;
}

static int resolve_host_path(const char *path, char **ret, void *userdata)
{
	(void)userdata;
	*ret = realpath(path, NULL);
	return *ret ? 0 : -errno;
}

void cli_policy_host_context(const struct cinch_policy *policy, struct cinch_policy_context *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!host_uname.machine[0])
		uname(&host_uname);
	ret->arch = host_uname.machine;
	ret->apparmor_enabled = cinch_apparmor_enabled();
	ret->apparmor_profile_loaded =
	    ret->apparmor_enabled &&
	    cinch_apparmor_profile_loaded(cinch_policy_get_apparmor_profile(policy));
	ret->proc_exe_target = proc_exe_target;
	ret->is_host_namespace = is_host_namespace;
	ret->resolve_host_path = resolve_host_path;
}

/* The policy's profile goes on containers that ask for none; load it the
 * first time one needs it. A failure only warns: the apparmor rule then
 * reports the profile as not loaded, and refuses if the policy requires it. */
static void load_apparmor_profile(const struct cinch_policy *policy, const struct cinch_spec *in,
				  struct cinch_policy_context *ctx)
{
	const char *want = cinch_policy_get_apparmor_profile(policy);
	const char *asked = in->process ? in->process->apparmor_profile : NULL;
	struct cinch_error load_err = {0};

	if (!ctx->apparmor_enabled || ctx->apparmor_profile_loaded || !want || !in->process)
		return;
	if (asked && asked[0] && strcmp(asked, "unconfined") != 0)
		return;
	if (cinch_apparmor_load_profile(want, &load_err) < 0) {
		log_warning("policy: apparmor: %s", load_err.msg);
		return;
	}
	log_debug("policy: apparmor: loaded profile %s", want);
	ctx->apparmor_profile_loaded = true;
}

void cli_policy_log_findings(const struct cinch_policy_report *report, const char *what)
{
	for (size_t i = 0; i < cinch_policy_report_count(report); i++) {
		const struct cinch_policy_finding *f = cinch_policy_report_get(report, i);

		if (f->action == CINCH_POLICY_ACTION_REFUSE)
			log_error("policy: %s%s: %s: %s (%s)", what, f->rule, f->path,
				  f->before ? f->before : "(absent)", f->reason);
		else
			log_debug("policy: %s%s: %s: %s -> %s (%s)", what, f->rule, f->path,
				  f->before ? f->before : "(absent)",
				  f->after ? f->after : "(absent)", f->reason);
	}
}

/* The "level" a policy report records, NULL in *ret when it has none. */
static int report_level(const char *json, char **ret, struct cinch_error *err)
{
	const char *path[] = {"level", NULL};
	char errbuf[256] = "";
	yajl_val tree = yajl_tree_parse(json, errbuf, sizeof(errbuf));
	yajl_val v;

	*ret = NULL;
	if (!tree)
		return cinch_error_set(err, EINVAL, "%s: %s", CINCH_POLICY_REPORT_FILE,
				       errbuf[0] ? errbuf : "not JSON");
	v = yajl_tree_get(tree, path, yajl_t_string);
	if (v && YAJL_IS_STRING(v) && v->u.string && !(*ret = strdup(v->u.string))) {
		yajl_tree_free(tree);
		return cinch_error_set(err, ENOMEM, "out of memory");
	}
	yajl_tree_free(tree);
	return 0;
}

int cli_policy_for_container(const struct cli_globals *g, const char *report_json,
			     const struct cinch_map *annotations, struct cinch_policy **ret,
			     struct cinch_error *err)
{
	_cleanup_free_ char *level = NULL;
	struct cinch_kv kv = {.key = (char *)CINCH_POLICY_ANNOTATION};
	struct cinch_map recorded = {.items = &kv, .len = 1, .present = true};
	struct cinch_policy *host = NULL;
	int r;

	if (report_json) {
		r = report_level(report_json, &level, err);
		if (r < 0)
			return r;
	}
	if (level) {
		kv.value = level;
		annotations = &recorded;
	}
	r = cinch_policy_load_host(g->policy_path, &host, err);
	if (r < 0)
		return r;
	r = cinch_policy_resolve(host, annotations, ret, err);
	cinch_policy_free(host);
	return r;
}

int cli_policy_enforce(const struct cli_globals *g, const char *id, const struct cinch_spec *in,
		       struct cinch_spec **ret_out, char **ret_report_json, struct cinch_error *err)
{
	struct cinch_policy *host = NULL, *effective = NULL;
	struct cinch_policy_report *report = NULL;
	struct cinch_policy_context ctx;
	struct cinch_spec *out = NULL;
	struct cinch_error audit_err = {0};
	char *json = NULL;
	size_t len;
	int r;

	r = cinch_policy_load_host(g->policy_path, &host, err);
	if (r < 0)
		return r;
	r = cinch_policy_resolve(host, &in->annotations, &effective, err);
	cinch_policy_free(host);
	if (r < 0)
		return r;
	cli_policy_host_context(effective, &ctx);
	load_apparmor_profile(effective, in, &ctx);
	r = cinch_policy_apply(effective, in, &ctx, &out, &report, err);
	if (report) {
		cli_policy_log_findings(report, "");
		/* The audit record is kept even when the container is refused; a
		 * log that cannot be written must not let the container through. */
		if (cinch_policy_audit_log_write(effective, id, r < 0 ? "refuse" : "create", report,
						 &audit_err) < 0 &&
		    r == 0) {
			*err = audit_err;
			r = -audit_err.code;
		}
	}
	if (r == 0)
		r = cinch_policy_report_to_json(report, true, &json, &len, err);
	cinch_policy_report_free(report);
	cinch_policy_free(effective);
	if (r < 0) {
		cinch_spec_free(out);
		return r;
	}
	*ret_out = out;
	*ret_report_json = json;
	return 0;
}
