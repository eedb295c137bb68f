// `flowweaver run/status/check/backup --state postgresql://…` end to end: the real binary against
// a real PostgreSQL server (unit/postgres_state_server.h), including a kill -9 mid-run.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <string>
#include <vector>

#include "integration/flowweaver_process.h"
#include "state/postgres_connection.h"
#include "unit/postgres_state_server.h"

namespace flowweaver::testing {
namespace {

// The first column of each row of `sql`, or nothing when the query fails (no tables yet).
std::vector<std::string> rows(const std::string& url, const std::string& sql) {
  try {
    PgConnection db(url);
    PgResult r = db.exec("testing", sql);
    std::vector<std::string> values;
    for (int row = 0; row < r.rows(); ++row) values.push_back(r.text(row, 0));
    return values;
  } catch (const std::exception&) {
    return {};
  }
}

std::string one(const std::string& url, const std::string& sql) {
  std::vector<std::string> values = rows(url, sql);
  return values.empty() ? "<none>" : values[0];
}

std::string chain_of_sleeps(int n) {
  std::string yaml = "name: wf\ntasks:\n";
  for (int i = 0; i < n; ++i) {
    yaml += "  - {name: t" + std::to_string(i) + ", uses: builtin.sleep, with: {duration: 40ms}" +
            (i > 0 ? ", depends_on: [t" + std::to_string(i - 1) + "]" : std::string()) + "}\n";
  }
  return yaml;
}

TEST(PostgresStateRunTest, RunsAndStatusReadsItFromTheDatabase) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: a, uses: builtin.echo, with: {v: 1}}
  - {name: b, uses: builtin.noop, depends_on: [a]}
)");
  std::string url = new_postgres_database("run");
  ProcessResult run = run_flowweaver({"run", "wf.yaml", "--state", url}, dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(rows(url, "SELECT task_name || ' ' || status FROM tasks ORDER BY position"),
            (std::vector<std::string>{"a COMPLETED", "b COMPLETED"}));
  EXPECT_EQ(one(url, "SELECT status FROM runs WHERE workflow = 'wf'"), "COMPLETED");
  ProcessResult status = run_flowweaver({"status", "--state", url}, dir.path());
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("COMPLETED"), std::string::npos) << status.out;
  ProcessResult check = run_flowweaver({"check", "--state", url}, dir.path());
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("PostgreSQL"), std::string::npos) << check.out;
  ProcessResult backup = run_flowweaver({"backup", "--state", url, "copy.db"}, dir.path());
  EXPECT_NE(backup.exit_code, 0);
  EXPECT_NE(backup.err.find("pg_dump"), std::string::npos) << backup.err;
  // No state file of any kind, nor a path made of the URL.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    std::string name = entry.path().filename().string();
    EXPECT_TRUE(entry.path().extension() != ".db" && name.find("postgres") == std::string::npos)
        << entry.path();
  }
}

