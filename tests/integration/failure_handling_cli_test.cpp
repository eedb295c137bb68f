// What the command line shows of trigger rules, allowed failures, handlers and the run's
// timeout, and that every example manifest under workflows/examples/ validates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kWithHandlers = R"(name: wf
timeout: 2h
tasks:
  - name: extract
    uses: builtin.noop
    allow_failure: true
  - name: load
    uses: builtin.noop
    depends_on: [extract]
    trigger_rule: none_failed
on_failure:
  - name: alert
    uses: builtin.noop
on_exit:
  - name: cleanup
    uses: builtin.noop
)";

TEST(FailureHandlingCliTest, ValidateCountsTasksAndHandlersApart) {
  TempDir dir;
  dir.write("wf.yaml", kWithHandlers);
  ProcessResult r = run_flowweaver({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("wf.yaml: ok (workflow 'wf', 2 tasks, 2 handlers)"));
}

TEST(FailureHandlingCliTest, ProblemsWithHandlersAndRulesAreReportedAtOnceAndNothingRuns) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
timeout: 0s
tasks:
  - name: a
    uses: builtin.noop
    trigger_rule: one_failed
  - name: b
    uses: builtin.noop
    depends_on: [cleanup]
on_exit:
  - name: cleanup
    uses: builtin.noop
    depends_on: [a]
)");
  for (const char* command : {"validate", "run"}) {
    ProcessResult r = run_flowweaver({command, "wf.yaml"}, dir.path());
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_THAT(r.err, HasSubstr("wf.yaml:2:10: the run's `timeout` must be longer than 0"));
    EXPECT_THAT(r.err, HasSubstr("wf.yaml:6:19: task 'a': `trigger_rule: one_failed` needs "
                                 "`depends_on`"));
    EXPECT_THAT(r.err, HasSubstr("wf.yaml:9:18: task 'b' cannot depend on on_exit handler "
                                 "'cleanup' (line 11)"));
    EXPECT_THAT(r.err, HasSubstr("wf.yaml:13:18: on_exit handler 'cleanup' cannot depend on task "
                                 "'a'"));
    EXPECT_THAT(r.err, HasSubstr("4 problem(s) found"));
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "var" / "wf.db"));
}

