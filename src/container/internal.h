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

/* stage1-cgroup.c: stage1 born in the container's cgroup2 directory and
 * joining the v1 hierarchies itself. open() before the fork, fork() in place
 * of fork(), join_child() first thing in the child, close() in the parent
 * after the fork (and on errors). The parent still enters the cgroup itself
 * (cinch_cgroup_enter) when parent_enters() says so: the systemd backend,
 * kernels without CLONE_INTO_CGROUP. */
#define STAGE1_CGROUP_JOIN_MAX 32
struct stage1_cgroup {
	int join_fds[STAGE1_CGROUP_JOIN_MAX]; /* v1: "tasks" (or unified cgroup.procs) */
	size_t n_join;
	int into_fd;   /* cgroup2 directory for CLONE_INTO_CGROUP, or -1 */
	int into_join; /* its slot in join_fds on a hybrid host, or -1 */
	bool born_in;  /* the clone placed stage1 there */
};
void stage1_cgroup_init(struct stage1_cgroup *s);
int stage1_cgroup_open(struct stage1_cgroup *s, struct cinch_cgroup *cg, struct cinch_error *err);
pid_t stage1_cgroup_fork(struct stage1_cgroup *s);
int stage1_cgroup_join_child(struct stage1_cgroup *s, struct cinch_error *err);
void stage1_cgroup_close(struct stage1_cgroup *s);
static inline bool stage1_cgroup_parent_enters(const struct stage1_cgroup *s)
{
	return s->n_join == 0 && !s->born_in;
}

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
	struct stage1_cgroup s1cg;
	pid_t stage1_pid;
	pid_t init_pid;
	int console_master; /* pty master received from init (run without socket) */
	struct cinch_state *state;
};

/* The exec context: filled by the parent (exec.c), inherited by the exec
 * stage1 and the exec'd process (exec-child.c) through fork/clone. */
struct exec_ctx {
	const struct cinch_exec_options *opts;
	const struct cinch_spec *spec; /* the container's effective config */
	const struct cinch_process *p; /* the process, caps bounded by the container's */
	struct cinch_state *state;
	int dirfd; /* state dir, shared lock while the process is set up */
	int pidfd; /* the init, checked against its start time */
	int ns_fds[CINCH_NS_TYPE_COUNT];
	unsigned long ns_flags;
	bool userns;
	/* --ignore-paused into a frozen cgroup: the process is set up outside
	 * and moved in after EXEC_READY (it freezes there until `resume`). */
	bool late_cgroup;
	enum cinch_status status; /* the container's, when exec started */
	struct cinch_seccomp_filter filter;
	bool have_filter;
	struct cinch_cgroup *cg;
	struct stage1_cgroup s1cg; /* unused (parent enters) with --cgroup or late_cgroup */
	int sync_parent;
	int sync_child;
	pid_t stage1_pid;
	pid_t pid;	    /* the exec'd process (host pid, our child) */
	int console_master; /* pty master kept for the tty proxy */
};

/* exec-cgroup.c: moves pid (in the container's cgroups) on into the
 * --cgroup sub-cgroup "[controller[,controller]:]path". */
int container_exec_enter_sub(pid_t pid, const char *spec, struct cinch_error *err);

/* exec-child.c: never returns */
__attribute__((noreturn)) void container_exec_stage1_main(struct exec_ctx *x);

/* namespaces.c */
unsigned long container_ns_clone_flag(enum cinch_ns_type type);
int container_ns_plan(struct create_ctx *ctx, struct cinch_error *err);
int container_ns_join(struct create_ctx *ctx, struct cinch_error *err);
/* Joins the namespaces in fds (-1: skip), user first, mount last; closes them. */
int container_ns_join_fds(int fds[CINCH_NS_TYPE_COUNT], struct cinch_error *err);
void container_ns_close(struct create_ctx *ctx);
void container_ns_close_fds(int fds[CINCH_NS_TYPE_COUNT]);
/* exec: the CLONE_NEW* flags of the namespaces `spec` gives the container,
 * and /proc/<pid>/ns/<type> of each opened into fds (the caller checks the
 * pid's start time afterwards). */
unsigned long container_ns_flags_of(const struct cinch_spec *spec);
int container_ns_open_of_pid(pid_t pid, const struct cinch_spec *spec, int fds[CINCH_NS_TYPE_COUNT],
			     struct cinch_error *err);
/* exec: joins the namespaces `flags` of the process behind pidfd at once
 * (kernel >= 5.8); where that is not supported (EINVAL), the fds instead. */
int container_ns_join_pidfd(int pidfd, unsigned long flags, int fds[CINCH_NS_TYPE_COUNT],
			    struct cinch_error *err);

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
/* clone(CLONE_PARENT): the child becomes a child of our parent (cinch). */
pid_t container_clone_parent(void);

