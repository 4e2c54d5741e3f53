#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Operations on running containers through their cgroup: ps, pause/resume,
# update (flags, --resources, policy limits), events (stats, oom) and
# kill --all, on real busybox containers. Runs on this (v1/hybrid) host;
# the v2 side is in test_vm_cgroup.sh.
#   CINCH=build-x/cinch tests/integration/test_cgroup_ops.sh
. "$(dirname "$0")/lib.sh"
require_root
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then MODE=v2; else MODE=v1; fi
diag "cgroup mode: $MODE"
PARENT=/cinch-ops-$$-$RANDOM
POL=$PRIVILEGED_POLICY
# OPS_QUICK=1: only ps, pause/resume and update (the VM guest runs this).
QUICK=${OPS_QUICK:-}
if [ $MODE = v1 ]; then
	MEM_FILE=memory.limit_in_bytes QUOTA_FILE=cpu.cfs_quota_us QUOTA_50000=50000
else
	MEM_FILE=memory.max QUOTA_FILE=cpu.max QUOTA_50000="50000 100000"
fi

# cgfile ID CONTROLLER FILE
cgfile() {
	if [ $MODE = v2 ]; then echo "/sys/fs/cgroup$PARENT/$1/$3"; else echo "/sys/fs/cgroup/$2$PARENT/$1/$3"; fi
}
# start_ctr ID POLICY ARGS-JSON [JQ-FILTER]: create + start, bundle per id.
start_ctr() {
	local id=$1 pol=$2 args=$3 extra=${4:-.} b
	b=$(make_bundle "$id")
	set_config "$b" ".process.args=$args | .linux.cgroupsPath=\"$PARENT/$id\" | $extra"
	# v2 hosts: a cgroup namespace of its own, as engines give containers there
	[ $MODE = v2 ] && set_config "$b" '.linux.namespaces += [{"type":"cgroup"}]'

	"$CINCH" --root "$STATE_ROOT" --policy "$pol" create --bundle "$b" "$id" </dev/null >/dev/null 2>"$TEST_TMP/$id.err" &&
		"$CINCH" --root "$STATE_ROOT" --policy "$pol" start "$id" 2>>"$TEST_TMP/$id.err"
}
status_of() { cinch state "$1" 2>/dev/null | jq -r .status; }
init_pid() { cinch state "$1" | jq -r .pid; }
# policy_file NAME JSON: a root-owned 0600 host policy in the test dir.
policy_file() {
	local f=$TEST_TMP/$1.json
	printf '%s\n' "$2" >"$f"
	chmod 0600 "$f"
	echo "$f"
}
# wait_for N CMD...: retry CMD up to N times, 0.1 s apart (not a timing assertion:
# only gives the kernel time to finish what was asked).
wait_for() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.1; done
	return 1
}
# nprocs_is ID N: the container's cgroup holds N processes.
nprocs_is() { [ "$(cinch ps --format json "$1" 2>/dev/null | jq length)" = "$2" ]; }
twoprocs='["/bin/sh","-c","sleep 1000 & exec sleep 1001"]'
cleanup_parent() {
	local d
	for d in /sys/fs/cgroup/*"$PARENT" /sys/fs/cgroup"$PARENT"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
	return 0
}

# --- ps --------------------------------------------------------------------
if ! start_ctr p1 "$POL" "$twoprocs"; then
	not_ok "start p1"
	sed 's/^/# /' "$TEST_TMP/p1.err"
	finish
	exit
fi
# the shell's exec of "sleep 1001" and its child must both be in the cgroup
wait_for 50 nprocs_is p1 2
json=$(cinch ps --format json p1)
check "ps --format json is a JSON array of ints" jq -e 'type == "array" and all(.[]; type == "number")' <<<"$json"
check_eq "ps json lists two processes" 2 "$(jq length <<<"$json")"
check "ps json includes the init pid" jq -e --argjson p "$(init_pid p1)" 'index($p) != null' <<<"$json"
check_eq "ps -f json (short flag) is the same" "$json" "$(cinch ps -f json p1)"
table=$(cinch ps p1)
check "ps table keeps ps -ef's header" grep -Eq '^UID +PID +PPID' <<<"$table"
check_eq "ps table has one row per process" 3 "$(wc -l <<<"$table")"
check "ps table shows the second process" grep -q 'sleep 1000$' <<<"$table"
custom=$(cinch ps p1 -- -e -o pid,comm)
check "ps passes its own args to ps (-- -e -o pid,comm)" grep -Eq '^ *PID +COMMAND$' <<<"$(head -1 <<<"$custom")"
check_eq "ps with args keeps only the container's rows" 2 "$(tail -n +2 <<<"$custom" | wc -l)"
check_fails "ps --format yaml is refused" 'invalid format' cinch ps --format yaml p1
check_fails "ps of a missing container fails" 'does not exist' cinch ps nosuch

# --- pause / resume ---------------------------------------------------------
frozen_file=$(cgfile p1 freezer freezer.state)
[ $MODE = v2 ] && frozen_file=$(cgfile p1 x cgroup.freeze)
check "pause" cinch pause p1
check_eq "state says paused" paused "$(status_of p1)"
if [ $MODE = v1 ]; then
	check_eq "freezer.state is FROZEN" FROZEN "$(cat "$frozen_file")"
else
	check_eq "cgroup.freeze is 1" 1 "$(cat "$frozen_file")"
	check "cgroup.events says frozen 1" grep -qx 'frozen 1' "$(cgfile p1 x cgroup.events)"
fi
check_fails "pause of a paused container fails" 'container not running' cinch pause p1
check "resume" cinch resume p1
check_eq "state says running again" running "$(status_of p1)"
if [ $MODE = v1 ]; then
	check_eq "freezer.state is THAWED" THAWED "$(cat "$frozen_file")"
else
	check_eq "cgroup.freeze is 0" 0 "$(cat "$frozen_file")"
fi
check_fails "resume of a running container fails like runc" 'container not paused' cinch resume p1
check_fails "pause of a missing container fails" 'does not exist' cinch pause nosuch

# --- update -------------------------------------------------------------------
mem=$(cgfile p1 memory $MEM_FILE)
pids=$(cgfile p1 pids pids.max)
quota=$(cgfile p1 cpu $QUOTA_FILE)
check "update --memory 64m --pids-limit 100 --cpu-quota 50000" \
	cinch --policy "$POL" update --memory 64m --pids-limit 100 --cpu-quota 50000 p1
check_eq "$MEM_FILE is 64 MiB" 67108864 "$(cat "$mem")"
check_eq "pids.max is 100" 100 "$(cat "$pids")"
check_eq "$QUOTA_FILE is 50000" "$QUOTA_50000" "$(cat "$quota")"
check "update --memory 0 --cpu-quota 0 changes nothing (0 = unchanged)" \
	cinch --policy "$POL" update --memory 0 --cpu-quota 0 p1
check_eq "memory unchanged" 67108864 "$(cat "$mem")"
check_eq "quota unchanged" "$QUOTA_50000" "$(cat "$quota")"
# A write that fails part-way (the memory limit is written before cpuset)
# puts back what was recorded.
check_fails "update that fails part-way is refused and rolled back" \
	"earlier limits rolled back.*cpuset" cinch --policy "$POL" update --memory 32m --cpuset-cpus 9999 p1
check_eq "memory back at the recorded 64 MiB" 67108864 "$(cat "$mem")"
dev_before=$(cat "$(cgfile p1 devices devices.list)" 2>/dev/null)
# Docker's document: zeros for unchanged; CRI's deny-all device rule must be ignored.
printf '%s' '{"devices":[{"allow":false,"access":"rwm"}],"memory":{"limit":100663296,"reservation":0,"swap":0,"kernel":0},"cpu":{"shares":0,"quota":0,"period":0},"blockIO":{"weight":0},"pids":{"limit":200}}' >"$TEST_TMP/res.json"
check "update --resources FILE (Docker/CRI document)" cinch --policy "$POL" update --resources "$TEST_TMP/res.json" p1
check_eq "memory limit from the document" 100663296 "$(cat "$mem")"
check_eq "pids limit from the document" 200 "$(cat "$pids")"
check_eq "quota left alone (0)" "$QUOTA_50000" "$(cat "$quota")"
[ $MODE = v1 ] && check_eq "device rules untouched (devices list ignored)" "$dev_before" "$(cat "$(cgfile p1 devices devices.list)")"
check "update --resources - (stdin)" sh -c "echo '{\"memory\":{\"limit\":134217728}}' | $CINCH --root $STATE_ROOT --policy $POL update --resources - p1"
check_eq "memory limit from stdin" 134217728 "$(cat "$mem")"
check "the new limits are recorded in config.effective.json" jq -e \
	'.linux.resources.memory.limit == 134217728 and .linux.resources.pids.limit == 200 and .linux.resources.cpu.quota == 50000' \
	"$STATE_ROOT/p1/config.effective.json"
if [ -n "$QUICK" ]; then
	cinch delete --force p1 >/dev/null 2>&1
	cleanup_parent
	finish
	exit
fi

# A frozen counter does not move: written by the container every 0.1 s.
start_ctr p2 "$POL" '["/bin/sh","-c","i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.1; done"]'
n_file=$TEST_TMP/bundles/p2/rootfs/tmp/n
wait_for 50 test -s "$n_file"
cinch pause p2
a=$(cat "$n_file")
sleep 0.5
b=$(cat "$n_file")
check_eq "a paused container makes no progress" "$a" "$b"
cinch resume p2
wait_for 50 sh -c "[ \"\$(cat $n_file)\" != \"$b\" ]"
check "a resumed container makes progress again" [ "$(cat "$n_file")" != "$b" ]
cinch delete --force p2 >/dev/null 2>&1

# pause of a created container works (as runc) and start then refuses
b=$(make_bundle p3)
set_config "$b" ".process.args=[\"/bin/true\"] | .linux.cgroupsPath=\"$PARENT/p3\""
cinch --policy "$POL" create --bundle "$b" p3 </dev/null >/dev/null 2>&1
check "pause of a created container" cinch pause p3
check_eq "... is paused" paused "$(status_of p3)"
check_fails "... and cannot be started" 'running|paused' cinch start p3
check "resume of it" cinch resume p3
check_eq "... is created again" created "$(status_of p3)"
cinch delete --force p3 >/dev/null 2>&1

check_fails "update --memory 10x is refused" "invalid value for memory" cinch --policy "$POL" update --memory 10x p1
check_eq "... and leaves the limit alone" 134217728 "$(cat "$mem")"
check_fails "update --l3-cache-schema is unsupported" "Intel RDT is not supported" \
	cinch --policy "$POL" update --l3-cache-schema L3:0=f p1
echo '{"memory":{"limit":"big"}}' >"$TEST_TMP/bad.json"
check_fails "a bad resources document names the field" 'memory.limit' \
	cinch --policy "$POL" update --resources "$TEST_TMP/bad.json" p1
check "--kernel-memory is accepted and ignored" cinch --policy "$POL" update --kernel-memory 10m p1
cp "$TEST_TMP/last.out" "$TEST_TMP/kmem.out"
check "... with runc's warning" grep -q 'Kernel memory settings are ignored' "$TEST_TMP/kmem.out"
check_fails "update of a missing container fails" 'does not exist' cinch --policy "$POL" update --memory 1m nosuch

# --- update under the policy ------------------------------------------------------
# restricted, overMax refuse, audit log in the test dir
refuse_pol=$(policy_file refuse "{\"level\":\"restricted\",\"auditLog\":\"$TEST_TMP/audit.log\",\"rules\":{\"resources\":{\"overMax\":\"refuse\"}}}")
reject_pol=$(policy_file reject "{\"level\":\"restricted\",\"mode\":\"reject\",\"auditLog\":\"$TEST_TMP/audit.log\"}")
clamp_pol=$(policy_file clamp "{\"level\":\"restricted\",\"auditLog\":\"$TEST_TMP/audit.log\"}")
start_ctr r1 "$refuse_pol" "$twoprocs" || { not_ok "start r1"; cat "$TEST_TMP/r1.err"; }
rp=$(cgfile r1 pids pids.max)
check_eq "restricted gave the container its default pids limit" 4096 "$(cat "$rp")"
check "an update within the policy is applied" cinch --policy "$refuse_pol" update --pids-limit 500 r1
check_eq "pids.max is 500" 500 "$(cat "$rp")"
check_fails "an update above the policy maximum is refused" 'policy restricted refused: resources: pids limit 100000 is above the maximum 32768' \
	cinch --policy "$refuse_pol" update --pids-limit 100000 r1
check_eq "... and pids.max is unchanged" 500 "$(cat "$rp")"
check_fails "in reject mode, removing the pids limit is refused" 'policy restricted refused: resources' \
	cinch --policy "$reject_pol" update --pids-limit -1 r1
check_eq "... pids.max still 500" 500 "$(cat "$rp")"
check_fails "a --resources document is policed the same way" 'above the maximum' \
	sh -c "echo '{\"pids\":{\"limit\":99999}}' | $CINCH --root $STATE_ROOT --policy $refuse_pol update -r - r1"
check "the refusal is in the audit log" jq -se 'map(select(.event == "update" and .result == "refused" and .id == "r1")) | length >= 1' "$TEST_TMP/audit.log"
check "under overMax clamp the update is clamped" cinch --policy "$clamp_pol" update --pids-limit 100000 r1
check_eq "pids.max clamped to the maximum 32768" 32768 "$(cat "$rp")"
check "under clamp, removing the limit gives the policy default" cinch --policy "$clamp_pol" update --pids-limit -1 r1
check_eq "pids.max is the default 4096, not max" 4096 "$(cat "$rp")"
check "memory -1 under restricted gets the default" cinch --policy "$clamp_pol" update --memory -1 r1
check_eq "$MEM_FILE is the 1 GiB default" 1073741824 "$(cat "$(cgfile r1 memory $MEM_FILE)")"
cinch delete --force r1 >/dev/null 2>&1

# --- events -------------------------------------------------------------------------
ev=$(cinch events --stats p1)
check "events --stats prints one valid JSON object" jq -e '.type == "stats" and .id == "p1"' <<<"$ev"
check "... with memory.usage" jq -e '.data.memory.usage.usage > 0 and .data.memory.usage.limit == 134217728' <<<"$ev"
check "... and pids.current" jq -e '.data.pids.current == 2' <<<"$ev"
check "... and cpu usage" jq -e '.data.cpu.usage.total > 0' <<<"$ev"
check_fails "events --interval 0 is refused" 'greater than 0' cinch events --interval 0 p1
check_fails "events --interval 5x is refused" 'invalid value' cinch events --interval 5x p1
# the stream: stats lines until the container stops, then exit 0
"$CINCH" --root "$STATE_ROOT" events --interval 100ms p1 >"$TEST_TMP/stream.out" 2>&1 &
evpid=$!
wait_for 50 grep -q '"type":"stats"' "$TEST_TMP/stream.out"
cinch kill p1 KILL
rc=0
wait "$evpid" || rc=$?
check_eq "events exits 0 when the container stops" 0 "$rc"
check "events printed stats lines" jq -se 'length >= 1 and all(.[]; .type == "stats" and .id == "p1")' "$TEST_TMP/stream.out"
check_fails "events on a stopped container fails like runc" 'is not running' cinch events --stats p1
check_eq "ps json of a stopped container is []" "[]" "$(cinch ps --format json p1)"
cinch delete p1 >/dev/null 2>&1

# OOM: a hog in a 16 MiB container (no swap beyond the limit)
b=$(make_bundle oom)
set_config "$b" '.process.args=["/bin/sh","-c","head -c 200m /dev/zero | tail"] | .linux.cgroupsPath="'"$PARENT"'/oom" | .linux.resources.memory={"limit":16777216,"swap":16777216}'
cinch --policy "$POL" create --bundle "$b" oom </dev/null >/dev/null 2>&1
"$CINCH" --root "$STATE_ROOT" events --interval 10s oom >"$TEST_TMP/oom.out" 2>&1 &
evpid=$!
sleep 0.3 # let events read the OOM counter before the hog starts (not asserted)
cinch start oom
rc=0
wait "$evpid" || rc=$?
check_eq "events on the OOM container exits 0 once it stopped" 0 "$rc"
check "an oom event was printed" jq -se 'any(.[]; .type == "oom" and .id == "oom")' "$TEST_TMP/oom.out"
cinch delete --force oom >/dev/null 2>&1

# --- kill --all ----------------------------------------------------------------------
# pid 1 of the container ignores SIGTERM (no handler): only --all reaches the others.
start_ctr k1 "$POL" '["/bin/sh","-c","sleep 1000 & sleep 1001 & exec sleep 1002"]'
wait_for 50 nprocs_is k1 3
cinch kill k1 TERM
sleep 0.2
check_eq "kill without --all leaves the children" 3 "$(cinch ps --format json k1 | jq length)"
check "kill --all TERM" cinch kill --all k1 TERM
wait_for 50 nprocs_is k1 1
check_eq "kill --all signalled every process in the cgroup (only pid 1 survives TERM)" \
	"[$(init_pid k1)]" "$(cinch ps --format json k1)"
cinch delete --force k1 >/dev/null 2>&1

cleanup_parent
finish
