// SqliteStore::apply: one transaction per call, each update a task row and an attempt row, in
// batches of 1 (a commit per finished task) and 100 (a busy scheduler turn). items/s counts
// task updates; bench/sqlite_rate gives the raw SQLite rate to read them against.
#include <benchmark/benchmark.h>

#include "bench_support.h"
#include "state/sqlite_store.h"

namespace flowweaver::bench {
namespace {

constexpr int kNumTasks = 10000;

TaskUpdate completed_update(int position, int attempt, TimePoint now) {
  TaskUpdate update;
  update.task.task_name = "t" + std::to_string(position);
  update.task.position = position;
  update.task.status = TaskStatus::kCompleted;
  update.task.attempt = attempt;
  update.task.result = "null";
  update.task.timestamp = now;
  update.task.started_at = now;
  update.task.finished_at = now;
  update.attempt =
      AttemptRecord{update.task.task_name, attempt, TaskStatus::kCompleted, "", now, now};
  return update;
}

// Arg: updates per transaction. Durability as the second arg (0 normal, 1 full).
void BM_StoreApply(benchmark::State& state) {
  int batch = static_cast<int>(state.range(0));
  Durability durability = state.range(1) ? Durability::kFull : Durability::kNormal;
  ScratchDir dir;
  SqliteStore store((dir.path() / "state.db").string(), durability);
  TimePoint now = std::chrono::system_clock::now();
  std::vector<TaskRecord> tasks;
  for (int i = 0; i < kNumTasks; ++i) tasks.push_back(completed_update(i, 0, now).task);
  store.create_run({"run", "micro", RunStatus::kRunning, now, std::nullopt, "0"}, tasks);
  int next = 0;
  std::vector<TaskUpdate> updates;
  for (auto _ : state) {
    state.PauseTiming();
    updates.clear();
    for (int i = 0; i < batch; ++i, ++next) {
      updates.push_back(completed_update(next % kNumTasks, next / kNumTasks + 1, now));
    }
    state.ResumeTiming();
    store.apply("run", updates);
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_StoreApply)
    ->ArgNames({"batch", "full"})
    ->Args({1, 0})
    ->Args({100, 0})
    ->Args({1, 1})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace
}  // namespace flowweaver::bench
