#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# linux.seccomp.listenerPath: a profile with SCMP_ACT_NOTIFY hands its
# notification fd, with the container process state, to the agent listening
# at listenerPath (create and exec); the agent then decides what the notified
# syscalls return. A listener nobody answers fails create cleanly, and a
# notifying profile without a listener is refused (as runc does).
. "$(dirname "$0")/lib.sh"
require_root
CINCH_ARGS="--policy $PRIVILEGED_POLICY"

if [ "$(uname -m)" != x86_64 ]; then
	echo "1..0 # SKIP the agent's struct layouts and syscall numbers are x86_64's"
	exit 0
fi
if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP needs python3"
	exit 0
fi

AGENT_ERRNO=42 # ENOMSG: nothing else would make mkdir fail with it
SOCK=$TEST_TMP/agent.sock
LOG=$TEST_TMP/agent
python3 "$TOP/tests/integration/helpers/seccomp_agent.py" "$SOCK" "$LOG" "$AGENT_ERRNO" \
	2>"$TEST_TMP/agent.err" &
AGENT_PID=$!
stop_agent() {
	kill "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	cleanup_all
}
trap stop_agent EXIT
for _ in $(seq 1 200); do
	[ -S "$SOCK" ] && break
	sleep 0.05
done
if [ ! -S "$SOCK" ]; then
	not_ok "seccomp agent started"
	sed 's/^/#   /' "$TEST_TMP/agent.err"
	finish
	exit 1
fi

