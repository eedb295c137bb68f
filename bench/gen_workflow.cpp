// Writes the benchmark inputs: a manifest of N tasks in one of the shapes of docs/BENCHMARKS.md,
// or a Makefile running the same DAG of /bin/true commands as the shell fan-out, so that
// `make -j2` and `flowweaver run --max-workers 2` do exactly the same work.
//
//   gen_workflow SHAPE N OUT [--failing K]
//
// SHAPE: chain | fanout | diamond | shell-fanout | foreach | makefile. Every shape but makefile
// writes a manifest; --failing K (fanout only) turns the last K middle tasks into permanently
// failing builtin.fail tasks, which leaves a run with a known number of COMPLETED tasks to resume.
// foreach is the fan-out's DAG with its N-2 middle tasks as the items of one foreach task, so
// both shapes make the same N calls of builtin.noop.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace flowweaver::bench {
namespace {

// One task of a generated graph: its name, its upstream tasks, and how it is run.
struct GenTask {
  std::string name;
  std::vector<size_t> upstream;
  bool failing = false;
};

std::string task_name(size_t index) { return "t" + std::to_string(index); }

std::vector<GenTask> named(size_t n) {
  std::vector<GenTask> tasks(n);
  for (size_t i = 0; i < n; ++i) tasks[i].name = task_name(i);
  return tasks;
}

// t_i depends on t_{i-1}.
std::vector<GenTask> chain(size_t n) {
  std::vector<GenTask> tasks = named(n);
  for (size_t i = 1; i < n; ++i) tasks[i].upstream = {i - 1};
  return tasks;
}

// One root, n-2 tasks depending on it, one sink depending on all of them.
std::vector<GenTask> fanout(size_t n, size_t num_failing) {
  std::vector<GenTask> tasks = named(n);
  size_t sink = n - 1;
  for (size_t i = 1; i < sink; ++i) {
    tasks[i].upstream = {0};
    tasks[i].failing = i + num_failing >= sink;
    tasks[sink].upstream.push_back(i);
  }
  return tasks;
}

// Ten layers of (nearly) equal size; each task of a layer depends on two neighbouring tasks of
// the layer before, so every task has two upstream and (about) two downstream tasks.
std::vector<GenTask> diamond(size_t n) {
  constexpr size_t kNumLayers = 10;
  std::vector<GenTask> tasks = named(n);
  size_t prev_begin = 0, prev_size = 0, begin = 0;
  for (size_t layer = 0; layer < kNumLayers; ++layer) {
    size_t size = n / kNumLayers + (layer < n % kNumLayers ? 1 : 0);
    for (size_t j = 0; j < size && prev_size > 0; ++j) {
      tasks[begin + j].upstream.push_back(prev_begin + j % prev_size);
      if (prev_size > 1) tasks[begin + j].upstream.push_back(prev_begin + (j + 1) % prev_size);
    }
    prev_begin = begin;
    prev_size = size;
    begin += size;
  }
  return tasks;
}

void write_depends_on(std::ostream& out, const std::vector<GenTask>& tasks, const GenTask& task) {
  if (task.upstream.empty()) return;
  out << "    depends_on: [";
  for (size_t i = 0; i < task.upstream.size(); ++i) {
    out << (i ? ", " : "") << tasks[task.upstream[i]].name;
  }
  out << "]\n";
}

void write_manifest(std::ostream& out, const std::string& name, const std::vector<GenTask>& tasks,
                    bool shell) {
  out << "name: " << name << "\ntasks:\n";
  for (const GenTask& task : tasks) {
    out << "  - name: " << task.name << "\n";
    if (shell) {
      out << "    uses: shell.run\n    with: {command: [/bin/true]}\n";
    } else if (task.failing) {
      out << "    uses: builtin.fail\n    with: {permanent: true}\n";
    } else {
      out << "    uses: builtin.noop\n";
    }
    write_depends_on(out, tasks, task);
  }
}

// root -> work (foreach over a literal list of n-2 items) -> sink. The list is written in flow
// style, ten numbers a line: what `validate` pays to read it is measured beside the fan-out's.
void write_foreach_manifest(std::ostream& out, const std::string& name, size_t n) {
  constexpr size_t kItemsPerLine = 10;
  out << "name: " << name << "\ntasks:\n";
  out << "  - name: root\n    uses: builtin.noop\n";
  out << "  - name: work\n    uses: builtin.noop\n    depends_on: [root]\n    foreach: [";
  for (size_t i = 0; i + 2 < n; ++i) {
    if (i > 0) out << (i % kItemsPerLine == 0 ? ",\n      " : ", ");
    out << i;
  }
  out << "]\n";
  out << "  - name: sink\n    uses: builtin.noop\n    depends_on: [work]\n";
}

// Phony targets, so make runs every command on every invocation, like a fresh run.
void write_makefile(std::ostream& out, const std::vector<GenTask>& tasks) {
  out << ".PHONY: all";
  for (const GenTask& task : tasks) out << " " << task.name;
  out << "\nall: " << tasks.back().name << "\n";
  for (const GenTask& task : tasks) {
    out << task.name << ":";
    for (size_t u : task.upstream) out << " " << tasks[u].name;
    out << "\n\t@/bin/true\n";
  }
}

int usage() {
  std::cerr << "usage: gen_workflow chain|fanout|diamond|shell-fanout|foreach|makefile N OUT "
               "[--failing K]\n";
  return 2;
}

int generate(const std::string& shape, size_t n, const std::string& path, size_t num_failing) {
  std::ofstream out(path);
  if (!out) {
    std::cerr << "gen_workflow: cannot write " << path << "\n";
    return 1;
  }
  std::string name = "bench_" + shape + "_" + std::to_string(n);
  for (char& c : name) c = c == '-' ? '_' : c;
  if (shape == "chain") {
    write_manifest(out, name, chain(n), false);
  } else if (shape == "fanout") {
    write_manifest(out, name, fanout(n, num_failing), false);
  } else if (shape == "diamond") {
    write_manifest(out, name, diamond(n), false);
  } else if (shape == "shell-fanout") {
    write_manifest(out, name, fanout(n, 0), true);
  } else if (shape == "foreach") {
    write_foreach_manifest(out, name, n);
  } else if (shape == "makefile") {
    write_makefile(out, fanout(n, 0));
  } else {
    return usage();
  }
  out.close();
  if (!out) {
    std::cerr << "gen_workflow: writing " << path << " failed\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace flowweaver::bench

int main(int argc, char** argv) {
  using flowweaver::bench::usage;
  if (argc != 4 && argc != 6) return usage();
  long long n = std::atoll(argv[2]);
  long long num_failing = 0;
  if (argc == 6) {
    if (std::string(argv[4]) != "--failing") return usage();
    num_failing = std::atoll(argv[5]);
  }
  if (n < 3 || num_failing < 0 || num_failing > n - 2) {
    std::cerr << "gen_workflow: N must be at least 3 and K at most N-2\n";
    return 2;
  }
  return flowweaver::bench::generate(argv[1], static_cast<size_t>(n), argv[3],
                                     static_cast<size_t>(num_failing));
}
