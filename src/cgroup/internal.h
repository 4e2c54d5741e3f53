/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the cgroup backends share inside src/cgroup/: the manager struct, the
 * hierarchy list, and the "plan" (the list of interface-file writes that a
 * linux.resources object turns into). Resources are converted to a plan once
 * (v1 or v2 file names), validated, and then applied; the systemd backend
 * derives its unit properties from the same v2 plan.
 */
#ifndef CINCH_CGROUP_INTERNAL_H
#define CINCH_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cinch/cgroup.h"
#include "cinch/error.h"
#include "cinch/spec.h"

#define CG_DEFAULT_PARENT "/cinch"

enum cg_kind {
	CG_HIER_V1,
	CG_HIER_UNIFIED,
};

/* One mounted hierarchy the container joins. */
struct cg_hier {
	enum cg_kind kind;
	char *controllers;  /* v1: "cpu,cpuacct", "name=systemd"; unified: NULL */
	char *mount;	    /* mount point */
	char *root;	    /* root of the mount inside the hierarchy ("/") */
	char *self;	    /* cinch's own cgroup in this hierarchy (relative paths) */
	char *path;	    /* container cgroup, hierarchy-relative ("/docker/x") */
	char *created_from; /* topmost directory this manager created; NULL: none */
};

/* Device rule after normalisation; major/minor -1 = any. */
#define CG_DEV_MKNOD 1u
#define CG_DEV_READ  2u
#define CG_DEV_WRITE 4u
#define CG_DEV_ALL   (CG_DEV_MKNOD | CG_DEV_READ | CG_DEV_WRITE)

struct cg_dev_rule {
	bool allow;
	char type; /* 'a', 'c', 'b' */
	int64_t major;
	int64_t minor;
	unsigned access;
};

/* One interface-file write. alt_file is tried when file does not exist
 * (io.bfq.weight, then io.weight) with its own value. */
struct cg_write {
	enum cg_kind kind;
	char *controller; /* "memory", "cpu", ...; "cgroup" for core files */
	char *file;
	char *value;
	char *alt_file;
	char *alt_value;
	bool from_unified;  /* came from resources.unified (error wording) */
	bool may_skip_zero; /* v1 blkio.weight 0 on kernels without the file */
};

struct cg_plan {
	struct cg_write *items;
	size_t len;
	bool devices; /* apply dev_rules (deny-all first) */
	struct cg_dev_rule *dev_rules;
	size_t n_dev_rules;
};

struct cinch_cgroup {
	enum cinch_cgroup_backend backend;
	char *id;
	struct cg_hier *hiers;
	size_t n_hiers;
	/* systemd */
	char *slice; /* "system.slice" */
	char *unit;  /* "docker-<id>.scope" */
	bool unit_started;
	/* create() on systemd keeps the plan until enter() starts the unit */
	struct cg_plan *pending;
};

/* ---- plan.c ---- */
void cg_plan_free(struct cg_plan *plan);
int cg_plan_add(struct cg_plan *plan, enum cg_kind kind, const char *controller, const char *file,
		const char *value, struct cinch_error *err);
