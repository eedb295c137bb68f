#include "service/schedule_book.h"

#include <gtest/gtest.h>

#include "time_test_util.h"

namespace flowweaver {
namespace {

// Schedules are local time; the tests pin the zone to UTC.
class ScheduleBookTest : public ::testing::Test {
 protected:
  static CronSchedule cron(const char* text) {
    std::string error;
    std::optional<CronSchedule> s = CronSchedule::parse(text, &error);
    EXPECT_TRUE(s) << error;
    return *s;
  }

  ScopedTimeZone zone_{"UTC"};
};

TEST_F(ScheduleBookTest, AWorkflowIsDueOnceItsFireTimeComes) {
  ScheduleBook book;
  book.set("nightly", cron("0 2 * * *"), utc("2026-11-26 01:59:30"));
  EXPECT_EQ(book.next_fire(), utc("2026-11-26 02:00:00"));
  EXPECT_TRUE(book.take_due(utc("2026-11-26 01:59:59")).empty());
  EXPECT_EQ(book.take_due(utc("2026-11-26 02:00:00")), std::vector<std::string>{"nightly"});
  EXPECT_TRUE(book.take_due(utc("2026-11-26 02:00:30")).empty());  // taken once
  EXPECT_EQ(book.next_fire("nightly"), utc("2026-11-27 02:00:00"));
}

TEST_F(ScheduleBookTest, MissedFireTimesAreNotBackFilled) {
  ScheduleBook book;
  book.set("hourly", cron("0 * * * *"), utc("2026-11-26 00:30:00"));
  // The clock jumps five hours (the machine slept): one run, then on from now.
  EXPECT_EQ(book.take_due(utc("2026-11-26 05:30:00")), std::vector<std::string>{"hourly"});
  EXPECT_EQ(book.next_fire("hourly"), utc("2026-11-26 06:00:00"));
}

TEST_F(ScheduleBookTest, ADueFireCarriesTheLatestFireTimeUpToNowWhichHostsStartedApartAgreeOn) {
  ScheduleBook early, late;  // two hosts sharing a database, started at different times
  early.set("hourly", cron("0 * * * *"), utc("2026-11-26 00:30:00"));
  late.set("hourly", cron("0 * * * *"), utc("2026-11-26 04:10:00"));
  std::vector<ScheduleBook::DueFire> a = early.take_due_fires(utc("2026-11-26 05:00:02"));
  std::vector<ScheduleBook::DueFire> b = late.take_due_fires(utc("2026-11-26 05:00:01"));
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].workflow, "hourly");
  EXPECT_EQ(a[0].fire_time, utc("2026-11-26 05:00:00"));
  EXPECT_EQ(b[0].fire_time, utc("2026-11-26 05:00:00"));
  EXPECT_TRUE(early.take_due_fires(utc("2026-11-26 05:30:00")).empty());
}

TEST_F(ScheduleBookTest, SettingTheSameScheduleAgainKeepsItsNextFireTime) {
  ScheduleBook book;
  book.set("w", cron("*/10 * * * *"), utc("2026-11-26 01:05:00"));
  book.set("w", cron("*/10 * * * *"), utc("2026-11-26 01:15:00"));  // a reload with nothing changed
  EXPECT_EQ(book.next_fire("w"), utc("2026-11-26 01:10:00"));
  book.set("w", cron("30 * * * *"), utc("2026-11-26 01:15:00"));  // changed: recomputed from now
  EXPECT_EQ(book.next_fire("w"), utc("2026-11-26 01:30:00"));
}

TEST_F(ScheduleBookTest, TheEarliestOfSeveralAndRemoval) {
  ScheduleBook book;
  book.set("a", cron("0 3 * * *"), utc("2026-11-26 00:00:00"));
  book.set("b", cron("0 1 * * *"), utc("2026-11-26 00:00:00"));
  EXPECT_EQ(book.next_fire(), utc("2026-11-26 01:00:00"));
  book.remove("b");
  EXPECT_EQ(book.next_fire(), utc("2026-11-26 03:00:00"));
  EXPECT_EQ(book.workflows(), std::vector<std::string>{"a"});
  book.remove("a");
  EXPECT_FALSE(book.next_fire());
}

}  // namespace
}  // namespace flowweaver
