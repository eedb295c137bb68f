// `if:` conditions with the real binary: validate's errors inside the expression, plan showing
// conditions, and runs where a false condition skips a task and a true one runs it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

using ::testing::HasSubstr;

const std::string kExample = FLOWWEAVER_SOURCE_DIR "/workflows/examples/conditions.yaml";

TEST(ConditionsTest, TheExampleValidates) {
  TempDir dir;
  ProcessResult r = run_flowweaver({"validate", kExample}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ok (workflow 'conditions', 5 tasks)"));
}

TEST(ConditionsTest, ValidateReportsConditionErrorsInsideTheExpression) {
  TempDir dir;
  dir.write("bad.yaml", R"(name: bad
params: {target: prod, batch: 50}
tasks:
  - name: check
    uses: builtin.noop
  - name: deploy
    uses: builtin.noop
    depends_on: [check]
    if: params.tagret == 'prod' && params.batch == '50'
  - name: quoted
    uses: builtin.noop
    if: "tasks.check.status == 'FAILED' && run.id = 'x'"
  - name: stray
    uses: builtin.noop
    if: tasks.check.status == 'COMPLETED'
)");
  ProcessResult r = run_flowweaver({"validate", "bad.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad.yaml:9:16: task 'deploy': `if`: no param 'tagret' (did you "
                               "mean 'target'?); params: target, batch\n"));
  EXPECT_THAT(r.err, HasSubstr("bad.yaml:9:49: task 'deploy': `if`: '==' compares a number with "
                               "text, which are never equal\n"));
  EXPECT_THAT(r.err, HasSubstr("bad.yaml:12:51: task 'quoted': `if`: '=' alone is not an "
                               "operator: write == to compare\n"));
  EXPECT_THAT(r.err, HasSubstr("bad.yaml:15:15: task 'stray': `if`: task 'check' is not upstream "
                               "of 'stray'"));
  EXPECT_THAT(r.err, HasSubstr("4 problem(s) found."));
  ProcessResult run = run_flowweaver({"run", "bad.yaml"}, dir.path());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "var" / "bad.db"));
}

TEST(ConditionsTest, PlanShowsEachTasksCondition) {
  TempDir dir;
  ProcessResult r = run_flowweaver({"plan", kExample, "--state", "c.db"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out,
              ::testing::ContainsRegex("run +deploy +not yet run\n +if: params.target == 'prod' && "
                                       "tasks.check.output.changed\n"));
  ProcessResult json = run_flowweaver({"plan", kExample, "--state", "c.db", "--json"}, dir.path());
  nlohmann::json plan = nlohmann::json::parse(json.out);
  EXPECT_FALSE(plan["tasks"][0].contains("if"));  // check has no condition
  EXPECT_EQ(plan["tasks"][2]["if"], "params.target == 'staging'");
}

TEST(ConditionsTest, AFalseConditionSkipsTheTaskAndATrueOneRunsIt) {
  TempDir dir;
  ProcessResult r = run_flowweaver({"run", kExample, "--state", "c.db"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string db = (dir.path() / "c.db").string();
  auto status_of = [&](const std::string& task) {
    std::vector<std::string> rows = query_column(
        db,
        "SELECT status || ' ' || coalesce(error, '') FROM tasks WHERE task_name='" + task + "'");
    return rows.empty() ? std::string("<none>") : rows.front();
  };
  EXPECT_EQ(status_of("check"), "COMPLETED ");
  EXPECT_EQ(status_of("deploy"), "COMPLETED ");
  EXPECT_EQ(status_of("notify_staging"), "SKIPPED condition false");
  EXPECT_EQ(status_of("reload_orders"), "COMPLETED ");
  EXPECT_EQ(status_of("report"), "COMPLETED ");
  EXPECT_EQ(query_column(db, "SELECT count(*) FROM attempts WHERE task_name='notify_staging'"),
            (std::vector<std::string>{"0"}));
  ProcessResult status = run_flowweaver({"status", kExample, "--state", "c.db"}, dir.path());
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, ::testing::ContainsRegex("notify_staging +SKIPPED .*condition false"));
  EXPECT_THAT(status.out, ::testing::ContainsRegex("deploy +COMPLETED"));
}

TEST(ConditionsTest, ARunTimeTypeErrorFailsTheTaskNamingTheCondition) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: check
    uses: builtin.echo
    with: {name: report.csv}
  - name: compare
    uses: builtin.noop
    depends_on: [check]
    retries: 3
    if: tasks.check.output.name < 3
  - name: after
    uses: builtin.noop
    depends_on: [compare]
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml", "--state", "c.db"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::string db = (dir.path() / "c.db").string();
  EXPECT_EQ(query_column(db, "SELECT status || ': ' || error FROM tasks WHERE task_name='compare'"),
            (std::vector<std::string>{
                "FAILED: condition `tasks.check.output.name < 3` failed at character 25: '<' "
                "cannot order text (\"report.csv\") against a number (3)"}));
  EXPECT_EQ(query_column(db, "SELECT status FROM tasks WHERE task_name='after'"),
            (std::vector<std::string>{"SKIPPED"}));
  // Failed before any attempt, and not retried: the inputs will not change.
  EXPECT_EQ(query_column(db, "SELECT count(*) FROM attempts WHERE task_name='compare'"),
            (std::vector<std::string>{"0"}));
}

TEST(ConditionsTest, ConditionsReadHowUpstreamTasksAndTheDagEnded) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: flaky
    uses: builtin.fail
    with: {permanent: true}
    allow_failure: true
  - name: on_flaky_failed
    uses: builtin.noop
    depends_on: [flaky]
    trigger_rule: all_done
    if: tasks.flaky.status == 'FAILED'
  - name: on_flaky_ok
    uses: builtin.noop
    depends_on: [flaky]
    trigger_rule: all_done
    if: tasks.flaky.status == 'COMPLETED'
on_exit:
  - name: cleanup
    uses: builtin.noop
    if: tasks.flaky.status == 'FAILED' && tasks.on_flaky_ok.status == 'SKIPPED'
  - name: never
    uses: builtin.noop
    if: tasks.flaky.status == 'COMPLETED'
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml", "--state", "c.db"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;  // the only failure was allowed
  std::string db = (dir.path() / "c.db").string();
  EXPECT_EQ(
      query_column(db,
                   "SELECT task_name || ' ' || status || ' ' || coalesce(error, '') "
                   "FROM tasks WHERE task_name != 'flaky' ORDER BY position"),
      (std::vector<std::string>{"on_flaky_failed COMPLETED ", "on_flaky_ok SKIPPED condition false",
                                "cleanup COMPLETED ", "never SKIPPED condition false"}));
}

}  // namespace
}  // namespace flowweaver::testing
