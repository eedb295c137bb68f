// `flowweaver migrate-state FROM TO` end to end: the real binary moving SQLite states (a file, a
// serve state directory) to a real PostgreSQL and back, compared row for row and by what
// status/history/logs print; and each refusal.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "integration/flowweaver_process.h"
#include "integration/serve_process.h"
#include "state/postgres_connection.h"
#include "unit/postgres_state_server.h"

namespace flowweaver::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Every column of the three tables, in an order both databases share; rows compared sorted.
const char* kRunsColumns =
    "run_id, workflow, status, started_at, finished_at, manifest_hash, params, parent_run_id, "
    "parent_task, parent_workflow";
const char* kTasksColumns =
    "run_id, task_name, position, status, attempt, result, error, timestamp, started_at, "
    "finished_at, next_attempt_at";
const char* kAttemptsColumns =
    "run_id, task_name, attempt, status, error, started_at, finished_at, duration_ms";

// The queries reading one workflow's rows of each table, the same text for both databases.
std::vector<std::string> table_queries(const std::string& workflow) {
  std::string runs_of = "(SELECT run_id FROM runs WHERE workflow = '" + workflow + "')";
  return {std::string("SELECT ") + kRunsColumns + " FROM runs WHERE workflow = '" + workflow + "'",
          std::string("SELECT ") + kTasksColumns + " FROM tasks WHERE run_id IN " + runs_of,
          std::string("SELECT ") + kAttemptsColumns + " FROM attempts WHERE run_id IN " + runs_of};
}

std::vector<std::string> sorted(std::vector<std::string> rows) {
  std::sort(rows.begin(), rows.end());
  return rows;
}

// One line per row, NULL shown as such, in byte order.
std::vector<std::string> sqlite_rows(const std::string& file, const std::string& sql) {
  SQLite::Database db(file, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, sql);
  std::vector<std::string> rows;
  while (q.executeStep()) {
    std::string row;
    for (int c = 0; c < q.getColumnCount(); ++c) {
      row += (q.getColumn(c).isNull() ? std::string("NULL") : q.getColumn(c).getString()) + "|";
    }
    rows.push_back(row);
  }
  return sorted(rows);
}

std::vector<std::string> postgres_rows(const std::string& url, const std::string& sql) {
  PgConnection db(url);
  PgResult r = db.exec("testing", sql);
  std::vector<std::string> rows;
  for (int row = 0; row < r.rows(); ++row) {
    std::string line;
    for (int c = 0; c < PQnfields(r.raw()); ++c) {
      line += (r.is_null(row, c) ? std::string("NULL") : r.text(row, c)) + "|";
    }
    rows.push_back(line);
  }
  return sorted(rows);
}

std::string one_postgres(const std::string& url, const std::string& sql) {
  std::vector<std::string> rows = postgres_rows(url, sql);
  return rows.empty() ? "<none>" : rows[0].substr(0, rows[0].size() - 1);
}

// Expects `workflow`'s rows in the SQLite file and the database to be the same, and some.
void expect_same_rows(const std::string& file, const std::string& url,
                      const std::string& workflow) {
  for (const std::string& sql : table_queries(workflow)) {
    std::vector<std::string> from = sqlite_rows(file, sql);
    EXPECT_FALSE(from.empty()) << sql;
    EXPECT_EQ(postgres_rows(url, sql), from) << sql;
  }
}

void expect_same_rows_in_files(const std::string& a, const std::string& b,
                               const std::string& workflow) {
  for (const std::string& sql : table_queries(workflow)) {
    std::vector<std::string> from = sqlite_rows(a, sql);
    EXPECT_FALSE(from.empty()) << sql;
    EXPECT_EQ(sqlite_rows(b, sql), from) << sql;
  }
}

// What a command prints about a state, with the state's own name taken out.
std::string shown(const std::filesystem::path& cwd, std::vector<std::string> args,
                  const std::string& state) {
  args.push_back("--state");
  args.push_back(state);
  ProcessResult r = run_flowweaver(args, cwd);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string out = r.out;
  for (size_t at = out.find(state); at != std::string::npos; at = out.find(state, at)) {
    out.replace(at, state.size(), "STATE");
  }
  return out;
}

