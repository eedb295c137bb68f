// SqliteStore::apply_awaited(): the COMPLETED attempt a commit that a task waits for may hold
// back, when it is written, and how a killed process's held attempts come back.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "scratch_dir.h"
#include "state/sqlite_store.h"
#include "util/error.h"

namespace flowweaver {
namespace {

using std::chrono::milliseconds;
using testing::ScratchDir;

const TimePoint kStart{milliseconds(1700000000123)};

RunRecord running_run(const std::string& id) {
  return {id, "wf", RunStatus::kRunning, kStart, std::nullopt, "abc"};
}

TaskRecord pending(const std::string& name, int position) {
  TaskRecord r;
  r.task_name = name;
  r.position = position;
  r.timestamp = kStart;
  return r;
}

// What the scheduler stages when attempt `attempt` of a task completes: the row and the attempt
// carry the same facts. Times have sub-millisecond parts, as real ones do.
TaskUpdate completion(const std::string& name, int position, int attempt = 1) {
  TaskRecord r = pending(name, position);
  r.status = TaskStatus::kCompleted;
  r.attempt = attempt;
  r.result = "{}";
  r.started_at = kStart + milliseconds(10 * position) + std::chrono::microseconds(700);
  r.finished_at = *r.started_at + milliseconds(4) + std::chrono::microseconds(600);
  r.timestamp = *r.finished_at;
  return {r,
          AttemptRecord{name, attempt, TaskStatus::kCompleted, "", *r.started_at, *r.finished_at}};
}

// Rows of `attempts` as another process (sqlite3) sees them.
std::vector<std::string> attempts_in_file(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db,
                      "SELECT task_name || ' ' || attempt || ' ' || status || ' ' || "
                      "coalesce(error, 'NULL') || ' ' || started_at || ' ' || finished_at || ' ' "
                      "|| duration_ms FROM attempts ORDER BY task_name, attempt");
  std::vector<std::string> rows;
  while (q.executeStep()) rows.push_back(q.getColumn(0).getString());
  return rows;
}

std::string task_status_in_file(const std::string& path, const std::string& task) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT status FROM tasks WHERE task_name = ?");
  q.bind(1, task);
  return q.executeStep() ? q.getColumn(0).getString() : "";
}

class HeldAttemptsTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteStore> open(SqliteStore::HoldLimits limits = {}) {
    return std::make_unique<SqliteStore>(path_, Durability::kNormal, limits);
  }
  ScratchDir dir_;
  std::string path_ = dir_.file("state.db");
};

TEST_F(HeldAttemptsTest, AnAwaitedCommitHoldsBackTheAttemptButNotTheTaskRow) {
  auto store = open();
  store->create_run(running_run("r1"), {pending("a", 0), pending("b", 1)});
  store->apply_awaited("r1", {completion("a", 0)});
  EXPECT_EQ(task_status_in_file(path_, "a"), "COMPLETED");
  EXPECT_EQ(attempts_in_file(path_), std::vector<std::string>{});
  // The store's own reads include it.
  std::vector<AttemptRecord> seen = store->load_attempts("r1");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].task_name, "a");
  EXPECT_EQ(seen[0].status, TaskStatus::kCompleted);

  // The next commit nobody waits for writes it.
  store->apply("r1", {completion("b", 1)});
  EXPECT_EQ(attempts_in_file(path_),
            (std::vector<std::string>{
                "a 1 COMPLETED NULL 2023-11-14T22:13:20.123Z 2023-11-14T22:13:20.128Z 5",
                "b 1 COMPLETED NULL 2023-11-14T22:13:20.133Z 2023-11-14T22:13:20.138Z 5"}));
}

TEST_F(HeldAttemptsTest, OnlyAnAttemptTheTaskRowRepeatsIsHeld) {
  auto store = open();
  store->create_run(running_run("r1"), {pending("a", 0), pending("b", 1), pending("c", 2)});
  TaskUpdate failed = completion("a", 0);  // a failed attempt, the task to be retried
  failed.task.status = TaskStatus::kPending;
  failed.attempt->status = TaskStatus::kFailed;
  failed.attempt->error = "boom";
  TaskUpdate earlier = completion("b", 1, 2);  // the row names another attempt
  earlier.attempt->attempt = 1;
  TaskUpdate then_reset = completion("c", 2);  // the row's last state in the batch is not it
  store->apply_awaited("r1", {failed, earlier, then_reset, {pending("c", 2), std::nullopt}});
  EXPECT_EQ(attempts_in_file(path_).size(), 3u);
}

TEST_F(HeldAttemptsTest, TheRunsEndWritesWhatIsHeldInTheSameCommit) {
  auto store = open();
  store->create_run(running_run("r1"), {pending("a", 0)});
  store->apply_awaited("r1", {completion("a", 0)});
  ASSERT_EQ(attempts_in_file(path_).size(), 0u);
  RunRecord done = running_run("r1");
  done.status = RunStatus::kCompleted;
  done.finished_at = kStart + milliseconds(50);
  store->update_run(done);
  EXPECT_EQ(attempts_in_file(path_).size(), 1u);
}

