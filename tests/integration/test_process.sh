#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The container process: stdio passed through unchanged, env, cwd, user and
# groups, umask, rlimits (lowering works, raising fails clearly), oomScoreAdj,
# personality, scheduler, noNewPrivileges, args[0] lookup inside the rootfs
# with runc's error phrases, --preserve-fds, the console socket, and hooks in
# the right namespaces and order.
. "$(dirname "$0")/lifecycle-lib.sh"
require_root

b=$(core_bundle proc)
run_sh() { # ID SCRIPT [extra jq]
	set_config "$b" ".process.args=[\"/bin/sh\",\"-c\",$(jq -Rn --arg s "$2" '$s')] ${3:-}"
	cinch run --bundle "$b" "$1"
}

# --- stdio ------------------------------------------------------------------
echo "from-stdin" >"$TEST_TMP/in"
run_sh io1 'cat; echo to-stderr >&2' <"$TEST_TMP/in" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
check_eq "stdin reaches the container, stdout comes back" "from-stdin" "$(cat "$TEST_TMP/out")"
check "stderr comes back" grep -qx to-stderr "$TEST_TMP/err"
# The caller's stdout pipe itself is the container's fd 1 (no copy in between).
out=$(run_sh io2 'readlink /proc/self/fd/1' | cat)
check "stdout is the caller's pipe itself" bash -c "[[ '$out' == pipe:* ]]"

# --- env, cwd, args lookup ----------------------------------------------------
check_eq "env is exactly process.env" "bar|" "$(run_sh e1 'echo "$FOO|$HOSTNAME_UNSET"' '| .process.env += ["FOO=bar"]')"
check_eq "cwd is process.cwd" "/tmp" "$(run_sh c1 'pwd' '| .process.cwd="/tmp"')"
check_eq "a missing cwd is created" "/new/dir" "$(run_sh c2 'pwd' '| .process.cwd="/new/dir"')"
set_config "$b" '.process.args=["sh","-c","echo found-in-path"] | .process.cwd="/"'
check_eq "args[0] is looked up in process.env PATH inside the rootfs" "found-in-path" "$(cinch run --bundle "$b" p1)"
set_config "$b" '.process.args=["/etc/passwd"]'
check_fails "non-executable args[0]: permission denied at create" 'exec: "/etc/passwd": permission denied' cinch create --bundle "$b" p2
check "nothing left after permission denied" no_leftovers p2 "$b"
set_config "$b" '.process.args=["/bin"]'
check_fails "a directory as args[0]: permission denied" 'permission denied' cinch create --bundle "$b" p3
set_config "$b" '.process.args=["/nonexistent"]'
check_fails "missing args[0]: runc's stat message" 'exec: "/nonexistent": stat /nonexistent: no such file or directory' cinch create --bundle "$b" p4
set_config "$b" '.process.args=["nosuchcmd"]'
check_fails "missing in PATH: runc's message" 'exec: "nosuchcmd": executable file not found in \$PATH' cinch create --bundle "$b" p5
check "nothing left after missing binary" no_leftovers p5 "$b"

# --- user, groups, umask -------------------------------------------------------
check_eq "uid/gid/additionalGids applied" "1000 1000 1000 5" \
	"$(run_sh u1 'echo $(id -u) $(id -g) $(id -G)' '| .process.user={"uid":1000,"gid":1000,"additionalGids":[5]}')"
check_eq "umask applied" "0027" "$(run_sh u2 'umask' '| .process.user={"uid":0,"gid":0,"umask":23}')"
check_eq "noNewPrivileges sets NoNewPrivs" "1" "$(run_sh n1 'grep NoNewPrivs /proc/self/status | tr -dc 0-9' '| .process.noNewPrivileges=true')"
check_eq "without noNewPrivileges NoNewPrivs is 0" "0" "$(run_sh n2 'grep NoNewPrivs /proc/self/status | tr -dc 0-9' '| .process.noNewPrivileges=false')"

# --- rlimits, oomScoreAdj --------------------------------------------------------
check_eq "rlimit lowering works (soft:hard)" "100:200" \
	"$(run_sh r1 'echo $(ulimit -n):$(ulimit -Hn)' '| .process.rlimits=[{"type":"RLIMIT_NOFILE","soft":100,"hard":200}]')"
