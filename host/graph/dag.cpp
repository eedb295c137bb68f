#include "graph/dag.h"

#include <algorithm>
#include <cassert>
#include <functional>
#include <queue>

namespace flowweaver {

void Dag::add_dependency(uint32_t task, uint32_t upstream) {
  assert(task < size() && upstream < size());
  upstream_[task].push_back(upstream);
  downstream_[upstream].push_back(task);
}

std::vector<uint32_t> Dag::find_cycle() const {
  // Iterative depth-first search along downstream edges (a recursive one would overflow the
  // stack on a 100,000-task chain). A grey node met again closes a cycle.
  enum Color : uint8_t { kWhite, kGrey, kBlack };
  std::vector<Color> color(size(), kWhite);
  std::vector<std::pair<uint32_t, size_t>> stack;  // node, next edge to follow
  for (uint32_t root = 0; root < size(); ++root) {
    if (color[root] != kWhite) continue;
    stack.push_back({root, 0});
    color[root] = kGrey;
    while (!stack.empty()) {
      auto& [node, edge] = stack.back();
      if (edge == downstream_[node].size()) {
        color[node] = kBlack;
        stack.pop_back();
        continue;
      }
      uint32_t next = downstream_[node][edge++];
      if (color[next] == kGrey) {
        std::vector<uint32_t> cycle;
        auto start = std::find_if(stack.begin(), stack.end(),
                                  [next](const auto& frame) { return frame.first == next; });
        for (auto it = start; it != stack.end(); ++it) cycle.push_back(it->first);
        return cycle;
      }
      if (color[next] == kWhite) {
        color[next] = kGrey;
        stack.push_back({next, 0});
      }
    }
  }
  return {};
}

std::vector<uint32_t> Dag::topological_order() const {
  std::vector<uint32_t> remaining(size());
  std::priority_queue<uint32_t, std::vector<uint32_t>, std::greater<>> ready;
  for (uint32_t t = 0; t < size(); ++t) {
    remaining[t] = static_cast<uint32_t>(upstream_[t].size());
    if (remaining[t] == 0) ready.push(t);
  }
  std::vector<uint32_t> order;
  order.reserve(size());
  while (!ready.empty()) {
    uint32_t t = ready.top();
    ready.pop();
    order.push_back(t);
    for (uint32_t d : downstream_[t]) {
      if (--remaining[d] == 0) ready.push(d);
    }
  }
  assert(order.size() == size() && "topological_order() needs an acyclic graph");
  return order;
}

std::vector<uint32_t> Dag::with_dependents(uint32_t task) const {
  std::vector<bool> included(size(), false);
  std::vector<uint32_t> pending = {task};
  included[task] = true;
  while (!pending.empty()) {
    uint32_t t = pending.back();
    pending.pop_back();
    for (uint32_t d : downstream_[t]) {
      if (!included[d]) {
        included[d] = true;
        pending.push_back(d);
      }
    }
  }
  std::vector<uint32_t> out;
  for (uint32_t t : topological_order()) {
    if (included[t]) out.push_back(t);
  }
  return out;
}

}  // namespace flowweaver
