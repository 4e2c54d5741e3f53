#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Lifecycle as engines drive it: create (exec.fifo, pid file, init reparented
# to the caller's subreaper) / state / start / kill / delete, idempotent
# cleanup calls, list in a --root shared with another runtime, run with exit
# codes, and failed creates that leave nothing behind.
. "$(dirname "$0")/lifecycle-lib.sh"
require_root

b=$(core_bundle life)
set_config "$b" '.process.args=["/bin/sleep","1000"]'

# --- create ---------------------------------------------------------------
check "create succeeds" cinch create --bundle "$b" --pid-file "$TEST_TMP/life.pid" life
check_eq "state says created" created "$(status_of life)"
pid=$(pid_of life)
check_eq "pid file holds the init pid with no newline" "$pid" "$(cat "$TEST_TMP/life.pid")"
check_eq "pid file has no trailing newline" "$(printf %s "$pid" | wc -c)" "$(wc -c <"$TEST_TMP/life.pid")"
# The shim/conmon is a child subreaper: the init must be reparented to it (here:
# the subreaper harness running this script), not to pid 1.
check_eq "init is reparented to the caller's subreaper" "$PPID" "$(awk '/^PPid:/{print $2}' /proc/"$pid"/status)"
check "exec.fifo exists while created" test -p "$STATE_ROOT/life/exec.fifo"
check "init holds exec.fifo open (containerd's checkRuncInitAlive)" \
	bash -c "ls -l /proc/$pid/fd | grep -q '$STATE_ROOT/life/exec.fifo'"
check_eq "init has not run the process yet" "" "$(tr '\0' ' ' </proc/"$pid"/cmdline | grep -o 'sleep 1000')"
check "state JSON is runc-shaped" bash -c "'$CINCH' --root '$STATE_ROOT' state life | jq -e '.ociVersion and .id==\"life\" and .bundle==\"$b\" and .rootfs==\"$b/rootfs\" and (.created|test(\"T.*Z$\")) and has(\"owner\")'"
check "effective config stored" test -s "$STATE_ROOT/life/config.effective.json"
check_fails "second create with the same id fails" "container with id exists: life" cinch create --bundle "$b" life

# --- start ------------------------------------------------------------------
check "start succeeds" cinch start life
check_eq "state says running" running "$(status_of life)"
check "exec.fifo removed after start" test ! -e "$STATE_ROOT/life/exec.fifo"
check_eq "init now runs the process" "/bin/sleep 1000" "$(tr '\0' ' ' </proc/"$pid"/cmdline | sed 's/ $//')"
check_fails "start twice fails" "already running" cinch start life
check_fails "delete of a running container without --force fails" "not stopped: running" cinch delete life

# --- list -------------------------------------------------------------------
mkdir -p "$STATE_ROOT/runc-owned"
echo '{"id":"runc-owned","init_process_pid":1}' >"$STATE_ROOT/runc-owned/state.json"
check_eq "list -q shows only cinch containers" "life" "$(cinch list -q)"
check "list --format json is an array of state objects" bash -c "'$CINCH' --root '$STATE_ROOT' list --format json | jq -e 'length==1 and .[0].id==\"life\" and .[0].status==\"running\"'"
check "list --format=json form accepted" bash -c "'$CINCH' --root '$STATE_ROOT' list --format=json | jq -e 'length==1'"
check "list table has a header and the container" bash -c "'$CINCH' --root '$STATE_ROOT' list | grep -q '^ID .*STATUS' && '$CINCH' --root '$STATE_ROOT' list | grep -q '^life .*running'"
check_fails "state of another runtime's container: does not exist" "does not exist" cinch state runc-owned
check "delete --force leaves another runtime's dir alone" cinch delete --force runc-owned
check "another runtime's dir still there" test -f "$STATE_ROOT/runc-owned/state.json"
rm -rf "$STATE_ROOT/runc-owned"

# --- kill / delete ------------------------------------------------------------
check "kill with a signal name works" cinch kill life SIGKILL
wait_status life stopped
check_eq "state says stopped" stopped "$(status_of life)"
check_eq "stopped container reports pid 0" 0 "$(pid_of life)"
sleep 0.2
check_eq "the subreaper reaped the init (SIGKILL = 137)" "$pid 137" "$(grep "^$pid " "$CINCH_REAP_LOG")"
check_fails "kill of a stopped container: container not running" "container not running" cinch kill life 9
check "kill --all of a stopped container exits 0" cinch kill --all life 9
check "delete of a stopped container" cinch delete life
check_fails "delete again: does not exist" "does not exist" cinch delete life
check "delete --force of a missing container exits 0" cinch delete --force life
check "delete --force twice exits 0" cinch delete --force life
check "nothing left after delete" no_leftovers life "$b"
check_fails "state of an unknown id" "does not exist" cinch state nosuch
check_fails "kill of an unknown id" "does not exist" cinch kill nosuch 9
check_fails "invalid id is refused" "invalid container id" cinch state ../x

