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

for shape in chain fanout diamond shell-fanout; do
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

# Raw SQLite and make references.
"$bench/sqlite_rate" "$scratch/raw.db" 300 1 | grep -Eq '^rows=300 rows_per_txn=1 .*rows_per_s=' \
  || fail "sqlite_rate 300 1"
"$bench/sqlite_rate" "$scratch/raw.db" 300 100 full | grep -q 'rows_per_txn=100' \
  || fail "sqlite_rate 300 100 full"
"$bench/gen_workflow" makefile 20 "$scratch/Makefile"
"$bench/measure" -- make -j2 -f "$scratch/Makefile" > /dev/null || fail "make -j2 on Makefile"

echo "bench tools OK"
