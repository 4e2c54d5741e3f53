/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OCI runtime-spec 1.2 Linux config as typed C structs, with loading
 * from JSON (every error names the JSON path and the reason) and saving back.
 *
 * Presence is explicit: every optional scalar carries a `present` flag,
 * optional objects are pointers (NULL = absent), and arrays/maps carry
 * `present` so that `"capabilities": {}` and a missing key round-trip
 * differently. Unknown properties are tolerated (the spec requires it) and
 * not kept. All strings are heap-owned by the model; cinch_spec_free()
 * releases everything.
 */
#ifndef CINCH_SPEC_H
#define CINCH_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cinch/error.h"

#define CINCH_OCI_VERSION "1.2.0"

/* ---- generic containers ------------------------------------------------ */

struct cinch_opt_bool {
	bool value;
	bool present;
};

struct cinch_opt_i64 {
	int64_t value;
	bool present;
};

struct cinch_opt_u64 {
	uint64_t value;
	bool present;
};

struct cinch_opt_u32 {
	uint32_t value;
	bool present;
};

/* items is NULL-terminated when len > 0 (items[len] == NULL). */
struct cinch_strv {
	char **items;
	size_t len;
	bool present;
};

struct cinch_u32v {
	uint32_t *items;
	size_t len;
	bool present;
};

struct cinch_kv {
	char *key;
	char *value;
};

/* A JSON object of string values, in document order. */
struct cinch_map {
	struct cinch_kv *items;
	size_t len;
	bool present;
};

/* ---- root, mounts ------------------------------------------------------ */

struct cinch_root {
	char *path;
	struct cinch_opt_bool readonly;
};

struct cinch_id_mapping {
	uint32_t container_id; /* containerID */
	uint32_t host_id;      /* hostID */
	uint32_t size;
};

struct cinch_id_mappings {
	struct cinch_id_mapping *items;
	size_t len;
	bool present;
};

struct cinch_mount {
	char *destination;
	char *type;
	char *source;
	struct cinch_strv options;
	struct cinch_id_mappings uid_mappings; /* uidMappings (idmapped mounts) */
	struct cinch_id_mappings gid_mappings; /* gidMappings */
};

/* ---- process ----------------------------------------------------------- */

struct cinch_console_size {
	uint32_t height;
	uint32_t width;
};

struct cinch_user {
	uint32_t uid;
	uint32_t gid;
	struct cinch_opt_u32 umask;
	struct cinch_u32v additional_gids; /* additionalGids */
	char *username;			   /* Windows-only in the spec; kept for round trip */
};

struct cinch_capabilities {
	struct cinch_strv bounding;
	struct cinch_strv effective;
	struct cinch_strv inheritable;
	struct cinch_strv permitted;
	struct cinch_strv ambient;
};

struct cinch_rlimit {
	char *type; /* "RLIMIT_NOFILE" ... */
	uint64_t hard;
	uint64_t soft;
};

struct cinch_rlimits {
	struct cinch_rlimit *items;
	size_t len;
	bool present;
};

struct cinch_scheduler {
	char *policy; /* SCHED_OTHER, SCHED_FIFO, ... (required) */
	struct cinch_opt_i64 nice;
	struct cinch_opt_i64 priority;
	struct cinch_strv flags;
	struct cinch_opt_u64 runtime;
	struct cinch_opt_u64 deadline;
	struct cinch_opt_u64 period;
};

struct cinch_io_priority {
	char *class_; /* IOPRIO_CLASS_RT | IOPRIO_CLASS_BE | IOPRIO_CLASS_IDLE */
	struct cinch_opt_i64 priority;
};

struct cinch_cpu_affinity {
	char *initial;
	char *final;
};

struct cinch_process {
	struct cinch_opt_bool terminal;
	struct cinch_console_size *console_size; /* consoleSize */
	struct cinch_user user;
	bool user_present;
	struct cinch_strv args;
	char *command_line; /* commandLine (Windows); kept for round trip */
	struct cinch_strv env;
	char *cwd;
	struct cinch_capabilities *capabilities;
	struct cinch_rlimits rlimits;
	struct cinch_opt_bool no_new_privileges; /* noNewPrivileges */
	char *apparmor_profile;			 /* apparmorProfile */
	struct cinch_opt_i64 oom_score_adj;	 /* oomScoreAdj */
	char *selinux_label;			 /* selinuxLabel */
	struct cinch_scheduler *scheduler;
	struct cinch_io_priority *io_priority;	      /* ioPriority */
	struct cinch_cpu_affinity *exec_cpu_affinity; /* execCPUAffinity */
};

