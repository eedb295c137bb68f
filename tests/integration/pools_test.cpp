// `flowweaver run --pool NAME=N`: the real binary keeps a pool's tasks to its slots, and refuses
// a manifest naming an undeclared pool before anything runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kFanOut = R"(name: wf
max_workers: 4
tasks:
  - {name: a, uses: builtin.sleep, pool: p, with: {duration: 200ms}}
  - {name: b, uses: builtin.sleep, pool: p, with: {duration: 200ms}}
  - {name: c, uses: builtin.sleep, pool: p, with: {duration: 200ms}}
  - {name: d, uses: builtin.sleep, pool: p, with: {duration: 200ms}}
)";

TEST(PoolsTest, APoolOfOneRunsAFanOutOneTaskAtATime) {
  TempDir dir;
  dir.write("wf.yaml", kFanOut);
  auto begin = std::chrono::steady_clock::now();
  ProcessResult r = run_flowweaver({"run", "wf.yaml", "--pool", "p=1"}, dir.path());
  auto took = std::chrono::steady_clock::now() - begin;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(took, std::chrono::milliseconds(800));
  std::string db = (dir.path() / "var" / "wf.db").string();
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'"), "4");
  // No two tasks' [started_at, finished_at) overlap.
  EXPECT_EQ(query_one(db,
                      "SELECT count(*) FROM tasks x JOIN tasks y ON x.task_name < y.task_name "
                      "WHERE x.started_at < y.finished_at AND y.started_at < x.finished_at"),
            "0");
}

TEST(PoolsTest, AnUndeclaredPoolIsRefusedUnderRunButValidates) {
  TempDir dir;
  dir.write("wf.yaml", kFanOut);
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("wf.yaml:4:42: task 'a': pool 'p' is not declared; give it "
                               "slots with --pool p=N"));
  EXPECT_THAT(r.err, HasSubstr("nothing was run"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "var" / "wf.db"));
  ProcessResult other = run_flowweaver({"run", "wf.yaml", "--pool", "q=2"}, dir.path());
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_THAT(other.err, HasSubstr("pool 'p' is not declared"));
  ProcessResult validate = run_flowweaver({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(validate.exit_code, 0) << validate.err;
}

TEST(PoolsTest, AMalformedPoolOptionIsRefused) {
  TempDir dir;
  dir.write("wf.yaml", kFanOut);
  for (const char* bad : {"p", "p=0", "p=x", "p=1x", "bad name=2"}) {
    ProcessResult r = run_flowweaver({"run", "wf.yaml", "--pool", bad}, dir.path());
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_THAT(r.err, HasSubstr("expected NAME=N")) << bad;
  }
  ProcessResult twice =
      run_flowweaver({"run", "wf.yaml", "--pool", "p=1", "--pool", "p=2"}, dir.path());
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_THAT(twice.err, HasSubstr("--pool p is given twice"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "var" / "wf.db"));
}

}  // namespace
}  // namespace flowweaver::testing

namespace flowweaver::testing {
namespace {

TEST(PoolsTest, TheExampleRunsWithItsPoolDeclared) {
  std::string example =
      (std::filesystem::path(FLOWWEAVER_SOURCE_DIR) / "workflows" / "examples" / "pools.yaml")
          .string();
  TempDir dir;
  ProcessResult refused = run_flowweaver({"run", example}, dir.path());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, ::testing::HasSubstr("pool 'warehouse' is not declared"));
  ProcessResult r = run_flowweaver({"run", example, "--pool", "warehouse=1"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string db = (dir.path() / "var" / "pools_example.db").string();
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'"), "4");
}

}  // namespace
}  // namespace flowweaver::testing