TEST_F(HeldAttemptsTest, AtMostMaxHeldAreHeld) {
  auto store = open({/*max_held=*/3, /*max_time=*/std::chrono::hours(1)});
  store->create_run(running_run("r1"), {pending("a", 0), pending("b", 1), pending("c", 2),
                                        pending("d", 3), pending("e", 4)});
  store->apply_awaited("r1", {completion("a", 0), completion("b", 1)});
  store->apply_awaited("r1", {completion("c", 2)});
  ASSERT_EQ(attempts_in_file(path_).size(), 0u);
  store->apply_awaited("r1", {completion("d", 3)});  // three held: all are written
  EXPECT_EQ(attempts_in_file(path_).size(), 4u);
  store->apply_awaited("r1", {completion("e", 4)});
  EXPECT_EQ(attempts_in_file(path_).size(), 4u);
}

TEST_F(HeldAttemptsTest, NoneIsHeldLongerThanMaxTime) {
  auto store = open({/*max_held=*/1000, /*max_time=*/milliseconds(20)});
  store->create_run(running_run("r1"), {pending("a", 0), pending("b", 1)});
  store->apply_awaited("r1", {completion("a", 0)});
  std::this_thread::sleep_for(milliseconds(30));
  store->apply_awaited("r1", {completion("b", 1)});
  EXPECT_EQ(attempts_in_file(path_).size(), 2u);
}

// A commit that fails writes nothing: what was held stays held, and what it would have held is
// not (its task rows were not written either).
TEST_F(HeldAttemptsTest, AFailedCommitKeepsWhatWasHeldAndHoldsNothingNew) {
  auto store = open({/*max_held=*/1000, /*max_time=*/std::chrono::hours(1)});  // always holds
  store->create_run(running_run("r1"), {pending("a", 0), pending("b", 1), pending("c", 2)});
  store->apply_awaited("r1", {completion("a", 0)});
  auto refuse = [&](const std::string& name, const std::string& when) {
    SQLite::Database(path_, SQLite::OPEN_READWRITE)
        .exec("CREATE TRIGGER " + name + " BEFORE " + when +
              " BEGIN SELECT RAISE(ABORT, 'refused'); END");
  };
  refuse("no_a", "INSERT ON attempts WHEN NEW.task_name = 'a'");  // writing the held row fails
  EXPECT_THROW(store->apply("r1", {completion("b", 1)}), Error);
  refuse("no_c", "UPDATE ON tasks WHEN NEW.task_name = 'c'");  // b's completion is not committed
  EXPECT_THROW(store->apply_awaited("r1", {completion("b", 1), completion("c", 2)}), Error);
  EXPECT_EQ(attempts_in_file(path_), std::vector<std::string>{});
  EXPECT_EQ(task_status_in_file(path_, "b"), "PENDING");

  SQLite::Database(path_, SQLite::OPEN_READWRITE).exec("DROP TRIGGER no_a; DROP TRIGGER no_c");
  RunRecord done = running_run("r1");
  done.status = RunStatus::kFailed;
  store->update_run(done);
  EXPECT_EQ(attempts_in_file(path_),
            std::vector<std::string>{
                "a 1 COMPLETED NULL 2023-11-14T22:13:20.123Z 2023-11-14T22:13:20.128Z 5"});
}

// A process killed while it held attempts leaves its run RUNNING; the rows of its COMPLETED tasks
// hold what the attempts said.
TEST_F(HeldAttemptsTest, HeldAttemptsOfAKilledProcessAreRestoredByTheNextWriterAlone) {
  auto store = open();
  store->create_run(running_run("r1"), {pending("a", 0), pending("b", 1)});
  store->apply("r1", {completion("a", 0)});  // written as usual: the reference
  std::vector<std::string> reference = attempts_in_file(path_);
  store->apply_awaited("r1", {completion("b", 1)});
  store.reset();  // closing does not write them: as good as a kill
  ASSERT_EQ(attempts_in_file(path_), reference);

  // Readers change nothing.
  SqliteStore reader(path_, SqliteStore::ReadOnly{});
  EXPECT_EQ(reader.load_attempts("r1").size(), 1u);
  EXPECT_EQ(attempts_in_file(path_), reference);

  store = open();
  EXPECT_EQ(
      attempts_in_file(path_),
      (std::vector<std::string>{
          reference[0], "b 1 COMPLETED NULL 2023-11-14T22:13:20.133Z 2023-11-14T22:13:20.138Z 5"}));
}

TEST_F(HeldAttemptsTest, OnlyRunsLeftRunningAreRestored) {
  auto store = open();
  store->create_run(running_run("r1"), {pending("a", 0)});
  store->apply_awaited("r1", {completion("a", 0)});
  RunRecord done = running_run("r1");
  done.status = RunStatus::kCompleted;
  store->update_run(done);
  store.reset();
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    db.exec("DELETE FROM attempts");  // an operator's doing: not ours to undo
  }
  store = open();
  EXPECT_EQ(attempts_in_file(path_), std::vector<std::string>{});
}

}  // namespace
}  // namespace flowweaver
