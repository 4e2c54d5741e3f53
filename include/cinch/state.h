/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-container state on disk: <root>/<id>/ (0700) holds state.json (written
 * atomically), exec.fifo (while created), config.effective.json and whatever
 * other modules store there. Every command that acts on a container holds
 * flock() on the container directory, so concurrent commands on one id are
 * serialised. The --root may be shared with runc (Docker does): directories
 * without cinch's marker in state.json are not ours and are ignored.
 */
#ifndef CINCH_STATE_H
#define CINCH_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cinch/error.h"
#include "cinch/spec.h"

#define CINCH_STATE_FILE   "state.json"
#define CINCH_STATE_FIFO   "exec.fifo"
#define CINCH_STATE_CONFIG "config.effective.json"
#define CINCH_STATE_ID_MAX 1024
#define CINCH_DEFAULT_ROOT "/run/cinch"

enum cinch_status {
	CINCH_STATUS_CREATING,
	CINCH_STATUS_CREATED,
	CINCH_STATUS_RUNNING,
	CINCH_STATUS_PAUSED,
	CINCH_STATUS_STOPPED,
};

struct cinch_state {
	char *id;
	char *oci_version;
	char *bundle;
	char *rootfs;
	char *created; /* RFC3339 with nanoseconds, UTC */
	char *owner;
	pid_t pid;		 /* host pid of the init; 0 while creating */
	uint64_t pid_start_time; /* /proc/<pid>/stat field 22, detects pid reuse */
	struct cinch_map annotations;
	char *cgroup;	     /* cinch_cgroup_serialize() output, NULL if none */
	bool systemd_cgroup; /* --systemd-cgroup at create */
	bool own_pid_ns;     /* init is pid 1 of a pid namespace of its own */
	bool has_poststart;  /* config.effective.json has poststart hooks */
	bool has_poststop;   /* config.effective.json has poststop hooks */
};

const char *cinch_status_name(enum cinch_status status);

/* [A-Za-z0-9_+-][A-Za-z0-9_+.-]*, at most CINCH_STATE_ID_MAX bytes. */
int cinch_state_validate_id(const char *id, struct cinch_error *err);

/* Creates <root> (0700, with parents) and <root>/<id> (0700) and returns its
 * directory fd, locked exclusively. Fails with -EEXIST if the id is taken. */
int cinch_state_dir_create(const char *root, const char *id, int *ret_dirfd,
			   struct cinch_error *err);

/* Opens and locks (exclusive or shared) an existing container directory.
 * -ENOENT with "container <id> does not exist" when absent, being removed,
 * or not a cinch container. */
int cinch_state_dir_open(const char *root, const char *id, bool exclusive, int *ret_dirfd,
			 struct cinch_error *err);

/* Opens without locking, for readers (`state`, `list`): state.json is only
 * ever replaced atomically, and a hook run under a create's lock may itself
 * call `cinch state`. */
int cinch_state_dir_open_unlocked(const char *root, const char *id, int *ret_dirfd,
				  struct cinch_error *err);

/* Removes every entry of the directory, then the directory. */
int cinch_state_dir_remove(const char *root, const char *id, int dirfd, struct cinch_error *err);

int cinch_state_save(int dirfd, const struct cinch_state *state, struct cinch_error *err);
int cinch_state_load(int dirfd, const char *id, struct cinch_state **ret, struct cinch_error *err);
/* Parses a state.json document (exposed for unit tests). */
int cinch_state_parse(const char *buf, const char *id, struct cinch_state **ret,
		      struct cinch_error *err);
void cinch_state_free(struct cinch_state *state);

/* Sorted ids of cinch containers under root (others' dirs skipped). A
 * missing root is an empty list. *ret is NULL-terminated. */
int cinch_state_list_ids(const char *root, char ***ret, size_t *ret_len, struct cinch_error *err);

/* Field 22 of /proc/<pid>/stat; -ESRCH if the process is gone. */
int cinch_state_pid_start_time(pid_t pid, uint64_t *ret);

/* Current time as RFC3339 with nanoseconds ("2026-11-22T09:48:43.64726556Z"). */
int cinch_state_now(char **ret, struct cinch_error *err);

/* runc-shaped state document: ociVersion, id, pid (0 unless the process is
 * live), status, bundle, rootfs, created, owner, annotations (if any). */
int cinch_state_oci_json(const struct cinch_state *state, enum cinch_status status, bool pretty,
			 char **ret, size_t *ret_len, struct cinch_error *err);

/* Writes a file in dirfd atomically (temp + rename), mode 0600. */
int cinch_state_write_file(int dirfd, const char *name, const char *data, size_t len,
			   struct cinch_error *err);

#endif
