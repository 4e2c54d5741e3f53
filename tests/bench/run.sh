#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `make bench`: times cinch, crun and runc in ONE interleaved run on the same
# busybox bundle and machine, and writes $BENCH_OUT/results.json (default
# build/bench/). Scenarios: run+delete; create/start/delete; both again with
# a Docker-equivalent hardened config (cinch: its default `restricted`
# policy); run+delete at concurrency 1/2/8; peak RSS (wait4 rusage);
# instructions for `create` (perf if the CPU counter exists, else callgrind).
# A runtime that is missing or fails a smoke run is skipped with the reason.
# It runs inside a private mount namespace: on a hybrid-cgroup host every
# runtime sees the same v1-only /sys/fs/cgroup (crun refuses hybrid mode).
# Knobs: BENCH_ITERATIONS (50), BENCH_WARMUP (3), BENCH_CONC_CONTAINERS (50),
# BENCH_CONC_LEVELS ("1 2 8"), BENCH_CONC_ROUNDS (5), BENCH_TIMEOUT (30 s per
# command), BENCH_CALLGRIND_REPS (3), BENCH_SCENARIOS ("run split hard conc
# instr"), BENCH_SECCOMP (auto|cinch|generated), CINCH, CRUN, RUNC,
# BENCH_OUT. Exit 0 unless the harness broke.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$TOP/tests/bench
OUT=${BENCH_OUT:-$TOP/build/bench}
N=${BENCH_ITERATIONS:-50}
WARMUP=${BENCH_WARMUP:-3}
CONC_TOTAL=${BENCH_CONC_CONTAINERS:-50}
CONC_LEVELS=${BENCH_CONC_LEVELS:-1 2 8}
CONC_ROUNDS=${BENCH_CONC_ROUNDS:-5}
TIMEOUT=${BENCH_TIMEOUT:-30}
CG_REPS=${BENCH_CALLGRIND_REPS:-3}
SCENARIOS=${BENCH_SCENARIOS:-run split hard conc instr}
CINCH=${CINCH:-$TOP/build/cinch}
CRUN=${CRUN:-$(command -v crun || echo crun)}
RUNC=${RUNC:-$(command -v runc || echo runc)}
DRIVER=$OUT/bench-driver

say() { printf 'bench: %s\n' "$*" >&2; }
fatal() { say "$*"; exit 2; }

