// Timestamps as the state stores them: written and read back on every state change and resume.
#include "util/time_format.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>

namespace flowweaver {
namespace {

TimePoint at_ms(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

TEST(TimeFormatTest, TimestampsAreUtcWithMilliseconds) {
  EXPECT_EQ(format_timestamp(at_ms(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_timestamp(at_ms(1'706'702'400'007)), "2024-01-31T12:00:00.007Z");
  EXPECT_EQ(format_timestamp(at_ms(1'706'702'400'999)), "2024-01-31T12:00:00.999Z");
  // The next second right after: the cached date part must not be reused.
  EXPECT_EQ(format_timestamp(at_ms(1'706'702'401'000)), "2024-01-31T12:00:01.000Z");
  EXPECT_EQ(format_timestamp(at_ms(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_timestamp(at_ms(951'782'400'000)), "2000-02-29T00:00:00.000Z");
}

TEST(TimeFormatTest, TimestampsRoundTripAcrossThreeCenturies) {
  std::mt19937_64 random(7);
  // 1900 to 2200 (a TimePoint ends in 2262), by whole milliseconds, as the state keeps them.
  std::uniform_int_distribution<int64_t> ms(-2'208'988'800'000, 7'258'118'400'000);
  for (int i = 0; i < 20000; ++i) {
    TimePoint t = at_ms(ms(random));
    std::string text = format_timestamp(t);
    ASSERT_EQ(text.size(), 24u) << text;
    std::optional<TimePoint> back = parse_timestamp(text);
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(*back, t) << text;
  }
}

TEST(TimeFormatTest, EachThreadFormatsItsOwnTimestamps) {
  std::string other;
  std::thread thread([&] { other = format_timestamp(at_ms(86'400'000)); });
  std::string mine = format_timestamp(at_ms(0));
  thread.join();
  EXPECT_EQ(mine, "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(other, "1970-01-02T00:00:00.000Z");
}

TEST(TimeFormatTest, HandEditedTimestampsStillParseAndNonsenseDoesNot) {
  // What sqlite3 users may type: no leading zeros, fewer digits.
  EXPECT_EQ(parse_timestamp("2024-1-31T12:00:00.5Z"), at_ms(1'706'702'400'005));
  EXPECT_EQ(parse_timestamp("2024-01-31T12:00:00.000Z"), at_ms(1'706'702'400'000));
  EXPECT_FALSE(parse_timestamp(""));
  EXPECT_FALSE(parse_timestamp("yesterday"));
  EXPECT_FALSE(parse_timestamp("2024-01-31"));
  // An impossible date in the canonical shape gets the lenient reading hand-edited ones get.
  EXPECT_EQ(parse_timestamp("2023-02-29T00:00:00.000Z"), parse_timestamp("2023-3-1T00:00:00.0Z"));
}

}  // namespace
}  // namespace flowweaver
