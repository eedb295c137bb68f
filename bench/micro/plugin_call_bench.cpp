// One call of builtin.noop across the C ABI: bare (the function pointer the descriptor gives,
// with host callbacks that do nothing), and as the host makes it (InProcessRunner: templates
// resolved, defaults filled in, the output checked).
#include <benchmark/benchmark.h>

#include "bench_support.h"
#include "exec/in_process_runner.h"

namespace flowweaver::bench {
namespace {

void ignore_log(void*, fw_log_level, const char*, size_t) {}
int never_cancelled(void*) { return 0; }
int wait_uncancelled(void*, uint64_t) { return 0; }
const char* no_input(void*, const char*, size_t*) { return nullptr; }
void keep_length(void* data, const char*, size_t len) { *static_cast<size_t*>(data) = len; }

void BM_PluginCallBare(benchmark::State& state) {
  TaskTypeRef noop = built_plugins()->find_task_type("builtin.noop");
  size_t output_len = 0;
  fw_host host{sizeof(fw_host), &output_len, ignore_log,  never_cancelled, wait_uncancelled,
               no_input,        keep_length, keep_length, nullptr};
  const char params[] = "{}";
  fw_call call{sizeof(fw_call), "t0", params, sizeof(params) - 1, 1, &host};
  for (auto _ : state) {
    fw_outcome outcome = noop.type->run(noop.type->task_data, &call);
    if (outcome != FW_OUTCOME_OK) state.SkipWithError("builtin.noop failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PluginCallBare);

void BM_PluginCallInProcessRunner(benchmark::State& state) {
  Manifest manifest = fanout_manifest(3);
  auto plugins = built_plugins();
  std::vector<TaskTypeRef> types;
  for (const TaskSpec& task : manifest.tasks) types.push_back(plugins->find_task_type(task.uses));
  EnvLookup no_env = [](const std::string&) { return std::optional<std::string>(); };
  InProcessRunner runner(manifest, types, nlohmann::json::object(), no_env, nullptr);
  OutputTable outputs(manifest.tasks.size(), "null");
  Cancellation cancellation;
  for (auto _ : state) {
    AttemptOutcome outcome = runner.run(1, 1, nullptr, cancellation, outputs);
    if (outcome.kind != AttemptOutcome::Kind::kOk) state.SkipWithError(outcome.error.c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PluginCallInProcessRunner);

}  // namespace
}  // namespace flowweaver::bench
