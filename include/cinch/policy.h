/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cinch policy engine: policy files and built-in levels, the rewrite of a
 * container's config (and of every exec process) against a policy, and the
 * report of each change or violation.
 *
 * Data flows one way: spec -> policy -> container. The engine is a pure data
 * transformation: it never calls the kernel. Facts about the host (AppArmor,
 * architecture, what /proc/<pid>/exe points to) are handed in by the caller
 * through struct cinch_policy_context. The only file access lives in separate
 * files: reading a policy file after checking its ownership and permissions
 * (cinch_policy_load_file/_host), saving a report, appending to the audit log.
 *
 * Typical use by the core at `create`:
 *
 *   cinch_policy_load_host(g->policy_path, &host, err);          // NULL = default path
 *   cinch_policy_resolve(host, &spec->annotations, &eff, err);   // io.cinch.policy
 *   r = cinch_policy_apply(eff, spec, &ctx, &out, &report, err);
 *   cinch_policy_report_save_json(report, "<root>/<id>/policy-report.json", err);
 *   cinch_policy_audit_log_write(eff, id, "create", report, err);
 *   if (r < 0) fail with err->msg (one line, the summary);
 *   cinch_spec_save_file(out, "<root>/<id>/config.effective.json", err);
 */
#ifndef CINCH_POLICY_H
#define CINCH_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "cinch/error.h"
#include "cinch/spec.h"

#define CINCH_POLICY_DEFAULT_PATH "/etc/cinch/policy.json"
/* OCI annotation through which a container asks for another level. */
#define CINCH_POLICY_ANNOTATION "io.cinch.policy"
/* File names in the container's state dir <root>/<id>/. */
#define CINCH_POLICY_REPORT_FILE	   "policy-report.json"
#define CINCH_POLICY_EFFECTIVE_CONFIG_FILE "config.effective.json"

/*
 * Annotations the engine adds to the rewritten config for the core, for
 * things the OCI config cannot say:
 *  - ROOTFS_OPTIONS: comma-separated mount flags ("nosuid") the core applies
 *    to the container's root mount (rules.mounts.rootfsOptions).
 *  - IDMAP_ROOTFS: "<hostId>:<count>" when the user rule chose the `userns`
 *    strategy: the core must mount the rootfs idmapped with that range so
 *    image files owned by root stay owned by the container's root. Bind
 *    mounts get OCI uidMappings/gidMappings (idmapped mounts) directly.
 */
#define CINCH_ANNOTATION_ROOTFS_OPTIONS "io.cinch.rootfs.options"
#define CINCH_ANNOTATION_IDMAP_ROOTFS	"io.cinch.userns.idmap-rootfs"

/* From most to least permissive. */
enum cinch_policy_level {
	CINCH_POLICY_PRIVILEGED,
	CINCH_POLICY_BASELINE,
	CINCH_POLICY_RESTRICTED,
	CINCH_POLICY_LEVEL_COUNT,
};

enum cinch_policy_mode {
	CINCH_POLICY_ENFORCE, /* rewrite what can be rewritten, refuse the rest */
	CINCH_POLICY_REJECT,  /* change nothing; any violation refuses */
	CINCH_POLICY_AUDIT,   /* change nothing, refuse nothing, report everything */
};

const char *cinch_policy_level_name(enum cinch_policy_level level);
int cinch_policy_level_from_name(const char *name, enum cinch_policy_level *ret);
const char *cinch_policy_mode_name(enum cinch_policy_mode mode);

/* ---- policies ------------------------------------------------------------ */

struct cinch_policy;

/* The built-in level, parsed from the profiles/policy/<level>.json compiled
 * into the binary. */
int cinch_policy_builtin(enum cinch_policy_level level, struct cinch_policy **ret,
			 struct cinch_error *err);

/*
 * Parse a policy document. Rules named in the document override the
 * built-in settings of its level key by key. Unknown keys or rule names,
 * wrong types and contradictory settings fail with
 *   "<origin>: .rules.resources.memoryDefault: 2147483648 is above memoryMax 1073741824".
 * Pure: no file access.
 */
int cinch_policy_load_buffer(const char *buf, size_t len, const char *origin,
			     struct cinch_policy **ret, struct cinch_error *err);

/*
 * Read and parse a policy file. Refused (-EPERM) unless the file and every
 * directory on its path are owned by root and not writable by group or
 * other (a directory that is sticky may be world-writable), and no component
 * is a symlink. The file is read from the fd that was checked.
 */
