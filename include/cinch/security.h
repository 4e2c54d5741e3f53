/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process confinement primitives: capabilities (libcap-ng), seccomp
 * (libseccomp), AppArmor (libapparmor), SELinux exec labels, no_new_privs,
 * Landlock. container/ calls them in a fixed order; this module decides
 * nothing about what is allowed.
 */
#ifndef CINCH_SECURITY_H
#define CINCH_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cinch/error.h"
#include "cinch/spec.h"

/* Capability names: "CAP_SYS_ADMIN" <-> number. Names need the CAP_
 * prefix; case is ignored. -EINVAL for a name no kernel defines; NULL for a
 * number outside the table. */
int cinch_cap_from_name(const char *name, int *ret);
const char *cinch_cap_name(int cap);
/* Highest capability this cinch knows (CAP_CHECKPOINT_RESTORE). */
int cinch_cap_max_known(void);
/* Highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap). */
int cinch_cap_last_cap(struct cinch_error *err);

/* Drops every capability not in caps->bounding from the bounding set.
 * Runs while still privileged, before switching user. */
int cinch_caps_apply_bounding(const struct cinch_capabilities *caps, struct cinch_error *err);

/* Switches to user (setgroups, setresgid, setresuid) keeping capabilities
 * across the uid change, then sets effective/permitted/inheritable/ambient
 * exactly as given (NULL caps: all cleared). */
int cinch_identity_apply(const struct cinch_user *user, const struct cinch_capabilities *caps,
			 struct cinch_error *err);

int cinch_no_new_privs_apply(struct cinch_error *err);

/* A compiled seccomp filter (classic BPF), built in the runtime before the
 * container exists, cached by a hash of the profile, installed last. */
struct cinch_seccomp_filter {
	void *bpf;	/* struct sock_filter[] */
	size_t bpf_len; /* number of instructions */
	unsigned flags; /* SECCOMP_FILTER_FLAG_* */
	bool notify;	/* filter uses SCMP_ACT_NOTIFY */
};

int cinch_seccomp_compile(const struct cinch_seccomp *profile, struct cinch_seccomp_filter *ret,
			  struct cinch_error *err);
/* As cinch_seccomp_compile, reusing <cache_dir>/<key>.bpf when present and
 * valid (created 0700 / written 0600 atomically otherwise). Returns 1 on a
 * cache hit, 0 when the filter was compiled (and stored), <0 on failure. A
 * cache that cannot be read or written is never fatal: the filter is compiled. */
int cinch_seccomp_compile_cached(const struct cinch_seccomp *profile, const char *cache_dir,
				 struct cinch_seccomp_filter *ret, struct cinch_error *err);
/* The cache key: lowercase hex SHA-256 (64 chars + NUL) over a canonical
 * serialization of everything that shapes the BPF (actions, architectures,
 * rules) plus the libseccomp version, its API level and the native arch. */
#define CINCH_SECCOMP_KEY_LEN 65
int cinch_seccomp_cache_key(const struct cinch_seccomp *profile, char ret[CINCH_SECCOMP_KEY_LEN],
			    struct cinch_error *err);
/* Installs the filter; returns the user-notification fd (>= 0) when the
 * filter uses SCMP_ACT_NOTIFY, 0 otherwise, negative errno on failure. */
int cinch_seccomp_install(const struct cinch_seccomp_filter *filter, struct cinch_error *err);
void cinch_seccomp_filter_release(struct cinch_seccomp_filter *filter);

bool cinch_apparmor_enabled(void);
/* Applies `profile` at the next execve (aa_change_onexec). A clear error if
 * AppArmor is not enabled on the host. */
int cinch_apparmor_exec_profile(const char *profile, struct cinch_error *err);
/* Whether the kernel lists `profile` as loaded (securityfs). */
bool cinch_apparmor_profile_loaded(const char *profile);
/* Loads `profile` with the host's apparmor_parser from the root-owned file
 * of that name in CINCH_DATADIR/apparmor or /etc/apparmor.d. */
int cinch_apparmor_load_profile(const char *profile, struct cinch_error *err);
/* SELinux: writes the label to /proc/thread-self/attr/exec via a verified procfs handle. */
int cinch_selinux_exec_label(const char *label, struct cinch_error *err);

#endif
