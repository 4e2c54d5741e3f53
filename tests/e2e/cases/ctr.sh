# SPDX-License-Identifier: Apache-2.0
# containerd's own client: `ctr run --runc-binary RUNTIME --runc-root ROOT`
# (the runc v2 shim running the runtime under test, no CRI involved).
# Sourced by test_engines.sh after e2e_up.

ctr_tests() {
	local IMG=docker.io/e2e/busybox:latest out i st
	local C=(ctr -a "$CTRD_SOCK" -n default)
	local RB=(--runc-binary "$E2E_RUNTIME" --runc-root "$CTR_RUNTIME_ROOT")
	# The shim appends the namespace to --runc-root.
	local ROOT=$CTR_RUNTIME_ROOT/default

	check_eq "ctr run --rm --runc-binary: output" hi \
		"$(timeout 60 "${C[@]}" run --rm "${RB[@]}" $IMG e2e-c1 echo hi 2>&1)"
	check_rc "ctr run: exit code 3" 3 "${C[@]}" run --rm "${RB[@]}" $IMG e2e-c2 sh -c 'exit 3'
	out=$(timeout 60 script -qec "ctr -a $CTRD_SOCK -n default run --rm --tty --runc-binary $E2E_RUNTIME --runc-root $CTR_RUNTIME_ROOT $IMG e2e-c3 sh -c 'tty; sleep 1'" /dev/null 2>&1)
	check_match "ctr run --tty: a terminal" '(^|[^0-9a-z])/dev/pts/[0-9]+' "$(tr -d '\r' <<<"$out")"

	check "ctr run -d" "${C[@]}" run -d "${RB[@]}" $IMG e2e-c4 sleep 1000
	st=$("$E2E_RUNTIME" --root "$ROOT" state e2e-c4 2>&1 | jq -r .status 2>&1)
	check_eq "the runtime under test holds the task (state: running, --root from --runc-root)" running "$st"
	check_eq "ctr task exec: output" from-exec \
		"$(timeout 60 "${C[@]}" task exec --exec-id e1 e2e-c4 echo from-exec 2>&1)"
	check_match "ctr task ps: the task's pid" '^[1-9][0-9]*' \
		"$(timeout 30 "${C[@]}" task ps e2e-c4 2>&1 | sed -n 2p)"
	check "ctr task pause" "${C[@]}" task pause e2e-c4
	check_match "ctr task pause: PAUSED" 'e2e-c4 +[0-9]+ +PAUSED' "$("${C[@]}" task ls 2>&1)"
	check "ctr task resume" "${C[@]}" task resume e2e-c4
	check_match "ctr task resume: RUNNING" 'e2e-c4 +[0-9]+ +RUNNING' "$("${C[@]}" task ls 2>&1)"
	check "ctr task kill -s SIGKILL" "${C[@]}" task kill -s SIGKILL e2e-c4
	for ((i = 0; i < 50; i++)); do
		"${C[@]}" task ls 2>/dev/null | grep -Eq 'e2e-c4 +[0-9]+ +STOPPED' && break
		sleep 0.2
	done
	check_match "ctr task kill: STOPPED" 'e2e-c4 +[0-9]+ +STOPPED' "$("${C[@]}" task ls 2>&1)"
	check "ctr task delete" "${C[@]}" task delete e2e-c4
	check "ctr container rm" "${C[@]}" container rm e2e-c4
	if "$E2E_RUNTIME" --root "$ROOT" state e2e-c4 >/dev/null 2>&1; then
		not_ok "ctr task delete: the runtime's state is deleted"
	else ok "ctr task delete: the runtime's state is deleted"; fi
}

ctr_tests
