#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "expr/evaluator.h"
#include "expr/expr_error.h"
#include "expr/parser.h"

namespace flowweaver::expr {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

class ExprEvaluatorTest : public ::testing::Test {
 protected:
  ExprEvaluatorTest() {
    scope_.params = &params_;
    scope_.run_id = "20261205T060000-ab12";
    scope_.task_output = [this](const std::string& task) -> const Json* {
      return task == "check" ? &output_ : nullptr;
    };
    scope_.task_status = [](const std::string& task) -> std::optional<std::string> {
      if (task == "check") return "COMPLETED";
      if (task == "flaky") return "FAILED";
      return std::nullopt;
    };
  }

  Json eval(const std::string& source) { return evaluate(*parse_expression(source), scope_); }

  // "column: message" of the run-time error.
  std::string failure(const std::string& source) {
    try {
      eval(source);
    } catch (const ExprError& e) {
      return std::to_string(e.offset() + 1) + ": " + e.what();
    }
    return "no error";
  }

  Json params_ = {{"target", "prod"},
                  {"batch", 50},
                  {"ratio", 0.5},
                  {"list", {"a", "b"}},
                  {"cfg", {{"region", "eu"}}}};
  Json output_ = {{"changed", true},
                  {"count", 3},
                  {"name", "report.csv"},
                  {"rows", {{{"id", 7}}, {{"id", 8}}}},
                  {"tags", {"x", "y"}}};
  EvalScope scope_;
};

TEST_F(ExprEvaluatorTest, LiteralsAndReferences) {
  EXPECT_EQ(eval("'it''s'"), Json("it's"));
  EXPECT_EQ(eval("-2.5"), Json(-2.5));
  EXPECT_EQ(eval("null"), Json(nullptr));
  EXPECT_EQ(eval("params.target"), Json("prod"));
  EXPECT_EQ(eval("params.cfg.region"), Json("eu"));
  EXPECT_EQ(eval("params.list.1"), Json("b"));
  EXPECT_EQ(eval("tasks.check.output.rows[1].id"), Json(8));
  EXPECT_EQ(eval("tasks.check.output.rows.0.id"), Json(7));
  EXPECT_EQ(eval("tasks.check.status"), Json("COMPLETED"));
  EXPECT_EQ(eval("run.id"), Json("20261205T060000-ab12"));
}

TEST_F(ExprEvaluatorTest, MissingPathsAreNull) {
  EXPECT_EQ(eval("tasks.check.output.nope"), Json(nullptr));
  EXPECT_EQ(eval("tasks.check.output.rows[9].id"), Json(nullptr));
  EXPECT_EQ(eval("tasks.check.output.count.x"), Json(nullptr));
  EXPECT_EQ(eval("tasks.other.output.x"), Json(nullptr));  // no output at all
  EXPECT_EQ(eval("tasks.other.status"), Json(nullptr));
  EXPECT_EQ(eval("tasks.check.output.nope == null"), Json(true));
}

TEST_F(ExprEvaluatorTest, Comparisons) {
  EXPECT_EQ(eval("params.target == 'prod'"), Json(true));
  EXPECT_EQ(eval("params.target != 'prod'"), Json(false));
  EXPECT_EQ(eval("params.batch == 50.0"), Json(true));  // integer and decimal compare as numbers
  EXPECT_EQ(eval("params.batch < 51"), Json(true));
  EXPECT_EQ(eval("params.batch < 50"), Json(false));
  EXPECT_EQ(eval("params.batch <= 50"), Json(true));
  EXPECT_EQ(eval("params.batch > 50"), Json(false));
  EXPECT_EQ(eval("params.batch >= 50"), Json(true));
  EXPECT_EQ(eval("params.ratio < 1"), Json(true));
  EXPECT_EQ(eval("'abc' < 'abd'"), Json(true));
  EXPECT_EQ(eval("'b' > 'abc'"), Json(true));
  EXPECT_EQ(eval("params.list == tasks.check.output.tags"), Json(false));
  EXPECT_EQ(eval("tasks.check.output.count == '3'"), Json(false));  // different types: not equal
}

TEST_F(ExprEvaluatorTest, LogicShortCircuitsAndNullIsFalse) {
  EXPECT_EQ(eval("true && false"), Json(false));
  EXPECT_EQ(eval("true && true"), Json(true));
  EXPECT_EQ(eval("false || true"), Json(true));
  EXPECT_EQ(eval("false || false"), Json(false));
  EXPECT_EQ(eval("!false"), Json(true));
  EXPECT_EQ(eval("!tasks.check.output.nope"), Json(true));
  EXPECT_EQ(eval("tasks.check.output.nope || true"), Json(true));
  // The right side is never evaluated, so its error never happens.
  EXPECT_EQ(eval("false && tasks.check.output.name < 1"), Json(false));
  EXPECT_EQ(eval("true || tasks.check.output.name < 1"), Json(true));
  EXPECT_EQ(eval("true || false && false"), Json(true));
  EXPECT_EQ(eval("(true || false) && false"), Json(false));
}

TEST_F(ExprEvaluatorTest, Functions) {
  EXPECT_EQ(eval("contains(params.target, 'ro')"), Json(true));
  EXPECT_EQ(eval("contains(params.target, 'x')"), Json(false));
  EXPECT_EQ(eval("contains(params.list, 'b')"), Json(true));
  EXPECT_EQ(eval("contains(tasks.check.output.rows, tasks.check.output.rows[0])"), Json(true));
  EXPECT_EQ(eval("contains(params.list, 3)"), Json(false));
  EXPECT_EQ(eval("starts_with(run.id, '2026')"), Json(true));
  EXPECT_EQ(eval("starts_with(params.target, 'rod')"), Json(false));
  EXPECT_EQ(eval("ends_with(tasks.check.output.name, '.csv')"), Json(true));
  EXPECT_EQ(eval("ends_with(tasks.check.output.name, '.txt')"), Json(false));
  EXPECT_EQ(eval("len(params.target)"), Json(4));
  EXPECT_EQ(eval("len(params.list) == 2"), Json(true));
  EXPECT_EQ(eval("len(params.cfg)"), Json(1));
  EXPECT_EQ(eval("len('')"), Json(0));
}

TEST_F(ExprEvaluatorTest, RunTimeTypeErrorsNameTheValues) {
  EXPECT_EQ(failure("tasks.check.output.name < 5"),
            "25: '<' cannot order text (\"report.csv\") against a number (5)");
  EXPECT_EQ(failure("tasks.check.output.nope >= 1"),
            "25: '>=' cannot order null (null) against a number (1)");
  EXPECT_EQ(failure("tasks.check.output.count && true"),
            "1: '&&' takes true or false, not a number (3)");
  EXPECT_THAT(failure("!tasks.check.output.name"), HasSubstr("2: '!' takes true or false"));
  EXPECT_THAT(failure("len(tasks.check.output.changed) > 0"),
              HasSubstr("5: len() takes text, a list or an object, not a boolean (true)"));
  EXPECT_THAT(failure("contains(tasks.check.output.count, 'x')"),
              HasSubstr("10: contains() takes text or a list, not a number (3)"));
  EXPECT_THAT(failure("contains(params.target, tasks.check.output.count)"),
              HasSubstr("25: contains() takes text to look for in text"));
  EXPECT_THAT(failure("starts_with(tasks.check.output.nope, 'a')"),
              HasSubstr("13: starts_with() takes text, not null"));
  EXPECT_THAT(failure("ends_with('a', tasks.check.output.rows)"),
              HasSubstr("16: ends_with() takes text, not a list"));
}

TEST_F(ExprEvaluatorTest, AsConditionTakesBooleansAndNull) {
  EXPECT_TRUE(as_condition(true, 0, "x"));
  EXPECT_FALSE(as_condition(false, 0, "x"));
  EXPECT_FALSE(as_condition(nullptr, 0, "x"));
  EXPECT_THROW(as_condition("yes", 0, "x"), ExprError);
}

}  // namespace
}  // namespace flowweaver::expr