/* ---- hooks ------------------------------------------------------------- */

struct cinch_hook {
	char *path;
	struct cinch_strv args;
	struct cinch_strv env;
	struct cinch_opt_i64 timeout; /* seconds, > 0 */
};

struct cinch_hook_list {
	struct cinch_hook *items;
	size_t len;
	bool present;
};

enum cinch_hook_kind {
	CINCH_HOOK_PRESTART,
	CINCH_HOOK_CREATE_RUNTIME,
	CINCH_HOOK_CREATE_CONTAINER,
	CINCH_HOOK_START_CONTAINER,
	CINCH_HOOK_POSTSTART,
	CINCH_HOOK_POSTSTOP,
	CINCH_HOOK_KIND_COUNT,
};

struct cinch_hooks {
	struct cinch_hook_list lists[CINCH_HOOK_KIND_COUNT];
};

/* ---- linux: namespaces, devices --------------------------------------- */

enum cinch_ns_type {
	CINCH_NS_PID,
	CINCH_NS_NETWORK,
	CINCH_NS_MOUNT,
	CINCH_NS_IPC,
	CINCH_NS_UTS,
	CINCH_NS_USER,
	CINCH_NS_CGROUP,
	CINCH_NS_TIME,
	CINCH_NS_TYPE_COUNT,
};

struct cinch_namespace {
	enum cinch_ns_type type;
	char *path; /* NULL: create a new one; else join */
};

struct cinch_namespaces {
	struct cinch_namespace *items;
	size_t len;
	bool present;
};

struct cinch_time_offset {
	char *clock; /* "monotonic" | "boottime" (the map key) */
	int64_t secs;
	uint32_t nanosecs;
};

struct cinch_time_offsets {
	struct cinch_time_offset *items;
	size_t len;
	bool present;
};

struct cinch_device {
	char *type; /* c, b, u, p */
	char *path;
	int64_t major;
	int64_t minor;
	struct cinch_opt_u32 file_mode; /* fileMode */
	struct cinch_opt_u32 uid;
	struct cinch_opt_u32 gid;
};

struct cinch_devices {
	struct cinch_device *items;
	size_t len;
	bool present;
};

/* ---- linux.resources ---------------------------------------------------- */

struct cinch_device_rule {
	bool allow;
	char *type; /* a, c, b; NULL = all */
	struct cinch_opt_i64 major;
	struct cinch_opt_i64 minor;
	char *access; /* subset of "rwm" */
};

struct cinch_device_rules {
	struct cinch_device_rule *items;
	size_t len;
	bool present;
};

struct cinch_memory {
	struct cinch_opt_i64 limit;
	struct cinch_opt_i64 reservation;
	struct cinch_opt_i64 swap;
	struct cinch_opt_i64 kernel;
	struct cinch_opt_i64 kernel_tcp; /* kernelTCP */
	struct cinch_opt_u64 swappiness;
	struct cinch_opt_bool disable_oom_killer;  /* disableOOMKiller */
	struct cinch_opt_bool use_hierarchy;	   /* useHierarchy */
	struct cinch_opt_bool check_before_update; /* checkBeforeUpdate */
};

struct cinch_cpu {
	struct cinch_opt_u64 shares;
	struct cinch_opt_i64 quota;
	struct cinch_opt_u64 burst;
	struct cinch_opt_u64 period;
	struct cinch_opt_i64 realtime_runtime; /* realtimeRuntime */
	struct cinch_opt_u64 realtime_period;  /* realtimePeriod */
	char *cpus;
	char *mems;
	struct cinch_opt_i64 idle;
};

struct cinch_pids {
	struct cinch_opt_i64 limit; /* required by the spec when pids is present */
};

struct cinch_weight_device {
	int64_t major;
	int64_t minor;
	struct cinch_opt_u32 weight;
	struct cinch_opt_u32 leaf_weight; /* leafWeight */
};

struct cinch_throttle_device {
	int64_t major;
	int64_t minor;
	uint64_t rate;
};

