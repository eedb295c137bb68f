// The JSON views of the API against a real service: what the workflows page needs of each
// workflow (last run, last success, recent runs), the plugins' declared parameters, the runs'
// status filter, and a run found by its id after a restart and after a restore.
#include <SQLiteCpp/Database.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "served_api.h"

namespace flowweaver::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kGood = "name: good\ntasks:\n  - {name: a, uses: builtin.noop}\n";
constexpr const char* kBad =
    "name: bad\ntasks:\n  - {name: a, uses: builtin.fail, with: {permanent: true}}\n";

json get_json(HttpClient& client, const std::string& target) {
  HttpReply reply = client.get(target);
  EXPECT_EQ(reply.status, 200) << target << ": " << reply.body;
  return json::parse(reply.body, nullptr, false);
}

// Starts a run of `workflow` and waits for its final status; returns the run's id.
std::string run_to_end(HttpClient& client, const std::string& workflow) {
  HttpReply started = client.post("/api/workflows/" + workflow + "/runs");
  EXPECT_EQ(started.status, 201) << started.body;
  std::string run_id = json::parse(started.body)["run_id"];
  EXPECT_TRUE(eventually([&] {
    json run = json::parse(client.get("/api/runs/" + run_id).body, nullptr, false);
    return run.is_object() && run["status"] != "RUNNING";
  })) << run_id;
  return run_id;
}

json workflow_entry(HttpClient& client, const std::string& name) {
  for (const json& w : get_json(client, "/api/workflows")) {
    if (w["name"] == name) return w;
  }
  ADD_FAILURE() << "no workflow " << name << " in /api/workflows";
  return nullptr;
}

TEST(ViewsApiTest, WorkflowsShowTheirLastRunLastSuccessAndTheLast20RunsOldestFirst) {
  ServedApi served;
  served.write_workflow("good.yaml", kGood);
  served.write_workflow("bad.yaml", kBad);
  HttpClient client(served.start());
  json fresh = workflow_entry(client, "good");
  EXPECT_EQ(fresh["last_run"], nullptr);
  EXPECT_EQ(fresh["last_success_at"], nullptr);
  EXPECT_EQ(fresh["recent_runs"], json::array());

  std::vector<std::string> ids;
  for (int i = 0; i < 21; ++i) ids.push_back(run_to_end(client, "good"));
  std::string failed = run_to_end(client, "bad");
  ASSERT_TRUE(eventually([&] { return served.service->active_runs() == 0; }));

  json good = workflow_entry(client, "good");
  json last_run = good["last_run"];
  EXPECT_EQ(last_run["run_id"], ids.back());
  EXPECT_EQ(last_run["status"], "COMPLETED");
  EXPECT_TRUE(last_run["started_at"].is_string());
  EXPECT_TRUE(last_run["finished_at"].is_string());
  EXPECT_GE(last_run["duration_ms"].get<int64_t>(), 0);
  EXPECT_EQ(good["last_success_at"], last_run["finished_at"]);
  ASSERT_EQ(good["recent_runs"].size(), 20u);
  EXPECT_EQ(good["recent_runs"][0]["run_id"], ids[1]);  // the oldest of the last 20
  EXPECT_EQ(good["recent_runs"][19]["run_id"], ids[20]);
  for (const json& r : good["recent_runs"]) {
    EXPECT_EQ(r["status"], "COMPLETED");
    EXPECT_TRUE(r["duration_ms"].is_number()) << r;
  }

  json bad = workflow_entry(client, "bad");
  EXPECT_EQ(bad["last_run"]["run_id"], failed);
  EXPECT_EQ(bad["last_run"]["status"], "FAILED");
  EXPECT_EQ(bad["last_success_at"], nullptr);
  ASSERT_EQ(bad["recent_runs"].size(), 1u);
  EXPECT_EQ(bad["recent_runs"][0]["status"], "FAILED");
}

