#include "graph/dag.h"

#include <gtest/gtest.h>

namespace flowweaver {
namespace {

TEST(DagTest, TopologicalOrderPutsUpstreamFirstAndLowestIndexAmongReady) {
  // 0 -> 2, 1 -> 2, 3 independent; ready ties break by manifest order.
  Dag dag(4);
  dag.add_dependency(2, 0);
  dag.add_dependency(2, 1);
  EXPECT_EQ(dag.topological_order(), (std::vector<uint32_t>{0, 1, 2, 3}));

  Dag reversed(3);  // 2 must come first even though it is declared last
  reversed.add_dependency(0, 2);
  reversed.add_dependency(1, 0);
  EXPECT_EQ(reversed.topological_order(), (std::vector<uint32_t>{2, 0, 1}));
}

TEST(DagTest, FindCycleReturnsThePathInDependencyOrder) {
  // a(0) -> b(1) -> c(2) -> a(0): b depends on a, c on b, a on c.
  Dag dag(4);
  dag.add_dependency(1, 0);
  dag.add_dependency(2, 1);
  dag.add_dependency(0, 2);
  dag.add_dependency(3, 0);
  std::vector<uint32_t> cycle = dag.find_cycle();
  ASSERT_EQ(cycle.size(), 3u);
  // Each element is needed by the next, and the last by the first.
  for (size_t i = 0; i < cycle.size(); ++i) {
    uint32_t from = cycle[i], to = cycle[(i + 1) % cycle.size()];
    const auto& down = dag.downstream(from);
    EXPECT_NE(std::find(down.begin(), down.end(), to), down.end());
  }
}

TEST(DagTest, AcyclicGraphHasNoCycleEvenWhenDeep) {
  const uint32_t n = 200000;  // deep enough to overflow a recursive search
  Dag chain(n);
  for (uint32_t i = 1; i < n; ++i) chain.add_dependency(i, i - 1);
  EXPECT_TRUE(chain.find_cycle().empty());
  EXPECT_EQ(chain.topological_order().back(), n - 1);
}

TEST(DagTest, WithDependentsIsTransitiveAndOrdered) {
  Dag dag(5);
  dag.add_dependency(1, 0);
  dag.add_dependency(2, 1);
  dag.add_dependency(3, 0);
  // 4 is unrelated
  EXPECT_EQ(dag.with_dependents(1), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(dag.with_dependents(0), (std::vector<uint32_t>{0, 1, 2, 3}));
  EXPECT_EQ(dag.with_dependents(4), (std::vector<uint32_t>{4}));
}

}  // namespace
}  // namespace flowweaver
