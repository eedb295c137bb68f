// POST /api/runs/ID/tasks/NAME/reset and .../mark end to end: a real `flowweaver serve`, its
// rules (the latest run only, no active run, no other process holding the state) and every error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <string>

#include "flowweaver_process.h"
#include "served_workflows.h"

namespace flowweaver::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using Json = nlohmann::json;

constexpr const char* kRepair = R"(name: repair
tasks:
  - name: load
    uses: shell.run
    with:
      command: ["echo", "loaded"]
  - name: report
    uses: shell.run
    depends_on: [load]
    with:
      command: ["echo", "reported"]
  - name: convert
    uses: shell.run
    depends_on: [load]
    foreach: [x, y]
    with:
      command: ["echo", "${item}"]
)";

constexpr const char* kSlow = R"(name: slow
tasks:
  - name: wait
    uses: shell.run
    with:
      command: ["sleep", "30"]
)";

std::string start_run(ServedWorkflows& s, const std::string& workflow) {
  HttpReply r = s.post("/api/workflows/" + workflow + "/runs");
  EXPECT_EQ(r.status, 201) << r.body << s.err();
  Json body = Json::parse(r.body, nullptr, false);
  return body.is_object() ? body.value("run_id", "") : "";
}

// Waits until the run has `status` and the service has let go of it; its last view.
Json wait_for_run(ServedWorkflows& s, const std::string& run_id, const std::string& status) {
  Json run;
  bool reached = wait_until([&] {
    run = s.get_json("/api/runs/" + run_id);
    if (!run.is_object() || run.value("status", "") != status) return false;
    for (const Json& w : s.get_json("/api/workflows")) {
      if (w.value("active_run", Json()) == run_id) return false;
    }
    return true;
  });
  EXPECT_TRUE(reached) << run_id << " never became " << status << ": " << run.dump(2);
  return run;
}

Json task_of(const Json& run, const std::string& name) {
  for (const Json& task : run.value("tasks", Json::array())) {
    if (task.value("task", "") == name) return task;
  }
  return nullptr;
}

std::string error_of(const HttpReply& r) {
  Json body = Json::parse(r.body, nullptr, false);
  return body.is_object() ? body.value("error", "") : "not JSON: " + r.body;
}

TEST(TaskActionsTest, AResetReopensTheLatestRunAndTheNextStartRunsTheTaskAndDependentsAgain) {
  TempDir dir;
  ServedWorkflows s(dir, {{"repair.yaml", kRepair}}, "token: s3cret\n");
  EXPECT_EQ(s.post("/api/runs/x/tasks/load/reset").status, 401);
  s.always_send({{"Authorization", "Bearer s3cret"}});
  std::string run_id = start_run(s, "repair");
  ASSERT_FALSE(run_id.empty());
  wait_for_run(s, run_id, "COMPLETED");

  HttpReply reset = s.post("/api/runs/" + run_id + "/tasks/load/reset");
  ASSERT_EQ(reset.status, 200) << reset.body;
  Json done = Json::parse(reset.body);
  EXPECT_EQ(done.value("run_id", ""), run_id);
  EXPECT_EQ(done.value("workflow", ""), "repair");
  EXPECT_THAT(done["reset"].get<std::vector<std::string>>(),
              UnorderedElementsAre("load", "report", "convert"));
  EXPECT_EQ(done.value("items", 0), 2);
  EXPECT_EQ(done.value("run_status", ""), "PENDING");
  Json run = s.get_json("/api/runs/" + run_id);
  EXPECT_EQ(run.value("status", ""), "PENDING");
  EXPECT_EQ(task_of(run, "report").value("status", ""), "PENDING");
  EXPECT_EQ(task_of(run, "convert[1]").value("status", ""), "PENDING");

  // It does not start the run; the next start resumes it and runs them again.
  EXPECT_EQ(start_run(s, "repair"), run_id);
  run = wait_for_run(s, run_id, "COMPLETED");
  EXPECT_EQ(task_of(run, "load").value("attempts", 0), 2) << run.dump(2);
  EXPECT_EQ(task_of(run, "convert[0]").value("attempts", 0), 2) << run.dump(2);

  // Only the latest run of the workflow.
  std::string next = start_run(s, "repair");
  ASSERT_NE(next, run_id);
  wait_for_run(s, next, "COMPLETED");
  HttpReply old = s.post("/api/runs/" + run_id + "/tasks/load/reset");
  EXPECT_EQ(old.status, 409) << old.body;
  EXPECT_THAT(error_of(old), HasSubstr("only the latest (" + next + ")"));
  EXPECT_EQ(s.post("/api/runs/" + run_id + "/tasks/load/mark", R"({"status": "FAILED"})").status,
            409);

  // Unknown names and bad requests.
  HttpReply typo = s.post("/api/runs/" + next + "/tasks/reprt/reset");
  EXPECT_EQ(typo.status, 404);
  EXPECT_THAT(error_of(typo), HasSubstr("no task 'reprt' in workflow 'repair' (did you mean "
                                        "'report'?)"));
  HttpReply item = s.post("/api/runs/" + next + "/tasks/convert%5B1%5D/reset");
  EXPECT_EQ(item.status, 404) << item.body;
  EXPECT_THAT(error_of(item), HasSubstr("name 'convert'"));
  HttpReply no_run = s.post("/api/runs/nope/tasks/load/reset");
  EXPECT_EQ(no_run.status, 404);
  EXPECT_THAT(error_of(no_run), HasSubstr("no run with id 'nope'"));
  EXPECT_EQ(s.post("/api/runs/" + next + "/tasks/load/reset?force=1").status, 400);
  EXPECT_EQ(s.post("/api/runs/" + next + "/tasks/%FF/reset").status, 400);
  HttpReply with_body = s.post("/api/runs/" + next + "/tasks/load/reset", "{}");
  EXPECT_EQ(with_body.status, 400);
  EXPECT_THAT(error_of(with_body), HasSubstr("no request body"));
  EXPECT_EQ(s.get("/api/runs/" + next + "/tasks/load/reset").status, 405);
  EXPECT_EQ(s.stop(), 0) << s.err();
}

