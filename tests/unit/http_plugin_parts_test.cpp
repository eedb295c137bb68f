// The parts of the http plugin that need no server: Retry-After, expect_status, and how the
// SDK hands a requested retry delay to hosts that know it and to hosts that do not.
#include <gtest/gtest.h>

#include <cstddef>
#include <flowweaver/sdk.hpp>

#include "http_request_spec.h"
#include "retry_after.h"

namespace flowweaver {
namespace {

using std::chrono::milliseconds;

// 2015-10-21 07:28:00 UTC, the date in RFC 9110's example.
constexpr std::time_t kExampleDate = 1445412480;

TEST(RetryAfterTest, ReadsDelaySeconds) {
  EXPECT_EQ(parse_retry_after("1", kExampleDate), milliseconds(1000));
  EXPECT_EQ(parse_retry_after(" 120 ", kExampleDate), milliseconds(120000));
  EXPECT_EQ(parse_retry_after("0", kExampleDate), milliseconds(0));
}

TEST(RetryAfterTest, ReadsAnHttpDateAgainstNow) {
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", kExampleDate), milliseconds(30000));
  // Already past: no wait at all.
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", kExampleDate), milliseconds(0));
}

TEST(RetryAfterTest, RefusesAnythingElse) {
  for (const char* text : {"", "soon", "-5", "1.5", "10s", "tomorrow"}) {
    EXPECT_FALSE(parse_retry_after(text, kExampleDate).has_value()) << text;
  }
}

TEST(RetryAfterTest, AHugeNumberIsCappedNotOverflowed) {
  std::optional<milliseconds> wait = parse_retry_after("99999999999999999999999", kExampleDate);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, std::chrono::hours(365 * 24));
}

TEST(StatusSetTest, ReadsCodesClassesAndLists) {
  StatusSet twos = StatusSet::from_param("2xx", "t");
  EXPECT_TRUE(twos.contains(200));
  EXPECT_TRUE(twos.contains(299));
  EXPECT_FALSE(twos.contains(302));
  StatusSet list = StatusSet::from_param(Json::array({200, "3xx", 404}), "t");
  EXPECT_TRUE(list.contains(404));
  EXPECT_TRUE(list.contains(301));
  EXPECT_FALSE(list.contains(403));
  EXPECT_EQ(list.text(), "200, 3xx, 404");
}

TEST(StatusSetTest, RefusesWhatIsNoStatus) {
  for (const Json& bad : {Json("2xxx"), Json("ok"), Json(99), Json(600), Json::array(), Json(2.5),
                          Json::array({200, true})}) {
    try {
      StatusSet::from_param(bad, "task 't'");
      ADD_FAILURE() << bad.dump();
    } catch (const PermanentError& e) {
      EXPECT_NE(std::string(e.what()).find("expect_status"), std::string::npos) << e.what();
    }
  }
}

// --- RetryAfterError through the C ABI.

class AsksForTwoSeconds : public Task {
 public:
  Json run(Context&) override { throw RetryAfterError("busy", milliseconds(2000)); }
};

struct FakeHost {
  std::string error;
  std::optional<uint64_t> retry_after_ms;
};

FakeHost& host_of(void* data) { return *static_cast<FakeHost*>(data); }

fw_outcome call(FakeHost& state, uint32_t host_size) {
  fw_host host{};
  host.struct_size = host_size;
  host.host_data = &state;
  host.set_error = [](void* d, const char* text, size_t len) {
    host_of(d).error.assign(text, len);
  };
  // An older host leaves the field out; were it read, this would record a delay.
  host.set_retry_after = [](void* d, uint64_t ms) { host_of(d).retry_after_ms = ms; };
  fw_call c{sizeof(fw_call), "t", "{}", 2, 1, &host};
  return detail::run_task<AsksForTwoSeconds>("http.request", &c);
}

TEST(RetryAfterErrorTest, AHostThatKnowsTheFieldReceivesTheDelay) {
  FakeHost state;
  EXPECT_EQ(call(state, sizeof(fw_host)), FW_OUTCOME_RETRYABLE);
  EXPECT_EQ(state.error, "busy");
  EXPECT_EQ(state.retry_after_ms, 2000u);
}

TEST(RetryAfterErrorTest, AnOlderHostGetsAPlainRetryableFailure) {
  FakeHost state;
  EXPECT_EQ(call(state, offsetof(fw_host, set_retry_after)), FW_OUTCOME_RETRYABLE);
  EXPECT_EQ(state.error, "busy");
  EXPECT_FALSE(state.retry_after_ms.has_value());
}

}  // namespace
}  // namespace flowweaver
