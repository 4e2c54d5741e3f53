#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Where a runtime's create/start/delete time goes: perf samples (cpu-clock,
# so it works without a hardware PMU) over N lifecycles driven by
# bench-driver, in the same cgroup view and bundles as run.sh. Prints the
# split by program and shared object, the syscalls with the most time
# (inclusive), and the hottest user-space symbols. Run `make bench` (or
# tests/bench/run.sh) once first: it builds the driver.
#   tests/bench/profile.sh /usr/bin/crun [N=40] [plain|hardened] [global args...]
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$TOP/tests/bench
OUT=${BENCH_OUT:-$TOP/build/bench}
DRIVER=$OUT/bench-driver
say() { printf 'profile: %s\n' "$*" >&2; }
fatal() { say "$*"; exit 2; }
[ $# -ge 1 ] || fatal "usage: $0 /abs/runtime [N] [plain|hardened] [global args...]"
[ "$(id -u)" -eq 0 ] || fatal "needs root"
command -v perf >/dev/null || fatal "perf not found (apt-get install linux-perf)"
[ -x "$DRIVER" ] || fatal "$DRIVER missing: run tests/bench/run.sh once"
if [ -z "${BENCH_IN_NS:-}" ]; then
	export BENCH_IN_NS=1
	exec unshare --mount --propagation private -- bash "${BASH_SOURCE[0]}" "$@"
fi
RT=$1 N=${2:-40} KIND=${3:-plain}
shift $(($# < 3 ? $# : 3))
TMP=$(mktemp -d /tmp/cinch-bench.XXXXXX)
cleanup() {
	set +e
	local id
	for id in "$TMP/state"/*; do
		[ -e "$id" ] || continue
		"$DRIVER" exec -t 10 -l /dev/null -- "$RT" --root "$TMP/state" delete --force "${id##*/}" \
			>/dev/null
	done
	find /sys/fs/cgroup -mindepth 2 -maxdepth 2 -type d -name 'cb-*' -exec rmdir {} + 2>/dev/null
	umount -R -l "$TMP" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mount -t tmpfs -o mode=700 cinch-bench "$TMP"
mkdir -p "$TMP/work" "$OUT"
. "$HERE/cgroup-view.sh"
cgroup_view
. "$HERE/bundle.sh"
make_bench_bundles "$TMP"
spec="prof|$TMP/bundles/$KIND|$RT|--root|$TMP/state"
for a in "$@"; do spec+="|$a"; done
data=$OUT/profile-$(basename "$RT")-$KIND.perf
say "$N x create/start/delete of $RT ($KIND bundle; $CG_VIEW)"
perf record -q -F 1999 -e cpu-clock -g -o "$data" -- \
	"$DRIVER" seq -s prof -m split -n "$N" -w 2 -t 30 -d "$TMP/work" -o "$TMP/samples.jsonl" "$spec" \
	>/dev/null
report() { perf report -i "$data" --stdio -g none "$@" 2>/dev/null | grep '%' | grep -v '^#'; }
echo "== CPU samples by program and object (bench-driver is the timing harness) =="
report --no-children --sort comm,dso | head -15
echo "== syscalls, inclusive =="
report --children --sort sym | grep -E '\[k\] (__x64_sys_|__do_sys_|__se_sys_|asm_exc_page_fault)' | head -20
echo "== hottest user-space symbols =="
report --no-children --sort dso,sym | grep '\[\.\]' | head -15
say "data: $data (perf report -i $data)"
