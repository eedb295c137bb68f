// Run-time parameters end to end: --param and --param-file, the refusals (exit 2, nothing run),
// and a resume that keeps the values its run was created with.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kDeploy = R"(name: deploy
params:
  target:
    type: string
    enum: [staging, prod]
    default: staging
  batch: 50
  labels: {type: object, default: {}}
tasks:
  - name: show
    uses: builtin.echo
    with: {target: "${params.target}", batch: "${params.batch}", labels: "${params.labels}",
           run: "${workflow.name}/${run.id}"}
)";

std::string db_of(const TempDir& dir) { return (dir.path() / "var" / "deploy.db").string(); }

std::string one(const std::string& db, const std::string& sql) {
  auto rows = query_column(db, sql);
  return rows.empty() ? "<none>" : rows.front();
}

TEST(ParamsTest, ValuesFromTheCommandLineAndAFileAreTypedAndStoredWithTheRun) {
  TempDir dir;
  dir.write("wf.yaml", kDeploy);
  dir.write("p.json", R"({"batch": 99, "labels": {"team": "data"}})");
  ProcessResult r = run_flowweaver(
      {"run", "wf.yaml", "--param", "target=prod", "--param-file", "p.json", "--param", "batch=10"},
      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string db = db_of(dir);
  std::string run_id = one(db, "SELECT run_id FROM runs");
  EXPECT_EQ(nlohmann::json::parse(one(db, "SELECT result FROM tasks WHERE task_name='show'")),
            (nlohmann::json{{"target", "prod"},
                            {"batch", 10},
                            {"labels", {{"team", "data"}}},
                            {"run", "deploy/" + run_id}}));
  EXPECT_EQ(nlohmann::json::parse(one(db, "SELECT params FROM runs")),
            (nlohmann::json{{"target", "prod"}, {"batch", 10}, {"labels", {{"team", "data"}}}}));

  ProcessResult defaults = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(defaults.exit_code, 0) << defaults.err;
  EXPECT_EQ(
      nlohmann::json::parse(one(db, "SELECT params FROM runs ORDER BY rowid DESC")),
      (nlohmann::json{{"target", "staging"}, {"batch", 50}, {"labels", nlohmann::json::object()}}));
}

TEST(ParamsTest, BadValuesAreRefusedBeforeAnythingRuns) {
  TempDir dir;
  dir.write("wf.yaml", kDeploy);
  dir.write("bad.json", R"({"batch": "ten"})");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{"--param", "tagret=prod"},
            "--param tagret=prod: unknown parameter 'tagret' (did you mean 'target'?)"},
           {{"--param", "batch=ten"}, "'ten' is not an integer"},
           {{"--param", "target=dev"}, "'dev' is not one of staging, prod"},
           {{"--param", "labels=[1]"}, "'[1]' is not a JSON object"},
           {{"--param", "target"}, "--param 'target': write NAME=VALUE"},
           {{"--param-file", "bad.json"},
            "--param-file: parameter 'batch' must be integer, not string \"ten\""},
           {{"--param-file", "missing.json"}, "--param-file missing.json: cannot be read"}}) {
    std::vector<std::string> args = {"run", "wf.yaml"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    ProcessResult r = run_flowweaver(args, dir.path());
    EXPECT_EQ(r.exit_code, 2) << c.args[1] << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.message));
    EXPECT_THAT(r.err, HasSubstr("nothing was run"));
  }
  EXPECT_FALSE(std::filesystem::exists(db_of(dir)));
}

TEST(ParamsTest, ARequiredParameterMissingIsRefusedNamingIt) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: deploy
params:
  target: {type: string, description: Where to deploy}
tasks:
  - {name: show, uses: builtin.echo, with: {t: "${params.target}"}}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("parameter 'target' is required (it has no default): pass --param "
                               "target=VALUE"));
  EXPECT_EQ(one(db_of(dir), "SELECT count(*) FROM runs"), "0");
  ProcessResult given = run_flowweaver({"run", "wf.yaml", "--param", "target=qa"}, dir.path());
  EXPECT_EQ(given.exit_code, 0) << given.err;
}

// A run that failed half-way and is resumed goes on with the values it started with, even when
// the environment its defaults came from has changed since.
constexpr const char* kFrozen = R"(name: deploy
params:
  target: "${env.FW_TARGET:-staging}"
tasks:
  - {name: step1, uses: builtin.echo, with: {target: "${params.target}"}}
  - {name: flaky, uses: builtin.fail, with: {times: 1, permanent: true}, depends_on: [step1]}
  - {name: step2, uses: builtin.echo, with: {target: "${params.target}"}, depends_on: [flaky]}
)";

