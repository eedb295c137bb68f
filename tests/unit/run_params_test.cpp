// Run-time parameters: declarations (with their positions), values typed from the command line
// and from JSON, resolution for a new run, and the check a resume makes.
#include "run_params.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "manifest/manifest_reader.h"
#include "manifest/template.h"
#include "manifest_parsing.h"
#include "scratch_dir.h"
#include "util/error.h"

namespace flowweaver {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr const char* kDeploy = R"(name: deploy
params:
  target:
    type: string
    enum: [staging, prod]
    default: staging
    description: Where to deploy
  batch: 50
  ratio: {type: number}
  dry_run: {type: boolean, default: false}
  labels: {type: object, default: {team: data}}
  hosts: {type: array, default: [a, b]}
tasks:
  - {name: t, uses: builtin.noop}
)";

std::optional<std::string> no_env(const std::string&) { return std::nullopt; }

// The message of the Error::InvalidArgument `body` throws.
template <class F>
std::string refusal(F&& body) {
  try {
    body();
  } catch (const ParamsRefused& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
    return e.what();
  }
  ADD_FAILURE() << "nothing was refused";
  return "";
}

TEST(ParamDeclarationTest, ReadsTheLongAndTheShortForm) {
  Manifest m = parse_ok(kDeploy);
  ASSERT_EQ(m.param_decls.size(), 6u);
  const WorkflowParam& target = m.param_decls[0];
  EXPECT_EQ(target.name, "target");
  EXPECT_EQ(target.type, ValueType::kString);
  EXPECT_EQ(target.enum_values, (std::vector<Json>{"staging", "prod"}));
  EXPECT_EQ(*target.default_value, Json("staging"));
  EXPECT_EQ(target.description, "Where to deploy");
  EXPECT_EQ(target.location.line, 3);
  EXPECT_EQ(m.param_decls[1].type, ValueType::kInteger);  // the short form: from the value
  EXPECT_EQ(*m.param_decls[1].default_value, Json(50));
  EXPECT_EQ(m.param_decls[2].type, ValueType::kNumber);
  EXPECT_FALSE(m.param_decls[2].default_value);  // required
  EXPECT_EQ(m.param_decls[4].type, ValueType::kObject);
  EXPECT_EQ(m.param_decls[5].type, ValueType::kArray);
  EXPECT_EQ(m.params, (Json{{"target", "staging"},
                            {"batch", 50},
                            {"dry_run", false},
                            {"labels", {{"team", "data"}}},
                            {"hosts", {"a", "b"}}}));
}

