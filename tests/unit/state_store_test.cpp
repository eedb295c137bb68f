// The same contract checked against both backends.
#include "state/state_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "scratch_dir.h"
#include "state/sqlite_store.h"
#include "state/state_backup.h"
#include "state/state_check.h"
#include "state/writer_lock.h"
#include "state_backends.h"
#include "util/error.h"
#include "util/time_format.h"

namespace flowweaver {
namespace {

using testing::ScratchDir;

TaskRecord task(const std::string& name, int position, TaskStatus status = TaskStatus::kPending) {
  TaskRecord r;
  r.task_name = name;
  r.position = position;
  r.status = status;
  r.timestamp = TimePoint(std::chrono::seconds(1700000000));
  return r;
}

RunRecord run(const std::string& id, const std::string& workflow) {
  return {id,           workflow, RunStatus::kRunning, TimePoint(std::chrono::seconds(1700000000)),
          std::nullopt, "abc"};
}

class StateStoreTest : public ::testing::TestWithParam<StateBackendKind> {
 protected:
  std::string path() const { return location("state"); }
  std::string location(const std::string& name) const {
    return testing::state_location_in(dir_, GetParam(), name);
  }
  std::unique_ptr<StateStore> open() { return open_state_store(path(), Durability::kNormal); }
  ScratchDir dir_;
};

TEST_P(StateStoreTest, CreatesRunsAndFindsTheLatest) {
  auto store = open();
  EXPECT_FALSE(store->latest_run("wf").has_value());
  store->create_run(run("r1", "wf"), {task("a", 0), task("b", 1)});
  store->create_run(run("r2", "other"), {task("x", 0)});
  store->create_run(run("r3", "wf"), {task("a", 0)});
  EXPECT_EQ(store->latest_run("wf")->run_id, "r3");
  EXPECT_EQ(store->find_run("r1")->workflow, "wf");
  EXPECT_FALSE(store->find_run("nope").has_value());
  std::vector<RunRecord> all = store->list_runs("", 10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].run_id, "r3");  // newest first
  EXPECT_EQ(store->list_runs("wf", 1).size(), 1u);
}

TEST_P(StateStoreTest, AppliedUpdatesSurviveReopening) {
  {
    auto store = open();
    store->create_run(run("r1", "wf"), {task("a", 0), task("b", 1)});
    TaskRecord a = task("a", 0, TaskStatus::kCompleted);
    a.attempt = 2;
    a.result = R"({"n":1})";
    a.started_at = TimePoint(std::chrono::milliseconds(1700000000123));
    a.finished_at = TimePoint(std::chrono::milliseconds(1700000000456));
    AttemptRecord attempt{"a", 2, TaskStatus::kCompleted, "", *a.started_at, *a.finished_at};
    TaskRecord b = task("b", 1, TaskStatus::kPending);
    b.error = "boom";
    b.next_attempt_at = TimePoint(std::chrono::seconds(1700000100));
    store->apply("r1", {{a, attempt}, {b, std::nullopt}});
    RunRecord finished = run("r1", "wf");
    finished.status = RunStatus::kFailed;
    finished.finished_at = TimePoint(std::chrono::seconds(1700000200));
    store->update_run(finished);
  }
  auto store = open();
  std::vector<TaskRecord> tasks = store->load_tasks("r1");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].task_name, "a");
  EXPECT_EQ(tasks[0].status, TaskStatus::kCompleted);
  EXPECT_EQ(tasks[0].attempt, 2);
  EXPECT_EQ(tasks[0].result, R"({"n":1})");
  EXPECT_EQ(*tasks[0].started_at, TimePoint(std::chrono::milliseconds(1700000000123)));
  EXPECT_EQ(tasks[1].error, "boom");
  EXPECT_EQ(*tasks[1].next_attempt_at, TimePoint(std::chrono::seconds(1700000100)));
  std::vector<AttemptRecord> attempts = store->load_attempts("r1");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].attempt, 2);
  EXPECT_EQ(store->find_run("r1")->status, RunStatus::kFailed);
  EXPECT_TRUE(store->find_run("r1")->finished_at.has_value());
}

