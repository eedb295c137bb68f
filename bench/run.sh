#!/usr/bin/env bash
# The benchmark suite (`make bench`; method and figures in docs/BENCHMARKS.md). Times whole
# `flowweaver` processes, exec to exit, each from a clean state file, beside two reference points
# measured in the same run: raw SQLite upsert transactions with the store's pragmas, and
# `make -j2` on the same DAG of /bin/true commands as the shell fan-out. Then checks the figures
# against the targets of issues 4 and 15 and runs the micro-benchmarks.
#
#   bench/run.sh BUILD_DIR
#
# Environment:
#   FLOWWEAVER_BENCH_SCRATCH   where manifests and state files go (default BUILD_DIR/bench/scratch);
#                              keep it on the disk real state lives on, not a tmpfs
#   FLOWWEAVER_BENCH_BUDGET_S  a case stops repeating once its repetitions took this many seconds
#                              (default 30; every case runs at least once)
#   FLOWWEAVER_BENCH_MICRO=0   skip the micro-benchmarks
set -euo pipefail

[[ $# == 1 ]] || { echo "usage: bench/run.sh BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench=$build/bench
fw=$build/bin/flowweaver
scratch=${FLOWWEAVER_BENCH_SCRATCH:-$build/bench/scratch}
budget_s=${FLOWWEAVER_BENCH_BUDGET_S:-30}
results=$scratch/results.tsv
# A make above us (`make bench`) must not hand its jobserver to the measured `make -j2`.
unset MAKEFLAGS MFLAGS MAKELEVEL

die() { echo "bench/run.sh: $*" >&2; exit 1; }
note() { echo "$*" >&2; }
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }
holds() { awk "BEGIN { exit !($1) }"; }

for tool in "$fw" "$bench/gen_workflow" "$bench/measure" "$bench/sqlite_rate" \
            "$bench/sqlite_write_counter.so" "$bench/http_rate"; do
  [[ -e $tool ]] || die "$tool is missing: build first (make build, or ninja bench_tools)"
done
# The scratch directory is emptied on every run: only one this script made (it holds the mark).
if [[ -d $scratch && -n $(ls -A "$scratch") && ! -e $scratch/.flowweaver-bench ]]; then
  die "$scratch is not empty and was not made by bench/run.sh; choose another FLOWWEAVER_BENCH_SCRATCH"
fi
rm -rf "$scratch"
mkdir -p "$scratch"
touch "$scratch/.flowweaver-bench"
: > "$results"

# --- machine ----------------------------------------------------------------------------------

print_machine() {
  echo "== machine"
  echo "date:       $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cores:      $(nproc)"
  echo "cpu:        $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "kernel:     $(uname -r)"
  echo "disk:       $(df -T "$scratch" | awk 'NR == 2 { print $1 " (" $2 ")" }')"
  echo "binary:     $(sha256sum "$fw" | cut -c1-16) ($(date -u -r "$fw" +%Y-%m-%dT%H:%M:%SZ))"
  echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (at start)"
}

# --- measuring --------------------------------------------------------------------------------

state=$scratch/state.db
clean_state() { rm -f "$state" "$state-wal" "$state-shm"; }
no_setup() { :; }

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print (v[NR] - v[1]) / m }'; }