int cinch_policy_load_file(const char *path, struct cinch_policy **ret, struct cinch_error *err);

/*
 * The host policy: `path` (from --policy) must exist; with path NULL the
 * default /etc/cinch/policy.json is used and, if it does not exist, the
 * built-in restricted level. Any other problem is an error: never a silent
 * fallback to something weaker.
 */
int cinch_policy_load_host(const char *path, struct cinch_policy **ret, struct cinch_error *err);

void cinch_policy_free(struct cinch_policy *policy);

enum cinch_policy_level cinch_policy_get_level(const struct cinch_policy *policy);
enum cinch_policy_mode cinch_policy_get_mode(const struct cinch_policy *policy);
/* Audit-log path, NULL when disabled ("auditLog": null or ""). */
const char *cinch_policy_get_audit_log(const struct cinch_policy *policy);
/* The AppArmor profile the apparmor rule assigns (the caller checks it is loaded). */
const char *cinch_policy_get_apparmor_profile(const struct cinch_policy *policy);
/* Where the policy came from: a file path or "builtin:<level>". */
const char *cinch_policy_get_origin(const struct cinch_policy *policy);
bool cinch_policy_allows_level(const struct cinch_policy *policy, enum cinch_policy_level level);

/* Override the mode (`cinch policy check` uses this). */
void cinch_policy_set_mode(struct cinch_policy *policy, enum cinch_policy_mode mode);

/* The complete effective policy as a policy document (loadable again). */
int cinch_policy_to_json(const struct cinch_policy *policy, char **ret, size_t *ret_len,
			 struct cinch_error *err);

/*
 * The effective policy for one container. Without the io.cinch.policy
 * annotation it is a copy of `host`. With it, the named level is used if it
 * is the host's level, stricter than it, or listed in the host's
 * allowLevels; it then takes the built-in settings of that level and the
 * host's mode, audit log and allowLevels. Asking for anything else fails
 * with -EPERM ("annotation io.cinch.policy: level privileged is not allowed
 * by /etc/cinch/policy.json (allowLevels: baseline)"); an unknown level name
 * fails with -EINVAL.
 */
int cinch_policy_resolve(const struct cinch_policy *host, const struct cinch_map *annotations,
			 struct cinch_policy **ret, struct cinch_error *err);

/* ---- applying ------------------------------------------------------------ */

/* Host facts, gathered by the caller (the policy engine never asks the kernel). */
struct cinch_policy_context {
	bool apparmor_enabled;	      /* the host has AppArmor enabled */
	bool apparmor_profile_loaded; /* rules.apparmor.profile is loaded in the kernel */
	const char *arch;	      /* uname machine: "x86_64", "aarch64", ...; NULL = x86_64 */
	/*
	 * Optional. Where /proc/<pid>/exe points (readlink), to accept Docker's
	 * libnetwork-setkey prestart hook, whose path is /proc/<dockerd pid>/exe.
	 * Return 0 and a malloc'd path, or a negative errno. NULL: such hooks
	 * are refused because they cannot be verified.
	 */
	int (*proc_exe_target)(int pid, char **ret, void *userdata);
	/*
	 * Optional. Whether a namespace path (from linux.namespaces[].path) is
	 * the host's namespace of that type (e.g. same inode as /proc/1/ns/<t>).
	 * NULL: only the path patterns of rules.namespaces.refuseJoin are used.
	 */
	int (*is_host_namespace)(enum cinch_ns_type type, const char *path, bool *ret,
				 void *userdata);
	/*
	 * Optional. The host path a bind source really names (realpath: every
	 * symlink followed). Return 0 and a malloc'd path, or a negative errno.
	 * NULL: bind sources are only compared as written.
	 */
	int (*resolve_host_path)(const char *path, char **ret, void *userdata);
	void *userdata;
};

enum cinch_policy_action {
	CINCH_POLICY_ACTION_REWRITE, /* changed (or, in audit mode, would be changed) */
	CINCH_POLICY_ACTION_REFUSE,  /* not allowed, cannot be rewritten */
	CINCH_POLICY_ACTION_NOTE,    /* information only (e.g. no AppArmor on this host) */
};

