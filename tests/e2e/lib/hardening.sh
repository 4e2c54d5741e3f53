# SPDX-License-Identifier: Apache-2.0
# The hardening cinch's default policy must make visible through an engine,
# checked the same way for Docker and podman (the CRI test has its own,
# through ExecSync). Expected only with cinch: with runc every check is
# reported as "# SKIP" (runc would, correctly, fail them).
#
#   e2e_hardening LABEL REFUSAL_RE ENGINE_FN IMAGE
#     ENGINE_FN: a function taking "run|exec|inspect|rm" ARGS... that calls
#     the engine with the runtime under test selected (under a timeout).
#     REFUSAL_RE: how the engine shows the runtime's refusal.
#
# What the default policy promises (README: dropped capabilities, read-only
# root, seccomp, no_new_privs, non-root user): the values below.
E2E_HARDENING_CHECKS=(
	"NoNewPrivs is 1 in the container"
	"Seccomp is 2 (filter) in the container"
	"CapEff has neither CAP_NET_RAW nor CAP_SYS_ADMIN"
	"the container process has a non-root uid on the host (ps -o uid)"
	"the root filesystem is read-only (touch / fails)"
	"an exec'd process has NoNewPrivs 1 and Seccomp 2"
	"a config the policy refuses (--cap-add SYS_ADMIN) fails with cinch's one-line reason"
)

_status_field() { awk -v f="$1:" '$1 == f {print $2}'; }

e2e_hardening() {
	local label=$1 refusal_re=$2 eng=$3 img=$4 d st cid pid uid capeff
	if [ "$E2E_IS_CINCH" != 1 ]; then
		for d in "${E2E_HARDENING_CHECKS[@]}"; do
			skip "$label: $d" "cinch-only (E2E_RUNTIME=$E2E_RUNTIME is not cinch)"
		done
		return 0
	fi
	st=$($eng run --rm "$img" cat /proc/self/status 2>&1)
	check_eq "$label: ${E2E_HARDENING_CHECKS[0]}" 1 "$(_status_field NoNewPrivs <<<"$st")"
	check_eq "$label: ${E2E_HARDENING_CHECKS[1]}" 2 "$(_status_field Seccomp <<<"$st")"
	capeff=$(_status_field CapEff <<<"$st")
	if [ -n "$capeff" ] && [ $((0x$capeff & ((1 << 13) | (1 << 21)))) -eq 0 ]; then
		ok "$label: ${E2E_HARDENING_CHECKS[2]}"
	else
		not_ok "$label: ${E2E_HARDENING_CHECKS[2]}"
		diag "CapEff: ${capeff:-<none>}"
	fi
	cid=$($eng run -d "$img" sleep 300 2>/dev/null)
	pid=$($eng inspect -f '{{.State.Pid}}' "$cid" 2>/dev/null)
	uid=$(ps -o uid= -p "${pid:-0}" 2>/dev/null | tr -d ' ')
	if [ -n "$uid" ] && [ "$uid" != 0 ]; then ok "$label: ${E2E_HARDENING_CHECKS[3]}"; else
		not_ok "$label: ${E2E_HARDENING_CHECKS[3]}"
		diag "container $cid pid ${pid:-?} host uid ${uid:-?}"
	fi
	check_fails "$label: ${E2E_HARDENING_CHECKS[4]}" 'Read-only file system|Permission denied' \
		$eng run --rm "$img" touch /cinch-e2e-probe
	st=$($eng exec "$cid" cat /proc/self/status 2>&1)
	check_eq "$label: ${E2E_HARDENING_CHECKS[5]}" "1 2" \
		"$(_status_field NoNewPrivs <<<"$st") $(_status_field Seccomp <<<"$st")"
	[ -n "$cid" ] && $eng rm -f "$cid" >/dev/null 2>&1
	# One line naming the reason, decoded from the runtime's --log JSON by the
	# engine (a malformed log shows up as "unable to retrieve OCI runtime error").
	local out
	out=$($eng run --rm --cap-add SYS_ADMIN "$img" true 2>&1)
	local rc=$?
	if [ $rc -ne 0 ] && grep -Eq -- "$refusal_re" <<<"$out" &&
		! grep -q 'unable to retrieve OCI runtime error' <<<"$out"; then
		ok "$label: ${E2E_HARDENING_CHECKS[6]}"
		diag "$label refusal: $(grep -E -- "$refusal_re" <<<"$out" | head -1)"
	else
		not_ok "$label: ${E2E_HARDENING_CHECKS[6]}"
		diag "exit $rc" "$(head -5 <<<"$out")"
	fi
}
