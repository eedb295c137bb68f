#!/usr/bin/env bash
# ctest BenchToolsSmoke: the benchmark tools work on tiny inputs. Times nothing.
#   smoke_test.sh BUILD_DIR SCRATCH_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
scratch=$2
bench=$build/bench
fw=$build/bin/flowweaver
rm -rf "$scratch"
mkdir -p "$scratch"

fail() { echo "FAIL: $*" >&2; exit 1; }

for shape in chain fanout diamond shell-fanout foreach; do
  "$bench/gen_workflow" "$shape" 20 "$scratch/$shape.yaml"
  "$fw" validate "$scratch/$shape.yaml" > /dev/null || fail "$shape.yaml does not validate"
done
"$bench/gen_workflow" fanout 20 "$scratch/failing.yaml" --failing 3
"$fw" validate "$scratch/failing.yaml" > /dev/null || fail "failing.yaml does not validate"

# measure: the run's result line, and the task rows it left.
line=$("$bench/measure" --stderr "$scratch/diamond.log" -- \
       "$fw" run "$scratch/diamond.yaml" --state "$scratch/diamond.db" --max-workers 2)
[[ $line =~ ^wall_s=[0-9.]+\ cpu_s=[0-9.]+\ maxrss_kb=[1-9][0-9]*\ exit=0$ ]] || fail "measure printed '$line'"
"$fw" status "$scratch/diamond.yaml" --state "$scratch/diamond.db" | grep -q COMPLETED \
  || fail "the measured run left no COMPLETED run"

# The foreach of 20 calls: its 18 items each leave a COMPLETED row of their own.
"$fw" run "$scratch/foreach.yaml" --state "$scratch/foreach.db" > /dev/null 2>&1 \
  || fail "the foreach run failed"
items=$("$fw" status "$scratch/foreach.yaml" --state "$scratch/foreach.db" | grep '^work: ') || true
[[ $items == "work: 18 items: 18 COMPLETED" ]] || fail "the foreach run left '$items', not 18 COMPLETED items"

# The failing fan-out leaves 17 COMPLETED (root + 16) and 3 FAILED; measure passes exit 1 on.
set +e
"$bench/measure" -- "$fw" run "$scratch/failing.yaml" --state "$scratch/failing.db" > /dev/null
code=$?
set -e
[[ $code == 1 ]] || fail "the failing fan-out exited $code, not 1"

# The write counter sees the store's rows and commits.
rm -f "$scratch/count.txt"
FLOWWEAVER_BENCH_WRITE_COUNT=$scratch/count.txt LD_PRELOAD=$bench/sqlite_write_counter.so \
  "$fw" run "$scratch/chain.yaml" --state "$scratch/chain.db" > /dev/null 2>&1
grep -Eq '^rows=[1-9][0-9]* commits=[1-9][0-9]*$' "$scratch/count.txt" \
  || fail "write counter wrote '$(cat "$scratch/count.txt")'"

# The DAG drawing (Graphviz) on a chain and a fan of 5 tasks.
[[ $("$bench/graph_layout" 5 | grep -c '^shape=[a-z]* tasks=5 ms=[0-9.]* svg_bytes=[1-9]') == 2 ]] \
  || fail "graph_layout 5"

# Raw SQLite and make references.
"$bench/sqlite_rate" "$scratch/raw.db" 300 1 | grep -Eq '^rows=300 rows_per_txn=1 .*rows_per_s=' \
  || fail "sqlite_rate 300 1"
"$bench/sqlite_rate" "$scratch/raw.db" 300 100 full | grep -q 'rows_per_txn=100' \
  || fail "sqlite_rate 300 100 full"
"$bench/gen_workflow" makefile 20 "$scratch/Makefile"
"$bench/measure" -- make -j2 -f "$scratch/Makefile" > /dev/null || fail "make -j2 on Makefile"

# http_rate against a real service: a few runs of a tiny workflow, all COMPLETED.
mkdir -p "$scratch/serve/workflows"
"$bench/gen_workflow" fanout 3 "$scratch/serve/workflows/small.yaml"
small=$(sed -n 's/^name: *//p' "$scratch/serve/workflows/small.yaml")
printf 'workflows_dir: workflows\nstate_dir: var\nlog_dir: var/log\nlisten: "127.0.0.1:0"\n' \
  > "$scratch/serve/config.yaml"
"$fw" serve --config "$scratch/serve/config.yaml" 2> "$scratch/serve/err.txt" &
serve_pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*serving .* on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$scratch/serve/err.txt")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { kill "$serve_pid"; fail "serve did not start: $(cat "$scratch/serve/err.txt")"; }
line=$("$bench/http_rate" "$port" "$small" 3 10) || { kill "$serve_pid"; fail "http_rate failed"; }
kill -TERM "$serve_pid"
wait "$serve_pid" || fail "serve exited $? after SIGTERM"
[[ $line =~ ^livez_median_us=[0-9.]+\ .*\ runs=3\ runs_s=[0-9.]+\ .*connects=1$ ]] \
  || fail "http_rate printed '$line'"

echo "bench tools OK"