void expect_same_output(const std::filesystem::path& cwd, const std::vector<std::string>& args,
                        const std::string& from, const std::string& to) {
  std::string before = shown(cwd, args, from);
  EXPECT_FALSE(before.empty());
  EXPECT_EQ(shown(cwd, args, to), before) << "flowweaver " << args[0];
}

const char* kFlaky = R"(name: flaky
params:
  target: {type: string, default: prod}
tasks:
  - {name: a, uses: builtin.echo, with: {v: "${params.target}"}}
  - {name: b, uses: builtin.fail, depends_on: [a], retries: 1, with: {times: 1}}
  - {name: c, uses: shell.run, depends_on: [b], with: {command: [echo, "${params.target}"]}}
)";

TEST(MigrateStateTest, ASqliteFileMovesToPostgresAndReadsTheSame) {
  TempDir dir;
  dir.write("flaky.yaml", kFlaky);
  ASSERT_EQ(run_flowweaver({"run", "flaky.yaml", "--state", "flaky.db"}, dir.path()).exit_code, 0);
  ASSERT_EQ(
      run_flowweaver({"run", "flaky.yaml", "--state", "flaky.db", "--fresh"}, dir.path()).exit_code,
      0);
  std::string url = new_postgres_database("migrate_file");
  std::string file = (dir.path() / "flaky.db").string();

  ProcessResult r = run_flowweaver({"migrate-state", "flaky.db", url}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out,
              HasSubstr("Copied flaky: 2 run(s), 6 task(s), 8 attempt(s) to " + url + "#flaky"));
  expect_same_rows(file, url, "flaky");
  EXPECT_EQ(one_postgres(url, "SELECT count(*) FROM attempts WHERE status = 'FAILED'"), "2");
  expect_same_output(dir.path(), {"status", "--workflow", "flaky"}, file, url);
  expect_same_output(dir.path(), {"history", "--workflow", "flaky"}, file, url);
  expect_same_output(dir.path(), {"logs", "flaky", "c"}, file, url);
}

// A serve state directory: `<workflow>.db` each, as `serve` and `run --state DIR/<wf>.db` keep.
class MigrateDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("flaky.yaml", kFlaky);
    dir_.write("etl.yaml", R"(name: etl
tasks:
  - {name: list, uses: builtin.echo, with: {n: 3}}
  - {name: convert, uses: builtin.echo, depends_on: [list], foreach: [a, b, c],
     with: {v: "${item}"}}
)");
    dir_.write("parent.yaml", R"(name: parent
tasks:
  - {name: prep, uses: builtin.echo, with: {n: 1}}
  - {name: sub, uses: workflow.run, depends_on: [prep], with: {file: child.yaml}}
)");
    dir_.write("child.yaml", R"(name: child
tasks:
  - {name: work, uses: builtin.echo, with: {v: 2}}
)");
    for (const char* wf : {"flaky", "etl", "parent"}) {
      ProcessResult r = run_flowweaver(
          {"run", std::string(wf) + ".yaml", "--state", "var/" + std::string(wf) + ".db"},
          dir_.path());
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  std::string file(const std::string& sub, const std::string& wf) const {
    return (dir_.path() / sub / (wf + ".db")).string();
  }

  TempDir dir_;
};

