#include "exec/retry_policy.h"

#include <gtest/gtest.h>

namespace flowweaver {
namespace {

RetryPolicy policy(Backoff backoff, long long delay_ms, long long cap_ms) {
  RetryPolicy p;
  p.retries = 5;
  p.backoff = backoff;
  p.retry_delay = Millis(delay_ms);
  p.max_retry_delay = Millis(cap_ms);
  return p;
}

TEST(RetryPolicyTest, FixedBackoffWaitsTheSameEachTime) {
  RetryPolicy p = policy(Backoff::kFixed, 2000, 60000);
  EXPECT_EQ(retry_delay(p, 1, 0.0), Millis(2000));
  EXPECT_EQ(retry_delay(p, 4, 0.0), Millis(2000));
}

TEST(RetryPolicyTest, ExponentialBackoffDoublesUpToTheCap) {
  RetryPolicy p = policy(Backoff::kExponential, 1000, 5000);
  EXPECT_EQ(retry_delay(p, 1, 0.0), Millis(1000));
  EXPECT_EQ(retry_delay(p, 2, 0.0), Millis(2000));
  EXPECT_EQ(retry_delay(p, 3, 0.0), Millis(4000));
  EXPECT_EQ(retry_delay(p, 4, 0.0), Millis(5000));
  EXPECT_EQ(retry_delay(p, 60, 0.0), Millis(5000));  // no overflow on long series
}

TEST(RetryPolicyTest, JitterShortensByAtMostAFifth) {
  RetryPolicy p = policy(Backoff::kExponential, 1000, 60000);
  EXPECT_EQ(retry_delay(p, 2, 0.5), Millis(1800));
  EXPECT_GE(retry_delay(p, 2, 0.999), Millis(1600));
  EXPECT_LE(retry_delay(p, 2, 0.999), Millis(2000));
}

TEST(RetryPolicyTest, RetriesCountAttemptsAfterTheFirst) {
  RetryPolicy p;
  p.retries = 3;
  EXPECT_EQ(max_attempts(p), 4);
}

}  // namespace
}  // namespace flowweaver
