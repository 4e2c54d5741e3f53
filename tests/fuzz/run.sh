#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz,
# seeds the corpus from the configs real engines passed a runtime, and fuzzes
# the spec loader for ${FUZZ_SECONDS:-60} seconds. Exits non-zero on a crash,
# leak, sanitizer report or broken round trip; the reproducer is left under
# build-fuzz/fuzz-artifacts/.
#   FUZZ_SECONDS=600 tests/fuzz/run.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD:-$top/build-fuzz}
engines=${CINCH_TEST_ENGINES:-$top/../shared/engines}
seconds=${FUZZ_SECONDS:-60}

if [ ! -f "$build/build.ninja" ]; then
	# fuzzer-no-link instruments the libraries for coverage; only the fuzz
	# executable links the libFuzzer main (-fsanitize=fuzzer, tests/fuzz/meson.build).
	CC=clang meson setup "$build" "$top" -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args='-fsanitize=fuzzer-no-link -fno-sanitize-recover=all'
fi
ninja -C "$build" tests/fuzz/fuzz_spec_load

corpus=$build/fuzz-corpus/spec
artifacts=$build/fuzz-artifacts
mkdir -p "$corpus" "$artifacts"
seeds=0
for f in "$engines"/captured/*/artifacts/*.json "$top"/tests/integration/data/*.json \
	"$top"/tests/fuzz/seeds/*.json; do
	[ -f "$f" ] || continue
	cp "$f" "$corpus/seed-$(sha1sum <"$f" | cut -c1-16).json"
	seeds=$((seeds + 1))
done
echo "fuzz: $seeds seed files, $seconds s" >&2

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# -max_len: real configs are 10-40 KB; the seeds set the scale.
exec "$build/tests/fuzz/fuzz_spec_load" \
	-max_total_time="$seconds" -max_len=65536 -timeout=25 -rss_limit_mb=2048 \
	-dict="$top/tests/fuzz/spec.dict" -artifact_prefix="$artifacts/" \
	-print_final_stats=1 "$corpus"