TEST_F(MigrateDirectoryTest, ToPostgresAndBackToANewDirectoryKeepsEveryRow) {
  std::string url = new_postgres_database("migrate_dir");
  ProcessResult there = run_flowweaver({"migrate-state", "var", url}, dir_.path());
  ASSERT_EQ(there.exit_code, 0) << there.err;
  for (const char* wf : {"child", "etl", "flaky", "parent"}) {
    EXPECT_THAT(there.out, HasSubstr(std::string("Copied ") + wf + ": 1 run(s)"));
    expect_same_rows(file("var", wf), url, wf);
  }
  EXPECT_THAT(there.out, HasSubstr("Copied etl: 1 run(s), 5 task(s), 5 attempt(s)"));
  EXPECT_EQ(one_postgres(url,
                         "SELECT parent_workflow || ' ' || parent_task FROM runs WHERE "
                         "workflow = 'child'"),
            "parent sub");

  ProcessResult back = run_flowweaver({"migrate-state", url, "copy"}, dir_.path());
  ASSERT_EQ(back.exit_code, 0) << back.err;
  for (const char* wf : {"child", "etl", "flaky", "parent"}) {
    expect_same_rows_in_files(file("var", wf), file("copy", wf), wf);
  }
  expect_same_output(dir_.path(), {"history"}, "var", "copy");
  expect_same_output(dir_.path(), {"status", "--workflow", "etl"}, "var", url);
  expect_same_output(dir_.path(), {"status", "--workflow", "parent"}, "var", "copy");
}

TEST_F(MigrateDirectoryTest, OnlyTheWorkflowsNamedAreCopied) {
  std::string url = new_postgres_database("migrate_some");
  ProcessResult r = run_flowweaver(
      {"migrate-state", "var", url, "--workflow", "etl", "--workflow", "flaky"}, dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(postgres_rows(url, "SELECT DISTINCT workflow FROM runs"),
            (std::vector<std::string>{"etl|", "flaky|"}));
  ProcessResult unknown =
      run_flowweaver({"migrate-state", "var", url, "--workflow", "nope"}, dir_.path());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("no runs of workflow nope in var (its workflows: "));
}

TEST_F(MigrateDirectoryTest, RefusesWhenTheDestinationHasRunsOfAWorkflowAndCopiesNothing) {
  std::string url = new_postgres_database("migrate_twice");
  ASSERT_EQ(
      run_flowweaver({"migrate-state", "var", url, "--workflow", "etl"}, dir_.path()).exit_code, 0);
  ProcessResult again = run_flowweaver({"migrate-state", "var", url}, dir_.path());
  EXPECT_EQ(again.exit_code, 3);
  EXPECT_THAT(again.err, HasSubstr(url + " already has runs of etl; nothing was copied. Migrate "
                                         "to another (empty) database or directory, or drop "
                                         "those runs from it first"));
  EXPECT_EQ(one_postgres(url, "SELECT count(*) FROM runs"), "1");
}

TEST_F(MigrateDirectoryTest, RefusesToCopyAStateOntoItself) {
  ProcessResult r = run_flowweaver({"migrate-state", "var", "./var/"}, dir_.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("FROM and TO are the same state (./var/): give TO another "
                               "database, directory or file"));
  std::string url = new_postgres_database("migrate_self");
  ASSERT_EQ(run_flowweaver({"migrate-state", "var", url}, dir_.path()).exit_code, 0);
  ProcessResult db = run_flowweaver({"migrate-state", url, url + "#etl"}, dir_.path());
  EXPECT_EQ(db.exit_code, 2);
  EXPECT_THAT(db.err, HasSubstr("FROM and TO are the same state"));
}

// A run id already in the database under another workflow makes the second workflow's
// transaction fail: the first (in file name order) stays copied; the second and third are not
// there at all.
TEST_F(MigrateDirectoryTest, AFailureMidwaySaysWhatWasCopiedAndLeavesNoPartOfAWorkflow) {
  std::string url = new_postgres_database("migrate_clash");
  std::string flaky_run = sqlite_rows(file("var", "flaky"), "SELECT run_id FROM runs")[0];
  flaky_run.pop_back();  // the separator
  {
    PgConnection db(url);
    ASSERT_EQ(
        run_flowweaver({"migrate-state", "var", url, "--workflow", "child"}, dir_.path()).exit_code,
        0);  // makes the schema
    db.exec("testing",
            "INSERT INTO runs (run_id, workflow, status, started_at, manifest_hash) VALUES ($1, "
            "'intruder', 'COMPLETED', '2026-01-01T00:00:00.000Z', 'x')",
            {flaky_run});
  }
  ProcessResult r = run_flowweaver({"migrate-state", "var", url, "--workflow", "parent",
                                    "--workflow", "etl", "--workflow", "flaky"},
                                   dir_.path());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("copying workflow flaky failed, and none of its runs were written"));
  EXPECT_THAT(r.err, HasSubstr("Copied: etl. Not copied: flaky, parent."));
  EXPECT_THAT(r.out, HasSubstr("Copied etl: 1 run(s)"));
  EXPECT_EQ(one_postgres(url, "SELECT count(*) FROM runs WHERE workflow = 'etl'"), "1");
  EXPECT_EQ(one_postgres(url, "SELECT count(*) FROM runs WHERE workflow IN ('flaky', 'parent')"),
            "0");
  EXPECT_EQ(one_postgres(url, "SELECT count(*) FROM tasks WHERE run_id = '" + flaky_run + "'"),
            "0");
}

