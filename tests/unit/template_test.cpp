#include "manifest/template.h"

#include <gtest/gtest.h>

#include "exec/run_context.h"
#include "util/time_format.h"

namespace flowweaver {
namespace {

using Json = nlohmann::json;

TEST(TemplateTest, WholeValueReferenceKeepsItsType) {
  Json params = {{"limit", 50}, {"flag", true}};
  TemplateScope scope;
  scope.params = &params;
  EXPECT_EQ(resolve_templates(Json("${params.limit}"), scope), Json(50));
  EXPECT_EQ(resolve_templates(Json("${params.flag}"), scope), Json(true));
  EXPECT_EQ(resolve_templates(Json("limit=${params.limit}!"), scope), Json("limit=50!"));
}

TEST(TemplateTest, ResolvesNestedValuesEnvFallbacksAndEscapes) {
  Json params = {{"who", "world"}};
  TemplateScope scope;
  scope.params = &params;
  scope.manifest_dir = "/srv/wf";
  scope.env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "USER_NAME") return "ada";
    return std::nullopt;
  };
  Json with = {{"list", {"${params.who}", "${env.USER_NAME}"}},
               {"map", {{"file", "${manifest.dir}/data.csv"}}},
               {"fallback", "${env.NOPE:-none}"},
               {"literal", "$${params.who}"},
               {"number", 3}};
  Json out = resolve_templates(with, scope);
  EXPECT_EQ(out["list"], Json({"world", "ada"}));
  EXPECT_EQ(out["map"]["file"], Json("/srv/wf/data.csv"));
  EXPECT_EQ(out["fallback"], Json("none"));
  EXPECT_EQ(out["literal"], Json("${params.who}"));
  EXPECT_EQ(out["number"], Json(3));
}

TEST(TemplateTest, TaskOutputPathsWalkObjectsAndLists) {
  Json output = {{"rows", {{{"id", 7}}, {{"id", 8}}}}, {"count", 2}};
  TemplateScope scope;
  scope.task_output = [&](const std::string& name) -> const Json* {
    return name == "extract" ? &output : nullptr;
  };
  EXPECT_EQ(resolve_templates(Json("${tasks.extract.output.count}"), scope), Json(2));
  EXPECT_EQ(resolve_templates(Json("${tasks.extract.output.rows.1.id}"), scope), Json(8));
  EXPECT_EQ(resolve_templates(Json("${tasks.extract.output}"), scope), output);
  try {
    resolve_templates(Json("${tasks.extract.output.rows.5}"), scope);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "${tasks.extract.output.rows.5}: task 'extract' output.rows has no '5'");
  }
}

TEST(TemplateTest, SyntaxErrorsAreReported) {
  EXPECT_THROW(parse_template("${params}"), std::invalid_argument);
  EXPECT_THROW(parse_template("${tasks.a.result}"), std::invalid_argument);
  EXPECT_THROW(parse_template("${params..x}"), std::invalid_argument);
  EXPECT_THROW(parse_template("abc ${env.X"), std::invalid_argument);
  EXPECT_NO_THROW(parse_template("no references at all"));
}

TEST(TemplateTest, UnsetEnvWithoutFallbackFails) {
  TemplateScope scope;
  EXPECT_THROW(resolve_templates(Json("${env.UNSET_FOR_SURE}"), scope), std::runtime_error);
}

TEST(TemplateTest, SecretsResolveAsText) {
  TemplateScope scope;
  scope.secret = [](const std::string& name) -> std::optional<std::string> {
    if (name == "API_TOKEN") return "t0k";
    return std::nullopt;
  };
  EXPECT_EQ(resolve_templates(Json("${secrets.API_TOKEN}"), scope), Json("t0k"));
  EXPECT_EQ(resolve_templates(Json("Bearer ${secrets.API_TOKEN}"), scope), Json("Bearer t0k"));
  EXPECT_THROW(resolve_templates(Json("${secrets.OTHER}"), scope), std::runtime_error);
  EXPECT_THROW(parse_template("${secrets.A.B}"), std::invalid_argument);
  EXPECT_THROW(parse_template("${secrets}"), std::invalid_argument);
}

}  // namespace
}  // namespace flowweaver

namespace flowweaver {
namespace {

TEST(TemplateTest, RunReferencesReadTheRunContext) {
  TimePoint started{std::chrono::milliseconds(1764900000123)};
  RunContext run("20251205-0100-ab12", started, "deploy", Json{{"target", "prod"}});
  EXPECT_EQ(run.params(), (Json{{"target", "prod"}}));
  TemplateScope scope;
  scope.run = &run;
  EXPECT_EQ(resolve_templates(Json("${run.id}"), scope), Json("20251205-0100-ab12"));
  EXPECT_EQ(resolve_templates(Json("${run.started_at}"), scope), Json(format_timestamp(started)));
  EXPECT_EQ(resolve_templates(Json("${workflow.name}/${run.id}"), scope),
            Json("deploy/20251205-0100-ab12"));
  // Until the scheduler sets the outcome, before the handlers start.
  EXPECT_EQ(resolve_templates(Json("${run.status}"), scope), Json("running"));
  EXPECT_EQ(resolve_templates(Json("[${run.failed_tasks}]"), scope), Json("[]"));
  run.set_outcome("failed", {"extract", "load"});
  EXPECT_EQ(resolve_templates(Json("${run.status}: ${run.failed_tasks}"), scope),
            Json("failed: extract,load"));
  EXPECT_THROW(resolve_templates(Json("${run.id}"), TemplateScope{}), std::runtime_error);
  EXPECT_THROW(parse_template("${run.nope}"), std::invalid_argument);
  EXPECT_THROW(parse_template("${run}"), std::invalid_argument);
  EXPECT_THROW(parse_template("${workflow.file}"), std::invalid_argument);
}

}  // namespace
}  // namespace flowweaver
