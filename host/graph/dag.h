// The task graph: tasks are numbered 0..N-1 in manifest order; edges run from a task to the
// tasks that depend on it. Built once per run and never changed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace flowweaver {

class Dag {
 public:
  explicit Dag(size_t num_tasks) : upstream_(num_tasks), downstream_(num_tasks) {}

  // `task` cannot start before `upstream` completed.
  void add_dependency(uint32_t task, uint32_t upstream);

  size_t size() const { return upstream_.size(); }
  const std::vector<uint32_t>& upstream(uint32_t task) const { return upstream_[task]; }
  const std::vector<uint32_t>& downstream(uint32_t task) const { return downstream_[task]; }

  // A cycle as a list of tasks whose last element depends on... the first: e.g. {a, b, c} for
  // a -> b -> c -> a, where "x -> y" reads "x is needed by y". Empty when the graph is acyclic.
  std::vector<uint32_t> find_cycle() const;

  // Every task once, each after all of its upstream tasks; among ready tasks the lowest
  // number first, so the order is the same on every run. Requires an acyclic graph.
  std::vector<uint32_t> topological_order() const;

  // `task` and every task that depends on it, directly or not, in topological order.
  std::vector<uint32_t> with_dependents(uint32_t task) const;

 private:
  std::vector<std::vector<uint32_t>> upstream_;
  std::vector<std::vector<uint32_t>> downstream_;
};

}  // namespace flowweaver