TEST_P(StateStoreTest, RefusesAFileThatIsNotStateAndLeavesItUntouched) {
  if (GetParam() == StateBackendKind::kPostgres) {
    GTEST_SKIP() << "no file: postgres_store_test.cpp refuses a database of other tables";
  }
  std::string junk = "this is not a database, just some text that happens to be here\n";
  std::ofstream(path()) << junk;
  EXPECT_THROW(open(), Error);
  std::ifstream in(path());
  std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(after, junk);
}

// Version 3's `attempts`: keyed by its primary key alone.
bool attempts_without_rowid(SQLite::Database& db) {
  return db.execAndGet("SELECT sql FROM sqlite_master WHERE name = 'attempts'")
             .getString()
             .find("WITHOUT ROWID") != std::string::npos;
}

bool has_schema_object(SQLite::Database& db, const char* name) {
  SQLite::Statement q(db, "SELECT count(*) FROM sqlite_master WHERE name = ?");
  q.bind(1, name);
  return q.executeStep() && q.getColumn(0).getInt() == 1;
}

// Every state this binary makes or migrates: the current version's layout, and sound.
void expect_current_schema(SQLite::Database& db) {
  EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), SqliteStore::kSchemaVersion);
  EXPECT_FALSE(has_schema_object(db, "tasks_by_status"));  // dropped by version 2
  EXPECT_TRUE(attempts_without_rowid(db));                 // version 3
  EXPECT_FALSE(has_schema_object(db, "attempts_v3"));      // version 3's migration, done
  EXPECT_TRUE(has_schema_object(db, "runs_unfinished"));   // version 4
  EXPECT_TRUE(has_schema_object(db, "runs_by_parent"));    // version 6
  EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
}

TEST_P(StateStoreTest, ARunKeepsItsParams) {
  {
    auto store = open();
    RunRecord with = run("r1", "wf");
    with.params = nlohmann::json{{"target", "prod"}, {"batch", 10}, {"hosts", {"a", "b"}}};
    store->create_run(with, {task("a", 0)});
    store->create_run(run("r2", "wf"), {task("a", 0)});
    with.status = RunStatus::kFailed;
    store->update_run(with);
  }
  auto store = open();
  EXPECT_EQ(store->find_run("r1")->params,
            (nlohmann::json{{"target", "prod"}, {"batch", 10}, {"hosts", {"a", "b"}}}));
  EXPECT_EQ(store->find_run("r1")->status, RunStatus::kFailed);
  EXPECT_FALSE(store->find_run("r2")->params);
}

TEST_P(StateStoreTest, AChildRunKeepsItsParentAndIsFoundByIt) {
  {
    auto store = open();
    RunRecord child = run("c1", "child");
    child.parent = RunParent{"p1", "sub", "parent"};
    store->create_run(child, {task("a", 0)});
    RunRecord later = run("c2", "child");
    later.parent = RunParent{"p1", "other", "parent"};
    store->create_run(later, {task("a", 0)});
    store->create_run(run("c3", "child"), {task("a", 0)});
    child.status = RunStatus::kCompleted;
    store->update_run(child);
  }
  auto store = open();
  std::optional<RunRecord> found = store->find_child_run("p1", "sub");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->run_id, "c1");
  EXPECT_EQ(found->status, RunStatus::kCompleted);
  EXPECT_EQ(found->parent, (RunParent{"p1", "sub", "parent"}));
  EXPECT_EQ(store->find_child_run("p1", "other")->run_id, "c2");
  EXPECT_FALSE(store->find_child_run("p2", "sub"));
  EXPECT_FALSE(store->find_run("c3")->parent);
}

