#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The in-container checker reports what a process really has: each fact is
# changed with a standard host tool (setpriv, unshare, prlimit, chrt, ionice)
# and the checker must see the change. No container and no cinch involved.
. "$(dirname "$0")/lib.sh"
require_root
if [ ! -x "$CHECKER" ]; then
	echo "1..0 # SKIP $CHECKER not built"
	exit 0
fi
C=$CHECKER
# value KEY < output: the value of the first KEY=... line.
value() { sed -n "s/^$1=//p" | head -1; }

check_eq "status: uid as root" 0 "$("$C" status | value uid)"
check_eq "status: NoNewPrivs off" 0 "$("$C" status | value NoNewPrivs)"
check_eq "status: NoNewPrivs on" 1 "$(setpriv --no-new-privs "$C" status | value NoNewPrivs)"
out=$(setpriv --reuid 1000 --regid 1000 --groups 10,20 --inh-caps=-all --bounding-set=-all "$C" status)
check_eq "status: uid after setpriv" 1000 "$(value uid <<<"$out")"
check_eq "status: gid after setpriv" 1000 "$(value gid <<<"$out")"
check_eq "status: groups after setpriv" "10,20" "$(value groups <<<"$out")"
check_eq "status: empty bounding set" 0000000000000000 "$(value CapBnd <<<"$out")"
check_eq "status: empty effective set" 0000000000000000 "$(value CapEff <<<"$out")"
check_eq "status: hostname in a new UTS namespace" cinch-checker-test \
	"$(unshare -u sh -c "hostname cinch-checker-test && exec '$C' status" | value hostname)"
check_eq "status: cwd" / "$(cd / && "$C" status | value cwd)"

host_net=$("$C" ns | value net)
check "ns: lists the net namespace" test -n "$host_net"
new_net=$(unshare -n "$C" ns | value net)
check "ns: a new net namespace has another inode" test "$host_net" != "$new_net"
check_eq "ns: the mount namespace is shared" "$("$C" ns | value mnt)" "$(unshare -n "$C" ns | value mnt)"

mkdir -p "$TEST_TMP/ro"
out=$(unshare -m --propagation private sh -c \
	"mount -t tmpfs -o ro,nosuid cinchtest '$TEST_TMP/ro' && '$C' mounts '$TEST_TMP/ro' && '$C' writable '$TEST_TMP/ro'")
check_eq "mounts: fstype of PATH's mount" tmpfs "$(value fstype <<<"$out")"
check_eq "mounts: readonly" 1 "$(value readonly <<<"$out")"
check "mounts: nosuid in options" grep -q '^options=ro,nosuid' <<<"$out"
check_eq "writable: read-only mount refuses with EROFS" 30 "$(value errno <<<"$out")"
check_eq "writable: a tmp dir is writable" 1 "$("$C" writable "$TEST_TMP" | value writable)"
check "mounts: every mount listed" grep -q '^/proc=' <<<"$("$C" mounts)"

check_eq "rlimits: prlimit NOFILE" "100:200" \
	"$(prlimit --nofile=100:200 "$C" rlimits | value RLIMIT_NOFILE)"
check_eq "umask" 0027 "$(sh -c "umask 027 && exec '$C' umask" | value umask)"
check_eq "sched: SCHED_BATCH" SCHED_BATCH "$(chrt -b 0 "$C" sched | value policy)"
check_eq "sched: nice" 7 "$(nice -n 7 "$C" sched | value nice)"
check_eq "ioprio: idle class" IOPRIO_CLASS_IDLE "$(ionice -c 3 "$C" ioprio | value class)"
check_eq "ioprio: best-effort level" "IOPRIO_CLASS_BE 5" \
	"$(ionice -c 2 -n 5 "$C" ioprio | value class) $(ionice -c 2 -n 5 "$C" ioprio | value priority)"

check_eq "fds: an inherited fd and its target" /dev/null "$("$C" fds 7</dev/null | value fd.7)"
check_eq "open: ENOENT" 2 "$("$C" open /nonexistent-cinch-checker | value errno)"
check_eq "open: read allowed" 0 "$("$C" open /etc/hostname r | value errno)"
check "cgroup: the unified line" grep -q '^cgroup.0=' <<<"$("$C" cgroup)"

check_eq "syscall chroot as root" 0 "$("$C" syscall chroot | value errno)"
check_eq "syscall chroot without CAP_SYS_CHROOT: EPERM" 1 \
	"$(setpriv --inh-caps=-all --bounding-set=-sys_chroot "$C" syscall chroot | value errno)"
check_eq "syscall unshare user allowed as root" 0 "$("$C" syscall unshare user | value errno)"
check_eq "syscall mount without CAP_SYS_ADMIN: EPERM" 1 \
	"$(setpriv --inh-caps=-all --bounding-set=-sys_admin "$C" syscall mount "$TEST_TMP" | value errno)"
check_eq "syscall nr: getpid by number" 0 "$("$C" syscall nr 39 | value errno)"

"$C" exit 7
check_eq "exit N" 7 $?
check_fails "unknown command: usage error" "unknown command" "$C" nosuch
check_fails "unknown syscall probe" "unknown probe" "$C" syscall nosuch
finish
