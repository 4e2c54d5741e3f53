/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the files of src/policy/: the policy structure with
 * every rule's settings, the rule context handed to each rule function, and
 * the finding helpers that implement the three modes in one place.
 */
#ifndef CINCH_POLICY_INTERNAL_H
#define CINCH_POLICY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cinch/policy.h"

/* Stable rule ids, in the order the rules run (capabilities before seccomp:
 * the seccomp profile is resolved against the final capabilities). */
enum policy_rule {
	RULE_NAMESPACES,
	RULE_USER,
	RULE_CAPABILITIES,
	RULE_NO_NEW_PRIVILEGES,
	RULE_SECCOMP,
	RULE_APPARMOR,
	RULE_READ_ONLY_ROOT,
	RULE_MOUNTS,
	RULE_MASKED_PATHS,
	RULE_DEVICES,
	RULE_SYSCTLS,
	RULE_RESOURCES,
	RULE_RLIMITS,
	RULE_HOOKS,
	RULE_PERSONALITY,
	RULE_SCHEDULER,
	RULE_IO_PRIORITY,
	RULE_OOM_SCORE_ADJ,
	RULE_COUNT,
};

const char *policy_rule_name(enum policy_rule rule);
int policy_rule_from_name(const char *name, enum policy_rule *ret);

/* A list of strings owned by the policy (NULL-terminated, may be empty). */
struct pstrv {
	char **items;
	size_t len;
};

enum user_strategy {
	USER_STRATEGY_UID,
	USER_STRATEGY_USERNS,
	USER_STRATEGY_REFUSE,
};

enum seccomp_custom {
	SECCOMP_CUSTOM_DEFAULT_DENY, /* a container's profile must deny by default */
	SECCOMP_CUSTOM_SUBSET,	     /* ... and allow nothing the default profile denies */
};

enum over_max {
	OVER_MAX_CLAMP,
	OVER_MAX_REFUSE,
};

enum missing_ns {
	MISSING_NS_ADD,
	MISSING_NS_REFUSE,
};

struct device_allow {
	char type; /* 'c' or 'b' */
	int64_t major;
	int64_t minor; /* -1 = any */
};

struct policy_settings {
	struct {
		struct pstrv allow;
		struct pstrv engine_defaults; /* removed quietly instead of refused */
	} caps;
	struct {
		enum user_strategy strategy;
		uint32_t uid, gid;
		uint32_t host_id_base, host_id_count;
	} user;
	struct {
		struct pstrv tmpfs;
		char *tmpfs_options;
	} ro_root;
	struct {
		int64_t memory_default, memory_max; /* bytes; 0 = none */
		int64_t pids_default, pids_max;	    /* 0 = none */
		uint64_t cpu_shares_default;	    /* 0 = none */
		enum over_max over_max;
	} resources;
	struct {
		enum seccomp_custom custom;
	} seccomp;
	struct {
		char *profile;
		bool required;
	} apparmor;
	struct {
		struct pstrv private_; /* namespace types that must be private */
		enum missing_ns missing;
		struct pstrv refuse_join; /* fnmatch patterns */
	} ns;
	struct {
		struct pstrv refuse_sources;	   /* the path and everything under it */
		struct pstrv refuse_sources_exact; /* just the path */
		struct pstrv refuse_source_names;  /* basenames (runtime sockets) */
		struct pstrv bind_options;	   /* added to every bind mount */
		struct pstrv rootfs_options;	   /* for the core: annotation */
		struct pstrv proc_allow;	   /* destinations allowed under /proc */
	} mounts;
	struct {
		struct pstrv masked, readonly;
	} masked;
	struct {
		struct device_allow *allow;
		size_t n_allow;
	} devices;
	struct {
		struct pstrv allow;
	} sysctls;
	struct {
		struct pstrv allow;	   /* hook paths */
		struct pstrv engine_exe;   /* what /proc/<pid>/exe may point to */
		struct pstrv engine_args0; /* args[0] of such engine hooks */
	} hooks;
	struct {
		bool core_zero;
		uint64_t nofile_max, nproc_max; /* 0 = none */
	} rlimits;
};

