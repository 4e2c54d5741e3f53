# SPDX-License-Identifier: Apache-2.0
# Instructions retired by `create` (sourced by run.sh). With a hardware
# counter (`perf stat -e instructions` supported) perf counts user+kernel
# instructions of the runtime and its children. Without one (VMs without a
# virtual PMU, like the machine the docs were written on) callgrind counts
# user-space instructions only, across every process of the runtime:
#  - the runtime runs from a sealed memfd copy (bench-driver exec -M) so a
#    runtime that re-executes itself from a memfd (crun, runc) sees it is
#    already sealed: valgrind cannot follow fexecve of a memfd. The count
#    therefore lacks that one re-exec (see docs/performance.md);
#  - callgrind dumps (and zeroes) its counters before every fork/clone, so a
#    child's file holds only the child's own work, and before execve, so the
#    container init's work up to exec is written before /bin/true replaces
#    it (its output dir is bind-mounted into the container: the -cg bundle);
#  - `start` releases the init natively; the sum of all dumps is reported;
#  - one warm-up create per row is run first and not counted.
# Results go to $INSTR_JSON as [{label, method, reps, median, values, error}].

INSTR_METHOD="none"
INSTR_TOOL=none

instr_detect() {
	if command -v perf >/dev/null &&
		perf stat -x, -e instructions -- true 2>&1 | grep -q '^[0-9][0-9]*,,*instructions'; then
		INSTR_TOOL=perf
		INSTR_METHOD="perf stat -e instructions (user+kernel, runtime and children)"
	elif command -v valgrind >/dev/null; then
		INSTR_TOOL=callgrind
		INSTR_METHOD="callgrind Ir (user space only; perf instructions counter not supported here; valgrind lacks the new mount API, openat2 and SHA-NI, so cinch rows run its mount(2), component-walk and portable SHA-256 fallbacks and overstate its count on a real kernel)"
	else
		INSTR_METHOD="not available (no perf instructions counter and valgrind not installed: scripts/install-deps.sh --bench)"
	fi
}

# wait_stopped PROG ROOT ID: up to 10 s for `state` to say stopped.
wait_stopped() {
	local _
	for _ in $(seq 100); do
		[ "$("$1" --root "$2" state "$3" 2>/dev/null | jq -r .status 2>/dev/null)" = stopped ] &&
			return 0
		sleep 0.1
	done
	return 1
}

