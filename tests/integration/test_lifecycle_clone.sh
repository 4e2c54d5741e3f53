#!/bin/bash
# Without clone3 (older kernels, valgrind, a seccomp profile that answers
# ENOSYS) cinch falls back to clone and still creates the container.
. "$(dirname "$0")/lib.sh"
require_root
SECCOMP_DENY=${SECCOMP_DENY:-$TOP/build/tests/integration/helpers/seccomp-deny}
NO_CLONE3=("$SECCOMP_DENY" clone3 --)

b=$(make_bundle noclone3)
set_config "$b" '.process.args=["/bin/sh","-c","echo inside; exit 7"]'
"${NO_CLONE3[@]}" "$CINCH" --root "$STATE_ROOT" run --bundle "$b" nc1 >"$TEST_TMP/out" 2>&1
rc=$?
check_eq "run without clone3 exits with the container's status" 7 "$rc"
check "the container's process ran" grep -q '^inside$' "$TEST_TMP/out"
"${NO_CLONE3[@]}" "$CINCH" --root "$STATE_ROOT" create --bundle "$b" nc2 >"$TEST_TMP/out2" 2>&1
check "create without clone3 leaves a created container" \
	sh -c "'$CINCH' --root '$STATE_ROOT' state nc2 | grep -q '\"created\"'"

# stage1 is born in the unified hierarchy's cgroup (clone3 CLONE_INTO_CGROUP)
# or, without clone3, joins it after fork: the same membership either way.
cinch create --bundle "$b" nc3
for id in nc2 nc3; do
	pid=$(cinch state "$id" | jq .pid)
	how="with clone3 into the cgroup"
	[ "$id" = nc2 ] && how="without clone3"
	check_eq "$how: the init is in the container's memory cgroup" ":memory:/cinch/$id" \
		"$(grep -o ':memory:.*' "/proc/$pid/cgroup")"
	if grep -q ' /sys/fs/cgroup/unified cgroup2 ' /proc/self/mounts; then
		check_eq "$how: the init is in the container's unified cgroup" "0::/cinch/$id" \
			"$(grep '^0::' "/proc/$pid/cgroup")"
	fi
	cinch delete --force "$id" >/dev/null 2>&1
done
check "deleting them leaves no unified cgroup" test ! -e /sys/fs/cgroup/unified/cinch/nc3

# The point of both: the parent never writes stage1's pid to a cgroup.procs
# (that write waits for an RCU grace period), on v1 or in the unified
# hierarchy; stage1 writes "0" or is born there.
if command -v strace >/dev/null; then
	for how in "with clone3" "without clone3"; do
		wrap=()
		[ "$how" = "without clone3" ] && wrap=("${NO_CLONE3[@]}")
		# run, not create: strace -f waits for every traced process to exit.
		strace -f -qq -e trace=write -e signal=none -o "$TEST_TMP/nc5.trace" \
			"${wrap[@]}" "$CINCH" --root "$STATE_ROOT" run --bundle "$b" nc5 >/dev/null 2>&1
		check_eq "run under strace $how: the container ran" 7 "$?"
		# A write whose data is the pid of one of the traced processes.
		check_eq "$how: no process writes another's pid to a cgroup file, only \"0\"" "" \
			"$(awk '{ pids[$1] = 1 } /write\([0-9]+, "[0-9]+"/ {
				d = $0; sub(/^[^"]*"/, "", d); sub(/".*/, "", d); w[NR] = d; line[NR] = $0 }
			END { for (i in w) if (w[i] in pids) print line[i] }' "$TEST_TMP/nc5.trace" | head -3)"
	done
else
	skip "no process writes another's pid to a cgroup file" "strace not installed"
fi

# exec's stage1 gets in the same ways. Inside the container's cgroup
# namespace its own cgroup reads "/"; anywhere else it would read "/..".
set_config "$b" '.process.args=["/bin/sleep","30"]'
cinch run -d --bundle "$b" nc4
check_eq "exec with clone3: the process is in the container's cgroups" "0::/ :memory:/" \
	"$(cinch exec nc4 /bin/sh -c 'grep -o -e "^0::.*" -e ":memory:.*" /proc/self/cgroup' | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "exec without clone3: the process is in the container's cgroups" "0::/ :memory:/" \
	"$("${NO_CLONE3[@]}" "$CINCH" --root "$STATE_ROOT" exec nc4 /bin/sh -c 'grep -o -e "^0::.*" -e ":memory:.*" /proc/self/cgroup' | sort | tr '\n' ' ' | sed 's/ $//')"
cinch delete --force nc4 >/dev/null 2>&1
finish
