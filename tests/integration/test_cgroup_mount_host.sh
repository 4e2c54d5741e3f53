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
finish