# run_case KEY TASKS REPS EXIT SETUP COMMAND...: runs COMMAND up to REPS times (fewer once the
# budget is spent), SETUP before each, and appends KEY, TASKS, reps done, median wall seconds,
# the largest peak RSS in kB, the median CPU seconds (user + system) and the 1-minute load
# average when the case started (how busy the other users of the machine were) and the spread
# of the wall times, (max - min) / median, to the results. The command's stdout and stderr go to files (the
# figures of record pay for the default log level, as an operator's run with a log file does).
run_case() {
  local key=$1 tasks=$2 reps=$3 expect=$4 setup=$5
  shift 5
  local walls=() cpus=() rss_max=0 spent=0 line code wall rss cpu load
  load=$(cut -d' ' -f1 /proc/loadavg)
  note "  $key ..."
  while (( ${#walls[@]} < reps )) && { (( ${#walls[@]} == 0 )) || holds "$spent < $budget_s"; }; do
    $setup
    set +e
    line=$("$bench/measure" --stdout "$scratch/$key.out" --stderr "$scratch/$key.log" -- "$@")
    code=$?
    set -e
    [[ $code == "$expect" ]] || die "$key: exit $code, expected $expect (see $scratch/$key.log)"
    wall=${line#wall_s=}
    wall=${wall%% *}
    cpu=${line#*cpu_s=}
    cpu=${cpu%% *}
    rss=${line#*maxrss_kb=}
    rss=${rss%% *}
    walls+=("$wall")
    cpus+=("$cpu")
    if (( rss > rss_max )); then rss_max=$rss; fi
    spent=$(calc "$spent + $wall")
  done
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$tasks" "${#walls[@]}" \
    "$(printf '%s\n' "${walls[@]}" | median)" "$rss_max" "$(printf '%s\n' "${cpus[@]}" | median)" \
    "$load" "$(printf '%s\n' "${walls[@]}" | spread)" >> "$results"
}

# field KEY COLUMN: 2 tasks, 3 reps, 4 median wall s, 5 peak RSS kB, 6 median CPU s, 7 load,
# 8 spread
field() {
  awk -F'\t' -v k="$1" -v c="$2" '$1 == k { print $c }' "$results"
}
us_per_task() { calc "$(field "$1" 4) * 1e6 / $(field "$1" 2)"; }

# --- cases ------------------------------------------------------------------------------------

generate() {
  note "== generating into $scratch"
  local shape n
  for shape in fanout chain diamond foreach; do
    for n in 1000 10000 100000; do
      "$bench/gen_workflow" "$shape" "$n" "$scratch/$shape-$n.yaml"
    done
  done
  "$bench/gen_workflow" shell-fanout 1000 "$scratch/shell-fanout-1000.yaml"
  "$bench/gen_workflow" makefile 1000 "$scratch/Makefile"
  "$bench/gen_workflow" fanout 10000 "$scratch/resume-prep-10000.yaml" --failing 9
}

raw_sqlite=()  # rows_per_s and us_per_txn of single-row transactions, normal durability
measure_references() {
  note "== reference points"
  local line
  line=$("$bench/sqlite_rate" "$scratch/raw.db" 20000 1)
  echo "raw SQLite, 1 row per transaction, synchronous=NORMAL:   $line"
  raw_sqlite=("$(sed 's/.*rows_per_s=\([0-9.]*\).*/\1/' <<< "$line")"
              "$(sed 's/.*us_per_txn=\([0-9.]*\).*/\1/' <<< "$line")")
  echo "raw SQLite, 100 rows per transaction, synchronous=NORMAL: $(
    "$bench/sqlite_rate" "$scratch/raw.db" 100000 100)"
  echo "raw SQLite, 1 row per transaction, synchronous=FULL:     $(
    "$bench/sqlite_rate" "$scratch/raw.db" 300 1 full)"
  rm -f "$scratch"/raw.db*
  run_case make-j2-1000 1000 5 0 no_setup make -j2 -s -f "$scratch/Makefile"
}

run_shapes() {
  note "== whole-process runs"
  local shape n workers reps
  for n in 1000 10000 100000; do
    reps=$(( n > 10000 ? 3 : 5 ))
    for shape in fanout chain diamond foreach; do
      for workers in 1 2; do
        run_case "$shape-$n-w$workers" "$n" "$reps" 0 clean_state \
          "$fw" run "$scratch/$shape-$n.yaml" --state "$state" --max-workers "$workers"
      done
    done
  done
  run_case fanout-10000-w2-warn 10000 5 0 clean_state \
    "$fw" run "$scratch/fanout-10000.yaml" --state "$state" --max-workers 2 --log-level warn
  run_case fanout-10000-w2-full 10000 5 0 clean_state \
    "$fw" run "$scratch/fanout-10000.yaml" --state "$state" --max-workers 2 --durability full
  run_case shell-fanout-1000-w2 1000 5 0 clean_state \
    "$fw" run "$scratch/shell-fanout-1000.yaml" --state "$state" --max-workers 2
  run_case validate-10000 10000 5 0 no_setup "$fw" validate "$scratch/fanout-10000.yaml"
  # What reading a foreach's literal list costs, beside reading as many tasks (issue 15).
  run_case validate-100000 100000 3 0 no_setup "$fw" validate "$scratch/fanout-100000.yaml"
  run_case validate-foreach-10000 10000 5 0 no_setup "$fw" validate "$scratch/foreach-10000.yaml"
  run_case validate-foreach-100000 100000 3 0 no_setup \
    "$fw" validate "$scratch/foreach-100000.yaml"
}

# The interrupted run: the fan-out with its last 9 middle tasks failing permanently leaves 9,990
# COMPLETED (the root and 9,989 others), 9 FAILED and the sink SKIPPED. Each repetition resumes a
# copy of that state with the all-noop manifest of the same workflow, which runs the last 10.
prep=$scratch/resume-prep.db
copy_prepared_state() {
  clean_state
  cp "$prep" "$state"
  if [[ -e $prep-wal ]]; then cp "$prep-wal" "$state-wal"; fi
}
run_resume() {
  note "== resume"
  set +e
  "$fw" run "$scratch/resume-prep-10000.yaml" --state "$prep" --max-workers 2 > /dev/null 2>&1
  local code=$?
  set -e
  [[ $code == 1 ]] || die "preparing the interrupted run: exit $code, expected 1"
  if command -v sqlite3 > /dev/null; then
    local num_completed
    num_completed=$(sqlite3 "$prep" "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'")
    [[ $num_completed == 9990 ]] || die "the prepared run has $num_completed COMPLETED tasks, not 9990"
  fi
  run_case resume-10000 10000 5 0 copy_prepared_state \
    "$fw" run "$scratch/fanout-10000.yaml" --state "$state" --max-workers 2
}

# The chain of 1,000 again while another process keeps one core busy (a shell loop), as on a
# host shared with other work: its threads must block while they wait for each other, not spin
# for the core the other needs (issue 12).
run_contended() {
  note "== contended: one core kept busy"
  ( while :; do :; done ) &
  local burner=$!
  run_case chain-1000-w2-busy 1000 5 0 clean_state \
    "$fw" run "$scratch/chain-1000.yaml" --state "$state" --max-workers 2
  kill "$burner"
  wait "$burner" 2> /dev/null || true
}

# A peer, timed in this run on the same shape, alternating with flowweaver so that both see the
# same machine: doit (Debian's python3-doit) runs bench/peers/dodo_fanout.py, the fan-out of
# 10,000 as Python no-ops, with its default state backend (written once, at exit). Skipped,
# and said so, where doit is not installed.
doit_state=$scratch/doit.db
clean_doit_state() { rm -f "$doit_state"*; }
run_peers() {
  note "== peers, interleaved"
  if ! command -v doit > /dev/null; then
    echo "doit is not installed (apt-get install python3-doit): no peer timed in this run"
    return 0
  fi
  local i
  for i in 1 2 3 4 5; do
    run_case "peer-flowweaver-$i" 10000 1 0 clean_state \
      "$fw" run "$scratch/fanout-10000.yaml" --state "$state" --max-workers 2
    FLOWWEAVER_BENCH_TASKS=10000 run_case "peer-doit-$i" 10000 1 0 clean_doit_state \
      doit run -f "$here/peers/dodo_fanout.py" --db-file "$doit_state" sink
  done
  local fw_median doit_median
  fw_median=$(for i in 1 2 3 4 5; do field "peer-flowweaver-$i" 4; done | median)
  doit_median=$(for i in 1 2 3 4 5; do field "peer-doit-$i" 4; done | median)
  peer_line="fan-out 10,000, 5 interleaved pairs: flowweaver $fw_median s, doit $doit_median s"
  peer_line+=" ($(printf '%.1f' "$(calc "$doit_median / $fw_median")")× flowweaver's time)"
}

# Rows and commits of one untimed fan-out 10,000 run, counted by the LD_PRELOAD shim.
store_rows=0
store_commits=0
count_store_writes() {
  note "== counting the store's writes"
  clean_state
  rm -f "$scratch/write-count.txt"
  FLOWWEAVER_BENCH_WRITE_COUNT=$scratch/write-count.txt \
    LD_PRELOAD=$bench/sqlite_write_counter.so \
    "$fw" run "$scratch/fanout-10000.yaml" --state "$state" --max-workers 2 > /dev/null 2>&1
  local line
  line=$(cat "$scratch/write-count.txt")
  store_rows=$(sed 's/rows=\([0-9]*\).*/\1/' <<< "$line")
  store_commits=$(sed 's/.*commits=\([0-9]*\).*/\1/' <<< "$line")
}

# One untimed foreach 100,000 run, then its rows counted: every item must have a COMPLETED row
# of its own (issue 15: 100,000 items must work). Without sqlite3 the timed runs' exit 0 is all.
foreach_rows_line=""
count_foreach_rows() {
  command -v sqlite3 > /dev/null || return 0
  note "== counting a foreach 100,000's rows"
  clean_state
  "$fw" run "$scratch/foreach-100000.yaml" --state "$state" --max-workers 2 > /dev/null 2>&1 ||
    die "the untimed foreach 100,000 run failed"
  local num_items
  num_items=$(sqlite3 "$state" \
    "SELECT count(*) FROM tasks WHERE status = 'COMPLETED' AND task_name LIKE 'work[%]'")
  [[ $num_items == 99998 ]] || die "foreach 100,000 left $num_items COMPLETED item rows, not 99998"
  foreach_rows_line="foreach 100,000: $num_items item rows COMPLETED, and root, work and sink"
}

# --- report -----------------------------------------------------------------------------------

print_table() {
  local make_us
  make_us=$(us_per_task make-j2-1000)
  echo
  echo "== whole-process figures (medians of wall and CPU time; spread: (max - min) / median of the"
  echo "   wall times; RSS: the largest peak of the reps; load: 1-minute load average at the start)"
  echo "ratios: µs per task over raw SQLite's µs per 1-row transaction (${raw_sqlite[1]} µs) and"
  echo "over make -j2's µs per command ($(printf '%.1f' "$make_us") µs)"
  printf '%-22s %7s %4s %9s %7s %9s %8s %8s %9s %9s %5s\n' case tasks reps "wall s" spread \
    "µs/task" "CPU s" "RSS MB" "×sql txn" "×make cmd" load
  local key tasks reps median rss cpu load spread us
  while IFS=$'\t' read -r key tasks reps median rss cpu load spread; do
    us=$(calc "$median * 1e6 / $tasks")
    printf '%-22s %7s %4s %9.4f %6.0f%% %9.1f %8.3f %8.1f %9.2f %9.2f %5.2f\n' "$key" "$tasks" \
      "$reps" "$median" "$(calc "$spread * 100")" "$us" "$cpu" "$(calc "$rss / 1024")" \
      "$(calc "$us / ${raw_sqlite[1]}")" "$(calc "$us / $make_us")" "$load"
  done < "$results"
}

num_missed=0
# check NAME MEASURED TARGET UNIT at_most|at_least
check() {
  local name=$1 measured=$2 target=$3 unit=$4 sense=$5 verdict
  local relation='<='
  [[ $sense == at_most ]] || relation='>='
  if holds "$measured $relation $target"; then
    verdict=PASS
  else
    verdict=MISS
    num_missed=$((num_missed + 1))
  fi
  printf '%-44s %12.4g %-5s %2s %10.4g  %s (%.2f× the target)\n' "$name" "$measured" "$unit" \
    "$relation" "$target" "$verdict" "$(calc "$measured / $target")"
}

print_targets() {
  echo
  echo "== targets (issue 4), at --max-workers 2, durability kept"
  local store_rate
  store_rate=$(calc "$store_rows / $(field fanout-10000-w2 4)")
  check "fan-out 10,000, wall" "$(field fanout-10000-w2 4)" 0.2 s at_most
  check "chain 1,000, wall" "$(field chain-1000-w2 4)" 0.08 s at_most
  check "layered diamond 10,000, wall" "$(field diamond-10000-w2 4)" 0.25 s at_most
  check "fan-out 100,000, wall" "$(field fanout-100000-w2 4)" 2.5 s at_most
  check "fan-out 100,000, peak RSS" "$(calc "$(field fanout-100000-w2 5) / 1024")" 256 MB at_most
  check "fan-out 100,000, µs/task over 10,000's" \
    "$(calc "$(us_per_task fanout-100000-w2) / $(us_per_task fanout-10000-w2)")" 1.5 x at_most
  check "store rows/s (fan-out 10,000) over raw 1-row" \
    "$(calc "$store_rate / ${raw_sqlite[0]}")" 0.5 x at_least
  check "validate 10,000, wall" "$(field validate-10000 4)" 0.15 s at_most
  check "resume 10,000 after 9,990 COMPLETED, wall" "$(field resume-10000 4)" 0.15 s at_most
  check "shell fan-out 1,000 over make -j2" \
    "$(calc "$(field shell-fanout-1000-w2 4) / $(field make-j2-1000 4)")" 1 x at_most
  check "--durability full fan-out 10,000, wall" "$(field fanout-10000-w2-full 4)" 0.5 s at_most
  check "chain 1,000 with a core busy over idle (issue 12)" \
    "$(calc "$(field chain-1000-w2-busy 4) / $(field chain-1000-w2 4)")" 1.5 x at_most
  echo
  echo "state writes: fan-out 10,000 wrote $store_rows rows in $store_commits commits" \
       "($(calc "$store_rows / 10000") rows and $(calc "$store_commits / 10000") commits per task;"
  echo "counted by bench/sqlite_write_counter.so in an extra, untimed run); over the median wall" \
       "that is $(printf '%.0f' "$store_rate") rows/s against raw SQLite's ${raw_sqlite[0]} rows/s" \
       "in 1-row transactions."
  echo "$num_missed target(s) missed."
}

# Per-item cost of a foreach against the fan-out's per-task cost: both shapes make the same N calls
# of builtin.noop. Memory is linear when the peak RSS each added item costs from 10,000 to 100,000
# items is no more than 1.5× what it costs from 1,000 to 10,000. One-sided: a cost per item that
# grows with N is what breaks at scale; a smaller one is fixed costs spread wider, or a step of
# peak RSS falling between 1,000 and 10,000 (docs/BENCHMARKS.md, run 15).
item_kb() { calc "($(field "$2" 5) - $(field "$1" 5)) / ($(field "$2" 2) - $(field "$1" 2))"; }
print_foreach_targets() {
  echo
  echo "== targets (issue 15): foreach over N no-op items, at --max-workers 2"
  local n label low high
  for n in 10000 100000; do
    label=$( ((n == 10000)) && echo 10,000 || echo 100,000)
    check "foreach $label, µs/item over fan-out's, wall" \
      "$(calc "$(field "foreach-$n-w2" 4) / $(field "fanout-$n-w2" 4)")" 1.5 x at_most
    check "foreach $label, CPU/item over fan-out's" \
      "$(calc "$(field "foreach-$n-w2" 6) / $(field "fanout-$n-w2" 6)")" 1.5 x at_most
  done
  low=$(item_kb foreach-1000-w2 foreach-10000-w2)
  high=$(item_kb foreach-10000-w2 foreach-100000-w2)
  check "foreach peak RSS/item, 10k-100k over 1k-10k" "$(calc "$high / $low")" 1.5 x at_most
  echo "peak RSS per added item: $(printf '%.2f' "$low") kB from 1,000 to 10,000 items," \
       "$(printf '%.2f' "$high") kB from 10,000 to 100,000 (fan-out:" \
       "$(printf '%.2f' "$(item_kb fanout-10000-w2 fanout-100000-w2)") kB per task from 10,000 to 100,000)"
  echo "reading the list: validate of a foreach over 100,000 items $(field validate-foreach-100000 4) s," \
       "of a fan-out of 100,000 tasks $(field validate-100000 4) s"
  [[ -z $foreach_rows_line ]] || echo "$foreach_rows_line"
  echo "$num_missed target(s) missed in all."
}

# The HTTP API (issue 13): `flowweaver serve` with a 10-task no-op workflow; on one kept-alive
# connection, /livez round trips, then 300 runs POSTed one after another, each polled until
# COMPLETED before the next. The target is for the API's own cost, so its tasks run in-process;
# the same workflow under serve's default isolation (a child process per task) is measured too.
http_line=""
http_process_line=""
run_http() {
  local dir=$scratch/serve port="" i
  mkdir -p "$dir/workflows"
  { echo "name: ten"; echo "defaults: {isolation: in-process}"; echo "tasks:"
    for i in $(seq 1 10); do echo "  - {name: t$i, uses: builtin.noop}"; done
  } > "$dir/workflows/ten.yaml"
  { echo "name: ten-isolated"; echo "tasks:"
    for i in $(seq 1 10); do echo "  - {name: t$i, uses: builtin.noop}"; done
  } > "$dir/workflows/ten-isolated.yaml"
  printf 'workflows_dir: %s\nstate_dir: %s\nlog_dir: %s\nlisten: "127.0.0.1:0"\n' \
    "$dir/workflows" "$dir/var" "$dir/var/log" > "$dir/config.yaml"
  note "  http-api ..."
  "$fw" serve --config "$dir/config.yaml" 2> "$dir/serve.err" &
  local pid=$!
  for i in $(seq 1 100); do
    port=$(sed -n 's/.*serving .* on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/serve.err")
    [[ -n $port ]] && break
    sleep 0.1
  done
  [[ -n $port ]] || { kill "$pid"; die "flowweaver serve did not start: $(cat "$dir/serve.err")"; }
  http_line=$("$bench/http_rate" "$port" ten 300 2000) || { kill "$pid"; die "http_rate failed"; }
  http_process_line=$("$bench/http_rate" "$port" ten-isolated 100 10) ||
    { kill "$pid"; die "http_rate failed"; }
  kill -TERM "$pid"
  wait "$pid" || die "flowweaver serve exited $? after SIGTERM"
}

print_http() {
  echo
  echo "== HTTP API (issue 13): one kept-alive connection, 10-task no-op workflow"
  echo "in-process tasks:     $http_line"
  echo "a process per task:   $http_process_line"
  local livez runs
  livez=$(sed 's/.*livez_median_us=\([0-9.]*\).*/\1/' <<< "$http_line")
  runs=$(sed 's/.*runs_s=\([0-9.]*\).*/\1/' <<< "$http_line")
  check "/livez on a reused connection, median" "$(calc "$livez / 1000")" 1 ms at_most
  check "300 runs one after another" "$runs" 150 runs/s at_least
}

run_micro() {
  [[ ${FLOWWEAVER_BENCH_MICRO:-1} != 0 ]] || return 0
  if [[ ! -x $bench/flowweaver_micro_bench ]]; then
    echo "(no micro-benchmarks: libbenchmark-dev was not found when configuring)"
    return 0
  fi
  echo
  echo "== micro-benchmarks"
  "$bench/flowweaver_micro_bench" --benchmark_min_time=0.1 \
    --benchmark_out="$scratch/micro.json" --benchmark_out_format=json 2>&1
  # Each update of SqliteStore::apply writes two rows: the task's and its attempt's. Read
  # against raw SQLite measured again right after them, under about the same load.
  local updates_per_s raw_line raw_rows_per_s
  raw_line=$("$bench/sqlite_rate" "$scratch/raw.db" 20000 1)
  rm -f "$scratch"/raw.db*
  raw_rows_per_s=$(sed 's/.*rows_per_s=\([0-9.]*\).*/\1/' <<< "$raw_line")
  updates_per_s=$(awk -F': ' '/"name":/ { name = $2 }
    /"items_per_second":/ && name ~ /BM_StoreApply\/batch:1\/full:0/ { sub(/,$/, "", $2); print $2; exit }' \
    "$scratch/micro.json")
  [[ -n $updates_per_s ]] || return 0
  echo
  echo "raw SQLite again, after the micro-benchmarks: $raw_line"
  echo "SqliteStore::apply, 1 update (2 rows) per transaction: $(printf '%.0f' "$updates_per_s")" \
       "transactions/s, $(printf '%.2f' "$(calc "$updates_per_s / $raw_rows_per_s")")× raw" \
       "SQLite's 1-row transactions/s; $(printf '%.2f' "$(calc "2 * $updates_per_s / $raw_rows_per_s")")× in rows/s"
}

print_machine
generate
measure_references
run_shapes
run_resume
run_contended
run_peers
count_store_writes
count_foreach_rows
run_http
print_table
print_targets
print_foreach_targets
print_http
[[ -z ${peer_line:-} ]] || { echo; echo "== peers (timed in this run, interleaved)"; echo "$peer_line"; }
run_micro
if [[ -x /usr/bin/chromium ]]; then
  echo
  echo "== dashboard"
  /usr/bin/python3 "$here/dashboard_page.py" "$build"
fi
echo
echo "== PostgreSQL state and several hosts"
/usr/bin/python3 "$here/scale_out.py" "$build"
echo
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (at the end)"
