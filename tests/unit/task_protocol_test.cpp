// The result line of `isolation: process` carries everything an in-process call returns,
// the retry delay a task asked for included.
#include "isolation/task_protocol.h"

#include <gtest/gtest.h>

namespace flowweaver {
namespace {

AttemptOutcome round_trip(const AttemptOutcome& outcome) {
  std::string line = encode_result_line(outcome);
  EXPECT_EQ(line.back(), '\n');
  std::optional<TaskMessage> message = decode_message_line(line.substr(0, line.size() - 1));
  EXPECT_TRUE(message && message->result);
  return message && message->result ? *message->result : AttemptOutcome{};
}

TEST(TaskProtocolTest, ARetryAfterCrossesTheProcessBoundary) {
  AttemptOutcome back =
      round_trip({AttemptOutcome::Kind::kRetryable, "", "HTTP 429", Millis(1500)});
  EXPECT_EQ(back.kind, AttemptOutcome::Kind::kRetryable);
  EXPECT_EQ(back.error, "HTTP 429");
  EXPECT_EQ(back.retry_after, Millis(1500));
}

TEST(TaskProtocolTest, AnOutcomeWithoutRetryAfterComesBackWithout) {
  AttemptOutcome back = round_trip({AttemptOutcome::Kind::kOk, "{\"a\":1}", ""});
  EXPECT_EQ(back.kind, AttemptOutcome::Kind::kOk);
  EXPECT_EQ(back.output, "{\"a\":1}");
  EXPECT_FALSE(back.retry_after.has_value());
}

TEST(TaskProtocolTest, ANegativeOrAbsurdRetryAfterIsIgnored) {
  for (const char* value : {"-5", "1e300", "\"3s\"", "18446744073709551615"}) {
    std::string line = std::string(R"({"result":{"outcome":"retryable","output":"","error":"x",)") +
                       R"("retry_after_ms":)" + value + "}}";
    std::optional<TaskMessage> message = decode_message_line(line);
    ASSERT_TRUE(message && message->result) << value;
    EXPECT_FALSE(message->result->retry_after.has_value()) << value;
  }
}

}  // namespace
}  // namespace flowweaver