# --- delete of created / running containers --------------------------------------
check "create c2" cinch create --bundle "$b" c2
check "plain delete of a created container kills it" cinch delete c2
check "nothing left after deleting created c2" no_leftovers c2 "$b"
check "run -d c3" cinch run -d --bundle "$b" c3
check_eq "run -d leaves it running" running "$(status_of c3)"
p3=$(pid_of c3)
check "kill c3 with default signal (SIGTERM) is accepted" cinch kill c3
check "delete --force of a running container" cinch delete --force c3
check "c3 init is gone" bash -c "! grep -q '^State:.*[RS]' /proc/$p3/status 2>/dev/null"
check "nothing left after delete --force" no_leftovers c3 "$b"

# --- kill by numbers and names, --all ------------------------------------------
set_config "$b" '.process.args=["/bin/sh","-c","trap \"exit 42\" USR1; while :; do sleep 0.1; done"]'
check "run -d trapper" cinch run -d --bundle "$b" trap1
sleep 0.3
check "kill with number 10 (USR1)" cinch kill trap1 10
wait_status trap1 stopped
p=$(jq -r .pid "$STATE_ROOT/trap1/state.json")
sleep 0.2
check_eq "USR1 reached the process (exit 42 reaped by the subreaper)" "$p 42" "$(grep "^$p " "$CINCH_REAP_LOG")"
check "delete trap1" cinch delete trap1
check "run -d trap2" cinch run -d --bundle "$b" trap2
sleep 0.3
check "kill --all with name USR1" cinch kill --all trap2 USR1
wait_status trap2 stopped
check_eq "kill --all signalled the cgroup" stopped "$(status_of trap2)"
check "delete trap2" cinch delete trap2
check_fails "invalid signal is refused" "invalid signal" cinch kill trap2 NOPE

# --- run in the foreground ---------------------------------------------------
set_config "$b" '.process.args=["/bin/sh","-c","exit 3"]'
cinch run --bundle "$b" r1 >/dev/null 2>&1
check_eq "run exits with the container's exit code" 3 "$?"
check "run deletes the container afterwards" no_leftovers r1 "$b"
# (not pid 1 of its own pid namespace, or SIGKILL from inside would be ignored)
set_config "$b" '.process.args=["/bin/sh","-c","kill -9 $$"] | .linux.namespaces |= map(select(.type!="pid"))'
cinch run --bundle "$b" r2 >/dev/null 2>&1
check_eq "run reports 128+signal" 137 "$?"
set_config "$b" '.process.args=["/bin/true"] | .linux.namespaces += [{"type":"pid"}]'
check "run --keep keeps the container" cinch run --keep --bundle "$b" r3
check_eq "kept container is stopped" stopped "$(status_of r3)"
check "delete kept container" cinch delete r3

# The foreground cinch is the init's parent (the init is a direct child).
set_config "$b" '.process.args=["/bin/sleep","1000"]'
set_config "$b" '.linux.cgroupsPath="/cinch-it/r4"'
# shellcheck disable=SC2086
"$CINCH" --root "$STATE_ROOT" ${CINCH_ARGS:-} run --bundle "$b" r4 >/dev/null 2>&1 &
runpid=$!
wait_status r4 running
check_eq "init of a foreground run is cinch's direct child" "$runpid" "$(awk '/^PPid:/{print $2}' /proc/"$(pid_of r4)"/status)"
check "kill r4" cinch kill r4 KILL
wait $runpid
check_eq "foreground run returns 137 after SIGKILL" 137 "$?"
check "r4 deleted by run" no_leftovers r4 "$b"

# --- failed creates leave nothing -------------------------------------------
fail_case() { # desc pattern jq-filter
	set_config "$b" "$3"
	check_fails "$1" "$2" cinch create --bundle "$b" --pid-file "$TEST_TMP/f.pid" fail1
	check "nothing left after: $1" no_leftovers fail1 "$b"
	check "no pid file after: $1" test ! -e "$TEST_TMP/f.pid"
	set_config "$b" '.process.args=["/bin/sleep","1000"] | del(.hooks)'
}
fail_case "missing binary" 'exec: "/nonexistent": stat /nonexistent: no such file or directory' '.process.args=["/nonexistent"]'
fail_case "binary not in PATH" 'executable file not found in \$PATH' '.process.args=["nonexistent"]'
fail_case "prestart hook failure" 'hooks.prestart\[0\] /bin/false: exit status 1' '.hooks={"prestart":[{"path":"/bin/false"}]}'
fail_case "bad namespace path" 'is not a network namespace' '.linux.namespaces += [{"type":"network","path":"/proc/self/ns/ipc"}] | .linux.namespaces |= (map(select(.type!="network" or .path)))'
harness_children() { grep -l "^PPid:[[:space:]]*$PPID\$" /proc/[0-9]*/status 2>/dev/null | grep -v "^/proc/$$/"; }
check_eq "no process left from the failed creates" "" "$(harness_children)"
finish
