#include "exec/masking_runner.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace flowweaver {
namespace {

// Returns what it was given, whatever the task.
class FixedRunner : public TaskRunner {
 public:
  explicit FixedRunner(AttemptOutcome outcome) : outcome_(std::move(outcome)) {}
  AttemptOutcome run(uint32_t, int, const TaskItem*, Cancellation&, const OutputTable&) override {
    return outcome_;
  }

 private:
  AttemptOutcome outcome_;
};

AttemptOutcome run_masked(const AttemptOutcome& outcome, const SecretMask& mask) {
  FixedRunner inner(outcome);
  MaskingRunner runner(inner, mask);
  Cancellation cancellation;
  return runner.run(0, 1, nullptr, cancellation, {});
}

TEST(MaskingRunnerTest, MasksOutputsAndErrorsAndKeepsTheKind) {
  SecretMask mask({"hunter2"});
  AttemptOutcome ok =
      run_masked({AttemptOutcome::Kind::kOk, R"({"stdout":"pw=hunter2\n","n":1})", ""}, mask);
  EXPECT_EQ(ok.kind, AttemptOutcome::Kind::kOk);
  EXPECT_EQ(nlohmann::json::parse(ok.output)["stdout"], "pw=***\n");
  EXPECT_EQ(nlohmann::json::parse(ok.output)["n"], 1);

  AttemptOutcome failed =
      run_masked({AttemptOutcome::Kind::kRetryable, "", "exit 1: hunter2 hunter2"}, mask);
  EXPECT_EQ(failed.kind, AttemptOutcome::Kind::kRetryable);
  EXPECT_EQ(failed.error, "exit 1: *** ***");
  EXPECT_EQ(failed.output, "");
}

TEST(MaskingRunnerTest, WithoutSecretsNothingChanges) {
  AttemptOutcome ok = run_masked({AttemptOutcome::Kind::kOk, R"({"a": 1})", ""}, SecretMask());
  EXPECT_EQ(ok.output, R"({"a": 1})");
}

}  // namespace
}  // namespace flowweaver
