# SPDX-License-Identifier: Apache-2.0
# podman (conmon) with `--runtime cinch`, the name registered in
# containers.conf [engine.runtimes] and listed in runtime_supports_json.
# podman passes no --root, so the runtime keeps its state in its default root.
# Sourced by test_engines.sh after e2e_up.

e2e_podman() { timeout -k 5 "$E2E_CMD_TIMEOUT" podman --runtime cinch "$@"; }

podman_tests() {
	local IMG=localhost/e2e/busybox:latest out cid pid rc

	check_eq "podman --runtime cinch run --rm: output" hi "$(e2e_podman run --rm $IMG echo hi 2>&1)"
	check "podman run: /run/.containerenv is visible under the policy's /run tmpfs" \
		e2e_podman run --rm $IMG test -f /run/.containerenv
	check_eq "podman run -i: stdin reaches the container" from-stdin \
		"$(echo from-stdin | e2e_podman run -i --rm $IMG cat 2>&1)"
	check_rc "podman run: exit code 3" 3 e2e_podman run --rm $IMG sh -c 'exit 3'
	check_rc "podman run: missing binary gives 127" 127 e2e_podman run --rm $IMG /nonexistent
	check_match "podman run: missing binary: the runtime's error reaches the user" \
		'/nonexistent.*(no such file or directory|executable file not found|command that was not found)' "$(cat "$E2E_LAST")"
	# The sleep keeps the container alive until the attach has drained the
	# terminal: podman 4.3 sometimes drops the output of an instant exit.
	out=$(timeout 60 script -qec "podman --runtime cinch run -it --rm $IMG sh -c 'tty; sleep 1; exit 4'" /dev/null 2>&1)
	rc=$?
	check_match "podman run -it: a terminal" '(^|[^0-9a-z])/dev/pts/[0-9]+' "$(tr -d '\r' <<<"$out")"
	check_eq "podman run -it: exit code 4" 4 "$rc"

	cid=$(e2e_podman run -d --name e2e-p1 $IMG sleep 1000 2>"$E2E_LAST")
	if [ -z "$cid" ]; then
		not_ok "podman run -d"
		sed 's/^/#   /' "$E2E_LAST"
		return
	fi
	ok "podman run -d"
	check_eq "podman inspect: OCIRuntime is cinch" cinch "$(podman inspect -f '{{.OCIRuntime}}' e2e-p1 2>&1)"
	check_eq "the runtime under test holds the container (default root)" running \
		"$("$E2E_RUNTIME" state "$cid" 2>/dev/null | jq -r .status)"
	pid=$(podman inspect -f '{{.State.Pid}}' e2e-p1)
	local cg=/libpod_parent/libpod-$cid
	[ "$E2E_CGROUP_DRIVER" = systemd ] && cg=/machine.slice/libpod-$cid.scope
	check_eq "the container's cgroup is the one podman asked for ($E2E_CGROUP_DRIVER driver)" "$cg" \
		"$(e2e_cg "$pid" path 2>&1)"
	check_eq "podman exec: output" from-exec "$(e2e_podman exec e2e-p1 echo from-exec 2>&1)"
	check_rc "podman exec: exit code 5" 5 e2e_podman exec e2e-p1 sh -c 'exit 5'
	out=$(timeout 60 script -qec "podman --runtime cinch exec -it e2e-p1 tty" /dev/null 2>&1)
	check_match "podman exec -it: a terminal" '(^|[^0-9a-z])/dev/pts/[0-9]+' "$(tr -d '\r' <<<"$out")"
	check "podman pause" e2e_podman pause e2e-p1
	check_eq "podman pause: status paused" paused "$(podman inspect -f '{{.State.Status}}' e2e-p1)"
	check_eq "podman pause: the container's cgroup is frozen" FROZEN "$(e2e_cg "$pid" frozen 2>&1)"
	check "podman unpause" e2e_podman unpause e2e-p1
	check "podman stop -t 1" e2e_podman stop -t 1 e2e-p1
	check_eq "podman stop: status exited" exited "$(podman inspect -f '{{.State.Status}}' e2e-p1)"
	if kill -0 "$pid" 2>/dev/null; then not_ok "podman stop: the process is gone"; else
		ok "podman stop: the process is gone"
	fi
	check "podman start" e2e_podman start e2e-p1
	check_eq "podman start: exec works again" again "$(e2e_podman exec e2e-p1 echo again 2>&1)"
	check "podman rm -f" e2e_podman rm -f -t 0 e2e-p1
	check_eq "podman rm -f: gone from podman ps -a" "" "$(podman ps -aq --filter name=e2e-p1)"
	if "$E2E_RUNTIME" state "$cid" >/dev/null 2>&1; then
		not_ok "podman rm -f: the runtime's state is deleted"
	else ok "podman rm -f: the runtime's state is deleted"; fi

	e2e_hardening podman 'cinch: policy restricted refused: capabilities: CAP_SYS_ADMIN is not allowed' e2e_podman $IMG
}

podman_tests
