#!/bin/bash
# cgroup v2 and the systemd driver, which this host's kernel does not offer:
# the same enforcement tests run inside the QEMU guest (shared/vm/vmrun), a
# cgroup-v2-only kernel, and with systemd as PID 1 (vmrun --systemd).
. "$(dirname "$0")/lib.sh"
require_root
VMRUN=${VMRUN:-$TOP/../shared/vm/vmrun}
if [ ! -x "$VMRUN" ]; then echo "1..0 # SKIP no vmrun at $VMRUN"; exit 0; fi

# Runs one TAP script in the guest and re-numbers its lines into this file's
# TAP stream, tagged with the guest kind.
run_in_guest() { # tag vmrun-args... -- script
	local tag=$1 line
	shift
	while IFS= read -r line; do
		case $line in
		"ok "*"# SKIP"*) skip "[$tag] ${line#ok * - }" ;;
		"ok "*) ok "[$tag] ${line#ok * - }" ;;
		"not ok "*) not_ok "[$tag] ${line#not ok * - }" ;;
		"#"*) echo "$line" ;;
		esac
	done < <(cd "$TOP" && "$VMRUN" --timeout 900 "$@" 2>&1)
}

run_in_guest v2 -- bash tests/integration/test_cgroup_enforce.sh
# cgroup operations (ps, pause/resume, update) of real containers, short: the guest is slow.
run_in_guest v2-ops -- env OPS_QUICK=1 CINCH="$CINCH" bash tests/integration/test_cgroup_ops.sh
# the host's cgroup2 options (nsdelegate here) survive a container's cgroup mount
run_in_guest v2-mount -- bash tests/integration/test_cgroup_mount_host.sh
run_in_guest systemd --systemd -- bash tests/integration/test_cgroup_systemd.sh
[ "$tap_n" -gt 0 ] || not_ok "the guest ran no test"
finish
