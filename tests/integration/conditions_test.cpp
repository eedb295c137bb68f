// `if:` conditions with the real binary: validate's errors inside the expression, plan showing
// conditions, and the example manifest.
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
                               "mean 'target'?); params: batch, target\n"));
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

}  // namespace
}  // namespace flowweaver::testing
