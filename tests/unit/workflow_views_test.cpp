// GET /api/workflows' view of a workflow's runs: the latest 20 oldest first, the last run, and
// the last success from them, or from what the service keeps when none of them completed.
#include "service/views/workflow_views.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_service_reader.h"
#include "scratch_dir.h"
#include "state/record_json.h"

namespace flowweaver {
namespace {

TimePoint at_second(int s) { return TimePoint(std::chrono::seconds(1700000000 + s)); }

// Run i starts at second 10*i and ends 2 s later, with the status given.
void add_run(StateStore& store, int i, RunStatus status) {
  RunRecord run{"r" + std::to_string(100 + i), "wf",  status, at_second(10 * i),
                at_second(10 * i + 2),         "hash"};
  store.create_run(run, {});
}

class WorkflowViewsTest : public ::testing::Test {
 protected:
  WorkflowViewsTest() {
    service_.store_for = [this](const std::string&) -> StateStore& { return *store_; };
  }
  nlohmann::json view() { return workflows_view(service_).at(0); }

  testing::ScratchDir dir_;
  std::unique_ptr<StateStore> store_ = open_state_store(dir_.file("wf.db"), Durability::kNormal);
  testing::FakeServiceReader service_{{"wf"}};
};

TEST_F(WorkflowViewsTest, TheLatest20RunsOldestFirstAndTheLastSuccessAmongThem) {
  for (int i = 0; i < 25; ++i)
    add_run(*store_, i, i == 22 ? RunStatus::kCompleted : RunStatus::kFailed);
  service_.kept_last_success = at_second(1);  // older: the runs read say better
  nlohmann::json wf = view();
  ASSERT_EQ(wf["recent_runs"].size(), kRecentRuns);
  EXPECT_EQ(wf["recent_runs"][0]["run_id"], "r105");
  EXPECT_EQ(wf["recent_runs"][19]["run_id"], "r124");
  EXPECT_EQ(wf["recent_runs"][19]["duration_ms"], 2000);
  EXPECT_EQ(wf["last_run"]["run_id"], "r124");
  EXPECT_EQ(wf["last_run"]["status"], "FAILED");
  EXPECT_EQ(wf["last_run"]["finished_at"], time_to_json(at_second(242)));
  EXPECT_EQ(wf["last_success_at"], time_to_json(at_second(222)));
  EXPECT_EQ(service_.reads, std::vector<std::string>{"wf"});
}

TEST_F(WorkflowViewsTest, ASuccessOlderThanTheRunsReadComesFromWhatTheServiceKeeps) {
  add_run(*store_, 0, RunStatus::kCompleted);
  for (int i = 1; i <= 20; ++i) add_run(*store_, i, RunStatus::kCancelled);
  service_.kept_last_success = at_second(2);
  EXPECT_EQ(view()["last_success_at"], time_to_json(at_second(2)));
  service_.kept_last_success.reset();
  EXPECT_EQ(view()["last_success_at"], nullptr);
}

TEST_F(WorkflowViewsTest, AWorkflowThatNeverRanHasNoLastRunAndNoRecentRuns) {
  nlohmann::json wf = view();
  EXPECT_EQ(wf["last_run"], nullptr);
  EXPECT_EQ(wf["last_success_at"], nullptr);
  EXPECT_EQ(wf["recent_runs"], nlohmann::json::array());
}

}  // namespace
}  // namespace flowweaver
