#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `cinch exec` as engines call it: the process joins every namespace and the
# cgroup of the container's init, gets the container's confinement (caps
# never beyond its bounding set, seccomp, no_new_privs), goes through the
# host policy at the container's level, exits with runc's codes, runs
# detached as a child of the caller (reaped by the subreaper, like a shim),
# gets a pty inside the container over --console-socket, and is refused
# cleanly for unknown, stopped and paused containers. Also the process
# features create and exec share: execCPUAffinity, ioPriority, HOME.
. "$(dirname "$0")/lifecycle-lib.sh"
require_root

RESTRICTED_POLICY=$TOP/profiles/policy/restricted.json
checker_in() { cinch exec "$1" /bin/cinch-checker "${@:2}"; }
field() { grep -m1 "^$1=" | cut -d= -f2-; } # field NAME <checker output
host_ns() { stat -L -c %i "/proc/$1/ns/$2"; }

if [ ! -x "$CHECKER" ]; then
	echo "1..0 # SKIP checker not built ($CHECKER)"
	exit 0
fi

b=$(core_bundle exec)
set_config "$b" '.process.args=["/bin/sleep","1000"] | .process.env += ["FROM_CONFIG=1"]'
check "a container to exec into runs" cinch run -d --bundle "$b" x1 </dev/null
ipid=$(pid_of x1)

# --- namespaces and cgroup -------------------------------------------------------
ns=$(checker_in x1 ns)
for t in net uts ipc pid mnt; do
	check_eq "exec joins the init's $t namespace" "$(host_ns "$ipid" $t)" "$(field $t <<<"$ns")"
done
check_eq "exec'd process is in the init's pid namespace (pid_for_children)" \
	"$(host_ns "$ipid" pid)" "$(field pid_for_children <<<"$ns")"
check "exec does not run in the host's mount namespace" \
	test "$(field mnt <<<"$ns")" != "$(stat -L -c %i /proc/self/ns/mnt)"
rm -f "$TEST_TMP/cg.pid"
cinch exec -d --pid-file "$TEST_TMP/cg.pid" x1 /bin/sleep 30
epid=$(cat "$TEST_TMP/cg.pid" 2>/dev/null)
check_eq "exec'd process is in the init's cgroups (every hierarchy)" \
	"$(cat /proc/"$ipid"/cgroup)" "$(cat /proc/"$epid"/cgroup 2>&1)"
check_eq "pid file holds the pid without a newline" "0" "$(tail -c1 "$TEST_TMP/cg.pid" | tr -d '0-9' | wc -c)"
check "the pid in the pid file is a host pid in the container" \
	test "$(readlink /proc/"$epid"/ns/pid)" = "$(readlink /proc/"$ipid"/ns/pid)"
kill -9 "$epid" 2>/dev/null

# Before Linux 5.8 setns takes no pidfd: the /proc/<pid>/ns fds are the fallback.
SECCOMP_DENY=${SECCOMP_DENY:-$(dirname "$CINCH")/tests/integration/helpers/seccomp-deny}
if [ -x "$SECCOMP_DENY" ]; then
	# pid|net|ipc|uts|mnt: the flags exec passes with the pidfd for this bundle
	# shellcheck disable=SC2086
	ns=$("$SECCOMP_DENY" setns:EINVAL:0x6C020000 -- "$CINCH" --root "$STATE_ROOT" $CINCH_ARGS exec x1 /bin/cinch-checker ns 2>&1)
	check_eq "without pidfd setns, exec joins the init's net namespace by fd" "$(host_ns "$ipid" net)" "$(field net <<<"$ns")"
	check_eq "without pidfd setns, exec joins the init's pid namespace by fd" "$(host_ns "$ipid" pid)" "$(field pid <<<"$ns")"
	check_eq "without pidfd setns, exec joins the init's mnt namespace by fd" "$(host_ns "$ipid" mnt)" "$(field mnt <<<"$ns")"
else
	skip "setns fallback without pidfd" "helper seccomp-deny not built"
fi
memcg=/sys/fs/cgroup/memory/cinch-it/x1
if [ -d "$memcg" ]; then
	mkdir "$memcg/sub"
	check_eq "--cgroup memory:sub runs the process in that sub-cgroup" ":memory:/cinch-it/x1/sub" \
		"$(cinch exec --cgroup memory:sub x1 cat /proc/self/cgroup | grep -o ':memory:.*')"
	check_eq "--cgroup: the other hierarchies stay the container's" ":pids:/cinch-it/x1" \
		"$(cinch exec --cgroup memory:sub x1 cat /proc/self/cgroup | grep -o ':pids:.*')"
	rmdir "$memcg/sub"