TEST(ParamDeclarationTest, ErrorsPointAtTheirLineAndColumn) {
  std::string errors = parse_errors(R"(name: wf
params:
  a: {type: strng}
  b: {type: integer, default: ten}
  c: {type: string, enum: [x, y], default: z}
  d: {type: integer, enum: [1, two]}
  e: {type: string, defualt: x}
  f: {description: no type}
  g:
  h: {type: boolean, enum: true}
  a: 1
  i: {type: strng, enum: [1, 2], default: 3}
tasks:
  - {name: t, uses: builtin.noop}
)");
  EXPECT_THAT(errors, HasSubstr("test.yaml:3:13: param 'a': unknown type 'strng' (did you mean "
                                "'string'?); types: string, integer, number, boolean, object, "
                                "array"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:4:31: param 'b': default \"ten\" is not an integer"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:5:44: param 'c': default 'z' is not one of x, y"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:6:32: param 'd': enum value \"two\" is not an integer"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:7:21: unknown key 'defualt' in param 'e' (did you "
                                "mean 'default'?)"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:8:6: param 'f' needs a `type`"));
  EXPECT_THAT(errors, HasSubstr("param 'g' has no value"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:10:28: param 'h': `enum` must be a list"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:11:3: duplicate key 'a' (first given at line 3)"));
  // An unknown type is the one problem reported: nothing else can be checked against it.
  EXPECT_THAT(errors, HasSubstr("test.yaml:12:13: param 'i': unknown type 'strng'"));
  EXPECT_THAT(errors, ::testing::Not(HasSubstr("param 'i': enum")));
  EXPECT_THAT(errors, ::testing::Not(HasSubstr("param 'i': default")));
}

TEST(ParamTextTest, ParsesEachTypeAndRefusesWhatIsNot) {
  std::string why;
  EXPECT_EQ(*parse_param_text("prod", ValueType::kString, &why), Json("prod"));
  EXPECT_EQ(*parse_param_text("10", ValueType::kInteger, &why), Json(10));
  EXPECT_EQ(*parse_param_text("-3", ValueType::kInteger, &why), Json(-3));
  EXPECT_EQ(*parse_param_text("2.5", ValueType::kNumber, &why), Json(2.5));
  EXPECT_EQ(*parse_param_text("7", ValueType::kNumber, &why), Json(7));
  EXPECT_EQ(*parse_param_text("true", ValueType::kBoolean, &why), Json(true));
  EXPECT_EQ(*parse_param_text("{\"a\": [1]}", ValueType::kObject, &why), (Json{{"a", {1}}}));
  EXPECT_EQ(*parse_param_text("[1, \"x\"]", ValueType::kArray, &why), (Json{1, "x"}));
  for (auto [text, type] :
       std::vector<std::pair<std::string, ValueType>>{{"ten", ValueType::kInteger},
                                                      {"1.5", ValueType::kInteger},
                                                      {"", ValueType::kInteger},
                                                      {"99999999999999999999", ValueType::kInteger},
                                                      {"nan", ValueType::kNumber},
                                                      {"1e999", ValueType::kNumber},
                                                      {"yes", ValueType::kBoolean},
                                                      {"[1]", ValueType::kObject},
                                                      {"{", ValueType::kObject},
                                                      {"{}", ValueType::kArray}}) {
    why.clear();
    EXPECT_FALSE(parse_param_text(text, type, &why)) << text;
    EXPECT_THAT(why, HasSubstr("'" + text + "' is not")) << text;
  }
}

TEST(RunParamsTest, CommandLineValuesAreTypedAndWinOverTheFile) {
  Manifest m = parse_ok(kDeploy);
  testing::ScratchDir dir;
  std::string file = (dir.path() / "p.json").string();
  std::ofstream(file) << R"({"batch": 99, "ratio": 0.5, "hosts": ["c"]})";
  Json given = params_from_command_line(
      m, {"target=prod", "batch=10", "labels={\"team\":\"ops\"}", "dry_run=true"}, file);
  EXPECT_EQ(given, (Json{{"target", "prod"},
                         {"batch", 10},
                         {"ratio", 0.5},
                         {"hosts", {"c"}},
                         {"labels", {{"team", "ops"}}},
                         {"dry_run", true}}));
  Json values = resolve_run_params(m, given, no_env, ParamSource::kCommandLine);
  EXPECT_EQ(values, given);
}

TEST(RunParamsTest, CommandLineProblemsAreAllRefusedWithTheirFix) {
  Manifest m = parse_ok(kDeploy);
  std::string message = refusal([&] {
    params_from_command_line(m, {"tagret=prod", "batch=ten", "target=dev", "ratio"}, "");
  });
  EXPECT_THAT(message, HasSubstr("--param tagret=prod: unknown parameter 'tagret' (did you mean "
                                 "'target'?); workflow 'deploy' has: target, batch, ratio"));
  EXPECT_THAT(message, HasSubstr("--param batch=ten: parameter 'batch' is integer, and 'ten' is "
                                 "not an integer"));
  EXPECT_THAT(message, HasSubstr("--param target=dev: 'dev' is not one of staging, prod"));
  EXPECT_THAT(message, HasSubstr("--param 'ratio': write NAME=VALUE"));
}

TEST(RunParamsTest, ParamFileProblemsAreRefused) {
  Manifest m = parse_ok(kDeploy);
  testing::ScratchDir dir;
  std::string file = (dir.path() / "p.json").string();
  EXPECT_THAT(refusal([&] { params_from_command_line(m, {}, file); }),
              HasSubstr("--param-file " + file + ": cannot be read"));
  std::ofstream(file) << "[1]";
  EXPECT_THAT(refusal([&] { params_from_command_line(m, {}, file); }),
              HasSubstr("must hold a JSON object"));
  std::ofstream(file, std::ios::trunc) << R"({"batch": "10"})";
  EXPECT_THAT(refusal([&] { params_from_command_line(m, {}, file); }),
              HasSubstr("--param-file: parameter 'batch' must be integer, not string \"10\""));
}

TEST(RunParamsTest, JsonValuesAreCheckedAgainstTheirDeclarations) {
  Manifest m = parse_ok(kDeploy);
  std::string message = refusal([&] {
    check_given_params(m, Json{{"target", "qa"}, {"batch", 1.5}, {"nope", 1}}, ParamSource::kApi);
  });
  EXPECT_THAT(message, HasSubstr("parameter 'target': 'qa' is not one of staging, prod"));
  EXPECT_THAT(message, HasSubstr("parameter 'batch' must be integer, not number 1.5"));
  EXPECT_THAT(message, HasSubstr("unknown parameter 'nope'"));
  EXPECT_THAT(refusal([&] { check_given_params(m, Json::array(), ParamSource::kApi); }),
              HasSubstr("\"params\" must be a JSON object"));
}

TEST(RunParamsTest, ARequiredParameterMustBeGiven) {
  Manifest m = parse_ok(kDeploy);
  EXPECT_THAT(
      refusal([&] { resolve_run_params(m, Json::object(), no_env, ParamSource::kCommandLine); }),
      HasSubstr("parameter 'ratio' is required (it has no default): pass --param "
                "ratio=VALUE"));
  EXPECT_THAT(refusal([&] { resolve_run_params(m, Json::object(), no_env, ParamSource::kApi); }),
              HasSubstr("add \"ratio\" to \"params\" in the request body"));
  Json values = resolve_run_params(m, Json{{"ratio", 1}}, no_env, ParamSource::kCommandLine);
  EXPECT_EQ(values["target"], "staging");
  EXPECT_EQ(values["batch"], 50);
}

TEST(RunParamsTest, DefaultsFromTheEnvironmentAreTypedWhenResolved) {
  Manifest m = parse_ok(R"(name: wf
params:
  batch: {type: integer, default: "${env.FW_BATCH:-5}"}
  where: "${manifest.dir}/out"
tasks:
  - {name: t, uses: builtin.noop}
)");
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "FW_BATCH") return "12";
    return std::nullopt;
  };
  Json values = resolve_run_params(m, Json::object(), env, ParamSource::kCommandLine);
  EXPECT_EQ(values["batch"], 12);
  EXPECT_EQ(values["where"], manifest_directory("test.yaml") + "/out");
  EXPECT_EQ(resolve_run_params(m, Json::object(), no_env, ParamSource::kCommandLine)["batch"], 5);
  auto bad_env = [](const std::string&) -> std::optional<std::string> { return "many"; };
  EXPECT_THAT(
      refusal([&] { resolve_run_params(m, Json::object(), bad_env, ParamSource::kCommandLine); }),
      HasSubstr("parameter 'batch': from its default ${env.FW_BATCH:-5}: 'many' is not "
                "an integer"));
}

TEST(RunParamsTest, AResumeKeepsTheStoredValuesAndRefusesOthersNamingBothAndFresh) {
  Manifest m = parse_ok(kDeploy);
  Json stored = {{"target", "prod"},
                 {"batch", 7},
                 {"ratio", 1},
                 {"dry_run", false},
                 {"labels", Json::object()},
                 {"hosts", Json::array()}};
  auto resume = [&](const Json& given, ParamSource source = ParamSource::kCommandLine) {
    return resume_run_params(m, stored, given, "r1", no_env, source);
  };
  EXPECT_EQ(resume(Json::object()), stored);
  EXPECT_EQ(resume(Json{{"target", "prod"}}), stored);
  std::string message = refusal([&] { resume(Json{{"target", "staging"}, {"batch", 7}}); });
  EXPECT_THAT(message, HasSubstr("parameter 'target': run r1 was started with target=prod, not "
                                 "staging: resume it without --param (or with the same values), "
                                 "or start a new run with --fresh"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("'batch'")));
  EXPECT_THAT(refusal([&] {
                resume(Json{{"batch", 8}}, ParamSource::kApi);
              }),
              HasSubstr("resume it without \"params\""));
  EXPECT_THAT(refusal([&] {
                resume(Json{{"batch", "8"}});
              }),
              HasSubstr("parameter 'batch' must be integer"));
}

TEST(RunParamsTest, AResumeResolvesOnlyTheParametersDeclaredSinceItsRunWasCreated) {
  Manifest m = parse_ok(kDeploy);
  Json stored = {{"target", "prod"}, {"batch", 7}, {"ratio", 1}, {"gone", "kept"}};
  Json values =
      resume_run_params(m, stored, Json{{"hosts", {"x"}}}, "r1", no_env, ParamSource::kCommandLine);
  EXPECT_EQ(values, (Json{{"target", "prod"},
                          {"batch", 7},
                          {"ratio", 1},
                          {"gone", "kept"},
                          {"dry_run", false},
                          {"labels", {{"team", "data"}}},
                          {"hosts", {"x"}}}));
  Json without_ratio = {{"target", "prod"}};
  EXPECT_THAT(refusal([&] {
                resume_run_params(m, without_ratio, Json::object(), "r1", no_env,
                                  ParamSource::kCommandLine);
              }),
              HasSubstr("parameter 'ratio' is required"));
}

}  // namespace
}  // namespace flowweaver