# instr_once LABEL REP: prints the count, or "error: reason".
instr_once() {
	local label=$1 rep=$2 id=cb-instr-$1-$2 log=$OUT/instr-$1.log out total
	IFS='|' read -r -a a <<<"${ROW_SPEC[$label]}"
	local prog=${a[2]} root=${a[4]} globals=("${a[@]:3}")
	rm -rf "$TMP/cg"/*
	if [ "$INSTR_TOOL" = perf ]; then
		out=$(perf stat -x, -e instructions -o "$TMP/perf.out" -- "$DRIVER" exec -t "$TIMEOUT" \
			-l "$log" -- "$prog" "${globals[@]}" create --bundle "${a[1]}" "$id" 2>&1) || true
	else
		out=$("$DRIVER" exec -t 300 -l "$log" -M "$prog" -- "$(command -v valgrind)" \
			--tool=callgrind --trace-children=yes \
			--trace-children-skip='/bin/*,/sbin/*,/usr/bin/*,/usr/sbin/*' \
			--dump-before=fork --dump-before=_Fork --dump-before=vfork --dump-before=clone \
			--dump-before=__clone --dump-before=clone3 --dump-before=__clone3 \
			--dump-before=syscall --dump-before='execv*' --dump-before=fexecve \
			--callgrind-out-file="$TMP/cg/$label.%p" \
			@EXE@ "${globals[@]}" create --bundle "${a[1]}-cg" "$id" 2>&1) || true
	fi
	if [ "$(jq -r .rc <<<"$out" 2>/dev/null)" != 0 ]; then
		"$DRIVER" exec -t 10 -l "$log" -- "$prog" "${globals[@]}" delete --force "$id" \
			>/dev/null 2>&1 || true
		# valgrind's own first complaint (an assertion, an unsupported
		# syscall) explains more than the runtime's last line.
		local why
		why=$(grep -E -v '^(==|--)[0-9]+(==|--)' "$log" | grep -v '^$' |
			grep -m1 -E 'Assertion|Function not implemented|failed' || true)
		[ -n "$why" ] || why=$(grep -v '^$' "$log" | tail -1)
		# valgrind 3.19 answers seccomp() with ENOSYS: a runtime that
		# installs its filter during create (crun, runc) cannot be counted
		# with a seccomp config. cinch's init installs it after `start`, so
		# its count runs up to that call (where, under valgrind only, the
		# init then fails).
		if [ "$INSTR_TOOL" = callgrind ] && [[ $why == *"Function not implemented"* || $why == *"function not implemented"* ]] &&
			grep -q -E 'unhandled amd64-linux syscall: 317' "$log"; then
			why="valgrind $(valgrind --version | sed 's/^valgrind-//') answers seccomp() with ENOSYS: $why"
		fi
		echo "error: create under $INSTR_TOOL failed: $(cut -c1-260 <<<"$why")"
		return
	fi
	"$DRIVER" exec -t "$TIMEOUT" -l "$log" -- "$prog" "${globals[@]}" start "$id" >/dev/null 2>&1 || true
	wait_stopped "$prog" "$root" "$id" || true
	"$DRIVER" exec -t "$TIMEOUT" -l "$log" -- "$prog" "${globals[@]}" delete --force "$id" \
		>/dev/null 2>&1 || true
	if [ "$INSTR_TOOL" = perf ]; then
		total=$(awk -F, '$3 ~ /^instructions/ {print $1}' "$TMP/perf.out")
	else
		total=$(cat "$TMP/cg"/* 2>/dev/null | awk '/^totals:/ {s += $2} END {print s + 0}')
		[ -d "$OUT/callgrind" ] || mkdir -p "$OUT/callgrind"
		[ "$rep" = 1 ] && { rm -rf "$OUT/callgrind/$label"; cp -r "$TMP/cg" "$OUT/callgrind/$label"; }
	fi
	if [ -n "$total" ] && [ "$total" -gt 0 ] 2>/dev/null; then echo "$total"; else
		echo "error: no count collected"
	fi
}

measure_instructions() {
	local label rep v values err
	instr_detect
	say "instructions for create: $INSTR_METHOD"
	[ "$INSTR_TOOL" = none ] && return 0
	for label in "$@"; do
		[ "${ROW_STATUS[$label]}" = ok ] || continue
		values=() err=""
		# Rep 0 is a warm-up, not counted: a runtime's caches (cinch's
		# seccomp BPF cache, whose key includes the seccomp API level,
		# which differs under valgrind) then hold what the timed runs
		# had, so the count is the steady state the timings measure.
		for rep in $(seq 0 "$CG_REPS"); do
			v=$(instr_once "$label" "$rep")
			if [[ $v == error:* ]]; then err=${v#error: }; break; fi
			[ "$rep" = 0 ] || values+=("$v")
		done
		[ -n "$err" ] && say "instructions $label: $err"
		jq --arg lbl "$label" --arg method "$INSTR_METHOD" --arg error "$err" \
			--argjson values "[$(IFS=,; echo "${values[*]}")]" \
			'. + [{label: $lbl, method: $method, values: $values,
			   median: ($values | sort | if length == 0 then null else .[(length - 1) / 2 | floor] end),
			   error: (if $error == "" then null else $error end)}]' \
			"$INSTR_JSON" >"$INSTR_JSON.new" && mv "$INSTR_JSON.new" "$INSTR_JSON"
	done
}