else
	skip "--cgroup memory:sub" "no v1 memory hierarchy"
fi
check_fails "--cgroup may not climb out of the container's cgroup" 'must stay below' \
	cinch exec --cgroup memory:../other x1 true

# --- process attributes ----------------------------------------------------------
st=$(checker_in x1 status)
check_eq "exec'd process gets the container's capabilities" \
	"$(awk '/^CapEff/{print $2}' /proc/"$ipid"/status)" "$(field CapEff <<<"$st")"
check_eq "exec'd process gets the container's bounding set" \
	"$(awk '/^CapBnd/{print $2}' /proc/"$ipid"/status)" "$(field CapBnd <<<"$st")"
check_eq "env comes from the container's process plus --env" "1 2" \
	"$(cinch exec -e FOO=1 -e FOO=2 x1 sh -c 'echo $FROM_CONFIG $FOO')"
check_eq "--cwd applies" "/tmp" "$(cinch exec --cwd /tmp x1 pwd)"
check_eq "--user uid:gid and --additional-gids apply" "1000 1000 1000 5 7" \
	"$(cinch exec -u 1000:1000 -g 5 -g 7 x1 sh -c 'echo $(id -u) $(id -g) $(id -G)')"
check_eq "no_new_privs off unless asked" "0" "$(checker_in x1 status | field NoNewPrivs)"
check_eq "--no-new-privs sets NoNewPrivs" "1" "$(cinch exec --no-new-privs x1 /bin/cinch-checker status | field NoNewPrivs)"
# CAP_SYS_ADMIN is bit 21; the container's bounding set lacks it.
eff=$(cinch exec --cap CAP_SYS_ADMIN x1 /bin/cinch-checker status | field CapEff)
check "--cap beyond the container's bounding set is not granted (privileged policy)" \
	test -n "$eff" -a $((0x${eff:-0} >> 21 & 1)) -eq 0
check_eq "HOME for root comes from the container's /etc/passwd" "/root" "$(cinch exec x1 sh -c 'echo $HOME')"
check_eq "HOME for uid 1000 comes from the container's /etc/passwd" "/home/user" "$(cinch exec -u 1000 x1 sh -c 'echo $HOME')"
check_eq "HOME for a uid not in /etc/passwd is /" "/" "$(cinch exec -u 4242 x1 sh -c 'echo $HOME')"
check_eq "a HOME in env is kept" "/elsewhere" "$(cinch exec -e HOME=/elsewhere x1 sh -c 'echo $HOME')"
# (the checker's own directory fd, if it lists one, is the last and not inherited)
check_eq "fds: only stdio reaches the exec'd process" "fd.0 fd.1 fd.2" \
	"$(checker_in x1 fds 3>/dev/null 9>/dev/null | cut -d= -f1 | head -3 | tr '\n' ' ' | sed 's/ $//')"
check_eq "fds: the caller's fds above 2 do not reach it" "" \
	"$(checker_in x1 fds 3>/dev/null 9>/dev/null | grep -E '^fd\.(3|9)=/dev/null')"
cinch exec --preserve-fds 1 x1 sh -c 'echo via-fd3 >&3' 3>"$TEST_TMP/fd3"
check_eq "--preserve-fds passes fd 3 through" "via-fd3" "$(cat "$TEST_TMP/fd3")"

# --- the engines' process files ----------------------------------------------------
cat >"$TEST_TMP/proc.json" <<'EOF'
{"user":{"uid":1000,"gid":1000,"additionalGids":[1000]},"args":["sh","-c","id -u; pwd; echo $FOO"],
 "env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin","FOO=bar"],"cwd":"/tmp","capabilities":{},
 "noNewPrivileges":true,"oomScoreAdj":1000}
EOF
check_eq "--process FILE (CRI ExecSync shape) runs as given" "1000 /tmp bar" \
	"$(cinch exec --process "$TEST_TMP/proc.json" x1 | tr '\n' ' ' | sed 's/ $//')"
