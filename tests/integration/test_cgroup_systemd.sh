#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# systemd cgroup driver: transient scopes over D-Bus. Needs systemd as PID 1:
#   /work/shared/vm/vmrun --systemd -- tests/integration/test_cgroup_systemd.sh
. "$(dirname "$0")/lib.sh"
require_root
if [ ! -d /run/systemd/system ]; then echo "1..0 # SKIP systemd is not running (use vmrun --systemd)"; exit 0; fi
DRIVER_SRC=${CGROUP_DRIVER:-$(dirname "$CINCH")/tests/unit/cgroup-driver}
if [ ! -x "$DRIVER_SRC" ]; then echo "1..0 # SKIP no cgroup-driver at $DRIVER_SRC"; exit 0; fi
DRIVER=$TEST_TMP/cgroup-driver
cp "$DRIVER_SRC" "$DRIVER"
drv() { "$DRIVER" "$@"; }
prop() { systemctl show -P "$2" "$1"; }
M=$((32 * 1024 * 1024))
ID=sd$$

# --- a scope from slice:prefix:name, with limits ---------------------------
STATE=$TEST_TMP/$ID.json
drv create --systemd --id $ID --path system.slice:cinchtest:$ID --state "$STATE" \
	--memory $M --pids 8 --shares 1024 --quota 20000 --period 100000 --cri-devices \
	--detach -- sleep 1000 >"$TEST_TMP/pid" </dev/null
pid=$(head -1 "$TEST_TMP/pid")
UNIT=cinchtest-$ID.scope
CG=/sys/fs/cgroup/system.slice/$UNIT
check_eq "the scope is active" "active" "$(systemctl is-active $UNIT)"
check_eq "systemd knows MemoryMax" "$M" "$(prop $UNIT MemoryMax)"
check_eq "systemd knows TasksMax" "8" "$(prop $UNIT TasksMax)"
check_eq "Delegate=yes" "yes" "$(prop $UNIT Delegate)"
check_eq "the process is in the scope" "0::/system.slice/$UNIT" "$(cat /proc/$pid/cgroup)"
check_eq "memory.max in the scope" "$M" "$(cat $CG/memory.max)"
check_eq "pids.max in the scope" "8" "$(cat $CG/pids.max)"
check_eq "cpu.weight (shares 1024)" "39" "$(cat $CG/cpu.weight)"
check_eq "cpu.max written exactly" "20000 100000" "$(cat $CG/cpu.max)"
check "state records the systemd backend and unit" jq -e '.backend == "systemd" and .unit == "'$UNIT'" and .unit_started' "$STATE"

# later commands come without --systemd-cgroup: everything from the state
check "freeze" drv freeze "$STATE"
check "cgroup.events frozen 1" grep -qx 'frozen 1' $CG/cgroup.events
check "thaw" drv thaw "$STATE"
check "update" drv update "$STATE" --memory $((2 * M)) --swap $((2 * M))
check_eq "update reaches systemd (MemoryMax)" "$((2 * M))" "$(prop $UNIT MemoryMax)"
check_eq "update reaches memory.max" "$((2 * M))" "$(cat $CG/memory.max)"
check "destroy" drv destroy "$STATE"
check "the scope is gone" sh -c "! systemctl is-active -q $UNIT"
check "its cgroup is gone" test ! -e $CG
check "its process is gone" sh -c "! grep -qs '^State:.*[RSD]' /proc/$pid/status"

# --- enforcement inside a scope ---------------------------------------------
ID2=${ID}b
STATE=$TEST_TMP/$ID2.json
out=$(drv create --systemd --id $ID2 --path system.slice:cinchtest:$ID2 --state "$STATE" --pids 4 -- "$DRIVER" forker 10)
check "TasksMax stops a fork bomb" grep -q 'failed: Resource temporarily unavailable' <<<"$out"
drv destroy "$STATE"
mkdir "$TEST_TMP/dev"
mount -t tmpfs -o mode=755 cinch-it "$TEST_TMP/dev"
mknod "$TEST_TMP/dev/kmsg" c 1 11
ID3=${ID}c
STATE=$TEST_TMP/$ID3.json
out=$(drv create --systemd --id $ID3 --path system.slice:cinchtest:$ID3 --state "$STATE" --cri-devices -- "$DRIVER" open "$TEST_TMP/dev/kmsg" r | head -1)
check_eq "the device program is attached to the scope" "open failed: Operation not permitted" "$out"
drv destroy "$STATE"

# --- nested slices (CRI with SystemdCgroup = true) ---------------------------
ID4=${ID}d
STATE=$TEST_TMP/$ID4.json
SLICE=kubepods-besteffort-pod$$.slice
out=$(drv create --systemd --id $ID4 --path $SLICE:cri-containerd:$ID4 --state "$STATE" --memory $M -- cat /proc/self/cgroup | head -1)
check_eq "the scope sits in the expanded slice path" \
	"0::/kubepods.slice/kubepods-besteffort.slice/$SLICE/cri-containerd-$ID4.scope" "$out"
drv destroy "$STATE"
systemctl stop $SLICE kubepods-besteffort.slice kubepods.slice 2>/dev/null

# --- bad input ------------------------------------------------------------------
check_fails "a cgroupfs path with --systemd-cgroup" 'expected "slice:prefix:name"' \
	drv create --systemd --id x --path /docker/x --state "$TEST_TMP/x.json" -- true
check_fails "bad slice name" 'not a valid slice name' \
	drv create --systemd --id x --path bad--name.slice:p:x --state "$TEST_TMP/x.json" -- true
check_fails "a limit systemd and the kernel refuse fails the start and leaves no scope" \
	'unified\["memory.nosuchfile"\]' \
	drv create --systemd --id ${ID}e --path system.slice:cinchtest:${ID}e --state "$TEST_TMP/e.json" --unified memory.nosuchfile=1 -- true
check "no scope left behind" sh -c "! systemctl is-active -q cinchtest-${ID}e.scope"
finish
