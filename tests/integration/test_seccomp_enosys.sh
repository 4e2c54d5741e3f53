#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A denying seccomp profile written before a syscall existed: syscalls
# numbered above every one it names answer ENOSYS (so glibc and others take
# their fallback), older unnamed ones keep the default action (EPERM).
. "$(dirname "$0")/lib.sh"
require_root
CINCH_ARGS="--policy $PRIVILEGED_POLICY"

# x86_64 syscalls from openat2 (437) on; the profile stops at close_range (436).
NEW='["openat2","pidfd_getfd","faccessat2","process_madvise","epoll_pwait2","mount_setattr",
"quotactl_fd","landlock_create_ruleset","landlock_add_rule","landlock_restrict_self",
"memfd_secret","process_mrelease","futex_waitv","set_mempolicy_home_node","cachestat",
"fchmodat2","map_shadow_stack","futex_wake","futex_wait","futex_requeue","statmount",
"listmount","lsm_get_self_attr","lsm_set_self_attr","lsm_list_modules","mseal"]'
if [ "$(uname -m)" != x86_64 ]; then
	echo "1..0 # SKIP syscall numbers below are x86_64's"
	exit 0
fi

b=$(make_bundle enosys)
jq --argjson new "$NEW" '{defaultAction, defaultErrnoRet, architectures,
	syscalls: [.syscalls[] | .names -= $new | select(.names | length > 0)]}' \
	"$TOP/profiles/seccomp/default.json" >"$TEST_TMP/old-profile.json"
jq '{defaultAction, defaultErrnoRet, architectures, syscalls}' \
	"$TOP/profiles/seccomp/default.json" >"$TEST_TMP/full-profile.json"

probe() { # PROFILE ARGS...: the checker's errno for the probe under PROFILE
	local profile=$1
	shift
	set_config "$b" ".linux.seccomp = $(cat "$profile") | .process.args = [\"/bin/cinch-checker\",\"syscall\"$(printf ',"%s"' "$@")]"
	cinch run --bundle "$b" "p$RANDOM" 2>&1 | grep -o 'errno=[0-9]*'
}

# faccessat2(0, NULL, 0, 0): EFAULT (14) when allowed.
check_eq "the full profile allows faccessat2 (EFAULT on a NULL path)" "errno=14" \
	"$(probe "$TEST_TMP/full-profile.json" nr 439 0 0 0 0)"
check_eq "a profile older than faccessat2 makes it ENOSYS, not EPERM" "errno=38" \
	"$(probe "$TEST_TMP/old-profile.json" nr 439 0 0 0 0)"
check_eq "a syscall newer than libseccomp's table keeps the default action" "errno=1" \
	"$(probe "$TEST_TMP/old-profile.json" nr 1000)"
check_eq "an old syscall the profile does not allow keeps EPERM (acct)" "errno=1" \
	"$(probe "$TEST_TMP/old-profile.json" acct)"
set_config "$b" '.process.args = ["/bin/sh","-c","test -x /bin/sh && echo glibc-fallback-ok"]'
check_eq "programs still run under the old profile" "glibc-fallback-ok" \
	"$(cinch run --bundle "$b" sh1 2>&1)"
finish