int cg_plan_addf(struct cg_plan *plan, enum cg_kind kind, const char *controller, const char *file,
		 struct cinch_error *err, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
struct cg_write *cg_plan_last(struct cg_plan *plan);
const struct cg_write *cg_plan_find(const struct cg_plan *plan, const char *file);
int cg_plan_set_alt(struct cg_plan *plan, const char *alt_file, const char *alt_value,
		    struct cinch_error *err);

/* ---- v2_resources.c / v1_resources.c: resources -> plan ---- */
uint64_t cg_shares_to_weight(uint64_t shares);
uint64_t cg_blkio_weight_to_io_weight(uint64_t weight);
int cg_swap_to_v2(int64_t swap, int64_t limit, int64_t *ret, struct cinch_error *err);
int cg_unified_key_check(const char *key, struct cinch_error *err);
/* update: 0 means "unchanged" for the fields Docker sends, devices ignored. */
int cg_v2_plan(const struct cinch_resources *r, bool update, struct cg_plan *plan,
	       struct cinch_error *err);
int cg_v1_plan(const struct cinch_resources *r, bool update, struct cg_plan *plan,
	       struct cinch_error *err);
int cg_plan_unified(const struct cinch_resources *r, struct cg_plan *plan, struct cinch_error *err);
int cg_plan_hugetlb(const struct cinch_resources *r, enum cg_kind kind, struct cg_plan *plan,
		    struct cinch_error *err);

/* ---- devices_default.c ---- */
/* Effective rules: deny everything, then the spec's rules, then the default
 * allow list (runc's order, so a CRI deny-all still leaves /dev/null usable). */
int cg_devices_effective(const struct cinch_device_rules *rules, struct cg_dev_rule **ret,
			 size_t *ret_len, struct cinch_error *err);
int cg_dev_rule_format_v1(const struct cg_dev_rule *r, char *buf, size_t len);

/* ---- v2_devices_bpf.c ---- */
struct bpf_insn;
int cg_bpf_devices_program(const struct cg_dev_rule *rules, size_t n, struct bpf_insn **ret,
			   size_t *ret_len, struct cinch_error *err);
int cg_bpf_devices_apply(const char *cgroup_dir, const struct cg_dev_rule *rules, size_t n,
			 struct cinch_error *err);

/* ---- paths.c ---- */
int cg_path_normalize(const char *path, char **ret, struct cinch_error *err);
int cg_path_resolve(const char *cgroups_path, const char *id, const char *self, char **ret,
		    struct cinch_error *err);
int cg_systemd_parse(const char *cgroups_path, const char *id, char **ret_slice, char **ret_unit,
		     struct cinch_error *err);
int cg_systemd_slice_path(const char *slice, char **ret, struct cinch_error *err);
int cg_hier_dir(const struct cg_hier *h, const char *path, char **ret, struct cinch_error *err);

/* ---- mounts.c: host detection ---- */
int cg_scan_hierarchies(const char *mountinfo, const char *proc_cgroups, const char *self_cgroup,
			struct cg_hier **ret, size_t *ret_len, bool *ret_unified_only,
			struct cinch_error *err);
void cg_hiers_free(struct cg_hier *h, size_t n);
bool cg_hier_has(const struct cg_hier *h, const char *controller);

/* ---- fs.c: file helpers (return -errno, no err) ---- */
int cg_write(const char *dir, const char *file, const char *value);
int cg_read(const char *dir, const char *file, char **ret);
bool cg_exists(const char *dir, const char *file);
int cg_read_pids(const char *dir, pid_t **ret, size_t *ret_len);
/* mkdir -p below mount; *ret_created_from gets the topmost dir made (NULL if none). */
int cg_mkdir_tree(const struct cg_hier *h, const char *path, char **ret_created_from,
		  struct cinch_error *err);
/* rmdir path (and sub-cgroups), then each parent up to created_from. */
int cg_remove_tree(const struct cg_hier *h, const char *label, struct cinch_error *err);
int cg_kill_pids(const char *dir, int sig, bool recursive);

/* ---- apply.c ---- */
const char *cg_backend_label(enum cinch_cgroup_backend b);
int cg_apply_plan(struct cinch_cgroup *cg, const struct cg_plan *plan, bool update,
		  struct cinch_error *err);
struct cg_hier *cg_find_hier(struct cinch_cgroup *cg, enum cg_kind kind, const char *controller);
int cg_v2_enable_controllers(struct cinch_cgroup *cg, struct cg_hier *h, const char *controller,
			     struct cinch_error *err);

/* ---- v2.c / v1.c: per-backend operations ---- */
int cg_v2_freeze(struct cinch_cgroup *cg, bool freeze, struct cinch_error *err);
int cg_v2_is_frozen(struct cinch_cgroup *cg, bool *ret, struct cinch_error *err);
int cg_v2_kill_all(struct cg_hier *h, struct cinch_error *err);
int cg_v1_freeze(struct cinch_cgroup *cg, bool freeze, struct cinch_error *err);
int cg_v1_is_frozen(struct cinch_cgroup *cg, bool *ret, struct cinch_error *err);
int cg_v1_prepare_cpuset(struct cg_hier *h, struct cinch_error *err);
int cg_v1_apply_devices(struct cinch_cgroup *cg, const struct cg_dev_rule *rules, size_t n,
			struct cinch_error *err);

/* ---- systemd.c ---- */
bool cg_systemd_running(void);
int cg_systemd_start(struct cinch_cgroup *cg, pid_t pid, const struct cg_plan *plan,
		     struct cinch_error *err);
int cg_systemd_set_properties(struct cinch_cgroup *cg, const struct cg_plan *plan,
			      struct cinch_error *err);
int cg_systemd_stop(struct cinch_cgroup *cg, struct cinch_error *err);

/* The hierarchy that lists member pids and carries the freezer. */
struct cg_hier *cg_main_hier(struct cinch_cgroup *cg);

#endif