TEST_P(StateStoreTest, AStandaloneRunDoesNotResumeARunAParentStarted) {
  auto store = open();
  store->create_run(run("s1", "child"), {task("a", 0)});
  EXPECT_EQ(resumable_run(*store, "child", false)->run_id, "s1");
  RunRecord child = run("c1", "child");
  child.parent = RunParent{"p1", "sub", "parent"};
  store->create_run(child, {task("a", 0)});
  EXPECT_FALSE(resumable_run(*store, "child", false));
}

TEST_P(StateStoreTest, OneWriterAtATimeAndTheLockGoesWithTheStore) {
  {
    std::unique_ptr<StateStore> writer = open();
    writer->create_run(run("r1", "wf"), {task("a", 0)});  // the JSON file exists from here on
    try {
      open();
      ADD_FAILURE() << "a second writer was let in";
    } catch (const StateInUse& e) {
      EXPECT_NE(std::string(e.what()).find("in use by another flowweaver process (PID " +
                                           std::to_string(::getpid()) + ")"),
                std::string::npos)
          << e.what();
      EXPECT_EQ(e.holder_pid(), ::getpid());
    }
    // Reading needs no lock.
    EXPECT_NO_THROW(open_existing_state_store(path())->list_runs("", 10));
  }
  EXPECT_NO_THROW(open());  // released on close
}

TEST_P(StateStoreTest, AStateNotThereIsFoundEmptyAndNothingIsCreated) {
  EXPECT_EQ(find_state_store(path()), nullptr);
  try {
    open_existing_state_store(path());
    ADD_FAILURE() << "a missing state was opened";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path()));
  open()->create_run(run("r1", "wf"), {task("a", 0)});
  EXPECT_EQ(find_state_store(path())->latest_run("wf")->run_id, "r1");
}

