/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the files of src/container/ share: the create context (filled by the
 * parent, inherited by stage1 and init through fork/clone, never sent over a
 * socket) and the internal entry points of each file.
 */
#ifndef CINCH_CONTAINER_INTERNAL_H
#define CINCH_CONTAINER_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cinch/cgroup.h"
#include "cinch/container.h"
#include "cinch/security.h"
#include "cinch/spec.h"
#include "cinch/state.h"

struct create_ctx {
	const struct cinch_container_options *opts;
	const struct cinch_spec *spec;
	char *bundle; /* absolute */
	char *rootfs; /* absolute */
	int dirfd;    /* state dir, locked; closed in stage1/init */
	int sync_parent;
	int sync_child;
	int fifo_fd;			 /* O_PATH of exec.fifo: init holds it while created */
	int proc_fd;			 /* O_PATH of the host /proc, for init's fifo reopen */
	int console_sock;		 /* connected --console-socket, or -1 */
	int ns_fds[CINCH_NS_TYPE_COUNT]; /* namespaces joined by path, or -1 */
	unsigned long new_ns_flags;	 /* CLONE_NEW* to unshare in stage1 (not user) */
	bool new_userns;
	bool own_pidns;
	struct cinch_seccomp_filter filter;
	bool have_filter;
	struct cinch_cgroup *cg;
	pid_t stage1_pid;
	pid_t init_pid;
	int console_master; /* pty master received from init (run without socket) */
	struct cinch_state *state;
};

/* namespaces.c */
unsigned long container_ns_clone_flag(enum cinch_ns_type type);
int container_ns_plan(struct create_ctx *ctx, struct cinch_error *err);
int container_ns_join(struct create_ctx *ctx, struct cinch_error *err);
void container_ns_close(struct create_ctx *ctx);

/* usermap.c: parent side writes for stage1 */
int container_write_id_maps(const struct cinch_spec *spec, pid_t pid, struct cinch_error *err);
int container_write_time_offsets(const struct cinch_spec *spec, pid_t pid, struct cinch_error *err);

/* hooks.c */
int container_hooks_run(const struct cinch_spec *spec, enum cinch_hook_kind kind,
			const char *state_json, struct cinch_error *err);
/* As container_hooks_run, but every hook runs even when one fails
 * (poststart, poststop: failures are warnings and the rest still run); err
 * names every failure; returns the first failure or 0. */
int container_hooks_run_all(const struct cinch_spec *spec, enum cinch_hook_kind kind,
			    const char *state_json, struct cinch_error *err);
bool container_hooks_present(const struct cinch_spec *spec, enum cinch_hook_kind kind);

/* init.c: never return */
__attribute__((noreturn)) void container_stage1_main(struct create_ctx *ctx);
__attribute__((noreturn)) void container_init_main(struct create_ctx *ctx);

/* process.c: process attributes applied by the init */
int container_apply_rlimits(const struct cinch_process *p, struct cinch_error *err);
/* Run by the parent on the init's /proc/<pid>/oom_score_adj. */
int container_apply_oom_score_adj(const struct cinch_process *p, int pid, struct cinch_error *err);
int container_apply_personality(const struct cinch_spec *spec, struct cinch_error *err);
int container_apply_scheduler(const struct cinch_process *p, struct cinch_error *err);
int container_apply_io_priority(const struct cinch_process *p, struct cinch_error *err);
int container_apply_cpu_affinity(pid_t pid, const char *cpus, const char *what,
				 struct cinch_error *err);
int container_chdir_cwd(const struct cinch_process *p, struct cinch_error *err);
/* Resolves args[0] inside the (already pivoted) root: *ret is malloc'd. */
int container_find_executable(const struct cinch_process *p, char **ret, struct cinch_error *err);
int container_apply_sysctl(const struct cinch_spec *spec, struct cinch_error *err);
int container_apply_hostname(const struct cinch_spec *spec, struct cinch_error *err);

/* console.c */
int container_console_setup(struct create_ctx *ctx, void *rootfs_ctx, struct cinch_error *err);
int container_console_send(const char *socket_path, int master, struct cinch_error *err);
int container_console_connect(const char *path, int *ret, struct cinch_error *err);

/* ttyproxy.c: copies stdio <-> master and forwards `set` signals until
 * the init (our child) exits. */
int container_tty_proxy(pid_t pid, int master, const sigset_t *set, int *ret_exit,
			struct cinch_error *err);

/* status.c */
int container_status_of(int dirfd, const struct cinch_state *st, enum cinch_status *ret);
/* Builds the state JSON for hooks (status given explicitly). */
int container_hook_state_json(const struct cinch_state *st, enum cinch_status status, char **ret,
			      struct cinch_error *err);

/* create.c */
int container_create_internal(const struct cinch_container_options *opts,
			      const struct cinch_spec *spec, bool keep_lock, int *ret_dirfd,
			      struct cinch_state **ret_state, int *ret_console_master,
			      struct cinch_error *err);
/* lifecycle.c */
int container_start_locked(int dirfd, const struct cinch_state *st, const char *root,
			   struct cinch_error *err);
int container_delete_locked(const char *root, const char *id, int dirfd,
			    const struct cinch_state *st, bool force, struct cinch_error *err);

#endif