# ---- outside the namespace: checks, driver build, re-exec ------------------
if [ -z "${BENCH_IN_NS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || fatal "needs root (containers, mount namespace)"
	for t in cc jq unshare findmnt busybox; do
		command -v "$t" >/dev/null || fatal "$t not found (make deps)"
	done
	mkdir -p "$OUT"
	stale=0
	for src in "$HERE"/driver.c "$HERE"/driver-proc.c "$HERE"/driver.h; do
		[ "$src" -nt "$DRIVER" ] && stale=1
	done
	if [ ! -x "$DRIVER" ] || [ $stale = 1 ]; then
		cc -O2 -Wall -Wextra -Werror -o "$DRIVER" "$HERE/driver.c" "$HERE/driver-proc.c" ||
			fatal "driver build failed"
	fi
	export BENCH_IN_NS=1
	exec unshare --mount --propagation private -- bash "${BASH_SOURCE[0]}" "$@"
fi

# ---- inside: workspace, cleanup --------------------------------------------
TMP=$(mktemp -d /tmp/cinch-bench.XXXXXX)
declare -A ROW_SPEC ROW_STATUS ROW_DESC
ROWS=()
on_exit() {
	local rc=$? d label id
	set +e
	trap - EXIT INT TERM
	for d in "$TMP"/state/*; do
		[ -d "$d" ] || continue
		label=${d##*/}
		IFS='|' read -r -a a <<<"${ROW_SPEC[$label]:-}"
		[ "${#a[@]}" -ge 3 ] || continue
		for id in "$d"/*; do
			[ -e "$id" ] || continue
			"$DRIVER" exec -t 10 -l "$TMP/cleanup.log" -- "${a[2]}" --root "$d" \
				delete --force "${id##*/}" >/dev/null 2>&1
		done
	done
	# Runtimes name v1 cgroups after the container id; every id starts "cb-".
	find /sys/fs/cgroup -mindepth 2 -maxdepth 2 -type d -name 'cb-*' -exec rmdir {} + 2>/dev/null
	umount -R -l "$TMP" 2>/dev/null
	rm -rf "$TMP"
	exit "$rc"
}
trap on_exit EXIT
trap 'say "interrupted, cleaning up"; exit 130' INT TERM
mount -t tmpfs -o mode=700,size=512m cinch-bench "$TMP"
mkdir -p "$TMP/state" "$TMP/work" "$TMP/cg" "$OUT"
# The container init dumps its callgrind counts here just before exec, by
# then as the non-root user cinch's restricted policy sets.
chmod 1777 "$TMP/cg"
rm -f "$OUT/samples.jsonl" "$OUT"/*.log
SAMPLES=$OUT/samples.jsonl

# ---- cgroup view (a v1-only view on hybrid hosts) -------------------------
. "$HERE/cgroup-view.sh"
cgroup_view
say "cgroups: $CG_VIEW"

# ---- bundles -------------------------------------------------------------------
. "$HERE/bundle.sh"
make_bench_bundles "$TMP"
B_PLAIN=$TMP/bundles/plain
B_HARD=$TMP/bundles/hardened
say "seccomp for the hardened config: $SECCOMP_SOURCE"

# ---- rows (one per runtime x config), smoke runs --------------------------------
add_row() { # label bundle description prog [global args...]
	local label=$1 bundle=$2 desc=$3 prog=$4 spec
	shift 4
	spec="$label|$bundle|$prog|--root|$TMP/state/$label"
	for a in "$@"; do spec+="|$a"; done
	ROW_SPEC[$label]=$spec
	ROW_DESC[$label]=$desc
	ROWS+=("$label")
}
version_of() { "$1" --version 2>/dev/null | head -1 || true; }

smoke() { # label: runs the smoke bundle, which prints a marker
	local label=$1 spec smoke_bundle log out
	IFS='|' read -r -a a <<<"${ROW_SPEC[$label]}"
	if [ ! -x "${a[2]}" ]; then
		ROW_STATUS[$label]="failed smoke run: ${a[2]} not found or not executable"
		return
	fi
	smoke_bundle=${a[1]}-smoke
	log=$OUT/smoke-$label.log
	out=$("$DRIVER" exec -t "$TIMEOUT" -l "$log" -- "${a[@]:2}" run --bundle "$smoke_bundle" \
		"cb-smoke-$label" 2>&1) || true
	"$DRIVER" exec -t 10 -l "$log" -- "${a[@]:2}" delete --force "cb-smoke-$label" \
		>/dev/null 2>&1 || true
	if [ "$(jq -r .rc <<<"$out" 2>/dev/null)" = 0 ] && grep -q '^cinch-bench-smoke-ok$' "$log"; then
		ROW_STATUS[$label]=ok
	else
		local why
		why=$(grep -v -e '^cinch-bench-smoke-ok$' -e '^$' "$log" 2>/dev/null | tail -1 | cut -c1-200 || true)
		local rc
		rc=$(jq -r .rc <<<"$out" 2>/dev/null || echo "?")
		if [ "$rc" = -1 ]; then why="timed out after ${TIMEOUT}s${why:+ ($why)}"; fi
		ROW_STATUS[$label]="failed smoke run: ${why:-exit $rc}"
	fi
}

PRIV_POLICY=$TOP/profiles/policy/privileged.json
add_row crun "$B_PLAIN" "crun, unhardened config" "$CRUN"
add_row runc "$B_PLAIN" "runc, unhardened config" "$RUNC"
add_row cinch "$B_PLAIN" "cinch --policy privileged.json (changes nothing), unhardened config" \
	"$CINCH" --policy "$PRIV_POLICY"
add_row cinch-restricted "$B_PLAIN" "cinch default policy (restricted), unhardened config in" "$CINCH"
add_row crun-hard "$B_HARD" "crun, hardened config" "$CRUN"
add_row runc-hard "$B_HARD" "runc, hardened config" "$RUNC"
add_row cinch-hard "$B_HARD" "cinch default policy (restricted), hardened config in" "$CINCH"

for label in "${ROWS[@]}"; do
	smoke "$label"
	if [ "$label" = cinch ] && [ ! -f "$PRIV_POLICY" ] && [ "${ROW_STATUS[$label]}" = ok ]; then
		ROW_STATUS[$label]="skipped: $PRIV_POLICY missing"
	fi
	say "$(printf '%-17s %s' "$label" "${ROW_STATUS[$label]}")"
done

# Specs of the rows that passed their smoke run, in the order given.
specs() {
	local l
	for l in "$@"; do
		[ "${ROW_STATUS[$l]}" = ok ] && printf '%s\n' "${ROW_SPEC[$l]}"
	done
	return 0
}
want() { [[ " $SCENARIOS " == *" $1 "* ]]; }

drive() { # subcommand scenario [driver flags...] -- labels...
	local sub=$1 sc=$2 flags=() rows=()
	shift 2
	while [ "$1" != -- ]; do flags+=("$1"); shift; done
	shift
	mapfile -t rows < <(specs "$@")
	if [ "${#rows[@]}" -eq 0 ]; then say "$sc: no runtime passed its smoke run"; return 0; fi
	"$DRIVER" "$sub" -s "$sc" -t "$TIMEOUT" -d "$TMP/work" -o "$SAMPLES" "${flags[@]}" \
		"${rows[@]}" >"$TMP/driver.out" || {
		local rc=$?
		[ "$rc" -eq 130 ] && { say "interrupted, cleaning up"; exit 130; }
		fatal "driver failed in $sc (rc $rc)"
	}
	cp "$TMP/work/$sc"-*.log "$OUT/" 2>/dev/null || true
}

START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v n="$(nproc)" '{exit !($1 > n / 4)}' /proc/loadavg; then
	say "warning: load average $LOAD_START on $(nproc) CPUs: other work will add noise"
fi
UNHARD=(crun runc cinch cinch-restricted)
HARD=(crun-hard runc-hard cinch-hard)
if want run; then
	say "run+delete x$N (interleaved)"
	drive seq run -m run -n "$N" -w "$WARMUP" -- "${UNHARD[@]}"
fi
if want split; then
	say "create/start/delete x$N (interleaved)"
	drive seq split -m split -n "$N" -w "$WARMUP" -- crun runc cinch cinch-restricted
fi
if want hard; then
	say "hardened: run+delete and create/start/delete x$N (interleaved)"
	drive seq hard-run -m run -n "$N" -w "$WARMUP" -- "${HARD[@]}" cinch-restricted
	drive seq hard-split -m split -n "$N" -w "$WARMUP" -- "${HARD[@]}" cinch-restricted
fi
if want conc; then
	for c in $CONC_LEVELS; do
		say "concurrency $c: $CONC_TOTAL containers x$CONC_ROUNDS rounds"
		drive conc conc -n "$CONC_TOTAL" -c "$c" -r "$CONC_ROUNDS" -- "${UNHARD[@]}"
	done
fi

# ---- instructions for `create` ----------------------------------------------
. "$HERE/instructions.sh"
INSTR_JSON=$TMP/instr.json
echo '[]' >"$INSTR_JSON"
if want instr; then
	measure_instructions crun runc cinch cinch-restricted crun-hard runc-hard cinch-hard
fi
ELAPSED=$(($(date +%s) - START))

# ---- results -------------------------------------------------------------------
rows_json() {
	local l
	for l in "${ROWS[@]}"; do
		IFS='|' read -r -a a <<<"${ROW_SPEC[$l]}"
		jq -n --arg label "$l" --arg desc "${ROW_DESC[$l]}" --arg status "${ROW_STATUS[$l]}" \
			--arg binary "${a[2]}" --arg version "$(version_of "${a[2]}")" \
			--arg bundle "${a[1]##*/}" '$ARGS.named'
	done | jq -s .
}
touch "$SAMPLES"
jq -n --arg date "$(date -u +%FT%TZ)" --arg kernel "$(uname -r)" \
	--arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
	--argjson cpus "$(nproc)" --arg cgroups "$CG_VIEW" --arg seccomp "$SECCOMP_SOURCE" \
	--argjson iterations "$N" --argjson warmup "$WARMUP" --argjson conc_total "$CONC_TOTAL" \
	--argjson conc_rounds "$CONC_ROUNDS" --argjson elapsed_s "$ELAPSED" \
	--arg instr_method "$INSTR_METHOD" --arg scenarios "$SCENARIOS" \
	--arg load_start "$LOAD_START" --arg load_end "$(cut -d' ' -f1-3 /proc/loadavg)" \
	'$ARGS.named' >"$TMP/meta.json"
rows_json >"$TMP/rows.json"
jq -n --slurpfile meta "$TMP/meta.json" --slurpfile rows "$TMP/rows.json" \
	--slurpfile samples <(jq -c . "$SAMPLES") --slurpfile instr "$INSTR_JSON" \
	-f "$HERE/report.jq" >"$OUT/results.json"
jq -r -f "$HERE/table.jq" "$OUT/results.json"
say "results: $OUT/results.json (raw samples: $SAMPLES, logs: $OUT/*.log)"