struct cinch_policy {
	enum cinch_policy_level level;
	enum cinch_policy_mode mode;
	bool allow_levels[CINCH_POLICY_LEVEL_COUNT];
	char *audit_log;
	char *origin;
	bool enabled[RULE_COUNT];
	struct policy_settings s;
};

/* policy.c */
int policy_new_empty(struct cinch_policy **ret, struct cinch_error *err);
int policy_copy(const struct cinch_policy *p, struct cinch_policy **ret, struct cinch_error *err);
void pstrv_free(struct pstrv *v);
int pstrv_copy(struct pstrv *dst, const struct pstrv *src);
bool pstrv_contains(const struct pstrv *v, const char *s);
int pstrv_append(struct pstrv *v, const char *s);

/* builtin.c (generated from profiles/): the embedded documents */
extern const char *const policy_builtin_json[CINCH_POLICY_LEVEL_COUNT];

/* load.c: apply a document on top of `base` (level already chosen). */
int policy_parse_document(const char *buf, size_t len, const char *origin, bool builtin,
			  struct cinch_policy **ret, struct cinch_error *err);

/* ---- reports ---- */

struct policy_finding_store {
	char *rule, *path, *before, *after, *reason;
	enum cinch_policy_action action;
};

struct cinch_policy_report {
	enum cinch_policy_level level;
	enum cinch_policy_mode mode;
	char *origin;
	bool exec;
	struct policy_finding_store *items;
	struct cinch_policy_finding *views; /* rebuilt on append */
	size_t len;
	char *summary;
};

int report_new(const struct cinch_policy *p, bool exec, struct cinch_policy_report **ret);
int report_add(struct cinch_policy_report *r, enum cinch_policy_action action, const char *rule,
	       const char *path, const char *before, const char *after, const char *reason);
int report_build_summary(struct cinch_policy_report *r, const char *hint);
/* The first refusal, or NULL. */
const struct policy_finding_store *report_first_refusal(const struct cinch_policy_report *r);
int report_generate(const struct cinch_policy_report *r, bool pretty, bool one_line, const char *id,
		    const char *event, const char *time, char **ret, size_t *ret_len);

/* ---- rules ---- */

struct rule_ctx {
	const struct cinch_policy *policy;
	const struct cinch_policy_context *host;
	struct cinch_policy_report *report;
	struct cinch_spec *spec;	    /* being rewritten (container create) */
	const struct cinch_spec *container; /* exec: the running container */
	struct cinch_process *process;	    /* spec->process or the exec process */
	const char *proc_path;		    /* ".process" or "" for exec */
	bool exec;
	bool update; /* `update`: spec holds only linux.resources, paths start at "" */
	struct cinch_error *err;
};

/*
 * A finding for a change. Returns 1 when the caller must make the change
 * (enforce mode), 0 when it must not (audit: recorded as a rewrite that was
 * not made; reject: recorded as a refusal), < 0 on -ENOMEM (err filled).
 * before/after are JSON text, reason a printf format.
 */
