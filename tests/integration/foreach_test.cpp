// foreach and matrix end to end with the real binary: item rows, their outputs, failures,
// resumes and a kill -9 in the middle (workflows/FORMAT.md, "foreach and matrix").
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <set>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

using ::testing::HasSubstr;

std::string db_of(const TempDir& dir, const std::string& workflow) {
  return (dir.path() / "var" / (workflow + ".db")).string();
}

std::set<std::string> column_set(const std::string& db, const std::string& sql) {
  std::vector<std::string> rows = query_column(db, sql);
  return {rows.begin(), rows.end()};
}

TEST(ForeachTest, EachItemRunsAsARowAndTheTaskOutputsTheirListForItsDependents) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: list
    uses: shell.run
    with: {command: [printf, '%s\n', a.csv, b.csv, c.csv], parse: lines}
  - name: convert
    uses: builtin.echo
    depends_on: [list]
    foreach: ${tasks.list.output.lines}
    with: {path: "/in/${item}", index: "${item_index}"}
  - name: report
    uses: builtin.echo
    depends_on: [convert]
    with: {all: "${tasks.convert.output}", second: "${tasks.convert.output.1.path}"}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string db = db_of(dir, "wf");
  EXPECT_EQ(query_column(db,
                         "SELECT task_name || ' ' || status || ' ' || result FROM tasks "
                         "WHERE task_name LIKE 'convert[%' ORDER BY task_name"),
            (std::vector<std::string>{R"(convert[0] COMPLETED {"index":0,"path":"/in/a.csv"})",
                                      R"(convert[1] COMPLETED {"index":1,"path":"/in/b.csv"})",
                                      R"(convert[2] COMPLETED {"index":2,"path":"/in/c.csv"})"}));
  EXPECT_EQ(query_one(db, "SELECT result FROM tasks WHERE task_name='report'"),
            R"({"all":[{"index":0,"path":"/in/a.csv"},{"index":1,"path":"/in/b.csv"},)"
            R"({"index":2,"path":"/in/c.csv"}],"second":"/in/b.csv"})");
  // Every item has its attempt; the task one for the pass over them.
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM attempts WHERE task_name LIKE 'convert%'"), "4");
  EXPECT_THAT(r.err, HasSubstr("task=convert[1] attempt=1 completed"));
}

TEST(ForeachTest, AFailedItemFailsTheTaskAfterTheOthersAndAResumeRerunsOnlyIt) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: convert
    uses: shell.run
    foreach: [a, b, c, d]
    with: {command: [sh, -c, 'test ${item} != c || test -e fixed']}
  - {name: after, uses: builtin.noop, depends_on: [convert]}
)");
  ProcessResult first = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(first.exit_code, 1) << first.err;
  std::string db = db_of(dir, "wf");
  EXPECT_THAT(query_one(db, "SELECT status || ': ' || error FROM tasks WHERE task_name='convert'"),
              ::testing::StartsWith("FAILED: 1 of 4 items failed; the first: convert[2]: "));
  EXPECT_EQ(query_one(db, "SELECT status FROM tasks WHERE task_name='after'"), "SKIPPED");
  EXPECT_EQ(column_set(db, "SELECT task_name FROM tasks WHERE status='COMPLETED'"),
            (std::set<std::string>{"convert[0]", "convert[1]", "convert[3]"}));

  ProcessResult status = run_flowweaver({"status", "wf.yaml"}, dir.path());
  EXPECT_THAT(status.out, ::testing::ContainsRegex("convert\\[2\\] +FAILED +1"));
  EXPECT_THAT(status.out, ::testing::Not(HasSubstr("convert[0]")));  // completed: counted only
  EXPECT_THAT(status.out, HasSubstr("convert: 4 items: 3 COMPLETED, 1 FAILED\n"));

  ProcessResult plan = run_flowweaver({"plan", "wf.yaml"}, dir.path());
  EXPECT_THAT(plan.out, HasSubstr("(foreach: 4 items; 3 completed item(s) kept)"));

  dir.write("fixed", "");
  ProcessResult second = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM runs"), "1");
  EXPECT_EQ(
      query_column(db,
                   "SELECT task_name || ' ' || count(*) FROM attempts "
                   "WHERE task_name LIKE 'convert[%' GROUP BY task_name ORDER BY task_name"),
      (std::vector<std::string>{"convert[0] 1", "convert[1] 1", "convert[2] 2", "convert[3] 1"}));
  EXPECT_EQ(query_one(db, "SELECT status FROM tasks WHERE task_name='after'"), "COMPLETED");
}

TEST(ForeachTest, StatusListsTheFirstTenUnfinishedItemsInTheListsOrder) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: t, uses: builtin.fail, foreach: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
     with: {times: 1, permanent: true}}
)");
  EXPECT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 1);
  ProcessResult status = run_flowweaver({"status", "wf.yaml"}, dir.path());
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, ::testing::ContainsRegex("t\\[8\\] .*\n.*t\\[9\\] "));
  EXPECT_THAT(status.out, ::testing::Not(HasSubstr("t[10]")));
  EXPECT_THAT(status.out, HasSubstr("t: 12 items: 12 FAILED (10 of the 12 not completed listed; "
                                    "all: SELECT * FROM tasks WHERE task_name LIKE 't[%')"));
}