struct cinch_throttle_devices {
	struct cinch_throttle_device *items;
	size_t len;
	bool present;
};

struct cinch_block_io {
	struct cinch_opt_u32 weight;
	struct cinch_opt_u32 leaf_weight;
	struct {
		struct cinch_weight_device *items;
		size_t len;
		bool present;
	} weight_device;				   /* weightDevice */
	struct cinch_throttle_devices throttle_read_bps;   /* throttleReadBpsDevice */
	struct cinch_throttle_devices throttle_write_bps;  /* throttleWriteBpsDevice */
	struct cinch_throttle_devices throttle_read_iops;  /* throttleReadIOPSDevice */
	struct cinch_throttle_devices throttle_write_iops; /* throttleWriteIOPSDevice */
};

struct cinch_hugepage_limit {
	char *page_size; /* pageSize, e.g. "2MB" */
	uint64_t limit;
};

struct cinch_hugepage_limits {
	struct cinch_hugepage_limit *items;
	size_t len;
	bool present;
};

struct cinch_net_priority {
	char *name;
	uint32_t priority;
};

struct cinch_network {
	struct cinch_opt_u32 class_id; /* classID */
	struct {
		struct cinch_net_priority *items;
		size_t len;
		bool present;
	} priorities;
};

struct cinch_rdma_limit {
	char *device;			  /* the map key */
	struct cinch_opt_u32 hca_handles; /* hcaHandles */
	struct cinch_opt_u32 hca_objects; /* hcaObjects */
};

struct cinch_rdma {
	struct cinch_rdma_limit *items;
	size_t len;
	bool present;
};

struct cinch_resources {
	struct cinch_device_rules devices;
	struct cinch_memory *memory;
	struct cinch_cpu *cpu;
	struct cinch_pids *pids;
	struct cinch_block_io *block_io;	      /* blockIO */
	struct cinch_hugepage_limits hugepage_limits; /* hugepageLimits */
	struct cinch_network *network;
	struct cinch_rdma rdma;
	struct cinch_map unified;
};

/* ---- linux.seccomp ------------------------------------------------------ */

struct cinch_seccomp_arg {
	uint32_t index;
	uint64_t value;
	struct cinch_opt_u64 value_two; /* valueTwo */
	char *op;			/* SCMP_CMP_EQ ... */
};

struct cinch_seccomp_syscall {
	struct cinch_strv names;
	char *action;			/* SCMP_ACT_* */
	struct cinch_opt_u32 errno_ret; /* errnoRet */
	struct {
		struct cinch_seccomp_arg *items;
		size_t len;
		bool present;
	} args;
};

struct cinch_seccomp {
	char *default_action;			/* defaultAction */
	struct cinch_opt_u32 default_errno_ret; /* defaultErrnoRet */
	struct cinch_strv architectures;
	struct cinch_strv flags;
	char *listener_path;	 /* listenerPath */
	char *listener_metadata; /* listenerMetadata */
	struct {
		struct cinch_seccomp_syscall *items;
		size_t len;
		bool present;
	} syscalls;
};

/* ---- linux: the rest ---------------------------------------------------- */

struct cinch_personality {
	char *domain; /* LINUX | LINUX32 */
	struct cinch_strv flags;
};

struct cinch_intel_rdt {
	char *clos_id;	       /* closID */
	char *l3_cache_schema; /* l3CacheSchema */
	char *mem_bw_schema;   /* memBwSchema */
	struct cinch_strv schemata;
	struct cinch_opt_bool enable_monitoring; /* enableMonitoring */
	struct cinch_opt_bool enable_cmt;	 /* enableCMT (1.1) */
	struct cinch_opt_bool enable_mbm;	 /* enableMBM (1.1) */
};

struct cinch_memory_policy {
	char *mode; /* MPOL_* */
	char *nodes;
	struct cinch_strv flags;
};

struct cinch_net_device {
	char *host_name; /* the map key */
	char *name;
};

struct cinch_net_devices {
	struct cinch_net_device *items;
	size_t len;
	bool present;
};

