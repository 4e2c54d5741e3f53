# SPDX-License-Identifier: Apache-2.0
# Human-readable summary of results.json (run.sh prints it after a run).
def pad($n): tostring | . + ([range(0; $n - length)] | map(" ") | join(""));
def lpad($n): tostring | ([range(0; $n - length)] | map(" ") | join("")) + .;
def num: if . == null then "-" else tostring end;
def xr: if . == null then "-" else "x" + tostring end;

def scenario($title; $t; $steps):
  "\n== \($title) ==",
  ("row" | pad(18)) + ("step" | pad(12)) + ("min ms" | lpad(9)) + ("median" | lpad(9))
    + ("p90" | lpad(9)) + ("n" | lpad(5)) + ("fail" | lpad(6)) + ("vs crun" | lpad(9)),
  ($t[] as $r | $steps[] as $s | $r.steps[$s] as $v | select($v != null)
   | ($r.row | pad(18)) + ($s | pad(12)) + ($v.min_ms | num | lpad(9))
     + ($v.median_ms | num | lpad(9)) + ($v.p90_ms | num | lpad(9)) + ($v.n | num | lpad(5))
     + ($r.failures | num | lpad(6)) + ($v.ratio_to_crun | xr | lpad(9)));

.meta as $m
| "== environment ==",
  "kernel \($m.kernel), \($m.cpus) x \($m.cpu); cgroups: \($m.cgroups)",
  "N=\($m.iterations) (+\($m.warmup) warm-up), seccomp: \($m.seccomp), took \($m.elapsed_s) s",
  "load average at start \($m.load_start), at end \($m.load_end)",
  "\n== runtimes ==",
  (.rows[] | (.label | pad(18)) + (.version | pad(26)) + .status),
  scenario("run + delete of /bin/true, unhardened (cinch-restricted: default policy)";
           .scenarios.run; ["run", "delete", "run+delete"]),
  scenario("create / start / delete, unhardened"; .scenarios.split;
           ["create", "start", "delete", "total"]),
  scenario("hardened: run + delete (crun/runc given Docker-equivalent config)";
           .scenarios["hard-run"]; ["run", "run+delete"]),
  scenario("hardened: create / start / delete"; .scenarios["hard-split"];
           ["create", "start", "delete", "total"]),
  "\n== throughput: \($m.conc_total) x run+delete, containers/s (median of \($m.conc_rounds) rounds) ==",
  ("row" | pad(18)) + (.concurrency[0].levels // {} | keys | map("c=" + . | lpad(9)) | join("")),
  (.concurrency[] | (.row | pad(18)) + (.levels | to_entries | sort_by(.key | tonumber)
     | map(.value.median_per_s | num | lpad(9)) | join(""))),
  "\n== memory (KiB) ==",
  ("row" | pad(18)) + ("run maxrss" | lpad(12)) + ("max any" | lpad(10))
    + ("created init" | lpad(14)) + ("cpu ms/create" | lpad(15)),
  ((.scenarios.run + .scenarios["hard-run"]) as $runs
   | (.scenarios.split + .scenarios["hard-split"]) as $splits
   | ($runs | map(.row)) + ($splits | map(.row)) | unique[] as $l
   | ($runs | map(select(.row == $l)) | first) as $r
   | ($splits | map(select(.row == $l)) | first) as $s
   | ($l | pad(18)) + ($r.maxrss_kb_median | num | lpad(12))
     + ([$r.maxrss_kb_max, $s.maxrss_kb_max] | max | num | lpad(10))
     + ($s.created_init_rss_kb | num | lpad(14)) + ($s.cpu_ms_median | num | lpad(15))),
  "\n== instructions for create: \($m.instr_method) ==",
  (.instructions_create[] | (.label | pad(18))
     + (if .error then "not measured: " + .error else (.median | num) + " Ir (median of \(.values | length))" end)),
  "\n== targets (informational) ==",
  (.targets[] | "\(.status | pad(5)) \(.name): cinch \(.cinch | num) vs crun \(.crun | num) \(.unit) (ratio \(.ratio | num))")
