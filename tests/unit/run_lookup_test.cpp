// Finding a run's workflow by the run id alone: one state read when the run index knows the
// run, one scan (remembered) when it does not, and a stale entry dropped.
#include "service/views/run_lookup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_service_reader.h"

namespace flowweaver {
namespace {

using ::testing::ElementsAre;

// Serves workflows a, b and c; the test's `read` decides whether the run is in the state being
// read (`reading`).
class FakeReader : public testing::FakeServiceReader {
 public:
  FakeReader() : FakeServiceReader({"a", "b", "c"}) {}
};

TEST(RunLookupTest, AnUnknownRunIsFoundByOneScanThenByOneRead) {
  FakeReader service;
  std::string holder = "b";
  auto in_holder = [&](StateStore&) { return service.reading == holder; };
  EXPECT_EQ(read_run_state(service, "r1", in_holder), "b");
  EXPECT_THAT(service.reads, ElementsAre("a", "b"));
  EXPECT_EQ(service.run_index().workflow_of("r1"), "b");

  service.reads.clear();
  EXPECT_EQ(read_run_state(service, "r1", in_holder), "b");
  EXPECT_THAT(service.reads, ElementsAre("b"));
}

TEST(RunLookupTest, AnIndexedStateThatNoLongerHoldsTheRunIsLookedPastAndForgotten) {
  FakeReader service;
  service.run_index().remember("r1", "a");
  std::string holder = "c";  // a restore moved it, as far as the index can tell
  auto in_holder = [&](StateStore&) { return service.reading == holder; };
  EXPECT_EQ(read_run_state(service, "r1", in_holder), "c");
  EXPECT_THAT(service.reads, ElementsAre("a", "b", "c"));  // a once only
  EXPECT_EQ(service.run_index().workflow_of("r1"), "c");

  holder = "";  // gone everywhere
  service.reads.clear();
  EXPECT_EQ(read_run_state(service, "r1", in_holder), std::nullopt);
  EXPECT_THAT(service.reads, ElementsAre("c", "a", "b"));
  EXPECT_EQ(service.run_index().workflow_of("r1"), std::nullopt);
}

TEST(RunLookupTest, AnIndexedWorkflowNoLongerServedIsNotRead) {
  FakeReader service;
  service.run_index().remember("r1", "gone");
  std::string holder = "a";
  EXPECT_EQ(read_run_state(service, "r1", [&](StateStore&) { return service.reading == holder; }),
            "a");
  EXPECT_THAT(service.reads, ElementsAre("a"));
}

}  // namespace
}  // namespace flowweaver
