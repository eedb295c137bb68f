// The scheduler's own cost per task: its ready queue, dispatch to the worker pool and the
// completion events, with a runner that does nothing. Against a store that keeps nothing (the
// scheduler alone) and against a SQLite store in a scratch directory (what a run pays).
#include <benchmark/benchmark.h>

#include "bench_support.h"
#include "exec/scheduler.h"
#include "manifest/validator.h"
#include "null_store.h"
#include "state/sqlite_store.h"

namespace flowweaver::bench {
namespace {

class NoopRunner : public TaskRunner {
 public:
  AttemptOutcome run(uint32_t, int, const TaskItem*, Cancellation&, const OutputTable&) override {
    return {AttemptOutcome::Kind::kOk, "null", ""};
  }
};

std::vector<TaskRecord> pending_records(const Manifest& manifest, TimePoint now) {
  std::vector<TaskRecord> records(manifest.tasks.size());
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].task_name = manifest.tasks[i].name;
    records[i].position = static_cast<int>(i);
    records[i].timestamp = now;
  }
  return records;
}

// Creates the run in `store` and runs it to the end; returns false unless all COMPLETED.
bool run_once(const Manifest& manifest, const Dag& dag, StateStore& store, int max_workers,
              const std::string& run_id) {
  NoopRunner runner;
  SystemClock clock;
  RunObserver observer;
  SchedulerOptions options;
  options.max_workers = max_workers;
  std::vector<TaskRecord> records = pending_records(manifest, clock.now());
  store.create_run({run_id, manifest.name, RunStatus::kRunning, clock.now(), std::nullopt, "0"},
                   records);
  Scheduler scheduler(manifest, dag, runner, store, clock, observer, options);
  return scheduler.run(run_id, std::move(records)).status == RunStatus::kCompleted;
}

// Args: tasks, workers, shape (0 fan-out, 1 chain).
Manifest generated_manifest(const benchmark::State& state) {
  size_t num_tasks = static_cast<size_t>(state.range(0));
  return state.range(2) ? chain_manifest(num_tasks) : fanout_manifest(num_tasks);
}

// Args: tasks, workers, and 1 for a chain instead of a fan-out (every step of a chain hands one
// task to a worker and its completion back, nothing overlapping).
void BM_SchedulerNullStore(benchmark::State& state) {
  Manifest manifest = generated_manifest(state);
  Dag dag = build_dag(manifest);
  testing::NullStore store;  // what remains of the run's cost is the scheduler's
  for (auto _ : state) {
    if (!run_once(manifest, dag, store, static_cast<int>(state.range(1)), "run")) {
      state.SkipWithError("the run did not complete");
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SchedulerNullStore)
    ->Args({1000, 1, 0})
    ->Args({1000, 2, 0})
    ->Args({10000, 2, 0})
    ->Args({1000, 2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A fresh state file per iteration, opened outside the timing. Args as above.
void BM_SchedulerSqliteStore(benchmark::State& state) {
  Manifest manifest = generated_manifest(state);
  Dag dag = build_dag(manifest);
  ScratchDir dir;
  int iteration = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto path = dir.path() / ("state" + std::to_string(iteration++) + ".db");
    auto store = std::make_unique<SqliteStore>(path.string(), Durability::kNormal);
    state.ResumeTiming();
    if (!run_once(manifest, dag, *store, static_cast<int>(state.range(1)), "run")) {
      state.SkipWithError("the run did not complete");
    }
    state.PauseTiming();
    store.reset();
    std::filesystem::remove(path);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SchedulerSqliteStore)
    ->Args({1000, 2, 0})
    ->Args({10000, 2, 0})
    ->Args({1000, 2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace flowweaver::bench
