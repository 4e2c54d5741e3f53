#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A container's cgroup mount never touches the host's cgroup2 hierarchy: in
# the host's cgroup namespace a fresh cgroup2 mount would re-apply its
# options (nsdelegate, memory_recursiveprot) to the host's root, so cinch
# clones the host's own mount of the container's subtree instead. Runs on
# the host (hybrid: the unified part) and in the v2 guest (test_vm_cgroup.sh).
. "$(dirname "$0")/lib.sh"
require_root
CINCH_ARGS="--policy $PRIVILEGED_POLICY"

host_cg2_opts() { awk '$9 == "cgroup2" {print $NF; exit}' /proc/self/mountinfo; }
before=$(host_cg2_opts)
if [ -z "$before" ]; then
	echo "1..0 # SKIP no cgroup2 mount on this host"
	exit 0
fi

b=$(make_bundle cgmount)
# The container lists its cgroup mount's processes: its own cgroup, not the host's root.
set_config "$b" '.process.args=["/bin/sh","-c","f=/sys/fs/cgroup/cgroup.procs; [ -e $f ] || f=/sys/fs/cgroup/unified/cgroup.procs; exec cat $f"]'
out=$(cinch run --bundle "$b" m1 2>&1)
check_eq "without a cgroup namespace the container sees only its own cgroup" "1" "$out"
check_eq "the host's cgroup2 options are unchanged" "$before" "$(host_cg2_opts)"

set_config "$b" '.linux.namespaces += [{"type":"cgroup"}]'
out=$(cinch run --bundle "$b" m2 2>&1)
check_eq "with a cgroup namespace the container sees only its own cgroup" "1" "$out"
check_eq "the host's cgroup2 options are still unchanged" "$before" "$(host_cg2_opts)"

# A v1-only view (the cgroup2 mount gone from a private mount namespace, as
# the bench and pure-v1 hosts have it): the container gets the v1
# hierarchies and no "unified", with or without a cgroup namespace.
if [ -d /sys/fs/cgroup/memory ] && grep -q ' /sys/fs/cgroup/unified cgroup2 ' /proc/self/mounts; then
	set_config "$b" '.process.args=["/bin/sh","-c","ls /sys/fs/cgroup | tr \"\\n\" \" \""]'
	for ns in with without; do
		[ $ns = without ] && set_config "$b" '.linux.namespaces |= map(select(.type != "cgroup"))'
		out=$(unshare --mount --propagation private sh -c \
			"umount /sys/fs/cgroup/unified && exec $CINCH --root $STATE_ROOT $CINCH_ARGS run --bundle $b m3$ns" 2>&1)
		check "v1-only view, $ns a cgroup namespace: the v1 hierarchies" grep -q -w memory <<<"$out"
		check "v1-only view, $ns a cgroup namespace: no unified" \
			sh -c "! grep -q -w unified" <<<"$out"
	done
	check_eq "the host's cgroup2 options are still unchanged after that" "$before" "$(host_cg2_opts)"
fi
finish
