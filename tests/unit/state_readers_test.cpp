#include "service/state_readers.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "scratch_dir.h"

namespace flowweaver {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

// Writes a state file at `path` holding one run, `run_id`, of workflow "wf".
void write_state(const std::string& path, const std::string& run_id) {
  std::unique_ptr<StateStore> store = open_state_store(path, Durability::kNormal);
  RunRecord run{
      run_id,       "wf", RunStatus::kCompleted, TimePoint(std::chrono::seconds(1700000000)),
      std::nullopt, "abc"};
  TaskRecord task;
  task.task_name = "a";
  task.timestamp = run.started_at;
  store->create_run(run, {task});
}

std::optional<std::string> latest_run_id(StateReaders& readers, const fs::path& path) {
  std::optional<std::string> id;
  bool found = readers.read(path, [&](StateStore& store) {
    std::optional<RunRecord> run = store.latest_run("wf");
    if (run) id = run->run_id;
  });
  EXPECT_EQ(found, id.has_value());
  return id;
}

TEST(StateReadersTest, ReadsWhatWritersCommitAndKeepsTheWalBetweenWriters) {
  ScratchDir dir;
  fs::path path = dir.file("wf.db");
  StateReaders readers;
  EXPECT_FALSE(readers.read(path, [](StateStore&) { ADD_FAILURE() << "no file, no call"; }));

  write_state(path.string(), "r1");
  EXPECT_EQ(latest_run_id(readers, path), "r1");
  // The reader stays open: a writer that comes and goes is not the last connection, so its
  // close leaves the -wal in place, and the reader sees what it committed.
  {
    std::unique_ptr<StateStore> writer = open_state_store(path.string(), Durability::kNormal);
    RunRecord run{
        "r2",         "wf", RunStatus::kRunning, TimePoint(std::chrono::seconds(1700000100)),
        std::nullopt, "abc"};
    writer->create_run(run, {});
  }
  EXPECT_TRUE(fs::exists(path.string() + "-wal"));
  EXPECT_EQ(latest_run_id(readers, path), "r2");
}

TEST(StateReadersTest, AFileReplacedOrRemovedIsSeenAsItIsNow) {
  ScratchDir dir;
  fs::path path = dir.file("wf.db");
  StateReaders readers;
  write_state(path.string(), "old");
  EXPECT_EQ(latest_run_id(readers, path), "old");

  // A restore: another file renamed over this one. The open connection still reads the old
  // file's inode; the reader must notice and open the new one.
  fs::path restored = dir.file("restored.db");
  write_state(restored.string(), "restored");
  fs::rename(restored, path);
  fs::remove(path.string() + "-wal");
  fs::remove(path.string() + "-shm");
  EXPECT_EQ(latest_run_id(readers, path), "restored");

  fs::remove(path);
  EXPECT_FALSE(readers.read(path, [](StateStore&) { ADD_FAILURE() << "no file, no call"; }));
}

}  // namespace
}  // namespace flowweaver
