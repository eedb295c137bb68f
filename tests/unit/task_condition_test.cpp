#include "exec/task_condition.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "exec/record_condition_inputs.h"
#include "expr/parser.h"

namespace flowweaver {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;
using Kind = ConditionVerdict::Kind;

TaskCondition condition(const std::string& source) {
  TaskCondition c;
  c.source = source;
  c.expression = expr::parse_expression(source);
  return c;
}

class TaskConditionTest : public ::testing::Test {
 protected:
  TaskConditionTest() {
    inputs_.params = &params_;
    inputs_.run_id = "r1";
    inputs_.task_output = [this](const std::string& t) -> const Json* {
      return t == "check" ? &output_ : nullptr;
    };
    inputs_.task_status = [](const std::string& t) -> std::optional<std::string> {
      if (t == "check") return "COMPLETED";
      return std::nullopt;
    };
  }

  Json params_ = {{"target", "prod"}};
  Json output_ = {{"changed", true}, {"name", "x"}};
  ConditionInputs inputs_;
};

TEST_F(TaskConditionTest, TrueRunsFalseSkips) {
  ConditionVerdict yes = check_condition(condition("params.target == 'prod'"), inputs_);
  EXPECT_EQ(yes.kind, Kind::kRun);
  ConditionVerdict no = check_condition(condition("params.target == 'staging'"), inputs_);
  EXPECT_EQ(no.kind, Kind::kSkip);
  EXPECT_EQ(no.reason, "condition false");
  EXPECT_EQ(
      check_condition(condition("tasks.check.output.changed && run.id == 'r1'"), inputs_).kind,
      Kind::kRun);
}

TEST_F(TaskConditionTest, AMissingOutputIsNullAndReadsAsFalse) {
  EXPECT_EQ(check_condition(condition("tasks.check.output.gone"), inputs_).kind, Kind::kSkip);
  EXPECT_EQ(check_condition(condition("tasks.check.output.gone == null"), inputs_).kind,
            Kind::kRun);
}

TEST_F(TaskConditionTest, RunTimeErrorsFailNamingTheExpression) {
  ConditionVerdict v = check_condition(condition("tasks.check.output.name < 3"), inputs_);
  EXPECT_EQ(v.kind, Kind::kFail);
  EXPECT_EQ(v.reason,
            "condition `tasks.check.output.name < 3` failed at character 25: '<' cannot order "
            "text (\"x\") against a number (3)");
  ConditionVerdict not_boolean = check_condition(condition("tasks.check.output.name"), inputs_);
  EXPECT_EQ(not_boolean.kind, Kind::kFail);
  EXPECT_THAT(not_boolean.reason, HasSubstr("the condition takes true or false, not text"));
}

TEST_F(TaskConditionTest, ATaskWithoutConditionRuns) {
  TaskSpec task;
  EXPECT_EQ(check_condition(task, inputs_).kind, Kind::kRun);
  task.condition = std::make_shared<const TaskCondition>(condition("false"));
  EXPECT_EQ(check_condition(task, inputs_).kind, Kind::kSkip);
  TaskCondition unparsed;
  unparsed.source = "false";
  task.condition = std::make_shared<const TaskCondition>(unparsed);
  EXPECT_EQ(check_condition(task, inputs_).kind, Kind::kFail);
}

TEST(RecordConditionInputsTest, ReadStatusesAndParsedOutputsFromTheRecords) {
  std::vector<TaskSpec> tasks(3);
  tasks[0].name = "check";
  tasks[1].name = "broken";
  tasks[2].name = "deploy";
  TaskIndex index(tasks);
  std::vector<TaskRecord> records(3);
  records[0].status = TaskStatus::kCompleted;
  records[0].result = R"({"changed": true, "files": ["a"]})";
  records[1].status = TaskStatus::kFailed;
  records[1].result = "not json";
  Json params = {{"target", "prod"}};
  ConditionInputs inputs = record_condition_inputs(index, records, &params, "run-1");
  auto verdict = [&](const std::string& source) {
    return check_condition(condition(source), inputs).kind;
  };
  EXPECT_EQ(verdict("tasks.check.output.changed && len(tasks.check.output.files) == 1"),
            Kind::kRun);
  EXPECT_EQ(verdict("tasks.check.status == 'COMPLETED' && tasks.broken.status == 'FAILED'"),
            Kind::kRun);
  EXPECT_EQ(verdict("tasks.broken.output == null && run.id == 'run-1'"), Kind::kRun);
  EXPECT_EQ(verdict("params.target == 'staging'"), Kind::kSkip);
  records[0].result = R"({"changed": false})";  // parsed once: a completed output never changes
  EXPECT_EQ(verdict("tasks.check.output.changed"), Kind::kRun);
}

}  // namespace
}  // namespace flowweaver