jq '.args=["/bin/cinch-checker","status"]' "$TEST_TMP/proc.json" >"$TEST_TMP/proc2.json"
st=$(cinch exec --process "$TEST_TMP/proc2.json" x1)
check_eq "process file with capabilities {} gives no capabilities" "0000000000000000" "$(field CapEff <<<"$st")"
check_eq "process file noNewPrivileges applies" "1" "$(field NoNewPrivs <<<"$st")"
check_eq "process file oomScoreAdj applies" "1000" "$(field oom_score_adj <<<"$st")"
check_fails "--process with a command line is refused" 'mutually exclusive' \
	cinch exec --process "$TEST_TMP/proc.json" x1 true

# --- exit codes ------------------------------------------------------------------
cinch exec x1 true
check_eq "exit code 0" "0" "$?"
cinch exec x1 sh -c 'exit 3'
check_eq "exit code 3 propagates" "3" "$?"
cinch exec x1 nosuchcmd >"$TEST_TMP/e127" 2>&1
check_eq "missing program: exit 127" "127" "$?"
check "missing program: runc's message" grep -q 'exec: "nosuchcmd": executable file not found in \$PATH' "$TEST_TMP/e127"
cinch exec x1 /nonexistent >"$TEST_TMP/e127b" 2>&1
check_eq "missing absolute path: exit 127" "127" "$?"
check "missing absolute path: no such file or directory" grep -q 'no such file or directory' "$TEST_TMP/e127b"
cinch exec x1 /etc/passwd >"$TEST_TMP/e126" 2>&1
check_eq "non-executable program: exit 126" "126" "$?"
check "non-executable program: permission denied" grep -q 'permission denied' "$TEST_TMP/e126"
cinch exec x1 sh -c 'kill -9 $$'
check_eq "killed by SIGKILL: exit 137" "137" "$?"
# shellcheck disable=SC2086
"$CINCH" --root "$STATE_ROOT" $CINCH_ARGS exec x1 sleep 30 &
fg=$!
for _ in $(seq 1 100); do
	[ -n "$(ps -o pid= --ppid "$fg")" ] && break
	sleep 0.05
done
kill -TERM "$fg"
wait "$fg"
check_eq "SIGTERM to cinch is forwarded to the exec'd process (exit 143)" "143" "$?"

# --- detach: the process is a child of the caller -----------------------------------
: >"$CINCH_REAP_LOG"
cinch exec -d --pid-file "$TEST_TMP/d.pid" x1 sh -c 'sleep 0.3; exit 7'
check_eq "exec --detach returns 0" "0" "$?"
dpid=$(cat "$TEST_TMP/d.pid")
for _ in $(seq 1 100); do
	grep -q "^$dpid " "$CINCH_REAP_LOG" && break
	sleep 0.05
done
check_eq "the detached process was reaped by the caller's subreaper with its status" "$dpid 7" \
	"$(grep "^$dpid " "$CINCH_REAP_LOG")"
check_fails "a tty with --detach needs --console-socket" 'console-socket' cinch exec -d -t x1 true

# --- terminal ----------------------------------------------------------------------
sock=$TEST_TMP/console.sock
python3 "$HELPERS/console_receiver.py" "$sock" "$TEST_TMP/tty.out" >"$TEST_TMP/recv.ready" &
recv=$!
for _ in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.05; done
cinch exec -d -t --console-socket "$sock" --pid-file "$TEST_TMP/t.pid" x1 sh -c 'tty; echo exec-tty-ok'
check_eq "exec -t --console-socket --detach returns 0" "0" "$?"
wait "$recv"
check "the pty master arrives over the console socket" grep -q 'fd-received tty=True' "$TEST_TMP/tty.out"
check "the process's terminal is a pty of the container's devpts" grep -q '^/dev/pts/[0-9]' "$TEST_TMP/tty.out"
check "the process's output comes through the pty" grep -q 'exec-tty-ok' "$TEST_TMP/tty.out"
out=$(cinch exec -t x1 sh -c 'tty; echo proxied' </dev/null)
check "exec -t without a socket proxies the terminal" grep -q proxied <<<"$out"
check "the proxied terminal is a pty of the container" grep -q '^/dev/pts/' <<<"$out"

# --- concurrency -----------------------------------------------------------------
for i in 1 2 3 4 5; do
	cinch exec x1 sh -c "echo par-$i" >"$TEST_TMP/par.$i" 2>&1 &
done
wait
n=0
for i in 1 2 3 4 5; do grep -qx "par-$i" "$TEST_TMP/par.$i" && n=$((n + 1)); done
check_eq "5 concurrent execs on one container all run" "5" "$n"

