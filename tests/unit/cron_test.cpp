#include "cron/cron.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "time_test_util.h"

namespace flowweaver {
namespace {

using ::testing::ElementsAre;

std::string show_utc(std::optional<TimePoint> t) {
  if (!t) return "never";
  std::time_t tt = std::chrono::system_clock::to_time_t(*t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%d %H:%M", &tm);
  return out;
}

CronSchedule parse_ok(const std::string& text) {
  std::string error;
  std::optional<CronSchedule> s = CronSchedule::parse(text, &error);
  EXPECT_TRUE(s) << text << ": " << error;
  return s ? *s : *CronSchedule::parse("* * * * *", &error);
}

std::string parse_error(const std::string& text) {
  std::string error;
  EXPECT_FALSE(CronSchedule::parse(text, &error)) << text;
  return error;
}

// The first `count` fire times after `after` (UTC), chaining next_after.
std::vector<std::string> fires(const std::string& text, const char* after, int count) {
  CronSchedule s = parse_ok(text);
  std::vector<std::string> out;
  std::optional<TimePoint> t = utc(after);
  for (int i = 0; i < count && t; ++i) {
    t = s.next_after(*t);
    out.push_back(show_utc(t));
  }
  return out;
}

TEST(CronTest, EverySyntaxForm) {
  ScopedTimeZone tz("UTC");
  EXPECT_THAT(fires("* * * * *", "2024-05-01 10:00", 2),
              ElementsAre("2024-05-01 10:01", "2024-05-01 10:02"));
  EXPECT_THAT(fires("5 * * * *", "2024-05-01 10:05", 2),
              ElementsAre("2024-05-01 11:05", "2024-05-01 12:05"));
  EXPECT_THAT(fires("0,30 * * * *", "2024-05-01 10:10", 3),
              ElementsAre("2024-05-01 10:30", "2024-05-01 11:00", "2024-05-01 11:30"));
  EXPECT_THAT(fires("10-12 * * * *", "2024-05-01 10:11", 3),
              ElementsAre("2024-05-01 10:12", "2024-05-01 11:10", "2024-05-01 11:11"));
  EXPECT_THAT(fires("*/20 * * * *", "2024-05-01 10:41", 3),
              ElementsAre("2024-05-01 11:00", "2024-05-01 11:20", "2024-05-01 11:40"));
  EXPECT_THAT(fires("10-40/15 * * * *", "2024-05-01 10:26", 3),
              ElementsAre("2024-05-01 10:40", "2024-05-01 11:10", "2024-05-01 11:25"));
  EXPECT_THAT(fires("0 9-17/4 * * *", "2024-05-01 09:00", 3),
              ElementsAre("2024-05-01 13:00", "2024-05-01 17:00", "2024-05-02 09:00"));
  EXPECT_THAT(fires("1,5-6,*/30 * * * *", "2024-05-01 10:00", 5),
              ElementsAre("2024-05-01 10:01", "2024-05-01 10:05", "2024-05-01 10:06",
                          "2024-05-01 10:30", "2024-05-01 11:00"));
  EXPECT_THAT(fires("  0\t12  * *   * ", "2024-05-01 10:00", 1), ElementsAre("2024-05-01 12:00"));
  EXPECT_EQ(parse_ok("0 12 * * *").text(), "0 12 * * *");
}

TEST(CronTest, FireTimesAreStrictlyAfterAndOnWholeMinutes) {
  ScopedTimeZone tz("UTC");
  CronSchedule s = parse_ok("30 10 * * *");
  EXPECT_EQ(show_utc(s.next_after(utc("2024-05-01 10:29") + std::chrono::seconds(59))),
            "2024-05-01 10:30");
  EXPECT_EQ(show_utc(s.next_after(utc("2024-05-01 10:30"))), "2024-05-02 10:30");
  TimePoint next = *s.next_after(utc("2024-05-01 10:30") + std::chrono::milliseconds(1));
  EXPECT_EQ(next, utc("2024-05-02 10:30"));
}

TEST(CronTest, MonthAndWeekdayNamesInAnyCase) {
  ScopedTimeZone tz("UTC");
  // 2024-05-01 is a Wednesday.
  EXPECT_THAT(fires("0 0 1 jan *", "2024-05-01 00:00", 1), ElementsAre("2025-01-01 00:00"));
  EXPECT_THAT(fires("0 0 1 Mar-APR,Dec *", "2024-05-01 00:00", 3),
              ElementsAre("2024-12-01 00:00", "2025-03-01 00:00", "2025-04-01 00:00"));
  EXPECT_THAT(fires("0 0 * * mon-Fri", "2024-05-02 12:00", 3),
              ElementsAre("2024-05-03 00:00", "2024-05-06 00:00", "2024-05-07 00:00"));
  EXPECT_THAT(fires("0 0 * * SUN", "2024-05-01 00:00", 1), ElementsAre("2024-05-05 00:00"));
  EXPECT_THAT(fires("0 0 * * 0", "2024-05-01 00:00", 1), ElementsAre("2024-05-05 00:00"));
  EXPECT_THAT(fires("0 0 * * 7", "2024-05-01 00:00", 1), ElementsAre("2024-05-05 00:00"));
  EXPECT_THAT(
      fires("0 0 * * 5-7", "2024-05-01 00:00", 4),
      ElementsAre("2024-05-03 00:00", "2024-05-04 00:00", "2024-05-05 00:00", "2024-05-10 00:00"));
}

TEST(CronTest, RestrictedDayOfMonthOrDayOfWeekEitherFires) {
  ScopedTimeZone tz("UTC");
  // Every 13th and every Friday (2024-09-13 is both).
  EXPECT_THAT(fires("0 0 13 * FRI", "2024-09-01 00:00", 5),
              ElementsAre("2024-09-06 00:00", "2024-09-13 00:00", "2024-09-20 00:00",
                          "2024-09-27 00:00", "2024-10-04 00:00"));
  EXPECT_THAT(
      fires("0 0 15 * MON", "2024-05-01 00:00", 4),
      ElementsAre("2024-05-06 00:00", "2024-05-13 00:00", "2024-05-15 00:00", "2024-05-20 00:00"));
  // A field starting with '*' is unrestricted, so both must match: odd days that are Mondays.
  EXPECT_THAT(fires("0 0 */2 * MON", "2024-05-01 00:00", 3),
              ElementsAre("2024-05-13 00:00", "2024-05-27 00:00", "2024-06-03 00:00"));
  EXPECT_THAT(fires("0 0 1 * */7", "2024-05-01 00:00", 2),  // the 1st, when it is a Sunday
              ElementsAre("2024-09-01 00:00", "2024-12-01 00:00"));
}

TEST(CronTest, MonthAndYearBoundaries) {
  ScopedTimeZone tz("UTC");
  EXPECT_THAT(fires("0 0 1 * *", "2023-12-15 00:00", 2),
              ElementsAre("2024-01-01 00:00", "2024-02-01 00:00"));
  EXPECT_THAT(fires("59 23 31 12 *", "2023-12-31 23:59", 1), ElementsAre("2024-12-31 23:59"));
  EXPECT_THAT(fires("0 0 31 * *", "2024-01-31 00:00", 3),
              ElementsAre("2024-03-31 00:00", "2024-05-31 00:00", "2024-07-31 00:00"));
  EXPECT_THAT(fires("30 23 * * *", "2024-02-29 23:45", 1), ElementsAre("2024-03-01 23:30"));
  EXPECT_THAT(fires("*/15 * * * *", "2024-12-31 23:50", 2),
              ElementsAre("2025-01-01 00:00", "2025-01-01 00:15"));
}

TEST(CronTest, LeapDayFiresOnlyInLeapYears) {
  ScopedTimeZone tz("UTC");
  EXPECT_THAT(fires("0 12 29 2 *", "2024-03-01 00:00", 2),
              ElementsAre("2028-02-29 12:00", "2032-02-29 12:00"));
  EXPECT_THAT(fires("0 12 29 2 *", "2096-03-01 00:00", 1),  // 2100 is not a leap year
              ElementsAre("2104-02-29 12:00"));
  // 29 February on a Sunday: 2032, 2060, 2088, then 2128 because 2100 is skipped.
  EXPECT_THAT(
      fires("0 12 29 2 */7", "2024-01-01 00:00", 4),
      ElementsAre("2032-02-29 12:00", "2060-02-29 12:00", "2088-02-29 12:00", "2128-02-29 12:00"));
}

TEST(CronTest, DaylightSavingSpringForwardSkipsTheMissingHour) {
  ScopedTimeZone tz("Europe/Berlin");
  // 2024-03-31: 02:00 CET becomes 03:00 CEST (01:00 UTC); 02:xx local does not exist.
  EXPECT_THAT(fires("30 2 * * *", "2024-03-30 12:00", 2),
              ElementsAre("2024-04-01 00:30",    // 02:30 CEST; the 31st had no 02:30
                          "2024-04-02 00:30"));  //
  EXPECT_THAT(fires("*/30 * * * *", "2024-03-31 00:15", 3),
              ElementsAre("2024-03-31 00:30",    // 01:30 CET
                          "2024-03-31 01:00",    // 03:00 CEST
                          "2024-03-31 01:30"));  // 03:30 CEST
  EXPECT_THAT(fires("0 3 * * *", "2024-03-30 12:00", 1), ElementsAre("2024-03-31 01:00"));
}

TEST(CronTest, DaylightSavingFallBackFiresTheRepeatedHourOnce) {
  ScopedTimeZone tz("Europe/Berlin");
  // 2024-10-27: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:xx local happens twice.
  EXPECT_THAT(fires("30 2 * * *", "2024-10-26 12:00", 2),
              ElementsAre("2024-10-27 00:30",    // 02:30 CEST, the first one
                          "2024-10-28 01:30"));  // 02:30 CET the next day
  EXPECT_THAT(fires("0 * * * *", "2024-10-26 23:00", 3),
              ElementsAre("2024-10-27 00:00",    // 02:00 CEST
                          "2024-10-27 02:00",    // 03:00 CET; 02:00 CET is a repeat
                          "2024-10-27 03:00"));  // 04:00 CET
  // Asked during the second 02:xx: 02:30 already fired at its first occurrence.
  CronSchedule s = parse_ok("30 2 * * *");
  EXPECT_EQ(show_utc(s.next_after(utc("2024-10-27 01:10"))), "2024-10-28 01:30");
}

TEST(CronTest, EveryError) {
  EXPECT_EQ(parse_error(""),
            "expected 5 fields (minute hour day-of-month month day-of-week), got 0");
  EXPECT_THAT(parse_error("* * * *"), ::testing::EndsWith("got 4"));
  EXPECT_THAT(parse_error("* * * * * *"), ::testing::EndsWith("got 6"));
  EXPECT_EQ(parse_error("60 * * * *"), "field 1 (minute): 60 is out of range 0-59");
  EXPECT_EQ(parse_error("* 25 * * *"), "field 2 (hour): 25 is out of range 0-23");
  EXPECT_EQ(parse_error("* * 0 * *"), "field 3 (day-of-month): 0 is out of range 1-31");
  EXPECT_EQ(parse_error("* * 32 * *"), "field 3 (day-of-month): 32 is out of range 1-31");
  EXPECT_EQ(parse_error("* * * 13 *"), "field 4 (month): 13 is out of range 1-12");
  EXPECT_EQ(parse_error("* * * * 8"), "field 5 (day-of-week): 8 is out of range 0-7");
  EXPECT_EQ(parse_error("99999999999 * * * *"),
            "field 1 (minute): 99999999999 is out of range 0-59");
  EXPECT_EQ(parse_error("* * * FOO *"),
            "field 4 (month): 'FOO' is not a number or a month name (JAN-DEC)");
  EXPECT_EQ(parse_error("* * * * Funday"),
            "field 5 (day-of-week): 'Funday' is not a number or a weekday name (SUN-SAT)");
  EXPECT_EQ(parse_error("1.5 * * * *"), "field 1 (minute): '1.5' is not a number");
  EXPECT_EQ(parse_error("1,,2 * * * *"), "field 1 (minute): empty list item in '1,,2'");
  EXPECT_EQ(parse_error("5, * * * *"), "field 1 (minute): empty list item in '5,'");
  EXPECT_EQ(parse_error("5- * * * *"), "field 1 (minute): '5-' is missing a number");
  EXPECT_EQ(parse_error("* -3 * * *"), "field 2 (hour): '-3' is missing a number");
  EXPECT_EQ(parse_error("*/0 * * * *"), "field 1 (minute): step 0 must be at least 1");
  EXPECT_EQ(parse_error("*/x * * * *"), "field 1 (minute): 'x' is not a number");
  EXPECT_EQ(parse_error("*/ * * * *"), "field 1 (minute): '*/' is missing a number");
  EXPECT_EQ(parse_error("5/10 * * * *"),
            "field 1 (minute): a step needs a range or '*' before it: write 5-59/10");
  EXPECT_EQ(parse_error("30-10 * * * *"), "field 1 (minute): range '30-10' runs backwards");
  EXPECT_EQ(parse_error("* * * * SAT-SUN"),
            "field 5 (day-of-week): range 'SAT-SUN' runs backwards");
}

TEST(CronTest, DaysThatNeverExistAreRejected) {
  EXPECT_EQ(parse_error("0 0 30 2 *"),
            "field 3 (day-of-month): no day in '30' exists in month '2', so the schedule never "
            "fires");
  EXPECT_THAT(parse_error("0 0 31 APR,JUN,SEP,NOV *"), ::testing::HasSubstr("never fires"));
  EXPECT_THAT(parse_error("0 0 30-31 feb */2"), ::testing::HasSubstr("never fires"));
  parse_ok("0 0 29-31 2 *");  // the 29th exists in leap years
  parse_ok("0 0 30 2 MON");   // either day fires: Mondays in February
}

TEST(CronTest, SparseSchedulesAreFast) {
  ScopedTimeZone tz("UTC");
  CronSchedule s = parse_ok("0 12 29 2 */7");
  auto begin = std::chrono::steady_clock::now();
  std::optional<TimePoint> t = utc("2000-01-01 00:00");
  for (int i = 0; i < 200 && t; ++i) t = s.next_after(*t);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(2));
}

// A TimePoint's 64 bits of nanoseconds end in 2262. UBSan (make test-asan) caught the search
// for the match after 2252, in 2280, overflowing them; such a match never fires.
TEST(CronTest, MatchesBeyondWhatATimePointHoldsNeverFire) {
  ScopedTimeZone tz("UTC");
  CronSchedule s = parse_ok("0 12 29 2 */7");  // 29 February, when it is a Sunday
  EXPECT_EQ(show_utc(s.next_after(utc("2200-01-01 00:00"))), "2224-02-29 12:00");
  EXPECT_EQ(show_utc(s.next_after(utc("2253-01-01 00:00"))), "never");
}

}  // namespace
}  // namespace flowweaver
