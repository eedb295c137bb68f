// Expanding a foreach task into its calls (exec/fan_out_items.h): what a task of N items costs
// the host before its first item runs.
#include <benchmark/benchmark.h>

#include "exec/fan_out_items.h"

namespace flowweaver::bench {
namespace {

// A foreach over N file names, as `ls` piped through `parse: lines` would give them; range(1)
// is the batch size (0: one item per call).
void BM_ExpandFanOut(benchmark::State& state) {
  size_t num_items = static_cast<size_t>(state.range(0));
  Json list = Json::array();
  for (size_t i = 0; i < num_items; ++i) list.push_back("file" + std::to_string(i) + ".csv");
  TaskSpec task;
  task.name = "convert";
  auto fan_out = std::make_shared<FanOut>();
  fan_out->items = "${tasks.list.output.lines}";
  fan_out->batch_size = static_cast<int>(state.range(1));
  task.fan_out = fan_out;
  for (auto _ : state) {
    std::vector<TaskItem> items = expand_fan_out(task, list);
    benchmark::DoNotOptimize(items.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(num_items));
}
BENCHMARK(BM_ExpandFanOut)
    ->Args({10000, 0})
    ->Args({100000, 0})
    ->Args({100000, 100})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace flowweaver::bench