// What is in the state's directory, by name.
std::set<std::string> names_in(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

TEST_P(StateStoreTest, ReadingOnlyChangesNothingAndLeavesNothingBehind) {
  open()->create_run(run("r1", "wf"), {task("a", 0)});
  std::set<std::string> before = names_in(dir_.path());
  {
    auto reader = open_existing_state_store(path(), Access::kReadOnly);
    EXPECT_EQ(reader->latest_run("wf")->run_id, "r1");
    EXPECT_EQ(find_state_store(path())->load_tasks("r1").size(), 1u);
    check_state(path());
  }
  EXPECT_EQ(names_in(dir_.path()), before);
}

TEST_P(StateStoreTest, CheckFindsTheRunsLeftRunning) {
  {
    auto store = open();
    store->create_run(run("r1", "wf"), {task("a", 0)});
    RunRecord done = run("r2", "wf");
    store->create_run(done, {task("a", 0)});
    done.status = RunStatus::kCompleted;
    store->update_run(done);
  }
  StateCheck check = check_state(path());
  EXPECT_EQ(check.backend, GetParam());
  EXPECT_TRUE(integrity_ok(check));
  EXPECT_EQ(check.num_runs, 2);
  ASSERT_EQ(check.running.size(), 1u);
  EXPECT_EQ(check.running[0].run_id, "r1");
  EXPECT_EQ(check.problems, std::vector<std::string>{"1 run(s) left RUNNING"});
  EXPECT_GT(check.size_bytes, 0u);
  EXPECT_THROW(check_state(location("none")), Error);
}

TEST_P(StateStoreTest, ABackupHoldsEveryRunAndOpensAsAState) {
  if (GetParam() == StateBackendKind::kPostgres) {
    GTEST_SKIP() << "pg_dump's: postgres_store_test.cpp checks that backup refuses naming it";
  }
  auto writer = open();  // a backup is taken while a writer holds the state
  writer->create_run(run("r1", "wf"), {task("a", 0), task("b", 1)});
  writer->create_run(run("r2", "other"), {task("x", 0)});
  StateBackup backup = back_up_state(path(), location("backup"));
  EXPECT_EQ(backup.num_runs, 2);
  std::unique_ptr<StateStore> copy = open_existing_state_store(location("backup"));
  EXPECT_EQ(copy->list_runs("", 10).size(), 2u);
  EXPECT_EQ(copy->load_tasks("r1").size(), 2u);
  try {
    back_up_state(path(), path());
    ADD_FAILURE() << "a backup over the state itself was let through";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
  }
}

// Every field of a stored run, one line each, for comparing two states.
std::string text_of(const StoredRun& r) {
  auto time = [](const std::optional<TimePoint>& t) { return t ? format_timestamp(*t) : "-"; };
  std::string text =
      r.run.run_id + " " + r.run.workflow + " " + to_string(r.run.status) + " " +
      time(r.run.started_at) + " " + time(r.run.finished_at) + " " + r.run.manifest_hash + " " +
      (r.run.params ? r.run.params->dump() : "-") + " " +
      (r.run.parent ? r.run.parent->run_id + "/" + r.run.parent->task + "/" + r.run.parent->workflow
                    : "-") +
      "\n";
  for (const TaskRecord& t : r.tasks) {
    text += t.task_name + " " + std::to_string(t.position) + " " + to_string(t.status) + " " +
            std::to_string(t.attempt) + " " + t.result + " " + t.error + " " + time(t.timestamp) +
            " " + time(t.started_at) + " " + time(t.finished_at) + " " + time(t.next_attempt_at) +
            "\n";
  }
  for (const AttemptRecord& a : r.attempts) {
    text += a.task_name + " " + std::to_string(a.attempt) + " " + to_string(a.status) + " " +
            a.error + " " + time(a.started_at) + " " + time(a.finished_at) + "\n";
  }
  return text;
}

TimePoint at_ms(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

// A FAILED run with params, a retried task, an interrupted attempt and a pending retry.
StoredRun failed_run() {
  StoredRun r;
  r.run = run("20261126T042257123-00a1b2", "wf");
  r.run.status = RunStatus::kFailed;
  r.run.started_at = at_ms(1700000000123);
  r.run.finished_at = at_ms(1700000009876);
  r.run.params = nlohmann::json{{"target", "prod"}, {"batch", 10}};
  TaskRecord a = task("a", 0, TaskStatus::kCompleted);
  a.attempt = 3;
  a.result = R"({"n":1})";
  a.started_at = at_ms(1700000002000);
  a.finished_at = at_ms(1700000002500);
  TaskRecord b = task("b", 1, TaskStatus::kPending);
  b.attempt = 1;
  b.error = "boom";
  b.next_attempt_at = at_ms(1700000100000);
  r.tasks = {a, b};
  r.attempts = {{"a", 1, TaskStatus::kInterrupted, "interrupted: the host process stopped",
                 at_ms(1700000000200), at_ms(1700000000900)},
                {"a", 2, TaskStatus::kFailed, "no", at_ms(1700000001000), at_ms(1700000001500)},
                {"a", 3, TaskStatus::kCompleted, "", at_ms(1700000002000), at_ms(1700000002500)},
                {"b", 1, TaskStatus::kFailed, "boom", at_ms(1700000003000), at_ms(1700000003001)}};
  return r;
}

StoredRun child_run() {
  StoredRun r;
  r.run = run("20261126T042258000-00c3d4", "wf");
  r.run.started_at = at_ms(1700000010000);
  r.run.parent = RunParent{"p1", "sub", "parent"};
  r.tasks = {task("x", 0, TaskStatus::kRunning)};
  return r;
}

StoredRun stored(StateStore& store, const std::string& run_id) {
  return {*store.find_run(run_id), store.load_tasks(run_id), store.load_attempts(run_id)};
}

TEST_P(StateStoreTest, ImportedRunsReadBackExactlyInTheirOrder) {
  std::vector<StoredRun> runs = {failed_run(), child_run()};
  open()->import_runs(runs);
  // Read-only: a PostgreSQL server may not yet have ended the writer's session, and its lock.
  auto store = open_existing_state_store(path());
  for (const StoredRun& r : runs) EXPECT_EQ(text_of(stored(*store, r.run.run_id)), text_of(r));
  std::vector<RunRecord> listed = store->list_runs("wf", 10);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].run_id, runs[1].run.run_id);  // the last imported is the latest
  EXPECT_EQ(store->find_child_run("p1", "sub")->run_id, runs[1].run.run_id);
}