b=$(make_bundle listener)
# PROFILE NNP ARGS-JSON [LISTENER]: the notifying profile on the bundle.
set_profile() {
	local nnp=$1 args=$2 listener=${3-$SOCK}
	set_config "$b" "
	  .process.noNewPrivileges = $nnp |
	  .process.args = $args |
	  .linux.seccomp = {
	    defaultAction: \"SCMP_ACT_ALLOW\",
	    architectures: [\"SCMP_ARCH_X86_64\"],
	    listenerMetadata: \"lsn-meta\",
	    syscalls: [{names: [\"mkdir\", \"mkdirat\"], action: \"SCMP_ACT_NOTIFY\"}]
	  } | if \"$listener\" == \"\" then . else .linux.seccomp.listenerPath = \"$listener\" end"
}
MKDIR='["/bin/cinch-checker","syscall","mkdir","/tmp/x"]'

# json N FILTER: jq FILTER on the N-th (1-based) document the agent received.
json() { sed -n "${1}p" "$LOG.json" | jq -r "$2"; }
njson() { [ -f "$LOG.json" ] && wc -l <"$LOG.json" || echo 0; }

# --- create (through run), both install points ---------------------------
n=0
for nnp in false true; do
	set_profile "$nnp" "$MKDIR"
	out=$(cinch run --bundle "$b" "lsn-run-$nnp" 2>&1)
	n=$((n + 1))
	check_eq "run (noNewPrivileges=$nnp): mkdir answers the agent's errno" \
		"errno=$AGENT_ERRNO" "$(echo "$out" | grep -o 'errno=[0-9]*')"
	check_eq "run (noNewPrivileges=$nnp): the agent got one document" "$n" "$(njson)"
	check_eq "run (noNewPrivileges=$nnp): state.id" "lsn-run-$nnp" "$(json $n .state.id)"
	check_eq "run (noNewPrivileges=$nnp): fds is [\"seccompFd\"] and one fd came" \
		'["seccompFd"] 1' "$(json $n '"\(.fds | tojson) \(._received_fds)"')"
	check_eq "run (noNewPrivileges=$nnp): metadata" "lsn-meta" "$(json $n .metadata)"
	check_eq "run (noNewPrivileges=$nnp): status is creating, ociVersion and bundle set" \
		"creating $(jq -r .ociVersion "$b/config.json") $b" \
		"$(json $n '"\(.state.status) \(.state.ociVersion) \(.state.bundle)"')"
	pid=$(json $n .pid)
	check_eq "run (noNewPrivileges=$nnp): pid is the init's and the notifying process's" \
		"pid=$pid $pid" "$(grep -o "pid=$pid" "$LOG.notif" | head -1) $(json $n .state.pid)"
done

# --- exec ------------------------------------------------------------------
set_profile false '["/bin/sleep","1000"]'
check "create lsn-ex" cinch create --bundle "$b" lsn-ex
check "start lsn-ex" cinch start lsn-ex
init_pid=$(cinch state lsn-ex | jq -r .pid)
n=$((n + 1))
check_eq "create lsn-ex: the agent got the init's document" "$n $init_pid creating" \
	"$(njson) $(json $n .pid) $(json $n .state.status)"
out=$(cinch exec lsn-ex /bin/cinch-checker syscall mkdir /tmp/y 2>&1)
check_eq "exec: mkdir answers the agent's errno" "errno=$AGENT_ERRNO" \
	"$(echo "$out" | grep -o 'errno=[0-9]*')"
n=$((n + 1))
check_eq "exec: the agent got a second document" "$n" "$(njson)"
exec_pid=$(json $n .pid)
check_eq "exec: state is the container's (id, init pid, running), fds and metadata" \
	"lsn-ex $init_pid running [\"seccompFd\"] lsn-meta" \
	"$(json $n '"\(.state.id) \(.state.pid) \(.state.status) \(.fds | tojson) \(.metadata)"')"
if [ "$exec_pid" != "$init_pid" ] && grep -q "^pid=$exec_pid " "$LOG.notif"; then
	ok "exec: pid is the exec'd process's, which made the notified call"
else
	not_ok "exec: pid is the exec'd process's (json pid $exec_pid, init $init_pid)"
	sed 's/^/#   /' "$LOG.notif"
fi
check_eq "exec: the refused mkdir made nothing (/tmp/y does not exist)" \
	"1" "$(cinch exec lsn-ex /bin/sh -c 'test -e /tmp/y; echo $?' 2>&1)"
cinch kill lsn-ex KILL >/dev/null 2>&1
for _ in $(seq 1 100); do
	[ "$(cinch state lsn-ex 2>/dev/null | jq -r .status)" = stopped ] && break
	sleep 0.05
done
check "delete lsn-ex" cinch delete lsn-ex

# --- failures --------------------------------------------------------------
# nothing_left ID: no state dir and no cgroup directory named after ID.
nothing_left() {
	[ ! -e "$STATE_ROOT/$1" ] &&
		[ -z "$(find /sys/fs/cgroup -maxdepth 4 -name "*$1*" 2>/dev/null | head -1)" ]
}
set_profile false "$MKDIR" "$TEST_TMP/nobody.sock"
check_fails "a listenerPath nobody listens on fails create" \
	"linux.seccomp.listenerPath \($TEST_TMP/nobody.sock\): connect: " \
	cinch create --bundle "$b" lsn-nobody
check "... and leaves no state dir and no cgroup behind" nothing_left lsn-nobody

: >"$TEST_TMP/plain-file"
set_profile true "$MKDIR" "$TEST_TMP/plain-file"
check_fails "a listenerPath that is no socket fails create (late install point)" \
	"linux.seccomp.listenerPath \($TEST_TMP/plain-file\): connect: " \
	cinch create --bundle "$b" lsn-nosock
check "... and leaves nothing behind" nothing_left lsn-nosock

set_profile false "$MKDIR" ""
check_fails "SCMP_ACT_NOTIFY without listenerPath is refused (as runc)" \
	"linux.seccomp.listenerPath: not set" cinch create --bundle "$b" lsn-nolistener
check "... and leaves nothing behind" nothing_left lsn-nolistener

set_profile false "$MKDIR"
set_config "$b" '.linux.seccomp.syscalls += [{names: ["sendmsg"], action: "SCMP_ACT_NOTIFY"}]'
check_fails "SCMP_ACT_NOTIFY on sendmsg (the hand-off) is refused" \
	"syscalls\[1\]: SCMP_ACT_NOTIFY cannot be used for sendmsg" \
	cinch create --bundle "$b" lsn-sendmsg
check "... and leaves nothing behind" nothing_left lsn-sendmsg

set_profile false '["/bin/true"]' "$TEST_TMP/nobody.sock"
set_config "$b" '.linux.seccomp.syscalls[0].action = "SCMP_ACT_ERRNO"'
check "a listenerPath is unused (nobody is called) when no rule notifies" \
	cinch run --bundle "$b" lsn-nonotify

set_profile false "$MKDIR"
set_config "$b" '.linux.seccomp.listenerPath = "relative.sock"'
check_fails "a relative listenerPath is refused" \
	"linux.seccomp.listenerPath \(relative.sock\): must be an absolute path" \
	cinch create --bundle "$b" lsn-relative

finish
