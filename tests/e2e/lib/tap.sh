# SPDX-License-Identifier: Apache-2.0
# TAP helpers for the engine end-to-end tests, in the style of
# tests/integration/lib.sh (kept separate because the e2e harness owns its
# own EXIT trap and temp dir). Every engine command runs under `timeout` so
# a wedged daemon fails one test instead of hanging the suite.
#
#   check DESC CMD...            ok if CMD exits 0 (output in $E2E_LAST)
#   check_fails DESC RE CMD...   ok if CMD exits non-zero and output matches RE
#   check_rc DESC RC CMD...      ok if CMD exits with status RC
#   check_eq DESC WANT GOT       ok if the strings are equal
#   check_match DESC RE GOT      ok if GOT matches the extended regex RE
#   skip DESC REASON             "ok N - DESC # SKIP REASON"
#   cinch_only DESC              true when cinch-only checks run, else prints a SKIP
tap_n=0
tap_failed=0
E2E_CMD_TIMEOUT=${E2E_CMD_TIMEOUT:-120}

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)) tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP ${2:-}"; }
diag() { printf '# %s\n' "$@"; }

# Shell functions cannot run under timeout(1); external commands do.
_run() {
	if [ "$(type -t "$1")" = function ]; then "$@"; else timeout -k 5 "$E2E_CMD_TIMEOUT" "$@"; fi
}

_show_last() { sed 's/^/#   /' "$E2E_LAST" | head -${1:-15}; }

check() {
	local desc=$1
	shift
	if _run "$@" >"$E2E_LAST" 2>&1; then ok "$desc"; else
		not_ok "$desc (exit $?)"
		_show_last
	fi
}

check_fails() {
	local desc=$1 pattern=$2
	shift 2
	if _run "$@" >"$E2E_LAST" 2>&1; then
		not_ok "$desc (unexpected success)"
		_show_last 5
	elif grep -Eq -- "$pattern" "$E2E_LAST"; then ok "$desc"; else
		not_ok "$desc (output does not match /$pattern/)"
		_show_last 10
	fi
}

check_rc() {
	local desc=$1 want=$2 rc=0
	shift 2
	_run "$@" >"$E2E_LAST" 2>&1 || rc=$?
	if [ "$rc" = "$want" ]; then ok "$desc"; else
		not_ok "$desc (exit $rc, want $want)"
		_show_last 10
	fi
}

check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1"
		diag "expected: $2" "actual:   $3"
	fi
}

check_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then ok "$1"; else
		not_ok "$1"
		diag "expected to match: $2" "actual: $(printf '%s' "$3" | head -5)"
	fi
}

# Policy checks only mean something when the registered runtime is cinch:
# with runc they would (correctly) fail, so they are reported as skipped.
cinch_only() {
	if [ "$E2E_IS_CINCH" = 1 ]; then return 0; fi
	skip "$1" "cinch-only (E2E_RUNTIME=$E2E_RUNTIME is not cinch)"
	return 1
}

finish() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
