# SPDX-License-Identifier: Apache-2.0
# Docker through the runtime registered as "cinch" (daemon.json "runtimes").
# Sourced by test_engines.sh after e2e_up. Every command here is one a user
# runs (docs/docker.md shows the same ones); the checks read the result from
# the engine, from inside the container, and from the host (cgroup files,
# the runtime's own state under Docker's exec-root).

# docker with --runtime=cinch on run/create, under a timeout.
e2e_docker() {
	local sub=$1
	shift
	case $sub in
	run | create) set -- "$sub" --runtime=cinch "$@" ;;
	*) set -- "$sub" "$@" ;;
	esac
	timeout -k 5 "$E2E_CMD_TIMEOUT" docker "$@"
}

# The runtime under test's view of a container Docker runs (its --root is
# <exec-root>/runtime-runc/moby, private to this run).
docker_rt_status() { "$E2E_RUNTIME" --root "$DOCKER_RUNTIME_ROOT" state "$1" 2>/dev/null | jq -r .status; }

# wait_for SECONDS CMD...: until CMD succeeds (state changes are asynchronous).
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
}

docker_tests() {
	local IMG=e2e/busybox out cid pid pid2 cg

	check_match "docker info lists the runtime cinch" '"cinch"' \
		"$(docker info --format '{{json .Runtimes}}' 2>&1)"

	# --- one-shot runs, exit codes, stdin, tty
	check_eq "docker run --rm --runtime=cinch: output" "hi" "$(e2e_docker run --rm $IMG echo hi 2>&1)"
	check_eq "runtime with runtimeArgs (dockerd's sh wrapper) runs too" "args-ok" \
		"$(timeout 60 docker run --rm --runtime=cinch-args $IMG echo args-ok 2>&1)"
	if cinch_only "runtimeArgs --policy baseline: Docker's CAP_CHOWN stays (restricted drops it)"; then
		local chown_bit=$(((1 << 0)))
		local cap_default cap_args
		cap_default=$(e2e_docker run --rm $IMG awk '/^CapEff/{print $2}' /proc/self/status 2>&1)
		cap_args=$(timeout 60 docker run --rm --runtime=cinch-args $IMG awk '/^CapEff/{print $2}' /proc/self/status 2>&1)
		if [ -n "$cap_args" ] && [ $((0x$cap_args & chown_bit)) -ne 0 ] &&
			[ -n "$cap_default" ] && [ $((0x$cap_default & chown_bit)) -eq 0 ]; then
			ok "runtimeArgs --policy baseline: Docker's CAP_CHOWN stays (restricted drops it)"
		else
			not_ok "runtimeArgs --policy baseline: Docker's CAP_CHOWN stays (restricted drops it)"
			diag "CapEff default: $cap_default, with --policy baseline: $cap_args"
		fi
	fi
	# A volume beneath /tmp stays visible under the tmpfs a read-only root
	# policy adds at /tmp.
	local vol
	vol=$(mktemp -d) && chmod 755 "$vol" && echo from-host >"$vol/marker"
	check_eq "docker run -v DIR:/tmp/data: the volume is visible" from-host \
		"$(e2e_docker run --rm -v "$vol:/tmp/data:ro" $IMG cat /tmp/data/marker 2>&1)"
	rm -rf "$vol"
	check_eq "docker run -i: stdin reaches the container" "from-stdin" \
		"$(echo from-stdin | e2e_docker run -i --rm $IMG cat 2>&1)"
	check_rc "docker run: exit code 0" 0 e2e_docker run --rm $IMG true
	check_rc "docker run: exit code 3" 3 e2e_docker run --rm $IMG sh -c 'exit 3'
	check_rc "docker run: missing binary gives 127" 127 e2e_docker run --rm $IMG /nonexistent
	check_match "docker run: missing binary: the runtime's error reaches the user" \
		'OCI runtime create failed: .*/nonexistent.*(no such file or directory|executable file not found)' "$(cat "$E2E_LAST")"
	# (the sleep lets the attach drain the terminal before the exit)
	out=$(timeout 60 script -qec "docker run -it --rm --runtime=cinch $IMG sh -c 'tty; sleep 1; exit 4'" /dev/null 2>&1)
	local rc=$?
	check_match "docker run -it: the container gets a terminal" '(^|[^0-9a-z])/dev/pts/[0-9]+' "$(tr -d '\r' <<<"$out")"
	check_eq "docker run -it: exit code 4" 4 "$rc"

	# --- a long-running container through its whole life
	cid=$(e2e_docker run -d --name e2e-d1 $IMG sleep 1000 2>"$E2E_LAST")
	if [ -z "$cid" ]; then
		not_ok "docker run -d"
		sed 's/^/#   /' "$E2E_LAST"
		return
	fi
	ok "docker run -d"
	check_eq "docker inspect: HostConfig.Runtime is cinch" cinch \
		"$(docker inspect -f '{{.HostConfig.Runtime}}' e2e-d1)"
	check_eq "the runtime under test holds the container (state: running)" running "$(docker_rt_status "$cid")"
	pid=$(docker inspect -f '{{.State.Pid}}' e2e-d1)
	check_match "docker inspect: a host pid" '^[1-9][0-9]*$' "$pid"

	check_eq "docker exec: output" "from-exec" "$(e2e_docker exec e2e-d1 echo from-exec 2>&1)"
	check_rc "docker exec: exit code 5" 5 e2e_docker exec e2e-d1 sh -c 'exit 5'
	check_eq "docker exec -u 1000 -w /tmp -e FOO=bar" "1000 /tmp bar" \
		"$(e2e_docker exec -u 1000 -w /tmp -e FOO=bar e2e-d1 sh -c 'echo $(id -u) $(pwd) $FOO' 2>&1)"
	out=$(timeout 60 script -qec "docker exec -it e2e-d1 tty" /dev/null 2>&1)
	check_match "docker exec -it: a terminal" '(^|[^0-9a-z])/dev/pts/[0-9]+' "$(tr -d '\r' <<<"$out")"

	check_match "docker top: the container's process" 'sleep 1000' "$(e2e_docker top e2e-d1 2>&1)"
	check_match "docker stats --no-stream: pids counted from the container's cgroup" '^[1-9]' \
		"$(e2e_docker stats --no-stream --format '{{.PIDs}}' e2e-d1 2>&1)"

	if [ "$E2E_CGROUP_DRIVER" = systemd ]; then cg=/system.slice/docker-$cid.scope; else cg=/docker/$cid; fi
	check_eq "the container's cgroup is the one Docker asked for ($E2E_CGROUP_DRIVER driver)" "$cg" \
		"$(e2e_cg "$pid" path 2>&1)"
	check "docker update --memory 64m --memory-swap 128m" \
		e2e_docker update --memory 64m --memory-swap 128m e2e-d1
	check_eq "docker update: memory limit of the container's cgroup" 67108864 "$(e2e_cg "$pid" memory 2>&1)"
	check "docker update --pids-limit 77" e2e_docker update --pids-limit 77 e2e-d1
	check_eq "docker update: pids.max of the container's cgroup" 77 "$(e2e_cg "$pid" pids 2>&1)"

	check "docker pause" e2e_docker pause e2e-d1
	check_eq "docker pause: status paused" paused "$(docker inspect -f '{{.State.Status}}' e2e-d1)"
	check_eq "docker pause: the container's cgroup is frozen" FROZEN "$(e2e_cg "$pid" frozen 2>&1)"
	check_eq "docker pause: runtime state paused" paused "$(docker_rt_status "$cid")"
	check "docker unpause" e2e_docker unpause e2e-d1
	check_eq "docker unpause: the cgroup is thawed" THAWED "$(e2e_cg "$pid" frozen 2>&1)"
	check_eq "docker unpause: status running" running "$(docker inspect -f '{{.State.Status}}' e2e-d1)"

	check "docker stop -t 1" e2e_docker stop -t 1 e2e-d1
	check_eq "docker stop: status exited" exited "$(docker inspect -f '{{.State.Status}}' e2e-d1)"
	if kill -0 "$pid" 2>/dev/null; then not_ok "docker stop: the container's process is gone"; else
		ok "docker stop: the container's process is gone"
	fi
	check "docker restart -t 1" e2e_docker restart -t 1 e2e-d1
	pid2=$(docker inspect -f '{{.State.Pid}}' e2e-d1)
	check_match "docker restart: running again with a new pid" "^running [1-9][0-9]* new$" \
		"$(docker inspect -f '{{.State.Status}}' e2e-d1) $pid2 $([ "$pid2" != "$pid" ] && echo new)"
	check_eq "docker restart: exec works" "after-restart" "$(e2e_docker exec e2e-d1 echo after-restart 2>&1)"
	check "docker rm -f" e2e_docker rm -f e2e-d1
	check_eq "docker rm -f: gone from docker ps -a" "" "$(docker ps -aq --filter name=e2e-d1)"
	if "$E2E_RUNTIME" --root "$DOCKER_RUNTIME_ROOT" state "$cid" >/dev/null 2>&1; then
		not_ok "docker rm -f: the runtime's state is deleted"
	else ok "docker rm -f: the runtime's state is deleted"; fi
	if wait_for 10 sh -c "! kill -0 $pid2"; then ok "docker rm -f: the process is gone"; else
		not_ok "docker rm -f: the process is gone"
	fi

	# A signal reaches the container's init through the runtime's kill.
	e2e_docker run -d --name e2e-d2 $IMG sh -c 'trap "exit 7" USR1; while :; do sleep 0.2; done' >/dev/null 2>&1
	wait_for 10 sh -c "docker top e2e-d2 | grep -q sleep"
	check "docker kill -s USR1" e2e_docker kill -s USR1 e2e-d2
	check_eq "docker kill -s USR1: the trap ran (exit 7)" 7 "$(timeout 30 docker wait e2e-d2 2>&1)"
	e2e_docker rm -f e2e-d2 >/dev/null 2>&1

	e2e_hardening docker 'OCI runtime create failed: cinch: policy restricted refused: capabilities: CAP_SYS_ADMIN is not allowed' e2e_docker $IMG
}

docker_tests