TEST_P(StateStoreTest, AnImportThatFailsWritesNoneOfItsRuns) {
  auto store = open();
  store->create_run(run("taken", "other"), {task("a", 0)});
  StoredRun clash = child_run();
  clash.run.run_id = "taken";
  EXPECT_THROW(store->import_runs({failed_run(), clash}), Error);
  EXPECT_FALSE(store->find_run(failed_run().run.run_id));
  EXPECT_EQ(store->list_runs("", 10).size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StateStoreTest,
                         ::testing::ValuesIn(testing::all_state_backends()),
                         [](const auto& info) { return testing::backend_name(info.param); });

TEST(SqliteStoreTest, UsesTheOperatingGuideSchemaAndWal) {
  ScratchDir dir;
  std::string path = dir.file("s.db");
  {
    auto store = open_state_store(path, Durability::kNormal);
    store->create_run(run("r1", "wf"), {task("a", 0, TaskStatus::kFailed)});
  }
  SQLite::Database db(path);
  EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
  expect_current_schema(db);
  // The operating guide's queries, verbatim.
  SQLite::Statement q(db, "SELECT task_name, timestamp FROM tasks WHERE status = 'FAILED';");
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getString(), "a");
  SQLite::Statement g(db, "SELECT status, COUNT(*) FROM tasks GROUP BY status;");
  ASSERT_TRUE(g.executeStep());
  EXPECT_EQ(g.getColumn(1).getInt(), 1);
}

TEST(SqliteStoreTest, RefusesANewerSchemaVersion) {
  ScratchDir dir;
  std::string path = dir.file("new.db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE keep (x); PRAGMA user_version = 99");
  }
  try {
    open_state_store(path, Durability::kNormal);
    FAIL() << "a newer schema must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos) << e.what();
  }
  SQLite::Database db(path);
  EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), 99);
}

// A new state is made in a file of its own (create_sqlite_state), then linked into place: the
// file must already be a complete WAL database, with nothing beside it.
TEST(SqliteStoreTest, AStagedStateIsACompleteWalDatabaseAlone) {
  ScratchDir dir;
  std::string path = dir.file("staged.db");
  { SqliteStore staged(path, SqliteStore::Staging{}); }
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    EXPECT_FALSE(std::filesystem::exists(path + suffix)) << suffix;
  }
  std::ifstream file(path, std::ios::binary);
  char header[20] = {};
  file.read(header, sizeof header);
  // The header's file format versions: 2 and 2 mean WAL, for every reader that opens the file.
  EXPECT_EQ(header[18], 2);
  EXPECT_EQ(header[19], 2);
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  expect_current_schema(db);
}

TEST(SqliteStoreTest, ReadOnlyOpenReadsLeavesNothingBehindAndRefusesWrites) {
  ScratchDir dir;
  std::string path = dir.file("s.db");
  open_state_store(path, Durability::kNormal)->create_run(run("r1", "wf"), {task("a", 0)});
  auto store = open_existing_state_store(path, Access::kReadOnly);
  EXPECT_EQ(store->latest_run("wf")->run_id, "r1");
  EXPECT_THROW(store->create_run(run("r2", "wf"), {}), Error);
  store.reset();
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
  EXPECT_FALSE(std::filesystem::exists(path + "-shm"));
  EXPECT_EQ(open_existing_state_store(path, Access::kReadWrite)->list_runs("", 10).size(), 1u);
  EXPECT_THROW(open_existing_state_store(dir.file("none.db")), Error);
  EXPECT_FALSE(std::filesystem::exists(dir.file("none.db")));
}