TEST(MigrateStateTest, RefusesWhileARunWritesToTheSourceNamingItsPid) {
  TempDir dir;
  dir.write("slow.yaml", R"(name: slow
tasks:
  - {name: wait, uses: builtin.sleep, with: {duration: 60s}}
)");
  FlowWeaverProcess writer({"run", "slow.yaml", "--state", "slow.db"}, dir.path());
  ASSERT_TRUE(wait_until([&] {
    try {
      return !sqlite_rows((dir.path() / "slow.db").string(),
                          "SELECT 1 FROM tasks WHERE status = 'RUNNING'")
                  .empty();
    } catch (const std::exception&) {
      return false;  // not created yet
    }
  }));
  std::string url = new_postgres_database("migrate_busy");
  ProcessResult r = run_flowweaver({"migrate-state", "slow.db", url}, dir.path());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("cannot migrate workflow slow now: the state slow.db is in use by "
                               "another flowweaver process (PID " +
                               std::to_string(writer.pid()) + ")"));
  EXPECT_EQ(one_postgres(url, "SELECT to_regclass('runs') IS NULL"), "t");  // nothing written
  writer.signal(SIGKILL);
  writer.wait();

  // Left RUNNING by the kill: copied as it is, and said so.
  ProcessResult after = run_flowweaver({"migrate-state", "slow.db", url}, dir.path());
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_THAT(after.out, HasSubstr("was RUNNING (its process stopped mid-run) and is copied as "
                                   "it is: the next `flowweaver run` or `serve` with the new "
                                   "state resumes it"));
  EXPECT_EQ(one_postgres(url, "SELECT status FROM runs"), "RUNNING");
}

TEST(MigrateStateTest, RefusesAnUnknownSchemeAndAMissingSource) {
  TempDir dir;
  std::string url = new_postgres_database("migrate_bad");
  ProcessResult scheme = run_flowweaver({"migrate-state", "mysql://db/x", url}, dir.path());
  EXPECT_EQ(scheme.exit_code, 2);
  EXPECT_THAT(scheme.err, HasSubstr("this flowweaver knows no mysql:// backend"));
  ProcessResult to_scheme = run_flowweaver({"migrate-state", "x.db", "mysql://db/x"}, dir.path());
  EXPECT_EQ(to_scheme.exit_code, 2);
  EXPECT_THAT(to_scheme.err, HasSubstr("knows no mysql:// backend"));
  ProcessResult missing = run_flowweaver({"migrate-state", "nothing.db", url}, dir.path());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("no state at nothing.db"));
  ProcessResult empty_db = run_flowweaver({"migrate-state", url, "copy"}, dir.path());
  EXPECT_EQ(empty_db.exit_code, 2);
  EXPECT_THAT(empty_db.err, HasSubstr("no state at"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "nothing.db"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "copy"));
}

