#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The systemd cgroup driver variants: dockerd native.cgroupdriver=systemd,
# containerd's CRI handler with SystemdCgroup = true, podman
# cgroup_manager = "systemd". They need systemd as PID 1 (and D-Bus), which
# this host does not have, so this script re-runs test_engines.sh inside a
# `vmrun --systemd` guest (cgroup v2, enforcing AppArmor) with
# E2E_CGROUP_DRIVER=systemd. The runtime then gets --systemd-cgroup and
# cgroupsPath "slice:prefix:name"; the cases check that the container lands
# in the scope the engine asked for (system.slice/docker-ID.scope,
# kubepods-...slice/cri-containerd-ID.scope, machine.slice/libpod-ID.scope).
#
#   sudo E2E_RUNTIME=/usr/sbin/runc tests/e2e/test_systemd_vm.sh
#   E2E_VMRUN=/path/to/vmrun      (default: ../shared/vm/vmrun next to the repo)
#   E2E_ENGINES="docker cri"      case files to run in the guest (default: docker cri podman)
#   E2E_VM_TIMEOUT=1500           seconds for the whole guest run (TCG is slow)
set -u
E2E_HERE=$(cd "$(dirname "$0")" && pwd)
E2E_TOP=$(cd "$E2E_HERE/../.." && pwd)

if [ "${E2E_IN_VM:-0}" != 1 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "1..0 # SKIP needs root"
		exit 0
	fi
	vmrun=${E2E_VMRUN:-$E2E_TOP/../shared/vm/vmrun}
	if [ ! -x "$vmrun" ]; then
		echo "1..0 # SKIP no vmrun at $vmrun (set E2E_VMRUN)"
		exit 0
	fi
	export E2E_RUNTIME=${E2E_RUNTIME:-$E2E_TOP/build/cinch}
	if [ ! -x "$E2E_RUNTIME" ]; then
		echo "1..0 # SKIP E2E_RUNTIME=$E2E_RUNTIME is not built"
		exit 0
	fi
	# The CRI client's modules must exist before the guest (it has no network).
	if [ ! -d "$E2E_HERE/cri/node_modules/@grpc/grpc-js" ]; then
		(cd "$E2E_HERE/cri" && npm ci --no-audit --no-fund --loglevel=error >&2) || {
			echo "not ok 1 - npm ci in tests/e2e/cri"
			echo "1..1"
			exit 1
		}
	fi
	# vmrun shares the caller's directory read-write: run from the repo.
	cd "$E2E_TOP" || exit 1
	export E2E_ENGINES=${E2E_ENGINES:-docker cri podman}
	exec "$vmrun" --systemd --timeout "${E2E_VM_TIMEOUT:-1500}" -- \
		env E2E_IN_VM=1 bash tests/e2e/test_systemd_vm.sh
fi

# ---- in the guest ----
# Host paths in TMPDIR / XDG_RUNTIME_DIR do not exist here (fresh /tmp, /run).
unset TMPDIR XDG_RUNTIME_DIR
if [ "$(cat /proc/1/comm)" != systemd ]; then
	echo "not ok 1 - systemd is PID 1 in the guest ($(cat /proc/1/comm))"
	echo "1..1"
	exit 1
fi
# The engines' roots live under the guest's /tmp (tmpfs), where overlayfs
# can stack; the guest's / is itself an overlay over 9p and cannot.
export E2E_CGROUP_DRIVER=systemd
exec bash "$E2E_HERE/test_engines.sh"