TEST(ParamsTest, AResumeKeepsTheParamsItsRunWasCreatedWith) {
  TempDir dir;
  dir.write("wf.yaml", kFrozen);
  ProcessResult r1 = run_flowweaver({"run", "wf.yaml"}, dir.path(), {{"FW_TARGET", "prod"}});
  ASSERT_EQ(r1.exit_code, 1) << r1.err;
  ProcessResult r2 = run_flowweaver({"run", "wf.yaml"}, dir.path(), {{"FW_TARGET", "staging"}});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_THAT(r2.err, HasSubstr("resuming run"));
  std::string db = db_of(dir);
  EXPECT_EQ(one(db, "SELECT count(*) FROM runs"), "1");
  EXPECT_EQ(one(db, "SELECT result FROM tasks WHERE task_name='step1'"), R"({"target":"prod"})");
  EXPECT_EQ(one(db, "SELECT result FROM tasks WHERE task_name='step2'"), R"({"target":"prod"})");
}

TEST(ParamsTest, AResumeWithOtherValuesIsRefusedAndWithTheSameGoesOn) {
  TempDir dir;
  dir.write("wf.yaml", kFrozen);
  ProcessResult r1 = run_flowweaver({"run", "wf.yaml", "--param", "target=prod"}, dir.path());
  ASSERT_EQ(r1.exit_code, 1) << r1.err;
  std::string db = db_of(dir);
  std::string run_id = one(db, "SELECT run_id FROM runs");

  ProcessResult plan = run_flowweaver({"plan", "wf.yaml"}, dir.path());
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("Resumes run " + run_id));
  EXPECT_THAT(plan.out, HasSubstr(R"(  params: {"target":"prod"})"));

  ProcessResult other = run_flowweaver({"run", "wf.yaml", "--param", "target=qa"}, dir.path());
  EXPECT_EQ(other.exit_code, 2) << other.err;
  EXPECT_THAT(other.err, HasSubstr("parameter 'target': run " + run_id +
                                   " was started with target=prod, not qa"));
  EXPECT_THAT(other.err, HasSubstr("--fresh"));
  EXPECT_EQ(one(db, "SELECT status FROM tasks WHERE task_name='flaky'"), "FAILED");

  ProcessResult same = run_flowweaver({"run", "wf.yaml", "--param", "target=prod"}, dir.path());
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(one(db, "SELECT result FROM tasks WHERE task_name='step2'"), R"({"target":"prod"})");

  ProcessResult fresh =
      run_flowweaver({"run", "wf.yaml", "--fresh", "--param", "target=qa"}, dir.path());
  EXPECT_EQ(fresh.exit_code, 1) << fresh.err;  // a new run: `flaky` fails its first attempt again
  EXPECT_EQ(one(db, "SELECT params FROM runs ORDER BY rowid DESC"), R"({"target":"qa"})");
}

// The run's own references reach a task in a child process (isolation: process) as they reach
// one in the host, and stay the same across a resume.
TEST(ParamsTest, RunReferencesResolveInBothIsolationsAndAcrossAResume) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: deploy
tasks:
  - name: host
    uses: builtin.echo
    with: {id: "${run.id}", at: "${run.started_at}", wf: "${workflow.name}", s: "${run.status}",
           failed: "${run.failed_tasks}"}
  - {name: flaky, uses: builtin.fail, with: {times: 1, permanent: true}, depends_on: [host]}
  - name: child
    uses: builtin.echo
    isolation: process
    depends_on: [flaky]
    with: {id: "${run.id}", at: "${run.started_at}", wf: "${workflow.name}"}
)");
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 1);
  ProcessResult resumed = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  std::string db = db_of(dir);
  std::string run_id = one(db, "SELECT run_id FROM runs");
  std::string started_at = one(db, "SELECT started_at FROM runs");
  EXPECT_EQ(
      nlohmann::json::parse(one(db, "SELECT result FROM tasks WHERE task_name='host'")),
      (nlohmann::json{
          {"id", run_id}, {"at", started_at}, {"wf", "deploy"}, {"s", "running"}, {"failed", ""}}));
  EXPECT_EQ(nlohmann::json::parse(one(db, "SELECT result FROM tasks WHERE task_name='child'")),
            (nlohmann::json{{"id", run_id}, {"at", started_at}, {"wf", "deploy"}}));
}

// The handlers see the outcome of the tasks; the tasks themselves see the run still running.
TEST(ParamsTest, HandlersSeeTheRunsStatusAndFailedTasks) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: deploy
tasks:
  - {name: ok, uses: builtin.echo, with: {s: "${run.status}"}}
  - {name: extract, uses: builtin.fail, with: {permanent: true}}
  - {name: load, uses: builtin.fail, with: {permanent: true}}
on_failure:
  - {name: alert, uses: builtin.echo, with: {msg: "${run.id} ${run.status}: ${run.failed_tasks}"}}
on_exit:
  - {name: tidy, uses: builtin.echo, with: {s: "${run.status}"}}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::string db = db_of(dir);
  std::string run_id = one(db, "SELECT run_id FROM runs");
  EXPECT_EQ(one(db, "SELECT result FROM tasks WHERE task_name='ok'"), R"({"s":"running"})");
  EXPECT_EQ(one(db, "SELECT result FROM tasks WHERE task_name='alert'"),
            R"({"msg":")" + run_id + R"( failed: extract,load"})");
  EXPECT_EQ(one(db, "SELECT result FROM tasks WHERE task_name='tidy'"), R"({"s":"failed"})");
}

}  // namespace
}  // namespace flowweaver::testing
