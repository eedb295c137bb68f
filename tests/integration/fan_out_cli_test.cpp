// What the command line shows of `foreach:` and `matrix:` tasks before any run: validate's
// errors with their positions, graph drawing each such task as one node with its item count,
// and plan naming it the same way (workflows/FORMAT.md, "foreach and matrix").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kForeachExample = FLOWWEAVER_SOURCE_DIR "/workflows/examples/foreach.yaml";
const std::string kMatrixExample = FLOWWEAVER_SOURCE_DIR "/workflows/examples/matrix.yaml";

TEST(FanOutCliTest, GraphDrawsAForeachTaskAsOneNodeWithItsCount) {
  TempDir dir;
  ProcessResult r = run_flowweaver({"graph", kForeachExample}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"convert\" [label=\"convert\nbuiltin.echo\nforeach "
                               "${tasks.list.output.lines}, at most 2 at once\"];"));
  EXPECT_THAT(r.out, HasSubstr("\"summary\" [label=\"summary\nbuiltin.echo\nforeach "
                               "${tasks.list.output.lines} in batches of 2\"];"));
  EXPECT_THAT(r.out, HasSubstr("\"literal\" [label=\"literal\nbuiltin.echo\nforeach: 2 items\"];"));
  EXPECT_THAT(r.out, HasSubstr("\"list\" -> \"convert\";"));
  EXPECT_THAT(r.out, HasSubstr("\"convert\" -> \"report\";"));
  EXPECT_THAT(r.out, Not(HasSubstr("convert[")));  // no node per item
}

TEST(FanOutCliTest, GraphCountsAMatrixAfterItsExcludes) {
  TempDir dir;
  ProcessResult r = run_flowweaver({"graph", kMatrixExample}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"test\" [label=\"test\nshell.run\nmatrix: 3 combinations, at "
                               "most 2 at once\"];"));
  EXPECT_THAT(r.out, HasSubstr("\"test\" -> \"report\";"));
}

TEST(FanOutCliTest, PlanNamesTheFanOutOfEachTask) {
  TempDir dir;
  ProcessResult r = run_flowweaver({"plan", kForeachExample, "--state", "f.db"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("convert                  not yet run (foreach "
                               "${tasks.list.output.lines}, at most 2 at once)"));
  EXPECT_THAT(r.out, HasSubstr("literal                  not yet run (foreach: 2 items)"));

  ProcessResult json =
      run_flowweaver({"plan", kMatrixExample, "--state", "m.db", "--json"}, dir.path());
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json plan = nlohmann::json::parse(json.out);
  ASSERT_EQ(plan["tasks"].size(), 2u);
  EXPECT_EQ(plan["tasks"][0]["task"], "test");
  EXPECT_EQ(plan["tasks"][0]["fan_out"], "matrix: 3 combinations, at most 2 at once");
  EXPECT_FALSE(plan["tasks"][1].contains("fan_out"));
}

TEST(FanOutCliTest, ValidateReportsFanOutErrorsWithPositions) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
params:
  count: 3
tasks:
  - name: list
    uses: builtin.noop
  - name: a
    uses: builtin.echo
    foreach: ${tasks.list.output.lines}
  - name: b
    uses: builtin.echo
    foreach: ${params.count}
  - name: c
    uses: builtin.echo
    matrix: {os: [debian, alpine]}
    exclude: [{os: ubuntu}]
    batch_size: 2
)");
  ProcessResult r = run_flowweaver({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("wf.yaml:9:14: ${tasks.list.output.lines}: task 'a' must list "
                               "'list' in depends_on to use its output"));
  EXPECT_THAT(r.err, HasSubstr("wf.yaml:12:14: `foreach: ${params.count}`: task 'b' runs once "
                               "per item of a list, but param 'count' is integer"));
  EXPECT_THAT(r.err, HasSubstr("wf.yaml:16:20: `exclude`: 'ubuntu' is not a value of matrix "
                               "axis 'os'; its values: debian, alpine"));
  EXPECT_THAT(r.err, HasSubstr("wf.yaml:17:17: `batch_size` is for `foreach` only"));
}

}  // namespace
}  // namespace flowweaver::testing
