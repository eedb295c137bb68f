// `if:` conditions as the reader and the validator see them: errors at the file:line:column
// of the character inside the expression.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "expr/ast.h"
#include "manifest/manifest_reader.h"
#include "manifest/validator.h"
#include "test_registry.h"

namespace flowweaver {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Reader and validator problems of a manifest with two params and these `tasks`.
std::string problems(const std::string& tasks) {
  std::string yaml = "name: c\nparams: {target: prod, batch: 50}\ntasks:\n" + tasks;
  DiagnosticList d("wf.yaml");
  Manifest m = parse_manifest(yaml, "wf.yaml", &d);
  PluginRegistry registry = testing::test_registry();
  validate_manifest(
      m, registry, [](const std::string&) { return std::nullopt; }, &d);
  return d.to_string();
}

// A task `check` and a task `deploy` after it whose `if:` line is `condition_line`.
std::string condition_problems(const std::string& condition_line) {
  return problems(
      "  - name: check\n"
      "    uses: test.noop\n"
      "  - name: deploy\n"
      "    uses: test.noop\n"
      "    depends_on: [check]\n" +
      condition_line);
}

TEST(ConditionManifestTest, AValidConditionIsStoredWithItsTask) {
  std::string yaml =
      "name: c\nparams: {target: prod}\ntasks:\n"
      "  - name: check\n    uses: test.noop\n"
      "  - name: deploy\n    uses: test.noop\n    depends_on: [check]\n"
      "    if: params.target == 'prod' && tasks.check.output.changed\n";
  DiagnosticList d("wf.yaml");
  Manifest m = parse_manifest(yaml, "wf.yaml", &d);
  PluginRegistry registry = testing::test_registry();
  validate_manifest(
      m, registry, [](const std::string&) { return std::nullopt; }, &d);
  EXPECT_TRUE(d.empty()) << d.to_string();
  ASSERT_TRUE(m.tasks[1].condition);
  EXPECT_EQ(m.tasks[1].condition->source, "params.target == 'prod' && tasks.check.output.changed");
  EXPECT_EQ(m.tasks[1].condition->location.line, 9);
  EXPECT_EQ(m.tasks[1].condition->location.column, 9);
  ASSERT_TRUE(m.tasks[1].condition->expression);
  EXPECT_EQ(m.tasks[1].condition->expression->kind, expr::Expr::Kind::kBinary);
  EXPECT_FALSE(m.tasks[0].condition);
}

TEST(ConditionManifestTest, SyntaxErrorsPointInsideAPlainScalar) {
  // "    if: " is 8 characters: the expression starts at column 9; '=' is its 15th character.
  EXPECT_THAT(condition_problems("    if: params.target = 'prod'\n"),
              HasSubstr("wf.yaml:9:23: task 'deploy': `if`: '=' alone is not an operator"));
}

TEST(ConditionManifestTest, QuotedScalarsCountTheQuoteAndTheirEscapes) {
  // Single quotes: the opening quote is column 9, and each '' reads as one quote.
  EXPECT_THAT(condition_problems("    if: 'params.target == ''prod'' & true'\n"),
              HasSubstr("wf.yaml:9:36: task 'deploy': `if`: '&' alone"));
  // Double quotes: \" and \\ are two characters written, one read.
  EXPECT_THAT(condition_problems("    if: \"params.target == 'a\\\\b' = 1\"\n"),
              HasSubstr("wf.yaml:9:34: task 'deploy': `if`: '=' alone"));
  EXPECT_THAT(condition_problems("    if: \"run.id == prod\"\n"),
              HasSubstr("wf.yaml:9:20: task 'deploy': `if`: unknown name 'prod'"));
}

TEST(ConditionManifestTest, MultiLineScalarsPointAtTheirStartAndNameTheCharacter) {
  EXPECT_THAT(condition_problems("    if: >-\n      params.target == 'prod'\n      && prod\n"),
              HasSubstr("wf.yaml:9:9: task 'deploy': `if`: unknown name 'prod'"));
  EXPECT_THAT(condition_problems("    if: >-\n      params.target == 'prod'\n      && prod\n"),
              HasSubstr("(at character 28 of the expression)"));
  EXPECT_THAT(condition_problems("    if: params.target == 'prod'\n      && prod\n"),
              HasSubstr("wf.yaml:9:9: task 'deploy': `if`: unknown name 'prod'"));
  EXPECT_THAT(condition_problems("    if: |\n      true &&\n      prod\n"),
              HasSubstr("wf.yaml:9:9: task 'deploy': `if`: unknown name 'prod'"));
}

TEST(ConditionManifestTest, IfMustBeAnExpression) {
  EXPECT_THAT(
      condition_problems("    if: [a]\n"),
      HasSubstr("wf.yaml:9:9: `if` must be an expression, e.g. if: params.target == 'prod'"));
  EXPECT_THAT(condition_problems("    if:\n"), HasSubstr("(it is empty)"));
}

TEST(ConditionManifestTest, TypeErrorsPointInsideTheExpression) {
  EXPECT_THAT(condition_problems("    if: params.batch == 'x'\n"),
              HasSubstr("wf.yaml:9:22: task 'deploy': `if`: '==' compares a number with text"));
  EXPECT_THAT(condition_problems("    if: params.tagret == 'prod'\n"),
              HasSubstr("wf.yaml:9:16: task 'deploy': `if`: no param 'tagret' (did you mean "
                        "'target'?); params: target, batch"));
  EXPECT_THAT(condition_problems("    if: \"tasks.chek.status == 'FAILED'\"\n"),
              HasSubstr("wf.yaml:9:16: task 'deploy': `if`: no task 'chek' (did you mean "
                        "'check'?)"));
  EXPECT_THAT(condition_problems("    if: tasks.check.status == 'DONE'\n"),
              HasSubstr("wf.yaml:9:31: task 'deploy': `if`: 'DONE' is not a status"));
  EXPECT_THAT(condition_problems("    if: params.target\n"),
              HasSubstr("wf.yaml:9:9: task 'deploy': `if`: a condition must be true or false"));
  EXPECT_THAT(condition_problems("    if: tasks.deploy.status == 'FAILED'\n"),
              HasSubstr("wf.yaml:9:15: task 'deploy': `if`: a task's condition cannot read the "
                        "task itself"));
}

TEST(ConditionManifestTest, ATaskReadMustBeUpstream) {
  std::string tasks =
      "  - name: a\n    uses: test.noop\n"
      "  - name: b\n    uses: test.noop\n    depends_on: [a]\n"
      "  - name: c\n    uses: test.noop\n    depends_on: [b]\n"
      "    if: tasks.a.output.ok\n"  // through b: fine
      "  - name: d\n    uses: test.noop\n"
      "    if: tasks.c.status == 'COMPLETED'\n";
  std::string errors = problems(tasks);
  EXPECT_THAT(errors, HasSubstr("wf.yaml:15:15: task 'd': `if`: task 'c' is not upstream of 'd', "
                                "so it may not have run when the condition is evaluated: add it "
                                "to depends_on"));
  EXPECT_THAT(errors, Not(HasSubstr("task 'c': `if`")));
}

TEST(ConditionManifestTest, EveryProblemIsReportedAtOnce) {
  std::string errors = problems(
      "  - name: a\n    uses: test.noop\n    if: params.nope == 1 && params.batch == 'x'\n"
      "  - name: b\n    uses: test.noop\n    if: run.id = 'x'\n");
  EXPECT_THAT(errors, HasSubstr("wf.yaml:6:16: task 'a': `if`: no param 'nope'"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:6:42: task 'a': `if`: '==' compares a number with text"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:9:16: task 'b': `if`: '=' alone"));
}

}  // namespace
}  // namespace flowweaver
