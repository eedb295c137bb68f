// Reading, validating and graphing a manifest: what `validate` and the start of `run` cost.
#include <benchmark/benchmark.h>

#include "bench_support.h"
#include "manifest/manifest_reader.h"
#include "manifest/validator.h"

namespace flowweaver::bench {
namespace {

void BM_ParseManifest(benchmark::State& state) {
  size_t num_tasks = static_cast<size_t>(state.range(0));
  std::string yaml = fanout_yaml(num_tasks);
  for (auto _ : state) {
    DiagnosticList diagnostics("bench.yaml");
    Manifest manifest = parse_manifest(yaml, "bench.yaml", &diagnostics);
    benchmark::DoNotOptimize(manifest.tasks.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(num_tasks));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(yaml.size()));
}
BENCHMARK(BM_ParseManifest)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// Against the loaded built plugins, with an empty environment (the manifest uses none).
void BM_ValidateManifest(benchmark::State& state) {
  size_t num_tasks = static_cast<size_t>(state.range(0));
  Manifest manifest = fanout_manifest(num_tasks);
  auto plugins = built_plugins();
  EnvLookup no_env = [](const std::string&) { return std::optional<std::string>(); };
  for (auto _ : state) {
    DiagnosticList diagnostics("bench.yaml");
    validate_manifest(manifest, *plugins, no_env, &diagnostics);
    if (!diagnostics.empty()) state.SkipWithError("the generated manifest did not validate");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(num_tasks));
}
BENCHMARK(BM_ValidateManifest)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_BuildDag(benchmark::State& state) {
  size_t num_tasks = static_cast<size_t>(state.range(0));
  Manifest manifest = fanout_manifest(num_tasks);
  for (auto _ : state) {
    Dag dag = build_dag(manifest);
    benchmark::DoNotOptimize(dag.size());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(num_tasks));
}
BENCHMARK(BM_BuildDag)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

void BM_TopologicalOrder(benchmark::State& state) {
  size_t num_tasks = static_cast<size_t>(state.range(0));
  Dag dag = build_dag(fanout_manifest(num_tasks));
  for (auto _ : state) {
    std::vector<uint32_t> order = dag.topological_order();
    benchmark::DoNotOptimize(order.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(num_tasks));
}
BENCHMARK(BM_TopologicalOrder)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace flowweaver::bench
