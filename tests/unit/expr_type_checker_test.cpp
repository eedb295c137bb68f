#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "expr/parser.h"
#include "expr/type_checker.h"

namespace flowweaver::expr {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

// Params as a manifest would give them; tasks "check" (upstream) and "later" (not upstream).
std::string type_errors(const std::string& source) {
  static const Json params = {{"target", "prod"},
                              {"batch", 50},
                              {"dry", false},
                              {"list", {"a", "b"}},
                              {"cfg", {{"region", "eu"}}}};
  TypeScope scope;
  scope.param_type = [](const std::string& name) -> std::optional<ValueType> {
    if (!params.contains(name)) return std::nullopt;
    return type_of(params[name]);
  };
  for (auto it = params.begin(); it != params.end(); ++it) scope.param_names.push_back(it.key());
  scope.task_problem = [](const std::string& name) -> std::string {
    if (name == "check") return "";
    if (name == "later") return "task 'later' is not upstream";
    return "no task '" + name + "'";
  };
  std::string out;
  for (const ExprError& e : check_condition_types(*parse_expression(source), scope)) {
    out += (out.empty() ? "" : "\n") + std::to_string(e.offset() + 1) + ": " + e.what();
  }
  return out;
}

TEST(ExprTypeCheckerTest, WellTypedConditionsPass) {
  for (const char* ok : {
           "params.target == 'prod' && tasks.check.output.changed",
           "params.batch > 10 || params.batch <= 2",
           "params.target < 'q' && params.target >= 'a'",
           "!params.dry",
           "tasks.check.status == 'FAILED' || tasks.check.status != 'SKIPPED'",
           "tasks.check.output.count > 3 && tasks.check.output.name == 'x'",
           "tasks.check.output.rows[0].id != null",
           "contains(params.list, 'a') && contains(params.target, 'ro')",
           "contains(tasks.check.output.tags, 'x')",
           "starts_with(run.id, '2026') || ends_with(params.target, 'od')",
           "len(params.list) == 2 && len(params.target) > 0 && len(params.cfg) >= 1",
           "params.cfg.region == 'eu'",
           "tasks.check.output.flag",
           "null",
           "params.target == null",
       }) {
    EXPECT_EQ(type_errors(ok), "") << ok;
  }
}

TEST(ExprTypeCheckerTest, UnknownNamesSuggest) {
  EXPECT_EQ(type_errors("params.tagret == 'prod'"),
            "8: no param 'tagret' (did you mean 'target'?); params: batch, cfg, dry, list, target");
  EXPECT_EQ(type_errors("tasks.chek.status == 'FAILED'"), "7: no task 'chek'");
  EXPECT_EQ(type_errors("tasks.later.output.x"), "7: task 'later' is not upstream");
}

TEST(ExprTypeCheckerTest, LogicalOperatorsTakeBooleans) {
  EXPECT_EQ(type_errors("params.target && true"),
            "1: '&&' takes true or false, but this is text: compare it first (e.g. == 'text')");
  EXPECT_THAT(type_errors("true || params.batch"),
              HasSubstr("9: '||' takes true or false, but this is a number"));
  EXPECT_THAT(type_errors("!params.list"),
              HasSubstr("2: '!' takes true or false, but this is a list"));
}

TEST(ExprTypeCheckerTest, ComparingDifferentTypes) {
  EXPECT_EQ(type_errors("params.batch == '50'"),
            "14: '==' compares a number with text, which are never equal");
  EXPECT_THAT(type_errors("params.target != 1"), HasSubstr("15: '!=' compares text with a number"));
  EXPECT_THAT(type_errors("params.batch < 'x'"),
              HasSubstr("14: '<' cannot order a number against text"));
  EXPECT_THAT(type_errors("params.dry <= 1"),
              HasSubstr("1: '<=' orders numbers or texts, not a boolean"));
  EXPECT_THAT(type_errors("1 > params.list"),
              HasSubstr("5: '>' orders numbers or texts, not a list"));
  EXPECT_THAT(type_errors("params.cfg >= 1"),
              HasSubstr("1: '>=' orders numbers or texts, not an object"));
}

TEST(ExprTypeCheckerTest, StatusesAreChecked) {
  EXPECT_EQ(type_errors("tasks.check.status == 'DONE'"),
            "23: 'DONE' is not a status a task can have here: it is one of COMPLETED, FAILED, "
            "SKIPPED");
  EXPECT_THAT(
      type_errors("'FAILD' != tasks.check.status"),
      HasSubstr("1: 'FAILD' is not a status a task can have here (did you mean 'FAILED'?)"));
  EXPECT_THAT(type_errors("tasks.check.status == 3"),
              HasSubstr("'==' compares text with a number"));
}

TEST(ExprTypeCheckerTest, FunctionArguments) {
  EXPECT_THAT(type_errors("len(params.batch) > 1"),
              HasSubstr("5: len() takes text, a list or an object here, not a number"));
  EXPECT_THAT(type_errors("contains(params.batch, 1)"),
              HasSubstr("10: contains() takes text or a list here, not a number"));
  EXPECT_THAT(type_errors("contains(params.target, 1)"),
              HasSubstr("25: contains() takes text to look for in text here, not a number"));
  EXPECT_THAT(type_errors("starts_with(params.list, 'a')"),
              HasSubstr("13: starts_with() takes text here, not a list"));
  EXPECT_THAT(type_errors("ends_with('a', params.dry)"),
              HasSubstr("16: ends_with() takes text here, not a boolean"));
  EXPECT_EQ(type_errors("len(params.list) == 'two'"),
            "18: '==' compares a number with text, which are never equal");
}

TEST(ExprTypeCheckerTest, AConditionMustBeABoolean) {
  EXPECT_EQ(type_errors("params.target"),
            "1: a condition must be true or false, but this expression gives text: compare it "
            "(==, <, ...) or call a function");
  EXPECT_THAT(type_errors("len(params.list)"), HasSubstr("gives a number"));
  EXPECT_THAT(type_errors("params.batch.x == 1"),
              HasSubstr("8: params.batch is a number: it has no parts to write .x after"));
}

TEST(ExprTypeCheckerTest, EveryErrorIsReportedInOrder) {
  EXPECT_EQ(type_errors("params.nope == 1 && params.batch == 'x'"),
            "8: no param 'nope'; params: batch, cfg, dry, list, target\n"
            "34: '==' compares a number with text, which are never equal");
}

}  // namespace
}  // namespace flowweaver::expr
