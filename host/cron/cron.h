// A 5-field cron expression, as in crontab(5): minute hour day-of-month month day-of-week.
//
//   CronSchedule::parse("*/15 9-17 * * MON-FRI", &error)   every 15 minutes in office hours
//
// Each field is `*` or a comma-separated list of values `5`, ranges `1-5` and steps `*/10` or
// `0-30/10`. Months may be named JAN-DEC and weekdays SUN-SAT (any case); weekday 0 and 7 are
// both Sunday. When both day-of-month and day-of-week are restricted, a day matching EITHER one
// fires (`0 0 1 * MON`: the 1st and every Monday). As in Vixie cron, a field that starts with
// `*` (including `*/2`) counts as unrestricted, so then the two fields must both match.
//
// Fire times are whole minutes of wall-clock time in the process's local time zone (TZ), and
// daylight saving time is handled like this:
// - a local time that does not exist (skipped when clocks go forward) does not fire that day;
// - a local time that occurs twice (when clocks go back) fires once, at its first occurrence.
//   This applies to every minute of the repeated hour: `*/15 * * * *` fires at 02:00, 02:15,
//   02:30 and 02:45 summer time, then next at 03:00 winter time.
//
// parse() rejects expressions that can never fire (`0 0 30 2 *`), so next_after() finds a fire
// time for every parsed schedule except in pathological time zones; it returns nothing if it
// finds none within 400 years.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/clock.h"
#include "util/local_time.h"

namespace flowweaver {

class CronSchedule {
 public:
  // Nothing, and *error set (e.g. "field 2 (hour): 25 is out of range 0-23"), on bad input.
  static std::optional<CronSchedule> parse(std::string_view text, std::string* error);

  // The first fire time strictly after `after`, or nothing if none within 400 years.
  // Thread-safe as long as nobody changes TZ concurrently.
  std::optional<TimePoint> next_after(TimePoint after) const;

  // The expression as given to parse().
  const std::string& text() const { return text_; }

 private:
  bool day_matches(int year, int month, int day) const;
  // The first matching wall-clock minute at or after `from`, within the year limit.
  std::optional<LocalMinute> next_match(LocalMinute from, int last_year) const;

  std::string text_;
  // Bit v set: value v matches. Days of the month and months are 1-based; Sunday is 0.
  uint64_t minutes_ = 0;
  uint64_t hours_ = 0;
  uint64_t days_of_month_ = 0;
  uint64_t months_ = 0;
  uint64_t days_of_week_ = 0;
  bool day_of_month_restricted_ = false;
  bool day_of_week_restricted_ = false;
};

}  // namespace flowweaver