TEST(TaskActionsTest, AMarkRecordsATaskCompletedWithItsOutputOrFailedWithItsError) {
  TempDir dir;
  ServedWorkflows s(dir, {{"repair.yaml", kRepair}});
  std::string run_id = start_run(s, "repair");
  ASSERT_FALSE(run_id.empty());
  wait_for_run(s, run_id, "COMPLETED");
  std::string path = "/api/runs/" + run_id + "/tasks/report/mark";

  HttpReply failed = s.post(path, R"({"status": "FAILED", "error": "the report was wrong"})");
  ASSERT_EQ(failed.status, 200) << failed.body;
  Json done = Json::parse(failed.body);
  EXPECT_EQ(done.value("task", ""), "report");
  EXPECT_EQ(done.value("status", ""), "FAILED");
  EXPECT_EQ(done.value("error", ""), "the report was wrong");
  EXPECT_EQ(done.value("attempts", 0), 2);
  EXPECT_EQ(done.value("run_status", ""), "PENDING");  // reopened, so the next start resumes it
  Json run = s.get_json("/api/runs/" + run_id);
  EXPECT_EQ(task_of(run, "report").value("status", ""), "FAILED");
  EXPECT_THAT(task_of(run, "report")["attempt_history"].back().value("error", ""),
              HasSubstr("set by hand over the HTTP API: the report was wrong"));

  HttpReply completed = s.post(path, R"({"status": "COMPLETED", "output": {"rows": 3}})");
  ASSERT_EQ(completed.status, 200) << completed.body;
  EXPECT_EQ(Json::parse(completed.body)["output"], Json({{"rows", 3}}));
  run = s.get_json("/api/runs/" + run_id);
  EXPECT_EQ(task_of(run, "report")["output"], Json({{"rows", 3}}));
  EXPECT_EQ(task_of(run, "report").value("attempts", 0), 3);

  // Each shape it refuses names the ones it takes.
  for (const char* body : {"", "[]", "{\"output\": 1}", "{\"status\": \"DONE\"}",
                           "{\"status\": \"COMPLETED\", \"error\": \"x\"}",
                           "{\"status\": \"FAILED\", \"error\": 5}", "{not json"}) {
    HttpReply bad = s.post(path, body);
    EXPECT_EQ(bad.status, 400) << body << " -> " << bad.body;
    EXPECT_THAT(error_of(bad), HasSubstr("{\"status\": \"COMPLETED\", \"output\":")) << body;
  }
  HttpReply item =
      s.post("/api/runs/" + run_id + "/tasks/convert%5B0%5D/mark", R"({"status": "COMPLETED"})");
  EXPECT_EQ(item.status, 404) << item.body;
  EXPECT_EQ(s.stop(), 0) << s.err();
}

TEST(TaskActionsTest, AnActiveRunOrAStateHeldByAnotherProcessIsRefusedWith409) {
  TempDir dir;
  ServedWorkflows s(dir, {{"slow.yaml", kSlow}, {"repair.yaml", kRepair}}, "grace_period: 300ms\n");
  std::string run_id = start_run(s, "slow");
  ASSERT_FALSE(run_id.empty());
  HttpReply reset = s.post("/api/runs/" + run_id + "/tasks/wait/reset");
  EXPECT_EQ(reset.status, 409) << reset.body;
  EXPECT_THAT(error_of(reset),
              HasSubstr("run " + run_id + " of 'slow' is active: cancel it first"));
  HttpReply mark = s.post("/api/runs/" + run_id + "/tasks/wait/mark", R"({"status": "FAILED"})");
  EXPECT_EQ(mark.status, 409) << mark.body;
  EXPECT_EQ(s.post("/api/runs/" + run_id + "/cancel").status, 202);
  wait_for_run(s, run_id, "CANCELLED");
  HttpReply after = s.post("/api/runs/" + run_id + "/tasks/wait/reset");
  EXPECT_EQ(after.status, 200) << after.body;

  // A `flowweaver run` of the same state holds its writer lock.
  std::string repair_run = start_run(s, "repair");
  wait_for_run(s, repair_run, "COMPLETED");
  FlowWeaverProcess other({"run", (dir.path() / "workflows" / "slow.yaml").string(), "--state",
                           (dir.path() / "var" / "slow.db").string()},
                          dir.path(), {});
  ASSERT_TRUE(wait_until([&] {
    Json runs = s.get_json("/api/runs?workflow=slow");
    return runs.is_array() && !runs.empty() && runs[0].value("status", "") == "RUNNING";
  })) << other.stderr_so_far();
  std::string cli_run = s.get_json("/api/runs?workflow=slow")[0].value("run_id", "");
  HttpReply held = s.post("/api/runs/" + cli_run + "/tasks/wait/reset");
  EXPECT_EQ(held.status, 409) << held.body;
  EXPECT_THAT(error_of(held), HasSubstr("wait for that process to end"));
  other.signal(SIGKILL);
  other.wait();
  EXPECT_EQ(s.stop(), 0) << s.err();
}

}  // namespace
}  // namespace flowweaver::testing
