// A run whose attempts are claimed by other hosts (cluster/claiming_runner.h,
// cluster/claim_worker.h): three cluster nodes in one process on a real PostgreSQL, the run's
// own with no claim workers, so that every task is run by one of the two others.
#include <gtest/gtest.h>

#include <thread>

#include "cluster/cluster_node.h"
#include "engine.h"
#include "integration/flowweaver_process.h"
#include "manifest/validator.h"
#include "run_logger.h"
#include "state/postgres_store.h"
#include "state/state_location.h"
#include "unit/postgres_state_server.h"
#include "workflow.h"

namespace flowweaver::testing {
namespace {

std::shared_ptr<const Workflow> load(const TempDir& dir, const std::string& yaml) {
  std::string file = dir.write("wf.yaml", yaml);
  DiagnosticList diagnostics(file);
  std::optional<Workflow> w =
      load_workflow(file, {FLOWWEAVER_PLUGIN_DIR}, process_env, &diagnostics);
  EXPECT_TRUE(w) << diagnostics.to_string();
  return w ? std::make_shared<const Workflow>(std::move(*w)) : nullptr;
}

ServedWorkflows serving(std::shared_ptr<const Workflow> w) {
  return [w] { return std::vector<std::shared_ptr<const Workflow>>{w}; };
}

ClusterSettings settings(const std::string& url, const std::string& host, int workers) {
  return {url, host, workers, Millis(2000)};
}

// 20 tasks in two chains that meet in `last`; each echoes its upstream's output, so a claimed
// call must have been given its inputs.
std::string two_chains() {
  std::string yaml = "name: wf\ntasks:\n  - {name: first, uses: builtin.echo, with: {v: 1}}\n";
  for (int i = 0; i < 9; ++i) {
    for (const char* side : {"a", "b"}) {
      std::string name = std::string(side) + std::to_string(i);
      std::string up = i == 0 ? "first" : std::string(side) + std::to_string(i - 1);
      yaml += "  - {name: " + name + ", uses: builtin.echo, with: {v: '${tasks." + up +
              ".output.v}'}, depends_on: [" + up + "]}\n";
    }
  }
  yaml +=
      "  - {name: last, uses: builtin.echo, with: {v: '${tasks.a8.output.v}${tasks.b8.output.v}'},"
      " depends_on: [a8, b8]}\n";
  return yaml;
}

TEST(ClaimingRunTest, EveryTaskIsRunByAnotherHostWithItsUpstreamOutputs) {
  TempDir dir;
  std::shared_ptr<const Workflow> w = load(dir, two_chains());
  ASSERT_TRUE(w);
  std::string url = new_postgres_database("claiming");
  std::unique_ptr<StateStore> store =
      open_state_store(workflow_state(url, "wf"), Durability::kNormal);
  auto log = make_logger("", "warn");
  ClusterNode here(settings(url, "host-run", 0), log);
  // One worker each: when both chains have a task in flight, each host runs one.
  ClusterNode b(settings(url, "host-b", 1), log), c(settings(url, "host-c", 1), log);
  b.start_workers(serving(w));
  c.start_workers(serving(w));
  SystemClock clock;
  StopSwitch stop_switch;
  ExecuteOptions options;
  options.max_workers = 4;
  options.cluster = &here;
  options.task_log_root.clear();
  RunOutcome outcome = execute_run(*w, *store, log, clock, stop_switch, options);

  EXPECT_EQ(outcome.run.status, RunStatus::kCompleted);
  EXPECT_EQ(postgres_column(url, "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'"),
            std::vector<std::string>{"20"});
  EXPECT_EQ(postgres_column(url, "SELECT result FROM tasks WHERE task_name = 'last'"),
            std::vector<std::string>{"{\"v\":\"11\"}"});
  EXPECT_EQ(postgres_column(url, "SELECT DISTINCT holder FROM task_claims ORDER BY holder"),
            (std::vector<std::string>{"host-b", "host-c"}));
  EXPECT_EQ(postgres_column(url, "SELECT count(*) FROM task_claims WHERE status = 'consumed'"),
            std::vector<std::string>{"20"});
  EXPECT_EQ(here.counters().num_offered.load(), 20u);
  EXPECT_EQ(b.counters().num_finished + c.counters().num_finished, 20u);
}

TEST(ClaimingRunTest, ForeachAndMatrixItemsAreClaimedWithTheirValues) {
  TempDir dir;
  std::shared_ptr<const Workflow> w = load(dir, R"(name: wf
tasks:
  - {name: list, uses: builtin.echo, with: {files: [a, b, c]}}
  - name: each
    uses: builtin.echo
    foreach: ${tasks.list.output.files}
    with: {f: '${item}', i: '${item_index}'}
    depends_on: [list]
  - {name: grid, uses: builtin.echo, matrix: {os: [x, y]}, with: {os: '${matrix.os}'}}
)");
  ASSERT_TRUE(w);
  std::string url = new_postgres_database("items");
  std::unique_ptr<StateStore> store =
      open_state_store(workflow_state(url, "wf"), Durability::kNormal);
  auto log = make_logger("", "warn");
  ClusterNode here(settings(url, "host-run", 0), log), b(settings(url, "host-b", 2), log);
  b.start_workers(serving(w));
  SystemClock clock;
  StopSwitch stop_switch;
  ExecuteOptions options;
  options.max_workers = 4;
  options.cluster = &here;
  options.task_log_root.clear();
  EXPECT_EQ(execute_run(*w, *store, log, clock, stop_switch, options).run.status,
            RunStatus::kCompleted);
  EXPECT_EQ(postgres_column(url, "SELECT result FROM tasks WHERE task_name = 'each'"),
            std::vector<std::string>{R"([{"f":"a","i":0},{"f":"b","i":1},{"f":"c","i":2}])"});
  EXPECT_EQ(
      postgres_column(url,
                      "SELECT task_name || ' ' || output FROM task_claims WHERE task_name LIKE "
                      "'grid%' ORDER BY task_name"),
      (std::vector<std::string>{R"(grid[os=x] {"os":"x"})", R"(grid[os=y] {"os":"y"})"}));
  EXPECT_EQ(postgres_column(url, "SELECT count(*) FROM task_claims WHERE holder = 'host-b'"),
            std::vector<std::string>{"6"});
}

TEST(ClaimingRunTest, AHostServingAnotherVersionOfTheWorkflowClaimsNothingOfTheRun) {
  TempDir dir;
  std::shared_ptr<const Workflow> w = load(dir, R"(name: wf
tasks:
  - {name: only, uses: builtin.echo, with: {v: 1}}
)");
  ASSERT_TRUE(w);
  std::string url = new_postgres_database("unserved");
  std::unique_ptr<StateStore> store =
      open_state_store(workflow_state(url, "wf"), Durability::kNormal);
  auto log = make_logger("", "warn");
  ClusterNode here(settings(url, "host-run", 0), log);
  ClusterNode other(settings(url, "host-other", 2), log),
      serving_node(settings(url, "host-s", 1), log);
  // `other` serves wf too, but another version of its manifest.
  TempDir other_dir;
  std::shared_ptr<const Workflow> changed = load(other_dir, R"(name: wf
tasks:
  - {name: only, uses: builtin.echo, with: {v: 2}}
)");
  ASSERT_TRUE(changed);
  other.start_workers(serving(changed));
  serving_node.start_workers(serving(w));
  SystemClock clock;
  StopSwitch stop_switch;
  ExecuteOptions options;
  options.cluster = &here;
  options.task_log_root.clear();
  EXPECT_EQ(execute_run(*w, *store, log, clock, stop_switch, options).run.status,
            RunStatus::kCompleted);
  EXPECT_EQ(postgres_column(url, "SELECT holder FROM task_claims"),
            std::vector<std::string>{"host-s"});
  EXPECT_EQ(postgres_column(url, "SELECT output FROM task_claims"),
            std::vector<std::string>{"{\"v\":1}"});
  EXPECT_EQ(other.counters().num_claimed.load(), 0u);
}

TEST(ClaimingRunTest, CancellingTheRunCancelsTheCallOnTheHostThatClaimedIt) {
  TempDir dir;
  std::shared_ptr<const Workflow> w = load(dir, R"(name: wf
tasks:
  - {name: long, uses: builtin.sleep, with: {duration: 60s}}
  - {name: after, uses: builtin.noop, depends_on: [long]}
)");
  ASSERT_TRUE(w);
  std::string url = new_postgres_database("cancel");
  std::unique_ptr<StateStore> store =
      open_state_store(workflow_state(url, "wf"), Durability::kNormal);
  auto log = make_logger("", "warn");
  ClusterNode here(settings(url, "host-run", 0), log);
  ClusterNode b({url, "host-b", 1, Millis(600)}, log);
  b.start_workers(serving(w));
  SystemClock clock;
  StopSwitch stop_switch;
  ExecuteOptions options;
  options.cluster = &here;
  options.task_log_root.clear();
  options.grace_period = Millis(30000);  // the call must end by itself, not be written off
  std::thread canceller([&] {
    wait_until([&] { return b.counters().num_running.load() == 1; }, 20000);
    stop_switch.cancel();
  });
  auto started = std::chrono::steady_clock::now();
  RunOutcome outcome = execute_run(*w, *store, log, clock, stop_switch, options);
  canceller.join();
  EXPECT_EQ(outcome.run.status, RunStatus::kCancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20))
      << "the claimed sleep was not cancelled";
  EXPECT_EQ(postgres_column(url, "SELECT cancel_requested::text || ' ' || status FROM task_claims"),
            std::vector<std::string>{"true consumed"});
  EXPECT_EQ(b.counters().num_finished.load(), 1u);
  EXPECT_FALSE(outcome.result.abandoned_calls);
}

}  // namespace
}  // namespace flowweaver::testing
