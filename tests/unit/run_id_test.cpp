// Run ids are unique within a state by construction, however many runs start in one
// millisecond, and keep a shape that is safe as a file name and sorts by time.
#include "run_id.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <set>

#include "scratch_dir.h"

namespace flowweaver {
namespace {

using testing::ScratchDir;

const TimePoint kOneMillisecond = TimePoint(Millis(1764131000123));  // 2025-11-26T04:23:20.123Z

// Creates `count` runs in `store`, all starting at kOneMillisecond, the suffix of each starting
// where `random_start` says; returns their ids.
std::vector<std::string> create_runs(StateStore& store, int count,
                                     const std::function<uint32_t()>& random_start) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    RunRecord run{new_run_id(store, kOneMillisecond, random_start()),
                  "wf",
                  RunStatus::kCompleted,
                  kOneMillisecond,
                  kOneMillisecond,
                  "hash"};
    store.create_run(run, {});
    ids.push_back(run.run_id);
  }
  return ids;
}

class RunIdTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<StateStore> open() {
    return open_state_store(dir_.file("state" + GetParam()), Durability::kNormal);
  }
  ScratchDir dir_;
};

TEST_P(RunIdTest, ManyRunsInOneMillisecondAllGetDistinctIdsAndAreAllStored) {
  std::unique_ptr<StateStore> store = open();
  std::mt19937 random(12345);
  int count = GetParam() == ".db" ? 2000 : 200;  // each JSON commit rewrites and syncs the file
  std::vector<std::string> ids = create_runs(*store, count, [&] { return random(); });
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  EXPECT_EQ(store->list_runs("wf", 10000).size(), ids.size());
}

TEST_P(RunIdTest, ARandomStartThatIsTakenStepsToTheNextFreeSuffix) {
  std::unique_ptr<StateStore> store = open();
  std::vector<std::string> ids = create_runs(*store, 100, [] { return 0xfffffeu; });
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  EXPECT_EQ(store->list_runs("wf", 1000).size(), ids.size());
  EXPECT_EQ(ids[0], "20251126T042320123-fffffe");
  EXPECT_EQ(ids[1], "20251126T042320123-ffffff");
  EXPECT_EQ(ids[2], "20251126T042320123-000000");  // wraps around within six digits
}

TEST(RunIdShape, IsTheStartTimeToTheMillisecondThenSixHexDigits) {
  ScratchDir dir;
  std::unique_ptr<StateStore> store = open_state_store(dir.file("state.db"), Durability::kNormal);
  std::string id = new_run_id(*store, kOneMillisecond, 0xabc);
  EXPECT_EQ(id, "20251126T042320123-000abc");
  EXPECT_LT(id, new_run_id(*store, kOneMillisecond + Millis(1), 0));  // sorts by start time
}

INSTANTIATE_TEST_SUITE_P(Backends, RunIdTest, ::testing::Values(".db", ".json"),
                         [](const auto& info) { return info.param.substr(1); });

}  // namespace
}  // namespace flowweaver