TEST(FailureHandlingCliTest, PlanShowsRulesAllowedFailuresHandlersAndTheRunTimeout) {
  TempDir dir;
  dir.write("wf.yaml", kWithHandlers);
  ProcessResult r = run_flowweaver({"plan", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ContainsRegex("run +extract +not yet run \\(allow_failure\\)\n"));
  EXPECT_THAT(r.out, ContainsRegex("run +load +not yet run \\(trigger_rule: none_failed\\)\n"));
  EXPECT_THAT(r.out, HasSubstr("Handlers, once every task has ended:\n"));
  EXPECT_THAT(r.out, ContainsRegex("run +alert +not yet run \\(on_failure: if the run has "
                                   "failed\\)\n"));
  EXPECT_THAT(r.out, ContainsRegex("run +cleanup +not yet run \\(on_exit: always, last\\)\n"));
  EXPECT_THAT(r.out, HasSubstr("Run timeout: 2h from the run's start\n"));
  // The handlers are listed after the tasks, in their own section.
  EXPECT_LT(r.out.find("load"), r.out.find("Handlers"));
  EXPECT_LT(r.out.find("Handlers"), r.out.find("alert"));
}

TEST(FailureHandlingCliTest, PlanWithoutAnyOfItShowsNoneOfIt) {
  TempDir dir;
  dir.write("wf.yaml", "name: wf\ntasks:\n  - name: a\n    uses: builtin.noop\n");
  ProcessResult r = run_flowweaver({"plan", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ContainsRegex("run +a +not yet run\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("Handlers")));
  EXPECT_THAT(r.out, Not(HasSubstr("Run timeout")));
}

// A resumed run keeps its deadline: the plan shows it, counted from the run's first start.
TEST(FailureHandlingCliTest, PlanOfAResumedRunShowsItsDeadline) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
timeout: 2h
tasks:
  - name: flaky
    uses: builtin.fail
    with: {permanent: true}
)");
  ProcessResult run = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(run.exit_code, 1) << run.err;
  // SQLite's own date arithmetic: the stored start, two hours later, in the stored format.
  std::vector<std::string> expected =
      query_column((dir.path() / "var" / "wf.db").string(),
                   "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', started_at, '+2 hours') FROM runs");
  ASSERT_EQ(expected.size(), 1u);
  ProcessResult r = run_flowweaver({"plan", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json plan = nlohmann::json::parse(r.out);
  ASSERT_FALSE(plan["resumes"].is_null()) << r.out;
  EXPECT_EQ(plan["timeout"]["deadline"], expected[0]);
  ProcessResult text = run_flowweaver({"plan", "wf.yaml"}, dir.path());
  EXPECT_THAT(text.out, HasSubstr("Run timeout: 2h from the run's start, at " + expected[0]));
}

TEST(FailureHandlingCliTest, PlanJsonListsHandlersApart) {
  TempDir dir;
  dir.write("wf.yaml", kWithHandlers);
  ProcessResult r = run_flowweaver({"plan", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json plan = nlohmann::json::parse(r.out);
  EXPECT_EQ(plan["timeout"], nlohmann::json({{"duration", "2h"}}));
  ASSERT_EQ(plan["tasks"].size(), 2u);
  EXPECT_EQ(plan["tasks"][0]["task"], "extract");
  EXPECT_EQ(plan["tasks"][0]["allow_failure"], true);
  EXPECT_EQ(plan["tasks"][0]["trigger_rule"], "all_success");
  EXPECT_EQ(plan["tasks"][1]["trigger_rule"], "none_failed");
  ASSERT_EQ(plan["handlers"].size(), 2u);
  EXPECT_EQ(plan["handlers"][0]["task"], "alert");
  EXPECT_EQ(plan["handlers"][0]["handler"], "on_failure");
  EXPECT_EQ(plan["handlers"][1]["task"], "cleanup");
  EXPECT_EQ(plan["handlers"][1]["handler"], "on_exit");
  EXPECT_EQ(plan["handlers"][1]["action"], "run");
}

TEST(FailureHandlingCliTest, GraphDrawsHandlersInABoxPerList) {
  TempDir dir;
  dir.write("wf.yaml", kWithHandlers);
  ProcessResult r = run_flowweaver({"graph", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"load\" [label=\"load\nbuiltin.noop\nnone_failed\"];"));
  EXPECT_THAT(r.out, HasSubstr("\"extract\" [label=\"extract\nbuiltin.noop\nallow_failure\"];"));
  EXPECT_THAT(r.out, HasSubstr("  subgraph \"cluster_on_failure\" {\n    label=\"on_failure\";\n"
                               "    style=dashed;\n    \"alert\" [label=\"alert\nbuiltin.noop\"];\n"
                               "  }\n"));
  EXPECT_THAT(r.out, HasSubstr("subgraph \"cluster_on_exit\""));
  EXPECT_THAT(r.out, HasSubstr("\"extract\" -> \"load\";"));
}

// Each example is a small manifest a user copies: each must stay valid as the format grows.
TEST(ExampleManifestsTest, EveryExampleValidates) {
  std::filesystem::path examples = std::filesystem::path(FLOWWEAVER_SOURCE_DIR) / "workflows";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(examples)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const char* expected :
       {"examples/trigger_rules.yaml", "examples/allow_failure.yaml", "examples/pools.yaml",
        "examples/handlers.yaml", "examples/run_timeout.yaml", "examples/foreach.yaml",
        "examples/matrix.yaml", "examples/http.yaml", "examples/subworkflow.yaml",
        "examples/subworkflow_child.yaml"}) {
    EXPECT_TRUE(std::find(files.begin(), files.end(), examples / expected) != files.end())
        << expected;
  }
  TempDir dir;
  for (const std::filesystem::path& file : files) {
    ProcessResult r = run_flowweaver({"validate", file.string()}, dir.path());
    EXPECT_EQ(r.exit_code, 0) << file << ":\n" << r.err;
    EXPECT_THAT(r.out, HasSubstr(": ok (workflow '")) << file;
  }
}

}  // namespace
}  // namespace flowweaver::testing