hard=$(ulimit -Hn)
set_config "$b" ".process.args=[\"/bin/true\"] | .process.rlimits=[{\"type\":\"RLIMIT_NOFILE\",\"soft\":$((hard + 1)),\"hard\":$((hard + 1))}]"
check_fails "rlimit raising above the hard limit fails naming the rlimit" 'RLIMIT_NOFILE: operation not permitted.*CAP_SYS_RESOURCE' cinch create --bundle "$b" r2
check "nothing left after the rlimit failure" no_leftovers r2 "$b"
set_config "$b" '.process.args=["/bin/true"] | .process.rlimits=[{"type":"RLIMIT_BOGUS","soft":1,"hard":1}]'
check_fails "unknown rlimit type is refused" 'unknown type RLIMIT_BOGUS' cinch create --bundle "$b" r3
set_config "$b" 'del(.process.rlimits)'
check_eq "oomScoreAdj raising works" "500" "$(run_sh o1 'cat /proc/self/oom_score_adj' '| .process.oomScoreAdj=500')"
set_config "$b" '.process.args=["/bin/true"] | .process.oomScoreAdj=-998'
capbnd=$(awk '/CapBnd/{print "0x"$2}' /proc/self/status)
if [ $((capbnd >> 24 & 1)) -eq 0 ]; then # no CAP_SYS_RESOURCE (this VM)
	check_fails "oomScoreAdj lowering without CAP_SYS_RESOURCE fails clearly" 'oomScoreAdj: permission denied' cinch create --bundle "$b" o2
	check "nothing left after the oomScoreAdj failure" no_leftovers o2 "$b"
else
	skip "oomScoreAdj lowering failure" "this host has CAP_SYS_RESOURCE"
fi
set_config "$b" 'del(.process.oomScoreAdj)'

# --- personality, scheduler ------------------------------------------------------
check_eq "personality LINUX32 applies" "i686" "$(run_sh pe1 'uname -m' '| .linux.personality={"domain":"LINUX32"}')"
set_config "$b" 'del(.linux.personality)'
check_eq "scheduler SCHED_BATCH applies" "3" \
	"$(run_sh s1 'sed -n "s/^policy *: *//p" /proc/self/sched' '| .process.scheduler={"policy":"SCHED_BATCH","nice":5}')"
check_eq "scheduler nice applies" "5" "$(run_sh s2 'cut -d" " -f19 /proc/self/stat' '| .process.scheduler={"policy":"SCHED_OTHER","nice":5}')"
set_config "$b" 'del(.process.scheduler)'

# --- --preserve-fds ------------------------------------------------------------
run_sh pf1 'echo via-fd3 >&3' '| .process.cwd="/"' 3>"$TEST_TMP/fd3" >/dev/null 2>&1
check_eq "fd 3 is closed without --preserve-fds" "" "$(cat "$TEST_TMP/fd3")"
set_config "$b" '.process.args=["/bin/sh","-c","echo via-fd3 >&3"]'
cinch run --preserve-fds 1 --bundle "$b" pf2 3>"$TEST_TMP/fd3"
check_eq "--preserve-fds 1 passes fd 3" "via-fd3" "$(cat "$TEST_TMP/fd3")"
set_config "$b" '.process.args=["/bin/sh","-c","ls /proc/self/fd | tr \"\\n\" \" \""]'
check_eq "--preserve-fds=1 passes only fd 3 of 3,4" "0 1 2 3 " "$(cinch run --preserve-fds=1 --bundle "$b" pf3 3>/dev/null 4>/dev/null | sed 's/[0-9]* $//')"

# --- console socket ----------------------------------------------------------------
set_config "$b" '.process.terminal=true | .process.args=["/bin/sh","-c","tty; echo on-the-tty"]'
check_fails "terminal without --console-socket is refused at create" 'console-socket' cinch create --bundle "$b" t0
check "nothing left after the console refusal" no_leftovers t0 "$b"
sock=$TEST_TMP/console.sock
python3 "$HELPERS/console_receiver.py" "$sock" "$TEST_TMP/console.out" >"$TEST_TMP/recv.log" 2>&1 &
recv=$!
for _ in $(seq 1 100); do grep -q ready "$TEST_TMP/recv.log" 2>/dev/null && break; sleep 0.05; done
check "create with --console-socket" cinch create --bundle "$b" --console-socket "$sock" t1
check "start the tty container" cinch start t1
wait $recv
check "the receiver got a pty master over SCM_RIGHTS" grep -q '^fd-received tty=True' "$TEST_TMP/console.out"
check "the container's stdout is the pty" grep -q '^/dev/pts/0' "$TEST_TMP/console.out"
check "output arrives through the pty" grep -q 'on-the-tty' "$TEST_TMP/console.out"
wait_status t1 stopped
check "delete t1" cinch delete t1
set_config "$b" '.process.args=["/bin/sh","-c","tty; read x; echo got:$x; exit 5"]'
out=$(echo hello | cinch run --bundle "$b" t3)
check_eq "foreground run with a terminal proxies the pty (exit code kept)" "5" "$?"
check "the proxied container has a pty as stdin" grep -q '^/dev/pts/0' <<<"$out"
check "input reaches the container through the pty" grep -q 'got:hello' <<<"$out"
check "nothing left after the proxied run" no_leftovers t3 "$b"
set_config "$b" '.process.terminal=false'
check_fails "--console-socket without process.terminal is refused" 'process.terminal is false' cinch create --bundle "$b" --console-socket "$sock" t2

