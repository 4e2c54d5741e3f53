/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container lifecycle: create (namespaces, cgroup, rootfs, process setup;
 * the init then blocks on <root>/<id>/exec.fifo), start (releases it), state,
 * kill, delete, and run (create + start + wait). The spec handed to create
 * is final: policy decisions were made before, container/ only executes.
 *
 * Process model: cinch forks stage1, which joins namespaces by path,
 * unshares the new ones (the parent writes id maps and time offsets on
 * request) and clones the init with CLONE_PARENT, so the init (pid 1 of its
 * pid namespace) is a direct child of the cinch process the engine ran, and
 * is inherited by the engine's shim or conmon (child subreapers) when cinch
 * exits. Everything between the parent and stage1/init goes over a framed
 * SOCK_SEQPACKET protocol (src/container/sync.h).
 */
#ifndef CINCH_CONTAINER_H
#define CINCH_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "cinch/error.h"
#include "cinch/spec.h"
#include "cinch/state.h"

struct cinch_container_options {
	const char *root; /* state root (--root) */
	const char *id;
	const char *bundle;	    /* bundle directory; made absolute by create */
	const char *pid_file;	    /* --pid-file, NULL for none */
	const char *console_socket; /* --console-socket, NULL for none */
	unsigned preserve_fds;	    /* --preserve-fds */
	bool no_pivot;		    /* --no-pivot */
	bool no_new_keyring;	    /* --no-new-keyring */
	bool systemd_cgroup;	    /* --systemd-cgroup */
	/* Documents the caller keeps with the container (e.g. the policy
	 * report), stored verbatim in the state dir at create: NULL-terminated
	 * list of name, contents pairs. container/ does not interpret them. */
	const char *const *state_files;
};

/*
 * Creates the container: on success the init waits on exec.fifo, state.json
 * says "created", the pid file (if asked) holds the init pid without a
 * newline, and *ret_pid is the init's host pid (a child of the caller). On
 * failure nothing is left: no state dir, cgroup, mount or process. The spec
 * is stored as config.effective.json in the state dir.
 */
int cinch_container_create(const struct cinch_container_options *opts,
			   const struct cinch_spec *spec, pid_t *ret_pid, struct cinch_error *err);

/* Releases a created container's init and runs poststart hooks. */
int cinch_container_start(const char *root, const char *id, struct cinch_error *err);

/* Loads the state and computes the live status (pid reuse is detected via
 * the recorded start time; paused via the cgroup freezer). */
int cinch_container_status(const char *root, const char *id, struct cinch_state **ret_state,
			   enum cinch_status *ret_status, struct cinch_error *err);

/* Signals the init, or with `all` every process in the container's cgroup.
 * `all` on a stopped container succeeds (engines rely on it). */
int cinch_container_kill(const char *root, const char *id, int sig, bool all,
			 struct cinch_error *err);

/* Deletes a stopped (or created) container: poststop hooks, cgroup, state
 * dir. `force` kills a running one first and makes a missing one a success. */
int cinch_container_delete(const char *root, const char *id, bool force, struct cinch_error *err);

/*
 * create + start in one process. detach: return once started (*ret_exit 0).
 * Otherwise forward signals to the init, wait for it, set *ret_exit to its
 * exit code (128+N for a signal) and delete the container unless keep.
 */
int cinch_container_run(const struct cinch_container_options *opts, const struct cinch_spec *spec,
			bool detach, bool keep, int *ret_exit, struct cinch_error *err);

/* `exec` (runc's flags; the process itself is handed in already final). */
struct cinch_exec_options {
	const char *root; /* state root (--root) */
	const char *id;
	const char *pid_file;	    /* --pid-file, NULL for none */
	const char *console_socket; /* --console-socket, NULL for none */
	const char *cgroup;	    /* --cgroup sub-cgroup, NULL for the container's own */
	unsigned preserve_fds;	    /* --preserve-fds */
	bool detach;		    /* --detach */
	bool ignore_paused;	    /* --ignore-paused */
};

/*
 * The effective config (config.effective.json) of a container a process can
 * be exec'd into: it exists and is created or running (paused only with
 * ignore_paused). Errors: "container <id> does not exist", "cannot exec in
 * a stopped container <id>", "cannot exec in a paused container <id> (use
 * --ignore-paused to override)".
 */
int cinch_container_exec_target(const char *root, const char *id, bool ignore_paused,
				struct cinch_spec **ret, struct cinch_error *err);

/* A document kept with the container (options.state_files at create);
 * *ret is malloc'd and NUL-terminated. -ENOENT if there is none. */
int cinch_container_read_file(const char *root, const char *id, const char *name, char **ret,
			      struct cinch_error *err);

/*
 * Runs `process` (final: the policy has been applied) in the running
 * container whose effective config is `container`: a child of the caller
 * joins every namespace of the init (through a pidfd) and its cgroup before
 * it runs anything, then gets the same process setup as the init of
 * `create` (user, capabilities never beyond the container's bounding set,
 * rlimits, no_new_privs, AppArmor, SELinux label, the container's seccomp
 * filter last). With detach: returns once the process runs (its host pid in
 * the pid file, no newline) and *ret_exit is 0. Otherwise forwards signals,
 * waits and sets *ret_exit to its exit code (128+N for signal N).
 * On failure *ret_exit is the code to exit with: 127 when args[0] is not
 * found ("executable file not found in $PATH", "no such file or
 * directory"), 126 when it cannot be executed ("permission denied"), else 1.
 */
int cinch_container_exec(const struct cinch_exec_options *opts, const struct cinch_spec *container,
			 const struct cinch_process *process, int *ret_exit,
			 struct cinch_error *err);

/* Signal from "9", "KILL", "SIGKILL" (case-insensitive names). */
int cinch_signal_parse(const char *text, int *ret, struct cinch_error *err);

/*
 * CVE-2019-5736: before a command enters a container, make sure this process
 * runs from a sealed memfd copy of its binary; if not, copy and re-execute
 * (argv from /proc/self/cmdline and environ unchanged, so the command starts
 * over). Returns only if already sealed, if sealing is not needed (below),
 * or on error.
 *
 * The re-exec costs a second process start (a few ms). It is skipped when
 * the container's processes cannot write the binary even if they reach it:
 * `spec` (the final spec; NULL means "always seal") creates a new user
 * namespace that maps neither host uid 0 nor host gid 0, and the binary is
 * owned by root and not writable by group or others.
 */
int cinch_container_ensure_sealed_self(const struct cinch_spec *spec, struct cinch_error *err);

#endif