TEST(ForeachTest, ResetOfAForeachTaskRunsEveryItemAgain) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: convert, uses: builtin.echo, foreach: [a, b], with: {v: "${item}"}}
)");
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 0);
  ProcessResult reset = run_flowweaver({"reset", "wf.yaml", "convert"}, dir.path());
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_THAT(reset.out, HasSubstr("convert (and 2 of their foreach/matrix items)"));
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 0);
  EXPECT_EQ(query_column(db_of(dir, "wf"),
                         "SELECT task_name || ' ' || attempt || ' ' || status FROM tasks "
                         "ORDER BY task_name"),
            (std::vector<std::string>{"convert 2 COMPLETED", "convert[0] 2 COMPLETED",
                                      "convert[1] 2 COMPLETED"}));
}

TEST(ForeachTest, AReferenceThatHoldsNoListFailsTheTaskNamingWhatItHeld) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: count, uses: builtin.echo, with: {n: 5}}
  - name: convert
    uses: builtin.echo
    depends_on: [count]
    retries: 3
    foreach: ${tasks.count.output.n}
    with: {v: "${item}"}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::string db = db_of(dir, "wf");
  EXPECT_EQ(query_one(db, "SELECT status || ': ' || error FROM tasks WHERE task_name='convert'"),
            "FAILED: ${tasks.count.output.n} is not a list: it holds 5");
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM tasks WHERE task_name LIKE 'convert[%'"), "0");
}

TEST(ForeachTest, BatchesAndAMatrixRunOncePerBatchAndPerCombination) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: load
    uses: builtin.echo
    foreach: [1, 2, 3, 4, 5]
    batch_size: 2
    with: {rows: "${item}", batch: "${item_index}"}
  - name: test
    uses: builtin.echo
    matrix: {os: [debian, alpine], version: [1, 2]}
    exclude: [{os: alpine, version: 1}]
    with: {on: "${matrix.os}-${matrix.version}"}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string db = db_of(dir, "wf");
  EXPECT_EQ(query_one(db, "SELECT result FROM tasks WHERE task_name='load'"),
            R"([{"batch":0,"rows":[1,2]},{"batch":1,"rows":[3,4]},{"batch":2,"rows":[5]}])");
  EXPECT_EQ(query_column(db,
                         "SELECT task_name || ' ' || result FROM tasks "
                         "WHERE task_name LIKE 'test[%' ORDER BY task_name"),
            (std::vector<std::string>{R"(test[os=alpine,version=2] {"on":"alpine-2"})",
                                      R"(test[os=debian,version=1] {"on":"debian-1"})",
                                      R"(test[os=debian,version=2] {"on":"debian-2"})"}));
  EXPECT_EQ(query_one(db, "SELECT result FROM tasks WHERE task_name='test'"),
            R"([{"on":"debian-1"},{"on":"debian-2"},{"on":"alpine-2"}])");
}

// The issue's test: kill -9 in the middle of a 1,000-item foreach, then a resume that re-runs
// at most the items that were in flight.
TEST(ForeachTest, KillNineMidForeachThenAResumeRerunsOnlyTheItemsInFlight) {
  TempDir dir;
  std::string items;
  for (int i = 0; i < 1000; ++i) items += (i ? "," : "") + std::to_string(i);
  dir.write("wf.yaml",
            "name: wf\ntasks:\n  - name: each\n    uses: builtin.sleep\n"
            "    foreach: [" +
                items +
                "]\n    with: {duration: 3ms}\n"
                "  - {name: after, uses: builtin.noop, depends_on: [each]}\n");
  std::string db = db_of(dir, "wf");
  FlowWeaverProcess p({"run", "wf.yaml", "--max-workers", "2"}, dir.path());
  ASSERT_TRUE(wait_until([&] {
    try {
      return std::stoi(query_one(db,
                                 "SELECT count(*) FROM tasks WHERE status='COMPLETED' AND "
                                 "task_name LIKE 'each[%'")) >= 300;
    } catch (const std::exception&) {
      return false;
    }
  }));
  p.signal(SIGKILL);
  ASSERT_EQ(p.wait().exit_code, 128 + SIGKILL);
  std::set<std::string> completed =
      column_set(db, "SELECT task_name || '|' || finished_at FROM tasks WHERE status='COMPLETED'");
  std::set<std::string> in_flight =
      column_set(db, "SELECT task_name FROM tasks WHERE status='RUNNING' AND task_name<>'each'");
  ASSERT_GE(completed.size(), 300u);
  ASSERT_LT(completed.size(), 1000u);
  EXPECT_LE(in_flight.size(), 2u);  // --max-workers 2: a 3 ms call is not queued

  ProcessResult resumed = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM runs"), "1");
  EXPECT_EQ(query_one(db,
                      "SELECT count(*) FROM tasks WHERE status='COMPLETED' AND "
                      "task_name LIKE 'each[%'"),
            "1000");
  // What had completed stayed as it was; only the items in flight ran a second time.
  std::set<std::string> after =
      column_set(db, "SELECT task_name || '|' || finished_at FROM tasks WHERE status='COMPLETED'");
  for (const std::string& row : completed) EXPECT_TRUE(after.count(row)) << row;
  EXPECT_EQ(column_set(db, "SELECT DISTINCT task_name FROM attempts WHERE attempt > 1"), in_flight);
  EXPECT_EQ(query_one(db, "SELECT json_array_length(result) FROM tasks WHERE task_name='each'"),
            "1000");
}

}  // namespace
}  // namespace flowweaver::testing
