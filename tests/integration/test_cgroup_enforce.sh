#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# cgroup manager enforcement on the running kernel, through tests/unit/cgroup-driver
# (open -> create -> fork -> enter -> serialize, later commands from the state).
# Runs on cgroup v1/hybrid (this host) and on cgroup v2 (the VM):
#   tests/integration/test_cgroup_enforce.sh
#   /work/shared/vm/vmrun -- tests/integration/test_cgroup_enforce.sh
. "$(dirname "$0")/lib.sh"
require_root
DRIVER_SRC=${CGROUP_DRIVER:-$(dirname "$CINCH")/tests/unit/cgroup-driver}
if [ ! -x "$DRIVER_SRC" ]; then echo "1..0 # SKIP no cgroup-driver at $DRIVER_SRC"; exit 0; fi
# A private copy on tmpfs: memory-limit tests must not page a 9p-backed binary.
DRIVER=$TEST_TMP/cgroup-driver
cp "$DRIVER_SRC" "$DRIVER"
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then MODE=v2; else MODE=v1; fi
diag "cgroup mode: $MODE"
PARENT=/cinch-it-$$-$RANDOM
n=0
newid() { n=$((n + 1)); ID=c$n; STATE=$TEST_TMP/$ID.json; }

# cgfile CONTROLLER FILE: the file of the current container in that controller.
cgfile() {
	if [ $MODE = v2 ]; then echo "/sys/fs/cgroup$PARENT/$ID/$2"; else echo "/sys/fs/cgroup/$1$PARENT/$ID/$2"; fi
}
drv() { "$DRIVER" "$@"; }
# run_in ARGS...: create with ARGS and print the child's output without the
# driver's final "exited N"/"signaled N" line.
run_in() { drv create --id $ID --path "$PARENT/$ID" --state "$STATE" "$@" | sed '$d'; }
destroy() { drv destroy "$STATE" >/dev/null 2>&1; }
# Every directory a state file names must be gone.
leftovers() {
	jq -r '.hierarchies[] | .mount + (.path)' "$1" 2>/dev/null | while read -r d; do [ -e "$d" ] && echo "$d"; done
	[ $MODE = v2 ] && [ -e "/sys/fs/cgroup$PARENT" ] && echo "/sys/fs/cgroup$PARENT"
	[ $MODE = v1 ] && ls -d /sys/fs/cgroup/*"$PARENT" 2>/dev/null
	return 0
}

# --- joining -------------------------------------------------------------
newid
out=$(drv create --id $ID --path "$PARENT/$ID" --state "$STATE" -- cat /proc/self/cgroup)
lines=$(echo "$out" | grep -c ":$PARENT/$ID\$")
total=$(echo "$out" | grep -c ':/')
if [ $MODE = v1 ]; then
	# every mounted hierarchy (v1 controllers, name=systemd, unified) at the same path
	want=$(awk '$9 == "cgroup" || $9 == "cgroup2" {print $9}' /proc/self/mountinfo | wc -l)
	check_eq "child joined every mounted hierarchy ($want)" "$want" "$lines"
	check "name=systemd and unified are joined too" grep -q "name=systemd:$PARENT/$ID" <<<"$out"
	check "... and the unified hierarchy" grep -q "^0::$PARENT/$ID\$" <<<"$out"
else
	check_eq "child is in the container cgroup" "0::$PARENT/$ID" "$(echo "$out" | grep '^0::')"
fi
check_eq "no line of /proc/self/cgroup is elsewhere" "$total" "$lines"
check "state names the backend" jq -e ".backend == \"$MODE\"" "$STATE"
drv destroy "$STATE"
check_eq "destroy removes every directory" "" "$(leftovers "$STATE")"

# --- pids.max -------------------------------------------------------------
newid
out=$(drv create --id $ID --path "$PARENT/$ID" --state "$STATE" --pids 4 -- "$DRIVER" forker 10)
check_eq "pids.max file is 4" "4" "$(cat "$(cgfile pids pids.max)")"
check "fork beyond pids.max fails with EAGAIN" grep -q 'failed: Resource temporarily unavailable' <<<"$out"
destroy
newid
out=$(drv create --id $ID --path "$PARENT/$ID" --state "$STATE" --pids 40 -- "$DRIVER" forker 10)
check_eq "the same forker succeeds under a higher limit" "forked 10" "$(echo "$out" | head -1)"
destroy

# --- memory: OOM kill at the limit ---------------------------------------
newid
M=$((32 * 1024 * 1024))
out=$(drv create --id $ID --path "$PARENT/$ID" --state "$STATE" --memory $M --swap $M -- "$DRIVER" hog 128)
check_eq "a 128M hog under a 32M limit is SIGKILLed" "signaled 9" "$out"
oom=$(drv oom "$STATE")
check "the OOM kill is counted ($oom)" test "${oom:-0}" -ge 1
drv stats "$STATE" >"$TEST_TMP/stats.json"
check "stats report the memory limit" jq -e ".memory.usage.limit == $M" "$TEST_TMP/stats.json"
destroy
newid
out=$(run_in --memory $M --swap $M -- "$DRIVER" hog 4)
check_eq "a 4M allocation survives the same limit" "survived" "$out"
destroy

# --- freezer, pids, signal_all --------------------------------------------
newid
drv create --id $ID --path "$PARENT/$ID" --state "$STATE" --detach -- sleep 1000 >"$TEST_TMP/pid" </dev/null
pid=$(head -1 "$TEST_TMP/pid")
drv pids "$STATE" >"$TEST_TMP/pids"
check "ps lists the container pid" grep -qx "$pid" "$TEST_TMP/pids"
check "freeze" drv freeze "$STATE"
check_eq "is_frozen after freeze" "true" "$(drv is-frozen "$STATE")"
if [ $MODE = v1 ]; then
	check_eq "freezer.state is FROZEN" "FROZEN" "$(cat "$(cgfile freezer freezer.state)")"
	check_eq "the task is frozen (D state)" "D" "$(awk '/^State:/ {print $2}' /proc/$pid/status)"
else
	check "cgroup.events says frozen 1" grep -qx 'frozen 1' "$(cgfile - cgroup.events)"
fi
check "thaw" drv thaw "$STATE"
check_eq "is_frozen after thaw" "false" "$(drv is-frozen "$STATE")"
check_eq "the task sleeps again" "S" "$(awk '/^State:/ {print $2}' /proc/$pid/status)"
check "signal_all SIGKILL" drv kill "$STATE" 9
for _ in $(seq 50); do [ -z "$(drv pids "$STATE")" ] && break; sleep 0.1; done
check_eq "no process left after kill --all" "" "$(drv pids "$STATE")"
drv destroy "$STATE"
check_eq "destroy after kill removes everything" "" "$(leftovers "$STATE")"

# destroy kills a frozen container's stragglers
newid
drv create --id $ID --path "$PARENT/$ID" --state "$STATE" --detach -- sleep 1000 >"$TEST_TMP/pid" </dev/null
pid=$(head -1 "$TEST_TMP/pid")
drv freeze "$STATE"
check "destroy of a frozen, running container" drv destroy "$STATE"
check_eq "its process is dead" "gone" "$(awk '/^State:/ {print ($2 == "Z") ? "gone" : $2}' /proc/$pid/status 2>/dev/null || echo gone)"
check_eq "and nothing is left" "" "$(leftovers "$STATE")"

# --- devices ----------------------------------------------------------------
# Device nodes on a tmpfs of our own: /tmp may be mounted nodev (the VM's is).
mkdir "$TEST_TMP/dev"
mount -t tmpfs -o mode=755 cinch-it "$TEST_TMP/dev"
mknod "$TEST_TMP/dev/null" c 1 3
mknod "$TEST_TMP/dev/kmsg" c 1 11
check "outside the cgroup kmsg (1:11) opens" drv open "$TEST_TMP/dev/kmsg" r
newid
out=$(run_in --cri-devices -- "$DRIVER" open "$TEST_TMP/dev/kmsg" r)
check_eq "CRI deny-all blocks 1:11" "open failed: Operation not permitted" "$out"
destroy
newid
out=$(run_in --cri-devices -- "$DRIVER" open "$TEST_TMP/dev/null" w)
check_eq "the default allow list keeps /dev/null (1:3) usable" "open ok" "$out"
destroy
newid
out=$(run_in --cri-devices --device allow:c:1:11:r -- \
	sh -c "'$DRIVER' open '$TEST_TMP/dev/kmsg' r; '$DRIVER' open '$TEST_TMP/dev/kmsg' w")
check_eq "an allow rule grants exactly its access" "open ok
open failed: Operation not permitted" "$out"
destroy

# --- cpu, update ---------------------------------------------------------------
newid
drv create --id $ID --path "$PARENT/$ID" --state "$STATE" --shares 1024 --quota 50000 --period 100000 \
	--memory $M --blkio-weight 0 --detach -- sleep 1000 >/dev/null </dev/null
if [ $MODE = v2 ]; then
	check_eq "shares 1024 -> cpu.weight 39" "39" "$(cat "$(cgfile - cpu.weight)")"
	check_eq "cpu.max" "50000 100000" "$(cat "$(cgfile - cpu.max)")"
	memfile=$(cgfile - memory.max)
else
	check_eq "cpu.shares" "1024" "$(cat "$(cgfile cpu cpu.shares)")"
	check_eq "cpu.cfs_quota_us" "50000" "$(cat "$(cgfile cpu cpu.cfs_quota_us)")"
	memfile=$(cgfile memory memory.limit_in_bytes)
fi
check "update (Docker style: 0 = unchanged)" drv update "$STATE" --memory $((2 * M)) --swap $((4 * M)) --shares 0 --quota 0 --period 0 --blkio-weight 0 --reservation 0
check_eq "update changed the memory limit" "$((2 * M))" "$(cat "$memfile")"
if [ $MODE = v2 ]; then
	check_eq "update left cpu.weight alone" "39" "$(cat "$(cgfile - cpu.weight)")"
	check_eq "swap maps to memory.swap.max = swap - limit" "$((2 * M))" "$(cat "$(cgfile - memory.swap.max)")"
else
	check_eq "update left cpu.shares alone" "1024" "$(cat "$(cgfile cpu cpu.shares)")"
	check_eq "swap maps to memsw" "$((4 * M))" "$(cat "$(cgfile memory memory.memsw.limit_in_bytes)")"
fi
check "update ignores CRI's deny-all device rule" drv update "$STATE" --cri-devices
destroy

# --- blkio/io weight: applied where the kernel has a weight file, else an error
newid
if [ $MODE = v1 ]; then wf=(blkio.weight blkio.bfq.weight); ctl=blkio; else wf=(io.bfq.weight io.weight); ctl=io; fi
if drv create --id $ID --path "$PARENT/$ID" --state "$STATE" --blkio-weight 500 -- true >"$TEST_TMP/w.out" 2>&1; then
	got=$(cat "$(cgfile $ctl "${wf[0]}")" 2>/dev/null || cat "$(cgfile $ctl "${wf[1]}")")
	check "weight 500 is in ${wf[*]} ($(echo $got))" grep -qE '(^|default )(500|4950)$' <<<"$got"
	destroy
else
	check "no weight file: the error names $ctl" grep -q "cgroup $MODE $ctl: cannot set" "$TEST_TMP/w.out"
fi

# --- hugetlb (v1 hierarchy, or the hybrid unified one) -------------------------
if ls /sys/kernel/mm/hugepages/ 2>/dev/null | grep -q hugepages-2048kB; then
	newid
	check "hugetlb 2MB limit" drv create --id $ID --path "$PARENT/$ID" --state "$STATE" --hugetlb 2MB=0 -- true
	f=$(jq -r '.hierarchies[] | select(.kind == "unified") | .mount + .path' "$STATE")/hugetlb.2MB.max
	check_eq "hugetlb.2MB.max is 0" "0" "$(cat "$f" 2>&1)"
	destroy
fi

# --- bad input and failed limits leave nothing behind -------------------------
newid
check_fails "unknown unified key" 'unified\["bogus.max"\]: unknown controller' \
	drv create --id $ID --path "$PARENT/$ID" --state "$STATE" --unified bogus.max=1 -- true
check_fails "cgroup.procs is not settable" 'unified\["cgroup.procs"\]' \
	drv create --id $ID --path "$PARENT/$ID" --state "$STATE" --unified cgroup.procs=1 -- true
if [ $MODE = v2 ]; then
	check_fails "missing interface file" 'unified\["memory.nosuchfile"\]: no such interface file' \
		drv create --id $ID --path "$PARENT/$ID" --state "$STATE" --unified memory.nosuchfile=1 -- true
else
	check_fails "v2-only key on a hybrid host" 'cgroup v1 memory: controller not available' \
		drv create --id $ID --path "$PARENT/$ID" --state "$STATE" --unified memory.high=1 -- true
fi
check_fails "'..' in cgroupsPath" 'linux.cgroupsPath ".*": ".." components are not allowed' \
	drv create --id $ID --path "$PARENT/../../etc" --state "$STATE" -- true
check_fails "an unappliable limit names controller, file, value and reason" \
	"cgroup $MODE cpuset: cannot set cpuset.cpus to 9999: (invalid argument|numerical result out of range)" \
	drv create --id $ID --path "$PARENT/$ID" --state "$STATE" --cpus 9999 -- true
check_eq "failed creates left no directory" "" "$(leftovers /dev/null)"
check "no state written by a failed create" test ! -e "$STATE"

if [ ! -d /run/systemd/system ]; then
	check_fails "systemd driver without systemd" '^cgroup-driver: systemd cgroup driver requested but systemd is not running on this host$' \
		drv create --id $ID --systemd --path system.slice:cinch:$ID --state "$STATE" -- true
fi

# --- relative cgroupsPath is below our own cgroup ------------------------------
newid
self=$(awk -F: '$2 == "pids" || ($1 == "0" && "'$MODE'" == "v2") {print $3}' /proc/self/cgroup | head -1)
out=$(drv create --id $ID --path "rel-$$/$ID" --state "$STATE" -- cat /proc/self/cgroup)
want="${self%/}/rel-$$/$ID"
if [ $MODE = v1 ]; then got=$(echo "$out" | awk -F: '$2 == "pids" {print $3}'); else got=$(echo "$out" | awk -F: '$1 == "0" {print $3}'); fi
check_eq "relative path resolves below cinch's cgroup" "$want" "$got"
drv destroy "$STATE"
check_eq "and is removed" "" "$(leftovers "$STATE")"

rmdir /sys/fs/cgroup/*"$PARENT" /sys/fs/cgroup"$PARENT" 2>/dev/null
finish
