// How long the service takes to draw a workflow's DAG (service/dag_svg.h: Graphviz dot, then
// SVG), for chains and wide fans of N tasks; the figures behind kMaxDrawnTasks
// (docs/BENCHMARKS.md, "Drawing the DAG"). Prints one line per drawing:
//   shape=chain tasks=1000 ms=431.2 svg_bytes=716423
// Usage: graph_layout [N ...]   (default: 200 1000 2000 10000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "service/dag_svg.h"

namespace {

using flowweaver::Manifest;
using flowweaver::TaskSpec;

TaskSpec noop(size_t i) {
  TaskSpec task;
  task.name = "t" + std::to_string(i);
  task.uses = "builtin.noop";
  return task;
}

// chain: t_i depends on t_{i-1}. fan: t0 -> t1 ... t_{N-2} -> t_{N-1}, as bench/gen_workflow's
// fanout.
Manifest workflow(const std::string& shape, size_t num_tasks) {
  Manifest m;
  m.name = shape;
  for (size_t i = 0; i < num_tasks; ++i) {
    TaskSpec task = noop(i);
    if (shape == "chain" && i > 0) task.depends_on.push_back("t" + std::to_string(i - 1));
    if (shape == "fan" && i > 0 && i + 1 < num_tasks) task.depends_on.push_back("t0");
    if (shape == "fan" && i > 0 && i + 1 == num_tasks) {
      for (size_t j = 1; j + 1 < num_tasks; ++j) task.depends_on.push_back("t" + std::to_string(j));
    }
    m.tasks.push_back(std::move(task));
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<size_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::strtoul(argv[i], nullptr, 10));
  if (sizes.empty()) sizes = {200, 1000, 2000, 10000};
  // The first drawing loads Graphviz's plugins and fonts: done once, untimed, as a service would
  // have by its second request.
  flowweaver::render_dag_svg(workflow("chain", 2));
  for (size_t n : sizes) {
    for (const char* shape : {"chain", "fan"}) {
      Manifest m = workflow(shape, n);
      auto start = std::chrono::steady_clock::now();
      std::string svg = flowweaver::render_dag_svg(m);
      std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
      std::printf("shape=%s tasks=%zu ms=%.1f svg_bytes=%zu\n", shape, n, took.count(), svg.size());
      std::fflush(stdout);
    }
  }
  return 0;
}
