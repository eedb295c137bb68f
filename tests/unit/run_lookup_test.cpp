// Finding a run's workflow by the run id alone: one state read when the run index knows the
// run, one scan (remembered) when it does not, and a stale entry dropped.
#include "service/views/run_lookup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "null_store.h"

namespace flowweaver {
namespace {

using ::testing::ElementsAre;

// Serves workflows a, b and c; records which states were read. The test's `read` decides
// whether the run is in the state being read (`reading`).
class FakeReader : public ServiceReader {
 public:
  FakeReader() {
    for (const char* name : {"a", "b", "c"}) {
      auto workflow = std::make_shared<Workflow>();
      workflow->manifest.name = name;
      workflows_.push_back({workflow, name + std::string(".yaml"), std::nullopt});
    }
  }
  std::vector<ServedWorkflow> served_workflows() const override { return workflows_; }
  std::optional<ServedWorkflow> served_workflow(const std::string& name) const override {
    for (const ServedWorkflow& w : workflows_) {
      if (w.workflow->manifest.name == name) return w;
    }
    return std::nullopt;
  }
  std::map<std::string, std::string> active_run_ids() const override { return {}; }
  std::shared_ptr<const PluginRegistry> plugin_registry() const override { return nullptr; }
  bool read_state(const std::string& workflow,
                  const std::function<void(StateStore&)>& read) const override {
    reads.push_back(workflow);
    reading = workflow;
    testing::NullStore store;
    read(store);
    return true;
  }
  std::optional<TimePoint> last_success(const std::string&) const override { return {}; }
  RunIndex& run_index() const override { return index_; }
  TimePoint now() const override { return TimePoint(); }

  mutable std::vector<std::string> reads;
  mutable std::string reading;

 private:
  std::vector<ServedWorkflow> workflows_;
  mutable RunIndex index_;
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