# --- hooks -----------------------------------------------------------------------
log=$TEST_TMP/hooks.log
cat >"$TEST_TMP/hook.sh" <<'EOF'
#!/bin/sh
st=$(cat)
echo "$1 status=$(echo "$st" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p') id=$(echo "$st" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p') net=$(readlink /proc/self/ns/net) env=$HOOKENV" >>"$2"
EOF
chmod +x "$TEST_TMP/hook.sh"
h=$TEST_TMP/hook.sh
hook() { echo "{\"path\":\"$h\",\"args\":[\"hook\",\"$1\",\"$log\"],\"env\":[\"HOOKENV=$1\"],\"timeout\":10}"; }
set_config "$b" ".process.args=[\"/bin/sh\",\"-c\",\"readlink /proc/self/ns/net > /tmp/netns\"] | .hooks={\"prestart\":[$(hook prestart)],\"createRuntime\":[$(hook createRuntime)],\"createContainer\":[$(hook createContainer)],\"poststart\":[$(hook poststart)],\"poststop\":[$(hook poststop)],\"startContainer\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"echo startContainer > /tmp/started\"]}]}"
check "create with all hook kinds" cinch create --bundle "$b" hk1
check_eq "createRuntime, prestart, createContainer ran at create, in order" "createRuntime prestart createContainer" "$(cut -d' ' -f1 "$log" | tr '\n' ' ' | sed 's/ $//')"
check "poststart and startContainer not yet run" test ! -e "$b/rootfs/tmp/started"
check "start" cinch start hk1
wait_status hk1 stopped
host_net=$(readlink /proc/self/ns/net)
ctr_net=$(cat "$b/rootfs/tmp/netns")
check "prestart ran in the runtime (host) network namespace" grep -qF "prestart status=creating id=hk1 net=$host_net env=prestart" "$log"
check "createRuntime got state JSON on stdin" grep -qF "createRuntime status=creating id=hk1 net=$host_net" "$log"
check "createContainer ran in the container's network namespace" grep -qF "createContainer status=creating id=hk1 net=$ctr_net" "$log"
check "startContainer ran inside the container" grep -qx startContainer "$b/rootfs/tmp/started"
check "poststart ran after start" grep -qF "poststart status=running id=hk1 net=$host_net" "$log"
check "delete hk1" cinch delete hk1
check "poststop ran at delete" grep -q "^poststop status=stopped id=hk1" "$log"
# A hook may itself ask the runtime for the state (no deadlock on the lock).
set_config "$b" ".process.args=[\"/bin/true\"] | .hooks={\"prestart\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"'$CINCH' --root '$STATE_ROOT' state hkS > '$TEST_TMP/hkS.json'\"],\"timeout\":10}]}"
check "a prestart hook calling 'cinch state' does not deadlock" cinch run --bundle "$b" hkS
check_eq "it saw the container being created" creating "$(jq -r .status "$TEST_TMP/hkS.json")"
set_config "$b" '.process.args=["/bin/true"] | .hooks={"createRuntime":[{"path":"/bin/sleep","args":["sleep","30"],"timeout":1}]}'
check_fails "a hook past its timeout fails create" 'hooks.createRuntime\[0\] /bin/sleep: timed out after 1s' cinch create --bundle "$b" hk2
check "nothing left after the hook timeout" no_leftovers hk2 "$b"
set_config "$b" '.hooks={"createContainer":[{"path":"/bin/sh","args":["sh","-c","echo hook-said-no >&2; exit 3"]}]}'
check_fails "a failing createContainer hook fails create with its output" 'createContainer\[0\] /bin/sh: exit status 3: hook-said-no' cinch create --bundle "$b" hk3
check "nothing left after the createContainer failure" no_leftovers hk3 "$b"

finish