// A state as version 1 of the schema left it: a status index, attempts with a rowid.
void write_version_one_state(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec(R"sql(
    PRAGMA journal_mode=WAL;
    CREATE TABLE runs (run_id TEXT PRIMARY KEY, workflow TEXT NOT NULL, status TEXT NOT NULL,
      started_at TEXT NOT NULL, finished_at TEXT, manifest_hash TEXT NOT NULL);
    CREATE INDEX runs_by_workflow ON runs(workflow);
    CREATE TABLE tasks (run_id TEXT NOT NULL, task_name TEXT NOT NULL, position INTEGER NOT NULL,
      status TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 0, result TEXT, error TEXT,
      timestamp TEXT NOT NULL, started_at TEXT, finished_at TEXT, next_attempt_at TEXT,
      PRIMARY KEY (run_id, task_name));
    CREATE INDEX tasks_by_status ON tasks(status);
    CREATE TABLE attempts (run_id TEXT NOT NULL, task_name TEXT NOT NULL,
      attempt INTEGER NOT NULL, status TEXT NOT NULL, error TEXT, started_at TEXT NOT NULL,
      finished_at TEXT NOT NULL, duration_ms INTEGER NOT NULL,
      PRIMARY KEY (run_id, task_name, attempt));
    INSERT INTO runs VALUES ('r1', 'wf', 'FAILED', '2026-01-02T03:04:05.000Z',
      '2026-01-02T03:05:00.000Z', 'h');
    INSERT INTO tasks VALUES ('r1', 'a', 0, 'FAILED', 2, NULL, 'boom', '2026-01-02T03:05:00.000Z',
      '2026-01-02T03:04:30.000Z', '2026-01-02T03:05:00.000Z', NULL);
    INSERT INTO attempts VALUES ('r1', 'a', 1, 'FAILED', 'boom', '2026-01-02T03:04:05.000Z',
      '2026-01-02T03:04:06.000Z', 1000);
    INSERT INTO attempts VALUES ('r1', 'a', 2, 'FAILED', 'boom', '2026-01-02T03:04:30.000Z',
      '2026-01-02T03:05:00.000Z', 30000);
    PRAGMA user_version = 1;
  )sql");
}

TEST(SqliteStoreTest, AVersionOneStateIsReadAsItIsAndMigratedByTheNextWriter) {
  ScratchDir dir;
  std::string path = dir.file("v1.db");
  write_version_one_state(path);
  {
    auto reader = open_existing_state_store(path, Access::kReadOnly);
    ASSERT_EQ(reader->load_tasks("r1").size(), 1u);
    EXPECT_EQ(reader->load_attempts("r1").size(), 2u);
  }
  EXPECT_EQ(SQLite::Database(path).execAndGet("PRAGMA user_version").getInt(), 1);

  auto store = open_state_store(path, Durability::kNormal);
  std::vector<TaskRecord> tasks = store->load_tasks("r1");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].status, TaskStatus::kFailed);
  EXPECT_EQ(tasks[0].attempt, 2);
  EXPECT_EQ(tasks[0].error, "boom");
  std::vector<AttemptRecord> attempts = store->load_attempts("r1");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[1].attempt, 2);
  EXPECT_EQ(attempts[1].finished_at - attempts[1].started_at, std::chrono::seconds(30));
  // Written to after the migration as any new state is.
  TaskRecord a = tasks[0];
  a.status = TaskStatus::kCompleted;
  a.attempt = 3;
  store->apply("r1",
               {{a, AttemptRecord{"a", 3, TaskStatus::kCompleted, "", a.timestamp, a.timestamp}}});
  EXPECT_EQ(store->load_attempts("r1").size(), 3u);
  store.reset();

  SQLite::Database db(path);
  expect_current_schema(db);
}