int rule_rewrite(struct rule_ctx *rc, enum policy_rule rule, const char *path, const char *before,
		 const char *after, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A refusal: recorded as such in every mode (audit mode does not fail). */
int rule_refuse(struct rule_ctx *rc, enum policy_rule rule, const char *path, const char *before,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int rule_note(struct rule_ctx *rc, enum policy_rule rule, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int rule_oom(struct rule_ctx *rc);
/* spec->linux_, created empty when absent; NULL when out of memory. */
struct cinch_linux *rule_spec_linux(struct cinch_spec *spec);
/* Appends a new namespace of `type` to linux.namespaces. */
int rule_add_namespace(struct rule_ctx *rc, enum cinch_ns_type type);

/* JSON text of values, for before/after (malloc'd, NULL on ENOMEM). */
char *json_strv(const struct cinch_strv *v);
char *json_string(const char *s); /* "absent" for NULL */
char *json_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* strv helpers on the spec model */
int strv_copy(struct cinch_strv *dst, const struct cinch_strv *src);
void strv_remove_at(struct cinch_strv *v, size_t i);
int strv_add(struct cinch_strv *v, const char *s); /* append, keep NULL termination */

/* One function per rule; each file owns a family. */
int policy_rule_capabilities(struct rule_ctx *rc);	/* rule_caps.c */
int policy_rule_no_new_privileges(struct rule_ctx *rc); /* rule_user.c */
int policy_rule_user(struct rule_ctx *rc);
int policy_rule_namespaces(struct rule_ctx *rc);     /* rule_namespaces.c */
int policy_rule_seccomp(struct rule_ctx *rc);	     /* rule_seccomp.c */
int policy_rule_apparmor(struct rule_ctx *rc);	     /* rule_lsm.c */
int policy_rule_read_only_root(struct rule_ctx *rc); /* rule_mounts.c */
int policy_rule_mounts(struct rule_ctx *rc);
int policy_rule_masked_paths(struct rule_ctx *rc);
int policy_rule_devices(struct rule_ctx *rc); /* rule_devices.c */
int policy_rule_sysctls(struct rule_ctx *rc);
int policy_rule_resources(struct rule_ctx *rc); /* rule_resources.c */
int policy_rule_rlimits(struct rule_ctx *rc);
int policy_rule_hooks(struct rule_ctx *rc); /* rule_process.c */
int policy_rule_personality(struct rule_ctx *rc);
int policy_rule_scheduler(struct rule_ctx *rc);
int policy_rule_io_priority(struct rule_ctx *rc);
int policy_rule_oom_score_adj(struct rule_ctx *rc);

/*
 * builtin.c: profiles/seccomp/default.json as tables, its shape checked by
 * embed.py at build time (known actions/operators/capabilities, errnoRet only
 * with an errno action, no empty condition lists), so the resolver trusts it.
 * A condition with n_caps == 0 and n_arches == 0 is "no condition".
 */
struct seccomp_table_arch {
	const char *architecture; /* SCMP_ARCH_* */
	const char *const *subs;  /* subArchitectures */
	size_t n_subs;
};

struct seccomp_table_arg {
	uint32_t index;
	uint64_t value;
	struct cinch_opt_u64 value_two;
	const char *op; /* SCMP_CMP_* */
};

struct seccomp_table_cond {
	const char *const *caps; /* CAP_* */
	size_t n_caps;
	const char *const *arches; /* short names: "s390x", "amd64" */
	size_t n_arches;
};

struct seccomp_table_rule {
	const char *const *names;
	size_t n_names;
	const char *action; /* SCMP_ACT_* */
	struct cinch_opt_u32 errno_ret;
	const struct seccomp_table_arg *args;
	size_t n_args;
	bool has_args; /* "args" present, possibly empty */
	struct seccomp_table_cond includes, excludes;
};

struct seccomp_table {
	const char *default_action;
	struct cinch_opt_u32 default_errno_ret;
	const struct seccomp_table_arch *arch_map;
	size_t n_arch_map;
	const struct seccomp_table_rule *rules;
	size_t n_rules;
};

extern const struct seccomp_table policy_seccomp_default_table;

/* seccomp_profile.c: the default profile resolved for caps and arch. */
int policy_seccomp_default(const struct cinch_strv *caps, const char *arch,
			   struct cinch_seccomp **ret, struct cinch_error *err);
void policy_seccomp_free(struct cinch_seccomp *s);

/* capability names */
bool policy_cap_known(const char *name);		/* "CAP_X" */
int policy_cap_normalize(const char *name, char **ret); /* "x"/"CAP_X" -> "CAP_X" */

#endif
