// What only the PostgreSQL backend has: a database shared by workflows, its tables as the
// operating guide's, connection errors, pg_dump for backups. The contract every backend keeps is
// state_store_test.cpp's, which this binary runs against PostgreSQL too.
#include "state/postgres_store.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "scratch_dir.h"
#include "state/postgres_connection.h"
#include "state/state_backup.h"
#include "state/state_check.h"
#include "state/state_location.h"
#include "state/writer_lock.h"
#include "unit/postgres_state_server.h"
#include "util/error.h"

namespace flowweaver {
namespace {

using testing::new_postgres_database;
using testing::postgres_admin_exec;
using testing::postgres_column;

RunRecord run(const std::string& id, const std::string& workflow) {
  return {id,           workflow, RunStatus::kRunning, TimePoint(std::chrono::seconds(1700000000)),
          std::nullopt, "abc"};
}

TaskRecord task(const std::string& name, int position) {
  TaskRecord r;
  r.task_name = name;
  r.position = position;
  r.timestamp = TimePoint(std::chrono::milliseconds(1700000000123));
  return r;
}

// The message of the Error::State `body` throws; fails the test when it throws nothing else.
template <class F>
std::string state_error(F&& body) {
  try {
    body();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kState) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(PostgresStoreTest, UsesTheOperatingGuideTablesColumnsAndTimes) {
  std::string url = new_postgres_database("guide");
  {
    auto store = open_state_store(url, Durability::kNormal);
    store->create_run(run("r1", "wf"), {task("a", 0), task("b", 1)});
    TaskRecord a = task("a", 0);
    a.status = TaskStatus::kCompleted;
    a.attempt = 1;
    a.started_at = TimePoint(std::chrono::milliseconds(1700000000123));
    a.finished_at = TimePoint(std::chrono::milliseconds(1700000001456));
    store->apply(
        "r1",
        {{a, AttemptRecord{"a", 1, TaskStatus::kCompleted, "", *a.started_at, *a.finished_at}}});
  }
  auto columns = [&](const std::string& table) {
    return postgres_column(
        url, "SELECT column_name FROM information_schema.columns WHERE table_name = '" + table +
                 "' ORDER BY ordinal_position");
  };
  EXPECT_EQ(columns("tasks"),
            (std::vector<std::string>{"run_id", "task_name", "position", "status", "attempt",
                                      "result", "error", "timestamp", "started_at", "finished_at",
                                      "next_attempt_at"}));
  EXPECT_EQ(columns("attempts"),
            (std::vector<std::string>{"run_id", "task_name", "attempt", "status", "error",
                                      "started_at", "finished_at", "duration_ms"}));
  EXPECT_EQ(columns("runs"),
            (std::vector<std::string>{"seq", "run_id", "workflow", "status", "started_at",
                                      "finished_at", "manifest_hash", "params", "parent_run_id",
                                      "parent_task", "parent_workflow"}));
  EXPECT_EQ(postgres_column(url, "SELECT version FROM schema_version"),
            std::vector<std::string>{"6"});
  // The operating guide's queries, as written.
  EXPECT_EQ(postgres_column(
                url, "SELECT status || ' ' || COUNT(*) FROM tasks GROUP BY status ORDER BY 1"),
            (std::vector<std::string>{"COMPLETED 1", "PENDING 1"}));
  EXPECT_EQ(postgres_column(url, "SELECT started_at FROM tasks WHERE task_name = 'a'"),
            std::vector<std::string>{"2023-11-14T22:13:20.123Z"});
  EXPECT_EQ(postgres_column(url, "SELECT duration_ms FROM attempts"),
            std::vector<std::string>{"1333"});
}

// apply() sends a batch's rows in one go (libpq's pipeline mode), and stays one transaction: a
// row the server refuses leaves none of the batch written, and the store goes on working.
TEST(PostgresStoreTest, ABatchIsWholeOrNothingAndTheStoreGoesOn) {
  std::string url = new_postgres_database("batch");
  auto store = open_state_store(url, Durability::kNormal);
  std::vector<TaskRecord> tasks;
  for (int i = 0; i < 3000; ++i) tasks.push_back(task("t" + std::to_string(i), i));
  store->create_run(run("r1", "wf"), tasks);
  TimePoint t0(std::chrono::milliseconds(1700000000123));
  auto completed = [&](const std::string& name) {
    TaskRecord t = task(name, 0);
    t.status = TaskStatus::kCompleted;
    t.attempt = 1;
    t.started_at = t.finished_at = t0;
    return TaskUpdate{t, AttemptRecord{name, 1, TaskStatus::kCompleted, "", t0, t0}};
  };
  std::vector<TaskUpdate> updates;
  for (int i = 0; i < 2000; ++i) updates.push_back(completed("t" + std::to_string(i)));
  store->apply("r1", updates);
  EXPECT_EQ(postgres_column(url, "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'"),
            std::vector<std::string>{"2000"});
  EXPECT_EQ(postgres_column(url, "SELECT count(*) FROM attempts"),
            std::vector<std::string>{"2000"});

  // t2000 is new, t0's attempt 1 exists already: the server refuses that row, so nothing is.
  std::string message = state_error([&] {
    store->apply("r1", {completed("t2000"), completed("t0")});
  });
  EXPECT_NE(message.find("duplicate key"), std::string::npos) << message;
  EXPECT_EQ(postgres_column(url, "SELECT status FROM tasks WHERE task_name = 't2000'"),
            std::vector<std::string>{"PENDING"});
  store->apply("r1", {completed("t2000"), completed("t2001")});
  EXPECT_EQ(postgres_column(url, "SELECT count(*) FROM attempts"),
            std::vector<std::string>{"2002"});
  EXPECT_EQ(store->load_tasks("r1").size(), 3000u);
}

TEST(PostgresStoreTest, ADatabaseOfOtherTablesIsRefusedAndLeftUntouched) {
  std::string url = new_postgres_database("foreign");
  postgres_column(url, "CREATE TABLE runs (x integer)");
  postgres_column(url, "INSERT INTO runs VALUES (7)");
  std::string message = state_error([&] { open_state_store(url, Durability::kNormal); });
  EXPECT_NE(message.find("not a FlowWeaver state"), std::string::npos) << message;
  EXPECT_EQ(postgres_column(url, "SELECT x FROM runs"), std::vector<std::string>{"7"});
  EXPECT_EQ(postgres_column(url, "SELECT to_regclass('tasks') IS NULL"),
            std::vector<std::string>{"t"});
}

TEST(PostgresStoreTest, ANewerSchemaVersionIsRefusedAndLeftUntouched) {
  std::string url = new_postgres_database("newer");
  open_state_store(url, Durability::kNormal)->create_run(run("r1", "wf"), {task("a", 0)});
  postgres_column(url, "UPDATE schema_version SET version = 99");
  std::string message = state_error([&] { open_state_store(url, Durability::kNormal); });
  EXPECT_NE(message.find("schema version 99, newer than this flowweaver"), std::string::npos)
      << message;
  EXPECT_THROW(open_existing_state_store(url), Error);
  EXPECT_EQ(postgres_column(url, "SELECT version FROM schema_version"),
            std::vector<std::string>{"99"});
}

TEST(PostgresStoreTest, EachWorkflowOfADatabaseHasItsOwnWriterLock) {
  std::string url = new_postgres_database("locks");
  std::string child = sibling_state(url, "child");
  EXPECT_EQ(child, url + "#child");
  EXPECT_EQ(sibling_state(child, "other"), url + "#other");
  auto parent_store = open_state_store(url, Durability::kNormal);
  auto child_store = open_state_store(child, Durability::kNormal);  // no conflict
  child_store->create_run(run("c1", "child"), {task("a", 0)});
  EXPECT_THROW(open_state_store(child, Durability::kNormal), StateInUse);
  EXPECT_THROW(open_state_store(url, Durability::kNormal), StateInUse);
  // One database: the parent's store sees the child's run, and each query keeps to its workflow.
  EXPECT_EQ(parent_store->find_run("c1")->workflow, "child");
  EXPECT_FALSE(parent_store->latest_run("parent"));
  EXPECT_EQ(parent_store->list_runs("child", 10).size(), 1u);
  child_store.reset();
  EXPECT_NO_THROW(open_state_store(child, Durability::kNormal));
}

TEST(PostgresStoreTest, CheckReadsTheSchemaAndBackupRefusesNamingPgDump) {
  std::string url = new_postgres_database("check");
  open_state_store(url, Durability::kNormal)->create_run(run("r1", "wf"), {task("a", 0)});
  StateCheck check = check_state(url);
  EXPECT_EQ(check.backend, StateBackendKind::kPostgres);
  EXPECT_EQ(check.schema_version, PostgresStore::kSchemaVersion);
  EXPECT_TRUE(check.missing_tables.empty());
  EXPECT_EQ(check.problems, std::vector<std::string>{"1 run(s) left RUNNING"});
  postgres_column(url, "DROP TABLE attempts");
  check = check_state(url);
  EXPECT_EQ(check.missing_tables, std::vector<std::string>{"attempts"});
  try {
    back_up_state(url, "copy.db");
    ADD_FAILURE() << "a PostgreSQL state was backed up as a file";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("pg_dump"), std::string::npos) << e.what();
  }
  try {
    check_state(new_postgres_database("empty"));
    ADD_FAILURE() << "an empty database was checked as a state";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound) << e.what();
  }
}

TEST(PostgresStoreTest, AnUnreachableServerIsNamedWithoutThePassword) {
  // Port 1 on loopback: nothing listens there.
  std::string url = "postgresql://fw:s3cret@127.0.0.1:1/flow";
  std::string message = state_error([&] { open_state_store(url, Durability::kNormal); });
  EXPECT_NE(message.find("cannot connect to the state database postgresql://fw@127.0.0.1:1/flow"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
  EXPECT_THROW(find_state_store(url), Error);
  EXPECT_THROW(check_state(url), Error);
}

TEST(PostgresStoreTest, AMalformedUrlIsNamedWithoutThePassword) {
  std::string url = "postgresql://fw:s3cret@127.0.0.1:notaport/flow";
  std::string message = state_error([&] { open_state_store(url, Durability::kNormal); });
  EXPECT_NE(message.find("postgresql://fw@127.0.0.1:notaport/flow"), std::string::npos) << message;
  EXPECT_NE(message.find("port"), std::string::npos) << message;
  EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
}

TEST(PostgresStoreTest, AWrongPasswordIsNamedWithoutItAndPgpassfileIsRead) {
  testing::require_password_for_pwuser();
  std::string database = new_postgres_database("pw");
  database = database.substr(database.rfind('/') + 1);
  std::string url = testing::postgres_url_as("pwuser", "not-the-one", database);
  std::string message = state_error([&] { open_state_store(url, Durability::kNormal); });
  EXPECT_NE(message.find("password authentication failed"), std::string::npos) << message;
  EXPECT_NE(message.find(testing::postgres_url_as("pwuser", "", database)), std::string::npos)
      << message;
  EXPECT_EQ(message.find("not-the-one"), std::string::npos) << message;

  // No password in the URL: libpq takes it from PGPASSFILE.
  testing::ScratchDir dir;
  std::string passfile = dir.file("pgpass");
  std::ofstream(passfile) << "*:*:*:pwuser:right-one\n";
  std::filesystem::permissions(
      passfile, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  ::setenv("PGPASSFILE", passfile.c_str(), 1);
  std::string without = testing::postgres_url_as("pwuser", "", database);
  EXPECT_NO_THROW(
      open_state_store(without, Durability::kNormal)->create_run(run("r1", "wf"), {task("a", 0)}));
  ::unsetenv("PGPASSFILE");
  EXPECT_EQ(open_existing_state_store(testing::postgres_url_as("pwuser", "right-one", database))
                ->latest_run("wf")
                ->run_id,
            "r1");
}

}  // namespace
}  // namespace flowweaver
