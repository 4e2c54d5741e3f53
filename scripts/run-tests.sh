#!/bin/bash
# Runs every test suite and prints one closing line "N passed, N failed".
#   scripts/run-tests.sh [unit] [fuzz] [integration] [e2e]
#   (default: all four; CINCH_E2E=0 leaves out e2e)
#   TESTS=<glob> limits integration/e2e scripts, e.g. TESTS='test_seccomp*'
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD
san=${SAN_BUILD:-build-san}
logs=$top/build/test-logs
mkdir -p "$logs"
passed=0 failed=0 skipped=0
failures=()

suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
	suites=(unit fuzz integration e2e)
	# CINCH_E2E=0 leaves out the engine end-to-end suite (Docker,
	# containerd/CRI, podman, and the systemd VM), e.g. for a quick local run.
	[ "${CINCH_E2E:-1}" = 0 ] && suites=(unit fuzz integration)
fi

run_unit() {
	local name cmd envs out p f
	while IFS=$'\t' read -r name cmd envs; do
		out=$logs/unit-$name.log
		# shellcheck disable=SC2086
		env $envs $cmd >"$out" 2>&1
		local rc=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
		if [ -z "$p$f" ]; then # not cmocka: a TAP test (the Python ones)
			p=$(grep -c '^ok ' "$out") f=$(grep -c '^not ok ' "$out")
		fi
		p=${p:-0} f=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; fi # crashed before its summary
		passed=$((passed + p)) failed=$((failed + f))
		printf 'unit %-12s %3d passed %3d failed\n' "$name" "$p" "$f"
		[ "$f" -gt 0 ] && failures+=("unit/$name (see $out)") && grep -E '^\[  (FAILED|ERROR)|Assert|ERROR' "$out" | head -20
	done < <(meson introspect "$san" --tests |
		jq -r '.[] | [.name, (.cmd | join(" ")), (.env | to_entries | map("\(.key)=\(.value)") | join(" "))] | @tsv')
}

run_scripts() { # suite dir
	local suite=$1 dir=$2 t name out p f s
	for t in "$dir"/${TESTS:-test_*}.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		out=$logs/$suite-$name.log
		bash "$t" >"$out" 2>&1
		local rc=$?
		p=$(grep -c '^ok ' "$out" | tr -d ' ')
		s=$(grep -c '^ok .*# SKIP' "$out" | tr -d ' ')
		f=$(grep -c '^not ok ' "$out" | tr -d ' ')
		p=$((p - s))
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "not ok - $name exited $rc" >>"$out"; fi
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
		printf '%-11s %-32s %3d passed %3d failed %3d skipped\n' "$suite" "$name" "$p" "$f" "$s"
		[ "$f" -gt 0 ] && failures+=("$suite/$name (see $out)") && grep -E '^not ok|^#' "$out" | head -30
	done
}

for suite in "${suites[@]}"; do
	case $suite in
	unit) run_unit ;;
	fuzz)
		# The spec loader under libFuzzer for a bounded time (FUZZ_SECONDS).
		if FUZZ_SECONDS=${FUZZ_SECONDS:-30} tests/fuzz/run.sh >"$logs/fuzz.log" 2>&1; then
			passed=$((passed + 1))
			echo "fuzz        spec loader                        1 passed   0 failed"
		else
			failed=$((failed + 1))
			failures+=("fuzz (see $logs/fuzz.log)")
			tail -20 "$logs/fuzz.log"
		fi
		;;
	integration | e2e)
		if [ "$(id -u)" -ne 0 ]; then
			echo "$suite: needs root, not run"
			failed=$((failed + 1))
			failures+=("$suite (not root)")
		else
			run_scripts "$suite" "tests/$suite"
		fi
		;;
	*) echo "unknown suite $suite" >&2 && exit 2 ;;
	esac
done

if [ ${#failures[@]} -gt 0 ]; then
	printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
