// `uses: workflow.run` under `flowweaver serve`: the child's state is in the service's state
// directory, the API shows its link to the parent, and cancelling the parent over HTTP cancels
// the child.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "flowweaver_process.h"
#include "http_client.h"

namespace flowweaver::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const char* kChild = R"(name: child
outputs:
  slept: ${tasks.slow.output}
tasks:
  - {name: slow, uses: builtin.sleep, with: {duration: "${env.CHILD_SLEEP:-1ms}"}}
)";

const char* kParent = R"(name: parent
tasks:
  - {name: sub, uses: workflow.run, with: {file: child.yaml}}
)";

int serving_port(FlowWeaverProcess& serve) {
  static const std::regex kServing(R"(serving \d+ workflow\(s\) on http://127\.0\.0\.1:(\d+))");
  std::smatch match;
  std::string err;
  if (!wait_until([&] {
        err = serve.stderr_so_far();
        return std::regex_search(err, match, kServing);
      })) {
    ADD_FAILURE() << "serve did not start:\n" << err;
    return 0;
  }
  return std::stoi(match[1]);
}

std::string status_in(const std::string& db) {
  try {
    return query_one(db, "SELECT status FROM runs");
  } catch (const std::exception&) {
    return "";  // no file or table yet
  }
}

TEST(SubworkflowServeTest, CancellingTheParentOverHttpCancelsTheChildInTheStateDirectory) {
  TempDir dir;
  dir.write("config.yaml",
            "workflows_dir: workflows\nstate_dir: var\nlog_dir: var/log\nlisten: "
            "\"127.0.0.1:0\"\ngrace_period: 300ms\n");
  fs::create_directories(dir.path() / "workflows");
  dir.write("workflows/parent.yaml", kParent);
  dir.write("workflows/child.yaml", kChild);
  FlowWeaverProcess serve({"serve", "--config", (dir.path() / "config.yaml").string()}, dir.path(),
                          {{"CHILD_SLEEP", "60s"}});
  int port = serving_port(serve);
  ASSERT_NE(port, 0);
  HttpClient http(port);
  HttpReply started =
      http.post("/api/workflows/parent/runs", {{"Content-Type", "application/json"}});
  ASSERT_EQ(started.status, 201) << started.body;
  std::string parent_run = Json::parse(started.body)["run_id"];
  std::string child_db = (dir.path() / "var/child.db").string();
  ASSERT_TRUE(wait_until([&] { return status_in(child_db) == "RUNNING"; }));

  std::string child_run = query_one(child_db, "SELECT run_id FROM runs");
  Json child = Json::parse(http.get("/api/runs/" + child_run).body, nullptr, false);
  EXPECT_EQ(child.value("parent", Json()),
            (Json{{"run_id", parent_run}, {"task", "sub"}, {"workflow", "parent"}}))
      << child.dump();

  HttpReply cancelling = http.post("/api/runs/" + parent_run + "/cancel");
  EXPECT_EQ(cancelling.status, 202) << cancelling.body;
  EXPECT_TRUE(wait_until([&] { return status_in(child_db) == "CANCELLED"; }))
      << status_in(child_db);
  EXPECT_TRUE(wait_until([&] {
    Json run = Json::parse(http.get("/api/runs/" + parent_run).body, nullptr, false);
    return run.is_object() && run.value("status", "") == "CANCELLED";
  }));
  serve.signal(SIGTERM);
  ProcessResult stopped = serve.wait();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

}  // namespace
}  // namespace flowweaver::testing