TEST(SqliteStoreTest, AVersionFiveStateReadsWithoutParentsAndIsMigrated) {
  ScratchDir dir;
  std::string path = dir.file("v5.db");
  write_version_one_state(path);
  {  // as version 5 left it: params, no parent columns
    auto store = open_state_store(path, Durability::kNormal);
  }
  SQLite::Database(path, SQLite::OPEN_READWRITE)
      .exec(
          "DROP INDEX runs_by_parent; ALTER TABLE runs DROP COLUMN parent_run_id; "
          "ALTER TABLE runs DROP COLUMN parent_task; ALTER TABLE runs DROP COLUMN "
          "parent_workflow; PRAGMA user_version = 5;");
  {
    auto reader = open_existing_state_store(path, Access::kReadOnly);
    EXPECT_FALSE(reader->find_run("r1")->parent);
    EXPECT_FALSE(reader->find_child_run("r1", "a"));
  }
  {
    auto store = open_state_store(path, Durability::kNormal);
    EXPECT_FALSE(store->find_run("r1")->parent);
    RunRecord child = run("c1", "wf");
    child.parent = RunParent{"r1", "a", "wf"};
    store->create_run(child, {task("a", 0)});
    EXPECT_EQ(store->find_child_run("r1", "a")->run_id, "c1");
  }
  SQLite::Database db(path);
  expect_current_schema(db);
}

TEST(SqliteStoreTest, RunsOfAStateBeforeParamsReadWithoutThemAndGetThemOnResume) {
  ScratchDir dir;
  std::string path = dir.file("v1.db");
  write_version_one_state(path);
  {
    auto reader = open_existing_state_store(path, Access::kReadOnly);
    std::optional<RunRecord> r1 = reader->find_run("r1");
    ASSERT_TRUE(r1);
    EXPECT_EQ(r1->status, RunStatus::kFailed);
    EXPECT_FALSE(r1->params);
  }
  auto store = open_state_store(path, Durability::kNormal);
  RunRecord r1 = *store->find_run("r1");
  EXPECT_FALSE(r1.params);
  r1.params = nlohmann::json{{"target", "prod"}};
  store->update_run(r1);
  r1.params.reset();  // an update without params keeps those stored
  store->update_run(r1);
  EXPECT_EQ(store->find_run("r1")->params, (nlohmann::json{{"target", "prod"}}));
}

TEST(SqliteStoreTest, AVersionTwoStateIsMigratedKeepingEveryAttempt) {
  ScratchDir dir;
  std::string path = dir.file("v2.db");
  write_version_one_state(path);
  SQLite::Database(path, SQLite::OPEN_READWRITE)
      .exec("DROP INDEX tasks_by_status; PRAGMA user_version = 2;");
  {
    auto reader = open_existing_state_store(path, Access::kReadOnly);
    EXPECT_EQ(reader->load_attempts("r1").size(), 2u);
  }
  {
    SQLite::Database db(path);
    EXPECT_FALSE(attempts_without_rowid(db));
  }

  auto store = open_state_store(path, Durability::kNormal);
  std::vector<AttemptRecord> attempts = store->load_attempts("r1");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].attempt, 1);
  EXPECT_EQ(attempts[0].finished_at - attempts[0].started_at, std::chrono::seconds(1));
  EXPECT_EQ(attempts[1].error, "boom");
  EXPECT_EQ(attempts[1].finished_at - attempts[1].started_at, std::chrono::seconds(30));
  store.reset();

  SQLite::Database db(path);
  expect_current_schema(db);
}

TEST(SqliteStoreTest, ReadOnlyOpenNeverCreatesASchema) {
  ScratchDir dir;
  std::string path = dir.file("empty.db");
  { SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE); }
  EXPECT_THROW(open_existing_state_store(path, Access::kReadOnly), Error);
  SQLite::Database db(path);
  EXPECT_FALSE(db.tableExists("runs"));
  EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), 0);
}

}  // namespace
}  // namespace flowweaver