# --- seccomp, user namespace --------------------------------------------------------
sb=$(core_bundle exec-sc)
set_config "$sb" '.process.args=["/bin/sleep","1000"] | .process.noNewPrivileges=true |
	.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}'
check "a container with a seccomp filter runs" cinch run -d --bundle "$sb" sc1 </dev/null
st=$(checker_in sc1 status)
check_eq "exec'd process has the container's seccomp filter" "2" "$(field Seccomp <<<"$st")"
check_eq "the filter denies what the container's profile denies" "1" \
	"$(checker_in sc1 syscall personality | field errno)"
check_eq "exec'd process inherits the container's noNewPrivileges" "1" "$(field NoNewPrivs <<<"$st")"
cinch delete --force sc1 >/dev/null 2>&1

ub=$(core_bundle exec-user)
set_config "$ub" '.process.args=["/bin/sleep","1000"] | .linux.namespaces += [{"type":"user"}] |
	.linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}] |
	.linux.gidMappings=[{"containerID":0,"hostID":100000,"size":65536}]'
chown -R 100000:100000 "$ub/rootfs"
chmod 755 "$TEST_TMP" "$TEST_TMP/bundles" "$ub"
if cinch run -d --bundle "$ub" us1 </dev/null >"$TEST_TMP/us1.out" 2>&1; then
	upid=$(pid_of us1)
	ns=$(checker_in us1 ns)
	check_eq "exec joins the init's user namespace" "$(host_ns "$upid" user)" "$(field user <<<"$ns")"
	check_eq "exec in a user namespace: mnt too" "$(host_ns "$upid" mnt)" "$(field mnt <<<"$ns")"
	cinch exec -d --pid-file "$TEST_TMP/u.pid" -u 1000 us1 /bin/sleep 30
	check_eq "uid 1000 in the container is host uid 101000" "101000" \
		"$(awk '/^Uid/{print $2}' /proc/"$(cat "$TEST_TMP/u.pid")"/status)"
	kill -9 "$(cat "$TEST_TMP/u.pid")" 2>/dev/null
	cinch delete --force us1 >/dev/null 2>&1
else
	not_ok "a user-namespace container runs"
	sed 's/^/#   /' "$TEST_TMP/us1.out"
fi

# --- execCPUAffinity, ioPriority (create and exec) -------------------------------------
if [ "$(nproc)" -ge 2 ]; then
	jq '.args=["/bin/cinch-checker","sched"] | .execCPUAffinity={"initial":"0","final":"1"}' \
		"$TEST_TMP/proc.json" >"$TEST_TMP/aff.json"
	check_eq "exec: execCPUAffinity.final is the affinity the program runs with" "1" \
		"$(cinch exec --process "$TEST_TMP/aff.json" x1 | field affinity)"
	ab=$(core_bundle aff)
	set_config "$ab" '.process.args=["/bin/cinch-checker","sched"] | .process.execCPUAffinity={"initial":"0","final":"1"}'
	check_eq "create: execCPUAffinity.final applies" "1" "$(cinch run --bundle "$ab" aff1 | field affinity)"
	set_config "$ab" '.process.execCPUAffinity={"initial":"9999"}'
	check_fails "an invalid execCPUAffinity is refused naming the field" 'execCPUAffinity.initial' cinch run --bundle "$ab" aff2
else
	skip "execCPUAffinity" "needs 2 CPUs"
fi
jq '.args=["/bin/cinch-checker","ioprio"] | .ioPriority={"class":"IOPRIO_CLASS_BE","priority":3}' \
	"$TEST_TMP/proc.json" >"$TEST_TMP/io.json"
io=$(cinch exec --process "$TEST_TMP/io.json" x1)
check_eq "exec: ioPriority class applies" "IOPRIO_CLASS_BE" "$(field class <<<"$io")"
check_eq "exec: ioPriority priority applies" "3" "$(field priority <<<"$io")"
ib=$(core_bundle ioprio)
set_config "$ib" '.process.args=["/bin/cinch-checker","ioprio"] | .process.ioPriority={"class":"IOPRIO_CLASS_IDLE","priority":0}'
check_eq "create: ioPriority applies" "IOPRIO_CLASS_IDLE" "$(cinch run --bundle "$ib" io1 | field class)"
hb=$(core_bundle home)
set_config "$hb" '.process.args=["/bin/sh","-c","echo $HOME"] | .process.user={"uid":1000,"gid":1000}'
check_eq "create: HOME from the container's /etc/passwd" "/home/user" "$(cinch run --bundle "$hb" h1)"