TEST(PostgresStateRunTest, KillNineMidRunThenResumeCompletesEveryTaskOnce) {
  TempDir dir;
  dir.write("wf.yaml", chain_of_sleeps(30));
  std::string url = new_postgres_database("kill");
  FlowWeaverProcess first({"run", "wf.yaml", "--state", url}, dir.path());
  ASSERT_TRUE(wait_until([&] {
    std::string done = one(url, "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'");
    return done != "<none>" && std::stoi(done) >= 5;
  }));
  // Stopped, so that it is still mid-run when killed however slow the second writer is to
  // start (under TSan it took longer than the rest of the run); its lock stays held.
  first.signal(SIGSTOP);
  // A second writer is refused, naming the holder.
  ProcessResult second = run_flowweaver({"run", "wf.yaml", "--state", url}, dir.path());
  EXPECT_EQ(second.exit_code, 3);
  EXPECT_NE(second.err.find("in use by another flowweaver process (PID " +
                            std::to_string(first.pid()) + ")"),
            std::string::npos)
      << second.err;
  first.signal(SIGKILL);
  EXPECT_EQ(first.wait().exit_code, 128 + SIGKILL);
  std::map<std::string, std::string> completed_before;
  for (const std::string& row :
       rows(url, "SELECT task_name || '|' || finished_at FROM tasks WHERE status = 'COMPLETED'")) {
    completed_before[row.substr(0, row.find('|'))] = row;
  }
  ASSERT_GE(completed_before.size(), 5u);
  ASSERT_LT(completed_before.size(), 30u);  // killed mid-run, not after it

  ProcessResult resumed = run_flowweaver({"run", "wf.yaml", "--state", url}, dir.path());
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(one(url, "SELECT count(*) FROM runs"), "1");  // the killed run, resumed
  EXPECT_EQ(one(url, "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'"), "30");
  EXPECT_EQ(one(url, "SELECT count(*) FROM attempts WHERE status = 'COMPLETED'"), "30");
  for (const auto& [name, row] : completed_before) {
    EXPECT_EQ(one(url, "SELECT task_name || '|' || finished_at FROM tasks WHERE task_name = '" +
                           name + "'"),
              row);  // same finish time: it was not run again
  }
}

// `cancel` finds the holder through the lock's session and asks it through the request file of
// the state on this host (state_side_file()).
TEST(PostgresStateRunTest, CancelOfARunInAnotherProcessEndsItCancelled) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: a, uses: builtin.echo, with: {v: 1}}
  - {name: slow, uses: builtin.sleep, with: {duration: 60s}, depends_on: [a]}
)");
  std::string url = new_postgres_database("cancel");
  FlowWeaverProcess run({"run", "wf.yaml", "--state", url}, dir.path());
  ASSERT_TRUE(wait_until(
      [&] { return one(url, "SELECT status FROM tasks WHERE task_name = 'slow'") == "RUNNING"; }));
  ProcessResult cancel = run_flowweaver({"cancel", "wf.yaml", "--state", url}, dir.path());
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_NE(cancel.out.find("Cancel requested: process " + std::to_string(run.pid())),
            std::string::npos)
      << cancel.out;
  EXPECT_EQ(run.wait().exit_code, 4);
  EXPECT_EQ(one(url, "SELECT status FROM runs"), "CANCELLED");
  EXPECT_EQ(one(url, "SELECT status FROM tasks WHERE task_name = 'slow'"), "PENDING");
}

// One database, a writer lock per workflow: another workflow runs while one holds its lock, a
// second writer of the same workflow (`run`, `reset`) is refused, and a sub-workflow's run goes
// into the same database under its own lock while its parent holds the parent's.
TEST(PostgresStateRunTest, WorkflowsShareADatabaseEachWithItsOwnWriter) {
  TempDir dir;
  dir.write("slow.yaml", R"(name: slow
tasks:
  - {name: a, uses: builtin.sleep, with: {duration: 60s}}
)");
  dir.write("child.yaml", R"(name: child
tasks:
  - {name: c, uses: builtin.echo, with: {v: 2}}
outputs:
  v: ${tasks.c.output.v}
)");
  dir.write("parent.yaml", R"(name: parent
tasks:
  - {name: sub, uses: workflow.run, with: {file: child.yaml}}
)");
  std::string url = new_postgres_database("share");
  FlowWeaverProcess slow({"run", "slow.yaml", "--state", url}, dir.path());
  ASSERT_TRUE(wait_until(
      [&] { return one(url, "SELECT status FROM tasks WHERE task_name = 'a'") == "RUNNING"; }));
  ProcessResult parent = run_flowweaver({"run", "parent.yaml", "--state", url}, dir.path());
  EXPECT_EQ(parent.exit_code, 0) << parent.err;
  EXPECT_EQ(one(url, "SELECT status FROM runs WHERE workflow = 'child'"), "COMPLETED");
  EXPECT_EQ(one(url, "SELECT parent_workflow FROM runs WHERE workflow = 'child'"), "parent");
  EXPECT_EQ(one(url, "SELECT status FROM runs WHERE workflow = 'parent'"), "COMPLETED");
  const std::string holder =
      "in use by another flowweaver process (PID " + std::to_string(slow.pid()) + ")";
  ProcessResult again = run_flowweaver({"run", "slow.yaml", "--state", url}, dir.path());
  EXPECT_EQ(again.exit_code, 3);
  EXPECT_NE(again.err.find(holder), std::string::npos) << again.err;
  ProcessResult reset = run_flowweaver({"reset", "slow.yaml", "a", "--state", url}, dir.path());
  EXPECT_EQ(reset.exit_code, 3);
  EXPECT_NE(reset.err.find(holder), std::string::npos) << reset.err;
  slow.signal(SIGKILL);
  slow.wait();
}