/* Default dispositions and an empty mask, as a fresh process has. */
void container_reset_signals(void);

/* exec-setup.c: the process setup create's init and exec share. */
struct container_proc {
	const struct cinch_spec *spec;		   /* the container's config (personality) */
	const struct cinch_process *p;		   /* the process to run */
	const struct cinch_seccomp_filter *filter; /* the container's, or NULL */
	const char *id;
	bool new_keyring; /* join a session keyring of the container's own */
	unsigned preserve_fds;
	/* linux.seccomp.listenerPath is set: a notifying filter is installed in
	 * container_proc_setup and its fd sent over sync_sock (SYNC_SECCOMP_FD). */
	bool listener;
	int sync_sock;
	bool seccomp_installed; /* set once the filter is in place */
	/* filled by container_proc_setup */
	char *exe;	/* args[0] resolved inside the container */
	char **envp;	/* process.env (deduplicated) + HOME if missing */
	char *home_env; /* the added "HOME=..." */
};
bool container_proc_early_seccomp(const struct container_proc *cp);
/* Inside the container, still privileged: from the keyring to the identity
 * switch and the lookup of args[0]; a filter that notifies (listenerPath) is
 * installed here and its fd handed to the parent. */
int container_proc_setup(struct container_proc *cp, struct cinch_error *err);
/* Right before execve: no_new_privs, final CPU affinity, fds above
 * --preserve-fds closed but *keep_fd (moved above them if needed; may be
 * NULL), seccomp last unless installed early. */
int container_proc_finish(struct container_proc *cp, int *keep_fd, struct cinch_error *err);
/* execve; returns only on failure, with err set in runc's words and the
 * exit code (127 not found, 126 otherwise). */
int container_proc_execve(struct container_proc *cp, struct cinch_error *err);
void container_proc_release(struct container_proc *cp);

/* seccomp-listener.c: linux.seccomp.listenerPath. The check refuses a
 * notifying filter without a listener (as runc) or one that notifies the
 * hand-off syscall; send connects to listenerPath and sends the container
 * process state JSON with notify_fd (pid: the process's host pid). */
bool container_seccomp_listener_set(const struct cinch_spec *spec);
int container_seccomp_listener_check(const struct cinch_seccomp *sc,
				     const struct cinch_seccomp_filter *filter,
				     struct cinch_error *err);
int container_seccomp_listener_send(const struct cinch_spec *spec, const struct cinch_state *st,
				    enum cinch_status status, pid_t pid, int notify_fd,
				    struct cinch_error *err);

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

/* console.c: allocates the pty in the container's devpts, sends the master
 * over sync_sock (SYNC_CONSOLE) and makes the peer our controlling terminal
 * and stdio. rootfs_ctx (create only) also gets /dev/console bound to it. */
int container_console_setup(const struct cinch_process *p, int sync_sock, void *rootfs_ctx,
			    struct cinch_error *err);
int container_console_send(const char *socket_path, int master, struct cinch_error *err);
int container_console_connect(const char *path, int *ret, struct cinch_error *err);

/* children.c: what create and exec do alike with the processes they fork. */
void container_close_fd(int *fd);
void container_kill_and_reap(pid_t *pid);
/* Waits for stage1 (`what` names it in errors), which must exit 0 after
 * reporting *child, and checks that *child really is our child. */
int container_reap_stage1(pid_t *stage1, pid_t *child, const char *what, struct cinch_error *err);
/* The pty master goes to the console socket if there is one (and is
 * closed), else it replaces *kept for the tty proxy. */
int container_console_forward(const char *console_socket, int master, int *kept,
			      struct cinch_error *err);

/* ttyproxy.c: copies stdio <-> master and forwards `set` signals until
 * the init (our child) exits. */
int container_tty_proxy(pid_t pid, int master, const sigset_t *set, int *ret_exit,
			struct cinch_error *err);

/* run.c: the signals a foreground run or exec forwards (plus SIGCHLD),
 * blocked before the child exists so none is lost. */
void container_block_forwarded(sigset_t *set, sigset_t *old);
/* Forwards signals in set to pid until it exits; *ret_exit as a shell says it. */
int container_wait_forwarding(pid_t pid, const sigset_t *set, int *ret_exit);

/* status.c */
int container_status_of(int dirfd, const struct cinch_state *st, enum cinch_status *ret);
/* Builds the state JSON for hooks (status given explicitly). */
int container_hook_state_json(const struct cinch_state *st, enum cinch_status status, char **ret,
			      struct cinch_error *err);

/* create.c */
/* The pid file engines read: decimal, no trailing newline, atomic. */
int container_write_pid_file(const char *path, pid_t pid, struct cinch_error *err);
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