struct cinch_policy_finding {
	const char *rule;   /* stable rule id: "capabilities", "seccomp", ... */
	const char *path;   /* JSON path in config.json: ".process.capabilities.bounding" */
	const char *before; /* JSON text of the value before, "absent" when missing */
	const char *after;  /* JSON text after, "refused", or "unchanged" for a note */
	const char *reason; /* why, one sentence */
	enum cinch_policy_action action;
};

struct cinch_policy_report;

/*
 * Rewrite a container config against `policy`. `in` is not modified.
 * Returns
 *   0       *out = the effective config (a new model), *report = findings;
 *   -EPERM  the policy refuses the config: err holds the one summary line
 *           ("policy restricted refused: capabilities: CAP_SYS_ADMIN is not
 *           allowed (allow it with level privileged via annotation
 *           io.cinch.policy)"), *report is set (save/log it), *out untouched;
 *   < 0     any other error (err filled; *out and *report untouched).
 * In audit mode *out is an unchanged copy and nothing is refused.
 * `report` may be NULL.
 */
int cinch_policy_apply(const struct cinch_policy *policy, const struct cinch_spec *in,
		       const struct cinch_policy_context *ctx, struct cinch_spec **out,
		       struct cinch_policy_report **report, struct cinch_error *err);

/*
 * The same for a process started with `exec --process` in a running
 * container whose effective config is `container` (the rules that apply to a
 * process: capabilities, bounded by the container's bounding set;
 * noNewPrivileges; user; apparmor, inherited from the container; rlimits;
 * scheduler; ioPriority). Paths in findings start at ".process" of the
 * process document (".capabilities.bounding" ...).
 */
int cinch_policy_apply_exec(const struct cinch_policy *policy, const struct cinch_spec *container,
			    const struct cinch_process *in, const struct cinch_policy_context *ctx,
			    struct cinch_process **out, struct cinch_policy_report **report,
			    struct cinch_error *err);

/*
 * `update` of a running container: checks the LinuxResources document `in`
 * (as `update --resources` gets it, 0 = unchanged, -1 = no limit) against
 * the policy's resources rule, the same check as at create: a memory or
 * pids limit above the maximum is clamped or refused (overMax), removing a
 * limit the policy gives every container is refused in reject mode and
 * rewritten to the policy's default in enforce mode; audit changes nothing.
 * Returns 0 with *out = the resources to apply (a new object), -EPERM when
 * refused (err holds the summary line, *report is set), < 0 on other
 * errors. Paths in findings start at the document (".pids.limit").
 * `report` may be NULL. The caller writes the audit record.
 */
int cinch_policy_apply_update(const struct cinch_policy *policy, const struct cinch_resources *in,
			      struct cinch_resources **out, struct cinch_policy_report **report,
			      struct cinch_error *err);

/* ---- reports ------------------------------------------------------------- */

size_t cinch_policy_report_count(const struct cinch_policy_report *report);
const struct cinch_policy_finding *cinch_policy_report_get(const struct cinch_policy_report *report,
							   size_t index);
bool cinch_policy_report_refused(const struct cinch_policy_report *report);
/* True when there is no rewrite and no refusal (notes allowed). */
bool cinch_policy_report_compliant(const struct cinch_policy_report *report);
/* The one summary line (also for compliant and rewritten configs). */
const char *cinch_policy_report_summary(const struct cinch_policy_report *report);

/*
 * {"level","mode","origin","result":"compliant|rewritten|refused|audited",
 *  "summary","findings":[{"rule","path","action","before","after","reason"}]}
 */
int cinch_policy_report_to_json(const struct cinch_policy_report *report, bool pretty, char **ret,
				size_t *ret_len, struct cinch_error *err);
/* One line per finding, then the summary line. */
int cinch_policy_report_to_text(const struct cinch_policy_report *report, char **ret,
				struct cinch_error *err);
/* Atomic write (temp file + rename), mode 0600. */
int cinch_policy_report_save_json(const struct cinch_policy_report *report, const char *path,
				  struct cinch_error *err);
void cinch_policy_report_free(struct cinch_policy_report *report);

/*
 * Append one JSON line {"time","id","event","level","mode","result",
 * "summary","findings":[...]} to the policy's audit log (no-op when the
 * policy has none). The file is created 0600 and opened O_APPEND|O_NOFOLLOW;
 * one write(2) per line so concurrent writers do not interleave.
 */
int cinch_policy_audit_log_write(const struct cinch_policy *policy, const char *container_id,
				 const char *event, const struct cinch_policy_report *report,
				 struct cinch_error *err);

#endif