# --- policy ----------------------------------------------------------------------
rcinch() { "$CINCH" --root "$STATE_ROOT" --policy "$RESTRICTED_POLICY" "$@"; }
pb=$(core_bundle exec-policy)
set_config "$pb" '.process.args=["/bin/sleep","1000"] | .linux.cgroupsPath="/cinch-it/rp1"'
check "a container under the restricted policy runs" rcinch run -d --bundle "$pb" rp1 </dev/null
check_eq "restricted: exec -u 0 is rewritten to a non-root uid" "65534" "$(rcinch exec -u 0 rp1 id -u)"
st=$(rcinch exec rp1 /bin/cinch-checker status)
check_eq "restricted: exec'd process has no_new_privs" "1" "$(field NoNewPrivs <<<"$st")"
check_eq "restricted: exec'd process has the container's seccomp filter" "2" "$(field Seccomp <<<"$st")"
rcinch exec --cap CAP_SYS_ADMIN rp1 sh -c "touch /tmp/ran" >"$TEST_TMP/pol.out" 2>&1
check "restricted: exec --cap CAP_SYS_ADMIN fails" test $? -ne 0
check_eq "restricted: the refusal's summary is the last line" \
	"cinch: policy restricted refused: capabilities: CAP_SYS_ADMIN is not allowed" \
	"$(tail -n1 "$TEST_TMP/pol.out" | sed 's/ (.*//')"
check "restricted: nothing ran after the refusal" test ! -e "$pb/rootfs/tmp/ran"
jq '.args=["id","-u"] | .user={"uid":0,"gid":0} | .capabilities={"bounding":["CAP_SYS_ADMIN"],"effective":["CAP_SYS_ADMIN"],"permitted":["CAP_SYS_ADMIN"]}' \
	"$TEST_TMP/proc.json" >"$TEST_TMP/priv.json"
check_fails "restricted: a docker exec --privileged style process is refused" 'policy restricted refused' \
	rcinch exec --process "$TEST_TMP/priv.json" rp1
rcinch delete --force rp1 >/dev/null 2>&1

# --- created (not started) container ---------------------------------------------
cb=$(core_bundle exec-created)
set_config "$cb" '.process.args=["/bin/sleep","1000"]'
check "a created container" cinch create --bundle "$cb" cr1 </dev/null
check_eq "exec into a created container runs in its namespaces" "$(host_ns "$(pid_of cr1)" uts)" \
	"$(checker_in cr1 ns | field uts)"
check_eq "the created container stays created" "created" "$(status_of cr1)"
cinch delete --force cr1 >/dev/null 2>&1

# --- refusals --------------------------------------------------------------------
check_fails "exec into an unknown container fails" 'container nosuch does not exist' cinch exec nosuch true
cinch pause x1
check_fails "exec into a paused container fails" 'paused.*--ignore-paused' cinch exec x1 true
check "exec --ignore-paused into a paused container starts the process" \
	cinch exec -d --ignore-paused --pid-file "$TEST_TMP/ip.pid" x1 sh -c 'echo thawed >/tmp/ip'
cinch resume x1
for _ in $(seq 1 100); do [ -e "$b/rootfs/tmp/ip" ] && break; sleep 0.05; done
check "the process started while paused runs once resumed" test -e "$b/rootfs/tmp/ip"
kill -9 "$ipid"
wait_status x1 stopped
check_fails "exec after the init died fails cleanly" 'stopped container x1' cinch exec x1 true
check_eq "a failed exec leaves the container's state as it was" "stopped" "$(status_of x1)"
zb=$(core_bundle exec-zombie)
set_config "$zb" '.process.args=["/bin/sleep","1000"] | .linux.cgroupsPath="/cinch-it/z1"'
# shellcheck disable=SC2086
out=$(B=$zb python3 "$HELPERS/zombie_init.py" z1 exec z1 true -- "$CINCH" --root "$STATE_ROOT" $CINCH_ARGS)
check_eq "exec while the init is a zombie (dead, not reaped) fails cleanly" \
	"rc=1 cinch: cannot exec in a stopped container z1" "$out"
cinch delete x1 >/dev/null 2>&1
check_fails "exec into a deleted container fails" 'does not exist' cinch exec x1 true
finish
