// GET /api/workflows/NAME/graph.svg against a real service: the drawing of the manifest in
// service, redrawn when it changes, refused above the size drawn, behind the token.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "served_api.h"
#include "service/dag_svg.h"
#include "svg_checks.h"

namespace flowweaver::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kDiamond = R"(name: diamond
description: "fetch <all> & \"convert\""
tasks:
  - {name: fetch, uses: builtin.noop}
  - {name: convert, uses: builtin.echo, depends_on: [fetch], foreach: [1, 2, 3]}
  - {name: check, uses: builtin.noop, depends_on: [fetch]}
  - {name: load, uses: builtin.noop, depends_on: [convert, check]}
)";

std::vector<std::string> task_ids(const std::string& svg) {
  std::vector<std::string> ids;
  for (const std::string& id : g_attributes(svg, "id")) {
    if (id.rfind("task-", 0) == 0) ids.push_back(id);
  }
  return ids;
}

long edges(const std::string& svg) {
  std::vector<std::string> classes = g_attributes(svg, "class");
  return std::count(classes.begin(), classes.end(), "edge dependency");
}

std::string chain_of(size_t num_tasks) {
  std::string text = "name: big\ntasks:\n  - {name: t0, uses: builtin.noop}\n";
  for (size_t i = 1; i < num_tasks; ++i) {
    text += "  - {name: t" + std::to_string(i) + ", uses: builtin.noop, depends_on: [t" +
            std::to_string(i - 1) + "]}\n";
  }
  return text;
}

TEST(GraphApiTest, DrawsOneNodePerTaskAForeachAsOneAndAnEdgePerDependency) {
  ServedApi served;
  served.write_workflow("diamond.yaml", kDiamond);
  HttpClient client(served.start());
  HttpReply reply = client.get("/api/workflows/diamond/graph.svg");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("Content-Type"), "image/svg+xml");
  EXPECT_THAT(reply.body, HasSubstr("<svg"));
  EXPECT_EQ(xml_problem(reply.body), "");
  EXPECT_THAT(task_ids(reply.body),
              ElementsAre("task-fetch", "task-convert", "task-check", "task-load"));
  EXPECT_EQ(edges(reply.body), 4);
  EXPECT_THAT(g_attributes(reply.body, "class"), ::testing::Contains("node task fan-out"));
}

TEST(GraphApiTest, UnknownWorkflowsQueriesAndBadNamesAreRefusedAsJson) {
  ServedApi served;
  served.write_workflow("diamond.yaml", kDiamond);
  HttpClient client(served.start());
  HttpReply unknown = client.get("/api/workflows/nope/graph.svg");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(nlohmann::json::parse(unknown.body)["error"], "no workflow named 'nope'");
  HttpReply query = client.get("/api/workflows/diamond/graph.svg?size=2");
  EXPECT_EQ(query.status, 400);
  EXPECT_THAT(query.body, HasSubstr("unknown query parameter 'size'"));
  HttpReply bad_name = client.get("/api/workflows/%FF/graph.svg");
  EXPECT_EQ(bad_name.status, 400);
  EXPECT_THAT(bad_name.body, HasSubstr("the workflow name in the path is not valid UTF-8"));
}

TEST(GraphApiTest, AWorkflowAboveTheDrawnSizeGets422PointingAtTheTaskTable) {
  ServedApi served;
  served.write_workflow("big.yaml", chain_of(kMaxDrawnTasks + 1));
  served.write_workflow("edge.yaml", "name: edge\n" + chain_of(kMaxDrawnTasks).substr(10));
  HttpClient client(served.start());
  HttpReply reply = client.get("/api/workflows/big/graph.svg");
  EXPECT_EQ(reply.status, 422);
  EXPECT_EQ(nlohmann::json::parse(reply.body)["error"],
            "the workflow has " + std::to_string(kMaxDrawnTasks + 1) + " tasks, more than the " +
                std::to_string(kMaxDrawnTasks) +
                " the graph is drawn for; the task table lists them");
  HttpReply at_limit = client.get("/api/workflows/edge/graph.svg");
  ASSERT_EQ(at_limit.status, 200) << at_limit.body;
  EXPECT_EQ(task_ids(at_limit.body).size(), kMaxDrawnTasks);
  // The workflows view says which are drawn, so that the page asks only for those.
  nlohmann::json workflows = nlohmann::json::parse(client.get("/api/workflows").body);
  ASSERT_EQ(workflows.size(), 2u);
  for (const nlohmann::json& w : workflows) EXPECT_EQ(w["graph"], w["name"] == "edge") << w["name"];
}

TEST(GraphApiTest, TheTokenIsRequiredWhenConfigured) {
  ServedApi served;
  served.write_workflow("diamond.yaml", kDiamond);
  served.config.token = "graph-secret";
  HttpClient client(served.start());
  EXPECT_EQ(client.get("/api/workflows/diamond/graph.svg").status, 401);
  EXPECT_EQ(
      client.get("/api/workflows/diamond/graph.svg", {{"Authorization", "Bearer wrong-secret!"}})
          .status,
      401);
  HttpReply reply =
      client.get("/api/workflows/diamond/graph.svg", {{"Authorization", "Bearer graph-secret"}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(task_ids(reply.body).size(), 4u);
}

TEST(GraphApiTest, AReloadedManifestIsDrawnAnew) {
  ServedApi served;
  served.write_workflow("diamond.yaml", kDiamond);
  HttpClient client(served.start());
  ASSERT_EQ(task_ids(client.get("/api/workflows/diamond/graph.svg").body).size(), 4u);
  served.write_workflow("diamond.yaml", std::string(kDiamond) +
                                            "  - {name: report, uses: builtin.noop, "
                                            "depends_on: [load]}\n");
  served.service->request_reload();
  std::string svg;
  EXPECT_TRUE(eventually([&] {
    svg = client.get("/api/workflows/diamond/graph.svg").body;
    return task_ids(svg).size() == 5;
  })) << svg;
  EXPECT_EQ(task_ids(svg).back(), "task-report");
  EXPECT_EQ(edges(svg), 5);
}

}  // namespace
}  // namespace flowweaver::testing