TEST(ViewsApiTest, PluginsListEachTaskTypesDeclaredParametersAndWhetherItTakesOthers) {
  ServedApi served;
  HttpClient client(served.start());
  json builtin;
  for (const json& p : get_json(client, "/api/plugins")) {
    if (p["name"] == "builtin") builtin = p;
  }
  ASSERT_TRUE(builtin.is_object());
  EXPECT_THAT(builtin["task_types"], ::testing::Contains("fail"));
  std::map<std::string, json> types;
  for (const json& t : builtin["task_type_details"]) types[t["name"]] = t;
  ASSERT_TRUE(types.count("fail")) << builtin["task_type_details"];
  EXPECT_EQ(types["fail"]["accepts_other_keys"], false);
  EXPECT_EQ(types["echo"]["accepts_other_keys"], true);
  EXPECT_EQ(types["fail"]["description"],
            "Fails its first `times` attempts of a run, then succeeds");
  json times = types["fail"]["params"][0];
  EXPECT_EQ(times, (json{{"name", "times"},
                         {"type", "integer"},
                         {"required", false},
                         {"default", 1000000},
                         {"description", "Attempts that fail before one succeeds"}}));
  json duration = types["sleep"]["params"][0];
  EXPECT_EQ(duration["required"], true);
  EXPECT_EQ(duration["default"], nullptr);
  EXPECT_EQ(duration["type"], "duration");
}

TEST(ViewsApiTest, RunsAreFilteredByStatusAndAnUnknownStatusIsRefusedListingThem) {
  ServedApi served;
  served.write_workflow("good.yaml", kGood);
  served.write_workflow("bad.yaml", kBad);
  HttpClient client(served.start());
  std::string ok1 = run_to_end(client, "good");
  std::string failed = run_to_end(client, "bad");
  std::string ok2 = run_to_end(client, "good");

  json only_failed = get_json(client, "/api/runs?status=FAILED");
  ASSERT_EQ(only_failed.size(), 1u);
  EXPECT_EQ(only_failed[0]["run_id"], failed);
  json completed = get_json(client, "/api/runs?status=COMPLETED&limit=1");
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0]["run_id"], ok2);
  EXPECT_EQ(get_json(client, "/api/runs?workflow=good&status=COMPLETED").size(), 2u);
  EXPECT_EQ(get_json(client, "/api/runs?workflow=good&status=FAILED"), json::array());

  HttpReply bad = client.get("/api/runs?status=failed");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body)["error"],
            "status must be one of PENDING, RUNNING, COMPLETED, FAILED, INTERRUPTED, CANCELLED, "
            "not 'failed'");
  EXPECT_EQ(client.get("/api/runs?state=FAILED").status, 400);
}

TEST(ViewsApiTest, ARunIsFoundByItsIdAfterARestartAndAfterARestoreReplacesItsState) {
  ServedApi served;
  served.write_workflow("good.yaml", kGood);
  served.write_workflow("bad.yaml", kBad);
  std::string first;
  {
    HttpClient client(served.start());
    run_to_end(client, "bad");
    first = run_to_end(client, "good");
  }
  served.stop();
  std::filesystem::path state = served.config.state_dir / "good.db";
  std::filesystem::path backup = served.dir() / "good-backup.db";
  // A backup as `flowweaver backup` makes one: whole, with what the -wal held.
  SQLite::Database(state.string(), SQLite::OPEN_READONLY)
      .exec("VACUUM INTO '" + backup.string() + "'");

  // A new process knows no run yet: the one scan finds it.
  HttpClient client(served.start());
  EXPECT_EQ(get_json(client, "/api/runs/" + first)["workflow"], "good");
  EXPECT_EQ(get_json(client, "/api/runs/" + first)["graph"], true);  // the page may draw it
  std::string second = run_to_end(client, "good");
  EXPECT_EQ(get_json(client, "/api/runs/" + second)["status"], "COMPLETED");
  ASSERT_TRUE(eventually([&] { return served.service->active_runs() == 0; }));

  // The backup, renamed over the state, no longer holds the second run.
  std::filesystem::path staged = served.config.state_dir / "good-restored.db";
  std::filesystem::copy_file(backup, staged);
  std::filesystem::rename(staged, state);
  std::filesystem::remove(state.string() + "-wal");
  std::filesystem::remove(state.string() + "-shm");
  HttpReply gone = client.get("/api/runs/" + second);
  EXPECT_EQ(gone.status, 404) << gone.body;
  EXPECT_EQ(get_json(client, "/api/runs/" + first)["status"], "COMPLETED");
  EXPECT_EQ(get_json(client, "/api/runs?workflow=good").size(), 1u);
}

}  // namespace
}  // namespace flowweaver::testing