// A password written in the URL (the test server trusts any) is used, and printed nowhere.
TEST(PostgresStateRunTest, APasswordInTheUrlIsPrintedByNoCommand) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: a, uses: builtin.echo, with: {v: 1}}
  - {name: b, uses: builtin.fail, with: {times: 5}, depends_on: [a]}
)");
  std::string url = new_postgres_database("pw");
  std::string with_password =
      url.substr(0, url.find('@')) + ":pw-s3cret" + url.substr(url.find('@'));
  std::vector<std::vector<std::string>> commands = {
      {"run", "wf.yaml", "--state", with_password},
      {"status", "--state", with_password},
      {"status", "wf.yaml", "--state", with_password},
      {"history", "--state", with_password},
      {"check", "--state", with_password},
      {"check", "--json", "--state", with_password},
      {"reset", "wf.yaml", "b", "--state", with_password},
      {"mark", "wf.yaml", "b", "--completed", "--state", with_password},
      {"cancel", "wf.yaml", "--state", with_password},
      {"cancel", "wf.yaml", "--run", "nosuchrun", "--state", with_password},
      {"status", "--run", "nosuchrun", "--state", with_password},
      {"mark", "wf.yaml", "b", "--completed", "--run", "nosuchrun", "--state", with_password},
      {"history", "--workflow", "nosuchworkflow", "--state", with_password},
      {"backup", "--state", with_password, "x.db"}};
  for (const std::vector<std::string>& command : commands) {
    ProcessResult r = run_flowweaver(command, dir.path());
    EXPECT_EQ(r.out.find("pw-s3cret"), std::string::npos) << command[0] << ": " << r.out;
    EXPECT_EQ(r.err.find("pw-s3cret"), std::string::npos) << command[0] << ": " << r.err;
  }
  EXPECT_EQ(one(url, "SELECT status FROM tasks WHERE task_name = 'b'"), "COMPLETED");  // marked
}

TEST(PostgresStateRunTest, AnUnreachableServerIsReportedWithoutThePassword) {
  TempDir dir;
  dir.write("wf.yaml", "name: wf\ntasks:\n  - {name: a, uses: builtin.noop}\n");
  const std::string url = "postgresql://fw:s3cret@127.0.0.1:1/flow";
  ProcessResult run = run_flowweaver({"run", "wf.yaml", "--state", url}, dir.path());
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("cannot connect to the state database postgresql://fw@127.0.0.1:1/flow"),
            std::string::npos)
      << run.err;
  for (const char* command : {"status", "check", "history"}) {
    ProcessResult r = run_flowweaver({command, "--state", url}, dir.path());
    EXPECT_NE(r.exit_code, 0) << command;
    EXPECT_NE(r.err.find("postgresql://fw@127.0.0.1:1/flow"), std::string::npos)
        << command << ": " << r.err;
    EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << command << ": " << r.err;
  }
  EXPECT_EQ(run.err.find("s3cret"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace flowweaver::testing
