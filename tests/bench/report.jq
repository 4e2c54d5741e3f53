# SPDX-License-Identifier: Apache-2.0
# Turns the driver's samples into build/bench/results.json (run.sh calls it
# with --slurpfile meta, rows, samples, instr). Statistics: min, median
# (mean of the two middle values for even n), p90 by nearest rank, over
# successful samples only; failures are counted. Ratios are to crun's
# median in the same scenario (crun-hard in the hardened ones).

def median: sort as $s | ($s | length) as $n
  | if $n == 0 then null
    elif $n % 2 == 1 then $s[($n - 1) / 2]
    else ($s[$n / 2 - 1] + $s[$n / 2]) / 2 end;
def p90: sort as $s | ($s | length) as $n
  | if $n == 0 then null else $s[([((0.9 * $n) | ceil) - 1, 0] | max)] end;
def ms: if . == null then null else (. / 1e4 | round) / 100 end;
def stats: {n: length, min_ms: (min | ms), median_ms: (median | ms), p90_ms: (p90 | ms),
            mean_ms: (if length == 0 then null else add / length | ms end)};
def ratio($a; $b): if $a == null or $b == null or $b == 0 then null
                   else ($a / $b * 1000 | round) / 1000 end;

$samples as $all
| ($rows[0] | map({(.label): .}) | add) as $rowmap

# Per scenario, per row, per step; run-mode "delete" is informative (the
# runtimes' `run` already removed the container) and never counts as failure.
| def step_table($sc):
    ($all | map(select(.scenario == $sc and .step != "batch"))) as $S
    | ($S | map(.row) | unique) as $labels
    | [$labels[] as $l
       | ($S | map(select(.row == $l))) as $R
       | {row: $l,
          failures: ($R | map(select(.rc != 0 and .step != "created_init_rss"
                                     and (.step != "delete" or .rc == -1 or ($sc | test("split")))))
                    | length),
          steps: (
            ($R | map(select(.step != "created_init_rss")) | group_by(.step)
             | map({key: .[0].step,
                    value: (map(select(.rc == 0 or (.step == "delete" and .rc >= 0
                                                     and ($sc | test("split") | not))))
                            | map(.ns) | stats)})
             | from_entries)
            + (if ($sc | test("split")) then
                 {total: ($R | group_by(.iter)
                          | map(select(([.[] | select(.step != "created_init_rss")
                                         | select(.rc == 0)] | length) == 3))
                          | map([.[] | select(.step != "created_init_rss") | .ns] | add) | stats)}
               else
                 {"run+delete": ($R | group_by(.iter)
                          | map(select(any(.[]; .step == "run" and .rc == 0)
                                       and any(.[]; .step == "delete" and .rc >= 0)))
                          | map([.[].ns] | add) | stats)}
               end)),
          created_init_rss_kb: ($R | map(select(.step == "created_init_rss" and .maxrss_kb > 0)
                                     | .maxrss_kb) | median),
          maxrss_kb_median: ($R | map(select(.step == "run" or .step == "create")
                                  | .maxrss_kb) | median),
          maxrss_kb_max: ($R | map(select(.step != "created_init_rss") | .maxrss_kb) | max),
          cpu_ms_median: ($R | map(select(.step == "run" or .step == "create") | .cpu_us)
                          | median | if . == null then null else (. / 10 | round) / 100 end)}]
    | (map(select(.row == "crun" or .row == "crun-hard")) | first) as $ref
    | map(. as $r | .steps |= with_entries(
            .value.ratio_to_crun = ratio(.value.median_ms; $ref.steps[.key].median_ms)))
    ;

def r1: if . == null then null else (. * 10 | round) / 10 end;
def conc_table:
    ($all | map(select(.step == "batch")))
    | group_by(.row) | map(
        {row: .[0].row,
         levels: (group_by(.conc) | map(
            {key: (.[0].conc | tostring),
             value: ((map(select(.rc == 0) | .completed / (.ns / 1e9))
                      | {rounds: length, median_per_s: (median | r1), min_per_s: (min | r1),
                         max_per_s: (max | r1)})
                     + {failed_rounds: (map(select(.rc != 0)) | length)})})
            | from_entries)});

{run: step_table("run"), split: step_table("split"),
 "hard-run": step_table("hard-run"), "hard-split": step_table("hard-split")} as $sc
| conc_table as $conc
| def find($t; $l): ($t | map(select(.row == $l)) | first);
  def target($name; $cinch; $crun; $limit; $cmp; $unit):
    {name: $name, cinch: $cinch, crun: $crun, unit: $unit, limit: $limit,
     ratio: ratio($cinch; $crun),
     status: (if $cinch == null then
                "N/A (" + ($rowmap["cinch-restricted"].status // "cinch-restricted not run"
                           | if . == "ok" then "scenario not run or all samples failed" else . end)
                + ")"
              elif $crun == null then "N/A (crun not measured)"
              elif ($cmp == "le" and ($cinch / $crun) <= $limit)
                or ($cmp == "ge" and ($cinch / $crun) >= $limit) then "PASS"
              else "FAIL" end)};
{
  meta: $meta[0],
  rows: $rows[0],
  scenarios: $sc,
  concurrency: $conc,
  instructions_create: $instr[0],
  targets: [
    target("cinch restricted run+delete median <= 0.9 x crun unhardened";
           find($sc.run; "cinch-restricted").steps["run+delete"].median_ms;
           find($sc.run; "crun").steps["run+delete"].median_ms; 0.9; "le"; "ms"),
    target("cinch peak RSS (run, restricted) <= crun's";
           find($sc.run; "cinch-restricted").maxrss_kb_median;
           find($sc.run; "crun").maxrss_kb_median; 1.0; "le"; "KiB"),
    target("concurrency-8 throughput (cinch restricted) >= crun's";
           (find($conc; "cinch-restricted").levels["8"].median_per_s);
           (find($conc; "crun").levels["8"].median_per_s); 1.0; "ge"; "containers/s")
  ]
}