struct cinch_linux {
	struct cinch_namespaces namespaces;
	struct cinch_id_mappings uid_mappings;	/* uidMappings */
	struct cinch_id_mappings gid_mappings;	/* gidMappings */
	struct cinch_time_offsets time_offsets; /* timeOffsets */
	struct cinch_devices devices;
	char *cgroups_path; /* cgroupsPath */
	struct cinch_resources *resources;
	char *rootfs_propagation; /* rootfsPropagation */
	struct cinch_seccomp *seccomp;
	struct cinch_map sysctl;
	struct cinch_strv masked_paths;	  /* maskedPaths */
	struct cinch_strv readonly_paths; /* readonlyPaths */
	char *mount_label;		  /* mountLabel */
	struct cinch_personality *personality;
	struct cinch_intel_rdt *intel_rdt;	   /* intelRdt */
	struct cinch_memory_policy *memory_policy; /* memoryPolicy */
	struct cinch_net_devices net_devices;	   /* netDevices */
};

/* ---- the config ---------------------------------------------------------- */

struct cinch_mounts {
	struct cinch_mount *items;
	size_t len;
	bool present;
};

struct cinch_spec {
	char *oci_version; /* ociVersion (required) */
	struct cinch_root *root;
	struct cinch_mounts mounts;
	struct cinch_process *process;
	char *hostname;
	char *domainname;
	struct cinch_hooks *hooks;
	struct cinch_map annotations;
	struct cinch_linux *linux_; /* "linux" (a predefined macro name in GNU C) */
};

/* ---- API ---------------------------------------------------------------- */

/*
 * Loading. `origin` names the document in error messages ("config.json",
 * "process.json", "resources"); errors read
 *   "<origin>: .linux.resources.memory.limit: expected integer, got string".
 * On failure *ret is left untouched and nothing leaks.
 */
int cinch_spec_load_file(const char *path, struct cinch_spec **ret, struct cinch_error *err);
int cinch_spec_load_buffer(const char *buf, size_t len, const char *origin, struct cinch_spec **ret,
			   struct cinch_error *err);
/* A bare OCI process object, as `exec --process FILE` receives it. */
int cinch_process_load_buffer(const char *buf, size_t len, const char *origin,
			      struct cinch_process **ret, struct cinch_error *err);
int cinch_process_load_file(const char *path, struct cinch_process **ret, struct cinch_error *err);
/* A bare LinuxResources object, as `update --resources -|FILE` receives it. */
int cinch_resources_load_buffer(const char *buf, size_t len, const char *origin,
				struct cinch_resources **ret, struct cinch_error *err);

/* Saving: a NUL-terminated JSON document in *ret (free() it). */
int cinch_spec_save_buffer(const struct cinch_spec *spec, bool pretty, char **ret, size_t *ret_len,
			   struct cinch_error *err);
/* Atomic write (temp file + rename) with mode 0600, compact JSON. */
int cinch_spec_save_file(const struct cinch_spec *spec, const char *path, struct cinch_error *err);
int cinch_process_save_buffer(const struct cinch_process *process, char **ret, size_t *ret_len,
			      struct cinch_error *err);
int cinch_resources_save_buffer(const struct cinch_resources *resources, char **ret,
				size_t *ret_len, struct cinch_error *err);

/* Deep copy (the policy engine rewrites a copy and keeps the original). */
int cinch_spec_clone(const struct cinch_spec *spec, struct cinch_spec **ret,
		     struct cinch_error *err);

void cinch_spec_free(struct cinch_spec *spec);
void cinch_process_free(struct cinch_process *process);
void cinch_resources_free(struct cinch_resources *resources);

/* Names used in JSON for enum values. */
const char *cinch_ns_type_name(enum cinch_ns_type type);
int cinch_ns_type_from_name(const char *name, enum cinch_ns_type *ret);
const char *cinch_hook_kind_name(enum cinch_hook_kind kind);

/* Convenience lookups (NULL/false when absent). */
const struct cinch_namespace *cinch_spec_find_namespace(const struct cinch_spec *spec,
							enum cinch_ns_type type);
const char *cinch_map_get(const struct cinch_map *map, const char *key);

/* Helpers for building models in code (policy engine, `cinch spec`). Each
 * returns 0 or -ENOMEM with err filled. */
int cinch_strv_append(struct cinch_strv *v, const char *s, struct cinch_error *err);
bool cinch_strv_contains(const struct cinch_strv *v, const char *s);
void cinch_strv_clear(struct cinch_strv *v);
int cinch_map_set(struct cinch_map *map, const char *key, const char *value,
		  struct cinch_error *err);

#endif