// The issue's case: a FAILED run moved to PostgreSQL goes on from its failed task there.
TEST(MigrateStateTest, AMigratedFailedRunResumesFromTheFailedTaskOnPostgres) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: a, uses: builtin.echo, with: {v: 1}}
  - {name: b, uses: builtin.fail, depends_on: [a], with: {times: 1}}
  - {name: c, uses: builtin.noop, depends_on: [b]}
)");
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml", "--state", "wf.db"}, dir.path()).exit_code, 1);
  std::string url = new_postgres_database("migrate_resume");
  ASSERT_EQ(run_flowweaver({"migrate-state", "wf.db", url}, dir.path()).exit_code, 0);
  std::string a_finished = one_postgres(url, "SELECT finished_at FROM tasks WHERE task_name='a'");

  ProcessResult resumed = run_flowweaver({"run", "wf.yaml", "--state", url}, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(one_postgres(url, "SELECT count(*) FROM runs"), "1");  // the migrated run, resumed
  EXPECT_EQ(one_postgres(url, "SELECT status FROM runs"), "COMPLETED");
  EXPECT_EQ(postgres_rows(url, "SELECT task_name, attempt, status FROM attempts"),
            (std::vector<std::string>{"a|1|COMPLETED|", "b|1|FAILED|", "b|2|COMPLETED|",
                                      "c|1|COMPLETED|"}));
  EXPECT_EQ(one_postgres(url, "SELECT finished_at FROM tasks WHERE task_name='a'"), a_finished);
  // The source is as it was.
  EXPECT_EQ(sqlite_rows((dir.path() / "wf.db").string(), "SELECT status FROM runs"),
            (std::vector<std::string>{"FAILED|"}));
}

// The operator's path in docs/scale-out.md: a service on a state_dir, stopped; its directory
// migrated; the service started again on the database serves the same history and goes on.
TEST(MigrateStateTest, AServiceMovedToPostgresServesItsHistoryAndGoesOn) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "workflows");
  dir.write("workflows/wf.yaml", R"(name: wf
tasks:
  - {name: a, uses: builtin.echo, with: {v: 1}}
  - {name: b, uses: builtin.noop, depends_on: [a]}
)");
  const std::string common =
      "workflows_dir: workflows\nlog_dir: var/log\nlisten: \"127.0.0.1:0\"\n";
  dir.write("files.yaml", common + "state_dir: var\n");
  std::string run_id;
  {
    ServeProcess serve(dir.path() / "files.yaml", dir.path());
    HttpReply started = serve.post("/api/workflows/wf/runs");
    ASSERT_EQ(started.status, 201) << started.body;
    run_id = nlohmann::json::parse(started.body).value("run_id", "");
    ASSERT_TRUE(wait_until([&] {
      return serve.get_json("/api/runs/" + run_id).value("status", "") == "COMPLETED";
    })) << serve.err();
    EXPECT_EQ(serve.stop().exit_code, 0);
  }
  std::string url = new_postgres_database("migrate_serve");
  ProcessResult moved = run_flowweaver({"migrate-state", "var", url}, dir.path());
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_THAT(moved.out, HasSubstr("Copied wf: 1 run(s), 2 task(s), 2 attempt(s)"));

  dir.write("database.yaml", common + "state: " + url + "\n");
  ServeProcess serve(dir.path() / "database.yaml", dir.path());
  nlohmann::json workflows = serve.get_json("/api/workflows");
  ASSERT_TRUE(workflows.is_array()) << workflows.dump();
  EXPECT_EQ(workflows[0]["last_run"].value("run_id", ""), run_id) << workflows.dump();
  EXPECT_EQ(serve.get_json("/api/runs/" + run_id).value("status", ""), "COMPLETED");
  HttpReply next = serve.post("/api/workflows/wf/runs");
  ASSERT_EQ(next.status, 201) << next.body;
  std::string next_id = nlohmann::json::parse(next.body).value("run_id", "");
  ASSERT_TRUE(wait_until([&] {
    return serve.get_json("/api/runs/" + next_id).value("status", "") == "COMPLETED";
  })) << serve.err();
  EXPECT_EQ(one_postgres(url, "SELECT count(*) FROM runs WHERE workflow = 'wf'"), "2");
  EXPECT_EQ(serve.stop().exit_code, 0);
}

}  // namespace
}  // namespace flowweaver::testing
